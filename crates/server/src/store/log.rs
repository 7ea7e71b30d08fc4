//! [`LogStore`]: the meeting logs themselves, their idempotency records and the stored audit
//! chain. The invariants of `append` are in the module docs of [`super`].

use async_trait::async_trait;
use borgermode_domain::event::Actor;
use borgermode_domain::{Event, EventKind, MeetingId, Seq};
use chrono::{DateTime, Utc};

use super::StoreError;

/// An event decided but not yet stored: the store gives it its seq.
#[derive(Clone, Debug)]
pub struct PendingEvent {
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub kind: EventKind,
}

/// Idempotency record written with the events: `(meeting, scope, key)` is unique. `scope`
/// names the caller (participant id or "organizer") so two people cannot collide on a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyRecord {
    pub scope: String,
    pub key: String,
    /// The JSON response returned to the first request, returned again to every retry.
    pub response: String,
}

#[derive(Debug)]
pub enum AppendOutcome {
    Committed(Vec<Event>),
    /// The meeting's log is at `latest`, not at the expected seq: catch up and decide again.
    /// `latest` is 0 when the meeting does not exist yet.
    Conflict {
        latest: Seq,
    },
    /// An idempotency key was used before; nothing was written.
    Duplicate {
        response: String,
        /// Which of the records given has the key (always 0 for `append`'s one).
        index: usize,
    },
}

/// One stored event row as the audit verifier sees it.
#[derive(Debug)]
pub struct ChainRow {
    /// The row's seq column (which may have been tampered with, too).
    pub seq: i64,
    /// The event without personal text, or why the row does not decode.
    pub event: Result<Event, String>,
    /// The stored link (hex), None for events written before the chain existed.
    pub link: Option<String>,
}

/// A meeting's stored chain: its rows and the head kept on the meeting row.
#[derive(Debug)]
pub struct ChainLog {
    pub last_seq: i64,
    pub head: Option<String>,
    pub rows: Vec<ChainRow>,
}

#[async_trait]
pub trait LogStore: Send + Sync + 'static {
    /// Append `events` after `expected_seq` (0 creates the meeting). See the module invariants.
    async fn append(
        &self,
        meeting: MeetingId,
        expected_seq: Seq,
        events: Vec<PendingEvent>,
        idempotency: Option<IdempotencyRecord>,
    ) -> Result<AppendOutcome, StoreError> {
        self.append_group(
            meeting,
            expected_seq,
            events,
            idempotency.into_iter().collect(),
        )
        .await
    }

    /// [`LogStore::append`] for a group of commands (group commit, `live/room.rs`): their
    /// events in one transaction, and each command's idempotency record with them. If any
    /// record's key was used before, nothing is written and the answer is
    /// [`AppendOutcome::Duplicate`] with that record's index.
    async fn append_group(
        &self,
        meeting: MeetingId,
        expected_seq: Seq,
        events: Vec<PendingEvent>,
        idempotency: Vec<IdempotencyRecord>,
    ) -> Result<AppendOutcome, StoreError>;

    /// Events with seq in `after+1 ..= up_to` (all after `after` when `up_to` is None),
    /// ascending, with their personal text restored (None where erased).
    async fn events(
        &self,
        meeting: MeetingId,
        after: Seq,
        up_to: Option<Seq>,
    ) -> Result<Vec<Event>, StoreError>;

    /// The meeting's last seq, or None if the meeting does not exist.
    async fn last_seq(&self, meeting: MeetingId) -> Result<Option<Seq>, StoreError>;

    /// All meetings, oldest first.
    async fn meetings(&self) -> Result<Vec<MeetingId>, StoreError>;

    /// The stored response of an earlier command with this key, if any.
    async fn idempotent_response(
        &self,
        meeting: MeetingId,
        scope: &str,
        key: &str,
    ) -> Result<Option<String>, StoreError>;

    /// The stored audit chain of a meeting (None if there is no such meeting): every event row
    /// in seq order, decoded without personal text, with its stored link.
    async fn chain(&self, meeting: MeetingId) -> Result<Option<ChainLog>, StoreError>;
}
