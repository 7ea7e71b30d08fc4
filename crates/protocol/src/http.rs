//! Bodies of the `/api` HTTP commands and queries. Every command accepts an optional
//! `Idempotency-Key` header (1-100 visible ASCII characters): a retry with the same key (from
//! the same caller) returns the first result and changes nothing.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use borgermode_domain::{
    AgeBand, Gender, HideReason, Language, MeetingId, ParticipantId, PostKind, StaffRole,
};

use crate::views::{MeetingView, PostView, YouView};

/// `application/problem+json` (RFC 9457) with a stable `code`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Problem {
    /// URI reference naming the problem type: `/errors/<code>` on the server.
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    /// Stable machine-readable code, e.g. `body_too_long`, `slow_mode`, `meeting_closed`.
    pub code: String,
    pub detail: Option<String>,
    /// The offending field for `validation_failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Seconds until a retry may succeed (also in the `Retry-After` header).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

/// Settings a meeting starts with, or a change to them (absent fields keep their value).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SettingsPatch {
    pub max_body_chars: Option<u32>,
    pub slow_mode_secs: Option<u32>,
    pub premoderation: Option<bool>,
    pub keywords: Option<Vec<String>>,
    pub report_threshold: Option<u32>,
    pub auto_hold_reports: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreateMeetingRequest {
    pub title: String,
    /// Markdown.
    #[serde(default)]
    pub description: String,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    #[serde(default = "default_language")]
    pub language: Language,
    pub video_url: Option<String>,
    #[serde(default)]
    pub settings: SettingsPatch,
    /// The organization the meeting belongs to. An organizer's own organization when absent
    /// (and any other is refused); with the admin token, the default organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<uuid::Uuid>,
}

fn default_language() -> Language {
    Language::Da
}

/// Change a meeting's details; absent fields keep their value. `null` clears an optional one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EditMeetingRequest {
    pub title: Option<String>,
    pub description: Option<String>,
    #[serde(default, with = "double_option")]
    pub starts_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, with = "double_option")]
    pub ends_at: Option<Option<DateTime<Utc>>>,
    pub language: Option<Language>,
    #[serde(default, with = "double_option")]
    pub video_url: Option<Option<String>>,
}

mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer, T: Serialize>(
        v: &Option<Option<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            None => s.serialize_none(),
            Some(inner) => inner.serialize(s),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MeetingSummary {
    pub id: MeetingId,
    pub title: String,
    pub status: borgermode_domain::MeetingStatus,
    pub starts_at: Option<DateTime<Utc>>,
    pub seq: u64,
    #[serde(default)]
    pub organization_id: Option<uuid::Uuid>,
}

/// Result of every command: the seq of the last event it appended (absent when nothing
/// changed, e.g. claiming a question you already hold).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CommandAck {
    pub seq: Option<u64>,
    /// For commands that create a meeting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting_id: Option<MeetingId>,
    /// For commands that create a post: its id (= the seq of its creation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_id: Option<u64>,
    /// For posts: `visible`, or `pending` when held for a moderator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreateStaffLinkRequest {
    pub role: StaffRole,
    pub name: String,
    /// E.g. "Borgmester", "Teknik- og Miljøudvalget".
    #[serde(default)]
    pub role_line: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StaffLinkResponse {
    pub participant_id: ParticipantId,
    pub seq: u64,
    /// Shown once. The secret sits in the fragment (`#key=...`), so mail scanners that open the
    /// link do not use it up; the page exchanges it with `POST /api/staff-session`.
    pub link: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StaffSessionRequest {
    pub key: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AdminSessionRequest {
    pub token: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct JoinRequest {
    pub display_name: String,
    pub age_band: Option<AgeBand>,
    pub gender: Option<Gender>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SessionResponse {
    pub meeting_id: MeetingId,
    pub you: YouView,
    pub seq: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreatePostRequest {
    pub kind: PostKind,
    pub body: String,
    /// Reply to this post (one level of threading; replies are comments).
    pub parent: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NoticeRequest {
    pub body: String,
    #[serde(default)]
    pub pin: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RoomQuestionRequest {
    pub body: String,
    /// Name of the person in the hall, if they want it shown.
    pub name: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct VoteRequest {
    /// true = upvote, false = take the upvote back.
    pub up: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct VoteResponse {
    pub post_id: u64,
    pub up: bool,
    pub votes: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReasonRequest {
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DismissRequest {
    /// Shown to the asker.
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WrittenAnswerRequest {
    /// Markdown; links allowed (sanitized).
    pub body: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LiveAnswerRequest {
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MergeRequest {
    pub into: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OnAirRequest {
    /// The question to put on air, or null to clear.
    pub post: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct HideRequest {
    pub reason: HideReason,
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MuteRequest {
    pub minutes: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct QueueResponse {
    pub seq: u64,
    pub sort: borgermode_domain::QueueSort,
    /// Open and claimed questions, in order.
    pub questions: Vec<PostView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MeetingStateResponse {
    pub meeting: MeetingView,
    pub posts: Vec<PostView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Readiness {
    pub status: String,
    pub store: String,
    pub bus: String,
}

/// A meeting's privacy notice, shown on the join form (`GET /api/meetings/{id}/privacy`). The
/// client shows its default text (locale keys `privacy.*`) filled in from these fields, or the
/// organizer's own text when `custom_html` is set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PrivacyNoticeView {
    /// The organization responsible for the meeting (the data controller).
    pub organization: String,
    /// The privacy contact as entered (e-mail address or https URL), if the organization set one.
    pub contact: Option<String>,
    /// The contact as a `mailto:` or `https:` link.
    pub contact_url: Option<String>,
    /// Days after the meeting closes until names and per-person demographics are pseudonymized.
    pub retention_days: u32,
    /// The organizer's own notice for this meeting, as sanitized HTML (absent: default text).
    pub custom_html: Option<String>,
    /// The same, as the Markdown the organizer wrote (for editing).
    pub custom_markdown: Option<String>,
}

/// Set a meeting's own privacy notice (Markdown, at most 10,000 characters); null or an empty
/// string goes back to the default text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PrivacyNoticeRequest {
    #[serde(default)]
    pub notice: Option<String>,
}
