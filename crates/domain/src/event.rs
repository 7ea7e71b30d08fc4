//! Events: the meeting log's entries. Every state change of a meeting is one of these, numbered
//! by a gapless per-meeting `seq`. Personal text (post bodies, display names, written answers)
//! sits in [`Content`] so that a store can keep it apart from the log and erase it without
//! touching the log itself: the hash stays, the text goes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::agenda::AgendaItemDetails;
use crate::ids::{AgendaItemId, ParticipantId, PollId, PostId, Seq};
use crate::poll::PollDefinition;
use crate::types::*;

/// Personal text referenced by an event. `text` is `None` once erased (GDPR); `hash` is the
/// SHA-256 of the original text and never changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Content {
    pub hash: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl Content {
    pub fn new(text: impl Into<String>) -> Self {
        let text = text.into();
        let hash = hex::encode(Sha256::digest(text.as_bytes()));
        Self {
            hash,
            text: Some(text),
        }
    }

    /// The text, or an empty string once erased.
    pub fn as_str(&self) -> &str {
        self.text.as_deref().unwrap_or("")
    }
}

/// Who caused an event. The organizer acts through the admin token; everybody else is a
/// participant of the meeting (citizen, moderator or panelist).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Actor {
    Organizer,
    Participant { id: ParticipantId },
}

impl Actor {
    pub fn participant(&self) -> Option<ParticipantId> {
        match self {
            Actor::Participant { id } => Some(*id),
            Actor::Organizer => None,
        }
    }
}

/// One stored entry of a meeting's log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub seq: Seq,
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub kind: EventKind,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    MeetingCreated {
        details: MeetingDetails,
        settings: MeetingSettings,
    },
    MeetingEdited {
        details: MeetingDetails,
    },
    MeetingScheduled,
    MeetingOpened,
    MeetingClosed,
    SettingsChanged {
        settings: MeetingSettings,
    },
    StaffAdded {
        participant: ParticipantId,
        role: StaffRole,
        name: String,
        role_line: String,
    },
    StaffRevoked {
        participant: ParticipantId,
    },
    ParticipantJoined {
        participant: ParticipantId,
        display_name: Content,
        age_band: Option<AgeBand>,
        gender: Option<Gender>,
    },
    /// The post's id is this event's seq.
    PostCreated {
        post_kind: PostKind,
        parent: Option<PostId>,
        body: Content,
        source: Source,
        held: Option<HoldReason>,
    },
    PostReported {
        post: PostId,
        /// The reason as plain text, in events stored before reasons had a content slot
        /// (kept so that their audit links still verify). New events leave it `None`.
        reason: Option<String>,
        /// The reporter's reason: personal text, in a content slot (erased with its author).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason_text: Option<Content>,
    },
    PostHeld {
        post: PostId,
        reason: HoldReason,
    },
    PostApproved {
        post: PostId,
    },
    PostRejected {
        post: PostId,
        reason: Option<String>,
    },
    PostHidden {
        post: PostId,
        reason: HideReason,
        note: Option<String>,
    },
    PostRestored {
        post: PostId,
    },
    NoticePinned {
        post: PostId,
    },
    NoticeUnpinned,
    QuestionClaimed {
        post: PostId,
    },
    QuestionReleased {
        post: PostId,
    },
    QuestionAnswered {
        post: PostId,
        answer: Answer,
    },
    QuestionDismissed {
        post: PostId,
        reason: String,
    },
    QuestionAssigned {
        post: PostId,
        to: Assignee,
    },
    QuestionUnassigned {
        post: PostId,
    },
    /// Follows `MeetingClosed` in the same command: questions still open go to the follow-up
    /// queue, to be answered by `due` (close time + the configured working days). A separate
    /// event rather than a field on `MeetingClosed` so that the close event keeps its shape.
    FollowUpStarted {
        due: DateTime<Utc>,
    },
    /// The organizer declared the follow-up done; no more answers after this.
    FollowUpClosed,
    QuestionMerged {
        post: PostId,
        into: PostId,
    },
    OnAirSet {
        post: Option<PostId>,
    },
    ParticipantMuted {
        participant: ParticipantId,
        until: DateTime<Utc>,
    },
    ParticipantUnmuted {
        participant: ParticipantId,
    },
    ParticipantBanned {
        participant: ParticipantId,
        /// Why (the moderator's pick, staff-only; counted in the report's moderation by
        /// reason). Absent in events from before it was asked for.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<HideReason>,
    },
    ParticipantUnbanned {
        participant: ParticipantId,
    },
    /// GDPR erasure of one citizen on request: their display name and every post body they
    /// wrote are deleted from the store (the `contents` rows listed here) in the transaction
    /// that appends this event. The log keeps every event, seq and hash.
    ParticipantErased {
        participant: ParticipantId,
        contents: Vec<ContentRef>,
    },
    /// Retention: the meeting closed long enough ago that its personal data goes. Display names
    /// (and names typed for room questions) listed in `contents` are deleted, per-person age
    /// band and gender are stripped from `participant_joined`, and `aggregates` keeps the
    /// meeting's demographic counts for the report.
    PersonalDataPseudonymized {
        contents: Vec<ContentRef>,
        aggregates: Vec<DemographicCount>,
    },

    // The agenda (`agenda.rs`). The item's id is the seq of `AgendaItemAdded`.
    AgendaItemAdded {
        details: AgendaItemDetails,
        /// Where it goes (0 = first); absent: at the end.
        position: Option<u32>,
    },
    AgendaItemEdited {
        item: AgendaItemId,
        details: AgendaItemDetails,
    },
    /// Its questions and polls are no longer tied to an item; if it was current, none is.
    AgendaItemRemoved {
        item: AgendaItemId,
    },
    AgendaItemMoved {
        item: AgendaItemId,
        position: u32,
    },
    /// The point the meeting is on; `None`: none (before the first, after the last).
    CurrentAgendaItemSet {
        item: Option<AgendaItemId>,
    },
    /// A post is filed under an agenda item (or none). Follows `PostCreated` in the same
    /// command when the question was asked under an item (a separate event so that
    /// `post_created` keeps its shape), and stands alone when staff move a question.
    PostFiled {
        post: PostId,
        item: Option<AgendaItemId>,
    },

    // Polls (`poll.rs`). The poll's id is the seq of `PollCreated`; answers are not events.
    /// A draft, at the end of the staff's list.
    PollCreated {
        definition: PollDefinition,
    },
    PollEdited {
        poll: PollId,
        definition: PollDefinition,
    },
    PollDeleted {
        poll: PollId,
    },
    PollMoved {
        poll: PollId,
        position: u32,
    },
    PollLaunched {
        poll: PollId,
    },
    PollClosed {
        poll: PollId,
    },
    /// Staff made the results public (a staff-only poll, or an after-close poll early).
    PollResultsPublished {
        poll: PollId,
    },
    /// The poll the big screen shows (`None`: none).
    PollOnScreenSet {
        poll: Option<PollId>,
    },
}

