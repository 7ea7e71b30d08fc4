//! The PostgreSQL store against the shared conformance suite, plus what only PostgreSQL has:
//! several server processes (here: several stores, each with its own pool) writing one meeting,
//! a database that drops connections or goes away and comes back, text kept apart in its own
//! rows, rollback of a failed or abandoned write, microsecond timestamps.
//!
//! Every test works in a database of its own (`crate::common::pg::TestDb`), dropped at the end. The
//! server is `BORGERMODE_TEST_PG` (default `postgres://postgres@127.0.0.1:5432`).

use crate::store_conformance_tests;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::abandoned_appends;
use crate::common::failed_append;
use crate::common::pg::TestDb;
use crate::common::store_events::{
    assert_name_reads_as_erased, assert_stored_apart, comment, committed, created, organizer,
    personal_text, question,
};
use borgermode_domain::event::Actor;
use borgermode_domain::{Event, EventKind, MeetingId, ParticipantId, PollId, PostId, Seq};
use borgermode_server::store::postgres::PostgresStore;
use borgermode_server::store::{
    AccessStore, AppendOutcome, IdempotencyRecord, LogStore, PendingEvent, PollStore,
    SessionRecord, Store, StoreError, VoteChange, VoteStore,
};
use chrono::{DateTime, Utc};
use rand::Rng;
use sqlx::postgres::PgConnection;
use sqlx::Connection;
use tokio::sync::Barrier;
use uuid::Uuid;

/// A fresh database and a store on it.
async fn fresh() -> (TestDb, PostgresStore) {
    let db = TestDb::fresh().await;
    let store = PostgresStore::connect(&db.url).await.expect("connect");
    (db, store)
}

/// `n` stores on one database, each with its own pool: like `n` server processes.
async fn instances(db: &TestDb, n: usize, connections: u32) -> Vec<Arc<PostgresStore>> {
    let mut stores = Vec::new();
    for _ in 0..n {
        stores.push(Arc::new(
            PostgresStore::connect_with(&db.url, connections)
                .await
                .expect("connect"),
        ));
    }
    stores
}

/// A plain connection to the same database, to look behind the store's back.
async fn raw(db: &TestDb) -> PgConnection {
    PgConnection::connect(&db.url)
        .await
        .expect("raw connection")
}

/// End every other connection to the database (as a restart or failover would).
async fn terminate_backends(db: &TestDb) -> usize {
    let mut conn = raw(db).await;
    let ended: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .fetch_all(&mut conn)
    .await
    .expect("terminate");
    let _ = conn.close().await;
    ended.into_iter().filter(|e| *e).count()
}

fn micros(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.timestamp_micros()).expect("in range")
}

fn body_of(event: &Event) -> Option<String> {
    match &event.kind {
        EventKind::PostCreated { body, .. } => body.text.clone(),
        _ => None,
    }
}

fn key(scope: &str, key: &str, response: &str) -> Option<IdempotencyRecord> {
    Some(IdempotencyRecord {
        scope: scope.to_owned(),
        key: key.to_owned(),
        response: response.to_owned(),
    })
}

/// Retry `call` once if the first attempt fails as unavailable (a connection that died while
/// in use is only found out by using it).
async fn with_one_retry<T, F, Fut>(mut call: F) -> (Result<T, StoreError>, usize)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, StoreError>>,
{
    match call().await {
        Err(StoreError::Unavailable(_)) => (call().await, 1),
        other => (other, 0),
    }
}

// ---------------------------------------------------------------------------------------------
// The whole contract (`common/store_conformance.rs`): each check on its own database, and all
// of them on one shared one.

/// A fresh database and a store on it, for the conformance suite.
async fn fresh_dyn() -> (TestDb, Arc<dyn Store>) {
    let (db, store) = fresh().await;
    (db, Arc::new(store))
}

store_conformance_tests!(fresh_dyn);

