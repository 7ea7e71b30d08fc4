//! Storage: the durable meeting logs and the small tables beside them.
//!
//! Why a trait: one server binary runs on embedded SQLite (one instance, the default) or on
//! PostgreSQL (several instances). Both implement [`Store`] and both must pass the same
//! conformance suite (`crates/server/tests/it/common/store_conformance.rs`, one list of cases run
//! on both by `store_conformance_tests!`).
//!
//! The contract is cut by table and concern, one trait each, and [`Store`] is all of them:
//! [`LogStore`] (the meeting log, its idempotency keys and audit chain), [`VoteStore`],
//! [`PollStore`] (poll answers, rows beside the log like votes), [`AccessStore`] (participant
//! sessions and staff capability links), [`PrivacyStore`] (scrubbing, retention, privacy
//! notices), [`SettingsStore`], [`PresenceStore`], [`orgs::OrgStore`] and
//! [`followup::FollowUpStore`]. Callers hold an `Arc<dyn Store>`; the
//! methods of every part are callable on it without importing the part.
//!
//! What is the same on both databases is written once, as pure code: [`rows`] turns an append
//! into its rows (seqs, stripped payloads, content texts, chain links) and checks the expected
//! seq; `codec` converts columns and decodes rows back into events and records; `org_rows`,
//! `followup_rows` and `poll_rows` map those tables' rows to records (generic over how a
//! dialect decodes ids and times; SQLite's text columns decode through `sqlite/text.rs`) and
//! hold the invite checks and how a batch of poll answers splits. The dialects (`sqlite/`, `postgres/`) keep only SQL and transactions.
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
//! - A `ParticipantErased` event deletes the citizen's open poll answers and re-keys their
//!   other answers to a fresh random participant id, a `PersonalDataPseudonymized` event
//!   re-keys every answer of the meeting (one fresh id per participant), both in the same
//!   transaction: counts stay, the link to the person goes.
//! - Nothing is acknowledged before commit; SQLite runs with `synchronous=FULL`.

mod access;
mod codec;
pub mod followup;
mod followup_rows;
mod log;
mod org_rows;
pub mod orgs;
mod poll_rows;
mod polls;
pub mod postgres;
mod presence;
mod privacy;
mod rows;
mod settings;
pub mod sqlite;
mod votes;

use async_trait::async_trait;

pub use access::{AccessStore, CapabilityRecord, SessionRecord};
pub use log::{AppendOutcome, ChainLog, ChainRow, IdempotencyRecord, LogStore, PendingEvent};
pub use polls::{AnswerModeration, PollAnswerRecord, PollStore};
pub use presence::PresenceStore;
pub use privacy::PrivacyStore;
pub use settings::SettingsStore;
pub use votes::{VoteChange, VoteStore};

/// Clone: a failed group commit gives every command in the group the same error.
#[derive(Clone, Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or refused the operation; retry later (HTTP 503).
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// Stored data could not be decoded; a bug or a manual edit.
    #[error("store data corrupt: {0}")]
    Corrupt(String),
}

/// The whole contract: every part above, plus what concerns the database as a whole.
#[async_trait]
pub trait Store:
    LogStore
    + VoteStore
    + PollStore
    + AccessStore
    + PrivacyStore
    + SettingsStore
    + PresenceStore
    + orgs::OrgStore
    + followup::FollowUpStore
    + Send
    + Sync
    + 'static
{
    /// Human-readable kind for logs and /readyz ("sqlite", "postgres").
    fn kind(&self) -> &'static str;

    /// Cheap round trip to the database.
    async fn ping(&self) -> Result<(), StoreError>;
}
