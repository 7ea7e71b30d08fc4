//! PostgreSQL store: the shared log when several borgermode processes serve the same meetings.
//!
//! Why this module exists: a big city or a national broadcast runs several instances behind a
//! load balancer, and they must agree on one gapless log per meeting. This is that log, behind
//! the same [`Store`] trait (and the same conformance suite) as the embedded SQLite store, whose
//! behaviour it mirrors.
//!
//! How it keeps the trait's invariants:
//! - **The meeting row is the lock.** `append` runs in one transaction: idempotency lookup, then
//!   `SELECT last_seq FROM meetings WHERE id = $1 FOR UPDATE`, which every writer of that
//!   meeting (in any process) must pass and which is held until commit. The first append
//!   creates the row with `INSERT ... ON CONFLICT DO NOTHING` and locks it again, so two
//!   creators racing each other serialize too: the loser sees the winner's seq and conflicts.
//!   Under the lock the idempotency key is looked up once more (a retry of the same command on
//!   another instance may just have committed), then `last_seq` is compared with
//!   `expected_seq`. The key's row is inserted with `ON CONFLICT DO NOTHING`: if a concurrent
//!   append recorded the same key first (only possible when no meeting row was locked), the
//!   transaction rolls back and answers `Duplicate` with the stored response.
//! - **Writes are not cancelled half way.** Each write transaction runs in a task of its own,
//!   so a caller that stops waiting (its HTTP client went away) cannot drop it between `BEGIN`
//!   and `COMMIT`: it commits or rolls back like any other.
//! - **A dead database fails fast and the pool heals.** Acquiring a connection gives up after
//!   [`ACQUIRE_TIMEOUT`] ([`StoreError::Unavailable`], HTTP 503). Idle connections are pinged
//!   before use, so connections the server dropped (restart, failover, `pg_terminate_backend`)
//!   are thrown away and replaced without anyone noticing. Every connection carries a
//!   `lock_timeout` (a writer never waits forever on a meeting row) and an
//!   `idle_in_transaction_session_timeout` (a transaction stranded by a dead client frees its
//!   locks).
//! - **Personal text apart.** `events.kind_json` holds the [`EventKind`] with every
//!   [`Content`](borgermode_domain::Content)'s text removed (its hash kept); the texts sit in
//!   `contents` rows keyed by `(meeting, seq, slot)` where slot is the position in
//!   [`EventKind::contents_mut`]. Reading puts them back; a missing row reads as erased (None).
//! - **Timestamps are whole microseconds**, the finest `TIMESTAMPTZ` keeps. Times are truncated
//!   before they are written and the committed events carry the truncated time, so what the
//!   writer is told is exactly what every instance reads back.
//!
//! The schema is in `migrations/postgres/`, embedded into the binary and applied on
//! [`connect`] (sqlx takes an advisory lock, so instances starting together migrate once).
//!
//! [`connect`]: PostgresStore::connect

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;

use borgermode_domain::{
    audit, DemographicCount, Event, EventKind, MeetingId, ParticipantId, PostId, Seq,
};
use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::Connection;
use uuid::Uuid;

use super::codec::{
    self, chain_start, events_from_rows, finish, post_from_db, post_to_db, seq_from_db, seq_to_db,
    to_json, Decision, JoinedRow,
};
use super::{
    AppendOutcome, CapabilityRecord, ChainLog, ChainRow, IdempotencyRecord, PendingEvent,
    SessionRecord, Store, StoreError, VoteChange,
};

mod followup;
mod orgs;

/// How long a scrub waits for transactions older than the erasure to end.
const SCRUB_WAIT: Duration = Duration::from_secs(60);

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

/// How long a call waits for a connection (including opening one) before it fails as
/// unavailable: short, so a dead database turns into a quick 503 instead of a hanging request.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);
/// Connections per instance unless [`PostgresStore::connect_with`] says otherwise. Reads are
/// served from memory on the hot path; the store sees writes, catch-ups and small lookups.
pub const DEFAULT_MAX_CONNECTIONS: u32 = 10;
/// Longest wait for a row lock (a meeting row, a vote row) before the write fails as
/// unavailable. Appends hold a meeting lock for milliseconds.
const LOCK_TIMEOUT: &str = "10s";
/// A transaction left open this long by a vanished client is ended by the server.
const IDLE_IN_TRANSACTION_TIMEOUT: &str = "60s";

