//! [`VoteStore`]: upvotes, which are rows, not log events (a popular meeting would drown the
//! log), written in group-commit batches by `live/votes.rs`.

use std::collections::HashMap;

use async_trait::async_trait;
use borgermode_domain::{MeetingId, ParticipantId, PostId};

use super::StoreError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VoteChange {
    pub meeting: MeetingId,
    pub post: PostId,
    pub participant: ParticipantId,
    pub up: bool,
}

#[async_trait]
pub trait VoteStore: Send + Sync + 'static {
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
}
