//! [`PollStore`] on PostgreSQL: a batch of any size is one upsert (two when someone answered
//! twice within the batch), taking row locks in one order on every instance. Erasure and
//! retention of answers run inside the append's transaction (`privacy.rs`).

use std::collections::HashSet;

use async_trait::async_trait;
use borgermode_domain::{MeetingId, ParticipantId, PollId};
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgArguments, PgConnection};
use sqlx::Postgres;
use uuid::Uuid;

use super::{db_err, whole_micros, PostgresStore};
use crate::store::codec::{Decision, PollAnswerEffect};
use crate::store::poll_rows::{self, AnswerKey, ANSWER_COLUMNS, OPEN_ANSWER};
use crate::store::polls::{AnswerModeration, PollAnswerRecord, PollStore};
use crate::store::StoreError;

type AnswerRow = poll_rows::AnswerRow<Uuid, DateTime<Utc>>;

/// A statement over [`INPUT`] returning the keys of the rows it wrote.
type KeyQuery<'q> = sqlx::query::QueryAs<'q, Postgres, (Uuid, i64, Uuid), PgArguments>;

/// Records as the columns `UNNEST` takes.
#[derive(Default)]
struct Columns {
    meeting: Vec<Uuid>,
    poll: Vec<i64>,
    participant: Vec<Uuid>,
    kind: Vec<&'static str>,
    answer_json: Vec<String>,
    held: Vec<Option<&'static str>>,
    hidden: Vec<bool>,
    answered_at: Vec<DateTime<Utc>>,
}

impl Columns {
    fn of<'r>(records: impl Iterator<Item = &'r PollAnswerRecord>) -> Result<Columns, StoreError> {
        let mut c = Columns::default();
        for record in records {
            let columns = poll_rows::columns(record)?;
            c.meeting.push(record.meeting.0);
            c.poll.push(columns.poll);
            c.participant.push(record.participant.0);
            c.kind.push(columns.kind);
            c.answer_json.push(columns.answer_json);
            c.held.push(columns.held);
            c.hidden.push(columns.hidden);
            c.answered_at.push(whole_micros(record.answered_at)?);
        }
        Ok(c)
    }

    fn bind(self, query: KeyQuery<'_>) -> KeyQuery<'_> {
        query
            .bind(self.meeting)
            .bind(self.poll)
            .bind(self.participant)
            .bind(self.kind)
            .bind(self.answer_json)
            .bind(self.held)
            .bind(self.hidden)
            .bind(self.answered_at)
    }
}

const INPUT: &str = "UNNEST($1::uuid[], $2::bigint[], $3::uuid[], $4::text[], $5::text[], \
                     $6::text[], $7::boolean[], $8::timestamptz[]) \
                     AS i(meeting_id, poll_id, participant_id, kind, answer_json, held, hidden, \
                     answered_at)";

