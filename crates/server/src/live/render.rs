//! Rendering: projection -> protocol views and frames, per audience.
//!
//! This is where "what may the public see" is decided for the wire: pending and rejected
//! posts never appear (a post that was public before and is now held shows only its id and
//! status, so clients can take it down), hidden posts show a tombstone, staff-only events
//! become redacted frames that keep their seq and type, age band and gender never leave.
//!
//! Each event is serialized in both protocol versions (`Format`): version 1's full views, and
//! version 2's lean frame (`borgermode_protocol::lean`), which names an author by number once
//! the client has them and leaves out defaults. Whether a client "has" an author is decided
//! from the state at the event's seq alone (`author_known`), never from what this instance
//! happened to send before, so a frame from the ring and the same frame re-rendered from the
//! store for an old resume are the same bytes.

use std::collections::HashMap;

use borgermode_domain::event::Event;
use borgermode_domain::{
    Answer, Assignee, EventKind, MeetingState, Poll, PostId, Question, QuestionState, Role, Source,
    StaffRole, Visibility,
};
use borgermode_domain::{Language, Participant, ParticipantId};
use borgermode_protocol::frames::{EventFrame, ParticipantEventView};
use borgermode_protocol::views::{
    AgendaItemView, AnswerView, AssigneeView, Audience, AuthorView, FollowUpView, MeetingView,
    PollView, PostStatus, PostView, QuestionView, SettingsView, StaffView,
};

use borgermode_domain::{notices_for, Counters, Post, Seq};
use borgermode_protocol::frames::{NoticeFrame, ServerFrame};
use borgermode_protocol::lean::{CountersPatch, LeanEventFrame, LeanPost, LeanServerFrame};
use bytestring::ByteString;

use crate::content::markdown::to_safe_html;
use crate::ops::breakdown::{EventClock, Origin};

/// Who is looking: an audience, and for the author's own posts, the participant.
#[derive(Clone, Copy, Debug)]
pub struct Viewer {
    pub audience: Audience,
    pub participant: Option<ParticipantId>,
}

impl Viewer {
    pub const PUBLIC: Viewer = Viewer {
        audience: Audience::Public,
        participant: None,
    };
    pub const STAFF: Viewer = Viewer {
        audience: Audience::Staff,
        participant: None,
    };

    fn is_staff(&self) -> bool {
        self.audience == Audience::Staff
    }
}

pub fn settings_view(state: &MeetingState, staff: bool) -> SettingsView {
    let s = &state.settings;
    SettingsView {
        max_body_chars: s.max_body_chars,
        slow_mode_secs: s.slow_mode_secs,
        premoderation: s.premoderation,
        keywords: staff.then(|| s.keywords.clone()),
        report_threshold: staff.then_some(s.report_threshold),
        auto_hold_reports: staff.then_some(s.auto_hold_reports),
    }
}

pub fn staff_views(state: &MeetingState, staff: bool) -> Vec<StaffView> {
    let mut v: Vec<StaffView> = state
        .participants
        .values()
        .filter(|p| p.role == Role::Panelist || (staff && p.role == Role::Moderator))
        .filter(|p| staff || !p.revoked)
        .map(|p| StaffView {
            participant_id: p.id,
            role: p.role,
            name: p.display_name.as_str().to_string(),
            role_line: p.role_line.clone(),
            revoked: p.revoked,
        })
        .collect();
    v.sort_by(|a, b| {
        a.name
            .cmp(&b.name)
            .then(a.participant_id.cmp(&b.participant_id))
    });
    v
}

pub fn meeting_view(state: &MeetingState, description_html: &str, staff: bool) -> MeetingView {
    MeetingView {
        id: state.id,
        title: state.details.title.clone(),
        description: state.details.description.clone(),
        description_html: description_html.to_string(),
        starts_at: state.details.starts_at,
        ends_at: state.details.ends_at,
        language: state.details.language,
        video_url: state.details.video_url.clone(),
        status: state.status,
        settings: settings_view(state, staff),
        on_air: state.on_air.map(|p| p.0),
        pinned_notice: state.pinned_notice.map(|p| p.0),
        counters: state.counters(),
        staff: staff_views(state, staff),
        seq: state.seq,
        organization: None,
        follow_up: state.follow_up_due.map(|due| FollowUpView {
            due,
            closed_at: state.follow_up_closed_at,
        }),
        time_zone: None,
        agenda: agenda_views(state),
        current_agenda_item: state.agenda.current.map(|i| i.0),
        polls: poll_views(state, staff),
        poll_on_screen: state
            .polls
            .on_screen
            .filter(|p| staff || state.polls.get(*p).is_some_and(|p| p.is_public()))
            .map(|p| p.0),
    }
}

