//! A batch that fails half way (a row planted where its second event must go, a bug's
//! footprint) must leave nothing behind, and the store must write again once the row is gone.
//! The store-side steps are here; each dialect test (`store_sqlite.rs`, `store_postgres.rs`)
//! plants and removes the row and counts what is left in its own tables.

use borgermode_domain::MeetingId;
use borgermode_server::store::{AppendOutcome, IdempotencyRecord, PendingEvent, Store, StoreError};

use super::store_events::{comment, organizer};

/// The batch after seq 1: two comments (seqs 2 and 3) under the idempotency key `k1`.
fn batch() -> (Vec<PendingEvent>, Option<IdempotencyRecord>) {
    let key = IdempotencyRecord {
        scope: "organizer".to_owned(),
        key: "k1".to_owned(),
        response: "r1".to_owned(),
    };
    let events = vec![organizer(comment("første")), organizer(comment("anden"))];
    (events, Some(key))
}

/// The batch fails as corrupt, and the store reads nothing of it: last_seq unchanged, no key.
pub async fn assert_fails_and_leaves_nothing(store: &dyn Store, meeting: MeetingId) {
    let (events, key) = batch();
    let failed = store.append(meeting, 1, events, key).await;
    assert!(matches!(failed, Err(StoreError::Corrupt(_))), "{failed:?}");
    assert_eq!(store.last_seq(meeting).await.expect("last_seq"), Some(1));
    assert_eq!(
        store
            .idempotent_response(meeting, "organizer", "k1")
            .await
            .expect("idempotent_response"),
        None
    );
}

/// With the planted row gone, the same batch commits and the store still writes.
pub async fn assert_retry_commits(store: &dyn Store, meeting: MeetingId) {
    let (events, key) = batch();
    let retried = store.append(meeting, 1, events, key).await.expect("append");
    assert!(matches!(retried, AppendOutcome::Committed(ref e) if e.len() == 2));
    store.put_setting("still", "writable").await.expect("put");
}