/// The body of [`PollStore::write_poll_answers`], run inside one transaction (see
/// [`poll_rows::BatchPlan`] for why the first record of each row is the only one the
/// database decides).
///
/// The first records go in one upsert whose `WHERE` skips an equal stored answer; it returns
/// the rows it inserted or updated, and `ON CONFLICT DO UPDATE` locks every conflicting row,
/// updated or not, against the latest committed version, so an answer written meanwhile by
/// another instance is compared correctly. The later records' final states are one `UPDATE`
/// of rows this transaction already holds.
async fn write_answers_in(
    conn: &mut PgConnection,
    records: &[PollAnswerRecord],
) -> Result<Decision<Vec<bool>>, StoreError> {
    let plan = poll_rows::plan(records)?;
    let firsts = Columns::of(plan.firsts.iter().map(|&i| &records[i]))?;
    let changed: Vec<(Uuid, i64, Uuid)> = firsts
        .bind(sqlx::query_as(&format!(
            "INSERT INTO poll_answers \
             (meeting_id, poll_id, participant_id, kind, answer_json, held, hidden, answered_at) \
             SELECT * FROM {INPUT} \
             ON CONFLICT (meeting_id, poll_id, participant_id) DO UPDATE SET \
             kind = excluded.kind, answer_json = excluded.answer_json, held = excluded.held, \
             hidden = excluded.hidden, answered_at = excluded.answered_at \
             WHERE poll_answers.answer_json <> excluded.answer_json \
             RETURNING meeting_id, poll_id, participant_id"
        )))
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
    let mut first_changed: HashSet<AnswerKey> = HashSet::with_capacity(changed.len());
    for (meeting, poll, participant) in changed {
        first_changed.insert((
            MeetingId(meeting),
            poll_rows::poll_from_db(poll)?,
            ParticipantId(participant),
        ));
    }

    if !plan.finals.is_empty() {
        let finals = Columns::of(plan.finals.iter().map(|&i| &records[i]))?;
        finals
            .bind(sqlx::query_as(&format!(
                "UPDATE poll_answers p SET kind = i.kind, answer_json = i.answer_json, \
                 held = i.held, hidden = i.hidden, answered_at = i.answered_at \
                 FROM {INPUT} \
                 WHERE p.meeting_id = i.meeting_id AND p.poll_id = i.poll_id \
                 AND p.participant_id = i.participant_id \
                 RETURNING p.meeting_id, p.poll_id, p.participant_id"
            )))
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?;
    }
    Ok(Decision::Commit(plan.changed(records, &first_changed)))
}

/// Erasure and retention of poll answers, in the append's transaction (see
/// [`PollAnswerEffect`]). The rows are locked in key order first, so a concurrent batch of
/// answers (which locks in the same order) waits instead of deadlocking.
pub(super) async fn forget_poll_answers(
    conn: &mut PgConnection,
    meeting_id: Uuid,
    effect: PollAnswerEffect,
) -> Result<(), StoreError> {
    let erased = match effect {
        PollAnswerEffect::Unlink(participant) => Some(participant.0),
        PollAnswerEffect::RekeyAll => None,
    };
    let locked: Vec<Uuid> = sqlx::query_scalar(
        "SELECT participant_id FROM poll_answers \
         WHERE meeting_id = $1 AND ($2::uuid IS NULL OR participant_id = $2) \
         ORDER BY poll_id, participant_id FOR UPDATE",
    )
    .bind(meeting_id)
    .bind(erased)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    if let Some(participant) = erased {
        sqlx::query(
            "DELETE FROM poll_answers WHERE meeting_id = $1 AND participant_id = $2 AND kind = $3",
        )
        .bind(meeting_id)
        .bind(participant)
        .bind(OPEN_ANSWER)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }
    let mut people: Vec<Uuid> = locked;
    people.sort_unstable();
    people.dedup();
    let (old, new): (Vec<Uuid>, Vec<Uuid>) = poll_rows::fresh_ids(people).into_iter().unzip();
    if !old.is_empty() {
        sqlx::query(
            "UPDATE poll_answers p SET participant_id = m.new \
             FROM UNNEST($2::uuid[], $3::uuid[]) AS m(old, new) \
             WHERE p.meeting_id = $1 AND p.participant_id = m.old",
        )
        .bind(meeting_id)
        .bind(&old)
        .bind(&new)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }
    Ok(())
}

#[async_trait]
impl PollStore for PostgresStore {
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
            "SELECT {ANSWER_COLUMNS} FROM poll_answers WHERE meeting_id = $1 \
             ORDER BY answered_at, participant_id, poll_id"
        ))
        .bind(meeting.0)
        .fetch_all(&self.pool)
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
             WHERE meeting_id = $1 AND participant_id = $2 ORDER BY poll_id"
        ))
        .bind(meeting.0)
        .bind(participant.0)
        .fetch_all(&self.pool)
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
             WHERE meeting_id = $1 AND poll_id = $2 AND participant_id = $3 AND kind = $4",
            poll_rows::moderation_set(action)
        ))
        .bind(meeting.0)
        .bind(poll_rows::poll_to_db(poll)?)
        .bind(participant.0)
        .bind(OPEN_ANSWER)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() > 0)
    }
}