/// The suite once more, with every check on its own instance of one database at the same time.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn whole_suite_on_several_instances_at_once() {
    let db = TestDb::fresh().await;
    let stores = instances(&db, 3, 4).await;
    let dynamic: Vec<Arc<dyn Store>> = stores.iter().map(|s| s.clone() as Arc<dyn Store>).collect();
    tokio::join!(
        run_all(dynamic[0].clone()),
        run_all(dynamic[1].clone()),
        run_all(dynamic[2].clone()),
    );
    for store in stores {
        store.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// Several server processes on one database

#[tokio::test]
async fn kind_is_postgres() {
    let (_db, store) = fresh().await;
    assert_eq!(store.kind(), "postgres");
    store.close().await;
}

#[tokio::test]
async fn connections_carry_lock_and_idle_transaction_timeouts() {
    let (_db, store) = fresh().await;
    let (lock, idle) = store.timeouts().await.expect("timeouts");
    assert_eq!((lock.as_str(), idle.as_str()), ("10s", "1min"));
    store.close().await;
}

/// Writers spread over several instances (separate pools) append to one meeting, each retrying
/// after a conflict: seqs 1..=N exactly once, every instance reads the same log.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn several_instances_append_to_one_meeting_without_gaps() {
    const INSTANCES: usize = 4;
    const WRITERS_PER_INSTANCE: usize = 3;
    const POSTS_PER_WRITER: usize = 20;
    let db = TestDb::fresh().await;
    let stores = instances(&db, INSTANCES, 3).await;
    let meeting = MeetingId(Uuid::new_v4());
    let start = Arc::new(Barrier::new(INSTANCES * WRITERS_PER_INSTANCE));
    let began = Instant::now();

    let mut tasks = Vec::new();
    for (instance, store) in stores.iter().enumerate() {
        for writer in 0..WRITERS_PER_INSTANCE {
            let store = store.clone();
            let start = start.clone();
            tasks.push(tokio::spawn(async move {
                start.wait().await;
                let name = format!("instance {instance} writer {writer}");
                let mut expected: Seq = 0;
                let mut mine: Vec<Event> = Vec::new();
                let mut posted = 0;
                let mut conflicts = 0usize;
                let mut created_it = false;
                while posted < POSTS_PER_WRITER {
                    let kind = if expected == 0 {
                        created()
                    } else {
                        question(&format!("{name} post {posted}"))
                    };
                    match store
                        .append(meeting, expected, vec![organizer(kind)], None)
                        .await
                        .expect("append")
                    {
                        AppendOutcome::Committed(events) => {
                            assert_eq!(events.len(), 1);
                            assert_eq!(events[0].seq, expected + 1);
                            if expected == 0 {
                                created_it = true;
                            } else {
                                posted += 1;
                            }
                            expected = events[0].seq;
                            mine.extend(events);
                        }
                        AppendOutcome::Conflict { latest } => {
                            assert!(latest > expected, "{latest} after {expected}");
                            conflicts += 1;
                            expected = latest;
                        }
                        AppendOutcome::Duplicate { .. } => panic!("no key was given"),
                    }
                }
                (mine, conflicts, created_it)
            }));
        }
    }

    let mut all: Vec<Event> = Vec::new();
    let (mut conflicts, mut creators) = (0, 0);
    for task in tasks {
        let (mine, task_conflicts, created_it) = task.await.expect("writer");
        all.extend(mine);
        conflicts += task_conflicts;
        creators += usize::from(created_it);
    }
    let elapsed = began.elapsed();
    all.sort_by_key(|e| e.seq);

    let total = (INSTANCES * WRITERS_PER_INSTANCE * POSTS_PER_WRITER + 1) as Seq;
    assert_eq!(creators, 1, "exactly one writer created the meeting");
    assert_eq!(
        all.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=total).collect::<Vec<_>>(),
        "each seq committed exactly once"
    );
    assert!(conflicts >= INSTANCES * WRITERS_PER_INSTANCE - 1);
    for store in &stores {
        assert_eq!(
            store.last_seq(meeting).await.expect("last_seq"),
            Some(total)
        );
        assert_eq!(store.events(meeting, 0, None).await.expect("events"), all);
    }
    let bodies: HashSet<String> = all.iter().filter_map(body_of).collect();
    assert_eq!(bodies.len() as Seq, total - 1, "every post stored once");
    eprintln!(
        "{total} events from {} writers on {INSTANCES} instances in {elapsed:?} \
         ({conflicts} conflicts)",
        INSTANCES * WRITERS_PER_INSTANCE
    );
    for store in stores {
        store.close().await;
    }
}

