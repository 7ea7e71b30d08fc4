//! [`LogStore`] on PostgreSQL: the append transaction under the meeting row lock (one statement
//! per table for the whole batch) and the reads of the log and its chain. What the rows are is
//! decided in `store/rows.rs`; the locking is described in `postgres.rs`.

use async_trait::async_trait;
use borgermode_domain::{Event, MeetingId, PostId, Seq};
use chrono::{DateTime, Utc};
use sqlx::postgres::PgConnection;
use uuid::Uuid;

use super::privacy::forget_personal_data;
use super::{db_err, whole_micros, PostgresStore};
use crate::store::codec::{self, events_from_rows, post_to_db, seq_from_db, Decision, JoinedRow};
use crate::store::rows;
use crate::store::{
    AppendOutcome, ChainLog, IdempotencyRecord, LogStore, PendingEvent, StoreError,
};

async fn stored_response(
    conn: &mut PgConnection,
    meeting: Uuid,
    idem: &IdempotencyRecord,
) -> Result<Option<String>, StoreError> {
    sqlx::query_scalar(
        "SELECT response FROM idempotency WHERE meeting_id = $1 AND scope = $2 AND key = $3",
    )
    .bind(meeting)
    .bind(&idem.scope)
    .bind(&idem.key)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)
}

/// The first of `records` whose key was used before, as the answer to give: one statement for
/// the whole group (it may run under the meeting lock, which the other instances wait for).
async fn any_stored(
    conn: &mut PgConnection,
    meeting: Uuid,
    records: &[IdempotencyRecord],
) -> Result<Option<AppendOutcome>, StoreError> {
    if records.is_empty() {
        return Ok(None);
    }
    let (scopes, keys): (Vec<&str>, Vec<&str>) = records
        .iter()
        .map(|r| (r.scope.as_str(), r.key.as_str()))
        .unzip();
    let found: Option<(i64, String)> = sqlx::query_as(
        "SELECT g.ord, i.response \
         FROM UNNEST($2::text[], $3::text[]) WITH ORDINALITY AS g(scope, key, ord) \
         JOIN idempotency i ON i.meeting_id = $1 AND i.scope = g.scope AND i.key = g.key \
         ORDER BY g.ord LIMIT 1",
    )
    .bind(meeting)
    .bind(&scopes)
    .bind(&keys)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    Ok(found.map(|(ord, response)| AppendOutcome::Duplicate {
        response,
        // ORDINALITY counts from 1.
        index: usize::try_from(ord - 1).unwrap_or(0),
    }))
}

/// Lock the meeting row until the transaction ends; its `last_seq`, or None if there is none.
/// Also the meeting's audit chain head, which only changes under this lock.
async fn lock_meeting(
    conn: &mut PgConnection,
    meeting: Uuid,
) -> Result<Option<(i64, Option<String>)>, StoreError> {
    sqlx::query_as("SELECT last_seq, chain_head FROM meetings WHERE id = $1 FOR UPDATE")
        .bind(meeting)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_err)
}

