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

use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;

use futures_util::future::BoxFuture;
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
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
mod text;
mod votes;

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