/// Instances racing to create the same meeting: one wins, the others conflict at seq 1.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_creators_on_several_instances_create_one_meeting() {
    const INSTANCES: usize = 6;
    let db = TestDb::fresh().await;
    let stores = instances(&db, INSTANCES, 2).await;
    for round in 0..15 {
        let meeting = MeetingId(Uuid::new_v4());
        let start = Arc::new(Barrier::new(INSTANCES));
        let mut tasks = Vec::new();
        for store in &stores {
            let (store, start) = (store.clone(), start.clone());
            tasks.push(tokio::spawn(async move {
                start.wait().await;
                store
                    .append(
                        meeting,
                        0,
                        vec![organizer(created()), organizer(comment("first"))],
                        None,
                    )
                    .await
                    .expect("append")
            }));
        }
        let mut wins = 0;
        for task in tasks {
            match task.await.expect("creator") {
                AppendOutcome::Committed(events) => {
                    wins += 1;
                    assert_eq!(events.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2]);
                }
                AppendOutcome::Conflict { latest } => assert_eq!(latest, 2, "round {round}"),
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(wins, 1, "round {round}");
        assert_eq!(
            stores[0]
                .events(meeting, 0, None)
                .await
                .expect("events")
                .len(),
            2
        );
        let listed = stores[1].meetings().await.expect("meetings");
        assert_eq!(listed.iter().filter(|m| **m == meeting).count(), 1);
    }
    for store in stores {
        store.close().await;
    }
}

/// The same command (same key) sent to several instances at once is stored once; every other
/// copy gets the stored response.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_key_on_several_instances_commits_once() {
    const INSTANCES: usize = 6;
    let db = TestDb::fresh().await;
    let stores = instances(&db, INSTANCES, 2).await;

    // Three shapes: creating a meeting, appending to an existing one, and a command with no
    // events on a meeting that does not exist (no meeting row to lock: the key's own row
    // decides).
    let existing = MeetingId(Uuid::new_v4());
    committed(&*stores[0], existing, 0, vec![organizer(created())]).await;
    for round in 0..10 {
        for shape in ["create", "append", "no events"] {
            let meeting = match shape {
                "append" => existing,
                _ => MeetingId(Uuid::new_v4()),
            };
            let expected = stores[0]
                .last_seq(meeting)
                .await
                .expect("last_seq")
                .unwrap_or(0);
            let idem_key = format!("key-{round}-{shape}");
            let start = Arc::new(Barrier::new(INSTANCES));
            let mut tasks = Vec::new();
            for (i, store) in stores.iter().enumerate() {
                let (store, start, idem_key) = (store.clone(), start.clone(), idem_key.clone());
                tasks.push(tokio::spawn(async move {
                    let events = match shape {
                        "create" => vec![organizer(created())],
                        "append" => vec![organizer(comment(&format!("copy {i}")))],
                        _ => Vec::new(),
                    };
                    start.wait().await;
                    let outcome = store
                        .append(
                            meeting,
                            expected,
                            events,
                            key("organizer", &idem_key, &format!("response {i}")),
                        )
                        .await
                        .expect("append");
                    (i, outcome)
                }));
            }
            let mut winner = None;
            let mut duplicates = Vec::new();
            for task in tasks {
                match task.await.expect("task") {
                    (i, AppendOutcome::Committed(_)) => {
                        assert!(winner.is_none(), "{shape}: two commits");
                        winner = Some(i);
                    }
                    (_, AppendOutcome::Duplicate { response, index: 0 }) => {
                        duplicates.push(response)
                    }
                    (_, other) => panic!("{shape}: unexpected {other:?}"),
                }
            }
            let winner = winner.unwrap_or_else(|| panic!("{shape}: nobody committed"));
            let response = format!("response {winner}");
            assert!(duplicates.iter().all(|d| *d == response), "{duplicates:?}");
            assert_eq!(duplicates.len(), INSTANCES - 1);
            assert_eq!(
                stores[1]
                    .idempotent_response(meeting, "organizer", &idem_key)
                    .await
                    .expect("response"),
                Some(response)
            );
        }
    }
    // One comment per round on the existing meeting.
    assert_eq!(
        stores[2].last_seq(existing).await.expect("last_seq"),
        Some(11)
    );
    for store in stores {
        store.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// A database that drops connections or goes away

/// Backends ended under the pool (restart, failover): the next calls work, after at most one
/// retry, and nothing was lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pool_recovers_after_its_backends_are_terminated() {
    let db = TestDb::fresh().await;
    let store = PostgresStore::connect(&db.url).await.expect("connect");
    let meeting = MeetingId(Uuid::new_v4());
    let first = committed(&store, meeting, 0, vec![organizer(created())]).await;
    // Open several connections, so the pool has idle ones to lose.
    let (a, b, c) = tokio::join!(
        store.events(meeting, 0, None),
        store.last_seq(meeting),
        store.ping()
    );
    a.expect("events");
    b.expect("last_seq");
    c.expect("ping");

    let mut retries = 0;
    for round in 0..5u64 {
        let ended = terminate_backends(&db).await;
        assert!(ended >= 1, "round {round}: no backend to end");
        let began = Instant::now();

        let (ping, r) = with_one_retry(|| store.ping()).await;
        ping.expect("ping after termination");
        retries += r;
        let (appended, r) = with_one_retry(|| {
            store.append(
                meeting,
                round + 1,
                vec![organizer(comment(&format!("after termination {round}")))],
                None,
            )
        })
        .await;
        retries += r;
        match appended.expect("append after termination") {
            AppendOutcome::Committed(events) => assert_eq!(events[0].seq, round + 2),
            other => panic!("unexpected {other:?}"),
        }
        let (events, r) = with_one_retry(|| store.events(meeting, 0, None)).await;
        retries += r;
        let events = events.expect("events after termination");
        assert_eq!(events.len() as u64, round + 2);
        assert_eq!(events[0], first[0]);
        assert!(
            began.elapsed() < Duration::from_secs(5),
            "{:?}",
            began.elapsed()
        );
    }
    eprintln!("retries needed after 5 terminations: {retries}");
    store.close().await;
}

