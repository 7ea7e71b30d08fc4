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

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::Connection;

use super::codec::{finish, Decision};
use super::{Store, StoreError};

mod access;
mod followup;
mod log;
mod orgs;
mod polls;
mod presence;
mod privacy;
mod settings;
mod votes;

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
