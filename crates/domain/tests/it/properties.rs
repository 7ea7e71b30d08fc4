//! Property tests: random command sequences from a small cast, run through `decide` + `apply`,
//! with the projection's invariants checked after every step.

use std::collections::BTreeSet;

use crate::common::*;
use borgermode_domain::event::Actor;
use borgermode_domain::*;
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// The cast: 0 = organizer, 1-2 moderators, 3-4 panelists, 5-9 citizens. Index 10 is a stranger.

const CAST: usize = 10;
const STAFF_NAMES: [&str; 4] = ["Mette Mod", "Lars Mod", "Søren Ærø", "Ida Holm"];
const JOIN_NAMES: [&str; 7] = [
    "Anne",
    "Bo",
    "soren aero",
    "Moderator",
    "  ",
    "Dorte\u{202E}",
    "Anne",
];
const BODIES: [&str; 5] = [
    "Hej med jer",
    "Du er en idiot",
    "   ",
    "Hvad med skolen?\nTak",
    "LONG",
];
const MAX_BODY: u32 = 120;

fn body(i: usize) -> String {
    match BODIES[i % BODIES.len()] {
        "LONG" => "x".repeat(MAX_BODY as usize + 1),
        b => b.to_string(),
    }
}

fn cast_id(i: usize) -> ParticipantId {
    pid(100 + i as u128)
}

fn cast_actor(i: usize) -> Actor {
    if i == 0 {
        Actor::Organizer
    } else {
        who(cast_id(i))
    }
}

fn settings(
    premoderation: bool,
    slow: u32,
    threshold: u32,
    auto: bool,
    kw: bool,
) -> MeetingSettings {
    MeetingSettings {
        max_body_chars: MAX_BODY,
        slow_mode_secs: slow,
        premoderation,
        keywords: if kw { vec!["idiot".into()] } else { vec![] },
        report_threshold: threshold,
        auto_hold_reports: auto,
    }
}

/// A reference to a post: mostly an existing one (by index), sometimes a raw small id.
#[derive(Clone, Copy, Debug)]
struct PostRef(u8);

#[derive(Clone, Debug)]
enum Spec {
    Schedule,
    Open,
    Close,
    Edit,
    Settings(bool, u32, u32, bool, bool),
    Revoke(usize),
    Join(usize),
    Post(u8, usize, Option<PostRef>),
    Report(PostRef),
    Notice(usize, bool),
    Pin(PostRef),
    Unpin,
    Claim(PostRef),
    Release(PostRef),
    AnswerWritten(PostRef, usize),
    AnswerLive(PostRef),
    Room(usize, bool),
    Dismiss(PostRef, bool),
    Merge(PostRef, PostRef),
    OnAir(Option<PostRef>),
    Hide(PostRef),
    Restore(PostRef),
    Approve(PostRef),
    Reject(PostRef),
    Mute(usize, u32),
    Unmute(usize),
    Ban(usize),
    Unban(usize),
    /// Route a question: to a cast member (mostly panelists) or to a department.
    Assign(PostRef, usize, bool),
    Unassign(PostRef),
    CloseFollowUp,
    /// The agenda: add an item (title index: some blank), set the current one (an index into
    /// the agenda, or none), remove one, file a post under one.
    AddItem(usize),
    SetCurrent(Option<u8>),
    RemoveItem(u8),
    FilePost(PostRef, Option<u8>),
    /// Polls: create one of a kind (index), launch, close, publish, put on screen (an index
    /// into the polls).
    CreatePoll(u8),
    LaunchPoll(u8),
    ClosePoll(u8),
    PublishPoll(u8),
    PollOnScreen(Option<u8>),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Organizer,
    Moderator,
    Staff,
    Citizen,
}

impl Spec {
    /// The kind of actor for whom the command makes sense (used to bias the random actor).
    fn suits(&self) -> Who {
        use Spec::*;
        match self {
            Schedule | Close | Edit | Revoke(_) | CloseFollowUp => Who::Organizer,
            Open | Settings(..) | Room(..) | Dismiss(..) | Merge(..) | OnAir(_) | Hide(_)
            | Restore(_) | Approve(_) | Reject(_) | Mute(..) | Unmute(_) | Ban(_) | Unban(_)
            | AddItem(_) | SetCurrent(_) | RemoveItem(_) | CreatePoll(_) | LaunchPoll(_)
            | ClosePoll(_) | PublishPoll(_) | PollOnScreen(_) => Who::Moderator,
            Notice(..) | Pin(_) | Unpin | Claim(_) | Release(_) | AnswerWritten(..)
            | AnswerLive(_) | Assign(..) | Unassign(_) | FilePost(..) => Who::Staff,
            Join(_) | Post(..) | Report(_) => Who::Citizen,
        }
    }
}

#[derive(Clone, Debug)]
enum Op {
    Advance(i64),
    /// (actor index, use a suitable actor instead, command)
    Do(usize, bool, Spec),
}

fn post_ref() -> impl Strategy<Value = PostRef> {
    any::<u8>().prop_map(PostRef)
}

