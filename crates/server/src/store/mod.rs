//! Storage: the durable meeting logs and the small tables beside them.
//!
//! Why a trait: one server binary runs on embedded SQLite (one instance, the default) or on
//! PostgreSQL (several instances). Both implement [`Store`] and both must pass the same
//! conformance suite (`crates/server/tests/common/store_conformance.rs`).
//!
//! Invariants every implementation keeps:
//! - `append` assigns seq `expected_seq + 1 ..` inside one transaction and only if the
//!   meeting's last seq is still `expected_seq` (otherwise [`AppendOutcome::Conflict`]): the
//!   log stays gapless and race-free with any number of writers, and a command is always
//!   decided against the state it follows.
//! - An idempotency key is recorded in the same transaction as the events it produced; a second
//!   append with the same key returns [`AppendOutcome::Duplicate`] with the first response.
//! - Personal text ([`borgermode_domain::Content`]) is stored apart from the event payload, so
//!   it can be erased while the event and its hash stay.
//! - A `QuestionMerged` event moves the merged question's vote rows to the target question in
//!   the same transaction.
//! - Nothing is acknowledged before commit; SQLite runs with `synchronous=FULL`.

mod codec;
pub mod followup;
pub mod orgs;
pub mod postgres;
pub mod sqlite;

use std::collections::HashMap;

use async_trait::async_trait;
use borgermode_domain::event::Actor;
use borgermode_domain::{
    DemographicCount, Event, EventKind, MeetingId, ParticipantId, PostId, Seq,
};
use chrono::{DateTime, Utc};

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
    /// The idempotency key was used before; nothing was written.
    Duplicate {
        response: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VoteChange {
    pub meeting: MeetingId,
    pub post: PostId,
    pub participant: ParticipantId,
    pub up: bool,
}

/// A login of one participant into one meeting (cookie value is the token; only its hash is
/// stored).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    pub token_hash: String,
    pub meeting: MeetingId,
    pub participant: ParticipantId,
    pub created_at: DateTime<Utc>,
}

/// A staff capability link (only the hash of its secret is stored).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapabilityRecord {
    pub secret_hash: String,
    pub meeting: MeetingId,
    pub participant: ParticipantId,
    pub created_at: DateTime<Utc>,
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

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or refused the operation; retry later (HTTP 503).
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// Stored data could not be decoded; a bug or a manual edit.
    #[error("store data corrupt: {0}")]
    Corrupt(String),
}

/// The log and its small tables; organizations and accounts come with [`orgs::OrgStore`].
#[async_trait]
pub trait Store: orgs::OrgStore + followup::FollowUpStore + Send + Sync + 'static {
    /// Human-readable kind for logs and /readyz ("sqlite", "postgres").
    fn kind(&self) -> &'static str;

    /// Cheap round trip to the database.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Append `events` after `expected_seq` (0 creates the meeting). See the module invariants.
    async fn append(
        &self,
        meeting: MeetingId,
        expected_seq: Seq,
        events: Vec<PendingEvent>,
        idempotency: Option<IdempotencyRecord>,
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

    /// Apply a batch of vote changes in one transaction (group commit), in order. Setting a
    /// vote that is already set, or clearing one that is not, is a no-op. Returns, per change,
    /// whether it changed anything (so callers can keep counts without re-reading them).
    async fn write_votes(&self, changes: &[VoteChange]) -> Result<Vec<bool>, StoreError>;

    /// Vote count per post (posts without votes are absent).
    async fn vote_counts(&self, meeting: MeetingId) -> Result<HashMap<PostId, u32>, StoreError>;

    /// Posts this participant has upvoted.
    async fn votes_of(
        &self,
        meeting: MeetingId,
        participant: ParticipantId,
    ) -> Result<Vec<PostId>, StoreError>;

    async fn put_session(&self, session: SessionRecord) -> Result<(), StoreError>;
    async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, StoreError>;
    async fn delete_sessions(
        &self,
        meeting: MeetingId,
        participant: ParticipantId,
    ) -> Result<(), StoreError>;

    async fn put_capability(&self, capability: CapabilityRecord) -> Result<(), StoreError>;
    async fn capability(&self, secret_hash: &str) -> Result<Option<CapabilityRecord>, StoreError>;
    async fn delete_capability(
        &self,
        meeting: MeetingId,
        participant: ParticipantId,
    ) -> Result<(), StoreError>;

    /// The stored audit chain of a meeting (None if there is no such meeting): every event row
    /// in seq order, decoded without personal text, with its stored link.
    async fn chain(&self, meeting: MeetingId) -> Result<Option<ChainLog>, StoreError>;

    /// Make deleted personal data unrecoverable from the database files (after an erasure or a
    /// retention run): SQLite checkpoints and truncates its WAL (deleted rows are already
    /// zeroed by `secure_delete`); PostgreSQL rewrites the affected tables (`VACUUM FULL`).
    async fn scrub(&self) -> Result<(), StoreError>;

    /// Meetings closed before `closed_before` whose personal data is not pseudonymized yet.
    async fn meetings_due_for_retention(
        &self,
        closed_before: DateTime<Utc>,
    ) -> Result<Vec<MeetingId>, StoreError>;

    /// The age band and gender counts kept when retention ran (empty before).
    async fn demographic_aggregates(
        &self,
        meeting: MeetingId,
    ) -> Result<Vec<DemographicCount>, StoreError>;

    /// The organizer's own privacy notice for a meeting (Markdown), if any.
    async fn privacy_notice(&self, meeting: MeetingId) -> Result<Option<String>, StoreError>;
    /// Set (Some) or clear (None: the default text is shown) a meeting's privacy notice.
    async fn put_privacy_notice(
        &self,
        meeting: MeetingId,
        notice: Option<String>,
    ) -> Result<(), StoreError>;

    /// Installation-wide key/value settings (e.g. the admin token's hash).
    async fn setting(&self, key: &str) -> Result<Option<String>, StoreError>;
    async fn put_setting(&self, key: &str, value: &str) -> Result<(), StoreError>;

    /// Record how many viewers this instance serves for a meeting at `at` (a second sample with
    /// the same meeting, time and instance replaces the first).
    async fn record_presence(
        &self,
        meeting: MeetingId,
        at: DateTime<Utc>,
        instance: uuid::Uuid,
        viewers: u32,
    ) -> Result<(), StoreError>;

    /// Every presence sample of a meeting, oldest first.
    async fn presence_samples(
        &self,
        meeting: MeetingId,
    ) -> Result<Vec<borgermode_domain::report::PresenceSample>, StoreError>;
}