/// The agenda in order. Descriptions are short and change rarely; rendering them with the
/// meeting view keeps the view one function of the state.
pub fn agenda_views(state: &MeetingState) -> Vec<AgendaItemView> {
    state
        .agenda
        .items
        .iter()
        .map(|i| AgendaItemView {
            id: i.id.0,
            title: i.details.title.clone(),
            description: i.details.description.clone(),
            description_html: if i.details.description.is_empty() {
                String::new()
            } else {
                to_safe_html(&i.details.description)
            },
            planned_start: i.details.planned_start,
        })
        .collect()
}

pub fn poll_view(p: &Poll) -> PollView {
    PollView {
        id: p.id.0,
        question: p.definition.question.clone(),
        kind: p.definition.kind.clone(),
        results_shown: p.definition.results,
        agenda_item: p.definition.agenda_item.map(|i| i.0),
        status: p.status,
        launched_at: p.launched_at,
        closed_at: p.closed_at,
        results_public: p.results_public(),
    }
}

/// Polls in the staff's order; the public sees launched ones only.
pub fn poll_views(state: &MeetingState, staff: bool) -> Vec<PollView> {
    state
        .polls
        .items
        .iter()
        .filter(|p| staff || p.is_public())
        .map(poll_view)
        .collect()
}

/// A question's routing as staff see it.
pub fn assignee_view(state: &MeetingState, q: &Question) -> Option<AssigneeView> {
    let since = q.assigned_at;
    q.assignee.as_ref().map(|a| match a {
        Assignee::Panelist { participant } => AssigneeView {
            kind: "panelist".into(),
            participant_id: Some(*participant),
            name: state
                .participants
                .get(participant)
                .map(|p| shown_name(state, p))
                .unwrap_or_default(),
            since,
        },
        Assignee::Department { name } => AssigneeView {
            kind: "department".into(),
            participant_id: None,
            name: name.clone(),
            since,
        },
    })
}

/// A participant's name as shown: their display name, or once erased or pseudonymized
/// (GDPR) a stable stand-in, "Deltager 17" / "Participant 17", numbered by the seq they
/// joined at, in the meeting's language.
pub fn shown_name(state: &MeetingState, p: &Participant) -> String {
    match &p.display_name.text {
        Some(text) => text.clone(),
        None => match state.details.language {
            Language::Da => format!("Deltager {}", p.joined_seq),
            Language::En => format!("Participant {}", p.joined_seq),
        },
    }
}

fn author_view(state: &MeetingState, id: Option<ParticipantId>, source: &Source) -> AuthorView {
    if let Source::Room { name } = source {
        return AuthorView {
            participant_id: None,
            name: name
                .as_ref()
                .map(|n| n.as_str().to_string())
                .unwrap_or_default(),
            role: Role::Citizen,
            role_line: None,
            verified: false,
        };
    }
    match id.and_then(|id| state.participants.get(&id)) {
        Some(p) => AuthorView {
            participant_id: Some(p.id),
            name: shown_name(state, p),
            role: p.role,
            role_line: p.role_line.clone(),
            verified: p.role.is_staff(),
        },
        None => AuthorView {
            participant_id: id,
            name: String::new(),
            role: Role::Citizen,
            role_line: None,
            verified: false,
        },
    }
}

