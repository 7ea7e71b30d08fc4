//! Bodies of the `/api` HTTP commands and queries. Every command accepts an optional
//! `Idempotency-Key` header (1-100 visible ASCII characters): a retry with the same key (from
//! the same caller) returns the first result and changes nothing.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use borgermode_domain::{
    AgeBand, Gender, HideReason, HoldReason, Language, MeetingId, ParticipantId, PostKind,
    StaffRole,
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
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 20000))]
    pub max_body_chars: Option<u32>,
    #[cfg_attr(feature = "openapi", schema(maximum = 3600))]
    pub slow_mode_secs: Option<u32>,
    pub premoderation: Option<bool>,
    #[cfg_attr(feature = "openapi", schema(max_items = 500))]
    pub keywords: Option<Vec<String>>,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1000))]
    pub report_threshold: Option<u32>,
    pub auto_hold_reports: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreateMeetingRequest {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = "\\S")
    )]
    pub title: String,
    /// Markdown.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 20000))]
    pub description: String,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    #[serde(default = "default_language")]
    pub language: Language,
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 2000, pattern = "^\\s*(https?://\\S+)?\\s*$")
    )]
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
/// (So a field left `None` is left out when serialized: as `null` it would clear.)
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EditMeetingRequest {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = "\\S")
    )]
    pub title: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 20000))]
    pub description: Option<String>,
    #[serde(
        default,
        with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub starts_at: Option<Option<DateTime<Utc>>>,
    #[serde(
        default,
        with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub ends_at: Option<Option<DateTime<Utc>>>,
    pub language: Option<Language>,
    #[serde(
        default,
        with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 2000, pattern = "^\\s*(https?://\\S+)?\\s*$")
    )]
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
    /// Questions that count publicly and still need an answer.
    #[serde(default)]
    pub unanswered: u32,
    /// The follow-up deadline, once the meeting closed.
    #[serde(default)]
    pub follow_up_due: Option<DateTime<Utc>>,
    /// The follow-up is past its deadline with questions still open: flag it to the organizer.
    #[serde(default)]
    pub follow_up_overdue: bool,
    /// The installation's time zone (IANA name): the organizer's page shows and enters times
    /// in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
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
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 40, pattern = "\\S")
    )]
    pub name: String,
    /// E.g. "Borgmester", "Teknik- og Miljøudvalget". Optional: absent, `null`, empty or only
    /// whitespace all mean "no title".
    #[serde(default, deserialize_with = "null_as_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 80))]
    pub role_line: String,
}

/// An optional text field where `null` means the same as absent or empty: forms send `null`
/// for an empty optional input, and a 400 for that would only punish the caller.
fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
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
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 40, pattern = "\\S")
    )]
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
    /// A citizen's personal "my questions" link, shown once at join: the secret sits in the
    /// URL fragment and is exchanged with `POST /api/staff-session` like a staff link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub my_questions_link: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreatePostRequest {
    pub kind: PostKind,
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 20000, pattern = "\\S")
    )]
    pub body: String,
    /// Reply to this post (one level of threading; replies are comments).
    pub parent: Option<u64>,
    /// Questions: the agenda item asked under (absent: the meeting's current item).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agenda_item: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NoticeRequest {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 20000, pattern = "\\S")
    )]
    pub body: String,
    #[serde(default)]
    pub pin: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RoomQuestionRequest {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 20000, pattern = "\\S")
    )]
    pub body: String,
    /// Name of the person in the hall, if they want it shown.
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
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
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DismissRequest {
    /// Shown to the asker.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 500, pattern = "\\S")
    )]
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WrittenAnswerRequest {
    /// Markdown; links allowed (sanitized).
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 5000, pattern = "\\S")
    )]
    pub body: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LiveAnswerRequest {
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub note: Option<String>,
    /// The panelist who answered (an active panelist of the meeting). Absent: the claimer if
    /// a panelist, else the one pressing if a panelist.
    #[serde(default)]
    pub panelist: Option<ParticipantId>,
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
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub note: Option<String>,
}

/// `POST .../participants/{p}/ban`: the body is optional; the console always sends a reason.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BanRequest {
    #[serde(default)]
    pub reason: Option<HideReason>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MuteRequest {
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 10080))]
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