/// Writers on several instances keep posting, with idempotency keys, while their connections
/// are ended again and again. A failed call is retried with the same key (the commit may have
/// happened before the connection died): every post is in the log exactly once, gapless.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn appends_survive_repeated_backend_terminations() {
    const INSTANCES: usize = 3;
    const WRITERS_PER_INSTANCE: usize = 2;
    const POSTS_PER_WRITER: usize = 25;
    let db = TestDb::fresh().await;
    let stores = instances(&db, INSTANCES, 3).await;
    let meeting = MeetingId(Uuid::new_v4());
    committed(&*stores[0], meeting, 0, vec![organizer(created())]).await;

    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let killer = {
        let stop = stop.clone();
        let url = db.url.clone();
        tokio::spawn(async move {
            let mut kills = 0usize;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let pause = Duration::from_millis(rand::thread_rng().gen_range(5..40));
                tokio::time::sleep(pause).await;
                let mut conn = PgConnection::connect(&url).await.expect("killer");
                let ended: Vec<bool> = sqlx::query_scalar(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                     WHERE datname = current_database() AND pid <> pg_backend_pid()",
                )
                .fetch_all(&mut conn)
                .await
                .expect("terminate");
                kills += ended.into_iter().filter(|e| *e).count();
                let _ = conn.close().await;
            }
            kills
        })
    };

    let mut tasks = Vec::new();
    for (instance, store) in stores.iter().enumerate() {
        for writer in 0..WRITERS_PER_INSTANCE {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let scope = format!("writer-{instance}-{writer}");
                let mut expected: Seq = 1;
                let mut failures = 0usize;
                for post in 0..POSTS_PER_WRITER {
                    let idem_key = format!("post-{post}");
                    let body = format!("{scope} post {post}");
                    loop {
                        let outcome = store
                            .append(
                                meeting,
                                expected,
                                vec![organizer(question(&body))],
                                key(&scope, &idem_key, &body),
                            )
                            .await;
                        match outcome {
                            Ok(AppendOutcome::Committed(events)) => {
                                expected = events[0].seq;
                                break;
                            }
                            Ok(AppendOutcome::Duplicate { response, index }) => {
                                assert_eq!((index, response.as_str()), (0, body.as_str()));
                                break;
                            }
                            Ok(AppendOutcome::Conflict { latest }) => expected = latest,
                            Err(StoreError::Unavailable(_)) => {
                                failures += 1;
                                assert!(failures < 1000, "never recovered");
                                tokio::time::sleep(Duration::from_millis(5)).await;
                            }
                            Err(other) => panic!("{scope}: {other:?}"),
                        }
                    }
                }
                failures
            }));
        }
    }
    let mut failures = 0;
    for task in tasks {
        failures += task.await.expect("writer");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let kills = killer.await.expect("killer");

    let total = (INSTANCES * WRITERS_PER_INSTANCE * POSTS_PER_WRITER + 1) as Seq;
    let (events, _) = with_one_retry(|| stores[0].events(meeting, 0, None)).await;
    let events = events.expect("events");
    assert_eq!(
        events.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=total).collect::<Vec<_>>()
    );
    let bodies: Vec<String> = events.iter().filter_map(body_of).collect();
    let distinct: HashSet<&String> = bodies.iter().collect();
    assert_eq!(distinct.len(), bodies.len(), "no post twice");
    assert_eq!(bodies.len() as Seq, total - 1);
    eprintln!("{kills} backends ended, {failures} calls failed and were retried");
    assert!(kills > 0, "nothing was terminated; the test proves nothing");
    for store in stores {
        store.close().await;
    }
}