/// A post as `viewer` may see it, or None if they may not know it exists.
pub fn post_view(
    state: &MeetingState,
    votes: &HashMap<PostId, u32>,
    id: PostId,
    viewer: Viewer,
) -> Option<PostView> {
    let post = state.posts.get(&id)?;
    let own = viewer.participant.is_some() && post.author == viewer.participant;
    let full = viewer.is_staff() || own;
    let (status, show_body) = match &post.visibility {
        Visibility::Visible => (PostStatus::Visible, true),
        Visibility::Hidden { .. } => (PostStatus::Hidden, full),
        Visibility::Pending { .. } => (PostStatus::Pending, full),
        Visibility::Rejected { .. } => (PostStatus::Rejected, full),
    };
    if !full && !post.published {
        return None;
    }
    let withdrawn = !full && matches!(status, PostStatus::Pending | PostStatus::Rejected);
    let question = post.question.as_ref().map(|q| {
        let (state_name, claimed_by, answer, dismissed_reason, merged_into) = match &q.state {
            QuestionState::Open => ("open", None, None, None, None),
            QuestionState::Claimed { by } => (
                "claimed",
                state
                    .participants
                    .get(by)
                    .map(|p| p.display_name.as_str().to_string()),
                None,
                None,
                None,
            ),
            QuestionState::Answered { by, at, answer } => {
                let by = author_view(state, Some(*by), &Source::Online);
                let view = match answer {
                    Answer::Written { body } => AnswerView {
                        mode: "written".into(),
                        html: Some(to_safe_html(body.as_str())),
                        note: None,
                        by,
                        at: *at,
                    },
                    Answer::Live { note, .. } => AnswerView {
                        mode: "live".into(),
                        html: None,
                        note: note.clone(),
                        by,
                        at: *at,
                    },
                };
                ("answered", None, Some(view), None, None)
            }
            QuestionState::Dismissed { reason, .. } => {
                ("dismissed", None, None, Some(reason.clone()), None)
            }
            QuestionState::Merged { into } => ("merged", None, None, None, Some(into.0)),
        };
        QuestionView {
            state: state_name.into(),
            claimed_by,
            answer,
            dismissed_reason,
            merged_into,
            merged_from: q.merged_from.iter().map(|p| p.0).collect(),
            assignee: if viewer.is_staff() {
                assignee_view(state, q)
            } else {
                None
            },
        }
    });
    let (hidden_reason, moderation_note) = match &post.visibility {
        Visibility::Hidden { reason, note } => {
            (Some(*reason), if full { note.clone() } else { None })
        }
        Visibility::Rejected { reason } if full => (None, reason.clone()),
        _ => (None, None),
    };
    Some(PostView {
        id: id.0,
        kind: post.kind,
        parent: post.parent.map(|p| p.0),
        author: if withdrawn {
            AuthorView {
                participant_id: None,
                name: String::new(),
                role: Role::Citizen,
                role_line: None,
                verified: false,
            }
        } else {
            author_view(state, post.author, &post.source)
        },
        source: match post.source {
            Source::Online => "online".into(),
            Source::Room { .. } => "room".into(),
        },
        body: if show_body {
            post.body.text.clone()
        } else {
            None
        },
        erased: post.erased,
        created_at: post.created_at,
        status,
        hidden_reason,
        moderation_note,
        held_reason: match &post.visibility {
            Visibility::Pending { reason } if full => Some(*reason),
            _ => None,
        },
        votes: votes.get(&id).copied().unwrap_or(0),
        reports: viewer.is_staff().then_some(post.reporters.len() as u32),
        question: if withdrawn { None } else { question },
        reply_count: post
            .replies
            .iter()
            .filter(|r| state.posts.get(r).is_some_and(|p| full || p.is_public()))
            .count() as u32,
        agenda_item: post.agenda_item.map(|i| i.0),
        by: None,
    })
}

/// All posts `viewer` may see in a snapshot, in seq order: the public sees visible posts and
/// tombstones (plus, for a participant, their own held or rejected posts); staff see all.
pub fn post_views(
    state: &MeetingState,
    votes: &HashMap<PostId, u32>,
    viewer: Viewer,
) -> Vec<PostView> {
    state
        .posts
        .values()
        .filter(|p| {
            viewer.is_staff()
                || p.is_public()
                || (viewer.participant.is_some() && p.author == viewer.participant)
        })
        .filter_map(|p| post_view(state, votes, p.id, viewer))
        .collect()
}

/// Posts an event touched, in the order a client should upsert them.
fn touched_posts(e: &Event) -> Vec<PostId> {
    match &e.kind {
        EventKind::PostCreated { parent, .. } => {
            let mut v = Vec::with_capacity(2);
            if let Some(p) = parent {
                v.push(*p);
            }
            v.push(PostId(e.seq));
            v
        }
        EventKind::PostReported { post, .. }
        | EventKind::PostHeld { post, .. }
        | EventKind::PostApproved { post }
        | EventKind::PostRejected { post, .. }
        | EventKind::PostHidden { post, .. }
        | EventKind::PostRestored { post }
        | EventKind::QuestionClaimed { post }
        | EventKind::QuestionReleased { post }
        | EventKind::QuestionAnswered { post, .. }
        | EventKind::QuestionDismissed { post, .. }
        | EventKind::QuestionAssigned { post, .. }
        | EventKind::QuestionUnassigned { post }
        | EventKind::PostFiled { post, .. } => vec![*post],
        EventKind::QuestionMerged { post, into } => vec![*post, *into],
        // Every post of the erased participant becomes a tombstone on every screen.
        EventKind::ParticipantErased { contents, .. } => {
            contents.iter().map(|r| PostId(r.seq)).collect()
        }
        _ => Vec::new(),
    }
}

