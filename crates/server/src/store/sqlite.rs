//! SQLite store: the embedded default, one database file next to the binary.
//!
//! Why this module exists: a small town runs one borgermode process and nothing else, so
//! `cargo run` must give a durable meeting log without a database server. This is that log,
//! behind the same [`Store`] trait (and the same conformance suite) as the PostgreSQL store.
//!
//! How it keeps the trait's invariants:
//! - **One writer.** All writes go through a pool of exactly one connection, and every
//!   multi-statement write is one transaction opened with `BEGIN IMMEDIATE`, which takes the
//!   database's write lock at once. The meeting's `last_seq` read inside it cannot change
//!   before commit, so seq assignment is race-free and gapless for any number of callers.
//!   Transactions are sqlx [`Transaction`]s started with that statement; an error rolls back
//!   explicitly.
//! - **Writes are not cancelled half way.** Each write transaction runs in a task of its own,
//!   so a caller that stops waiting (its HTTP client went away) cannot drop it between `BEGIN`
//!   and `COMMIT`: it commits or rolls back like any other. (Dropping an sqlx future at the
//!   wrong moment can leave the connection inside a transaction nobody owns; the writer pool
//!   also throws away any connection found in that state rather than reuse it.)
//! - **Acknowledged means durable.** WAL journal with `synchronous=FULL`: the WAL is synced
//!   before `COMMIT` returns, and nothing is returned to the caller before `COMMIT`.
//! - **Readers never wait for the writer.** A small separate pool (`query_only`) serves reads;
//!   WAL lets them read the last committed state while a write is in progress.
//! - **Personal text apart.** `events.kind_json` holds the [`EventKind`] with every
//!   [`Content`](borgermode_domain::Content)'s text removed (its hash kept); the texts sit in
//!   `contents` rows keyed by `(meeting, seq, slot)` where slot is the position in
//!   [`EventKind::contents_mut`]. Reading puts them back; a missing row reads as erased (None).
//!
//! The schema is in `migrations/sqlite/`, embedded into the binary and applied on [`open`].
//!
//! [`open`]: SqliteStore::open

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;

use borgermode_domain::{
    audit, DemographicCount, Event, EventKind, MeetingId, ParticipantId, PostId, Seq,
};
use chrono::{DateTime, SecondsFormat, Utc};
use futures_util::future::BoxFuture;
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
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

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

/// How long a statement waits for a lock held by another process (e.g. a backup) before it
/// fails as unavailable.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a write waits in line for the one writer connection.
const WRITE_QUEUE_TIMEOUT: Duration = Duration::from_secs(30);
/// Reads are served from memory on the hot path; the store sees catch-ups and small lookups.
const READ_CONNECTIONS: u32 = 4;

/// The embedded store. Cheap to clone (both pools are shared handles).
#[derive(Clone, Debug)]
pub struct SqliteStore {
    /// Exactly one connection: the single writer.
    writer: SqlitePool,
    /// Read-only (`query_only`) connections.
    readers: SqlitePool,
}