/// The shared store. Cheap to clone (the pool is a shared handle).
#[derive(Clone, Debug)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connect to the database at `url` (`postgres://user:password@host:port/database`) with
    /// [`DEFAULT_MAX_CONNECTIONS`], and bring its schema up to date.
    pub async fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        PostgresStore::connect_with(url, DEFAULT_MAX_CONNECTIONS).await
    }

    /// [`connect`](Self::connect) with a pool of at most `max_connections` connections.
    pub async fn connect_with(
        url: &str,
        max_connections: u32,
    ) -> Result<PostgresStore, StoreError> {
        let plain = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Unavailable(format!("bad PostgreSQL URL: {e}")))?
            .application_name("borgermode");
        let options = plain.clone().options([
            ("lock_timeout", LOCK_TIMEOUT),
            (
                "idle_in_transaction_session_timeout",
                IDLE_IN_TRANSACTION_TIMEOUT,
            ),
        ]);

        let pool = match PgPoolOptions::new()
            .max_connections(max_connections.max(1))
            .min_connections(0)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            // Ping idle connections before handing them out (the default, stated because the
            // pool's recovery after a database restart depends on it).
            .test_before_acquire(true)
            .idle_timeout(Some(Duration::from_secs(300)))
            .connect_with(options.clone())
            .await
        {
            Ok(pool) => pool,
            // The pool only says it timed out; one direct attempt tells why (refused, DNS,
            // authentication, ...).
            Err(sqlx::Error::PoolTimedOut) => {
                let reason = match tokio::time::timeout(
                    Duration::from_secs(1),
                    PgConnection::connect_with(&options),
                )
                .await
                {
                    Ok(Err(e)) => e.to_string(),
                    Ok(Ok(conn)) => {
                        let _ = conn.close().await;
                        "connection attempts timed out".to_owned()
                    }
                    Err(_) => "connection attempts timed out".to_owned(),
                };
                return Err(StoreError::Unavailable(format!(
                    "cannot connect to PostgreSQL within {ACQUIRE_TIMEOUT:?}: {reason}"
                )));
            }
            Err(e) => return Err(db_err(e)),
        };

        // On a connection of its own without `lock_timeout`: sqlx holds an advisory lock while
        // it migrates, and an instance starting next to one that is migrating must wait for
        // it, however long the migration takes. (A one-connection pool rather than a bare
        // connection: `Migrator::run` on `&mut PgConnection` makes `connect` a future that
        // cannot be spawned.)
        let migrated = async {
            let migrator = PgPoolOptions::new()
                .max_connections(1)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect_with(plain)
                .await
                .map_err(db_err)?;
            let migrated = MIGRATOR.run(&migrator).await.map_err(migrate_err);
            migrator.close().await;
            migrated
        }
        .await;
        if let Err(error) = migrated {
            pool.close().await;
            return Err(error);
        }
        Ok(PostgresStore { pool })
    }

    /// `lock_timeout` and `idle_in_transaction_session_timeout` as a pooled connection sees
    /// them, for tests and diagnostics.
    pub async fn timeouts(&self) -> Result<(String, String), StoreError> {
        sqlx::query_as(
            "SELECT current_setting('lock_timeout'), \
             current_setting('idle_in_transaction_session_timeout')",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)
    }

    /// Close all connections, waiting for running statements to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Run one write transaction as a task of its own: `work` gets the open transaction and
    /// decides whether to commit. The task finishes even if the caller stops waiting.
    async fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(&'t mut PgConnection) -> WriteFuture<'t, T> + Send + 'static,
    {
        let pool = self.pool.clone();
        let task = tokio::spawn(async move {
            let mut tx = pool.begin().await.map_err(db_err)?;
            let result = work(&mut tx).await;
            finish(tx, result, db_err).await
        });
        task.await
            .map_err(|e| StoreError::Unavailable(format!("write task failed: {e}")))?
    }
}

/// The future a write transaction's body returns.
type WriteFuture<'t, T> = BoxFuture<'t, Result<Decision<T>, StoreError>>;

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

