//! Who is an organizer, and of what. The installation admin (admin token) is organizer of
//! every meeting; an organizer account only of the meetings of its own organization.
//!
//! The invariant this module exists for: **every organizer query is scoped by organization
//! id.** Handlers never ask "is this an organizer?" on its own; they ask
//! [`AppState::meeting_scope`] about one meeting, or list through [`AppState::organizer`]'s
//! organization. Another organization's meeting looks like a meeting that does not exist
//! (404 `not_found`), so an organizer cannot even learn which meeting ids are in use elsewhere
//! (the public pages of a meeting stay public, as for anyone).
//!
//! Account sessions are read from the store on every request that carries the account cookie
//! (no cache): a "sign out everywhere" on one instance holds on all of them at once. Citizens
//! carry no such cookie and pay nothing. A meeting's organization never changes, so it is
//! cached; an organization's record (branding on every meeting page load) is cached for
//! [`ORG_TTL`], so a change made on another instance shows within that time.

use std::time::Duration;

use actix_web::HttpRequest;
use borgermode_domain::MeetingId;

use crate::http::errors::ApiError;
use crate::state::AppState;
use borgermode_protocol::organizations::Branding;

use crate::content::branding::branding;
use crate::security::auth::{hash_secret, ACCOUNT_COOKIE};
use crate::store::orgs::{AccountRecord, OrgId, OrganizationRecord};

/// How long an organization's record is served from memory.
pub const ORG_TTL: Duration = Duration::from_secs(10);

/// An authenticated organizer.
#[derive(Clone, Debug)]
pub enum Organizer {
    /// The installation admin (admin token): every organization.
    Admin,
    /// A person's account: their organization only.
    Member(AccountRecord),
}

impl Organizer {
    /// Whether this organizer may act on things of `org`.
    pub fn covers(&self, org: OrgId) -> bool {
        match self {
            Organizer::Admin => true,
            Organizer::Member(a) => a.organization == org,
        }
    }
}

/// How a request stands towards one meeting, as an organizer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MeetingScope {
    /// The admin, or a member of the meeting's organization.
    Organizer,
    /// An organizer of another organization: treat the meeting as not found.
    Foreign,
    /// No organizer credentials at all.
    None,
}

impl AppState {
    /// An organization's record, from the cache when fresh.
    pub async fn org_record(&self, org: OrgId) -> Result<Option<OrganizationRecord>, ApiError> {
        if let Some(record) = self.org_cache.fresh(org, ORG_TTL) {
            return Ok(record);
        }
        let record = self.store.organization(org).await?;
        self.org_cache.put(org, record.clone());
        Ok(record)
    }

    /// The branding of a meeting's organization, for its pages.
    pub async fn branding_of(&self, meeting: MeetingId) -> Result<Option<Branding>, ApiError> {
        let org = self.meeting_org(meeting).await?;
        Ok(self.org_record(org).await?.as_ref().map(branding))
    }

    /// The signed-in account of this request (account cookie), if its session is valid.
    pub async fn account(&self, req: &HttpRequest) -> Result<Option<AccountRecord>, ApiError> {
        let Some(cookie) = req.cookie(ACCOUNT_COOKIE) else {
            return Ok(None);
        };
        Ok(self
            .store
            .account_session(&hash_secret(cookie.value()), chrono::Utc::now())
            .await?)
    }

    /// The organizer behind this request: the admin token wins over an account session.
    pub async fn organizer(&self, req: &HttpRequest) -> Result<Option<Organizer>, ApiError> {
        if self.auth.is_organizer(req) {
            return Ok(Some(Organizer::Admin));
        }
        Ok(self.account(req).await?.map(Organizer::Member))
    }

    /// The organization a meeting belongs to.
    pub async fn meeting_org(&self, meeting: MeetingId) -> Result<OrgId, ApiError> {
        if let Some(org) = self.meeting_orgs.get(meeting) {
            return Ok(org);
        }
        let org = self.store.meeting_organization(meeting).await?;
        self.meeting_orgs.insert(meeting, org);
        Ok(org)
    }

    /// Whether this request may act as organizer of `meeting`.
    pub async fn meeting_scope(
        &self,
        req: &HttpRequest,
        meeting: MeetingId,
    ) -> Result<MeetingScope, ApiError> {
        if self.auth.is_organizer(req) {
            return Ok(MeetingScope::Organizer);
        }
        let Some(account) = self.account(req).await? else {
            return Ok(MeetingScope::None);
        };
        Ok(
            if account.organization == self.meeting_org(meeting).await? {
                MeetingScope::Organizer
            } else {
                MeetingScope::Foreign
            },
        )
    }
}
