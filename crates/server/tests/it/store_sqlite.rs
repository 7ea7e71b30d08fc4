//! The SQLite store against the shared conformance suite, plus what only SQLite has: a file
//! that survives a restart, its pragmas, text kept apart in its own rows, rollback of a failed
//! or abandoned write.

use crate::common::abandoned_appends;
use crate::common::failed_append;
use crate::common::store_events::{
    assert_name_reads_as_erased, assert_stored_apart, comment, committed, created, organizer,
    personal_text,
};
use crate::store_conformance_tests;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use borgermode_domain::MeetingId;
use borgermode_server::store::sqlite::SqliteStore;
use borgermode_server::store::{LogStore, SettingsStore, Store, StoreError};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::Connection;
use tempfile::TempDir;
use uuid::Uuid;

/// A store on a new database file, in a directory that does not exist yet.
async fn fresh() -> (TempDir, PathBuf, SqliteStore) {
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("data").join("nested").join("borgermode.db");
    let store = SqliteStore::open(&path).await.expect("open");
    (dir, path, store)
}

/// [`fresh`] for the conformance suite.
async fn fresh_dyn() -> (TempDir, Arc<dyn Store>) {
    let (dir, _, store) = fresh().await;
    (dir, Arc::new(store))
}

/// A plain connection to the same file, to look behind the store's back.
async fn raw(path: &Path) -> SqliteConnection {
    SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(path))
        .await
        .expect("raw connection")
}

// ---------------------------------------------------------------------------------------------
// The whole contract (`common/store_conformance.rs`): each check on its own database, and all
// of them on one shared one.

store_conformance_tests!(fresh_dyn);

// ---------------------------------------------------------------------------------------------
// SQLite only

#[tokio::test]
async fn kind_is_sqlite() {
    let (_dir, _, store) = fresh().await;
    assert_eq!(store.kind(), "sqlite");
}

#[tokio::test]
async fn pragmas_are_wal_and_synchronous_full() {
    let (_dir, _, store) = fresh().await;
    let (journal, synchronous) = store.pragmas().await.expect("pragmas");
    assert_eq!(journal.to_lowercase(), "wal");
    assert_eq!(synchronous, 2, "synchronous=FULL");
}

#[tokio::test]
async fn reopening_the_file_keeps_the_log_and_continues_the_seq() {
    let (dir, path, store) = fresh().await;
    let meeting = MeetingId(Uuid::new_v4());
    let first = committed(
        &store,
        meeting,
        0,
        vec![
            organizer(created()),
            organizer(comment("før genstart")),
            organizer(comment("også før")),
        ],
    )
    .await;
    store
        .put_setting("admin_token_hash", "abc")
        .await
        .expect("put");
    store.close().await;
    drop(store);

    let store = SqliteStore::open(&path).await.expect("reopen");
    assert_eq!(store.last_seq(meeting).await.expect("last_seq"), Some(3));
    assert_eq!(store.events(meeting, 0, None).await.expect("events"), first);
    assert_eq!(store.meetings().await.expect("meetings"), vec![meeting]);
    assert_eq!(
        store
            .setting("admin_token_hash")
            .await
            .expect("setting")
            .as_deref(),
        Some("abc")
    );
    let next = committed(&store, meeting, 3, vec![organizer(comment("efter"))]).await;
    assert_eq!(next[0].seq, 4);
    let (journal, synchronous) = store.pragmas().await.expect("pragmas");
    assert_eq!((journal.to_lowercase().as_str(), synchronous), ("wal", 2));
    drop(dir);
}

#[tokio::test]
async fn personal_text_is_stored_apart_and_can_be_erased() {
    let (_dir, path, store) = fresh().await;
    let (meeting, events) = personal_text(&store).await;

    let mut conn = raw(&path).await;
    let payloads: Vec<String> =
        sqlx::query_scalar("SELECT kind_json FROM events WHERE meeting_id = ?1 ORDER BY seq")
            .bind(meeting.0.to_string())
            .fetch_all(&mut conn)
            .await
            .expect("select");
    let texts: Vec<String> =
        sqlx::query_scalar("SELECT text FROM contents WHERE meeting_id = ?1 ORDER BY seq, slot")
            .bind(meeting.0.to_string())
            .fetch_all(&mut conn)
            .await
            .expect("select");
    assert_stored_apart(&payloads, &texts);

    // Erase the display name: the event stays, with its hash, and reads as erased.
    sqlx::query("DELETE FROM contents WHERE meeting_id = ?1 AND seq = 2")
        .bind(meeting.0.to_string())
        .execute(&mut conn)
        .await
        .expect("delete");
    assert_name_reads_as_erased(&store, meeting, &events).await;
    conn.close().await.expect("close");
}

/// An erased citizen's open poll answer leaves no bytes in the database files (db, WAL, shm)
/// once the scrub ran, while another citizen's stays; both the row delete (secure_delete) and
/// the re-keying of their other answers happen in the erasure's transaction.
#[tokio::test]
async fn erased_open_answers_leave_no_bytes_in_the_files() {
    use crate::common::erased_answers::OpenAnswers;
    let (_dir, path, store) = fresh().await;
    let answers = OpenAnswers::write(&store).await;
    let files = |path: &Path| {
        let mut all = Vec::new();
        for suffix in ["", "-wal", "-shm"] {
            if let Ok(bytes) = std::fs::read(format!("{}{suffix}", path.display())) {
                all.extend(bytes);
            }
        }
        all
    };
    answers.assert_written(&files(&path));

    answers.erase(&store).await;
    let bytes = files(&path);
    answers.assert_erased(&store, &bytes).await;
}