fn spec() -> impl Strategy<Value = Spec> {
    let target = 1..=CAST;
    // Body indices: mostly fine bodies, sometimes blank or too long.
    let body_ix = || prop::sample::select(vec![0usize, 0, 1, 3, 3, 0, 1, 3, 2, 4]);
    prop_oneof![
        2 => Just(Spec::Schedule),
        4 => Just(Spec::Open),
        1 => Just(Spec::Close),
        2 => Just(Spec::Edit),
        4 => (any::<bool>(), prop::sample::select(vec![0u32, 0, 5, 30, 90]), 1..=3u32, prop::bool::weighted(0.8), any::<bool>())
            .prop_map(|(p, s, t, a, k)| Spec::Settings(p, s, t, a, k)),
        1 => (1..=4usize).prop_map(Spec::Revoke),
        15 => (0..JOIN_NAMES.len()).prop_map(Spec::Join),
        40 => (prop::sample::select(vec![0u8, 0, 1, 1, 1, 2]), body_ix(), prop::option::weighted(0.3, post_ref()))
            .prop_map(|(k, b, p)| Spec::Post(k, b, p)),
        12 => post_ref().prop_map(Spec::Report),
        5 => (body_ix(), any::<bool>()).prop_map(|(b, p)| Spec::Notice(b, p)),
        3 => post_ref().prop_map(Spec::Pin),
        2 => Just(Spec::Unpin),
        10 => post_ref().prop_map(Spec::Claim),
        5 => post_ref().prop_map(Spec::Release),
        8 => (post_ref(), body_ix()).prop_map(|(p, b)| Spec::AnswerWritten(p, b)),
        8 => post_ref().prop_map(Spec::AnswerLive),
        5 => (body_ix(), any::<bool>()).prop_map(|(b, n)| Spec::Room(b, n)),
        6 => (post_ref(), prop::bool::weighted(0.2)).prop_map(|(p, e)| Spec::Dismiss(p, e)),
        12 => (post_ref(), post_ref()).prop_map(|(a, b)| Spec::Merge(a, b)),
        5 => prop::option::weighted(0.8, post_ref()).prop_map(Spec::OnAir),
        8 => post_ref().prop_map(Spec::Hide),
        5 => post_ref().prop_map(Spec::Restore),
        8 => post_ref().prop_map(Spec::Approve),
        5 => post_ref().prop_map(Spec::Reject),
        5 => (target.clone(), prop::sample::select(vec![0u32, 1, 1, 2, 3])).prop_map(|(p, m)| Spec::Mute(p, m)),
        3 => target.clone().prop_map(Spec::Unmute),
        2 => target.clone().prop_map(Spec::Ban),
        2 => target.clone().prop_map(Spec::Unban),
        6 => (post_ref(), prop::sample::select(vec![3usize, 4, 3, 4, 1, 6]), prop::bool::weighted(0.3)).prop_map(|(p, t, d)| Spec::Assign(p, t, d)),
        3 => post_ref().prop_map(Spec::Unassign),
        1 => Just(Spec::CloseFollowUp),
        4 => prop::sample::select(vec![0usize, 1, 3]).prop_map(Spec::AddItem),
        4 => prop::option::weighted(0.8, any::<u8>()).prop_map(Spec::SetCurrent),
        1 => any::<u8>().prop_map(Spec::RemoveItem),
        3 => (post_ref(), prop::option::weighted(0.8, any::<u8>())).prop_map(|(p, i)| Spec::FilePost(p, i)),
        3 => (0..5u8).prop_map(Spec::CreatePoll),
        3 => any::<u8>().prop_map(Spec::LaunchPoll),
        2 => any::<u8>().prop_map(Spec::ClosePoll),
        1 => any::<u8>().prop_map(Spec::PublishPoll),
        2 => prop::option::weighted(0.8, any::<u8>()).prop_map(Spec::PollOnScreen),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => prop::sample::select(vec![0i64, 1, 2, 5, 20, 61, 181, 601]).prop_map(Op::Advance),
        8 => (0..CAST, prop::bool::weighted(0.85), spec()).prop_map(|(a, s, c)| Op::Do(a, s, c)),
    ]
}

struct World {
    h: Harness,
}

impl World {
    /// A created meeting with four staff; `stage` 0 = draft, 1 = scheduled, 2 = open,
    /// 3 = open with every citizen joined.
    fn new(stage: u8) -> Self {
        let mut h = Harness::created(settings(false, 0, 2, true, true));
        for (i, name) in STAFF_NAMES.iter().enumerate() {
            h.ok(
                ORG,
                Command::AddStaff {
                    participant: cast_id(i + 1),
                    role: if i < 2 {
                        StaffRole::Moderator
                    } else {
                        StaffRole::Panelist
                    },
                    name: (*name).into(),
                    role_line: String::new(),
                },
            );
        }
        if stage >= 1 {
            h.ok(ORG, Command::Schedule);
        }
        if stage >= 2 {
            h.ok(ORG, Command::Open);
        }
        if stage >= 3 {
            for i in 5..CAST {
                h.ok(cast_actor(i), join_cmd(cast_id(i), &format!("Borger {i}")));
            }
        }
        World { h }
    }

