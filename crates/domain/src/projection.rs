//! The projection: the state of one meeting, rebuilt by applying its events in seq order.
//!
//! Invariants (checked by the property tests):
//! - `seq` is the seq of the last applied event; events are applied strictly in order.
//! - every question is in exactly one [`QuestionState`];
//! - `counters().answered <= counters().questions`;
//! - applying the same log from scratch rebuilds an equal state.
//!
//! `apply` never fails and never panics: the log is the truth, and an event that refers to
//! something unknown (which `decide` would not have produced) is ignored.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::agenda::Agenda;
use crate::event::{Actor, Content, ContentRef, Event, EventKind};
use crate::ids::{AgendaItemId, MeetingId, ParticipantId, PollId, PostId, Seq};
use crate::poll::{Poll, PollStatus, Polls};
use crate::types::*;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Participant {
    pub id: ParticipantId,
    pub role: Role,
    pub display_name: Content,
    /// Panelists' and moderators' title, e.g. "Borgmester".
    pub role_line: Option<String>,
    pub age_band: Option<AgeBand>,
    pub gender: Option<Gender>,
    pub joined_seq: Seq,
    pub joined_at: DateTime<Utc>,
    pub muted_until: Option<DateTime<Utc>>,
    pub banned: bool,
    /// Staff whose link was revoked can no longer act.
    pub revoked: bool,
    /// Times of recent posts, for slow mode and the per-minute limit (last 60 s kept).
    pub recent_posts: VecDeque<DateTime<Utc>>,
    /// Times of recent reports, for the report rate limit (last 10 min kept).
    pub recent_reports: VecDeque<DateTime<Utc>>,
    /// Erased on request (GDPR): name and posts are gone.
    pub erased: bool,
    /// Seqs of this participant's reports that carry a reason (a content slot each), so an
    /// erasure can name them.
    pub report_reasons: Vec<Seq>,
}

