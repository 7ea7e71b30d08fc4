//! Organizations, organizer accounts, invites and organizer sessions: what lets one installation
//! host many municipalities. A separate trait (a supertrait of [`Store`](super::Store)) so the
//! meeting log's trait stays about the log; both stores implement it next to their log code
//! (`sqlite/orgs.rs`, `postgres/orgs.rs`) and the same conformance suite checks both.
//!
//! Invariants every implementation keeps:
//! - Every meeting belongs to exactly one organization: the row written by
//!   [`assign_meeting`](OrgStore::assign_meeting), or [`DEFAULT_ORGANIZATION`] without one
//!   (meetings from before organizations existed are migrated to it).
//! - An invite is used at most once: [`accept_invite`](OrgStore::accept_invite) checks it,
//!   creates the account and marks the invite used in one transaction.
//! - E-mail addresses are unique across the installation (one account, one organization).
//! - [`account_session`](OrgStore::account_session) never returns an expired session.

use async_trait::async_trait;
use borgermode_domain::MeetingId;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::StoreError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OrgId(pub Uuid);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AccountId(pub Uuid);

/// The organization existing meetings were migrated into, and where meetings created with the
/// admin token go unless another is named.
pub const DEFAULT_ORGANIZATION: OrgId = OrgId(Uuid::from_u128(1));

/// An organization and its branding (the logo bytes are read separately).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrganizationRecord {
    pub id: OrgId,
    pub name: String,
    pub primary_color: Option<String>,
    pub accent_color: Option<String>,
    pub privacy_contact: Option<String>,
    /// Content type of the logo, None without one.
    pub logo_type: Option<String>,
    /// Bumped on every logo change, so its URL changes and caches can keep it long.
    pub logo_version: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logo {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InviteRecord {
    pub token_hash: String,
    pub organization: OrgId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

/// One person's organizer account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountRecord {
    pub id: AccountId,
    pub organization: OrgId,
    /// Trimmed and lower case.
    pub email: String,
    pub display_name: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
}

/// The account an invite creates; its organization comes from the invite.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAccount {
    pub id: AccountId,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AcceptOutcome {
    Accepted(AccountRecord),
    Unknown,
    Used,
    Expired,
    EmailTaken,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountSessionRecord {
    pub token_hash: String,
    pub account: AccountId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[async_trait]
pub trait OrgStore: Send + Sync + 'static {
    async fn create_organization(&self, org: OrganizationRecord) -> Result<(), StoreError>;
    async fn organization(&self, id: OrgId) -> Result<Option<OrganizationRecord>, StoreError>;
    /// All organizations, oldest first.
    async fn organizations(&self) -> Result<Vec<OrganizationRecord>, StoreError>;
    /// Update name, colours and privacy contact (not the logo). False if there is no such
    /// organization.
    async fn update_organization(&self, org: &OrganizationRecord) -> Result<bool, StoreError>;
    /// Set or clear the logo and bump `logo_version`. False if there is no such organization.
    async fn set_logo(&self, id: OrgId, logo: Option<Logo>) -> Result<bool, StoreError>;
    async fn logo(&self, id: OrgId) -> Result<Option<Logo>, StoreError>;

    /// Record that `meeting` belongs to `org`; done before the meeting's first event. A
    /// meeting's organization never changes: a second call for it is ignored.
    async fn assign_meeting(&self, meeting: MeetingId, org: OrgId) -> Result<(), StoreError>;
    /// The meeting's organization ([`DEFAULT_ORGANIZATION`] when none was recorded).
    async fn meeting_organization(&self, meeting: MeetingId) -> Result<OrgId, StoreError>;
    /// The organization's meetings (existing ones only), oldest first.
    async fn organization_meetings(&self, org: OrgId) -> Result<Vec<MeetingId>, StoreError>;

    async fn put_invite(&self, invite: InviteRecord) -> Result<(), StoreError>;
    async fn invite(&self, token_hash: &str) -> Result<Option<InviteRecord>, StoreError>;
    /// Use the invite (at `now`) to create the account, all in one transaction.
    async fn accept_invite(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
        account: NewAccount,
    ) -> Result<AcceptOutcome, StoreError>;

    /// `email` must already be trimmed and lower case.
    async fn account_by_email(&self, email: &str) -> Result<Option<AccountRecord>, StoreError>;

    /// Store a session (and drop expired ones of the same account).
    async fn put_account_session(&self, session: AccountSessionRecord) -> Result<(), StoreError>;
    /// The account of a session that has not expired at `now`.
    async fn account_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<AccountRecord>, StoreError>;
    async fn delete_account_session(&self, token_hash: &str) -> Result<(), StoreError>;
    /// Delete every session of the account; returns how many there were.
    async fn delete_account_sessions(&self, account: AccountId) -> Result<u64, StoreError>;
}