    /// Resolve a post reference: a raw small id for the top values, otherwise an existing post,
    /// mostly one that fits the command (`fits`), sometimes any post, to keep the wrong-target
    /// paths exercised too.
    fn pick(&self, r: PostRef, fits: impl Fn(&Post) -> bool) -> PostId {
        if r.0 >= 240 {
            return PostId(u64::from(r.0 - 240));
        }
        let all: Vec<&Post> = self.h.state.posts.values().collect();
        let fitting: Vec<&Post> = all.iter().copied().filter(|p| fits(p)).collect();
        // About one in five references (r < 48) ignores the fit.
        let pool = if r.0 < 48 || fitting.is_empty() {
            all
        } else {
            fitting
        };
        if pool.is_empty() {
            PostId(u64::from(r.0 % 16))
        } else {
            pool[usize::from(r.0) % pool.len()].id
        }
    }

    fn any_post(&self, r: PostRef) -> PostId {
        self.pick(r, |_| true)
    }

    fn question(&self, r: PostRef) -> PostId {
        self.pick(r, |p| {
            p.question
                .as_ref()
                .is_some_and(|q| !matches!(q.state, QuestionState::Merged { .. }))
        })
    }

    fn public(&self, r: PostRef) -> PostId {
        self.pick(r, Post::is_public)
    }

    fn target(&self, i: usize) -> ParticipantId {
        if i >= CAST {
            pid(999)
        } else {
            cast_id(i)
        }
    }

    fn actor(&self, index: usize, suitable: bool, spec: &Spec) -> (usize, Actor) {
        let i = if !suitable {
            index
        } else {
            match spec.suits() {
                Who::Organizer => 0,
                Who::Moderator => 1 + index % 2,
                Who::Staff => 1 + index % 4,
                Who::Citizen => 5 + index % 5,
            }
        };
        (i, cast_actor(i))
    }

    fn command(&self, actor_index: usize, spec: &Spec) -> Command {
        match spec.clone() {
            Spec::Schedule => Command::Schedule,
            Spec::Open => Command::Open,
            Spec::Close => Command::Close,
            Spec::Edit => Command::EditMeeting {
                details: details("Nyt emne"),
            },
            Spec::Settings(p, s, t, a, k) => Command::ChangeSettings {
                settings: settings(p, s, t, a, k),
            },
            Spec::Revoke(i) => Command::RevokeStaff {
                participant: cast_id(i),
            },
            Spec::Join(n) => join_cmd(
                if actor_index == 0 {
                    pid(999)
                } else {
                    cast_id(actor_index)
                },
                JOIN_NAMES[n],
            ),
            Spec::Post(k, b, parent) => Command::CreatePost {
                kind: match k {
                    0 => PostKind::Comment,
                    1 => PostKind::Question,
                    _ => PostKind::Notice,
                },
                body: body(b),
                parent: parent.map(|p| self.public(p)),
                agenda_item: None,
            },
            Spec::Report(p) => Command::Report {
                post: self.public(p),
                reason: Some("upassende".into()),
            },
            Spec::Notice(b, pin) => Command::PostNotice { body: body(b), pin },
            Spec::Pin(p) => Command::PinNotice {
                post: self.pick(p, |p| p.kind == PostKind::Notice),
            },
            Spec::Unpin => Command::UnpinNotice,
            Spec::Claim(p) => Command::Claim {
                post: self.question(p),
            },
            Spec::Release(p) => Command::Release {
                post: self.question(p),
            },
            Spec::AnswerWritten(p, b) => Command::AnswerWritten {
                post: self.question(p),
                body: body(b),
            },
            Spec::AnswerLive(p) => Command::AnswerLive {
                post: self.question(p),
                note: Some("på kamera".into()),
                panelist: None,
            },
            Spec::Room(b, named) => Command::RoomQuestion {
                body: body(b),
                name: named.then(|| "Hans fra salen".to_string()),
            },
            Spec::Dismiss(p, empty) => Command::Dismiss {
                post: self.question(p),
                reason: if empty { " ".into() } else { "dublet".into() },
            },
            Spec::Merge(a, b) => Command::Merge {
                post: self.question(a),
                into: self.question(b),
            },
            Spec::OnAir(p) => Command::SetOnAir {
                post: p.map(|p| self.question(p)),
            },
            Spec::Hide(p) => Command::Hide {
                post: self.any_post(p),
                reason: HideReason::Abusive,
                note: None,
            },
            Spec::Restore(p) => Command::Restore {
                post: self.pick(p, |p| matches!(p.visibility, Visibility::Hidden { .. })),
            },
            Spec::Approve(p) => Command::Approve {
                post: self.pick(p, |p| matches!(p.visibility, Visibility::Pending { .. })),
            },
            Spec::Reject(p) => Command::Reject {
                post: self.pick(p, |p| matches!(p.visibility, Visibility::Pending { .. })),
                reason: None,
            },
            Spec::Mute(i, m) => Command::Mute {
                participant: self.target(i),
                minutes: m,
            },
            Spec::Unmute(i) => Command::Unmute {
                participant: self.target(i),
            },
            Spec::Ban(i) => Command::Ban {
                participant: self.target(i),
                reason: None,
            },
            Spec::Unban(i) => Command::Unban {
                participant: self.target(i),
            },
            Spec::Assign(p, t, dept) => Command::Assign {
                post: self.question(p),
                to: if dept {
                    Assignee::Department {
                        name: "Teknik og Miljø".into(),
                    }
                } else {
                    Assignee::Panelist {
                        participant: self.target(t),
                    }
                },
            },
            Spec::Unassign(p) => Command::Unassign {
                post: self.question(p),
            },
            Spec::CloseFollowUp => Command::CloseFollowUp,
            Spec::AddItem(b) => Command::AddAgendaItem {
                details: AgendaItemDetails {
                    title: body(b),
                    description: String::new(),
                    planned_start: None,
                },
                position: None,
            },
            Spec::SetCurrent(i) => Command::SetCurrentAgendaItem {
                item: i.map(|i| self.item(i)),
            },
            Spec::RemoveItem(i) => Command::RemoveAgendaItem { item: self.item(i) },
            Spec::FilePost(p, i) => Command::FilePost {
                post: self.any_post(p),
                item: i.map(|i| self.item(i)),
            },
            Spec::CreatePoll(k) => Command::CreatePoll {
                definition: PollDefinition {
                    question: "Hvad synes du?".into(),
                    kind: match k {
                        0 => PollKind::SingleChoice {
                            options: vec!["Ja".into(), "Nej".into()],
                        },
                        1 => PollKind::MultipleChoice {
                            options: vec!["A".into(), "B".into(), "C".into()],
                            max_picks: 2,
                        },
                        2 => PollKind::Scale {
                            max: 5,
                            low_label: String::new(),
                            high_label: String::new(),
                        },
                        3 => PollKind::WordCloud,
                        _ => PollKind::OpenAnswer,
                    },
                    results: [
                        ResultsShown::Live,
                        ResultsShown::AfterClose,
                        ResultsShown::StaffOnly,
                    ][usize::from(k) % 3],
                    agenda_item: None,
                },
            },
            Spec::LaunchPoll(i) => Command::LaunchPoll { poll: self.poll(i) },
            Spec::ClosePoll(i) => Command::ClosePoll { poll: self.poll(i) },
            Spec::PublishPoll(i) => Command::PublishPollResults { poll: self.poll(i) },
            Spec::PollOnScreen(i) => Command::SetPollOnScreen {
                poll: i.map(|i| self.poll(i)),
            },
        }
    }