/// The database refuses connections for a while (as if it were down): calls fail quickly as
/// unavailable, and work again by themselves once it is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn calls_fail_fast_while_the_database_is_down_and_work_again_after() {
    let db = TestDb::fresh().await;
    let store = PostgresStore::connect(&db.url).await.expect("connect");
    let meeting = MeetingId(Uuid::new_v4());
    committed(&store, meeting, 0, vec![organizer(created())]).await;

    let mut admin = crate::common::pg::admin().await;
    sqlx::query(&format!(
        "ALTER DATABASE {} ALLOW_CONNECTIONS false",
        db.name
    ))
    .execute(&mut admin)
    .await
    .expect("disallow");
    terminate_backends_as(&mut admin, &db.name).await;

    let began = Instant::now();
    let failed = store
        .append(meeting, 1, vec![organizer(comment("while down"))], None)
        .await;
    let took = began.elapsed();
    assert!(
        matches!(failed, Err(StoreError::Unavailable(_))),
        "{failed:?}"
    );
    assert!(took < Duration::from_secs(5), "took {took:?}");
    let began = Instant::now();
    let ping = store.ping().await;
    assert!(matches!(ping, Err(StoreError::Unavailable(_))), "{ping:?}");
    let last = store.last_seq(meeting).await;
    assert!(matches!(last, Err(StoreError::Unavailable(_))), "{last:?}");
    eprintln!(
        "down: append failed in {took:?}, ping + last_seq in {:?}",
        began.elapsed()
    );

    sqlx::query(&format!(
        "ALTER DATABASE {} ALLOW_CONNECTIONS true",
        db.name
    ))
    .execute(&mut admin)
    .await
    .expect("allow");
    let _ = admin.close().await;

    let began = Instant::now();
    let events = committed(&store, meeting, 1, vec![organizer(comment("back up"))]).await;
    assert_eq!(events[0].seq, 2);
    assert_eq!(store.last_seq(meeting).await.expect("last_seq"), Some(2));
    eprintln!("up again: first append in {:?}", began.elapsed());
    store.close().await;
}

async fn terminate_backends_as(admin: &mut PgConnection, name: &str) {
    sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = $1 AND pid <> pg_backend_pid()",
    )
    .bind(name)
    .execute(&mut *admin)
    .await
    .expect("terminate");
}

#[tokio::test]
async fn connecting_to_a_closed_port_fails_fast_as_unavailable() {
    let began = Instant::now();
    let result = PostgresStore::connect("postgres://postgres@127.0.0.1:1/x").await;
    let took = began.elapsed();
    match result {
        Err(StoreError::Unavailable(message)) => {
            eprintln!("closed port: {message} after {took:?}");
        }
        Err(other) => panic!("expected unavailable, got {other:?}"),
        Ok(_) => panic!("connected to a closed port"),
    }
    assert!(took < Duration::from_secs(5), "took {took:?}");

    let bad = PostgresStore::connect("not a url").await;
    assert!(matches!(bad, Err(StoreError::Unavailable(_))), "{bad:?}");
}

#[tokio::test]
async fn connecting_to_a_missing_database_fails_as_unavailable() {
    let url = crate::common::pg::url_for(&format!("bm_missing_{}", Uuid::new_v4().simple()));
    let began = Instant::now();
    let result = PostgresStore::connect(&url).await;
    assert!(
        matches!(result, Err(StoreError::Unavailable(_))),
        "{result:?}"
    );
    assert!(began.elapsed() < Duration::from_secs(5));
}