impl Participant {
    pub fn is_muted(&self, now: DateTime<Utc>) -> bool {
        self.muted_until.is_some_and(|u| u > now)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    pub state: QuestionState,
    /// Questions merged into this one; their askers hear about this one's answer.
    pub merged_from: Vec<PostId>,
    /// Who the question is routed to, and since when (staff only).
    pub assignee: Option<Assignee>,
    pub assigned_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Post {
    pub id: PostId,
    pub kind: PostKind,
    pub author: Option<ParticipantId>,
    pub parent: Option<PostId>,
    pub body: Content,
    pub source: Source,
    pub created_at: DateTime<Utc>,
    pub visibility: Visibility,
    /// Whether the public has ever seen this post (visible or tombstoned at some point). A
    /// published post that is held again must be taken down on clients, not just go quiet.
    pub published: bool,
    /// Distinct participants who reported this post.
    pub reporters: BTreeSet<ParticipantId>,
    pub question: Option<Question>,
    pub replies: Vec<PostId>,
    /// The author was erased (GDPR): the body is gone for everyone, staff included.
    pub erased: bool,
    /// The agenda item the post is filed under (questions; staff may move them).
    pub agenda_item: Option<AgendaItemId>,
}

impl Post {
    /// Visible, or a tombstone of a post the public once saw. A post hidden before it was ever
    /// approved stays out of the public's sight entirely.
    pub fn is_public(&self) -> bool {
        match self.visibility {
            Visibility::Visible => true,
            Visibility::Hidden { .. } => self.published,
            _ => false,
        }
    }

    /// Whether this question counts in "answered N of M": every question not merged into
    /// another, that the public has seen (not pending, not rejected).
    pub fn counts_as_question(&self) -> bool {
        match &self.question {
            Some(q) => !matches!(q.state, QuestionState::Merged { .. }) && self.is_public(),
            None => false,
        }
    }
}

/// Public counters: "answered N of M questions", and how many were dismissed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Counters {
    pub questions: u32,
    pub answered: u32,
    pub dismissed: u32,
    pub comments: u32,
    pub participants: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeetingState {
    pub id: MeetingId,
    pub seq: Seq,
    /// False until the `MeetingCreated` event has been applied.
    pub exists: bool,
    pub details: MeetingDetails,
    pub settings: MeetingSettings,
    pub status: MeetingStatus,
    pub created_at: Option<DateTime<Utc>>,
    pub opened_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub participants: HashMap<ParticipantId, Participant>,
    pub posts: BTreeMap<PostId, Post>,
    pub pinned_notice: Option<PostId>,
    pub on_air: Option<PostId>,
    /// Set by `FollowUpStarted`: when the questions still open at the close are due.
    pub follow_up_due: Option<DateTime<Utc>>,
    /// Set by `FollowUpClosed`.
    pub follow_up_closed_at: Option<DateTime<Utc>>,
    /// Retention ran: names and per-person demographics are gone.
    pub pseudonymized: bool,
    pub agenda: Agenda,
    pub polls: Polls,
    /// How many of `participants` are citizens, kept as they join: `counters` goes with every
    /// post and join frame, and counting 10,000 participants per join made a join storm
    /// quadratic (5 % of the server's CPU while 10,000 joined, perf 2026-12-07).
    citizens: u32,
}

impl MeetingState {
    pub fn new(id: MeetingId) -> Self {
        Self {
            id,
            seq: 0,
            exists: false,
            details: MeetingDetails {
                title: String::new(),
                description: String::new(),
                starts_at: None,
                ends_at: None,
                language: Language::Da,
                video_url: None,
            },
            settings: MeetingSettings::default(),
            status: MeetingStatus::Draft,
            created_at: None,
            opened_at: None,
            closed_at: None,
            participants: HashMap::new(),
            citizens: 0,
            posts: BTreeMap::new(),
            pinned_notice: None,
            on_air: None,
            follow_up_due: None,
            follow_up_closed_at: None,
            pseudonymized: false,
            agenda: Agenda::default(),
            polls: Polls::default(),
        }
    }

    /// Rebuild from a full log.
    pub fn replay<'a>(id: MeetingId, events: impl IntoIterator<Item = &'a Event>) -> Self {
        let mut s = Self::new(id);
        for e in events {
            s.apply(e);
        }
        s
    }

    pub fn participant(&self, id: ParticipantId) -> Option<&Participant> {
        self.participants.get(&id)
    }

    pub fn role_of(&self, actor: &Actor) -> Option<Role> {
        match actor {
            Actor::Organizer => None,
            Actor::Participant { id } => self.participants.get(id).map(|p| p.role),
        }
    }

    /// Add or replace a participant, keeping `citizens` in step.
    fn insert_participant(&mut self, id: ParticipantId, p: Participant) {
        let citizen = p.role == Role::Citizen;
        if let Some(old) = self.participants.insert(id, p) {
            self.citizens -= u32::from(old.role == Role::Citizen);
        }
        self.citizens += u32::from(citizen);
    }

    pub fn counters(&self) -> Counters {
        let mut c = Counters {
            participants: self.citizens,
            ..Counters::default()
        };
        for p in self.posts.values() {
            if p.counts_as_question() {
                c.questions += 1;
                match p.question.as_ref().map(|q| &q.state) {
                    Some(QuestionState::Answered { .. }) => c.answered += 1,
                    Some(QuestionState::Dismissed { .. }) => c.dismissed += 1,
                    _ => {}
                }
            } else if p.kind == PostKind::Comment && p.is_public() {
                c.comments += 1;
            }
        }
        c
    }

    /// Apply one event. Events must come in seq order; an event at or below the current seq is
    /// ignored (a duplicate delivery), which makes `apply` safe to call with overlapping batches.
    pub fn apply(&mut self, e: &Event) {
        if e.seq <= self.seq {
            return;
        }
        self.seq = e.seq;
        let actor = e.actor.participant();
        match &e.kind {
            EventKind::MeetingCreated { details, settings } => {
                self.exists = true;
                self.details = details.clone();
                self.settings = settings.clone();
                self.created_at = Some(e.at);
            }
            EventKind::MeetingEdited { details } => self.details = details.clone(),
            EventKind::MeetingScheduled => self.status = MeetingStatus::Scheduled,
            EventKind::MeetingOpened => {
                self.status = MeetingStatus::Open;
                self.opened_at.get_or_insert(e.at);
            }
            EventKind::MeetingClosed => {
                self.status = MeetingStatus::Closed;
                self.closed_at = Some(e.at);
            }
            EventKind::SettingsChanged { settings } => self.settings = settings.clone(),
            EventKind::StaffAdded {
                participant,
                role,
                name,
                role_line,
            } => {
                self.insert_participant(
                    *participant,
                    Participant {
                        id: *participant,
                        role: (*role).into(),
                        display_name: Content::new(name.clone()),
                        role_line: Some(role_line.clone()).filter(|r| !r.is_empty()),
                        age_band: None,
                        gender: None,
                        joined_seq: e.seq,
                        joined_at: e.at,
                        muted_until: None,
                        banned: false,
                        revoked: false,
                        recent_posts: VecDeque::new(),
                        recent_reports: VecDeque::new(),
                        erased: false,
                        report_reasons: Vec::new(),
                    },
                );
            }
            EventKind::StaffRevoked { participant } => {
                if let Some(p) = self.participants.get_mut(participant) {
                    p.revoked = true;
                }
            }
            EventKind::ParticipantJoined {
                participant,
                display_name,
                age_band,
                gender,
            } => {
                self.insert_participant(
                    *participant,
                    Participant {
                        id: *participant,
                        role: Role::Citizen,
                        display_name: display_name.clone(),
                        role_line: None,
                        age_band: *age_band,
                        gender: *gender,
                        joined_seq: e.seq,
                        joined_at: e.at,
                        muted_until: None,
                        banned: false,
                        revoked: false,
                        recent_posts: VecDeque::new(),
                        recent_reports: VecDeque::new(),
                        erased: false,
                        report_reasons: Vec::new(),
                    },
                );
            }
            EventKind::PostCreated {
                post_kind,
                parent,
                body,
                source,
                held,
            } => {
                let id = PostId(e.seq);
                if let Some(parent) = parent.and_then(|p| self.posts.get_mut(&p)) {
                    parent.replies.push(id);
                }
                if let Some(p) = actor.and_then(|a| self.participants.get_mut(&a)) {
                    p.recent_posts.push_back(e.at);
                    while p
                        .recent_posts
                        .front()
                        .is_some_and(|t| (e.at - *t).num_seconds() >= 60)
                    {
                        p.recent_posts.pop_front();
                    }
                }
                self.posts.insert(
                    id,
                    Post {
                        id,
                        kind: *post_kind,
                        author: actor,
                        parent: *parent,
                        body: body.clone(),
                        source: source.clone(),
                        created_at: e.at,
                        visibility: match held {
                            Some(reason) => Visibility::Pending { reason: *reason },
                            None => Visibility::Visible,
                        },
                        published: held.is_none(),
                        reporters: BTreeSet::new(),
                        question: (*post_kind == PostKind::Question).then(|| Question {
                            state: QuestionState::Open,
                            merged_from: Vec::new(),
                            assignee: None,
                            assigned_at: None,
                        }),
                        replies: Vec::new(),
                        erased: false,
                        agenda_item: None,
                    },
                );
            }
            EventKind::PostReported {
                post, reason_text, ..
            } => {
                if let Some(reporter) = actor {
                    if let Some(p) = self.posts.get_mut(post) {
                        p.reporters.insert(reporter);
                    }
                    if let Some(r) = self.participants.get_mut(&reporter) {
                        if reason_text.is_some() {
                            r.report_reasons.push(e.seq);
                        }
                        r.recent_reports.push_back(e.at);
                        while r
                            .recent_reports
                            .front()
                            .is_some_and(|t| (e.at - *t).num_seconds() >= 600)
                        {
                            r.recent_reports.pop_front();
                        }
                    }
                }
            }
            EventKind::PostHeld { post, reason } => {
                self.set_visibility(*post, Visibility::Pending { reason: *reason })
            }
            EventKind::PostApproved { post } | EventKind::PostRestored { post } => {
                self.set_visibility(*post, Visibility::Visible);
                // A moderator looked at it: earlier reports are settled, new ones count afresh.
                if let Some(p) = self.posts.get_mut(post) {
                    p.reporters.clear();
                }
            }
            EventKind::PostRejected { post, reason } => self.set_visibility(
                *post,
                Visibility::Rejected {
                    reason: reason.clone(),
                },
            ),
            EventKind::PostHidden { post, reason, note } => self.set_visibility(
                *post,
                Visibility::Hidden {
                    reason: *reason,
                    note: note.clone(),
                },
            ),
            EventKind::NoticePinned { post } => self.pinned_notice = Some(*post),
            EventKind::NoticeUnpinned => self.pinned_notice = None,
            EventKind::QuestionClaimed { post } => {
                if let Some(by) = actor {
                    self.set_question_state(*post, QuestionState::Claimed { by });
                }
            }
            EventKind::QuestionReleased { post } => {
                self.set_question_state(*post, QuestionState::Open)
            }
            EventKind::QuestionAnswered { post, answer } => {
                // A live answer credits the panelist named in it; the actor only recorded it.
                let credited = match answer {
                    Answer::Live {
                        panelist: Some(p), ..
                    } => Some(*p),
                    _ => actor,
                };
                if let Some(by) = credited {
                    self.set_question_state(
                        *post,
                        QuestionState::Answered {
                            by,
                            at: e.at,
                            answer: answer.clone(),
                        },
                    );
                }
            }
            EventKind::QuestionDismissed { post, reason } => {
                if let Some(by) = actor {
                    self.set_question_state(
                        *post,
                        QuestionState::Dismissed {
                            by,
                            reason: reason.clone(),
                        },
                    );
                }
            }
            EventKind::QuestionAssigned { post, to } => {
                if let Some(q) = self.posts.get_mut(post).and_then(|p| p.question.as_mut()) {
                    q.assignee = Some(to.clone());
                    q.assigned_at = Some(e.at);
                }
            }
            EventKind::QuestionUnassigned { post } => {
                if let Some(q) = self.posts.get_mut(post).and_then(|p| p.question.as_mut()) {
                    q.assignee = None;
                    q.assigned_at = None;
                }
            }
            EventKind::FollowUpStarted { due } => self.follow_up_due = Some(*due),
            EventKind::FollowUpClosed => {
                self.follow_up_closed_at.get_or_insert(e.at);
            }
            EventKind::QuestionMerged { post, into } => {
                self.set_question_state(*post, QuestionState::Merged { into: *into });
                if let Some(q) = self.posts.get_mut(into).and_then(|p| p.question.as_mut()) {
                    q.merged_from.push(*post);
                }
                if self.on_air == Some(*post) {
                    self.on_air = Some(*into);
                }
            }
            EventKind::OnAirSet { post } => self.on_air = *post,
            EventKind::ParticipantMuted { participant, until } => {
                if let Some(p) = self.participants.get_mut(participant) {
                    p.muted_until = Some(*until);
                }
            }
            EventKind::ParticipantUnmuted { participant } => {
                if let Some(p) = self.participants.get_mut(participant) {
                    p.muted_until = None;
                }
            }
            EventKind::ParticipantBanned { participant, .. } => {
                if let Some(p) = self.participants.get_mut(participant) {
                    p.banned = true;
                }
            }
            EventKind::ParticipantUnbanned { participant } => {
                if let Some(p) = self.participants.get_mut(participant) {
                    p.banned = false;
                }
            }
            EventKind::ParticipantErased {
                participant,
                contents,
            } => {
                if let Some(p) = self.participants.get_mut(participant) {
                    p.erased = true;
                }
                for r in contents {
                    if let Some(post) = self.posts.get_mut(&PostId(r.seq)) {
                        post.erased = true;
                    }
                    self.forget_content(*r);
                }
            }
            EventKind::PersonalDataPseudonymized { contents, .. } => {
                self.pseudonymized = true;
                for p in self.participants.values_mut() {
                    if p.role == Role::Citizen {
                        p.age_band = None;
                        p.gender = None;
                    }
                }
                for r in contents {
                    self.forget_content(*r);
                }
            }
            EventKind::AgendaItemAdded { details, position } => {
                if self.agenda.get(AgendaItemId(e.seq)).is_none() {
                    self.agenda
                        .add(AgendaItemId(e.seq), details.clone(), *position);
                }
            }
            EventKind::AgendaItemEdited { item, details } => {
                self.agenda.edit(*item, details.clone())
            }
            EventKind::AgendaItemRemoved { item } => {
                self.agenda.remove(*item);
                self.polls.untie(*item);
                for p in self.posts.values_mut() {
                    if p.agenda_item == Some(*item) {
                        p.agenda_item = None;
                    }
                }
            }
            EventKind::AgendaItemMoved { item, position } => self.agenda.move_to(*item, *position),
            EventKind::CurrentAgendaItemSet { item } => self.agenda.set_current(*item),
            EventKind::PostFiled { post, item } => {
                let item = item.filter(|i| self.agenda.get(*i).is_some());
                if let Some(p) = self.posts.get_mut(post) {
                    p.agenda_item = item;
                }
            }
            EventKind::PollCreated { definition } => {
                if self.polls.get(PollId(e.seq)).is_none() {
                    self.polls.items.push(Poll {
                        id: PollId(e.seq),
                        definition: definition.clone(),
                        status: PollStatus::Draft,
                        results_published: false,
                        launched_at: None,
                        closed_at: None,
                    });
                }
            }
            EventKind::PollEdited { poll, definition } => {
                if let Some(p) = self.polls.get_mut(*poll) {
                    p.definition = definition.clone();
                }
            }
            EventKind::PollDeleted { poll } => self.polls.remove(*poll),
            EventKind::PollMoved { poll, position } => self.polls.move_to(*poll, *position),
            EventKind::PollLaunched { poll } => {
                if let Some(p) = self.polls.get_mut(*poll) {
                    p.status = PollStatus::Open;
                    p.launched_at.get_or_insert(e.at);
                }
            }
            EventKind::PollClosed { poll } => {
                if let Some(p) = self.polls.get_mut(*poll) {
                    p.status = PollStatus::Closed;
                    p.closed_at = Some(e.at);
                }
            }
            EventKind::PollResultsPublished { poll } => {
                if let Some(p) = self.polls.get_mut(*poll) {
                    p.results_published = true;
                }
            }
            EventKind::PollOnScreenSet { poll } => {
                self.polls.on_screen = poll.filter(|p| self.polls.get(*p).is_some());
            }
        }
    }

    /// Drop the text of one stored content (the store deleted its row in the same commit).
    fn forget_content(&mut self, r: ContentRef) {
        if let Some(post) = self.posts.get_mut(&PostId(r.seq)) {
            match (r.slot, &mut post.source) {
                (0, _) => post.body.text = None,
                (1, Source::Room { name: Some(name) }) => name.text = None,
                _ => {}
            }
            return;
        }
        if r.slot == 0 {
            if let Some(p) = self
                .participants
                .values_mut()
                .find(|p| p.joined_seq == r.seq && p.role == Role::Citizen)
            {
                p.display_name.text = None;
            }
        }
    }

    fn set_visibility(&mut self, post: PostId, v: Visibility) {
        if let Some(p) = self.posts.get_mut(&post) {
            p.visibility = v;
            p.published |= matches!(p.visibility, Visibility::Visible);
        }
    }

    fn set_question_state(&mut self, post: PostId, state: QuestionState) {
        if let Some(q) = self.posts.get_mut(&post).and_then(|p| p.question.as_mut()) {
            q.state = state;
        }
    }

    /// The facilitator queue: questions that still need an answer (open or claimed), sorted.
    pub fn queue(&self, sort: QueueSort, votes: &impl Fn(PostId) -> u32) -> Vec<&Post> {
        let mut q: Vec<&Post> = self
            .posts
            .values()
            .filter(|p| {
                p.is_public()
                    && matches!(
                        p.question.as_ref().map(|q| &q.state),
                        Some(QuestionState::Open | QuestionState::Claimed { .. })
                    )
            })
            .collect();
        match sort {
            QueueSort::Age => q.sort_by_key(|p| p.id),
            QueueSort::Votes => {
                q.sort_by(|a, b| votes(b.id).cmp(&votes(a.id)).then(a.id.cmp(&b.id)))
            }
        }
        q
    }
}

/// One panelist's response figures (the organizer's and the panel's overview).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PanelistFigures {
    pub participant: ParticipantId,
    /// Questions currently routed to this panelist, whatever their state.
    pub assigned: u32,
    /// Questions this panelist answered (routed to them or not).
    pub answered: u32,
    /// Questions routed to this panelist that still need an answer.
    pub open: u32,
    /// Median seconds from a question being asked to this panelist's answer.
    pub median_answer_secs: Option<i64>,
}

