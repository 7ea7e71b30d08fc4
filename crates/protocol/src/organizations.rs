//! Bodies of the organization and organizer-account routes: one installation hosts many
//! municipalities, each an organization with its own meetings, branding and organizer accounts.
//! (The routes and their rules: `docs/protocol.md`, section "Organizations".)

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "openapi")]
use utoipa::ToSchema;
use uuid::Uuid;

/// An organization's look on its meeting pages, as the public sees it (in `MeetingView`).
/// Every text is plain text: clients must insert it as text, never as HTML.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Branding {
    pub organization_id: Uuid,
    pub name: String,
    /// Same-origin URL of the logo (PNG, JPEG or WebP), absent without one.
    pub logo_url: Option<String>,
    /// `#rrggbb`; white text on it has a contrast of at least 4.5:1.
    pub primary_color: Option<String>,
    /// `#rrggbb`, decorative (the header's stripe).
    pub accent_color: Option<String>,
    /// The privacy contact as entered (an e-mail address or an https URL) ...
    pub privacy_contact: Option<String>,
    /// ... and as a link: `mailto:` or `https:`, nothing else.
    pub privacy_url: Option<String>,
}

/// An organization as the installation admin and its own organizers see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OrganizationView {
    pub id: Uuid,
    pub name: String,
    pub primary_color: Option<String>,
    pub accent_color: Option<String>,
    pub privacy_contact: Option<String>,
    pub logo_url: Option<String>,
    /// The organization that meetings from before organizations existed belong to.
    pub is_default: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreateOrganizationRequest {
    /// 1-100 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = "\\S")
    )]
    pub name: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(pattern = "^\\s*(#[0-9a-fA-F]{6})?\\s*$"))]
    pub primary_color: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(pattern = "^\\s*(#[0-9a-fA-F]{6})?\\s*$"))]
    pub accent_color: Option<String>,
    /// An e-mail address or an https URL.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 300))]
    pub privacy_contact: Option<String>,
}

/// Change an organization; absent fields keep their value, an empty string clears an optional
/// one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OrganizationPatch {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = "\\S")
    )]
    pub name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(pattern = "^\\s*(#[0-9a-fA-F]{6})?\\s*$"))]
    pub primary_color: Option<String>,
    #[cfg_attr(feature = "openapi", schema(pattern = "^\\s*(#[0-9a-fA-F]{6})?\\s*$"))]
    pub accent_color: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 300))]
    pub privacy_contact: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreateInviteRequest {
    /// How long the link stays valid, 1-720 hours; the installation's default when absent.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 720))]
    pub valid_hours: Option<u32>,
}

/// A single-use invite link; its secret is in the fragment (`#invite=...`) and shown only now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct InviteResponse {
    pub organization_id: Uuid,
    pub link: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct InviteInfoRequest {
    pub invite: String,
}

/// What an invite is for, shown on the page before the invitee signs up (does not use it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct InviteInfo {
    pub organization_name: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AcceptInviteRequest {
    pub invite: String,
    /// 1-80 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 80, pattern = "\\S")
    )]
    pub display_name: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 3, max_length = 254))]
    pub email: String,
    /// At least 10 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 10))]
    pub password: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SignInRequest {
    pub email: String,
    pub password: String,
}

/// The signed-in organizer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AccountView {
    pub id: Uuid,
    pub display_name: String,
    pub email: String,
    pub organization: OrganizationView,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SignedOutResponse {
    /// Sessions of the account that were ended.
    pub sessions_ended: u64,
}
