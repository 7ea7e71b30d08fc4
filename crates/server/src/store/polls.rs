//! [`PollStore`]: poll answers, which are rows, not log events (a national broadcast would
//! drown the log), one per poll and participant, written in group-commit batches like votes.
//! Poll definitions and their lifecycle are log events (`borgermode_domain::poll`); this table
//! holds only what each citizen answered, whether an open answer is held or hidden, and when.
//!
//! Erasure and retention reach this table from `append` (in the transaction of the
//! `participant_erased` / `personal_data_pseudonymized` event): an erased citizen's open
//! answers are deleted and their other answers re-keyed to a fresh random participant id;
//! retention re-keys every answer of the meeting, one fresh id per person. Counts stay, the
//! link to the person goes.

use async_trait::async_trait;
use borgermode_domain::{HoldReason, MeetingId, ParticipantId, PollAnswer, PollId};
use chrono::{DateTime, Utc};

use super::StoreError;

/// One stored answer (also what instances tell each other on the bus).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PollAnswerRecord {
    pub meeting: MeetingId,
    pub poll: PollId,
    pub participant: ParticipantId,
    /// Stored as JSON (the serde form of the domain type), already normalized by
    /// [`borgermode_domain::poll::check_answer`].
    pub answer: PollAnswer,
    /// Open answers held by premoderation or a keyword until a moderator approves them.
    pub held: Option<HoldReason>,
    /// A moderator hid it.
    pub hidden: bool,
    /// PostgreSQL keeps whole microseconds (the record read back is truncated).
    pub answered_at: DateTime<Utc>,
}

/// What a moderator does to one open answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnswerModeration {
    /// Let it through: `held = None`, `hidden = false`.
    Approve,
    /// `hidden = true` (held stays as it was).
    Hide,
    /// `hidden = false` (held stays as it was).
    Restore,
}

#[async_trait]
pub trait PollStore: Send + Sync + 'static {
    /// Upsert a batch in ONE transaction (group commit), in order: one row per (meeting, poll,
    /// participant). An answer that differs from the stored one replaces it whole
    /// (`answered_at`, `held` and `hidden` taken from the record); the same answer again
    /// changes nothing (the earlier time, hold and moderation stay). Returns, per record,
    /// whether it changed anything.
    async fn write_poll_answers(&self, rows: &[PollAnswerRecord]) -> Result<Vec<bool>, StoreError>;

    /// Every answer of a meeting, oldest first (`answered_at`, then participant id, then poll).
    async fn poll_answers(&self, meeting: MeetingId) -> Result<Vec<PollAnswerRecord>, StoreError>;

    /// One participant's answers (they get their own answers back on resume), by poll.
    async fn poll_answers_of(
        &self,
        meeting: MeetingId,
        participant: ParticipantId,
    ) -> Result<Vec<PollAnswerRecord>, StoreError>;

    /// Moderate one open answer (`PollAnswer::Text`); false if there is no such answer.
    /// Doing the same twice is true both times.
    async fn moderate_poll_answer(
        &self,
        meeting: MeetingId,
        poll: PollId,
        participant: ParticipantId,
        action: AnswerModeration,
    ) -> Result<bool, StoreError>;
}
