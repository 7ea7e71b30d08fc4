//! What both stores' [`OrgStore`](super::orgs::OrgStore) share: the column lists, rows mapped to
//! records, the logo's two columns, and the rules of accepting an invite. Pure code, one copy,
//! so the dialects (`sqlite/orgs.rs`, `postgres/orgs.rs`) keep only SQL and transactions.
//!
//! The row types are generic over how a dialect decodes an id and a time: PostgreSQL as `Uuid`
//! and `DateTime<Utc>`, SQLite as the text columns of `sqlite/text.rs`.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::orgs::{
    AcceptOutcome, AccountId, AccountRecord, InviteRecord, Logo, NewAccount, OrgId,
    OrganizationRecord, DEFAULT_ORGANIZATION,
};

pub(super) const ORG_COLUMNS: &str = "id, name, primary_color, accent_color, privacy_contact, \
                                      logo_type, logo_version, created_at";

/// [`ORG_COLUMNS`]: id, name, primary and accent colour, privacy contact, logo type, logo
/// version, created.
pub(super) type OrgRow<Id, Time> = (
    Id,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    Time,
);

pub(super) fn organization<Id: Into<Uuid>, Time: Into<DateTime<Utc>>>(
    row: OrgRow<Id, Time>,
) -> OrganizationRecord {
    let (id, name, primary_color, accent_color, privacy_contact, logo_type, logo_version, at) = row;
    OrganizationRecord {
        id: OrgId(id.into()),
        name,
        primary_color,
        accent_color,
        privacy_contact,
        logo_type,
        logo_version,
        created_at: at.into(),
    }
}

/// The account columns, of `organizer_accounts a` (so a join with the sessions can use them).
pub(super) const ACCOUNT_COLUMNS: &str = "a.id, a.organization_id, a.email, a.display_name, \
                                          a.password_hash, a.created_at";

/// [`ACCOUNT_COLUMNS`]: id, organization, e-mail, display name, password hash, created.
pub(super) type AccountRow<Id, Time> = (Id, Id, String, String, String, Time);

pub(super) fn account<Id: Into<Uuid>, Time: Into<DateTime<Utc>>>(
    (id, org, email, display_name, password_hash, at): AccountRow<Id, Time>,
) -> AccountRecord {
    AccountRecord {
        id: AccountId(id.into()),
        organization: OrgId(org.into()),
        email,
        display_name,
        password_hash,
        created_at: at.into(),
    }
}

/// An invite's columns but its key (the caller has the token hash).
pub(super) const INVITE_COLUMNS: &str = "organization_id, created_at, expires_at, used_at";

/// [`INVITE_COLUMNS`]: organization, created, expires, used.
pub(super) type InviteRow<Id, Time> = (Id, Time, Time, Option<Time>);

pub(super) fn invite<Id: Into<Uuid>, Time: Into<DateTime<Utc>>>(
    token_hash: &str,
    (org, created, expires, used): InviteRow<Id, Time>,
) -> InviteRecord {
    InviteRecord {
        token_hash: token_hash.to_owned(),
        organization: OrgId(org.into()),
        created_at: created.into(),
        expires_at: expires.into(),
        used_at: used.map(Into::into),
    }
}

/// The invite (None: no such token) if it can still be used at `now`, or why not.
pub(super) fn usable_invite(
    invite: Option<InviteRecord>,
    now: DateTime<Utc>,
) -> Result<InviteRecord, AcceptOutcome> {
    match invite {
        None => Err(AcceptOutcome::Unknown),
        Some(invite) if invite.used_at.is_some() => Err(AcceptOutcome::Used),
        Some(invite) if invite.expires_at <= now => Err(AcceptOutcome::Expired),
        Some(invite) => Ok(invite),
    }
}

/// The account an invite of `organization` created, as the caller is told: `created_at` as
/// the database keeps it.
pub(super) fn accepted(
    account: NewAccount,
    organization: OrgId,
    created_at: DateTime<Utc>,
) -> AcceptOutcome {
    AcceptOutcome::Accepted(AccountRecord {
        id: account.id,
        organization,
        email: account.email,
        display_name: account.display_name,
        password_hash: account.password_hash,
        created_at,
    })
}

/// The `logo_type` and `logo` columns of a logo (both NULL without one).
pub(super) fn logo_columns(logo: Option<Logo>) -> (Option<String>, Option<Vec<u8>>) {
    match logo {
        Some(l) => (Some(l.content_type), Some(l.bytes)),
        None => (None, None),
    }
}

/// The logo of an organization's row (None without a row or without a logo).
pub(super) fn logo(row: Option<(Option<String>, Option<Vec<u8>>)>) -> Option<Logo> {
    match row {
        Some((Some(content_type), Some(bytes))) => Some(Logo {
            content_type,
            bytes,
        }),
        _ => None,
    }
}

/// A meeting's `meeting_organizations` row, or the default organization without one.
pub(super) fn meeting_organization<Id: Into<Uuid>>(org: Option<Id>) -> OrgId {
    org.map_or(DEFAULT_ORGANIZATION, |id| OrgId(id.into()))
}
