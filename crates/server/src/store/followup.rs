//! [`FollowUpStore`]: the two small tables of the follow-up work that are not part of any
//! meeting's log. Prepared answers belong to an organization (not a meeting: the same snippet
//! serves every meeting of the municipality); notification addresses are personal data kept
//! out of the log on purpose (see `migrations/*/0004_followup.sql`). Implemented in
//! `sqlite/followup.rs` and `postgres/followup.rs`, checked by the conformance suite.

use async_trait::async_trait;
use borgermode_domain::{MeetingId, ParticipantId};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::orgs::OrgId;
use super::StoreError;

/// One prepared answer of an organization's library.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnippetRecord {
    pub id: Uuid,
    pub organization: OrgId,
    pub title: String,
    /// Markdown.
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A citizen's address for "your question was answered".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotifyAddress {
    pub meeting: MeetingId,
    pub participant: ParticipantId,
    pub email: String,
    pub created_at: DateTime<Utc>,
}

#[async_trait]
pub trait FollowUpStore: Send + Sync + 'static {
    async fn put_snippet(&self, snippet: SnippetRecord) -> Result<(), StoreError>;
    /// Only within `organization`: another organization's snippet is "not found".
    async fn snippet(
        &self,
        organization: OrgId,
        id: Uuid,
    ) -> Result<Option<SnippetRecord>, StoreError>;
    /// Sorted by title.
    async fn snippets(&self, organization: OrgId) -> Result<Vec<SnippetRecord>, StoreError>;
    /// Whether a row of `organization` was deleted.
    async fn delete_snippet(&self, organization: OrgId, id: Uuid) -> Result<bool, StoreError>;

    /// Insert or replace the address of one participant of one meeting.
    async fn put_notify_address(&self, address: NotifyAddress) -> Result<(), StoreError>;
    async fn notify_address(
        &self,
        meeting: MeetingId,
        participant: ParticipantId,
    ) -> Result<Option<NotifyAddress>, StoreError>;
    async fn notify_addresses(&self, meeting: MeetingId) -> Result<Vec<NotifyAddress>, StoreError>;
    async fn delete_notify_address(
        &self,
        meeting: MeetingId,
        participant: ParticipantId,
    ) -> Result<(), StoreError>;
}

/// Now, to whole microseconds: what both stores keep exactly.
pub fn now_micros() -> DateTime<Utc> {
    DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).unwrap_or_else(Utc::now)
}