    /// An agenda item by index (past the end: an id that does not exist).
    fn item(&self, i: u8) -> AgendaItemId {
        let items = &self.h.state.agenda.items;
        items
            .get(usize::from(i) % (items.len() + 1))
            .map_or(AgendaItemId(9999), |x| x.id)
    }

    /// A poll by index (past the end: an id that does not exist).
    fn poll(&self, i: u8) -> PollId {
        let polls = &self.h.state.polls.items;
        polls
            .get(usize::from(i) % (polls.len() + 1))
            .map_or(PollId(9999), |p| p.id)
    }
}

// ---------------------------------------------------------------------------------------------
// Invariants

/// Public counters recomputed from scratch, written independently of `counts_as_question`.
fn expected_counters(s: &MeetingState) -> Counters {
    let mut c = Counters::default();
    for p in s.participants.values() {
        if p.role == Role::Citizen {
            c.participants += 1;
        }
    }
    for p in s.posts.values() {
        let public = match p.visibility {
            Visibility::Visible => true,
            // A tombstone only for posts the public once saw.
            Visibility::Hidden { .. } => p.published,
            Visibility::Pending { .. } | Visibility::Rejected { .. } => false,
        };
        if !public {
            continue;
        }
        match (&p.kind, p.question.as_ref().map(|q| &q.state)) {
            (PostKind::Question, Some(QuestionState::Merged { .. })) => {}
            (PostKind::Question, Some(state)) => {
                c.questions += 1;
                match state {
                    QuestionState::Answered { .. } => c.answered += 1,
                    QuestionState::Dismissed { .. } => c.dismissed += 1,
                    _ => {}
                }
            }
            (PostKind::Comment, None) => c.comments += 1,
            (PostKind::Notice, None) => {}
            (kind, q) => panic!("post {} is a {kind:?} with question {q:?}", p.id),
        }
    }
    c
}