/// `GET /api/meetings/{id}/similar`: the meeting's visible questions that ask what the text
/// asks ("has someone asked this already?"), best first, at most three.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SimilarResponse {
    /// Visible questions only (never held, hidden, rejected, merged or erased), as the public
    /// sees them: body, answer state (`question.state`, `question.answer`) and votes.
    pub questions: Vec<PostView>,
}

/// `GET /api/meetings/{id}/topics`: the words the meeting's visible questions share most (the
/// big screen's topic cloud; the report carries the same list as `topics`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TopicsResponse {
    pub topics: Vec<borgermode_domain::similar::Topic>,
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

/// Which announcement text (`GET /api/meetings/{id}/announcements`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AnnouncementKind {
    /// A post for the municipality's Facebook page.
    Facebook,
    /// A press note for the local weekly paper.
    Press,
    /// A short announcement to be read on local radio.
    Radio,
}

/// One ready-to-paste text. Plain text (line breaks as `\n`), never HTML.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AnnouncementText {
    pub kind: AnnouncementKind,
    pub language: Language,
    pub text: String,
}

/// The meeting's start (and end) in local time, in words, per language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LocalWhen {
    pub language: Language,
    /// E.g. `torsdag den 15. januar 2026`.
    pub date: String,
    /// E.g. `19.00–20.30` (da) or `19:00–20:30` (en).
    pub time: String,
}

/// The announcement kit of one meeting, for its organizer: links, local time, texts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AnnouncementsResponse {
    pub meeting_id: MeetingId,
    pub title: String,
    pub organization_name: String,
    /// Same-origin URL of the organization's logo, absent without one.
    pub logo_url: Option<String>,
    /// Absolute public link of the meeting page.
    pub link: String,
    /// Absolute short link (`/j/{code}`).
    pub short_link: String,
    /// Absolute link of the calendar file (`/m/{id}/meeting.ics`).
    pub calendar_url: String,
    /// Path of the printable poster page.
    pub poster_url: String,
    /// Path of the QR code (SVG) of `link`.
    pub qr_url: String,
    /// IANA name of the installation's time zone (setting `--time-zone`).
    pub time_zone: String,
    pub when: Vec<LocalWhen>,
    /// Every kind in Danish and English.
    pub texts: Vec<AnnouncementText>,
    /// The agenda in order (empty without one), for the poster; the texts and the calendar
    /// file list it too.
    #[serde(default)]
    pub agenda: Vec<AnnouncementAgendaItem>,
}

/// One agenda item as the announcement kit shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AnnouncementAgendaItem {
    pub title: String,
    pub planned_start: Option<DateTime<Utc>>,
    /// The planned start in local time per language (`19.30` / `19:30`); empty without one.
    pub when: Vec<LocalWhen>,
}

/// Body of `POST /api/meetings/{id}/questions/{post}/assign`: exactly one of the two.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignRequest {
    /// A panelist of the meeting.
    #[serde(default)]
    pub panelist: Option<ParticipantId>,
    /// A department by name (free text, at most 80 characters).
    #[serde(default)]
    pub department: Option<String>,
}

/// By hand, because "exactly one of the two" is a `oneOf`, which the derive cannot say: giving
/// both, or neither, is refused by the server (422) and by this schema.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for AssignRequest {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{
            KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, Type,
        };
        let panelist = ObjectBuilder::new()
            .property(
                "panelist",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
                    .description(Some("A panelist of the meeting")),
            )
            .required("panelist");
        let department = ObjectBuilder::new()
            .property(
                "department",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(80))
                    .pattern(Some("\\S"))
                    .description(Some("A department by name (free text)")),
            )
            .required("department");
        OneOfBuilder::new()
            .item(panelist)
            .item(department)
            .description(Some("Exactly one of `panelist` and `department`"))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl ToSchema for AssignRequest {}

/// One panelist's response figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PanelistFiguresView {
    pub participant_id: ParticipantId,
    pub name: String,
    pub role_line: Option<String>,
    /// Questions routed to this panelist.
    pub assigned: u32,
    /// Questions this panelist answered.
    pub answered: u32,
    /// Questions routed to this panelist still waiting for an answer.
    pub open: u32,
    /// Median seconds from question to this panelist's answer.
    pub median_answer_secs: Option<i64>,
}

/// Open questions routed to one department.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DepartmentFiguresView {
    pub name: String,
    pub assigned: u32,
    pub open: u32,
}

