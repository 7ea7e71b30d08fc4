//! An append that its caller drops half way (the HTTP client went away), on any store: each
//! batch must be all or nothing and the log stays gapless. Shared by `store_sqlite.rs` and
//! `store_postgres.rs`, which each add what only their dialect can check afterwards (no
//! PostgreSQL connection left inside a transaction).

use std::task::Poll;
use std::time::Duration;

use borgermode_domain::{EventKind, MeetingId, Seq};
use borgermode_server::store::{AppendOutcome, Store};

use super::store_conformance::create_meeting;
use super::store_events::{comment, organizer};

const BATCH: usize = 5;
const ROUNDS: u64 = 60;

async fn last_seq(store: &dyn Store, meeting: MeetingId) -> Seq {
    store
        .last_seq(meeting)
        .await
        .expect("last_seq")
        .expect("exists")
}

/// Drops appends after 0..=4 polls, then checks the log: whole batches, each in its order.
pub async fn abandoned_appends_are_all_or_nothing(store: &dyn Store) {
    let meeting = MeetingId(uuid::Uuid::new_v4());
    create_meeting(store, meeting).await;

    let mut abandoned = 0;
    for round in 0..ROUNDS {
        let expected = last_seq(store, meeting).await;
        let batch = (0..BATCH)
            .map(|i| organizer(comment(&format!("round {round} event {i}"))))
            .collect();
        let mut append = std::pin::pin!(store.append(meeting, expected, batch, None));
        // Poll it 0..=4 times, a little apart, then drop it if it has not finished.
        let mut outcome = None;
        for _ in 0..round % 5 {
            if let Poll::Ready(done) = futures_util::poll!(append.as_mut()) {
                outcome = Some(done);
                break;
            }
            tokio::time::sleep(Duration::from_micros(100 * (round % 7))).await;
        }
        match outcome.map(|o| o.unwrap_or_else(|e| panic!("round {round}: {e:?}"))) {
            None => abandoned += 1,
            Some(AppendOutcome::Committed(events)) => assert_eq!(events.len(), BATCH),
            // An abandoned append may still commit after `last_seq` was read.
            Some(AppendOutcome::Conflict { latest }) => assert!(latest > expected),
            Some(other) => panic!("unexpected {other:?}"),
        }
    }
    assert!(
        abandoned > 0,
        "no append was abandoned; the test proves nothing"
    );

    // Append a marker, catching up until it lands: after it, nothing abandoned can commit.
    let mut expected = last_seq(store, meeting).await;
    let last = loop {
        match store
            .append(meeting, expected, vec![organizer(comment("marker"))], None)
            .await
            .expect("append")
        {
            AppendOutcome::Committed(events) => break events[0].seq,
            AppendOutcome::Conflict { latest } => expected = latest,
            other => panic!("unexpected {other:?}"),
        }
    };

    // The log is gapless and made of whole batches, each in its own order.
    let events = store.events(meeting, 0, None).await.expect("events");
    assert_eq!(
        events.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=last).collect::<Vec<_>>()
    );
    assert_eq!(last_seq(store, meeting).await, last);
    let bodies: Vec<String> = events[1..events.len() - 1]
        .iter()
        .map(|e| match &e.kind {
            EventKind::PostCreated { body, .. } => body.as_str().to_owned(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(bodies.len() % BATCH, 0, "{bodies:?}");
    for chunk in bodies.chunks(BATCH) {
        let round = chunk[0]
            .strip_prefix("round ")
            .and_then(|rest| rest.split(' ').next())
            .expect("round number");
        let whole: Vec<String> = (0..BATCH)
            .map(|i| format!("round {round} event {i}"))
            .collect();
        assert_eq!(chunk, &whole[..]);
    }
}