fn check_state(s: &MeetingState, log: &[Event]) -> Result<(), TestCaseError> {
    // Gapless seq.
    prop_assert_eq!(s.seq, log.len() as u64);
    for (i, e) in log.iter().enumerate() {
        prop_assert_eq!(e.seq, i as u64 + 1, "gap in the log");
    }

    // The agenda and polls refer only to what exists.
    let item_ok = |i: &Option<AgendaItemId>| i.is_none_or(|i| s.agenda.get(i).is_some());
    prop_assert!(item_ok(&s.agenda.current), "current item gone");
    for p in s.posts.values() {
        prop_assert!(
            item_ok(&p.agenda_item),
            "post {} under a removed item",
            p.id.0
        );
        if p.agenda_item.is_some() {
            prop_assert!(p.parent.is_none() && p.kind != PostKind::Notice);
        }
    }
    for poll in &s.polls.items {
        prop_assert!(item_ok(&poll.definition.agenda_item));
        prop_assert_eq!(poll.launched_at.is_some(), poll.status != PollStatus::Draft);
        prop_assert_eq!(poll.closed_at.is_some(), poll.status == PollStatus::Closed);
    }
    if let Some(on) = s.polls.on_screen {
        prop_assert!(s
            .polls
            .get(on)
            .is_some_and(|p| p.status != PollStatus::Draft));
    }
    if s.status == MeetingStatus::Closed {
        prop_assert_eq!(
            s.polls.open().count(),
            0,
            "an open poll in a closed meeting"
        );
    }

    // Counters.
    let c = s.counters();
    prop_assert!(c.answered <= c.questions, "{:?}", c);
    prop_assert!(c.answered + c.dismissed <= c.questions, "{:?}", c);
    prop_assert_eq!(c, expected_counters(s));

    for (id, p) in &s.posts {
        prop_assert_eq!(*id, p.id);
        // A post's id is the seq of the event that created it.
        let created = log.get(id.0 as usize - 1).map(|e| &e.kind);
        prop_assert!(
            matches!(created, Some(EventKind::PostCreated { .. })),
            "post {} not created by event {}",
            id,
            id.0
        );
        prop_assert_eq!(p.question.is_some(), p.kind == PostKind::Question);
        // Replies go one level deep and are linked both ways.
        if let Some(parent) = p.parent {
            prop_assert_eq!(p.kind, PostKind::Comment);
            let pp = s.posts.get(&parent);
            prop_assert!(pp.is_some(), "reply {} to missing {}", id, parent);
            let pp = pp.unwrap();
            prop_assert!(pp.parent.is_none(), "reply {} to a reply {}", id, parent);
            prop_assert!(pp.replies.contains(id));
        }
        for r in &p.replies {
            prop_assert_eq!(s.posts.get(r).and_then(|r| r.parent), Some(*id));
        }
        // Reporters are participants.
        for r in &p.reporters {
            prop_assert!(s.participants.contains_key(r));
        }
        // Merges are linked both ways, never onto a merged question, never in a cycle.
        if let Some(q) = &p.question {
            for m in &q.merged_from {
                let mq = s.posts.get(m).and_then(|m| m.question.as_ref());
                prop_assert_eq!(
                    mq.map(|q| &q.state),
                    Some(&QuestionState::Merged { into: *id })
                );
            }
            if let QuestionState::Merged { into } = &q.state {
                let target = s.posts.get(into).and_then(|t| t.question.as_ref());
                prop_assert!(target.is_some(), "merged into a non-question");
                prop_assert!(target.unwrap().merged_from.contains(id));
                let mut seen = BTreeSet::from([*id]);
                let mut cur = *into;
                while let Some(QuestionState::Merged { into }) = s
                    .posts
                    .get(&cur)
                    .and_then(|p| p.question.as_ref())
                    .map(|q| &q.state)
                {
                    prop_assert!(seen.insert(cur), "merge cycle through {}", cur);
                    cur = *into;
                }
            }
            // Routing only ever names a panelist of the meeting.
            if let Some(Assignee::Panelist { participant }) = &q.assignee {
                let role = s.participants.get(participant).map(|p| p.role);
                prop_assert_eq!(
                    role,
                    Some(Role::Panelist),
                    "question {} routed to a non-panelist",
                    id
                );
            }
            if let QuestionState::Claimed { by }
            | QuestionState::Answered { by, .. }
            | QuestionState::Dismissed { by, .. } = &q.state
            {
                let staff = s.participants.get(by).map(|p| p.role.is_staff());
                prop_assert_eq!(staff, Some(true), "question {} handled by non-staff", id);
            }
        }
    }
    if let Some(p) = s.on_air {
        let st = s
            .posts
            .get(&p)
            .and_then(|p| p.question.as_ref())
            .map(|q| &q.state);
        prop_assert!(st.is_some(), "on air is not a question");
        prop_assert!(
            !matches!(st, Some(QuestionState::Merged { .. })),
            "a merged question is on air"
        );
    }
    // The follow-up exists only for a closed meeting, and is closed only after it started.
    if s.follow_up_due.is_some() || s.follow_up_closed_at.is_some() {
        prop_assert_eq!(s.status, MeetingStatus::Closed);
    }
    if let Some(p) = s.pinned_notice {
        prop_assert_eq!(s.posts.get(&p).map(|p| p.kind), Some(PostKind::Notice));
    }
    // Staff are never muted or banned; citizens are never revoked.
    for p in s.participants.values() {
        if p.role.is_staff() {
            prop_assert!(!p.banned && p.muted_until.is_none());
        } else {
            prop_assert!(!p.revoked);
        }
    }
    Ok(())
}

