//! [`AccessStore`]: how people get back into a meeting. A participant's session (the cookie's
//! token) and a staff capability link (the secret in the link); only hashes are stored.

use async_trait::async_trait;
use borgermode_domain::{MeetingId, ParticipantId};
use chrono::{DateTime, Utc};

use super::StoreError;

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

#[async_trait]
pub trait AccessStore: Send + Sync + 'static {
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
}