/// Whether the public may see this event at all (otherwise: a redacted frame).
fn public_may_see(state: &MeetingState, e: &Event) -> bool {
    match &e.kind {
        EventKind::PostReported { .. }
        | EventKind::ParticipantMuted { .. }
        | EventKind::ParticipantUnmuted { .. }
        | EventKind::ParticipantBanned { .. }
        | EventKind::ParticipantUnbanned { .. }
        // Routing is internal to the staff.
        | EventKind::QuestionAssigned { .. }
        | EventKind::QuestionUnassigned { .. } => false,
        // Drafts and the staff's order of polls are the staff's own.
        EventKind::PollCreated { .. }
        | EventKind::PollEdited { .. }
        | EventKind::PollDeleted { .. }
        | EventKind::PollMoved { .. } => false,
        EventKind::StaffAdded { role, .. } => *role == StaffRole::Panelist,
        EventKind::StaffRevoked { participant } => state
            .participants
            .get(participant)
            .is_some_and(|p| p.role == Role::Panelist),
        _ => {
            let posts = touched_posts(e);
            posts.is_empty()
                || posts
                    .iter()
                    .any(|p| post_view(state, &HashMap::new(), *p, Viewer::PUBLIC).is_some())
        }
    }
}

fn changes_meeting(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::MeetingCreated { .. }
            | EventKind::MeetingEdited { .. }
            | EventKind::MeetingScheduled
            | EventKind::MeetingOpened
            | EventKind::MeetingClosed
            | EventKind::FollowUpStarted { .. }
            | EventKind::FollowUpClosed
            | EventKind::SettingsChanged { .. }
            | EventKind::NoticePinned { .. }
            | EventKind::NoticeUnpinned
            | EventKind::OnAirSet { .. }
            | EventKind::StaffAdded { .. }
            | EventKind::StaffRevoked { .. }
            // The agenda and the polls are part of the meeting view.
            | EventKind::AgendaItemAdded { .. }
            | EventKind::AgendaItemEdited { .. }
            | EventKind::AgendaItemRemoved { .. }
            | EventKind::AgendaItemMoved { .. }
            | EventKind::CurrentAgendaItemSet { .. }
            | EventKind::PollCreated { .. }
            | EventKind::PollEdited { .. }
            | EventKind::PollDeleted { .. }
            | EventKind::PollMoved { .. }
            | EventKind::PollLaunched { .. }
            | EventKind::PollClosed { .. }
            | EventKind::PollResultsPublished { .. }
            | EventKind::PollOnScreenSet { .. }
    )
}

/// The frame for one event as `viewer` sees it, rendered against the state after the event;
/// `counters` are that state's (`MeetingState::counters`), counted once by [`render`].
pub fn event_frame(
    state: &MeetingState,
    description_html: &str,
    votes: &HashMap<PostId, u32>,
    e: &Event,
    viewer: Viewer,
    counters: Counters,
) -> EventFrame {
    let mut frame = EventFrame {
        seq: e.seq,
        at: e.at,
        kind: e.kind.name().to_string(),
        ..EventFrame::default()
    };
    if !viewer.is_staff() && !public_may_see(state, e) {
        frame.redacted = true;
        return frame;
    }
    let posts = touched_posts(e);
    if !posts.is_empty() {
        frame.posts = posts
            .into_iter()
            .filter_map(|p| post_view(state, votes, p, viewer))
            .collect();
        frame.counters = Some(counters);
    }
    if changes_meeting(&e.kind) {
        frame.meeting = Some(Box::new(meeting_view(
            state,
            description_html,
            viewer.is_staff(),
        )));
    }
    match &e.kind {
        EventKind::StaffAdded { participant, .. } | EventKind::StaffRevoked { participant } => {
            frame.staff = staff_views(state, true)
                .into_iter()
                .find(|s| s.participant_id == *participant);
        }
        // A join reaches the public as the new count only ("N deltagere" stays true between
        // posts); who joined is for staff.
        EventKind::ParticipantJoined { .. } if !viewer.is_staff() => {
            frame.counters = Some(counters);
        }
        EventKind::ParticipantJoined { participant, .. }
        | EventKind::ParticipantMuted { participant, .. }
        | EventKind::ParticipantUnmuted { participant }
        | EventKind::ParticipantBanned { participant, .. }
        | EventKind::ParticipantUnbanned { participant } => {
            frame.participant = state
                .participants
                .get(participant)
                .map(|p| ParticipantEventView {
                    participant_id: p.id,
                    name: shown_name(state, p),
                    muted_until: p.muted_until,
                    banned: p.banned,
                });
            frame.counters = Some(counters);
        }
        EventKind::ParticipantErased { participant, .. } if viewer.is_staff() => {
            frame.participant = state
                .participants
                .get(participant)
                .map(|p| ParticipantEventView {
                    participant_id: p.id,
                    name: shown_name(state, p),
                    muted_until: p.muted_until,
                    banned: p.banned,
                });
        }
        _ => {}
    }
    frame
}

