//! [`PollStore`] on SQLite: a batch is one `BEGIN IMMEDIATE` transaction with one upsert per
//! record, each telling by its row count whether it changed anything (an upsert whose
//! `WHERE` finds the same answer writes nothing and counts zero). Erasure and retention of
//! answers run inside the append's transaction (`privacy.rs`).

use async_trait::async_trait;
use borgermode_domain::{MeetingId, ParticipantId, PollId};
use sqlx::sqlite::SqliteConnection;
use uuid::Uuid;

use super::text::{timestamp, TextId, TextTime};
use super::{db_err, SqliteStore};
use crate::store::codec::{Decision, PollAnswerEffect};
use crate::store::poll_rows::{self, ANSWER_COLUMNS, OPEN_ANSWER};
use crate::store::polls::{AnswerModeration, PollAnswerRecord, PollStore};
use crate::store::StoreError;

type AnswerRow = poll_rows::AnswerRow<TextId, TextTime>;

/// The body of [`PollStore::write_poll_answers`], run inside the `BEGIN IMMEDIATE` transaction.
async fn write_answers_in(
    conn: &mut SqliteConnection,
    records: &[PollAnswerRecord],
) -> Result<Decision<Vec<bool>>, StoreError> {
    let mut changed = Vec::with_capacity(records.len());
    for record in records {
        let columns = poll_rows::columns(record)?;
        let done = sqlx::query(
            "INSERT INTO poll_answers \
             (meeting_id, poll_id, participant_id, kind, answer_json, held, hidden, answered_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
             ON CONFLICT (meeting_id, poll_id, participant_id) DO UPDATE SET \
             kind = excluded.kind, answer_json = excluded.answer_json, held = excluded.held, \
             hidden = excluded.hidden, answered_at = excluded.answered_at \
             WHERE poll_answers.answer_json <> excluded.answer_json",
        )
        .bind(record.meeting.0.to_string())
        .bind(columns.poll)
        .bind(record.participant.0.to_string())
        .bind(columns.kind)
        .bind(columns.answer_json)
        .bind(columns.held)
        .bind(columns.hidden)
        .bind(timestamp(record.answered_at))
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
        changed.push(done.rows_affected() > 0);
    }
    Ok(Decision::Commit(changed))
}

/// Erasure and retention of poll answers, in the append's transaction (see
/// [`PollAnswerEffect`]).
pub(super) async fn forget_poll_answers(
    conn: &mut SqliteConnection,
    meeting_id: &str,
    effect: PollAnswerEffect,
) -> Result<(), StoreError> {
    let people: Vec<Uuid> = match effect {
        PollAnswerEffect::Unlink(participant) => {
            sqlx::query(
                "DELETE FROM poll_answers \
                 WHERE meeting_id = ?1 AND participant_id = ?2 AND kind = ?3",
            )
            .bind(meeting_id)
            .bind(participant.0.to_string())
            .bind(OPEN_ANSWER)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
            vec![participant.0]
        }
        PollAnswerEffect::RekeyAll => {
            let ids: Vec<TextId> = sqlx::query_scalar(
                "SELECT DISTINCT participant_id FROM poll_answers WHERE meeting_id = ?1",
            )
            .bind(meeting_id)
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?;
            ids.into_iter().map(Uuid::from).collect()
        }
    };
    for (old, new) in poll_rows::fresh_ids(people) {
        sqlx::query(
            "UPDATE poll_answers SET participant_id = ?3 \
             WHERE meeting_id = ?1 AND participant_id = ?2",
        )
        .bind(meeting_id)
        .bind(old.to_string())
        .bind(new.to_string())
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }
    Ok(())
}

#[async_trait]
impl PollStore for SqliteStore {
    async fn write_poll_answers(
        &self,
        records: &[PollAnswerRecord],
    ) -> Result<Vec<bool>, StoreError> {
        if records.is_empty() {
            return Ok(Vec::new());
        }
        let records = records.to_vec();
        self.write(move |conn| Box::pin(async move { write_answers_in(conn, &records).await }))
            .await
    }

    async fn poll_answers(&self, meeting: MeetingId) -> Result<Vec<PollAnswerRecord>, StoreError> {
        let rows: Vec<AnswerRow> = sqlx::query_as(&format!(
            "SELECT {ANSWER_COLUMNS} FROM poll_answers WHERE meeting_id = ?1 \
             ORDER BY answered_at, participant_id, poll_id"
        ))
        .bind(meeting.0.to_string())
        .fetch_all(&self.readers)
        .await
        .map_err(db_err)?;
        poll_rows::records(rows)
    }

    async fn poll_answers_of(
        &self,
        meeting: MeetingId,
        participant: ParticipantId,
    ) -> Result<Vec<PollAnswerRecord>, StoreError> {
        let rows: Vec<AnswerRow> = sqlx::query_as(&format!(
            "SELECT {ANSWER_COLUMNS} FROM poll_answers \
             WHERE meeting_id = ?1 AND participant_id = ?2 ORDER BY poll_id"
        ))
        .bind(meeting.0.to_string())
        .bind(participant.0.to_string())
        .fetch_all(&self.readers)
        .await
        .map_err(db_err)?;
        poll_rows::records(rows)
    }

    async fn moderate_poll_answer(
        &self,
        meeting: MeetingId,
        poll: PollId,
        participant: ParticipantId,
        action: AnswerModeration,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(&format!(
            "UPDATE poll_answers SET {} \
             WHERE meeting_id = ?1 AND poll_id = ?2 AND participant_id = ?3 AND kind = ?4",
            poll_rows::moderation_set(action)
        ))
        .bind(meeting.0.to_string())
        .bind(poll_rows::poll_to_db(poll)?)
        .bind(participant.0.to_string())
        .bind(OPEN_ANSWER)
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() > 0)
    }
}
