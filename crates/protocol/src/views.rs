//! What a meeting, a post or a person looks like to one audience. The server renders these once
//! per audience per event; the public audience never sees pending or rejected posts, hidden
//! bodies, report counts, moderator-only settings, or anyone's age band and gender.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use borgermode_domain::{
    Counters, HideReason, HoldReason, Language, MeetingId, MeetingStatus, ParticipantId, PollKind,
    PollStatus, PostKind, ResultsShown, Role,
};

/// Who the stream or response is rendered for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    Public,
    Staff,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SettingsView {
    pub max_body_chars: u32,
    pub slow_mode_secs: u32,
    pub premoderation: bool,
    /// Staff only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keywords: Option<Vec<String>>,
    /// Staff only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_threshold: Option<u32>,
    /// Staff only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_hold_reports: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MeetingView {
    pub id: MeetingId,
    pub title: String,
    /// The description as the organizer wrote it (Markdown).
    pub description: String,
    /// The description rendered to sanitized HTML.
    pub description_html: String,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub language: Language,
    pub video_url: Option<String>,
    pub status: MeetingStatus,
    pub settings: SettingsView,
    /// The question now on air, if any.
    pub on_air: Option<u64>,
    /// The pinned official notice, if any.
    pub pinned_notice: Option<u64>,
    pub counters: Counters,
    /// Panelists (public) and moderators (staff only).
    pub staff: Vec<StaffView>,
    /// Seq of the last event reflected in this view.
    pub seq: u64,
    /// The organization's branding. Present in HTTP answers; the live stream's snapshots leave
    /// it out (it is not part of the log).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<crate::organizations::Branding>,
    /// Present once the meeting closed: the follow-up deadline for open questions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<FollowUpView>,
    /// The installation's time zone (IANA name), in HTTP answers; the live stream says it
    /// once, in `hello`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// The agenda, in order (absent when the meeting has none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agenda: Vec<AgendaItemView>,
    /// The agenda item the meeting is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_agenda_item: Option<u64>,
    /// Polls in the staff's order: launched ones for the public, drafts too for staff. Results
    /// travel in `poll_results` frames and `GET .../polls`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub polls: Vec<PollView>,
    /// The poll the big screen shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_on_screen: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AgendaItemView {
    /// The seq of the event that added it.
    pub id: u64,
    pub title: String,
    /// Markdown as staff wrote it.
    pub description: String,
    /// Rendered to sanitized HTML.
    pub description_html: String,
    pub planned_start: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PollView {
    /// The seq of the event that created it.
    pub id: u64,
    pub question: String,
    /// `type`: `single_choice` (with `options`), `multiple_choice` (`options`, `max_picks`),
    /// `scale` (`max`, `low_label`, `high_label`), `word_cloud`, `open_answer`.
    pub kind: PollKind,
    /// When the public sees results: `live`, `after_close` or `staff_only`.
    pub results_shown: ResultsShown,
    pub agenda_item: Option<u64>,
    pub status: PollStatus,
    pub launched_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Whether the public may see the results now (staff always may).
    pub results_public: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StaffView {
    pub participant_id: ParticipantId,
    pub role: Role,
    pub name: String,
    pub role_line: Option<String>,
    pub revoked: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuthorView {
    /// Absent for questions entered on behalf of someone in the hall.
    pub participant_id: Option<ParticipantId>,
    pub name: String,
    pub role: Role,
    pub role_line: Option<String>,
    /// Panelists and moderators carry a verified badge on everything they post.
    pub verified: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PostStatus {
    Visible,
    Pending,
    Hidden,
    Rejected,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PostView {
    pub id: u64,
    pub kind: PostKind,
    pub parent: Option<u64>,
    pub author: AuthorView,
    /// `online`, or `room` for a question entered by a moderator for someone in the hall.
    pub source: String,
    /// Absent when hidden (public audience) or erased.
    pub body: Option<String>,
    /// The author was erased on request (GDPR): the body is gone for everyone, for good.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub erased: bool,
    pub created_at: DateTime<Utc>,
    pub status: PostStatus,
    /// Set when status is `hidden`: the tombstone reason shown to everyone.
    pub hidden_reason: Option<HideReason>,
    /// Moderator's note on a hide or rejection (staff and the author only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moderation_note: Option<String>,
    /// Set when status is `pending` (staff and the author only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_reason: Option<HoldReason>,
    pub votes: u32,
    /// Number of distinct reporters (staff only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reports: Option<u32>,
    pub question: Option<QuestionView>,
    pub reply_count: u32,
    /// The agenda item the post is filed under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agenda_item: Option<u64>,
    /// The author's number in this meeting (the seq they joined at). Only on a version 2
    /// stream (`?v=2`, see `lean`): its lean frames name authors by this number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct QuestionView {
    /// open | claimed | answered | dismissed | merged
    pub state: String,
    pub claimed_by: Option<String>,
    pub answer: Option<AnswerView>,
    pub dismissed_reason: Option<String>,
    pub merged_into: Option<u64>,
    pub merged_from: Vec<u64>,
    /// Who the question is routed to (staff only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<AssigneeView>,
}

/// A question's routing: a panelist of the meeting, or a department by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AssigneeView {
    /// `panelist` or `department`.
    pub kind: String,
    /// Set for a panelist.
    pub participant_id: Option<ParticipantId>,
    /// The panelist's display name or the department's name.
    pub name: String,
    pub since: Option<DateTime<Utc>>,
}

/// The follow-up after the close: questions still open are due by `due`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FollowUpView {
    pub due: DateTime<Utc>,
    /// Set once the organizer closed the follow-up.
    pub closed_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AnswerView {
    /// `written` or `live`.
    pub mode: String,
    /// Written answers: sanitized HTML rendered from the panelist's Markdown.
    pub html: Option<String>,
    /// Live answers: the optional short note.
    pub note: Option<String>,
    pub by: AuthorView,
    pub at: DateTime<Utc>,
}

/// What a connection or a request knows about its own participant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct YouView {
    pub participant_id: ParticipantId,
    pub role: Role,
    pub name: String,
    pub muted_until: Option<DateTime<Utc>>,
    pub banned: bool,
    /// Posts you upvoted.
    pub voted: Vec<u64>,
    /// Your answers to the meeting's polls (they come back on every reconnect).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub poll_answers: Vec<YourPollAnswer>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct YourPollAnswer {
    pub poll: u64,
    pub answer: borgermode_domain::PollAnswer,
}