/// The body of [`LogStore::append`], run inside one transaction.
async fn append_in(
    conn: &mut PgConnection,
    meeting: MeetingId,
    expected_seq: Seq,
    events: Vec<PendingEvent>,
    idempotency: Vec<IdempotencyRecord>,
) -> Result<Decision<AppendOutcome>, StoreError> {
    let meeting_id = meeting.0;

    // A retry of a command that already committed gets its first answer, whatever the log
    // looks like now (and without waiting for the meeting lock).
    if let Some(duplicate) = any_stored(conn, meeting_id, &idempotency).await? {
        return Ok(Decision::Rollback(duplicate));
    }

    let mut stored = lock_meeting(conn, meeting_id).await?;
    if stored.is_none() && expected_seq == 0 && !events.is_empty() {
        // Create the meeting. A concurrent creator makes this wait for its commit and do
        // nothing; locking again then sees that creator's row and seq.
        sqlx::query(
            "INSERT INTO meetings (id, last_seq, created_at) VALUES ($1, 0, now()) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(meeting_id)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
        stored = lock_meeting(conn, meeting_id).await?;
    }

    // Under the lock (each statement sees what committed before it started): the same command
    // may have committed on another instance while this one waited.
    if stored.is_some() {
        if let Some(duplicate) = any_stored(conn, meeting_id, &idempotency).await? {
            return Ok(Decision::Rollback(duplicate));
        }
    }

    let head = rows::chain_start(stored.as_ref().and_then(|r| r.1.as_deref()))?;
    if let Some(conflict) = rows::conflict(stored.map(|r| r.0), expected_seq)? {
        return Ok(Decision::Rollback(conflict));
    }
    let prepared = rows::prepare(expected_seq, head, events, whole_micros)?;

    // The batch goes in with one statement per table (arrays unnested), not one per event.
    let mut seqs = Vec::with_capacity(prepared.rows.len());
    let mut ats = Vec::with_capacity(prepared.rows.len());
    let mut actors = Vec::with_capacity(prepared.rows.len());
    let mut kinds = Vec::with_capacity(prepared.rows.len());
    let mut links = Vec::with_capacity(prepared.rows.len());
    let (mut text_seqs, mut text_slots, mut texts) = (Vec::new(), Vec::new(), Vec::new());
    for row in prepared.rows {
        for (slot, text) in row.texts {
            let slot = i32::try_from(slot)
                .map_err(|_| StoreError::Corrupt(format!("content slot {slot} too large")))?;
            text_seqs.push(row.seq);
            text_slots.push(slot);
            texts.push(text);
        }
        seqs.push(row.seq);
        ats.push(row.at);
        actors.push(row.actor_json);
        kinds.push(row.kind_json);
        links.push(row.link);
    }
    let committed = prepared.events;

    if !seqs.is_empty() {
        sqlx::query(
            "INSERT INTO events (meeting_id, seq, at, actor_json, kind_json, link) \
             SELECT $1, * FROM UNNEST($2::bigint[], $3::timestamptz[], $4::text[], $5::text[], \
                                      $6::text[])",
        )
        .bind(meeting_id)
        .bind(&seqs)
        .bind(&ats)
        .bind(&actors)
        .bind(&kinds)
        .bind(&links)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }
    if !texts.is_empty() {
        sqlx::query(
            "INSERT INTO contents (meeting_id, seq, slot, text) \
             SELECT $1, * FROM UNNEST($2::bigint[], $3::int[], $4::text[])",
        )
        .bind(meeting_id)
        .bind(&text_seqs)
        .bind(&text_slots)
        .bind(&texts)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }
    // In log order, so a merge of a question that was itself a merge target moves its votes on.
    for (from, into) in committed.iter().filter_map(|e| rows::merge(&e.kind)) {
        move_votes(conn, meeting_id, from, into).await?;
    }
    for kind in committed.iter().map(|e| &e.kind) {
        forget_personal_data(conn, meeting_id, kind).await?;
    }

    if let Some((last_seq, head)) = prepared.head {
        sqlx::query("UPDATE meetings SET last_seq = $2, chain_head = $3 WHERE id = $1")
            .bind(meeting_id)
            .bind(last_seq)
            .bind(head)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
    }

    if !idempotency.is_empty() {
        let scopes: Vec<&str> = idempotency.iter().map(|r| r.scope.as_str()).collect();
        let keys: Vec<&str> = idempotency.iter().map(|r| r.key.as_str()).collect();
        let responses: Vec<&str> = idempotency.iter().map(|r| r.response.as_str()).collect();
        let recorded: Vec<(String, String)> = sqlx::query_as(
            "INSERT INTO idempotency (meeting_id, scope, key, response, created_at) \
             SELECT $1, scope, key, response, now() \
             FROM UNNEST($2::text[], $3::text[], $4::text[]) AS g(scope, key, response) \
             ON CONFLICT DO NOTHING RETURNING scope, key",
        )
        .bind(meeting_id)
        .bind(&scopes)
        .bind(&keys)
        .bind(&responses)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
        // A record that did not go in: a concurrent append with its key committed first (it
        // made this insert wait for it). Undo everything and give that append's answer.
        let taken = idempotency.iter().position(|r| {
            !recorded
                .iter()
                .any(|(scope, key)| *scope == r.scope && *key == r.key)
        });
        if let Some(index) = taken {
            let idem = &idempotency[index];
            let response = stored_response(conn, meeting_id, idem)
                .await?
                .ok_or_else(|| {
                    StoreError::Unavailable(format!(
                        "idempotency key {:?} taken and released again; retry",
                        idem.key
                    ))
                })?;
            return Ok(Decision::Rollback(AppendOutcome::Duplicate {
                response,
                index,
            }));
        }
    }

    Ok(Decision::Commit(AppendOutcome::Committed(committed)))
}

/// Move the vote rows of a merged question to its target. Someone who voted for both keeps a
/// single vote on the target.
async fn move_votes(
    conn: &mut PgConnection,
    meeting: Uuid,
    from: PostId,
    into: PostId,
) -> Result<(), StoreError> {
    let from = post_to_db(from)?;
    let into = post_to_db(into)?;
    if from == into {
        return Ok(());
    }
    sqlx::query(
        "WITH moved AS ( \
             DELETE FROM votes WHERE meeting_id = $1 AND post_id = $2 \
             RETURNING participant_id) \
         INSERT INTO votes (meeting_id, post_id, participant_id) \
         SELECT $1, $3, participant_id FROM moved \
         ON CONFLICT DO NOTHING",
    )
    .bind(meeting)
    .bind(from)
    .bind(into)
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    Ok(())
}

#[async_trait]
impl LogStore for PostgresStore {
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
        let rows: Vec<(
            i64,
            DateTime<Utc>,
            String,
            String,
            Option<i32>,
            Option<String>,
        )> = sqlx::query_as(
            "SELECT e.seq, e.at, e.actor_json, e.kind_json, c.slot, c.text \
             FROM events e \
             LEFT JOIN contents c ON c.meeting_id = e.meeting_id AND c.seq = e.seq \
             WHERE e.meeting_id = $1 AND e.seq > $2 AND e.seq <= $3 \
             ORDER BY e.seq, c.slot",
        )
        .bind(meeting.0)
        .bind(after)
        .bind(up_to)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        events_from_rows(
            rows.into_iter()
                .map(|(seq, at, actor_json, kind_json, slot, text)| JoinedRow {
                    seq,
                    at,
                    actor_json,
                    kind_json,
                    slot: slot.map(i64::from),
                    text,
                }),
        )
    }

    async fn last_seq(&self, meeting: MeetingId) -> Result<Option<Seq>, StoreError> {
        let last: Option<i64> = sqlx::query_scalar("SELECT last_seq FROM meetings WHERE id = $1")
            .bind(meeting.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        last.map(seq_from_db).transpose()
    }

    async fn meetings(&self) -> Result<Vec<MeetingId>, StoreError> {
        let ids: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM meetings ORDER BY created_no")
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(ids.into_iter().map(MeetingId).collect())
    }

    async fn idempotent_response(
        &self,
        meeting: MeetingId,
        scope: &str,
        key: &str,
    ) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar(
            "SELECT response FROM idempotency WHERE meeting_id = $1 AND scope = $2 AND key = $3",
        )
        .bind(meeting.0)
        .bind(scope)
        .bind(key)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)
    }

    async fn chain(&self, meeting: MeetingId) -> Result<Option<ChainLog>, StoreError> {
        let Some((last_seq, head)): Option<(i64, Option<String>)> =
            sqlx::query_as("SELECT last_seq, chain_head FROM meetings WHERE id = $1")
                .bind(meeting.0)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?
        else {
            return Ok(None);
        };
        let rows: Vec<(i64, DateTime<Utc>, String, String, Option<String>)> = sqlx::query_as(
            "SELECT seq, at, actor_json, kind_json, link FROM events WHERE meeting_id = $1 \
             ORDER BY seq",
        )
        .bind(meeting.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        let rows = rows
            .into_iter()
            .map(|(seq, at, actor, kind, link)| (seq, Ok(at), actor, kind, link));
        Ok(Some(codec::chain_log(last_seq, head, rows)))
    }
}