/// Instances starting together migrate the database once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn instances_starting_together_migrate_once() {
    let db = TestDb::fresh().await;
    let url = db.url.clone();
    let connects: Vec<_> = (0..5)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move { PostgresStore::connect_with(&url, 2).await })
        })
        .collect();
    let mut stores = Vec::new();
    for connect in connects {
        stores.push(connect.await.expect("task").expect("connect"));
    }
    let mut conn = raw(&db).await;
    let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(&mut conn)
        .await
        .expect("count");
    // Once each: as many rows as there are migration files.
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"))
        .expect("migrations dir")
        .count();
    assert_eq!(applied, i64::try_from(files).expect("count"));
    let _ = conn.close().await;
    for store in stores {
        store.ping().await.expect("ping");
        store.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// Storage details

#[tokio::test]
async fn personal_text_is_stored_apart_and_can_be_erased() {
    let (db, store) = fresh().await;
    let (meeting, events) = personal_text(&store).await;

    let mut conn = raw(&db).await;
    let payloads: Vec<String> =
        sqlx::query_scalar("SELECT kind_json FROM events WHERE meeting_id = $1 ORDER BY seq")
            .bind(meeting.0)
            .fetch_all(&mut conn)
            .await
            .expect("select");
    let texts: Vec<String> =
        sqlx::query_scalar("SELECT text FROM contents WHERE meeting_id = $1 ORDER BY seq, slot")
            .bind(meeting.0)
            .fetch_all(&mut conn)
            .await
            .expect("select");
    assert_stored_apart(&payloads, &texts);

    // Erase the display name: the event stays, with its hash, and reads as erased.
    sqlx::query("DELETE FROM contents WHERE meeting_id = $1 AND seq = 2")
        .bind(meeting.0)
        .execute(&mut conn)
        .await
        .expect("delete");
    assert_name_reads_as_erased(&store, meeting, &events).await;
    let _ = conn.close().await;
    store.close().await;
}

/// An erased citizen's open poll answer is in none of `poll_answers`' relation files (heap,
/// TOAST, indexes; after CHECKPOINT) once the scrub ran (`VACUUM FULL`), while another
/// citizen's is.
#[tokio::test]
async fn erased_open_answers_leave_no_bytes_in_the_table_files() {
    use crate::common::erased_answers::OpenAnswers;
    let (db, store) = fresh().await;
    let answers = OpenAnswers::write(&store).await;
    let mut conn = raw(&db).await;
    /// The bytes of `poll_answers`' heap, TOAST table and indexes.
    async fn table_bytes(conn: &mut PgConnection) -> Vec<u8> {
        sqlx::query("CHECKPOINT")
            .execute(&mut *conn)
            .await
            .expect("checkpoint");
        let paths: Vec<String> = sqlx::query_scalar(
            "SELECT pg_relation_filepath(c.oid) FROM pg_class c WHERE c.oid IN ( \
                SELECT 'poll_answers'::regclass::oid \
                UNION SELECT reltoastrelid FROM pg_class \
                    WHERE oid = 'poll_answers'::regclass AND reltoastrelid <> 0 \
                UNION SELECT indexrelid FROM pg_index \
                    WHERE indrelid = 'poll_answers'::regclass) \
             AND pg_relation_filepath(c.oid) IS NOT NULL",
        )
        .fetch_all(&mut *conn)
        .await
        .expect("relation paths");
        assert!(paths.len() >= 2, "the heap and its indexes: {paths:?}");
        let mut all = Vec::new();
        for path in paths {
            let bytes: Vec<u8> = sqlx::query_scalar("SELECT pg_read_binary_file($1)")
                .bind(&path)
                .fetch_one(&mut *conn)
                .await
                .expect("read relation file");
            all.extend(bytes);
        }
        all
    }
    answers.assert_written(&table_bytes(&mut conn).await);

    answers.erase(&store).await;
    let bytes = table_bytes(&mut conn).await;
    answers.assert_erased(&store, &bytes).await;
    let _ = conn.close().await;
    store.close().await;
}

/// Several instances write the same answers at the same time, each batch in its own order:
/// every answer row is written by exactly one of them (the others see the same answer and
/// report no change), nobody deadlocks, and a changed answer written by all of them next is
/// again a change for exactly one.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_instances_write_each_answer_once() {
    use crate::common::store_conformance::{answer, meeting_with_polls, pick};
    use rand::seq::SliceRandom;
    let db = TestDb::fresh().await;
    let stores = instances(&db, 4, 2).await;
    let (meeting, polls) = meeting_with_polls(stores[0].as_ref(), 3).await;
    let people: Vec<ParticipantId> = (0..60).map(|_| ParticipantId(Uuid::new_v4())).collect();
    for option in [0, 1] {
        let at = micros(Utc::now());
        let rows: Vec<_> = polls
            .iter()
            .flat_map(|poll| {
                people
                    .iter()
                    .map(move |who| answer(meeting, *poll, *who, pick(option), at))
            })
            .collect();
        let barrier = Arc::new(Barrier::new(stores.len()));
        let tasks: Vec<_> = stores
            .iter()
            .map(|store| {
                let (store, barrier) = (store.clone(), barrier.clone());
                let mut batch = rows.clone();
                batch.shuffle(&mut rand::thread_rng());
                tokio::spawn(async move {
                    barrier.wait().await;
                    let changed = store.write_poll_answers(&batch).await.expect("write");
                    batch.into_iter().zip(changed).collect::<Vec<_>>()
                })
            })
            .collect();
        let mut writes: HashMap<(PollId, ParticipantId), usize> = HashMap::new();
        for task in tasks {
            for (record, changed) in task.await.expect("task") {
                let entry = writes.entry((record.poll, record.participant)).or_default();
                *entry += usize::from(changed);
            }
        }
        assert_eq!(writes.len(), rows.len());
        assert!(
            writes.values().all(|n| *n == 1),
            "option {option}: each answer written once: {:?}",
            writes.values().filter(|n| **n != 1).count()
        );
        let stored = stores[1].poll_answers(meeting).await.expect("answers");
        assert_eq!(stored.len(), rows.len());
        assert!(stored.iter().all(|a| a.answer == pick(option)));
    }
    for store in stores {
        store.close().await;
    }
}