impl SqliteStore {
    /// Open (or create) the database at `path`, creating its parent directory if missing, and
    /// bring its schema up to date.
    pub async fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(parent).await.map_err(|e| {
                StoreError::Unavailable(format!("cannot create {}: {e}", parent.display()))
            })?;
        }

        // Pragmas every connection needs. `journal_mode` is set by the writer only: WAL is a
        // property of the file, and switching to it takes a lock busy_timeout cannot wait on.
        let common = SqliteConnectOptions::new()
            .filename(path)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            // Deleted rows are overwritten with zeros, so an erased text leaves no bytes
            // behind in the file (erasure, docs/ARCHITECTURE.md).
            .pragma("secure_delete", "ON")
            .busy_timeout(BUSY_TIMEOUT);

        let writer = SqlitePoolOptions::new()
            .min_connections(1)
            .max_connections(1)
            .acquire_timeout(WRITE_QUEUE_TIMEOUT)
            // A connection still inside a transaction here was abandoned mid-write: closing it
            // rolls that transaction back, and the pool opens a fresh one.
            .before_acquire(|conn, _| Box::pin(async move { Ok(!conn.is_in_transaction()) }))
            .connect_with(
                common
                    .clone()
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal),
            )
            .await
            .map_err(db_err)?;

        MIGRATOR.run(&writer).await.map_err(migrate_err)?;

        let readers = SqlitePoolOptions::new()
            .max_connections(READ_CONNECTIONS)
            .connect_with(common.pragma("query_only", "ON"))
            .await
            .map_err(db_err)?;

        Ok(SqliteStore { writer, readers })
    }

    /// The writer connection's `journal_mode` and `synchronous` (0 OFF, 1 NORMAL, 2 FULL,
    /// 3 EXTRA), for tests and diagnostics.
    pub async fn pragmas(&self) -> Result<(String, i64), StoreError> {
        let mut conn = self.writer.acquire().await.map_err(db_err)?;
        let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await
            .map_err(db_err)?;
        let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&mut *conn)
            .await
            .map_err(db_err)?;
        Ok((journal, synchronous))
    }

    /// Close all connections, waiting for running statements to finish.
    pub async fn close(&self) {
        self.readers.close().await;
        self.writer.close().await;
    }

    /// Run one write transaction as a task of its own: `work` gets the open `BEGIN IMMEDIATE`
    /// transaction and decides whether to commit. The task finishes even if the caller stops
    /// waiting.
    async fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(&'t mut SqliteConnection) -> WriteFuture<'t, T> + Send + 'static,
    {
        let writer = self.writer.clone();
        let task = tokio::spawn(async move {
            let mut tx = writer.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
            let result = work(&mut tx).await;
            finish(tx, result, db_err).await
        });
        task.await
            .map_err(|e| StoreError::Unavailable(format!("write task failed: {e}")))?
    }
}

/// The future a write transaction's body returns.
type WriteFuture<'t, T> = BoxFuture<'t, Result<Decision<T>, StoreError>>;