/// Erasure and retention: delete the listed content rows, and for retention strip the
/// per-person demographics from `participant_joined` and keep the meeting's counts, all in the
/// transaction that appends the event (under the meeting row lock).
async fn forget_personal_data(
    conn: &mut PgConnection,
    meeting_id: Uuid,
    kind: &EventKind,
) -> Result<(), StoreError> {
    let Some(effects) = codec::gdpr_effects(kind) else {
        return Ok(());
    };
    let seqs = effects
        .contents
        .iter()
        .map(|r| seq_to_db(r.seq))
        .collect::<Result<Vec<_>, _>>()?;
    let slots: Vec<i32> = effects
        .contents
        .iter()
        .map(|r| i32::try_from(r.slot).unwrap_or(i32::MAX))
        .collect();
    sqlx::query(
        "DELETE FROM contents c USING UNNEST($2::bigint[], $3::int[]) AS r(seq, slot) \
         WHERE c.meeting_id = $1 AND c.seq = r.seq AND c.slot = r.slot",
    )
    .bind(meeting_id)
    .bind(&seqs)
    .bind(&slots)
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    if let Some(aggregates) = effects.aggregates {
        for a in aggregates {
            sqlx::query(
                "INSERT INTO demographic_aggregates (meeting_id, dimension, value, count) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (meeting_id, dimension, value) \
                 DO UPDATE SET count = excluded.count",
            )
            .bind(meeting_id)
            .bind(&a.dimension)
            .bind(&a.value)
            .bind(i32::try_from(a.count).unwrap_or(i32::MAX))
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
        }
        let joins: Vec<(i64, String)> = sqlx::query_as(
            "SELECT seq, kind_json FROM events WHERE meeting_id = $1 \
             AND kind_json LIKE '{\"type\":\"participant_joined\"%'",
        )
        .bind(meeting_id)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
        for (seq, kind_json) in joins {
            if let Some(stripped) = codec::strip_demographics(&kind_json)? {
                sqlx::query("UPDATE events SET kind_json = $3 WHERE meeting_id = $1 AND seq = $2")
                    .bind(meeting_id)
                    .bind(seq)
                    .bind(stripped)
                    .execute(&mut *conn)
                    .await
                    .map_err(db_err)?;
            }
        }
    }
    Ok(())
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

/// The body of [`Store::append`], run inside one transaction.
async fn append_in(
    conn: &mut PgConnection,
    meeting: MeetingId,
    expected_seq: Seq,
    events: Vec<PendingEvent>,
    idempotency: Option<IdempotencyRecord>,
) -> Result<Decision<AppendOutcome>, StoreError> {
    let meeting_id = meeting.0;

    // A retry of a command that already committed gets its first answer, whatever the log
    // looks like now (and without waiting for the meeting lock).
    if let Some(idem) = &idempotency {
        if let Some(response) = stored_response(conn, meeting_id, idem).await? {
            return Ok(Decision::Rollback(AppendOutcome::Duplicate { response }));
        }
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
    if let (Some(idem), Some(_)) = (&idempotency, stored.as_ref()) {
        if let Some(response) = stored_response(conn, meeting_id, idem).await? {
            return Ok(Decision::Rollback(AppendOutcome::Duplicate { response }));
        }
    }

    let mut head = chain_start(stored.as_ref().and_then(|r| r.1.as_deref()))?;
    let latest = match stored {
        Some((last, _)) => seq_from_db(last)?,
        None => 0,
    };
    if latest != expected_seq {
        return Ok(Decision::Rollback(AppendOutcome::Conflict { latest }));
    }

    // The batch goes in with one statement per table (arrays unnested), not one per event.
    let mut committed = Vec::with_capacity(events.len());
    let mut seqs = Vec::with_capacity(events.len());
    let mut ats = Vec::with_capacity(events.len());
    let mut actors = Vec::with_capacity(events.len());
    let mut kinds = Vec::with_capacity(events.len());
    let mut links = Vec::with_capacity(events.len());
    let (mut text_seqs, mut text_slots, mut texts) = (Vec::new(), Vec::new(), Vec::new());
    let mut merges = Vec::new();
    let mut seq = expected_seq;
    for pending in events {
        seq += 1;
        let db_seq = seq_to_db(seq)?;
        let at = whole_micros(pending.at)?;

        let mut stripped = pending.kind.clone();
        for (slot, content) in stripped.contents_mut().into_iter().enumerate() {
            if let Some(text) = content.text.take() {
                let slot = i32::try_from(slot)
                    .map_err(|_| StoreError::Corrupt(format!("content slot {slot} too large")))?;
                text_seqs.push(db_seq);
                text_slots.push(slot);
                texts.push(text);
            }
        }
        if let EventKind::QuestionMerged { post, into } = &pending.kind {
            merges.push((*post, *into));
        }

        let event = Event {
            seq,
            at,
            actor: pending.actor,
            kind: pending.kind,
        };
        head = audit::link(&head, &event);
        seqs.push(db_seq);
        ats.push(at);
        actors.push(to_json(&event.actor)?);
        kinds.push(to_json(&stripped)?);
        links.push(hex::encode(head));
        committed.push(event);
    }

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
    for (from, into) in merges {
        move_votes(conn, meeting_id, from, into).await?;
    }
    for kind in committed.iter().map(|e| &e.kind) {
        forget_personal_data(conn, meeting_id, kind).await?;
    }

    if seq != expected_seq {
        sqlx::query("UPDATE meetings SET last_seq = $2, chain_head = $3 WHERE id = $1")
            .bind(meeting_id)
            .bind(seq_to_db(seq)?)
            .bind(hex::encode(head))
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
    }

    if let Some(idem) = idempotency {
        let recorded = sqlx::query(
            "INSERT INTO idempotency (meeting_id, scope, key, response, created_at) \
             VALUES ($1, $2, $3, $4, now()) ON CONFLICT DO NOTHING",
        )
        .bind(meeting_id)
        .bind(&idem.scope)
        .bind(&idem.key)
        .bind(&idem.response)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
        if recorded.rows_affected() == 0 {
            // A concurrent append with the same key committed first (it made this insert wait
            // for it): undo everything and give its answer.
            let response = stored_response(conn, meeting_id, &idem)
                .await?
                .ok_or_else(|| {
                    StoreError::Unavailable(format!(
                        "idempotency key {:?} taken and released again; retry",
                        idem.key
                    ))
                })?;
            return Ok(Decision::Rollback(AppendOutcome::Duplicate { response }));
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

/// The vote row a change is about.
type VoteKey = (Uuid, i64, Uuid);

/// The body of [`Store::write_votes`], run inside one transaction, in two statements whatever
/// the batch size.
///
/// Within a batch, a change after an earlier change of the same vote changed something exactly
/// when it differs from that earlier change; only the first change of each vote depends on
/// the database. So each vote is written once, in its final state (ups inserted with
/// `ON CONFLICT DO NOTHING`, downs deleted), and the rows those statements report (inserted:
/// was absent; deleted: was present) give each vote's state before the batch.
async fn write_votes_in(
    conn: &mut PgConnection,
    changes: &[VoteChange],
) -> Result<Decision<Vec<bool>>, StoreError> {
    let mut last: HashMap<VoteKey, bool> = HashMap::new();
    let mut keys = Vec::with_capacity(changes.len());
    for change in changes {
        let key = (
            change.meeting.0,
            post_to_db(change.post)?,
            change.participant.0,
        );
        keys.push(key);
        last.insert(key, change.up);
    }
    // Sorted, so two instances writing overlapping batches take row locks in the same order.
    let mut finals: Vec<(VoteKey, bool)> = last.into_iter().collect();
    finals.sort_unstable();

    type Columns = (Vec<Uuid>, Vec<i64>, Vec<Uuid>);
    let (mut ups, mut downs): (Columns, Columns) = Default::default();
    for ((meeting, post, participant), up) in &finals {
        let columns = if *up { &mut ups } else { &mut downs };
        columns.0.push(*meeting);
        columns.1.push(*post);
        columns.2.push(*participant);
    }

    let mut inserted: Vec<VoteKey> = Vec::new();
    if !ups.0.is_empty() {
        inserted = sqlx::query_as(
            "INSERT INTO votes (meeting_id, post_id, participant_id) \
             SELECT * FROM UNNEST($1::uuid[], $2::bigint[], $3::uuid[]) \
             ON CONFLICT DO NOTHING \
             RETURNING meeting_id, post_id, participant_id",
        )
        .bind(&ups.0)
        .bind(&ups.1)
        .bind(&ups.2)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
    }
    let mut deleted: Vec<VoteKey> = Vec::new();
    if !downs.0.is_empty() {
        deleted = sqlx::query_as(
            "DELETE FROM votes \
             WHERE (meeting_id, post_id, participant_id) IN \
                   (SELECT * FROM UNNEST($1::uuid[], $2::bigint[], $3::uuid[])) \
             RETURNING meeting_id, post_id, participant_id",
        )
        .bind(&downs.0)
        .bind(&downs.1)
        .bind(&downs.2)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
    }

    // Whether each vote was set before the batch: an up that inserted nothing was there
    // already, a down that deleted nothing was not.
    let mut state: HashMap<VoteKey, bool> = finals.into_iter().collect();
    for key in inserted {
        state.insert(key, false);
    }
    for key in deleted {
        state.insert(key, true);
    }

    let mut effective = Vec::with_capacity(changes.len());
    for (change, key) in changes.iter().zip(keys) {
        let set = state.get_mut(&key).ok_or_else(|| {
            StoreError::Corrupt(format!("vote {key:?} missing from its own batch"))
        })?;
        effective.push(*set != change.up);
        *set = change.up;
    }
    Ok(Decision::Commit(effective))
}

#[async_trait]
impl Store for PostgresStore {
    fn kind(&self) -> &'static str {
        "postgres"
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn append(
        &self,
        meeting: MeetingId,
        expected_seq: Seq,
        events: Vec<PendingEvent>,
        idempotency: Option<IdempotencyRecord>,
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
        // Seqs beyond i64 cannot be stored, so clamping the bounds changes no answer.
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let up_to = up_to.map_or(i64::MAX, |u| i64::try_from(u).unwrap_or(i64::MAX));
        if up_to <= after {
            return Ok(Vec::new());
        }
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

    async fn write_votes(&self, changes: &[VoteChange]) -> Result<Vec<bool>, StoreError> {
        if changes.is_empty() {
            return Ok(Vec::new());
        }
        let changes = changes.to_vec();
        self.write(move |conn| Box::pin(async move { write_votes_in(conn, &changes).await }))
            .await
    }

    async fn vote_counts(&self, meeting: MeetingId) -> Result<HashMap<PostId, u32>, StoreError> {
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT post_id, COUNT(*) FROM votes WHERE meeting_id = $1 GROUP BY post_id",
        )
        .bind(meeting.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.into_iter()
            .map(|(post, count)| {
                let count = u32::try_from(count)
                    .map_err(|_| StoreError::Corrupt(format!("vote count {count}")))?;
                Ok((post_from_db(post)?, count))
            })
            .collect()
    }

    async fn votes_of(
        &self,
        meeting: MeetingId,
        participant: ParticipantId,
    ) -> Result<Vec<PostId>, StoreError> {
        let posts: Vec<i64> = sqlx::query_scalar(
            "SELECT post_id FROM votes WHERE meeting_id = $1 AND participant_id = $2 \
             ORDER BY post_id",
        )
        .bind(meeting.0)
        .bind(participant.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        posts.into_iter().map(post_from_db).collect()
    }

    async fn put_session(&self, session: SessionRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, meeting_id, participant_id, created_at) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (token_hash) DO UPDATE SET meeting_id = excluded.meeting_id, \
             participant_id = excluded.participant_id, created_at = excluded.created_at",
        )
        .bind(session.token_hash)
        .bind(session.meeting.0)
        .bind(session.participant.0)
        .bind(whole_micros(session.created_at)?)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
        let row: Option<(Uuid, Uuid, DateTime<Utc>)> = sqlx::query_as(
            "SELECT meeting_id, participant_id, created_at FROM sessions WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(row.map(|(meeting, participant, created_at)| SessionRecord {
            token_hash: token_hash.to_owned(),
            meeting: MeetingId(meeting),
            participant: ParticipantId(participant),
            created_at,
        }))
    }

    async fn delete_sessions(
        &self,
        meeting: MeetingId,
        participant: ParticipantId,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE meeting_id = $1 AND participant_id = $2")
            .bind(meeting.0)
            .bind(participant.0)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn put_capability(&self, capability: CapabilityRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO capabilities (secret_hash, meeting_id, participant_id, created_at) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (secret_hash) DO UPDATE SET meeting_id = excluded.meeting_id, \
             participant_id = excluded.participant_id, created_at = excluded.created_at",
        )
        .bind(capability.secret_hash)
        .bind(capability.meeting.0)
        .bind(capability.participant.0)
        .bind(whole_micros(capability.created_at)?)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn capability(&self, secret_hash: &str) -> Result<Option<CapabilityRecord>, StoreError> {
        let row: Option<(Uuid, Uuid, DateTime<Utc>)> = sqlx::query_as(
            "SELECT meeting_id, participant_id, created_at FROM capabilities \
             WHERE secret_hash = $1",
        )
        .bind(secret_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(
            row.map(|(meeting, participant, created_at)| CapabilityRecord {
                secret_hash: secret_hash.to_owned(),
                meeting: MeetingId(meeting),
                participant: ParticipantId(participant),
                created_at,
            }),
        )
    }

    async fn delete_capability(
        &self,
        meeting: MeetingId,
        participant: ParticipantId,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM capabilities WHERE meeting_id = $1 AND participant_id = $2")
            .bind(meeting.0)
            .bind(participant.0)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
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
        Ok(Some(ChainLog {
            last_seq,
            head,
            rows: rows
                .into_iter()
                .map(|(seq, at, actor, kind, link)| ChainRow {
                    seq,
                    event: codec::chain_event(seq, Ok(at), &actor, &kind),
                    link,
                })
                .collect(),
        }))
    }

    async fn scrub(&self) -> Result<(), StoreError> {
        // A DELETE (or UPDATE) only marks the old tuple dead; plain VACUUM marks its space
        // reusable but leaves the bytes in the page until something happens to overwrite them.
        // VACUUM FULL writes each table (and its TOAST table and indexes) into new files and
        // unlinks the old ones, so the erased bytes are no longer in any relation file. It
        // takes an ACCESS EXCLUSIVE lock for the rewrite: appends wait for it.
        //
        // VACUUM FULL still copies a deleted row that some open snapshot may see (it is only
        // "recently dead"), so first wait until every transaction that started before the
        // erasure committed has ended: a snapshot whose xmin is older than a fresh xid taken
        // now. On the whole server, not only this database: PostgreSQL may hold the horizon
        // back for other databases' snapshots too (seen with parallel CREATE DATABASE).
        let horizon: i64 = sqlx::query_scalar("SELECT txid_current()")
            .fetch_one(&self.pool)
            .await
            .map_err(db_err)?;
        let deadline = tokio::time::Instant::now() + SCRUB_WAIT;
        loop {
            let older: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM pg_stat_activity \
                 WHERE pid <> pg_backend_pid() AND backend_xmin IS NOT NULL \
                 AND age(backend_xmin) > age((($1::bigint) % 4294967296)::text::xid)",
            )
            .bind(horizon)
            .fetch_one(&self.pool)
            .await
            .map_err(db_err)?;
            if older == 0 {
                break;
            }
            if tokio::time::Instant::now() > deadline {
                tracing::warn!(
                    transactions = older,
                    "scrub: old transactions still open; erased rows they can see stay until the next scrub"
                );
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // `notify_addresses`: the e-mail address an erased citizen left for answer notices
        // (deleted by the erasure route before the erasure commits).
        for table in ["contents", "idempotency", "events", "notify_addresses"] {
            sqlx::query(&format!("VACUUM FULL {table}"))
                .execute(&self.pool)
                .await
                .map_err(db_err)?;
        }
        Ok(())
    }

    async fn meetings_due_for_retention(
        &self,
        closed_before: DateTime<Utc>,
    ) -> Result<Vec<MeetingId>, StoreError> {
        let ids: Vec<Uuid> = sqlx::query_scalar(
            "SELECT c.meeting_id FROM events c \
             WHERE c.kind_json = '{\"type\":\"meeting_closed\"}' AND c.at < $1 \
             AND NOT EXISTS (SELECT 1 FROM events p WHERE p.meeting_id = c.meeting_id \
                 AND p.kind_json LIKE '{\"type\":\"personal_data_pseudonymized\"%') \
             ORDER BY c.at",
        )
        .bind(closed_before)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(ids.into_iter().map(MeetingId).collect())
    }

    async fn demographic_aggregates(
        &self,
        meeting: MeetingId,
    ) -> Result<Vec<DemographicCount>, StoreError> {
        let rows: Vec<(String, String, i32)> = sqlx::query_as(
            "SELECT dimension, value, count FROM demographic_aggregates WHERE meeting_id = $1 \
             ORDER BY dimension, value",
        )
        .bind(meeting.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.into_iter()
            .map(|(dimension, value, count)| {
                Ok(DemographicCount {
                    dimension,
                    value,
                    count: u32::try_from(count)
                        .map_err(|_| StoreError::Corrupt(format!("aggregate count {count}")))?,
                })
            })
            .collect()
    }

    async fn privacy_notice(&self, meeting: MeetingId) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT notice FROM meeting_privacy WHERE meeting_id = $1")
            .bind(meeting.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)
    }

    async fn put_privacy_notice(
        &self,
        meeting: MeetingId,
        notice: Option<String>,
    ) -> Result<(), StoreError> {
        match notice {
            Some(text) => sqlx::query(
                "INSERT INTO meeting_privacy (meeting_id, notice) VALUES ($1, $2) \
                 ON CONFLICT (meeting_id) DO UPDATE SET notice = excluded.notice",
            )
            .bind(meeting.0)
            .bind(text),
            None => {
                sqlx::query("DELETE FROM meeting_privacy WHERE meeting_id = $1").bind(meeting.0)
            }
        }
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)
    }

    async fn put_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn record_presence(
        &self,
        meeting: MeetingId,
        at: DateTime<Utc>,
        instance: uuid::Uuid,
        viewers: u32,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO presence_samples (meeting_id, sampled_at, instance_id, viewers) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (meeting_id, sampled_at, instance_id) DO UPDATE SET viewers = excluded.viewers",
        )
        .bind(meeting.0)
        .bind(at)
        .bind(instance)
        .bind(i32::try_from(viewers).unwrap_or(i32::MAX))
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn presence_samples(
        &self,
        meeting: MeetingId,
    ) -> Result<Vec<borgermode_domain::report::PresenceSample>, StoreError> {
        let rows: Vec<(DateTime<Utc>, uuid::Uuid, i32)> = sqlx::query_as(
            "SELECT sampled_at, instance_id, viewers FROM presence_samples \
             WHERE meeting_id = $1 ORDER BY sampled_at, instance_id",
        )
        .bind(meeting.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.into_iter()
            .map(|(at, instance, viewers)| {
                Ok(borgermode_domain::report::PresenceSample {
                    minute: at,
                    instance,
                    viewers: u32::try_from(viewers)
                        .map_err(|_| StoreError::Corrupt(format!("viewers {viewers}")))?,
                })
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Conversions between domain values and columns. Anything stored that does not convert back is
// reported as corrupt, never unwrapped.

/// Errors that retrying cannot fix are `Corrupt` (a bug, a manual edit, a schema that is not
/// ours); everything else (connection lost, pool timeout, server shutting down, lock timeout,
/// deadlock, too many connections, ...) is `Unavailable`, which the server answers with 503.
fn db_err(error: sqlx::Error) -> StoreError {
    match &error {
        sqlx::Error::Decode(_)
        | sqlx::Error::ColumnDecode { .. }
        | sqlx::Error::ColumnNotFound(_)
        | sqlx::Error::ColumnIndexOutOfBounds { .. }
        | sqlx::Error::TypeNotFound { .. } => StoreError::Corrupt(error.to_string()),
        sqlx::Error::Database(db) => {
            let code = db.code();
            let code = code.as_deref().unwrap_or("");
            // 22: data exception, 23: integrity constraint violation, 42: syntax error or
            // access rule violation (e.g. a missing table), XX001/XX002: data corrupted.
            let corrupt = code.starts_with("22")
                || code.starts_with("23")
                || code.starts_with("42")
                || code == "XX001"
                || code == "XX002";
            if corrupt {
                StoreError::Corrupt(error.to_string())
            } else {
                StoreError::Unavailable(error.to_string())
            }
        }
        _ => StoreError::Unavailable(error.to_string()),
    }
}

fn migrate_err(error: MigrateError) -> StoreError {
    match error {
        MigrateError::Execute(e) | MigrateError::ExecuteMigration(e, _) => db_err(e),
        // The database was migrated by another build (newer, or with edited migrations) or a
        // migration failed halfway: do not touch it.
        other => StoreError::Corrupt(format!("schema migration: {other}")),
    }
}

/// `at` truncated to whole microseconds (towards the past), the finest `TIMESTAMPTZ` keeps.
fn whole_micros(at: DateTime<Utc>) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_micros(at.timestamp_micros())
        .ok_or_else(|| StoreError::Corrupt(format!("timestamp {at} out of range")))
}