#[tokio::test]
async fn a_failed_append_rolls_back_everything() {
    let (db, store) = fresh().await;
    let meeting = MeetingId(Uuid::new_v4());
    committed(&store, meeting, 0, vec![organizer(created())]).await;

    // Plant a row where the second event of the next batch must go (a bug's footprint).
    let mut conn = raw(&db).await;
    sqlx::query(
        "INSERT INTO events (meeting_id, seq, at, actor_json, kind_json) \
         VALUES ($1, 3, '2024-01-01T00:00:00Z', '{\"type\":\"organizer\"}', \
         '{\"type\":\"meeting_opened\"}')",
    )
    .bind(meeting.0)
    .execute(&mut conn)
    .await
    .expect("plant");

    // Nothing of the batch is left: no seq 2, no content, no key, last_seq unchanged.
    failed_append::assert_fails_and_leaves_nothing(&store, meeting).await;
    let stored: Vec<i64> =
        sqlx::query_scalar("SELECT seq FROM events WHERE meeting_id = $1 ORDER BY seq")
            .bind(meeting.0)
            .fetch_all(&mut conn)
            .await
            .expect("select");
    assert_eq!(stored, vec![1, 3]);
    let contents: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM contents WHERE meeting_id = $1")
        .bind(meeting.0)
        .fetch_one(&mut conn)
        .await
        .expect("select");
    assert_eq!(contents, 0);

    // The pool is usable again (no connection left inside the failed transaction).
    sqlx::query("DELETE FROM events WHERE meeting_id = $1 AND seq = 3")
        .bind(meeting.0)
        .execute(&mut conn)
        .await
        .expect("unplant");
    failed_append::assert_retry_commits(&store, meeting).await;
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
         AND state LIKE 'idle in transaction%'",
    )
    .fetch_one(&mut conn)
    .await
    .expect("select");
    assert_eq!(open, 0, "no connection left inside a transaction");
    let _ = conn.close().await;
    store.close().await;
}

/// Callers may drop an append half way (the HTTP client went away). Each batch must then be
/// all or nothing (`common/abandoned_appends.rs`), and no connection may stay inside the
/// abandoned transaction.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn abandoned_appends_are_all_or_nothing() {
    let (db, store) = fresh().await;
    abandoned_appends::abandoned_appends_are_all_or_nothing(&store).await;

    let mut conn = raw(&db).await;
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
         AND state LIKE 'idle in transaction%'",
    )
    .fetch_one(&mut conn)
    .await
    .expect("select");
    assert_eq!(open, 0, "no connection left inside a transaction");
    let _ = conn.close().await;
    store.close().await;
}