/// The body of [`Store::append`], run inside the `BEGIN IMMEDIATE` transaction.
async fn append_in(
    conn: &mut SqliteConnection,
    meeting: MeetingId,
    expected_seq: Seq,
    events: Vec<PendingEvent>,
    idempotency: Option<IdempotencyRecord>,
) -> Result<Decision<AppendOutcome>, StoreError> {
    let meeting_id = meeting.0.to_string();

    // A retry of a command that already committed gets its first answer, whatever the log
    // looks like now.
    if let Some(idem) = &idempotency {
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
            return Ok(Decision::Rollback(AppendOutcome::Duplicate { response }));
        }
    }

    let row: Option<(i64, Option<String>)> =
        sqlx::query_as("SELECT last_seq, chain_head FROM meetings WHERE id = ?1")
            .bind(&meeting_id)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_err)?;
    let stored = row.as_ref().map(|r| r.0);
    let mut head = chain_start(row.as_ref().and_then(|r| r.1.as_deref()))?;
    let latest = match stored {
        Some(last) => seq_from_db(last)?,
        None => 0,
    };
    if latest != expected_seq {
        return Ok(Decision::Rollback(AppendOutcome::Conflict { latest }));
    }

    let now = timestamp(Utc::now());
    if stored.is_none() && !events.is_empty() {
        sqlx::query("INSERT INTO meetings (id, last_seq, created_at) VALUES (?1, 0, ?2)")
            .bind(&meeting_id)
            .bind(&now)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
    }

    let mut committed = Vec::with_capacity(events.len());
    let mut seq = expected_seq;
    for pending in events {
        seq += 1;
        let db_seq = seq_to_db(seq)?;

        let mut stripped = pending.kind.clone();
        let mut texts = Vec::new();
        for (slot, content) in stripped.contents_mut().into_iter().enumerate() {
            if let Some(text) = content.text.take() {
                let slot = i64::try_from(slot)
                    .map_err(|_| StoreError::Corrupt(format!("content slot {slot} too large")))?;
                texts.push((slot, text));
            }
        }

        let event = Event {
            seq,
            at: pending.at,
            actor: pending.actor,
            kind: pending.kind,
        };
        head = audit::link(&head, &event);
        sqlx::query(
            "INSERT INTO events (meeting_id, seq, at, actor_json, kind_json, link) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .bind(&meeting_id)
        .bind(db_seq)
        .bind(timestamp(event.at))
        .bind(to_json(&event.actor)?)
        .bind(to_json(&stripped)?)
        .bind(hex::encode(head))
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;

        for (slot, text) in texts {
            sqlx::query(
                "INSERT INTO contents (meeting_id, seq, slot, text) VALUES (?1, ?2, ?3, ?4)",
            )
            .bind(&meeting_id)
            .bind(db_seq)
            .bind(slot)
            .bind(text)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
        }

        if let EventKind::QuestionMerged { post, into } = &event.kind {
            move_votes(conn, &meeting_id, *post, *into).await?;
        }
        forget_personal_data(conn, &meeting_id, &event.kind).await?;

        committed.push(event);
    }

    if seq != expected_seq {
        sqlx::query("UPDATE meetings SET last_seq = ?2, chain_head = ?3 WHERE id = ?1")
            .bind(&meeting_id)
            .bind(seq_to_db(seq)?)
            .bind(hex::encode(head))
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
    }

    if let Some(idem) = idempotency {
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

    Ok(Decision::Commit(AppendOutcome::Committed(committed)))
}

/// Erasure and retention: delete the listed content rows, and for retention strip the
/// per-person demographics from `participant_joined` and keep the meeting's counts, all in the
/// transaction that appends the event (nothing half-erased is ever visible).
async fn forget_personal_data(
    conn: &mut SqliteConnection,
    meeting_id: &str,
    kind: &EventKind,
) -> Result<(), StoreError> {
    let Some(effects) = codec::gdpr_effects(kind) else {
        return Ok(());
    };
    for r in effects.contents {
        sqlx::query("DELETE FROM contents WHERE meeting_id = ?1 AND seq = ?2 AND slot = ?3")
            .bind(meeting_id)
            .bind(seq_to_db(r.seq)?)
            .bind(i64::from(r.slot))
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
    }
    if let Some(aggregates) = effects.aggregates {
        for a in aggregates {
            sqlx::query(
                "INSERT INTO demographic_aggregates (meeting_id, dimension, value, count) \
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO UPDATE SET count = excluded.count",
            )
            .bind(meeting_id)
            .bind(&a.dimension)
            .bind(&a.value)
            .bind(i64::from(a.count))
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
        }
        let joins: Vec<(i64, String)> = sqlx::query_as(
            "SELECT seq, kind_json FROM events WHERE meeting_id = ?1 \
             AND kind_json LIKE '{\"type\":\"participant_joined\"%'",
        )
        .bind(meeting_id)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
        for (seq, kind_json) in joins {
            if let Some(stripped) = codec::strip_demographics(&kind_json)? {
                sqlx::query("UPDATE events SET kind_json = ?3 WHERE meeting_id = ?1 AND seq = ?2")
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

/// The body of [`Store::write_votes`], run inside the `BEGIN IMMEDIATE` transaction.
async fn write_votes_in(
    conn: &mut SqliteConnection,
    changes: &[VoteChange],
) -> Result<Decision<Vec<bool>>, StoreError> {
    let mut effective = Vec::with_capacity(changes.len());
    for change in changes {
        let statement = if change.up {
            "INSERT OR IGNORE INTO votes (meeting_id, post_id, participant_id) VALUES (?1, ?2, ?3)"
        } else {
            "DELETE FROM votes WHERE meeting_id = ?1 AND post_id = ?2 AND participant_id = ?3"
        };
        let done = sqlx::query(statement)
            .bind(change.meeting.0.to_string())
            .bind(post_to_db(change.post)?)
            .bind(change.participant.0.to_string())
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
        effective.push(done.rows_affected() > 0);
    }
    Ok(Decision::Commit(effective))
}

#[async_trait]
impl Store for SqliteStore {
    fn kind(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.readers)
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
        let rows: Vec<(i64, String, String, String, Option<i64>, Option<String>)> = sqlx::query_as(
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
        let rows = rows
            .into_iter()
            .map(|(seq, at, actor_json, kind_json, slot, text)| {
                Ok(JoinedRow {
                    seq,
                    at: parse_timestamp(&at)?,
                    actor_json,
                    kind_json,
                    slot,
                    text,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        events_from_rows(rows)
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
        let ids: Vec<String> =
            sqlx::query_scalar("SELECT id FROM meetings ORDER BY created_at, id")
                .fetch_all(&self.readers)
                .await
                .map_err(db_err)?;
        ids.iter()
            .map(|id| parse_uuid(id, "meeting id").map(MeetingId))
            .collect()
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
            "SELECT post_id, COUNT(*) FROM votes WHERE meeting_id = ?1 GROUP BY post_id",
        )
        .bind(meeting.0.to_string())
        .fetch_all(&self.readers)
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
            "SELECT post_id FROM votes WHERE meeting_id = ?1 AND participant_id = ?2 \
             ORDER BY post_id",
        )
        .bind(meeting.0.to_string())
        .bind(participant.0.to_string())
        .fetch_all(&self.readers)
        .await
        .map_err(db_err)?;
        posts.into_iter().map(post_from_db).collect()
    }

    async fn put_session(&self, session: SessionRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, meeting_id, participant_id, created_at) \
             VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (token_hash) DO UPDATE SET meeting_id = excluded.meeting_id, \
             participant_id = excluded.participant_id, created_at = excluded.created_at",
        )
        .bind(session.token_hash)
        .bind(session.meeting.0.to_string())
        .bind(session.participant.0.to_string())
        .bind(timestamp(session.created_at))
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
        let row: Option<(String, String, String)> = sqlx::query_as(
            "SELECT meeting_id, participant_id, created_at FROM sessions WHERE token_hash = ?1",
        )
        .bind(token_hash)
        .fetch_optional(&self.readers)
        .await
        .map_err(db_err)?;
        row.map(|(meeting, participant, created_at)| {
            Ok(SessionRecord {
                token_hash: token_hash.to_owned(),
                meeting: MeetingId(parse_uuid(&meeting, "meeting id")?),
                participant: ParticipantId(parse_uuid(&participant, "participant id")?),
                created_at: parse_timestamp(&created_at)?,
            })
        })
        .transpose()
    }

    async fn delete_sessions(
        &self,
        meeting: MeetingId,
        participant: ParticipantId,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE meeting_id = ?1 AND participant_id = ?2")
            .bind(meeting.0.to_string())
            .bind(participant.0.to_string())
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn put_capability(&self, capability: CapabilityRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO capabilities (secret_hash, meeting_id, participant_id, created_at) \
             VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (secret_hash) DO UPDATE SET meeting_id = excluded.meeting_id, \
             participant_id = excluded.participant_id, created_at = excluded.created_at",
        )
        .bind(capability.secret_hash)
        .bind(capability.meeting.0.to_string())
        .bind(capability.participant.0.to_string())
        .bind(timestamp(capability.created_at))
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn capability(&self, secret_hash: &str) -> Result<Option<CapabilityRecord>, StoreError> {
        let row: Option<(String, String, String)> = sqlx::query_as(
            "SELECT meeting_id, participant_id, created_at FROM capabilities \
             WHERE secret_hash = ?1",
        )
        .bind(secret_hash)
        .fetch_optional(&self.readers)
        .await
        .map_err(db_err)?;
        row.map(|(meeting, participant, created_at)| {
            Ok(CapabilityRecord {
                secret_hash: secret_hash.to_owned(),
                meeting: MeetingId(parse_uuid(&meeting, "meeting id")?),
                participant: ParticipantId(parse_uuid(&participant, "participant id")?),
                created_at: parse_timestamp(&created_at)?,
            })
        })
        .transpose()
    }

    async fn delete_capability(
        &self,
        meeting: MeetingId,
        participant: ParticipantId,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM capabilities WHERE meeting_id = ?1 AND participant_id = ?2")
            .bind(meeting.0.to_string())
            .bind(participant.0.to_string())
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        Ok(())
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
        Ok(Some(ChainLog {
            last_seq,
            head,
            rows: rows
                .into_iter()
                .map(|(seq, at, actor, kind, link)| ChainRow {
                    seq,
                    event: codec::chain_event(seq, parse_timestamp(&at), &actor, &kind),
                    link,
                })
                .collect(),
        }))
    }

    async fn scrub(&self) -> Result<(), StoreError> {
        // Deleted rows were zeroed by secure_delete in the pages they lived in; the WAL still
        // holds older copies of those pages until it is checkpointed and truncated.
        let mut conn = self.writer.acquire().await.map_err(db_err)?;
        let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&mut *conn)
            .await
            .map_err(db_err)?;
        if busy != 0 {
            return Err(StoreError::Unavailable(
                "WAL checkpoint blocked by a reader; retried on the next run".into(),
            ));
        }
        Ok(())
    }

    async fn meetings_due_for_retention(
        &self,
        closed_before: DateTime<Utc>,
    ) -> Result<Vec<MeetingId>, StoreError> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT c.meeting_id FROM events c \
             WHERE c.kind_json = '{\"type\":\"meeting_closed\"}' AND c.at < ?1 \
             AND NOT EXISTS (SELECT 1 FROM events p WHERE p.meeting_id = c.meeting_id \
                 AND p.kind_json LIKE '{\"type\":\"personal_data_pseudonymized\"%') \
             ORDER BY c.at",
        )
        .bind(timestamp(closed_before))
        .fetch_all(&self.readers)
        .await
        .map_err(db_err)?;
        ids.iter()
            .map(|id| parse_uuid(id, "meeting id").map(MeetingId))
            .collect()
    }

    async fn demographic_aggregates(
        &self,
        meeting: MeetingId,
    ) -> Result<Vec<DemographicCount>, StoreError> {
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT dimension, value, count FROM demographic_aggregates WHERE meeting_id = ?1 \
             ORDER BY dimension, value",
        )
        .bind(meeting.0.to_string())
        .fetch_all(&self.readers)
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
        sqlx::query_scalar("SELECT notice FROM meeting_privacy WHERE meeting_id = ?1")
            .bind(meeting.0.to_string())
            .fetch_optional(&self.readers)
            .await
            .map_err(db_err)
    }

    async fn put_privacy_notice(
        &self,
        meeting: MeetingId,
        notice: Option<String>,
    ) -> Result<(), StoreError> {
        let id = meeting.0.to_string();
        match notice {
            Some(text) => sqlx::query(
                "INSERT INTO meeting_privacy (meeting_id, notice) VALUES (?1, ?2) \
                 ON CONFLICT (meeting_id) DO UPDATE SET notice = excluded.notice",
            )
            .bind(id)
            .bind(text),
            None => sqlx::query("DELETE FROM meeting_privacy WHERE meeting_id = ?1").bind(id),
        }
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT value FROM settings WHERE key = ?1")
            .bind(key)
            .fetch_optional(&self.readers)
            .await
            .map_err(db_err)
    }

    async fn put_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&self.writer)
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
             VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (meeting_id, sampled_at, instance_id) DO UPDATE SET viewers = excluded.viewers",
        )
        .bind(meeting.0.to_string())
        .bind(timestamp(at))
        .bind(instance.to_string())
        .bind(i64::from(viewers))
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn presence_samples(
        &self,
        meeting: MeetingId,
    ) -> Result<Vec<borgermode_domain::report::PresenceSample>, StoreError> {
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT sampled_at, instance_id, viewers FROM presence_samples \
             WHERE meeting_id = ?1 ORDER BY sampled_at, instance_id",
        )
        .bind(meeting.0.to_string())
        .fetch_all(&self.readers)
        .await
        .map_err(db_err)?;
        rows.into_iter()
            .map(|(at, instance, viewers)| {
                Ok(borgermode_domain::report::PresenceSample {
                    minute: parse_timestamp(&at)?,
                    instance: uuid::Uuid::parse_str(&instance)
                        .map_err(|e| StoreError::Corrupt(format!("instance id: {e}")))?,
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

/// SQLite result codes (primary, low byte of the extended code) that mean the file is damaged.
const SQLITE_CORRUPT: i64 = 11;
const SQLITE_NOTADB: i64 = 26;

fn db_err(error: sqlx::Error) -> StoreError {
    use sqlx::error::ErrorKind;
    match &error {
        sqlx::Error::Decode(_)
        | sqlx::Error::ColumnDecode { .. }
        | sqlx::Error::ColumnNotFound(_)
        | sqlx::Error::ColumnIndexOutOfBounds { .. }
        | sqlx::Error::TypeNotFound { .. } => StoreError::Corrupt(error.to_string()),
        sqlx::Error::Database(db) => {
            let primary = db
                .code()
                .and_then(|code| code.parse::<i64>().ok())
                .map(|code| code & 0xff);
            let violation = matches!(
                db.kind(),
                ErrorKind::UniqueViolation
                    | ErrorKind::ForeignKeyViolation
                    | ErrorKind::NotNullViolation
                    | ErrorKind::CheckViolation
            );
            if violation || matches!(primary, Some(SQLITE_CORRUPT | SQLITE_NOTADB)) {
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
        // The file was migrated by another build (newer, or with edited migrations) or a
        // migration failed halfway: do not touch it.
        other => StoreError::Corrupt(format!("schema migration: {other}")),
    }
}

/// RFC 3339 in UTC with nine fractional digits: exact, and ordered as text.
fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

fn parse_timestamp(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("timestamp {text:?}: {e}")))
}

fn parse_uuid(text: &str, what: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(text).map_err(|e| StoreError::Corrupt(format!("{what} {text:?}: {e}")))
}