/// `GET /api/meetings/{id}/follow-up`: routing and follow-up overview for the organizer and
/// the meeting's staff.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FollowUpResponse {
    pub seq: u64,
    pub status: borgermode_domain::MeetingStatus,
    pub closed_at: Option<DateTime<Utc>>,
    /// Deadline for the questions still open at the close (absent before the close).
    pub due: Option<DateTime<Utc>>,
    /// When the organizer closed the follow-up.
    pub follow_up_closed_at: Option<DateTime<Utc>>,
    /// Past the deadline with questions still open.
    pub overdue: bool,
    pub counters: borgermode_domain::Counters,
    /// Questions still needing an answer (ids, oldest first).
    pub unanswered: Vec<u64>,
    pub panelists: Vec<PanelistFiguresView>,
    pub departments: Vec<DepartmentFiguresView>,
}

/// A prepared answer of an organization: a reusable snippet a panelist inserts into the answer
/// box and edits before sending.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AnswerSnippetView {
    pub id: uuid::Uuid,
    pub title: String,
    /// Markdown, as written (what goes into the answer box).
    pub body: String,
    /// The body rendered to sanitized HTML (for a preview).
    pub body_html: String,
    pub updated_at: DateTime<Utc>,
}

/// Body of creating or replacing a prepared answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AnswerSnippetRequest {
    /// 1 to 120 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 120, pattern = "\\S")
    )]
    pub title: String,
    /// Markdown, 1 to 5000 characters; links to the municipality's self-service pages welcome.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 5000, pattern = "\\S")
    )]
    pub body: String,
}

/// `GET /api/meetings/{id}/mine`: a citizen's own questions and their answers, also those
/// given after the meeting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MyQuestionsResponse {
    pub meeting: MeetingView,
    /// Your questions, oldest first (held or rejected ones too, as only you see them).
    pub questions: Vec<PostView>,
    /// Questions yours were merged into: their answer is your answer.
    pub merged_into: Vec<PostView>,
    pub notify: NotifyStatus,
}

/// Whether e-mail notification is offered, and whether you left an address (never the address).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NotifyStatus {
    /// The installation sends mail (SMTP configured) and the meeting's follow-up is not closed.
    pub available: bool,
    pub email_on_file: bool,
}

/// Body of `PUT /api/meetings/{id}/mine/notify`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NotifyRequest {
    #[cfg_attr(feature = "openapi", schema(min_length = 3, max_length = 254))]
    pub email: String,
}

/// A fresh "my questions" link for the signed-in citizen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MyQuestionsLinkResponse {
    pub link: String,
}

/// Per-meeting report and archive options, set by the organizer
/// (`PUT /api/meetings/{id}/report-options`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReportOptions {
    /// Participation goals shown next to the demographics.
    #[serde(default)]
    pub targets: borgermode_domain::report::ReportTargets,
    /// Show moderator names in the public archive's moderation log (off by default).
    #[serde(default)]
    pub show_moderators: bool,
}

/// The public, read-only archive of a closed meeting (`GET /api/meetings/{id}/archive`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ArchiveResponse {
    pub meeting_id: MeetingId,
    pub title: String,
    pub closed_at: Option<DateTime<Utc>>,
    pub posts: Vec<ArchivePost>,
    pub moderation_log: Vec<ArchiveModeration>,
    /// The agenda in order (empty when the meeting had none). Each post's `agenda_item`
    /// names one of these.
    #[serde(default)]
    pub agenda: Vec<crate::views::AgendaItemView>,
    /// Closed polls whose results are public (`results_shown` live or after_close, or
    /// published by staff), in the staff's order. A staff-only poll never published stays out.
    #[serde(default)]
    pub polls: Vec<ArchivePoll>,
}

/// One closed poll in the archive with its final results (open answers: only those a
/// moderator let through are listed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ArchivePoll {
    /// The seq of the event that created it.
    pub id: u64,
    pub question: String,
    /// `type` and options or scale labels, as in `PollView.kind`.
    pub kind: borgermode_domain::PollKind,
    pub agenda_item: Option<u64>,
    pub launched_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub results: borgermode_domain::PollResults,
}

