//! [`LogStore`] on SQLite: the append transaction (under `BEGIN IMMEDIATE`, one statement per
//! row) and the reads of the log and its chain. What the rows are is decided in `store/rows.rs`.

use async_trait::async_trait;
use borgermode_domain::{Event, MeetingId, PostId, Seq};
use chrono::Utc;
use sqlx::sqlite::SqliteConnection;

use super::privacy::forget_personal_data;
use super::text::{parse_timestamp, timestamp, TextId, TextTime};
use super::{db_err, SqliteStore};
use crate::store::codec::{self, events_from_rows, post_to_db, seq_from_db, Decision, JoinedRow};
use crate::store::rows::{self, EventRow};
use crate::store::{
    AppendOutcome, ChainLog, IdempotencyRecord, LogStore, PendingEvent, StoreError,
};

/// The body of [`LogStore::append`], run inside the `BEGIN IMMEDIATE` transaction.
async fn append_in(
    conn: &mut SqliteConnection,
    meeting: MeetingId,
    expected_seq: Seq,
    events: Vec<PendingEvent>,
    idempotency: Vec<IdempotencyRecord>,
) -> Result<Decision<AppendOutcome>, StoreError> {
    let meeting_id = meeting.0.to_string();

    // A retry of a command that already committed gets its first answer, whatever the log
    // looks like now.
    for (index, idem) in idempotency.iter().enumerate() {
        let prior: Option<String> = sqlx::query_scalar(
            "SELECT response FROM idempotency WHERE meeting_id = ?1 AND scope = ?2 AND key = ?3",
        )
        .bind(&meeting_id)
        .bind(&idem.scope)
        .bind(&idem.key)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_err)?;
        if let Some(response) = prior {
            return Ok(Decision::Rollback(AppendOutcome::Duplicate {
                response,
                index,
            }));
        }
    }

    let row: Option<(i64, Option<String>)> =
        sqlx::query_as("SELECT last_seq, chain_head FROM meetings WHERE id = ?1")
            .bind(&meeting_id)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_err)?;
    let (stored, head) = row.unzip();
    let head = rows::chain_start(head.flatten().as_deref())?;
    if let Some(conflict) = rows::conflict(stored, expected_seq)? {
        return Ok(Decision::Rollback(conflict));
    }
    let prepared = rows::prepare(expected_seq, head, events, Ok)?;

    let now = timestamp(Utc::now());
    if stored.is_none() && !prepared.rows.is_empty() {
        sqlx::query("INSERT INTO meetings (id, last_seq, created_at) VALUES (?1, 0, ?2)")
            .bind(&meeting_id)
            .bind(&now)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
    }

    for (row, event) in prepared.rows.into_iter().zip(&prepared.events) {
        insert_event(conn, &meeting_id, row).await?;
        if let Some((from, into)) = rows::merge(&event.kind) {
            move_votes(conn, &meeting_id, from, into).await?;
        }
        forget_personal_data(conn, &meeting_id, &event.kind).await?;
    }

    if let Some((last_seq, head)) = prepared.head {
        sqlx::query("UPDATE meetings SET last_seq = ?2, chain_head = ?3 WHERE id = ?1")
            .bind(&meeting_id)
            .bind(last_seq)
            .bind(head)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
    }

    for idem in idempotency {
        sqlx::query(
            "INSERT INTO idempotency (meeting_id, scope, key, response, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(&meeting_id)
        .bind(idem.scope)
        .bind(idem.key)
        .bind(idem.response)
        .bind(&now)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }

    Ok(Decision::Commit(AppendOutcome::Committed(prepared.events)))
}

/// One event's row and its content rows.
async fn insert_event(
    conn: &mut SqliteConnection,
    meeting_id: &str,
    row: EventRow,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO events (meeting_id, seq, at, actor_json, kind_json, link) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .bind(meeting_id)
    .bind(row.seq)
    .bind(timestamp(row.at))
    .bind(row.actor_json)
    .bind(row.kind_json)
    .bind(row.link)
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    for (slot, text) in row.texts {
        sqlx::query("INSERT INTO contents (meeting_id, seq, slot, text) VALUES (?1, ?2, ?3, ?4)")
            .bind(meeting_id)
            .bind(row.seq)
            .bind(slot)
            .bind(text)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
    }
    Ok(())
}