/// What an actor of a given role may cause, checked on the events of accepted commands.
fn check_authority(
    before: &MeetingState,
    actor: &Actor,
    cmd: &Command,
    result: &Result<Vec<EventKind>, DomainError>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), TestCaseError> {
    let me = actor.participant().and_then(|id| before.participant(id));
    if let Some(p) = me {
        if p.banned || p.revoked {
            prop_assert!(result.is_err(), "{:?} acted while banned/revoked", cmd);
        }
    }
    let Ok(events) = result else { return Ok(()) };
    for k in events {
        let name = k.name();
        match me.map(|p| p.role) {
            None if matches!(actor, Actor::Organizer) => {
                prop_assert!(
                    !matches!(
                        k,
                        EventKind::PostCreated { .. }
                            | EventKind::PostReported { .. }
                            | EventKind::QuestionClaimed { .. }
                            | EventKind::QuestionAnswered { .. }
                            | EventKind::QuestionDismissed { .. }
                            | EventKind::ParticipantJoined { .. }
                    ),
                    "organizer caused {}",
                    name
                );
            }
            None => {
                // Only joining is possible for someone not in the meeting yet.
                prop_assert_eq!(name, "participant_joined");
            }
            Some(Role::Citizen) => {
                prop_assert!(
                    matches!(
                        name,
                        "post_created" | "post_reported" | "post_held" | "post_filed"
                    ),
                    "citizen caused {}",
                    name
                );
                if let EventKind::PostCreated {
                    post_kind, source, ..
                } = k
                {
                    prop_assert_ne!(*post_kind, PostKind::Notice);
                    prop_assert_eq!(source, &Source::Online);
                    let author = me.unwrap();
                    prop_assert!(!author.is_muted(now), "muted citizen posted");
                    prop_assert!(
                        before.status == MeetingStatus::Open
                            || (before.status == MeetingStatus::Scheduled
                                && *post_kind == PostKind::Question),
                        "posted while {:?}",
                        before.status
                    );
                }
            }
            Some(Role::Panelist) => {
                prop_assert!(
                    matches!(
                        name,
                        "post_created"
                            | "post_reported"
                            | "post_held"
                            | "notice_pinned"
                            | "notice_unpinned"
                            | "question_claimed"
                            | "question_released"
                            | "question_answered"
                            | "question_assigned"
                            | "question_unassigned"
                            | "on_air_set"
                            | "post_filed"
                    ),
                    "panelist caused {}",
                    name
                );
                // A panelist never puts a question on air; answering the one on air takes it
                // off (the screen must not show an answered question as current).
                if let EventKind::OnAirSet { post } = k {
                    prop_assert_eq!(*post, None);
                    prop_assert!(before.on_air.is_some());
                }
                // A panelist routes only to themselves.
                if let EventKind::QuestionAssigned { to, .. } = k {
                    prop_assert_eq!(
                        to,
                        &Assignee::Panelist {
                            participant: me.unwrap().id
                        }
                    );
                }
            }
            Some(Role::Moderator) => {
                prop_assert!(
                    !matches!(
                        name,
                        "meeting_created"
                            | "meeting_edited"
                            | "meeting_scheduled"
                            | "staff_added"
                            | "staff_revoked"
                            | "participant_joined"
                            | "follow_up_closed"
                    ),
                    "moderator caused {}",
                    name
                );
            }
        }
        if matches!(
            name,
            "meeting_created"
                | "meeting_edited"
                | "meeting_scheduled"
                | "staff_added"
                | "staff_revoked"
        ) {
            prop_assert!(matches!(actor, Actor::Organizer));
        }
    }
    Ok(())
}

