//! The store conformance suite: every invariant of the `Store` trait (see
//! `crates/server/src/store/mod.rs`), checked against any implementation.
//!
//! Why it exists: the server runs on SQLite or PostgreSQL, and the rest of the code may only rely
//! on what both do. Each store's test file runs every check of this file, `org_conformance.rs`
//! and `followup_conformance.rs` against a real database with one line,
//! `store_conformance_tests!(fresh)` (the macro below holds the one list of checks).
//!
//! Rules that keep the suite portable:
//! - every check uses fresh random meeting ids, tokens and setting keys, so one store instance
//!   (and one database) can be shared by all checks, also concurrently;
//! - timestamps are whole microseconds, the finest PostgreSQL keeps;
//! - meetings get real events (`MeetingCreated`, `PostCreated`) before votes refer to them, so
//!   a store with foreign keys passes too.

// A test binary that includes `common` for other helpers does not call these.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use borgermode_domain::event::Actor;
use borgermode_domain::samples::{every_event_kind, kind_index, EVENT_KINDS};
use borgermode_domain::{
    audit, AgeBand, Answer, Content, ContentRef, DemographicCount, Event, EventKind, Gender,
    HoldReason, Language, MeetingDetails, MeetingId, MeetingSettings, ParticipantId, PollAnswer,
    PollDefinition, PollId, PollKind, PostId, PostKind, ResultsShown, Seq, Source,
};
use borgermode_server::store::{
    AnswerModeration, AppendOutcome, CapabilityRecord, IdempotencyRecord, PendingEvent,
    PollAnswerRecord, SessionRecord, Store, StoreError, VoteChange,
};
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

/// The whole contract on one store type: one `#[tokio::test]` per check (in modules `log`,
/// `orgs` and `followup`, each on a store of its own), `run_all` (every check in turn on one
/// store), and `whole_suite_on_one_shared_store` (all of them on one store, then three side by
/// side). `$fresh` names an async fn of the calling file returning `(guard, Arc<dyn Store>)`;
/// the guard (a temp dir, a test database) lives until the check ends.
///
/// This list is the one place a new check is added: both `store_sqlite.rs` and
/// `store_postgres.rs` expand it.
#[macro_export]
macro_rules! store_conformance_tests {
    ($fresh:ident) => {
        $crate::store_conformance_tests!(@expand $fresh;
            log = store_conformance {
                kind_and_ping,
                appends_gapless_seqs_from_one,
                conflicts_on_wrong_expected_seq,
                concurrent_appends_are_race_free,
                idempotency_returns_first_response,
                group_appends_record_every_key_or_none,
                contents_are_restored_on_read,
                events_ranges,
                last_seq_of_unknown_meeting_is_none,
                meetings_are_listed_oldest_first,
                chain_links_every_event_up_to_the_head,
                votes_set_clear_and_count,
                merge_moves_votes,
                sessions_put_get_delete,
                capabilities_put_get_delete,
                settings_put_get_overwrite,
                presence_samples_record_and_read,
                erasure_deletes_the_named_texts_and_scrub_succeeds,
                retention_finds_closed_meetings_until_pseudonymized,
                privacy_notice_set_read_clear,
                every_event_kind_round_trips,
                poll_answers_upsert_and_the_same_answer_again_changes_nothing,
                poll_answer_batches_match_a_one_by_one_model,
                poll_answers_are_listed_oldest_first_and_per_participant,
                poll_answer_moderation_approve_hide_restore,
                erasure_deletes_open_answers_and_unlinks_the_rest,
                retention_rekeys_answers_keeping_each_person_together,
            }
            orgs = org_conformance {
                organizations_create_get_list_update,
                logos_set_read_clear,
                meetings_belong_to_one_organization,
                invites_are_single_use_and_expire,
                concurrent_accepts_of_one_invite_create_one_account,
                account_sessions_expire_and_end_everywhere,
            }
            followup = followup_conformance {
                snippets_crud_scoped_by_organization,
                notify_addresses_put_get_delete,
            }
        );
    };
    (@expand $fresh:ident; $($module:ident = $suite:ident { $($check:ident),* $(,)? })*) => {
        $(
            mod $module {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                    async fn $check() {
                        let (_guard, store) = super::$fresh().await;
                        $crate::common::$suite::$check(store).await;
                    }
                )*
            }
        )*

        /// Every check of the contract, one after another, on one store.
        #[allow(dead_code)]
        async fn run_all(store: std::sync::Arc<dyn borgermode_server::store::Store>) {
            $($(
                $crate::common::$suite::$check(store.clone()).await;
            )*)*
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn whole_suite_on_one_shared_store() {
            let (_guard, store) = $fresh().await;
            run_all(store.clone()).await;
            // Checks running side by side on one database do not disturb each other either.
            let (a, b, c) = (store.clone(), store.clone(), store.clone());
            tokio::join!(
                $crate::common::store_conformance::concurrent_appends_are_race_free(a),
                $crate::common::store_conformance::merge_moves_votes(b),
                $crate::common::store_conformance::idempotency_returns_first_response(c),
            );
        }
    };
}

// ---------------------------------------------------------------------------------------------
// Helpers

fn new_meeting() -> MeetingId {
    MeetingId(Uuid::new_v4())
}

fn new_participant() -> ParticipantId {
    ParticipantId(Uuid::new_v4())
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", Uuid::new_v4().simple())
}

/// Now, truncated to whole microseconds.
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).expect("now is in range")
}

fn details(title: &str) -> MeetingDetails {
    MeetingDetails {
        title: title.to_owned(),
        description: "Om **cykelstien** langs åen".to_owned(),
        starts_at: Some(now() + Duration::days(7)),
        ends_at: Some(now() + Duration::days(7) + Duration::hours(2)),
        language: Language::Da,
        video_url: Some("https://example.org/live".to_owned()),
    }
}

fn settings() -> MeetingSettings {
    MeetingSettings {
        max_body_chars: 800,
        slow_mode_secs: 30,
        premoderation: true,
        keywords: vec!["idiot".to_owned(), "spam".to_owned()],
        report_threshold: 4,
        auto_hold_reports: false,
    }
}

fn created() -> EventKind {
    EventKind::MeetingCreated {
        details: details("Borgermøde"),
        settings: settings(),
    }
}

fn question(body: &str) -> EventKind {
    EventKind::PostCreated {
        post_kind: PostKind::Question,
        parent: None,
        body: Content::new(body),
        source: Source::Online,
        held: None,
    }
}

fn by(actor: Actor, kind: EventKind) -> PendingEvent {
    PendingEvent {
        at: now(),
        actor,
        kind,
    }
}

fn organizer(kind: EventKind) -> PendingEvent {
    by(Actor::Organizer, kind)
}

fn idem(scope: &str, key: &str, response: &str) -> Option<IdempotencyRecord> {
    Some(IdempotencyRecord {
        scope: scope.to_owned(),
        key: key.to_owned(),
        response: response.to_owned(),
    })
}

fn seqs(events: &[Event]) -> Vec<Seq> {
    events.iter().map(|e| e.seq).collect()
}

/// Append and insist on a commit; returns the stored events.
pub async fn commit(
    store: &dyn Store,
    meeting: MeetingId,
    expected: Seq,
    events: Vec<PendingEvent>,
) -> Vec<Event> {
    match store
        .append(meeting, expected, events, None)
        .await
        .expect("append")
    {
        AppendOutcome::Committed(events) => events,
        other => panic!("expected a commit after seq {expected}, got {other:?}"),
    }
}

/// Append and insist on a conflict; returns the reported latest seq.
async fn conflict(
    store: &dyn Store,
    meeting: MeetingId,
    expected: Seq,
    events: Vec<PendingEvent>,
) -> Seq {
    match store
        .append(meeting, expected, events, None)
        .await
        .expect("append")
    {
        AppendOutcome::Conflict { latest } => latest,
        other => panic!("expected a conflict at seq {expected}, got {other:?}"),
    }
}

/// A new meeting whose log is `MeetingCreated` followed by `posts` questions; returns the
/// post ids (seqs 2, 3, ...).
/// Create `meeting` (its first event).
pub async fn create_meeting(store: &dyn Store, meeting: MeetingId) {
    commit(store, meeting, 0, vec![organizer(created())]).await;
}