/// The protocol version a stream asked for (`?v=2`): version 1 unless it asked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    V1,
    /// Lean event frames (`borgermode_protocol::lean`).
    V2,
}

impl Format {
    pub fn protocol(self) -> u32 {
        match self {
            Format::V1 => borgermode_protocol::PROTOCOL_VERSION,
            Format::V2 => borgermode_protocol::lean::LEAN_PROTOCOL_VERSION,
        }
    }
}

/// One event, rendered for every audience, in both versions.
#[derive(Debug)]
pub struct RenderedEvent {
    pub seq: Seq,
    pub public: ByteString,
    pub staff: ByteString,
    pub public_v2: ByteString,
    pub staff_v2: ByteString,
    /// Personal notices, each for one participant's connections only.
    pub notices: Vec<(ParticipantId, ByteString)>,
    /// A staff link revoked by this event: that person's open streams must end now, or they
    /// would go on receiving staff frames.
    pub ends_session_of: Option<ParticipantId>,
    /// When it was applied here: the start of the fan-out lag a connection reports.
    pub applied_at: std::time::Instant,
    /// The latency breakdown's start and its count of connections still to write
    /// (`ops/breakdown.rs`); set by the room when it broadcasts the event.
    pub clock: EventClock,
}

impl RenderedEvent {
    pub fn for_audience(&self, audience: Audience) -> &ByteString {
        self.bytes(audience, Format::V1)
    }

    pub fn bytes(&self, audience: Audience, format: Format) -> &ByteString {
        match (audience, format) {
            (Audience::Public, Format::V1) => &self.public,
            (Audience::Staff, Format::V1) => &self.staff,
            (Audience::Public, Format::V2) => &self.public_v2,
            (Audience::Staff, Format::V2) => &self.staff_v2,
        }
    }

    pub fn notice_for(&self, participant: Option<ParticipantId>) -> Option<&ByteString> {
        let p = participant?;
        self.notices.iter().find(|(to, _)| *to == p).map(|(_, b)| b)
    }
}

/// A frame as the bytes every connection of an audience shares.
pub fn serialize(frame: &ServerFrame) -> ByteString {
    // Serializing our own types cannot fail (no maps with non-string keys, no I/O).
    ByteString::from(serde_json::to_string(frame).unwrap_or_else(|_| String::from("{}")))
}

/// An event rendered once for each audience in each version, and as a notice for each person
/// it concerns (`notices_for`); done once per event on each instance, under the room's write
/// lock. `before`: the counters at the previous seq (version 2 sends what changed).
pub fn render(
    state: &MeetingState,
    description_html: &str,
    votes: &HashMap<PostId, u32>,
    e: &Event,
    before: &Counters,
) -> RenderedEvent {
    // Counted once per event (O(posts)): the v1 frames of both audiences and v2's patch.
    let counters = state.counters();
    let changed = CountersPatch::diff(before, &counters);
    let public_frame = event_frame(state, description_html, votes, e, Viewer::PUBLIC, counters);
    let staff_frame = event_frame(state, description_html, votes, e, Viewer::STAFF, counters);
    let public_v2 = serialize_lean(lean_event(state, e, &public_frame, false, changed));
    let staff_v2 = serialize_lean(lean_event(state, e, &staff_frame, true, changed));
    let public = serialize(&ServerFrame::Event(public_frame));
    let staff = serialize(&ServerFrame::Event(staff_frame));
    let notices = notices_for(state, e)
        .into_iter()
        .map(|n| {
            let viewer = Viewer {
                audience: Audience::Public,
                participant: Some(n.to),
            };
            let post = n.post.and_then(|p| post_view(state, votes, p, viewer));
            let muted_until = state.participants.get(&n.to).and_then(|p| p.muted_until);
            (
                n.to,
                serialize(&ServerFrame::Notice(NoticeFrame {
                    seq: e.seq,
                    kind: n.kind,
                    post,
                    muted_until,
                })),
            )
        })
        .collect();
    let now = std::time::Instant::now();
    RenderedEvent {
        seq: e.seq,
        public,
        staff,
        public_v2,
        staff_v2,
        notices,
        ends_session_of: match &e.kind {
            EventKind::StaffRevoked { participant } => Some(*participant),
            _ => None,
        },
        applied_at: now,
        clock: EventClock::unarmed(Origin::Store, now),
    }
}