/// Move the vote rows of a merged question to its target. Someone who voted for both keeps a
/// single vote on the target.
async fn move_votes(
    conn: &mut SqliteConnection,
    meeting_id: &str,
    from: PostId,
    into: PostId,
) -> Result<(), StoreError> {
    let from = post_to_db(from)?;
    let into = post_to_db(into)?;
    if from == into {
        return Ok(());
    }
    sqlx::query(
        "INSERT OR IGNORE INTO votes (meeting_id, post_id, participant_id) \
         SELECT meeting_id, ?3, participant_id FROM votes WHERE meeting_id = ?1 AND post_id = ?2",
    )
    .bind(meeting_id)
    .bind(from)
    .bind(into)
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    sqlx::query("DELETE FROM votes WHERE meeting_id = ?1 AND post_id = ?2")
        .bind(meeting_id)
        .bind(from)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

#[async_trait]
impl LogStore for SqliteStore {
    async fn append_group(
        &self,
        meeting: MeetingId,
        expected_seq: Seq,
        events: Vec<PendingEvent>,
        idempotency: Vec<IdempotencyRecord>,
    ) -> Result<AppendOutcome, StoreError> {
        self.write(move |conn| {
            Box::pin(append_in(conn, meeting, expected_seq, events, idempotency))
        })
        .await
    }

    async fn events(
        &self,
        meeting: MeetingId,
        after: Seq,
        up_to: Option<Seq>,
    ) -> Result<Vec<Event>, StoreError> {
        let Some((after, up_to)) = codec::seq_range(after, up_to) else {
            return Ok(Vec::new());
        };
        // One statement, so events and their texts come from one snapshot.
        let rows: Vec<(i64, TextTime, String, String, Option<i64>, Option<String>)> =
            sqlx::query_as(
                "SELECT e.seq, e.at, e.actor_json, e.kind_json, c.slot, c.text \
             FROM events e \
             LEFT JOIN contents c ON c.meeting_id = e.meeting_id AND c.seq = e.seq \
             WHERE e.meeting_id = ?1 AND e.seq > ?2 AND e.seq <= ?3 \
             ORDER BY e.seq, c.slot",
            )
            .bind(meeting.0.to_string())
            .bind(after)
            .bind(up_to)
            .fetch_all(&self.readers)
            .await
            .map_err(db_err)?;
        events_from_rows(
            rows.into_iter()
                .map(|(seq, at, actor_json, kind_json, slot, text)| JoinedRow {
                    seq,
                    at: at.0,
                    actor_json,
                    kind_json,
                    slot,
                    text,
                }),
        )
    }

    async fn last_seq(&self, meeting: MeetingId) -> Result<Option<Seq>, StoreError> {
        let last: Option<i64> = sqlx::query_scalar("SELECT last_seq FROM meetings WHERE id = ?1")
            .bind(meeting.0.to_string())
            .fetch_optional(&self.readers)
            .await
            .map_err(db_err)?;
        last.map(seq_from_db).transpose()
    }

    async fn meetings(&self) -> Result<Vec<MeetingId>, StoreError> {
        let ids: Vec<TextId> =
            sqlx::query_scalar("SELECT id FROM meetings ORDER BY created_at, id")
                .fetch_all(&self.readers)
                .await
                .map_err(db_err)?;
        Ok(ids.into_iter().map(|id| MeetingId(id.0)).collect())
    }

    async fn idempotent_response(
        &self,
        meeting: MeetingId,
        scope: &str,
        key: &str,
    ) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar(
            "SELECT response FROM idempotency WHERE meeting_id = ?1 AND scope = ?2 AND key = ?3",
        )
        .bind(meeting.0.to_string())
        .bind(scope)
        .bind(key)
        .fetch_optional(&self.readers)
        .await
        .map_err(db_err)
    }

    async fn chain(&self, meeting: MeetingId) -> Result<Option<ChainLog>, StoreError> {
        let id = meeting.0.to_string();
        let Some((last_seq, head)): Option<(i64, Option<String>)> =
            sqlx::query_as("SELECT last_seq, chain_head FROM meetings WHERE id = ?1")
                .bind(&id)
                .fetch_optional(&self.readers)
                .await
                .map_err(db_err)?
        else {
            return Ok(None);
        };
        let rows: Vec<(i64, String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT seq, at, actor_json, kind_json, link FROM events WHERE meeting_id = ?1 \
             ORDER BY seq",
        )
        .bind(&id)
        .fetch_all(&self.readers)
        .await
        .map_err(db_err)?;
        let rows = rows
            .into_iter()
            .map(|(seq, at, actor, kind, link)| (seq, parse_timestamp(&at), actor, kind, link));
        Ok(Some(codec::chain_log(last_seq, head, rows)))
    }
}