/// One stored piece of personal text: the [`Content`] at position `slot` of
/// [`EventKind::contents_mut`] of the event at `seq`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ContentRef {
    pub seq: Seq,
    pub slot: u32,
}

/// How many participants of a meeting gave one value of one demographic dimension.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemographicCount {
    /// `age_band` or `gender`.
    pub dimension: String,
    /// The serde name of the value, e.g. `18_29`, `woman`.
    pub value: String,
    pub count: u32,
}

impl EventKind {
    /// Stable snake_case name of the event type, as used on the wire.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::MeetingCreated { .. } => "meeting_created",
            EventKind::MeetingEdited { .. } => "meeting_edited",
            EventKind::MeetingScheduled => "meeting_scheduled",
            EventKind::MeetingOpened => "meeting_opened",
            EventKind::MeetingClosed => "meeting_closed",
            EventKind::SettingsChanged { .. } => "settings_changed",
            EventKind::StaffAdded { .. } => "staff_added",
            EventKind::StaffRevoked { .. } => "staff_revoked",
            EventKind::ParticipantJoined { .. } => "participant_joined",
            EventKind::PostCreated { .. } => "post_created",
            EventKind::PostReported { .. } => "post_reported",
            EventKind::PostHeld { .. } => "post_held",
            EventKind::PostApproved { .. } => "post_approved",
            EventKind::PostRejected { .. } => "post_rejected",
            EventKind::PostHidden { .. } => "post_hidden",
            EventKind::PostRestored { .. } => "post_restored",
            EventKind::NoticePinned { .. } => "notice_pinned",
            EventKind::NoticeUnpinned => "notice_unpinned",
            EventKind::QuestionClaimed { .. } => "question_claimed",
            EventKind::QuestionReleased { .. } => "question_released",
            EventKind::QuestionAnswered { .. } => "question_answered",
            EventKind::QuestionDismissed { .. } => "question_dismissed",
            EventKind::QuestionAssigned { .. } => "question_assigned",
            EventKind::QuestionUnassigned { .. } => "question_unassigned",
            EventKind::FollowUpStarted { .. } => "follow_up_started",
            EventKind::FollowUpClosed => "follow_up_closed",
            EventKind::QuestionMerged { .. } => "question_merged",
            EventKind::OnAirSet { .. } => "on_air_set",
            EventKind::ParticipantMuted { .. } => "participant_muted",
            EventKind::ParticipantUnmuted { .. } => "participant_unmuted",
            EventKind::ParticipantBanned { .. } => "participant_banned",
            EventKind::ParticipantUnbanned { .. } => "participant_unbanned",
            EventKind::ParticipantErased { .. } => "participant_erased",
            EventKind::PersonalDataPseudonymized { .. } => "personal_data_pseudonymized",
            EventKind::AgendaItemAdded { .. } => "agenda_item_added",
            EventKind::AgendaItemEdited { .. } => "agenda_item_edited",
            EventKind::AgendaItemRemoved { .. } => "agenda_item_removed",
            EventKind::AgendaItemMoved { .. } => "agenda_item_moved",
            EventKind::CurrentAgendaItemSet { .. } => "current_agenda_item_set",
            EventKind::PostFiled { .. } => "post_filed",
            EventKind::PollCreated { .. } => "poll_created",
            EventKind::PollEdited { .. } => "poll_edited",
            EventKind::PollDeleted { .. } => "poll_deleted",
            EventKind::PollMoved { .. } => "poll_moved",
            EventKind::PollLaunched { .. } => "poll_launched",
            EventKind::PollClosed { .. } => "poll_closed",
            EventKind::PollResultsPublished { .. } => "poll_results_published",
            EventKind::PollOnScreenSet { .. } => "poll_on_screen_set",
        }
    }

    /// Every piece of personal text this event carries, in a fixed order. Stores use it to keep
    /// the text in separate, erasable rows (slot = position in this list).
    pub fn contents_mut(&mut self) -> Vec<&mut Content> {
        match self {
            EventKind::ParticipantJoined { display_name, .. } => vec![display_name],
            EventKind::PostCreated { body, source, .. } => {
                let mut v = vec![body];
                if let Source::Room { name: Some(name) } = source {
                    v.push(name);
                }
                v
            }
            EventKind::QuestionAnswered {
                answer: Answer::Written { body },
                ..
            } => vec![body],
            EventKind::PostReported {
                reason_text: Some(reason),
                ..
            } => vec![reason],
            _ => Vec::new(),
        }
    }
}