fn run_ops(stage: u8, ops: &[Op]) -> Result<World, TestCaseError> {
    let mut w = World::new(stage);
    check_state(&w.h.state, &w.h.log)?;
    for op in ops {
        let (i, suitable, spec) = match op {
            Op::Advance(secs) => {
                w.h.advance(*secs);
                continue;
            }
            Op::Do(i, s, spec) => (*i, *s, spec),
        };
        let (index, actor) = w.actor(i, suitable, spec);
        let cmd = w.command(index, spec);
        let before = w.h.state.clone();

        // decide is a pure function: same input, same answer.
        let first = w.h.decide(actor, cmd.clone());
        let second = w.h.decide(actor, cmd.clone());
        prop_assert_eq!(&first, &second);
        check_authority(&before, &actor, &cmd, &first, w.h.now)?;
        if let Err(e) = &first {
            // Every rejection has a stable code, and retry hints only where they belong.
            prop_assert!(!e.code().is_empty());
            prop_assert_eq!(
                e.retry_after_secs().is_some(),
                matches!(
                    e,
                    DomainError::SlowMode { .. } | DomainError::RateLimited { .. }
                )
            );
            if let Some(secs) = e.retry_after_secs() {
                prop_assert!(secs >= 1);
            }
        }

        let Ok((events, notices)) = w.h.run_with_notices(actor, cmd.clone()) else {
            prop_assert_eq!(&w.h.state, &before, "a rejected command changed the state");
            continue;
        };

        // Notices only ever go to people in the meeting.
        for n in &notices {
            prop_assert!(
                w.h.state.participants.contains_key(&n.to),
                "notice {:?} to a stranger",
                n
            );
            if let Some(p) = n.post {
                prop_assert!(w.h.state.posts.contains_key(&p));
            }
        }
        // An answer reaches its asker and every asker whose question was merged into it,
        // directly or through a chain of merges, each once.
        for e in &events {
            if let EventKind::QuestionAnswered { post, .. } = &e.kind {
                let s = &w.h.state;
                let leads_to = |mut cur: PostId| loop {
                    if cur == *post {
                        return true;
                    }
                    match s
                        .posts
                        .get(&cur)
                        .and_then(|p| p.question.as_ref())
                        .map(|q| &q.state)
                    {
                        Some(QuestionState::Merged { into }) => cur = *into,
                        _ => return false,
                    }
                };
                let expected: BTreeSet<ParticipantId> = s
                    .posts
                    .values()
                    .filter(|p| p.question.is_some() && leads_to(p.id))
                    // Questions from the hall have no online asker to tell.
                    .filter(|p| matches!(p.source, Source::Online))
                    .filter_map(|p| p.author)
                    .collect();
                let told: Vec<ParticipantId> = notices
                    .iter()
                    .filter(|n| n.kind == NoticeKind::QuestionAnswered)
                    .inspect(|n| assert_eq!(n.post, Some(*post)))
                    .map(|n| n.to)
                    .collect();
                prop_assert_eq!(told.len(), expected.len(), "someone told twice or missed");
                prop_assert_eq!(told.into_iter().collect::<BTreeSet<_>>(), expected);
            }
        }
        // Events round-trip through JSON, as the store keeps them.
        for e in &events {
            let json = serde_json::to_string(e).unwrap();
            let back: Event = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(&back, e);
        }
        // A duplicate delivery of the last event changes nothing.
        if let Some(last) = events.last() {
            let mut again = w.h.state.clone();
            again.apply(last);
            prop_assert_eq!(&again, &w.h.state);
        }
        check_state(&w.h.state, &w.h.log)?;
        // Rebuilding from the log gives the same projection.
        let replayed = MeetingState::replay(w.h.state.id, &w.h.log);
        prop_assert_eq!(&replayed, &w.h.state);
    }
    Ok(w)
}

/// Mostly what a burst brings (joins and posts), sometimes anything: the commands of a group.
fn group_spec() -> impl Strategy<Value = Spec> {
    let body_ix = || prop::sample::select(vec![0usize, 0, 1, 3, 3, 0, 1, 3, 2, 4]);
    prop_oneof![
        3 => (0..JOIN_NAMES.len()).prop_map(Spec::Join),
        6 => (prop::sample::select(vec![0u8, 1, 1, 1, 2]), body_ix(), prop::option::weighted(0.3, post_ref()))
            .prop_map(|(k, b, p)| Spec::Post(k, b, p)),
        1 => spec(),
    ]
}