fn serialize_lean(frame: LeanEventFrame) -> ByteString {
    ByteString::from(
        serde_json::to_string(&LeanServerFrame::Event(frame))
            .unwrap_or_else(|_| String::from("{}")),
    )
}

/// The author's number in this meeting (the seq they joined at), for a view that names a
/// participant; None for a hall question and a withdrawn post (their author is sent whole).
pub fn author_ref(state: &MeetingState, view: &PostView) -> Option<u64> {
    let id = view.author.participant_id?;
    state.participants.get(&id).map(|p| p.joined_seq)
}

/// Version 2 snapshots: every post names its author's number, so the client's author table
/// starts from the snapshot.
pub fn with_author_refs(state: &MeetingState, mut posts: Vec<PostView>) -> Vec<PostView> {
    for v in &mut posts {
        v.by = author_ref(state, v);
    }
    posts
}

/// Posts an event may show to an audience for the first time: a client need not have them
/// (a new post; an approved one the public never saw; a restored one hidden before it was
/// ever public).
fn fresh_posts(e: &Event) -> SmallPosts {
    match &e.kind {
        EventKind::PostCreated { .. } => SmallPosts::One(PostId(e.seq)),
        EventKind::PostApproved { post } | EventKind::PostRestored { post } => {
            SmallPosts::One(*post)
        }
        _ => SmallPosts::None,
    }
}

#[derive(Clone, Copy)]
enum SmallPosts {
    None,
    One(PostId),
}

impl SmallPosts {
    fn contains(self, id: PostId) -> bool {
        matches!(self, SmallPosts::One(p) if p == id)
    }
}

/// Whether every client of this audience that has applied the previous seq knows `post`'s
/// author already: another post by them is on its screen (staff see every post; the public
/// the visible ones and the tombstones), and that post reached it with the author's number,
/// in the snapshot or in a frame (by induction, in full the first time). The newest posts are
/// looked at first, so an author who is posting is found at once; a new author costs one
/// pass over the posts, once.
fn author_known(state: &MeetingState, post: &Post, staff: bool, fresh: SmallPosts) -> bool {
    let Some(author) = post.author else {
        return false;
    };
    if !matches!(post.source, Source::Online) {
        return false;
    }
    state.posts.values().rev().any(|q| {
        q.author == Some(author)
            && matches!(q.source, Source::Online)
            && !fresh.contains(q.id)
            && (staff || q.is_public())
    })
}

/// The version 2 frame of `full` (the version 1 frame of the same audience).
fn lean_event(
    state: &MeetingState,
    e: &Event,
    full: &EventFrame,
    staff: bool,
    changed: Option<CountersPatch>,
) -> LeanEventFrame {
    let fresh = fresh_posts(e);
    // An erasure changes the author (a pseudonym now): send it whole, over the cached one.
    let erasure = matches!(e.kind, EventKind::ParticipantErased { .. });
    LeanEventFrame {
        seq: full.seq,
        at: full.at,
        kind: full.kind.clone(),
        redacted: full.redacted,
        posts: full
            .posts
            .iter()
            .map(|v| {
                let by = author_ref(state, v);
                let known = !erasure
                    && state
                        .posts
                        .get(&PostId(v.id))
                        .is_some_and(|p| author_known(state, p, staff, fresh));
                LeanPost::from_view(v, e.at, by, !known)
            })
            .collect(),
        meeting: full.meeting.clone(),
        counters: changed,
        staff: full.staff.clone(),
        participant: full.participant.clone(),
    }
}
