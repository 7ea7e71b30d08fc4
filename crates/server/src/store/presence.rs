//! [`PresenceStore`]: how many viewers each instance served per meeting and minute, sampled by
//! the hub and summed by the report (`borgermode_domain::report`).

use async_trait::async_trait;
use borgermode_domain::report::PresenceSample;
use borgermode_domain::MeetingId;
use chrono::{DateTime, Utc};

use super::StoreError;

#[async_trait]
pub trait PresenceStore: Send + Sync + 'static {
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
    async fn presence_samples(&self, meeting: MeetingId)
        -> Result<Vec<PresenceSample>, StoreError>;
}
