//! Small value types shared by commands, events and the projection.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::ParticipantId;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Language {
    Da,
    En,
}

/// Lifecycle: draft -> scheduled -> open -> closed. A meeting may be opened straight from draft.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MeetingStatus {
    Draft,
    Scheduled,
    Open,
    Closed,
}

/// What the organizer describes; replaced as a whole on every edit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingDetails {
    pub title: String,
    /// Markdown; rendered and sanitized on the server before it reaches a browser.
    pub description: String,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub language: Language,
    pub video_url: Option<String>,
}

/// Moderation settings of one meeting; replaced as a whole on every change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeetingSettings {
    /// Maximum post body length in characters (Unicode scalar values, after trimming).
    pub max_body_chars: u32,
    /// Minimum seconds between two posts of one citizen; 0 = off.
    pub slow_mode_secs: u32,
    /// New citizen posts are held as pending until a moderator approves them.
    pub premoderation: bool,
    /// Posts containing any of these words (case- and accent-insensitive) are held as pending.
    pub keywords: Vec<String>,
    /// Reports from this many distinct participants hold a post for review.
    pub report_threshold: u32,
    /// Whether reports hold a post automatically at all.
    pub auto_hold_reports: bool,
}

impl Default for MeetingSettings {
    fn default() -> Self {
        Self {
            max_body_chars: 1000,
            slow_mode_secs: 0,
            premoderation: false,
            keywords: Vec::new(),
            report_threshold: 3,
            auto_hold_reports: true,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Citizen,
    Moderator,
    Panelist,
}

impl Role {
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Moderator | Role::Panelist)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    Moderator,
    Panelist,
}

impl From<StaffRole> for Role {
    fn from(r: StaffRole) -> Self {
        match r {
            StaffRole::Moderator => Role::Moderator,
            StaffRole::Panelist => Role::Panelist,
        }
    }
}

/// Optional, anonymous; only ever shown in aggregate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AgeBand {
    #[serde(rename = "under_18")]
    Under18,
    #[serde(rename = "18_29")]
    From18To29,
    #[serde(rename = "30_44")]
    From30To44,
    #[serde(rename = "45_59")]
    From45To59,
    #[serde(rename = "60_74")]
    From60To74,
    #[serde(rename = "75_plus")]
    From75,
}

/// Optional, anonymous; only ever shown in aggregate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Woman,
    Man,
    Other,
    PreferNotToSay,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PostKind {
    Comment,
    Question,
    /// An official notice by a panelist or moderator (clarification, myth correction).
    Notice,
}

/// Where a post came from: online, or entered by a moderator for someone in the physical hall.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Source {
    Online,
    Room { name: Option<crate::event::Content> },
}

/// Why a post is held from the public until a moderator decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HoldReason {
    Premoderation,
    Keyword,
    Reports,
}

/// Reason codes a moderator picks when hiding a post; shown to the public on the tombstone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HideReason {
    OffTopic,
    Abusive,
    PersonalData,
    Spam,
    Duplicate,
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Visibility {
    Visible,
    Pending {
        reason: HoldReason,
    },
    Hidden {
        reason: HideReason,
        note: Option<String>,
    },
    Rejected {
        reason: Option<String>,
    },
}

/// How a question was answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Answer {
    /// An official written answer in Markdown (links allowed; sanitized when rendered).
    Written { body: crate::event::Content },
    /// Answered live on camera or in the hall, with an optional short note. `panelist` is the
    /// panelist who answered (the event's actor is whoever recorded it); events from before
    /// it existed have none and credit their actor.
    Live {
        note: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        panelist: Option<ParticipantId>,
    },
}

/// Every question is in exactly one of these states.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum QuestionState {
    Open,
    Claimed {
        by: ParticipantId,
    },
    Answered {
        by: ParticipantId,
        at: DateTime<Utc>,
        answer: Answer,
    },
    Dismissed {
        by: ParticipantId,
        reason: String,
    },
    Merged {
        into: crate::ids::PostId,
    },
}

/// Who a question is routed to: a named panelist of the meeting, or a department by name.
/// Departments are free text (e.g. "Teknik og Miljø"): municipalities name and cut their
/// departments differently and a meeting touches only a few, so a per-meeting list to maintain
/// would be one more thing to set up before the meeting for no rule that needs it; the staff
/// console offers the names already used in the meeting as suggestions.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Assignee {
    Panelist { participant: ParticipantId },
    Department { name: String },
}