pub async fn meeting_with_posts(store: &dyn Store, posts: usize) -> (MeetingId, Vec<PostId>) {
    let meeting = new_meeting();
    let mut events = vec![organizer(created())];
    events.extend((0..posts).map(|i| organizer(question(&format!("Spørgsmål {i}")))));
    let stored = commit(store, meeting, 0, events).await;
    let ids = stored[1..].iter().map(|e| PostId(e.seq)).collect();
    (meeting, ids)
}

fn vote(meeting: MeetingId, post: PostId, participant: ParticipantId, up: bool) -> VoteChange {
    VoteChange {
        meeting,
        post,
        participant,
        up,
    }
}

fn counts(pairs: &[(PostId, u32)]) -> HashMap<PostId, u32> {
    pairs.iter().copied().collect()
}

// ---------------------------------------------------------------------------------------------
// Checks

pub async fn kind_and_ping(store: Arc<dyn Store>) {
    assert!(!store.kind().is_empty());
    store.ping().await.expect("ping");
}

/// Seqs start at 1, follow each other without gaps, and come back in order.
pub async fn appends_gapless_seqs_from_one(store: Arc<dyn Store>) {
    let store = store.as_ref();
    let meeting = new_meeting();
    assert_eq!(store.last_seq(meeting).await.expect("last_seq"), None);

    let first = commit(store, meeting, 0, vec![organizer(created())]).await;
    assert_eq!(seqs(&first), vec![1]);
    assert_eq!(store.last_seq(meeting).await.expect("last_seq"), Some(1));

    let batch = vec![
        organizer(question("a")),
        organizer(question("b")),
        organizer(question("c")),
    ];
    let kinds: Vec<EventKind> = batch.iter().map(|p| p.kind.clone()).collect();
    let next = commit(store, meeting, 1, batch).await;
    assert_eq!(seqs(&next), vec![2, 3, 4]);
    assert_eq!(
        next.iter().map(|e| e.kind.clone()).collect::<Vec<_>>(),
        kinds,
        "events come back in the order given"
    );
    assert_eq!(store.last_seq(meeting).await.expect("last_seq"), Some(4));

    let all = store.events(meeting, 0, None).await.expect("events");
    assert_eq!(seqs(&all), vec![1, 2, 3, 4]);
    assert_eq!(all[..1], first[..]);
    assert_eq!(all[1..], next[..]);
}

/// An append that does not follow the latest seq writes nothing and reports the latest seq.
pub async fn conflicts_on_wrong_expected_seq(store: Arc<dyn Store>) {
    let store = store.as_ref();

    // Unknown meeting: latest is 0, and the meeting is not created.
    let missing = new_meeting();
    assert_eq!(
        conflict(store, missing, 3, vec![organizer(created())]).await,
        0
    );
    assert_eq!(store.last_seq(missing).await.expect("last_seq"), None);
    assert!(store
        .events(missing, 0, None)
        .await
        .expect("events")
        .is_empty());
    assert!(!store.meetings().await.expect("meetings").contains(&missing));

    let (meeting, _) = meeting_with_posts(store, 2).await; // seqs 1..=3
    let before = store.events(meeting, 0, None).await.expect("events");

    // Creating it again, lagging behind, or running ahead all conflict.
    for expected in [0, 1, 2, 4, 100] {
        let latest = conflict(store, meeting, expected, vec![organizer(question("x"))]).await;
        assert_eq!(latest, 3, "expected_seq {expected}");
    }
    assert_eq!(store.last_seq(meeting).await.expect("last_seq"), Some(3));
    assert_eq!(
        store.events(meeting, 0, None).await.expect("events"),
        before
    );

    // Deciding again at the latest seq succeeds.
    let next = commit(store, meeting, 3, vec![organizer(question("y"))]).await;
    assert_eq!(seqs(&next), vec![4]);
}

/// Many writers on one meeting, each retrying after a conflict: every seq has exactly one
/// winner and the log stays gapless.
pub async fn concurrent_appends_are_race_free(store: Arc<dyn Store>) {
    const TASKS: usize = 8;
    const PER_TASK: usize = 25;
    let meeting = new_meeting();

    let mut tasks = Vec::new();
    for task in 0..TASKS {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let writer = new_participant();
            // Every task starts by trying to create the meeting, so at least TASKS - 1
            // conflicts are certain.
            let mut expected: Seq = 0;
            let mut mine: Vec<Event> = Vec::new();
            let mut conflicts = 0usize;
            while mine.len() < PER_TASK {
                let kind = if expected == 0 {
                    created()
                } else {
                    question(&format!("task {task} post {}", mine.len()))
                };
                let pending = by(Actor::Participant { id: writer }, kind);
                match store
                    .append(meeting, expected, vec![pending.clone()], None)
                    .await
                    .expect("append")
                {
                    AppendOutcome::Committed(events) => {
                        assert_eq!(events.len(), 1);
                        let event = &events[0];
                        assert_eq!(event.seq, expected + 1);
                        assert_eq!(event.kind, pending.kind);
                        expected = event.seq;
                        mine.push(event.clone());
                    }
                    AppendOutcome::Conflict { latest } => {
                        assert!(
                            latest > expected,
                            "the log only grows: latest {latest} after {expected}"
                        );
                        conflicts += 1;
                        expected = latest;
                    }
                    AppendOutcome::Duplicate { .. } => panic!("no idempotency key was given"),
                }
            }
            (mine, conflicts)
        }));
    }

    let mut committed: Vec<Event> = Vec::new();
    let mut conflicts = 0;
    for task in tasks {
        let (mine, task_conflicts) = task.await.expect("writer task");
        committed.extend(mine);
        conflicts += task_conflicts;
    }
    committed.sort_by_key(|e| e.seq);

    let total = (TASKS * PER_TASK) as Seq;
    assert_eq!(
        seqs(&committed),
        (1..=total).collect::<Vec<_>>(),
        "each seq committed exactly once"
    );
    assert!(conflicts >= TASKS - 1, "only {conflicts} conflicts");
    assert_eq!(
        store.last_seq(meeting).await.expect("last_seq"),
        Some(total)
    );
    assert_eq!(
        store.events(meeting, 0, None).await.expect("events"),
        committed,
        "the stored log is exactly what the winners were told"
    );
}