/// Times are kept to the microsecond, truncated towards the past; what the writer is told is
/// what everyone reads.
#[tokio::test]
async fn timestamps_are_whole_microseconds_as_committed() {
    let (_db, store) = fresh().await;
    let meeting = MeetingId(Uuid::new_v4());
    let times: Vec<DateTime<Utc>> = [
        "2025-03-04T19:30:00.123456789Z",
        "1999-12-31T23:59:59.999999999Z",
        "1969-07-20T20:17:40.000000500Z",
        "2000-01-01T00:00:00Z",
    ]
    .iter()
    .map(|t| {
        DateTime::parse_from_rfc3339(t)
            .expect("time")
            .with_timezone(&Utc)
    })
    .collect();
    let pending: Vec<PendingEvent> = times
        .iter()
        .map(|at| PendingEvent {
            at: *at,
            actor: Actor::Organizer,
            kind: created(),
        })
        .collect();
    let events = committed(&store, meeting, 0, pending).await;
    let ats: Vec<String> = events
        .iter()
        .map(|e| e.at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true))
        .collect();
    assert_eq!(
        ats,
        [
            "2025-03-04T19:30:00.123456000Z",
            "1999-12-31T23:59:59.999999000Z",
            "1969-07-20T20:17:40.000000000Z",
            "2000-01-01T00:00:00.000000000Z",
        ]
    );
    assert_eq!(
        store.events(meeting, 0, None).await.expect("events"),
        events
    );

    let session = SessionRecord {
        token_hash: "t".to_owned(),
        meeting,
        participant: ParticipantId(Uuid::new_v4()),
        created_at: times[0],
    };
    store.put_session(session.clone()).await.expect("put");
    let read = store.session("t").await.expect("session").expect("stored");
    assert_eq!(read.created_at, micros(times[0]));
    store.close().await;
}

/// Merges inside one batch move votes in log order: a into b, then b into c leaves all on c.
#[tokio::test]
async fn merges_in_one_batch_move_votes_in_order() {
    let (_db, store) = fresh().await;
    let meeting = MeetingId(Uuid::new_v4());
    let posts = committed(
        &store,
        meeting,
        0,
        vec![
            organizer(created()),
            organizer(question("a")),
            organizer(question("b")),
            organizer(question("c")),
        ],
    )
    .await;
    let (a, b, c) = (
        PostId(posts[1].seq),
        PostId(posts[2].seq),
        PostId(posts[3].seq),
    );
    let people: Vec<ParticipantId> = (0..4).map(|_| ParticipantId(Uuid::new_v4())).collect();
    let vote = |post, who: usize| VoteChange {
        meeting,
        post,
        participant: people[who],
        up: true,
    };
    store
        .write_votes(&[vote(a, 0), vote(a, 1), vote(b, 1), vote(b, 2), vote(c, 3)])
        .await
        .expect("votes");
    committed(
        &store,
        meeting,
        4,
        vec![
            organizer(EventKind::QuestionMerged { post: a, into: b }),
            organizer(EventKind::QuestionMerged { post: b, into: c }),
        ],
    )
    .await;
    assert_eq!(
        store.vote_counts(meeting).await.expect("counts"),
        HashMap::from([(c, 4)])
    );
    store.close().await;
}

/// Big vote batches (written in two statements) report exactly what a one-by-one model says.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn big_vote_batches_match_a_one_by_one_model() {
    let (_db, store) = fresh().await;
    let meeting = MeetingId(Uuid::new_v4());
    let mut events = vec![organizer(created())];
    events.extend((0..5).map(|i| organizer(question(&format!("q{i}")))));
    let posts: Vec<PostId> = committed(&store, meeting, 0, events).await[1..]
        .iter()
        .map(|e| PostId(e.seq))
        .collect();
    let people: Vec<ParticipantId> = (0..40).map(|_| ParticipantId(Uuid::new_v4())).collect();

    let mut model: HashSet<(PostId, ParticipantId)> = HashSet::new();
    let mut rng = rand::thread_rng();
    let began = Instant::now();
    let mut written = 0;
    for _ in 0..20 {
        let batch: Vec<VoteChange> = (0..500)
            .map(|_| VoteChange {
                meeting,
                post: posts[rng.gen_range(0..posts.len())],
                participant: people[rng.gen_range(0..people.len())],
                up: rng.gen_bool(0.6),
            })
            .collect();
        let expected: Vec<bool> = batch
            .iter()
            .map(|v| {
                let k = (v.post, v.participant);
                if v.up {
                    model.insert(k)
                } else {
                    model.remove(&k)
                }
            })
            .collect();
        written += batch.len();
        assert_eq!(store.write_votes(&batch).await.expect("votes"), expected);
    }
    let took = began.elapsed();
    let mut counts: HashMap<PostId, u32> = HashMap::new();
    for (post, _) in &model {
        *counts.entry(*post).or_default() += 1;
    }
    assert_eq!(store.vote_counts(meeting).await.expect("counts"), counts);
    for who in &people[..5] {
        let mut mine: Vec<PostId> = model
            .iter()
            .filter(|(_, p)| p == who)
            .map(|(post, _)| *post)
            .collect();
        mine.sort();
        assert_eq!(store.votes_of(meeting, *who).await.expect("votes_of"), mine);
    }
    eprintln!("{written} vote changes in 20 batches in {took:?}");
    store.close().await;
}