/// Median of whole seconds; the lower middle for an even count, so it is always a real value.
pub fn median(mut v: Vec<i64>) -> Option<i64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    Some(v[(v.len() - 1) / 2])
}

impl MeetingState {
    /// Questions that count publicly and still need an answer (open or claimed).
    pub fn unanswered(&self) -> impl Iterator<Item = &Post> {
        self.posts.values().filter(|p| {
            p.counts_as_question()
                && matches!(
                    p.question.as_ref().map(|q| &q.state),
                    Some(QuestionState::Open | QuestionState::Claimed { .. })
                )
        })
    }

    /// Whether the follow-up is running and past its deadline with questions still open.
    pub fn follow_up_overdue(&self, now: DateTime<Utc>) -> bool {
        self.follow_up_closed_at.is_none()
            && self.follow_up_due.is_some_and(|due| now > due)
            && self.unanswered().next().is_some()
    }

    /// Response figures for every panelist of the meeting (revoked ones included: their
    /// answers still count), ordered by participant id.
    pub fn panelist_figures(&self) -> Vec<PanelistFigures> {
        let mut out: Vec<PanelistFigures> = self
            .participants
            .values()
            .filter(|p| p.role == Role::Panelist)
            .map(|p| {
                let mut f = PanelistFigures {
                    participant: p.id,
                    assigned: 0,
                    answered: 0,
                    open: 0,
                    median_answer_secs: None,
                };
                let mut times = Vec::new();
                for post in self.posts.values().filter(|x| x.counts_as_question()) {
                    let Some(q) = &post.question else { continue };
                    let mine = q.assignee == Some(Assignee::Panelist { participant: p.id });
                    if mine {
                        f.assigned += 1;
                    }
                    match &q.state {
                        QuestionState::Answered { by, at, .. } if *by == p.id => {
                            f.answered += 1;
                            times.push((*at - post.created_at).num_seconds());
                        }
                        QuestionState::Open | QuestionState::Claimed { .. } if mine => f.open += 1,
                        _ => {}
                    }
                }
                f.median_answer_secs = median(times);
                f
            })
            .collect();
        out.sort_by_key(|f| f.participant);
        out
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum QueueSort {
    #[default]
    Votes,
    Age,
}