#[tokio::test]
async fn a_failed_append_rolls_back_everything() {
    let (_dir, path, store) = fresh().await;
    let meeting = MeetingId(Uuid::new_v4());
    committed(&store, meeting, 0, vec![organizer(created())]).await;

    // Plant a row where the second event of the next batch must go (a bug's footprint).
    let mut conn = raw(&path).await;
    sqlx::query(
        "INSERT INTO events (meeting_id, seq, at, actor_json, kind_json) \
         VALUES (?1, 3, '2024-01-01T00:00:00Z', '{\"type\":\"organizer\"}', \
         '{\"type\":\"meeting_opened\"}')",
    )
    .bind(meeting.0.to_string())
    .execute(&mut conn)
    .await
    .expect("plant");

    // Nothing of the batch is left: no seq 2, no content, no key, last_seq unchanged.
    failed_append::assert_fails_and_leaves_nothing(&store, meeting).await;
    let stored: Vec<i64> =
        sqlx::query_scalar("SELECT seq FROM events WHERE meeting_id = ?1 ORDER BY seq")
            .bind(meeting.0.to_string())
            .fetch_all(&mut conn)
            .await
            .expect("select");
    assert_eq!(stored, vec![1, 3]);
    let contents: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM contents WHERE meeting_id = ?1")
        .bind(meeting.0.to_string())
        .fetch_one(&mut conn)
        .await
        .expect("select");
    assert_eq!(contents, 0);

    // The writer is usable again (not stuck inside a transaction).
    sqlx::query("DELETE FROM events WHERE meeting_id = ?1 AND seq = 3")
        .bind(meeting.0.to_string())
        .execute(&mut conn)
        .await
        .expect("unplant");
    failed_append::assert_retry_commits(&store, meeting).await;
    conn.close().await.expect("close");
}

/// Callers may drop an append half way (the HTTP client went away). Each batch must then be
/// all or nothing, and the writer must not be left inside the abandoned transaction (the
/// marker append after the rounds gets through; `common/abandoned_appends.rs`).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn abandoned_appends_are_all_or_nothing() {
    let (_dir, _, store) = fresh().await;
    abandoned_appends::abandoned_appends_are_all_or_nothing(&store).await;
}

#[tokio::test]
async fn opening_garbage_fails_cleanly() {
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("not-a-database.db");
    std::fs::write(
        &path,
        b"this is not an SQLite file, not even close ..........",
    )
    .expect("write");
    match SqliteStore::open(&path).await {
        Err(StoreError::Corrupt(_) | StoreError::Unavailable(_)) => {}
        Ok(_) => panic!("opened a file that is not a database"),
    }
}

/// Upgrading a database from before organizations: its meetings move into the default
/// organization (schema version 1 made by sqlx's migrator from the first migration alone, as
/// an older binary did).
#[tokio::test]
async fn upgrade_moves_existing_meetings_into_the_default_organization() {
    use borgermode_server::store::orgs::{OrgStore, DEFAULT_ORGANIZATION};

    let dir = TempDir::new().expect("temp dir");
    let old = dir.path().join("migrations-v1");
    std::fs::create_dir_all(&old).expect("dir");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/migrations/sqlite/0001_init.sql"
        ),
        old.join("0001_init.sql"),
    )
    .expect("copy");
    let path = dir.path().join("old.db");
    let meeting = MeetingId(Uuid::new_v4());
    {
        let mut conn = SqliteConnection::connect_with(
            &SqliteConnectOptions::new()
                .filename(&path)
                .create_if_missing(true),
        )
        .await
        .expect("connect");
        sqlx::migrate::Migrator::new(old.as_path())
            .await
            .expect("v1 migrator")
            .run(&mut conn)
            .await
            .expect("v1 schema");
        sqlx::query("INSERT INTO meetings (id, last_seq, created_at) VALUES (?1, 0, ?2)")
            .bind(meeting.0.to_string())
            .bind("2025-01-01T10:00:00.000000000Z")
            .execute(&mut conn)
            .await
            .expect("old meeting");
        conn.close().await.expect("close");
    }

    let store = SqliteStore::open(&path).await.expect("upgrade");
    let mut conn = raw(&path).await;
    let row: Option<String> = sqlx::query_scalar(
        "SELECT organization_id FROM meeting_organizations WHERE meeting_id = ?1",
    )
    .bind(meeting.0.to_string())
    .fetch_optional(&mut conn)
    .await
    .expect("query");
    assert_eq!(
        row.as_deref(),
        Some(DEFAULT_ORGANIZATION.0.to_string().as_str()),
        "the migration assigns it explicitly"
    );
    assert_eq!(
        store.meeting_organization(meeting).await.expect("org"),
        DEFAULT_ORGANIZATION
    );
    assert!(store
        .organization_meetings(DEFAULT_ORGANIZATION)
        .await
        .expect("list")
        .contains(&meeting));
    let _ = conn.close().await;
    store.close().await;
}