/// One post in the archive. A hidden post is a tombstone: `body` and `author` are null and
/// `hidden_reason` says why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ArchivePost {
    pub id: u64,
    pub kind: PostKind,
    pub parent: Option<u64>,
    pub created_at: DateTime<Utc>,
    pub author: Option<String>,
    /// None for a tombstone; "[erased]" where the author's text was erased.
    pub body: Option<String>,
    pub hidden_reason: Option<HideReason>,
    /// open, claimed, answered, dismissed (questions only).
    pub question_state: Option<String>,
    pub answer: Option<ArchiveAnswer>,
    /// The agenda item the question was filed under (an id in `ArchiveResponse.agenda`).
    #[serde(default)]
    pub agenda_item: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ArchiveAnswer {
    /// "written" or "live".
    pub mode: String,
    /// The written answer (Markdown) or the live answer's note.
    pub text: Option<String>,
    pub by: Option<String>,
    pub at: DateTime<Utc>,
}

/// One moderation action. `moderator` is present only when the organizer chose to show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ArchiveModeration {
    pub at: DateTime<Utc>,
    pub action: String,
    pub reason: Option<String>,
    /// The post acted on, when the public saw it.
    pub post: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moderator: Option<String>,
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
    #[cfg_attr(feature = "openapi", schema(max_length = 10000))]
    pub notice: Option<String>,
}

// The agenda and polls (docs/protocol.md 3.12 and 3.13).

/// Add or edit an agenda item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AgendaItemRequest {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = "\\S")
    )]
    pub title: String,
    /// Markdown, up to 2,000 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub description: String,
    #[serde(default)]
    pub planned_start: Option<DateTime<Utc>>,
    /// Adding only: where the item goes (0 = first); absent: at the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<u32>,
}

/// Move an agenda item or a poll to a place in its list (0 = first; past the end = last).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MoveRequest {
    pub position: u32,
}

/// Set the current agenda item, or file a post under one; `null` for none.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AgendaItemChoice {
    pub item: Option<u64>,
}

/// The poll the big screen shows; `null` for none.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PollChoice {
    pub poll: Option<u64>,
}

/// `PUT .../polls/{poll}/answer`: your answer as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PollAnswerResponse {
    pub poll: u64,
    /// Normalized (picks sorted, words folded, text trimmed).
    pub answer: borgermode_domain::PollAnswer,
    /// An open answer held for a moderator (premoderation or a keyword): counted, not listed
    /// until approved.
    pub held_reason: Option<HoldReason>,
    /// The results now, when you may see them (they change; the live stream has the latest).
    pub results: Option<borgermode_domain::PollResults>,
}

/// One poll with its results for this caller (null when the caller may not see them yet).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PollWithResults {
    pub poll: crate::views::PollView,
    pub results: Option<borgermode_domain::PollResults>,
}

/// `GET .../polls`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PollsResponse {
    /// In the staff's order: launched polls for the public, drafts too for staff.
    pub polls: Vec<PollWithResults>,
    /// The caller's own answers (a citizen).
    pub yours: Vec<crate::views::YourPollAnswer>,
}

/// One open answer as a moderator sees it (`GET .../polls/{poll}/answers`). Answers are
/// anonymous to staff too: `answer_id` names the answer for approve / hide / restore and cannot
/// be linked to a participant (a keyed hash of the poll and the participant).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StaffPollAnswerView {
    pub answer_id: String,
    pub answer: borgermode_domain::PollAnswer,
    pub held_reason: Option<HoldReason>,
    pub hidden: bool,
    pub answered_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Rust client's edit that names one field changes only that field: the others are
    /// left out, not sent as `null` (which clears).
    #[test]
    fn an_edit_of_one_field_serializes_only_that_field() {
        let at = DateTime::parse_from_rfc3339("2026-01-15T20:00:00Z")
            .expect("time")
            .with_timezone(&Utc);
        let edit = EditMeetingRequest {
            ends_at: Some(Some(at)),
            ..Default::default()
        };
        let json = serde_json::to_value(&edit).expect("serializes");
        let fields: Vec<&String> = json
            .as_object()
            .expect("object")
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, _)| k)
            .collect();
        assert_eq!(fields, ["ends_at"]);
        for cleared in ["starts_at", "video_url"] {
            assert!(json.get(cleared).is_none(), "{cleared} sent: {json}");
        }
        let back: EditMeetingRequest = serde_json::from_value(json).expect("parses");
        assert_eq!(back, edit);
        let clear = EditMeetingRequest {
            video_url: Some(None),
            ..Default::default()
        };
        let json = serde_json::to_value(&clear).expect("serializes");
        assert_eq!(json["video_url"], serde_json::Value::Null);
        assert!(json.as_object().expect("object").contains_key("video_url"));
        assert_eq!(
            serde_json::from_value::<EditMeetingRequest>(json).expect("parses"),
            clear
        );
    }
}