/// A key is recorded with its events; a retry gets the first response and writes nothing.
pub async fn idempotency_returns_first_response(store: Arc<dyn Store>) {
    let store = store.as_ref();
    let meeting = new_meeting();
    let key = unique("key");

    let first = store
        .append(
            meeting,
            0,
            vec![organizer(created())],
            idem("organizer", &key, r#"{"seq":1}"#),
        )
        .await
        .expect("append");
    assert!(matches!(first, AppendOutcome::Committed(ref e) if seqs(e) == vec![1]));
    assert_eq!(
        store
            .idempotent_response(meeting, "organizer", &key)
            .await
            .expect("idempotent_response")
            .as_deref(),
        Some(r#"{"seq":1}"#)
    );

    // A retry, at the current seq or at the stale one, gets the first response.
    for expected in [1, 0] {
        let retry = store
            .append(
                meeting,
                expected,
                vec![organizer(question("again"))],
                idem("organizer", &key, "second"),
            )
            .await
            .expect("append");
        match retry {
            AppendOutcome::Duplicate { response, index } => {
                assert_eq!((index, response.as_str()), (0, r#"{"seq":1}"#));
            }
            other => panic!("expected a duplicate, got {other:?}"),
        }
    }
    assert_eq!(store.last_seq(meeting).await.expect("last_seq"), Some(1));
    assert_eq!(
        store.events(meeting, 0, None).await.expect("events").len(),
        1
    );

    // Keys are per scope and per meeting.
    let other_scope = store
        .append(
            meeting,
            1,
            vec![organizer(question("mine"))],
            idem("participant-a", &key, "other scope"),
        )
        .await
        .expect("append");
    assert!(matches!(other_scope, AppendOutcome::Committed(ref e) if seqs(e) == vec![2]));
    let other_meeting = new_meeting();
    let elsewhere = store
        .append(
            other_meeting,
            0,
            vec![organizer(created())],
            idem("organizer", &key, "other meeting"),
        )
        .await
        .expect("append");
    assert!(matches!(elsewhere, AppendOutcome::Committed(_)));
    assert_eq!(
        store
            .idempotent_response(meeting, "organizer", &key)
            .await
            .expect("idempotent_response")
            .as_deref(),
        Some(r#"{"seq":1}"#)
    );
    assert_eq!(
        store
            .idempotent_response(meeting, "participant-a", &key)
            .await
            .expect("idempotent_response")
            .as_deref(),
        Some("other scope")
    );
    assert_eq!(
        store
            .idempotent_response(other_meeting, "organizer", &key)
            .await
            .expect("idempotent_response")
            .as_deref(),
        Some("other meeting")
    );

    // A conflicting append records its key no more than its events.
    let key2 = unique("key");
    let lost = store
        .append(
            meeting,
            0,
            vec![organizer(question("late"))],
            idem("organizer", &key2, "late"),
        )
        .await
        .expect("append");
    assert!(matches!(lost, AppendOutcome::Conflict { latest: 2 }));
    assert_eq!(
        store
            .idempotent_response(meeting, "organizer", &key2)
            .await
            .expect("idempotent_response"),
        None
    );
    let decided_again = store
        .append(
            meeting,
            2,
            vec![organizer(question("late"))],
            idem("organizer", &key2, "late"),
        )
        .await
        .expect("append");
    assert!(matches!(decided_again, AppendOutcome::Committed(ref e) if seqs(e) == vec![3]));

    assert_eq!(
        store
            .idempotent_response(meeting, "organizer", "never-used")
            .await
            .expect("idempotent_response"),
        None
    );
    assert_eq!(
        store
            .idempotent_response(new_meeting(), "organizer", &key)
            .await
            .expect("idempotent_response"),
        None
    );
}

/// A group commit's append: every command's key is recorded with the group's events; a key
/// used before writes nothing of the group and names which record it was.
pub async fn group_appends_record_every_key_or_none(store: Arc<dyn Store>) {
    let store = store.as_ref();
    let meeting = new_meeting();
    let (a, b, c) = (unique("a"), unique("b"), unique("c"));
    let record = |scope: &str, key: &str, response: &str| IdempotencyRecord {
        scope: scope.into(),
        key: key.into(),
        response: response.into(),
    };
    store
        .append(meeting, 0, vec![organizer(created())], None)
        .await
        .expect("append");
    let group = store
        .append_group(
            meeting,
            1,
            vec![organizer(question("one")), organizer(question("two"))],
            vec![record("p1", &a, "first"), record("p2", &b, "second")],
        )
        .await
        .expect("append_group");
    assert!(matches!(group, AppendOutcome::Committed(ref e) if seqs(e) == vec![2, 3]));
    for (scope, key, response) in [("p1", &a, "first"), ("p2", &b, "second")] {
        assert_eq!(
            store
                .idempotent_response(meeting, scope, key)
                .await
                .expect("idempotent_response")
                .as_deref(),
            Some(response)
        );
    }

    // The second record's key was used: nothing of this group is written, not even `c`.
    let again = store
        .append_group(
            meeting,
            3,
            vec![organizer(question("three")), organizer(question("four"))],
            vec![record("p3", &c, "third"), record("p2", &b, "repeat")],
        )
        .await
        .expect("append_group");
    match again {
        AppendOutcome::Duplicate { response, index } => {
            assert_eq!((index, response.as_str()), (1, "second"));
        }
        other => panic!("expected a duplicate, got {other:?}"),
    }
    assert_eq!(store.last_seq(meeting).await.expect("last_seq"), Some(3));
    assert_eq!(
        store
            .idempotent_response(meeting, "p3", &c)
            .await
            .expect("idempotent_response"),
        None
    );
}

/// Personal text comes back on read, exactly (also empty and non-ASCII text), and text that
/// was already gone stays gone with its hash.
pub async fn contents_are_restored_on_read(store: Arc<dyn Store>) {
    let store = store.as_ref();
    let meeting = new_meeting();
    let citizen = new_participant();
    let panelist = new_participant();
    let mut erased = Content::new("this text was erased");
    erased.text = None;

    let events = vec![
        organizer(created()),
        by(
            Actor::Participant { id: citizen },
            EventKind::ParticipantJoined {
                participant: citizen,
                display_name: Content::new("Åse Ørsted-Ærø 🚲"),
                age_band: Some(AgeBand::From60To74),
                gender: Some(Gender::Woman),
            },
        ),
        by(
            Actor::Participant { id: citizen },
            question("Hvornår bliver stien\nfærdig? <b>\"nu\"</b> & 'snart'"),
        ),
        by(
            Actor::Participant { id: panelist },
            EventKind::PostCreated {
                post_kind: PostKind::Question,
                parent: None,
                body: Content::new(""),
                source: Source::Room {
                    name: Some(Content::new("Ole fra salen")),
                },
                held: None,
            },
        ),
        by(
            Actor::Participant { id: panelist },
            EventKind::QuestionAnswered {
                post: PostId(3),
                answer: Answer::Written {
                    body: Content::new("Til **sommer**, se [planen](https://example.org)."),
                },
            },
        ),
        by(
            Actor::Participant { id: citizen },
            EventKind::PostCreated {
                post_kind: PostKind::Comment,
                parent: Some(PostId(3)),
                body: erased.clone(),
                source: Source::Online,
                held: None,
            },
        ),
    ];
    let kinds: Vec<EventKind> = events.iter().map(|p| p.kind.clone()).collect();

    let committed = commit(store, meeting, 0, events).await;
    assert_eq!(
        committed.iter().map(|e| e.kind.clone()).collect::<Vec<_>>(),
        kinds,
        "the committed events carry their text"
    );
    let read = store.events(meeting, 0, None).await.expect("events");
    assert_eq!(read, committed, "text restored on read");

    match &read[5].kind {
        EventKind::PostCreated { body, .. } => {
            assert_eq!(body.text, None);
            assert_eq!(body.hash, erased.hash);
        }
        other => panic!("unexpected {other:?}"),
    }
    match &read[3].kind {
        EventKind::PostCreated { body, .. } => assert_eq!(body.text.as_deref(), Some("")),
        other => panic!("unexpected {other:?}"),
    }
}

/// `events(after, up_to)` returns seqs `after+1 ..= up_to`.
pub async fn events_ranges(store: Arc<dyn Store>) {
    let store = store.as_ref();
    let (meeting, _) = meeting_with_posts(store, 9).await; // seqs 1..=10

    let range = |after: Seq, up_to: Option<Seq>| async move {
        seqs(&store.events(meeting, after, up_to).await.expect("events"))
    };
    assert_eq!(range(0, None).await, (1..=10).collect::<Vec<_>>());
    assert_eq!(range(3, None).await, (4..=10).collect::<Vec<_>>());
    assert_eq!(range(3, Some(5)).await, vec![4, 5]);
    assert_eq!(range(0, Some(1)).await, vec![1]);
    assert_eq!(range(9, Some(10)).await, vec![10]);
    assert_eq!(range(0, Some(100)).await, (1..=10).collect::<Vec<_>>());
    assert_eq!(range(5, Some(5)).await, Vec::<Seq>::new());
    assert_eq!(range(7, Some(3)).await, Vec::<Seq>::new());
    assert_eq!(range(10, None).await, Vec::<Seq>::new());
    assert_eq!(range(50, None).await, Vec::<Seq>::new());
    assert_eq!(range(0, Some(0)).await, Vec::<Seq>::new());
    assert_eq!(range(u64::MAX, None).await, Vec::<Seq>::new());
    assert_eq!(range(8, Some(u64::MAX)).await, vec![9, 10]);

    assert!(store
        .events(new_meeting(), 0, None)
        .await
        .expect("events")
        .is_empty());
}

pub async fn last_seq_of_unknown_meeting_is_none(store: Arc<dyn Store>) {
    assert_eq!(store.last_seq(new_meeting()).await.expect("last_seq"), None);
}

/// Meetings are listed once each, oldest first; ids that never committed are not listed.
pub async fn meetings_are_listed_oldest_first(store: Arc<dyn Store>) {
    let store = store.as_ref();
    let mut mine = Vec::new();
    for _ in 0..3 {
        let (meeting, _) = meeting_with_posts(store, 0).await;
        mine.push(meeting);
    }
    let never = new_meeting();
    let _ = conflict(store, never, 1, vec![organizer(created())]).await;

    let listed = store.meetings().await.expect("meetings");
    let positions: Vec<usize> = mine
        .iter()
        .map(|m| {
            let found: Vec<usize> = listed
                .iter()
                .enumerate()
                .filter(|(_, l)| *l == m)
                .map(|(i, _)| i)
                .collect();
            assert_eq!(found.len(), 1, "meeting {m} listed {} times", found.len());
            found[0]
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "oldest first: {positions:?}"
    );
    assert!(!listed.contains(&never));

    // A later append to an old meeting does not move it.
    commit(store, mine[0], 1, vec![organizer(question("later"))]).await;
    let listed = store.meetings().await.expect("meetings");
    let first = listed.iter().position(|m| *m == mine[0]).expect("listed");
    let last = listed.iter().position(|m| *m == mine[2]).expect("listed");
    assert!(first < last);
}

/// Votes: set, set again (no-op), clear, clear again (no-op), batches in order, counts per
/// meeting, and per change whether it changed anything.
pub async fn votes_set_clear_and_count(store: Arc<dyn Store>) {
    let store = store.as_ref();
    let (meeting, posts) = meeting_with_posts(store, 3).await;
    let (other, other_posts) = meeting_with_posts(store, 1).await;
    let (a, b, c) = (posts[0], posts[1], posts[2]);
    let (p1, p2, p3) = (new_participant(), new_participant(), new_participant());

    assert!(store.vote_counts(meeting).await.expect("counts").is_empty());
    assert_eq!(
        store.write_votes(&[]).await.expect("empty batch"),
        Vec::<bool>::new()
    );

    let changed = store
        .write_votes(&[
            vote(meeting, a, p1, true),
            vote(meeting, a, p2, true),
            vote(meeting, b, p1, true),
            vote(other, other_posts[0], p1, true),
        ])
        .await
        .expect("write_votes");
    assert_eq!(changed, vec![true; 4]);
    assert_eq!(
        store.vote_counts(meeting).await.expect("counts"),
        counts(&[(a, 2), (b, 1)]),
        "posts without votes are absent"
    );
    assert_eq!(
        store.vote_counts(other).await.expect("counts"),
        counts(&[(other_posts[0], 1)])
    );
    let mut of_p1 = store.votes_of(meeting, p1).await.expect("votes_of");
    of_p1.sort();
    assert_eq!(of_p1, vec![a, b]);
    assert_eq!(
        store.votes_of(meeting, p3).await.expect("votes_of"),
        Vec::<PostId>::new()
    );

    // Setting a set vote and clearing an unset one change nothing, and say so.
    let changed = store
        .write_votes(&[vote(meeting, a, p1, true), vote(meeting, c, p3, false)])
        .await
        .expect("write_votes");
    assert_eq!(changed, vec![false, false]);
    assert_eq!(
        store.vote_counts(meeting).await.expect("counts"),
        counts(&[(a, 2), (b, 1)])
    );

    // Clearing.
    let changed = store
        .write_votes(&[vote(meeting, a, p2, false)])
        .await
        .expect("write_votes");
    assert_eq!(changed, vec![true]);
    assert_eq!(
        store.vote_counts(meeting).await.expect("counts"),
        counts(&[(a, 1), (b, 1)])
    );
    assert!(store
        .votes_of(meeting, p2)
        .await
        .expect("votes_of")
        .is_empty());

    // A batch applies in order: up then down is down, down then up is up; a repeat within
    // the batch is a no-op.
    let changed = store
        .write_votes(&[
            vote(meeting, c, p3, true),
            vote(meeting, c, p3, false),
            vote(meeting, b, p2, false),
            vote(meeting, b, p2, true),
            vote(meeting, b, p2, true),
        ])
        .await
        .expect("write_votes");
    assert_eq!(changed, vec![true, true, false, true, false]);
    assert_eq!(
        store.vote_counts(meeting).await.expect("counts"),
        counts(&[(a, 1), (b, 2)])
    );

    // The other meeting was never touched.
    assert_eq!(
        store.vote_counts(other).await.expect("counts"),
        counts(&[(other_posts[0], 1)])
    );
    assert_eq!(
        store.votes_of(other, p1).await.expect("votes_of"),
        vec![other_posts[0]]
    );
}

/// `QuestionMerged` moves the merged question's votes to the target in the same append; a
/// participant who voted for both keeps one vote.
pub async fn merge_moves_votes(store: Arc<dyn Store>) {
    let store = store.as_ref();
    let (meeting, posts) = meeting_with_posts(store, 3).await; // seqs 1..=4
    let (other, other_posts) = meeting_with_posts(store, 3).await; // same post ids
    assert_eq!(posts, other_posts);
    let (a, b, c) = (posts[0], posts[1], posts[2]);
    let (p1, p2, p3, p4) = (
        new_participant(),
        new_participant(),
        new_participant(),
        new_participant(),
    );
    let mut changes = Vec::new();
    for m in [meeting, other] {
        changes.extend([
            vote(m, a, p1, true),
            vote(m, b, p1, true),
            vote(m, a, p2, true),
            vote(m, b, p3, true),
            vote(m, c, p4, true),
        ]);
    }
    let changed = store.write_votes(&changes).await.expect("write_votes");
    assert_eq!(changed, vec![true; changes.len()]);
    let before = counts(&[(a, 2), (b, 2), (c, 1)]);
    assert_eq!(store.vote_counts(meeting).await.expect("counts"), before);

    let merge = || organizer(EventKind::QuestionMerged { post: a, into: b });

    // A merge that loses its race moves nothing.
    assert_eq!(conflict(store, meeting, 2, vec![merge()]).await, 4);
    assert_eq!(store.vote_counts(meeting).await.expect("counts"), before);

    let merged = commit(store, meeting, 4, vec![merge()]).await;
    assert_eq!(seqs(&merged), vec![5]);
    assert_eq!(
        store.vote_counts(meeting).await.expect("counts"),
        counts(&[(b, 3), (c, 1)])
    );
    assert_eq!(
        store.votes_of(meeting, p1).await.expect("votes_of"),
        vec![b]
    );
    assert_eq!(
        store.votes_of(meeting, p2).await.expect("votes_of"),
        vec![b]
    );
    assert_eq!(
        store.votes_of(meeting, p3).await.expect("votes_of"),
        vec![b]
    );
    assert_eq!(
        store.votes_of(meeting, p4).await.expect("votes_of"),
        vec![c]
    );

    // Same post ids in another meeting: untouched.
    assert_eq!(store.vote_counts(other).await.expect("counts"), before);
}

/// Sessions and staff capabilities are one kind of table: records under a secret's hash, for
/// a (meeting, participant), read by the hash, deleted per (meeting, participant).
trait SecretTable {
    type Record: Clone + PartialEq + std::fmt::Debug;
    fn record(meeting: MeetingId, participant: ParticipantId) -> Self::Record;
    fn hash(record: &Self::Record) -> &str;
    async fn put(&self, record: Self::Record);
    async fn get(&self, hash: &str) -> Option<Self::Record>;
    async fn delete(&self, meeting: MeetingId, participant: ParticipantId);
}

struct Sessions<'a>(&'a dyn Store);
struct Capabilities<'a>(&'a dyn Store);

impl SecretTable for Sessions<'_> {
    type Record = SessionRecord;
    fn record(meeting: MeetingId, participant: ParticipantId) -> SessionRecord {
        SessionRecord {
            token_hash: unique("token"),
            meeting,
            participant,
            created_at: now(),
        }
    }
    fn hash(record: &SessionRecord) -> &str {
        &record.token_hash
    }
    async fn put(&self, record: SessionRecord) {
        self.0.put_session(record).await.expect("put_session");
    }
    async fn get(&self, hash: &str) -> Option<SessionRecord> {
        self.0.session(hash).await.expect("session")
    }
    async fn delete(&self, meeting: MeetingId, participant: ParticipantId) {
        self.0
            .delete_sessions(meeting, participant)
            .await
            .expect("delete_sessions");
    }
}

impl SecretTable for Capabilities<'_> {
    type Record = CapabilityRecord;
    fn record(meeting: MeetingId, participant: ParticipantId) -> CapabilityRecord {
        CapabilityRecord {
            secret_hash: unique("secret"),
            meeting,
            participant,
            created_at: now(),
        }
    }
    fn hash(record: &CapabilityRecord) -> &str {
        &record.secret_hash
    }
    async fn put(&self, record: CapabilityRecord) {
        self.0.put_capability(record).await.expect("put_capability");
    }
    async fn get(&self, hash: &str) -> Option<CapabilityRecord> {
        self.0.capability(hash).await.expect("capability")
    }
    async fn delete(&self, meeting: MeetingId, participant: ParticipantId) {
        self.0
            .delete_capability(meeting, participant)
            .await
            .expect("delete_capability");
    }
}

/// Put, read back, miss an unknown hash, delete one (meeting, participant) only, and delete
/// nothing without an error.
async fn secrets_put_get_delete<T: SecretTable>(table: T) {
    let (meeting, other) = (new_meeting(), new_meeting());
    let (p, q) = (new_participant(), new_participant());
    let records = [
        T::record(meeting, p),
        T::record(meeting, p),
        T::record(meeting, q),
        T::record(other, p),
    ];
    for record in &records {
        table.put(record.clone()).await;
    }
    for record in &records {
        assert_eq!(table.get(T::hash(record)).await, Some(record.clone()));
    }
    let unknown = T::record(meeting, p);
    assert_eq!(table.get(T::hash(&unknown)).await, None);

    table.delete(meeting, p).await;
    let mut after = Vec::new();
    for record in &records {
        after.push(table.get(T::hash(record)).await);
    }
    assert_eq!(
        after,
        [
            None,
            None,
            Some(records[2].clone()),
            Some(records[3].clone())
        ]
    );
    table.delete(meeting, p).await;
}

pub async fn sessions_put_get_delete(store: Arc<dyn Store>) {
    secrets_put_get_delete(Sessions(store.as_ref())).await;
}

pub async fn capabilities_put_get_delete(store: Arc<dyn Store>) {
    secrets_put_get_delete(Capabilities(store.as_ref())).await;
}

pub async fn settings_put_get_overwrite(store: Arc<dyn Store>) {
    let (key, other) = (unique("setting"), unique("setting"));
    assert_eq!(store.setting(&key).await.expect("setting"), None);
    store.put_setting(&key, "first").await.expect("put");
    store.put_setting(&other, "other").await.expect("put");
    assert_eq!(
        store.setting(&key).await.expect("setting").as_deref(),
        Some("first")
    );
    store.put_setting(&key, "sëcond ✓").await.expect("put");
    assert_eq!(
        store.setting(&key).await.expect("setting").as_deref(),
        Some("sëcond ✓")
    );
    assert_eq!(
        store.setting(&other).await.expect("setting").as_deref(),
        Some("other")
    );
}

/// Presence samples: per meeting, oldest first, a repeat of (meeting, time, instance) replaces
/// the count, other meetings stay apart.
pub async fn presence_samples_record_and_read(store: Arc<dyn Store>) {
    let (m, other) = (
        MeetingId(uuid::Uuid::new_v4()),
        MeetingId(uuid::Uuid::new_v4()),
    );
    let (a, b) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    let t0 = chrono::DateTime::parse_from_rfc3339("2013-09-24T19:00:00.123456Z")
        .expect("time")
        .with_timezone(&chrono::Utc);
    let t1 = t0 + chrono::Duration::seconds(60);
    assert!(store.presence_samples(m).await.expect("read").is_empty());
    store.record_presence(m, t1, a, 7).await.expect("record");
    store.record_presence(m, t0, a, 3).await.expect("record");
    store.record_presence(m, t0, b, 4).await.expect("record");
    store.record_presence(m, t0, a, 5).await.expect("replace");
    store
        .record_presence(other, t0, a, 99)
        .await
        .expect("record");
    let got: Vec<(chrono::DateTime<chrono::Utc>, uuid::Uuid, u32)> = store
        .presence_samples(m)
        .await
        .expect("read")
        .into_iter()
        .map(|s| (s.minute, s.instance, s.viewers))
        .collect();
    let mut at_t0 = vec![(t0, a, 5), (t0, b, 4)];
    at_t0.sort_by_key(|x| x.1);
    let mut expected = at_t0;
    expected.push((t1, a, 7));
    assert_eq!(got, expected);
}

/// Every event kind, with every field, comes back exactly as appended (in one batch and one
/// by one).
pub async fn every_event_kind_round_trips(store: Arc<dyn Store>) {
    let store = store.as_ref();
    let (moderator, citizen) = (new_participant(), new_participant());
    let kinds = every_event_kind(moderator, citizen, now());
    let covered: HashSet<usize> = kinds.iter().map(kind_index).collect();
    assert_eq!(
        covered.len(),
        EVENT_KINDS,
        "every event kind is in the list"
    );

    let actors = [
        Actor::Organizer,
        Actor::Participant { id: moderator },
        Actor::Participant { id: citizen },
    ];
    let pending: Vec<PendingEvent> = kinds
        .iter()
        .enumerate()
        .map(|(i, kind)| PendingEvent {
            at: now() - Duration::seconds(i as i64) + Duration::microseconds(i as i64 * 7),
            actor: actors[i % actors.len()],
            kind: kind.clone(),
        })
        .collect();

    // In one batch.
    let meeting = new_meeting();
    let committed = commit(store, meeting, 0, pending.clone()).await;
    let expected: Vec<Event> = pending
        .iter()
        .enumerate()
        .map(|(i, p)| Event {
            seq: i as Seq + 1,
            at: p.at,
            actor: p.actor,
            kind: p.kind.clone(),
        })
        .collect();
    assert_eq!(committed, expected);
    // Retention (the last event) stripped the per-person demographics of every join.
    let mut stored = expected.clone();
    for e in &mut stored {
        if let EventKind::ParticipantJoined {
            age_band, gender, ..
        } = &mut e.kind
        {
            *age_band = None;
            *gender = None;
        }
    }
    assert_ne!(stored, expected, "the list has demographics to strip");
    assert_eq!(
        store.events(meeting, 0, None).await.expect("events"),
        stored
    );

    // One by one.
    let meeting = new_meeting();
    for (i, p) in pending.iter().enumerate() {
        commit(store, meeting, i as Seq, vec![p.clone()]).await;
    }
    assert_eq!(
        store.events(meeting, 0, None).await.expect("events"),
        stored
    );
}

// ---------------------------------------------------------------------------------------------
// The audit chain, erasure, retention and the privacy notice

/// `chain` returns every row in seq order, decoded without text, each with the link of the
/// chain up to it (`audit::link` from the genesis link), and the head on the meeting row is
/// the last link, also across several appends. An unknown meeting has no chain.
pub async fn chain_links_every_event_up_to_the_head(store: Arc<dyn Store>) {
    let store = store.as_ref();
    assert!(store.chain(new_meeting()).await.expect("chain").is_none());

    let meeting = new_meeting();
    let citizen = new_participant();
    let mut events = commit(
        store,
        meeting,
        0,
        vec![
            organizer(created()),
            organizer(question("Første spørgsmål")),
        ],
    )
    .await;
    events.extend(
        commit(
            store,
            meeting,
            2,
            vec![by(
                Actor::Participant { id: citizen },
                EventKind::ParticipantJoined {
                    participant: citizen,
                    display_name: Content::new("Lone"),
                    age_band: None,
                    gender: Some(Gender::Woman),
                },
            )],
        )
        .await,
    );
    events.extend(commit(store, meeting, 3, vec![organizer(question("Andet"))]).await);

    let chain = store.chain(meeting).await.expect("chain").expect("a chain");
    assert_eq!(chain.last_seq, 4);
    assert_eq!(
        chain.rows.iter().map(|r| r.seq).collect::<Vec<_>>(),
        vec![1, 2, 3, 4]
    );
    let mut link = audit::GENESIS;
    for (row, event) in chain.rows.iter().zip(&events) {
        link = audit::link(&link, event);
        assert_eq!(
            row.link.as_deref(),
            Some(hex::encode(link).as_str()),
            "seq {}",
            row.seq
        );
        let mut without_text = event.clone();
        for content in without_text.kind.contents_mut() {
            content.text = None;
        }
        assert_eq!(row.event.as_ref(), Ok(&without_text));
    }
    assert_eq!(chain.head.as_deref(), Some(hex::encode(link).as_str()));
}

/// Join, two posts by two people, then an erasure naming the first person's name and post:
/// those texts read as erased (hashes kept), the other post keeps its text, every seq stays;
/// `scrub` then succeeds (SQLite answers `Unavailable` while a reader holds the WAL, so it is
/// retried as the hub does) and the log reads the same and takes the next append.
pub async fn erasure_deletes_the_named_texts_and_scrub_succeeds(store: Arc<dyn Store>) {
    let store = store.as_ref();
    let meeting = new_meeting();
    let (erased, other) = (new_participant(), new_participant());
    let joined = |id: ParticipantId, name: &str| {
        by(
            Actor::Participant { id },
            EventKind::ParticipantJoined {
                participant: id,
                display_name: Content::new(name),
                age_band: Some(AgeBand::From30To44),
                gender: None,
            },
        )
    };
    let before = commit(
        store,
        meeting,
        0,
        vec![
            organizer(created()),
            joined(erased, "Karen Kløvermark"),
            by(Actor::Participant { id: erased }, question("Mit spørgsmål")),
            by(
                Actor::Participant { id: other },
                question("Et andet spørgsmål"),
            ),
        ],
    )
    .await;
    commit(
        store,
        meeting,
        4,
        vec![organizer(EventKind::ParticipantErased {
            participant: erased,
            contents: vec![
                ContentRef { seq: 2, slot: 0 },
                ContentRef { seq: 3, slot: 0 },
            ],
        })],
    )
    .await;

    let check = |read: Vec<Event>| {
        assert_eq!(seqs(&read), vec![1, 2, 3, 4, 5]);
        for (i, seq) in [(1, 2), (2, 3)] {
            let (now, was) = (&read[i], &before[i]);
            let mut erased_text = was.kind.clone();
            erased_text.contents_mut()[0].text = None;
            assert_eq!(now.kind, erased_text, "seq {seq}: text gone, hash kept");
        }
        assert_eq!(read[3], before[3], "the other person's post keeps its text");
    };
    check(store.events(meeting, 0, None).await.expect("events"));

    let mut attempts = 0;
    loop {
        match store.scrub().await {
            Ok(()) => break,
            Err(StoreError::Unavailable(_)) if attempts < 50 => {
                attempts += 1;
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            Err(e) => panic!("scrub: {e:?}"),
        }
    }
    check(store.events(meeting, 0, None).await.expect("events"));
    commit(store, meeting, 5, vec![organizer(question("Efter"))]).await;
}

/// Meetings closed before the cut are due, oldest close first; one closed after it, one not
/// closed, and one already pseudonymized are not. Pseudonymizing deletes the names it lists,
/// strips every join's age band and gender, keeps the posts, and ends the meeting's turn.
pub async fn retention_finds_closed_meetings_until_pseudonymized(store: Arc<dyn Store>) {
    let store = store.as_ref();
    let cut = now() - Duration::days(1);
    let citizen = new_participant();
    let closed_at = |meeting: MeetingId, at: DateTime<Utc>| async move {
        let last = store
            .last_seq(meeting)
            .await
            .expect("last_seq")
            .unwrap_or(0);
        commit(
            store,
            meeting,
            last,
            vec![PendingEvent {
                at,
                actor: Actor::Organizer,
                kind: EventKind::MeetingClosed,
            }],
        )
        .await;
    };

    let (older, old, recent, open) = (new_meeting(), new_meeting(), new_meeting(), new_meeting());
    commit(
        store,
        older,
        0,
        vec![
            organizer(created()),
            by(
                Actor::Participant { id: citizen },
                EventKind::ParticipantJoined {
                    participant: citizen,
                    display_name: Content::new("Ib"),
                    age_band: Some(AgeBand::From18To29),
                    gender: Some(Gender::Man),
                },
            ),
            by(
                Actor::Participant { id: citizen },
                question("Bliver det godt?"),
            ),
        ],
    )
    .await;
    for meeting in [old, recent, open] {
        create_meeting(store, meeting).await;
    }
    closed_at(old, now() - Duration::days(2)).await;
    closed_at(older, now() - Duration::days(3)).await;
    closed_at(recent, now()).await;

    let due = store
        .meetings_due_for_retention(cut)
        .await
        .expect("due for retention");
    let position = |m: MeetingId| due.iter().position(|d| *d == m);
    let (Some(first), Some(second)) = (position(older), position(old)) else {
        panic!("both meetings closed before the cut are due: {due:?}");
    };
    assert!(first < second, "oldest close first: {due:?}");
    assert_eq!(position(recent), None, "closed after the cut");
    assert_eq!(position(open), None, "not closed");

    let counts = vec![DemographicCount {
        dimension: "gender".into(),
        value: "man".into(),
        count: 1,
    }];
    commit(
        store,
        older,
        4,
        vec![organizer(EventKind::PersonalDataPseudonymized {
            contents: vec![ContentRef { seq: 2, slot: 0 }],
            aggregates: counts,
        })],
    )
    .await;
    let due = store
        .meetings_due_for_retention(cut)
        .await
        .expect("due for retention");
    assert!(!due.contains(&older), "pseudonymized: {due:?}");
    assert!(due.contains(&old), "{due:?}");

    let read = store.events(older, 0, None).await.expect("events");
    match &read[1].kind {
        EventKind::ParticipantJoined {
            display_name,
            age_band,
            gender,
            ..
        } => {
            assert_eq!(display_name.text, None);
            assert_eq!(display_name.hash, Content::new("Ib").hash);
            assert_eq!((age_band, gender), (&None, &None));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        read[2].kind,
        question("Bliver det godt?"),
        "posts stay with their text"
    );
}

/// No notice until one is set; setting replaces, clearing removes, and each meeting has its
/// own.
pub async fn privacy_notice_set_read_clear(store: Arc<dyn Store>) {
    let store = store.as_ref();
    let (meeting, other) = (new_meeting(), new_meeting());
    create_meeting(store, meeting).await;
    create_meeting(store, other).await;
    assert_eq!(store.privacy_notice(meeting).await.expect("notice"), None);

    let first = "## Dine data\nVi gemmer **intet** om dig.".to_owned();
    store
        .put_privacy_notice(meeting, Some(first.clone()))
        .await
        .expect("put");
    assert_eq!(
        store.privacy_notice(meeting).await.expect("notice"),
        Some(first)
    );
    assert_eq!(store.privacy_notice(other).await.expect("notice"), None);

    let second = "Kontakt: dpo@kommune.dk".to_owned();
    store
        .put_privacy_notice(meeting, Some(second.clone()))
        .await
        .expect("replace");
    store
        .put_privacy_notice(other, Some("Andet møde".into()))
        .await
        .expect("put other");
    assert_eq!(
        store.privacy_notice(meeting).await.expect("notice"),
        Some(second)
    );

    store
        .put_privacy_notice(meeting, None)
        .await
        .expect("clear");
    assert_eq!(store.privacy_notice(meeting).await.expect("notice"), None);
    assert_eq!(
        store
            .privacy_notice(other)
            .await
            .expect("notice")
            .as_deref(),
        Some("Andet møde")
    );
}

// ---------------------------------------------------------------------------------------------
// Poll answers

/// A new meeting whose log is `MeetingCreated` followed by `polls` polls; returns their ids
/// (seqs 2, 3, ...).
pub async fn meeting_with_polls(store: &dyn Store, polls: usize) -> (MeetingId, Vec<PollId>) {
    let meeting = new_meeting();
    let mut events = vec![organizer(created())];
    events.extend((0..polls).map(|i| {
        organizer(EventKind::PollCreated {
            definition: PollDefinition {
                question: format!("Spørgsmål {i}?"),
                kind: PollKind::OpenAnswer,
                results: ResultsShown::Live,
                agenda_item: None,
            },
        })
    }));
    let stored = commit(store, meeting, 0, events).await;
    let ids = stored[1..].iter().map(|e| PollId(e.seq)).collect();
    (meeting, ids)
}

pub fn answer(
    meeting: MeetingId,
    poll: PollId,
    participant: ParticipantId,
    answer: PollAnswer,
    answered_at: DateTime<Utc>,
) -> PollAnswerRecord {
    PollAnswerRecord {
        meeting,
        poll,
        participant,
        answer,
        held: None,
        hidden: false,
        answered_at,
    }
}

pub fn pick(option: u8) -> PollAnswer {
    PollAnswer::Choice {
        picks: vec![option],
    }
}

pub fn open_text(text: &str) -> PollAnswer {
    PollAnswer::Text {
        text: text.to_owned(),
    }
}

/// The one stored answer of `participant` to `poll`.
async fn stored_answer(
    store: &dyn Store,
    meeting: MeetingId,
    poll: PollId,
    participant: ParticipantId,
) -> Option<PollAnswerRecord> {
    store
        .poll_answers_of(meeting, participant)
        .await
        .expect("poll_answers_of")
        .into_iter()
        .find(|a| a.poll == poll)
}

/// Retry `scrub` while SQLite answers `Unavailable` (a reader holds the WAL), as the hub does.
pub async fn scrub_retrying(store: &dyn Store) {
    let mut attempts = 0;
    loop {
        match store.scrub().await {
            Ok(()) => return,
            Err(StoreError::Unavailable(_)) if attempts < 50 => {
                attempts += 1;
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            Err(e) => panic!("scrub: {e:?}"),
        }
    }
}

/// A first answer inserts; the same answer again (even with another time, hold or hide)
/// changes nothing and keeps the first one's; a different answer replaces the row whole
/// (time, hold and hide from the new record). One row per poll and participant.
pub async fn poll_answers_upsert_and_the_same_answer_again_changes_nothing(store: Arc<dyn Store>) {
    let store = store.as_ref();
    let (meeting, polls) = meeting_with_polls(store, 2).await;
    let citizen = new_participant();
    let t0 = now() - Duration::seconds(30);
    let first = PollAnswerRecord {
        held: Some(HoldReason::Premoderation),
        ..answer(meeting, polls[0], citizen, open_text("Flere træer"), t0)
    };
    assert_eq!(
        store
            .write_poll_answers(std::slice::from_ref(&first))
            .await
            .expect("write"),
        vec![true]
    );
    assert_eq!(
        stored_answer(store, meeting, polls[0], citizen).await,
        Some(first.clone())
    );

    let again = PollAnswerRecord {
        held: None,
        hidden: true,
        answered_at: t0 + Duration::seconds(5),
        ..first.clone()
    };
    assert_eq!(
        store.write_poll_answers(&[again]).await.expect("write"),
        vec![false],
        "the same answer again"
    );
    assert_eq!(
        stored_answer(store, meeting, polls[0], citizen).await,
        Some(first.clone()),
        "time, hold and hide of the first stay"
    );

    assert!(store
        .moderate_poll_answer(meeting, polls[0], citizen, AnswerModeration::Hide)
        .await
        .expect("hide"));
    let changed = answer(
        meeting,
        polls[0],
        citizen,
        open_text("Færre biler"),
        t0 + Duration::seconds(10),
    );
    assert_eq!(
        store
            .write_poll_answers(std::slice::from_ref(&changed))
            .await
            .expect("write"),
        vec![true]
    );
    assert_eq!(
        stored_answer(store, meeting, polls[0], citizen).await,
        Some(changed.clone()),
        "replaced whole: the new text, time, no hold, not hidden"
    );

    // Another poll is another row; the first poll's row stays one row.
    let other = answer(meeting, polls[1], citizen, open_text("Ja"), t0);
    assert_eq!(
        store
            .write_poll_answers(std::slice::from_ref(&other))
            .await
            .expect("write"),
        vec![true]
    );
    assert_eq!(
        store.poll_answers_of(meeting, citizen).await.expect("mine"),
        vec![changed, other]
    );
    assert_eq!(store.poll_answers(meeting).await.expect("all").len(), 2);
    assert_eq!(
        store.write_poll_answers(&[]).await.expect("empty batch"),
        Vec::<bool>::new()
    );
}

/// Random batches (the same participant answering several times within one batch, the same
/// answer again, changes back) answer exactly what writing the records one by one would, and
/// leave the rows a one-by-one model has.
pub async fn poll_answer_batches_match_a_one_by_one_model(store: Arc<dyn Store>) {
    use rand::Rng;
    let store = store.as_ref();
    let (meeting, polls) = meeting_with_polls(store, 3).await;
    let people: Vec<ParticipantId> = (0..12).map(|_| new_participant()).collect();
    let mut model: HashMap<(PollId, ParticipantId), PollAnswerRecord> = HashMap::new();
    let mut rng = rand::thread_rng();
    let base = now() - Duration::hours(1);
    for batch_no in 0..12 {
        let size = if batch_no == 0 {
            1
        } else {
            rng.gen_range(1..120)
        };
        let batch: Vec<PollAnswerRecord> = (0..size)
            .map(|i| {
                let at = base + Duration::seconds(batch_no * 1000 + i);
                answer(
                    meeting,
                    polls[rng.gen_range(0..polls.len())],
                    people[rng.gen_range(0..people.len())],
                    pick(rng.gen_range(0..3)),
                    at,
                )
            })
            .collect();
        let expected: Vec<bool> = batch
            .iter()
            .map(|r| {
                let key = (r.poll, r.participant);
                match model.get(&key) {
                    Some(stored) if stored.answer == r.answer => false,
                    _ => {
                        model.insert(key, r.clone());
                        true
                    }
                }
            })
            .collect();
        assert_eq!(
            store.write_poll_answers(&batch).await.expect("write"),
            expected,
            "batch {batch_no}"
        );
    }
    let mut rows = store.poll_answers(meeting).await.expect("all");
    rows.sort_by_key(|r| (r.poll, r.participant));
    let mut want: Vec<PollAnswerRecord> = model.into_values().collect();
    want.sort_by_key(|r| (r.poll, r.participant));
    assert_eq!(rows, want);
}

/// `poll_answers` lists a meeting's answers by time, then participant id, then poll, and no
/// other meeting's; `poll_answers_of` one participant's, by poll.
pub async fn poll_answers_are_listed_oldest_first_and_per_participant(store: Arc<dyn Store>) {
    let store = store.as_ref();
    let (meeting, polls) = meeting_with_polls(store, 2).await;
    let (other_meeting, other_polls) = meeting_with_polls(store, 1).await;
    let mut people: Vec<ParticipantId> = (0..3).map(|_| new_participant()).collect();
    people.sort();
    let t = now() - Duration::minutes(5);
    let (p0, p1) = (polls[0], polls[1]);
    // Written out of order; two answers share a time (participant id decides), and one person
    // answers both polls at one time (the poll decides).
    let rows = vec![
        answer(meeting, p1, people[2], pick(0), t + Duration::seconds(3)),
        answer(meeting, p0, people[1], pick(1), t + Duration::seconds(1)),
        answer(meeting, p1, people[0], pick(1), t + Duration::seconds(1)),
        answer(meeting, p0, people[0], pick(0), t + Duration::seconds(1)),
        answer(meeting, p0, people[2], pick(2), t),
        answer(other_meeting, other_polls[0], people[0], pick(0), t),
    ];
    assert_eq!(
        store.write_poll_answers(&rows).await.expect("write"),
        vec![true; 6]
    );
    let listed = store.poll_answers(meeting).await.expect("all");
    assert_eq!(
        listed,
        vec![
            rows[4].clone(),
            rows[3].clone(),
            rows[2].clone(),
            rows[1].clone(),
            rows[0].clone()
        ]
    );
    assert_eq!(
        store
            .poll_answers_of(meeting, people[0])
            .await
            .expect("mine"),
        vec![rows[3].clone(), rows[2].clone()]
    );
    assert_eq!(
        store
            .poll_answers_of(other_meeting, people[0])
            .await
            .expect("mine"),
        vec![rows[5].clone()]
    );
    assert_eq!(
        store
            .poll_answers_of(meeting, new_participant())
            .await
            .expect("nobody's"),
        vec![]
    );
    assert_eq!(
        store.poll_answers(new_meeting()).await.expect("none"),
        vec![]
    );
}

/// Approve clears the hold and the hide, hide keeps the hold, restore unhides; moderating a
/// missing answer, or one that is not an open answer, is false.
pub async fn poll_answer_moderation_approve_hide_restore(store: Arc<dyn Store>) {
    let store = store.as_ref();
    let (meeting, polls) = meeting_with_polls(store, 2).await;
    let (citizen, other) = (new_participant(), new_participant());
    let held = PollAnswerRecord {
        held: Some(HoldReason::Keyword),
        ..answer(meeting, polls[0], citizen, open_text("Spam spam"), now())
    };
    let choice = answer(meeting, polls[1], citizen, pick(1), now());
    store
        .write_poll_answers(&[held.clone(), choice.clone()])
        .await
        .expect("write");
    let moderate = |action| store.moderate_poll_answer(meeting, polls[0], citizen, action);
    let state = || async {
        let a = stored_answer(store, meeting, polls[0], citizen)
            .await
            .expect("stored");
        (a.held, a.hidden)
    };

    assert!(moderate(AnswerModeration::Hide).await.expect("hide"));
    assert_eq!(state().await, (Some(HoldReason::Keyword), true));
    assert!(moderate(AnswerModeration::Hide).await.expect("hide again"));
    assert!(moderate(AnswerModeration::Restore).await.expect("restore"));
    assert_eq!(state().await, (Some(HoldReason::Keyword), false));
    assert!(moderate(AnswerModeration::Hide).await.expect("hide"));
    assert!(moderate(AnswerModeration::Approve).await.expect("approve"));
    assert_eq!(state().await, (None, false));
    assert_eq!(
        stored_answer(store, meeting, polls[0], citizen)
            .await
            .map(|a| a.answer),
        Some(held.answer),
        "moderation keeps the text"
    );

    for (poll, who) in [
        (polls[0], other),
        (polls[1], citizen),
        (PollId(999), citizen),
    ] {
        for action in [
            AnswerModeration::Approve,
            AnswerModeration::Hide,
            AnswerModeration::Restore,
        ] {
            assert!(
                !store
                    .moderate_poll_answer(meeting, poll, who, action)
                    .await
                    .expect("moderate"),
                "{poll} by {who:?}: no such open answer ({action:?})"
            );
        }
    }
    assert_eq!(
        stored_answer(store, meeting, polls[1], citizen).await,
        Some(choice),
        "a choice is not moderated"
    );
}

/// Erasure deletes the citizen's open answers and moves their other answers to one fresh
/// participant id (counts kept, nothing left under the erased id), in the event's
/// transaction; another citizen's answers stay as they were; a scrub changes nothing more.
pub async fn erasure_deletes_open_answers_and_unlinks_the_rest(store: Arc<dyn Store>) {
    let store = store.as_ref();
    let (meeting, polls) = meeting_with_polls(store, 3).await;
    let (erased, other) = (new_participant(), new_participant());
    let secret = format!("Min nabo {} larmer", Uuid::new_v4().simple());
    let t = now() - Duration::minutes(1);
    let theirs = vec![
        answer(meeting, polls[0], erased, open_text(&secret), t),
        answer(meeting, polls[1], erased, pick(2), t),
        answer(
            meeting,
            polls[2],
            erased,
            PollAnswer::Words {
                words: vec!["havn".into(), "grønt".into()],
            },
            t,
        ),
    ];
    let others = vec![
        answer(meeting, polls[0], other, open_text("Mere lys"), t),
        answer(meeting, polls[1], other, pick(2), t),
    ];
    store
        .write_poll_answers(&[theirs.clone(), others.clone()].concat())
        .await
        .expect("write");
    let last = store
        .last_seq(meeting)
        .await
        .expect("last")
        .expect("exists");
    commit(
        store,
        meeting,
        last,
        vec![organizer(EventKind::ParticipantErased {
            participant: erased,
            contents: vec![],
        })],
    )
    .await;

    let check = |all: Vec<PollAnswerRecord>| {
        assert!(
            all.iter().all(|a| a.participant != erased),
            "nothing under the erased id: {all:?}"
        );
        assert!(
            !all.iter().any(|a| a.answer == open_text(&secret)),
            "the open answer is gone: {all:?}"
        );
        let mut kept: Vec<&PollAnswerRecord> =
            all.iter().filter(|a| a.participant != other).collect();
        kept.sort_by_key(|a| a.poll);
        assert_eq!(kept.len(), 2, "the choice and the words stay: {all:?}");
        assert_eq!(
            kept[0].participant, kept[1].participant,
            "under one fresh id"
        );
        for (now, was) in kept.iter().zip(&theirs[1..]) {
            assert_eq!(
                **now,
                PollAnswerRecord {
                    participant: now.participant,
                    ..was.clone()
                }
            );
        }
        let mut mine: Vec<PollAnswerRecord> =
            all.into_iter().filter(|a| a.participant == other).collect();
        mine.sort_by_key(|a| a.poll);
        assert_eq!(mine, others, "the other citizen's answers stay");
    };
    check(store.poll_answers(meeting).await.expect("all"));
    assert_eq!(
        store
            .poll_answers_of(meeting, erased)
            .await
            .expect("erased's"),
        vec![]
    );
    scrub_retrying(store).await;
    check(store.poll_answers(meeting).await.expect("all"));
}

/// Retention moves every answer of the meeting to fresh ids, one per person (a person's answers
/// stay together, the groups stay apart, no old id is left); open answers keep their text; no
/// other meeting's answers change.
pub async fn retention_rekeys_answers_keeping_each_person_together(store: Arc<dyn Store>) {
    let store = store.as_ref();
    let (meeting, polls) = meeting_with_polls(store, 2).await;
    let (elsewhere, elsewhere_polls) = meeting_with_polls(store, 1).await;
    let people: Vec<ParticipantId> = (0..3).map(|_| new_participant()).collect();
    let t = now() - Duration::minutes(1);
    let mut rows = Vec::new();
    for (i, who) in people.iter().enumerate() {
        rows.push(answer(
            meeting,
            polls[0],
            *who,
            open_text(&format!("Tekst {i}")),
            t,
        ));
        rows.push(answer(meeting, polls[1], *who, pick(i as u8), t));
    }
    let untouched = answer(elsewhere, elsewhere_polls[0], people[0], pick(0), t);
    rows.push(untouched.clone());
    store.write_poll_answers(&rows).await.expect("write");
    commit(store, meeting, 3, vec![organizer(EventKind::MeetingClosed)]).await;
    commit(
        store,
        meeting,
        4,
        vec![organizer(EventKind::PersonalDataPseudonymized {
            contents: vec![],
            aggregates: vec![],
        })],
    )
    .await;

    let after = store.poll_answers(meeting).await.expect("all");
    assert_eq!(after.len(), 6);
    let mut groups: HashMap<ParticipantId, Vec<PollAnswer>> = HashMap::new();
    for a in &after {
        assert!(!people.contains(&a.participant), "old id left: {a:?}");
        groups
            .entry(a.participant)
            .or_default()
            .push(a.answer.clone());
    }
    assert_eq!(groups.len(), 3, "one fresh id per person: {after:?}");
    let mut got: Vec<Vec<PollAnswer>> = groups
        .into_values()
        .map(|mut g| {
            g.sort_by_key(|a| matches!(a, PollAnswer::Choice { .. }));
            g
        })
        .collect();
    got.sort_by_key(|g| format!("{g:?}"));
    let mut want: Vec<Vec<PollAnswer>> = (0..3)
        .map(|i| vec![open_text(&format!("Tekst {i}")), pick(i as u8)])
        .collect();
    want.sort_by_key(|g| format!("{g:?}"));
    assert_eq!(got, want, "each person's answers together, texts kept");
    assert_eq!(
        store.poll_answers(elsewhere).await.expect("elsewhere"),
        vec![untouched]
    );
}