/// The check of `groups_decide_as_in_turn`: `grouped` (one group against `before`'s state)
/// answers as `in_turn` does, deciding the commands the group took one after another.
fn check_group(
    before: &Harness,
    in_turn: &mut Harness,
    commands: &[(Actor, Command)],
) -> Result<usize, TestCaseError> {
    let state = &before.state;
    let grouped = decide_group(state, commands, &before.ctx());
    prop_assert_eq!(grouped.len(), commands.len());
    prop_assert!(grouped[0].is_some(), "the first command is always decided");
    let mut decided: Vec<&Actor> = Vec::new();
    // The group is a prefix: after the first command left out, every later one waits too.
    let taken = grouped.iter().take_while(|g| g.is_some()).count();
    prop_assert!(
        grouped[taken..].iter().all(Option::is_none),
        "a command overtook one that waits"
    );
    for ((actor, cmd), got) in commands.iter().zip(&grouped).take(taken + 1) {
        let Some(got) = got else {
            // Left for a later group only for a reason the rule names.
            let (first_actor, first) = &commands[0];
            let future_reply =
                matches!(cmd, Command::CreatePost { parent: Some(p), .. } if p.0 > state.seq);
            prop_assert!(
                !groupable(first_actor, first)
                    || !groupable(actor, cmd)
                    || decided.contains(&actor)
                    || future_reply,
                "{:?} from {:?} was left out of the group for no reason",
                cmd,
                actor
            );
            continue;
        };
        decided.push(actor);
        let want = in_turn
            .run(*actor, cmd.clone())
            .map(|events| events.into_iter().map(|e| e.kind).collect::<Vec<_>>());
        prop_assert_eq!(got, &want, "{:?} from {:?}", cmd, actor);
    }
    Ok(decided.len())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn random_meetings_keep_their_invariants(
        stage in prop::sample::select(vec![0u8, 1, 2, 2, 3, 3, 3, 3, 3]),
        ops in prop::collection::vec(op(), 0..80),
    ) {
        let w = run_ops(stage, &ops)?;
        // The whole log survives a JSON round trip and rebuilds the same state.
        let json = serde_json::to_string(&w.h.log).unwrap();
        let back: Vec<Event> = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&MeetingState::replay(w.h.state.id, &back), &w.h.state);
    }

    /// Group commit: commands decided as one group against one state get the answers they get
    /// one after another (`decide_group`), seqs of their own events included.
    #[test]
    fn groups_decide_as_in_turn(
        stage in prop::sample::select(vec![1u8, 2, 2, 3, 3]),
        filed in any::<bool>(),
        ops in prop::collection::vec(op(), 0..40),
        group in prop::collection::vec(
            (0..CAST, prop::bool::weighted(0.9), group_spec(), prop::option::weighted(0.15, 1..4u64)),
            1..12,
        ),
    ) {
        // Sometimes with a current agenda item, so that questions are filed (a seq of their own).
        let mut prefix = Vec::new();
        if filed {
            prefix.push(Op::Do(1, true, Spec::AddItem(0)));
            prefix.push(Op::Do(1, true, Spec::SetCurrent(Some(0))));
        }
        prefix.extend(ops);
        let w = run_ops(stage, &prefix)?;
        let mut in_turn = run_ops(stage, &prefix)?;
        let commands: Vec<(Actor, Command)> = group
            .iter()
            .map(|(i, suitable, spec, future)| {
                let (index, actor) = w.actor(*i, *suitable, spec);
                let mut cmd = w.command(index, spec);
                // A reply to a post that does not exist yet, as a client guessing ids sends.
                if let (Some(k), Command::CreatePost { parent, .. }) = (future, &mut cmd) {
                    *parent = Some(PostId(w.h.state.seq + k));
                }
                (actor, cmd)
            })
            .collect();
        check_group(&w.h, &mut in_turn.h, &commands)?;
    }

    #[test]
    fn replay_in_overlapping_batches_is_the_same(
        ops in prop::collection::vec(op(), 0..60),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..6),
    ) {
        // Rooms may receive overlapping batches (bus + gap fill); apply ignores what it has.
        let w = run_ops(3, &ops)?;
        let log = &w.h.log;
        let mut s = MeetingState::new(w.h.state.id);
        let mut from = 0usize;
        for cut in cuts {
            if log.is_empty() {
                break;
            }
            let to = cut.index(log.len() + 1);
            let start = from.saturating_sub(3).min(to);
            for e in &log[start..to] {
                s.apply(e);
            }
            from = from.max(to);
        }
        for e in &log[from.saturating_sub(2)..] {
            s.apply(e);
        }
        prop_assert_eq!(&s, &w.h.state);
    }

    #[test]
    fn staff_names_are_reserved_whatever_the_spelling(
        variants in prop::collection::vec(0usize..6, 9),
    ) {
        // "søren ærø" written with other case, accents and separators.
        let choices: [&[&str]; 9] = [
            &["s", "S"],
            &["ø", "Ø", "o", "O", "ö", "Ö"],
            &["r", "R"],
            &["e", "E", "é", "É", "è"],
            &["n", "N"],
            &[" ", "-", ".", "  ", "_", " - "],
            &["æ", "Æ", "ae", "AE", "Ae", "aE"],
            &["r", "R"],
            &["ø", "Ø", "o", "O", "ó"],
        ];
        let name: String = choices
            .iter()
            .zip(&variants)
            .map(|(c, v)| c[v % c.len()])
            .collect();
        let mut t = Town::open();
        let id = t.h.fresh_id();
        let r = t.h.run(who(id), join_cmd(id, &name));
        prop_assert_eq!(r.map(|e| names(&e)), Err(DomainError::NameReserved), "{}", name);
    }

    #[test]
    fn body_length_limit_counts_characters(
        max in 1u32..40,
        len in 1usize..60,
        letter in prop::sample::select(vec!['a', 'æ', 'ø', 'å', '€', '😀']),
    ) {
        let mut t = Town::open_with(MeetingSettings { max_body_chars: max, ..Default::default() });
        let body: String = std::iter::repeat_n(letter, len).collect();
        let r = t.h.run(t.anne, Command::CreatePost { kind: PostKind::Comment, body: format!("  {body} "), parent: None, agenda_item: None, });
        if len <= max as usize {
            let events = r.unwrap();
            let p = t.h.post_of(PostId(events[0].seq));
            prop_assert_eq!(p.body.as_str(), body.as_str());
        } else {
            prop_assert_eq!(r.unwrap_err(), DomainError::BodyTooLong { field: "body", max });
        }
    }
}
