//! Commands: what an actor asks the meeting to do. A command arrives over HTTP, is checked by
//! [`crate::decide()`] and, when allowed, turns into events.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::agenda::AgendaItemDetails;
use crate::ids::{AgendaItemId, ParticipantId, PollId, PostId};
use crate::poll::PollDefinition;
use crate::types::*;

/// Every command, flat (its serde form is the server's request mapping and may be stored), in
/// sections by family: each section is decided by the module of that name under `decide/`, and
/// tested in the file of that name in `crates/domain/tests/`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command {
    // Lifecycle (`decide/lifecycle.rs`): the organizer; open, close and settings also a
    // moderator.
    CreateMeeting {
        details: MeetingDetails,
        settings: MeetingSettings,
    },
    EditMeeting {
        details: MeetingDetails,
    },
    Schedule,
    Open,
    Close,
    ChangeSettings {
        settings: MeetingSettings,
    },
    AddStaff {
        participant: ParticipantId,
        role: StaffRole,
        name: String,
        role_line: String,
    },
    RevokeStaff {
        participant: ParticipantId,
    },

    // Participation (`decide/participation.rs`): citizens (posts and reports also staff).
    Join {
        participant: ParticipantId,
        display_name: String,
        age_band: Option<AgeBand>,
        gender: Option<Gender>,
    },
    CreatePost {
        kind: PostKind,
        body: String,
        parent: Option<PostId>,
        /// The agenda item a question is asked under; absent: the current one.
        #[serde(default)]
        agenda_item: Option<AgendaItemId>,
    },
    Report {
        post: PostId,
        reason: Option<String>,
    },

    // Questions (`decide/questions.rs`): panelists and moderators; hall questions, dismissals,
    // merges and the on-air question moderators only.
    PostNotice {
        body: String,
        pin: bool,
    },
    PinNotice {
        post: PostId,
    },
    UnpinNotice,
    Claim {
        post: PostId,
    },
    Release {
        post: PostId,
    },
    AnswerWritten {
        post: PostId,
        body: String,
    },
    /// The question was answered on camera or in the hall. Whoever presses the button (a
    /// moderator at the desk, often) names the panelist who answered, so the credit goes to the
    /// politician and not to the person recording it. Absent: the claimer if a panelist, else
    /// the one pressing if a panelist.
    AnswerLive {
        post: PostId,
        note: Option<String>,
        panelist: Option<ParticipantId>,
    },
    RoomQuestion {
        body: String,
        name: Option<String>,
    },
    Dismiss {
        post: PostId,
        reason: String,
    },
    Merge {
        post: PostId,
        into: PostId,
    },
    SetOnAir {
        post: Option<PostId>,
    },

    // Follow-up (`decide/followup.rs`).
    /// Route a question to a panelist or a department (moderators, the organizer; a panelist
    /// may assign a question to themselves only).
    Assign {
        post: PostId,
        to: Assignee,
    },
    Unassign {
        post: PostId,
    },
    /// Organizer: the follow-up after a closed meeting is done.
    CloseFollowUp,

    // Moderation (`decide/moderation.rs`): moderators.
    Hide {
        post: PostId,
        reason: HideReason,
        note: Option<String>,
    },
    Restore {
        post: PostId,
    },
    Approve {
        post: PostId,
    },
    Reject {
        post: PostId,
        reason: Option<String>,
    },
    Mute {
        participant: ParticipantId,
        minutes: u32,
    },
    Unmute {
        participant: ParticipantId,
    },
    Ban {
        participant: ParticipantId,
        /// Why the moderator bans (the console asks for it; the API accepts its absence).
        reason: Option<HideReason>,
    },
    Unban {
        participant: ParticipantId,
    },

    // Privacy (`decide/privacy.rs`): the organizer.
    /// Organizer: erase one citizen's name and posts (GDPR request).
    EraseParticipant {
        participant: ParticipantId,
    },
    /// Organizer (the retention task): pseudonymize a closed meeting's personal data.
    Pseudonymize,

    // Agenda (`decide/agenda.rs`): the organizer and moderators; filing a question also
    // panelists.
    AddAgendaItem {
        details: AgendaItemDetails,
        position: Option<u32>,
    },
    EditAgendaItem {
        item: AgendaItemId,
        details: AgendaItemDetails,
    },
    RemoveAgendaItem {
        item: AgendaItemId,
    },
    MoveAgendaItem {
        item: AgendaItemId,
        position: u32,
    },
    SetCurrentAgendaItem {
        item: Option<AgendaItemId>,
    },
    /// Move a question (or any top-level post) to another agenda item, or to none.
    FilePost {
        post: PostId,
        item: Option<AgendaItemId>,
    },

    // Polls (`decide/polls.rs`): the organizer and moderators. Answers are not commands (see
    // `poll::check_answer`).
    CreatePoll {
        definition: PollDefinition,
    },
    EditPoll {
        poll: PollId,
        definition: PollDefinition,
    },
    DeletePoll {
        poll: PollId,
    },
    MovePoll {
        poll: PollId,
        position: u32,
    },
    LaunchPoll {
        poll: PollId,
    },
    ClosePoll {
        poll: PollId,
    },
    PublishPollResults {
        poll: PollId,
    },
    SetPollOnScreen {
        poll: Option<PollId>,
    },
}

/// Installation-wide limits, from the server's settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Posts per participant in any 60-second window (the main anti-flood control).
    pub posts_per_minute: u32,
    /// Reports per participant in any 10-minute window.
    pub reports_per_10_minutes: u32,
    /// Longest mute a moderator can set.
    pub max_mute_minutes: u32,
    /// Working days (Mon-Fri) after the close within which open questions are to be answered.
    pub follow_up_working_days: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            posts_per_minute: 10,
            reports_per_10_minutes: 10,
            max_mute_minutes: 7 * 24 * 60,
            follow_up_working_days: 5,
        }
    }
}

/// What `decide` needs besides the state: the time and the limits.
#[derive(Clone, Copy, Debug)]
pub struct Context {
    pub now: DateTime<Utc>,
    pub limits: Limits,
}
