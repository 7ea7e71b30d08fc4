//! Protocol version 2: the lean `event` frame, asked for with `?v=2` on the stream URL.
//!
//! Why it exists: a version 1 `post_created` frame carries the whole PostView (the author's
//! id, name, role and badge, both timestamps, every counter, every null) to every connection
//! for every event; for a 200-character comment that is ~3.5 times the text itself. At a
//! national audience those bytes are CPU to write and bandwidth to send. Version 2 sends what
//! a client needs to render and check order, and nothing it already has:
//!
//! - a field equal to its documented default is left out ([`LeanPost`]);
//! - an author is sent in full only when the client may not know them yet, otherwise only
//!   as `by`, a short per-meeting number (the seq they joined at); the client keeps a table
//!   `by -> author`, filled from the snapshot (whose posts carry `by` on a v2 stream) and
//!   from every full author it is sent;
//! - `counters` carries only the counters the event changed, and comes on every event that
//!   changed one (redacted ones included), so a client that applies every seq stays exact.
//!
//! Every other frame (hello, snapshot, notice, votes, ...) keeps its version 1 shape; the
//! snapshot's posts gain `by`. Version 1 clients are not affected: the server serializes
//! each event once per audience per version, and a connection gets the version it asked
//! for. [`LeanEventFrame::expand`] turns a lean frame back into the version 1 frame (given
//! the client's [`LeanState`]); the server's tests check that this gives exactly the posts
//! the version 1 stream carries, for every event kind.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use borgermode_domain::{Counters, HideReason, HoldReason, PostKind, Role};

use crate::frames::{EventFrame, ParticipantEventView, ServerFrame};
use crate::views::{
    Audience, AuthorView, MeetingView, PostStatus, PostView, QuestionView, StaffView,
};

/// The `hello.protocol` of a stream opened with `?v=2`.
pub const LEAN_PROTOCOL_VERSION: u32 = 2;

/// A version 2 server frame as serialized: only `event` differs from version 1.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum LeanServerFrame {
    Event(LeanEventFrame),
}

/// What a version 2 client reads: a lean `event`, or any other frame in its version 1 shape.
// One frame at a time, consumed at once: a box would only add an allocation per frame.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum V2Frame {
    Event(LeanEventFrame),
    Other(ServerFrame),
}

/// Used to tell a lean `event` from the other frames without parsing them twice.
#[allow(clippy::large_enum_variant)] // as V2Frame
#[derive(Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
enum LeanTagged {
    Event(LeanEventFrame),
    #[serde(other)]
    Other,
}

impl V2Frame {
    /// Parse one text message of a version 2 stream.
    pub fn parse(text: &str) -> serde_json::Result<V2Frame> {
        match serde_json::from_str::<LeanTagged>(text)? {
            LeanTagged::Event(e) => Ok(V2Frame::Event(e)),
            LeanTagged::Other => serde_json::from_str::<ServerFrame>(text).map(V2Frame::Other),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LeanEventFrame {
    pub seq: u64,
    pub at: DateTime<Utc>,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub redacted: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub posts: Vec<LeanPost>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting: Option<Box<MeetingView>>,
    /// The counters this event changed (present on a redacted frame too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counters: Option<CountersPatch>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff: Option<StaffView>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant: Option<ParticipantEventView>,
}

/// The counters that changed; the others keep their values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountersPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub questions: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dismissed: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comments: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participants: Option<u32>,
}

impl CountersPatch {
    /// What changed from `before` to `after`, or None when nothing did.
    pub fn diff(before: &Counters, after: &Counters) -> Option<CountersPatch> {
        let f = |b: u32, a: u32| (a != b).then_some(a);
        let p = CountersPatch {
            questions: f(before.questions, after.questions),
            answered: f(before.answered, after.answered),
            dismissed: f(before.dismissed, after.dismissed),
            comments: f(before.comments, after.comments),
            participants: f(before.participants, after.participants),
        };
        (p != CountersPatch::default()).then_some(p)
    }

    pub fn apply(&self, c: &mut Counters) {
        let set = |to: &mut u32, v: Option<u32>| {
            if let Some(v) = v {
                *to = v;
            }
        };
        set(&mut c.questions, self.questions);
        set(&mut c.answered, self.answered);
        set(&mut c.dismissed, self.dismissed);
        set(&mut c.comments, self.comments);
        set(&mut c.participants, self.participants);
    }
}

fn is_comment(k: &PostKind) -> bool {
    *k == PostKind::Comment
}
fn comment() -> PostKind {
    PostKind::Comment
}
fn is_zero(n: &u32) -> bool {
    *n == 0
}
fn is_citizen(r: &Role) -> bool {
    *r == Role::Citizen
}
fn citizen() -> Role {
    Role::Citizen
}

/// `Some(None)` for an explicit `null`, `None` when the field is absent.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A PostView with its defaults left out. Each absent field means:
///
/// | field | absent means |
/// | --- | --- |
/// | `kind` | `comment` |
/// | `parent`, `body`, `hidden_reason` | `null` |
/// | `author` | the author `by` names, from the client's table |
/// | `source` | `online` |
/// | `created_at` | the frame's `at` (a new post) |
/// | `status` | `visible` |
/// | `votes`, `reply_count` | 0 |
/// | `reports` | 0 for staff (absent for the public, as in version 1) |
/// | `question` | for a question: open, unclaimed, unanswered, nothing merged; else `null` |
///
/// `erased`, `moderation_note`, `held_reason`, `agenda_item` are left out as in version 1.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeanPost {
    pub id: u64,
    #[serde(default = "comment", skip_serializing_if = "is_comment")]
    pub kind: PostKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<u64>,
    /// The author's number in this meeting (the seq they joined at); absent for a question
    /// entered for someone in the hall and for a withdrawn post.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<u64>,
    /// The author in full, when the client may not know `by` yet (or the author changed, as
    /// on an erasure), and always when there is no `by`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<LeanAuthor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub erased: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<PostStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden_reason: Option<HideReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moderation_note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_reason: Option<HoldReason>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub votes: u32,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reports: u32,
    /// Absent: the default for the post's kind (see the table); `null`: none (a withdrawn
    /// question).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub question: Option<Option<QuestionView>>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reply_count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agenda_item: Option<u64>,
}

/// An AuthorView with its defaults left out: no `participant_id` (a hall question or a
/// withdrawn post), `name` "", `role` citizen, `role_line` null, `verified` false.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeanAuthor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant_id: Option<borgermode_domain::ParticipantId>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default = "citizen", skip_serializing_if = "is_citizen")]
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_line: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub verified: bool,
}

impl From<&AuthorView> for LeanAuthor {
    fn from(a: &AuthorView) -> LeanAuthor {
        LeanAuthor {
            participant_id: a.participant_id,
            name: a.name.clone(),
            role: a.role,
            role_line: a.role_line.clone(),
            verified: a.verified,
        }
    }
}

impl From<LeanAuthor> for AuthorView {
    fn from(a: LeanAuthor) -> AuthorView {
        AuthorView {
            participant_id: a.participant_id,
            name: a.name,
            role: a.role,
            role_line: a.role_line,
            verified: a.verified,
        }
    }
}

/// The question of a new question: what a left-out `question` stands for.
pub fn open_question() -> QuestionView {
    QuestionView {
        state: "open".into(),
        claimed_by: None,
        answer: None,
        dismissed_reason: None,
        merged_into: None,
        merged_from: Vec::new(),
        assignee: None,
    }
}

fn default_question(kind: PostKind) -> Option<QuestionView> {
    (kind == PostKind::Question).then(open_question)
}

impl LeanPost {
    /// `view` for a frame at `at`; `by` is the author's number, `full_author` whether the
    /// author goes in full (the server decides: see docs/protocol.md, "Protocol version 2").
    pub fn from_view(
        view: &PostView,
        at: DateTime<Utc>,
        by: Option<u64>,
        full_author: bool,
    ) -> LeanPost {
        LeanPost {
            id: view.id,
            kind: view.kind,
            parent: view.parent,
            by,
            author: (full_author || by.is_none()).then(|| LeanAuthor::from(&view.author)),
            source: (view.source != "online").then(|| view.source.clone()),
            body: view.body.clone(),
            erased: view.erased,
            created_at: (view.created_at != at).then_some(view.created_at),
            status: (view.status != PostStatus::Visible).then(|| view.status.clone()),
            hidden_reason: view.hidden_reason,
            moderation_note: view.moderation_note.clone(),
            held_reason: view.held_reason,
            votes: view.votes,
            reports: view.reports.unwrap_or(0),
            question: (view.question != default_question(view.kind)).then(|| view.question.clone()),
            reply_count: view.reply_count,
            agenda_item: view.agenda_item,
        }
    }

    /// The version 1 view again, for a client of `audience` that keeps `authors`.
    pub fn expand(
        &self,
        at: DateTime<Utc>,
        audience: Audience,
        authors: &mut HashMap<u64, AuthorView>,
    ) -> Result<PostView, ExpandError> {
        let author = match (&self.author, self.by) {
            (Some(a), by) => {
                let a = AuthorView::from(a.clone());
                if let Some(by) = by {
                    authors.insert(by, a.clone());
                }
                a
            }
            (None, Some(by)) => authors
                .get(&by)
                .cloned()
                .ok_or(ExpandError::UnknownAuthor { post: self.id, by })?,
            (None, None) => return Err(ExpandError::NoAuthor { post: self.id }),
        };
        Ok(PostView {
            id: self.id,
            kind: self.kind,
            parent: self.parent,
            author,
            source: self.source.clone().unwrap_or_else(|| "online".into()),
            body: self.body.clone(),
            erased: self.erased,
            created_at: self.created_at.unwrap_or(at),
            status: self.status.clone().unwrap_or(PostStatus::Visible),
            hidden_reason: self.hidden_reason,
            moderation_note: self.moderation_note.clone(),
            held_reason: self.held_reason,
            votes: self.votes,
            reports: (audience == Audience::Staff).then_some(self.reports),
            question: match &self.question {
                Some(q) => q.clone(),
                None => default_question(self.kind),
            },
            reply_count: self.reply_count,
            agenda_item: self.agenda_item,
            by: self.by,
        })
    }
}

/// A lean frame a client cannot expand: the server broke its promise, or the client lost
/// its table (it should reconnect without `since`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpandError {
    UnknownAuthor { post: u64, by: u64 },
    NoAuthor { post: u64 },
}

impl std::fmt::Display for ExpandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExpandError::UnknownAuthor { post, by } => {
                write!(f, "post {post}: author {by} was never sent on this stream")
            }
            ExpandError::NoAuthor { post } => write!(f, "post {post}: neither by nor author"),
        }
    }
}

impl std::error::Error for ExpandError {}

/// What a version 2 client keeps besides its posts: the authors it was sent and the
/// counters. Fill it from the snapshot ([`LeanState::from_snapshot`]), keep it across a
/// resume, and replace it on every new snapshot.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LeanState {
    pub authors: HashMap<u64, AuthorView>,
    pub counters: Counters,
}

impl LeanState {
    pub fn from_snapshot(meeting: &MeetingView, posts: &[PostView]) -> LeanState {
        let mut s = LeanState {
            authors: HashMap::new(),
            counters: meeting.counters,
        };
        for p in posts {
            s.learn(p);
        }
        s
    }

    /// Remember the author of a full view that carries `by`.
    pub fn learn(&mut self, p: &PostView) {
        if let Some(by) = p.by {
            self.authors.insert(by, p.author.clone());
        }
    }
}

impl LeanEventFrame {
    /// The version 1 frame again: posts in full, `counters` the full counters when the event
    /// changed any (version 1 also repeats unchanged ones). Updates `state`.
    pub fn expand(
        &self,
        audience: Audience,
        state: &mut LeanState,
    ) -> Result<EventFrame, ExpandError> {
        let posts = self
            .posts
            .iter()
            .map(|p| p.expand(self.at, audience, &mut state.authors))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(m) = &self.meeting {
            state.counters = m.counters;
        }
        if let Some(c) = &self.counters {
            c.apply(&mut state.counters);
        }
        Ok(EventFrame {
            seq: self.seq,
            at: self.at,
            kind: self.kind.clone(),
            redacted: self.redacted,
            posts,
            meeting: self.meeting.clone(),
            counters: self.counters.map(|_| state.counters),
            staff: self.staff.clone(),
            participant: self.participant.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::AnswerView;

    fn at() -> DateTime<Utc> {
        "2026-12-07T11:00:00.123456789Z".parse().unwrap()
    }

    fn view() -> PostView {
        PostView {
            id: 12,
            kind: PostKind::Comment,
            parent: None,
            author: AuthorView {
                participant_id: Some(borgermode_domain::ParticipantId(uuid::Uuid::from_u128(7))),
                name: "Karen Jensen".into(),
                role: Role::Citizen,
                role_line: None,
                verified: false,
            },
            source: "online".into(),
            body: Some("Hvornår starter byggeriet?".into()),
            erased: false,
            created_at: at(),
            status: PostStatus::Visible,
            hidden_reason: None,
            moderation_note: None,
            held_reason: None,
            votes: 0,
            reports: None,
            question: None,
            reply_count: 0,
            agenda_item: None,
            by: None,
        }
    }

    /// Through JSON and back, then expanded: the view again (with `by`).
    fn round_trip(
        v: &PostView,
        by: Option<u64>,
        full: bool,
        audience: Audience,
        authors: &mut HashMap<u64, AuthorView>,
    ) -> (String, PostView) {
        let lean = LeanPost::from_view(v, at(), by, full);
        let json = serde_json::to_string(&lean).unwrap();
        let back: LeanPost = serde_json::from_str(&json).unwrap();
        assert_eq!(back, lean, "{json}");
        (json, back.expand(at(), audience, authors).unwrap())
    }

    #[test]
    fn a_new_comment_is_id_author_and_body() {
        let mut authors = HashMap::new();
        let v = view();
        let (json, back) = round_trip(&v, Some(5), true, Audience::Public, &mut authors);
        assert_eq!(
            json,
            r#"{"id":12,"by":5,"author":{"participant_id":"00000000-0000-0000-0000-000000000007","name":"Karen Jensen"},"body":"Hvornår starter byggeriet?"}"#
        );
        assert_eq!(
            back,
            PostView {
                by: Some(5),
                ..v.clone()
            }
        );
        // Her next post names her by number only, and expands from the table.
        let next = PostView {
            id: 14,
            ..v.clone()
        };
        let (json, back) = round_trip(&next, Some(5), false, Audience::Public, &mut authors);
        assert_eq!(
            json,
            r#"{"id":14,"by":5,"body":"Hvornår starter byggeriet?"}"#
        );
        assert_eq!(
            back,
            PostView {
                by: Some(5),
                ..next
            }
        );
    }

    #[test]
    fn every_non_default_field_survives() {
        let mut authors = HashMap::new();
        let answer_by = AuthorView {
            participant_id: Some(borgermode_domain::ParticipantId(uuid::Uuid::from_u128(9))),
            name: "Anne Borgmester".into(),
            role: Role::Panelist,
            role_line: Some("Borgmester".into()),
            verified: true,
        };
        let v = PostView {
            kind: PostKind::Question,
            parent: Some(3),
            author: answer_by.clone(),
            source: "room".into(),
            body: None,
            erased: true,
            created_at: "2026-12-07T10:00:00Z".parse().unwrap(),
            status: PostStatus::Hidden,
            hidden_reason: Some(HideReason::Spam),
            moderation_note: Some("nej".into()),
            held_reason: Some(HoldReason::Keyword),
            votes: 4,
            reports: Some(2),
            question: Some(QuestionView {
                state: "answered".into(),
                answer: Some(AnswerView {
                    mode: "written".into(),
                    html: Some("<p>ja</p>".into()),
                    note: None,
                    by: answer_by,
                    at: at(),
                }),
                merged_from: vec![20],
                ..open_question()
            }),
            reply_count: 3,
            agenda_item: Some(8),
            ..view()
        };
        let (_, back) = round_trip(&v, Some(2), true, Audience::Staff, &mut authors);
        assert_eq!(back, PostView { by: Some(2), ..v });
    }

    #[test]
    fn defaults_that_differ_by_kind_and_audience() {
        let mut authors = HashMap::new();
        // A new question: its open question is left out and comes back.
        let q = PostView {
            kind: PostKind::Question,
            question: Some(open_question()),
            ..view()
        };
        let (json, back) = round_trip(&q, Some(5), true, Audience::Public, &mut authors);
        assert!(!json.contains("question\":"), "{json}");
        assert_eq!(back.question, Some(open_question()));
        // A withdrawn question has none: an explicit null.
        let withdrawn = PostView {
            question: None,
            status: PostStatus::Pending,
            author: AuthorView {
                participant_id: None,
                name: String::new(),
                role: Role::Citizen,
                role_line: None,
                verified: false,
            },
            body: None,
            ..q.clone()
        };
        let (json, back) = round_trip(&withdrawn, None, false, Audience::Public, &mut authors);
        assert!(
            json.contains(r#""author":{}"#) && json.contains(r#""question":null"#),
            "{json}"
        );
        assert_eq!(back, withdrawn);
        // Staff always have a report count; 0 is left out.
        let staff = PostView {
            reports: Some(0),
            ..view()
        };
        let (json, back) = round_trip(&staff, Some(5), false, Audience::Staff, &mut authors);
        assert!(!json.contains("reports"), "{json}");
        assert_eq!(back.reports, Some(0));
    }

    #[test]
    fn an_unknown_author_is_an_error_not_a_guess() {
        let lean = LeanPost::from_view(&view(), at(), Some(5), false);
        assert_eq!(
            lean.expand(at(), Audience::Public, &mut HashMap::new()),
            Err(ExpandError::UnknownAuthor { post: 12, by: 5 })
        );
    }

    #[test]
    fn counters_carry_what_changed() {
        let before = Counters {
            questions: 3,
            answered: 1,
            dismissed: 0,
            comments: 9,
            participants: 40,
        };
        assert_eq!(CountersPatch::diff(&before, &before), None);
        let after = Counters {
            comments: 10,
            ..before
        };
        let patch = CountersPatch::diff(&before, &after).unwrap();
        assert_eq!(serde_json::to_string(&patch).unwrap(), r#"{"comments":10}"#);
        let mut c = before;
        patch.apply(&mut c);
        assert_eq!(c, after);
    }

    #[test]
    fn a_v2_stream_parses_lean_events_and_version_1_frames() {
        let frame = LeanServerFrame::Event(LeanEventFrame {
            seq: 12,
            at: at(),
            kind: "post_created".into(),
            posts: vec![LeanPost::from_view(&view(), at(), Some(5), true)],
            counters: Some(CountersPatch {
                comments: Some(1),
                ..CountersPatch::default()
            }),
            ..LeanEventFrame::default()
        });
        let text = serde_json::to_string(&frame).unwrap();
        assert!(text.starts_with(r#"{"t":"event","seq":12,"#), "{text}");
        let LeanServerFrame::Event(sent) = frame;
        assert_eq!(V2Frame::parse(&text).unwrap(), V2Frame::Event(sent.clone()));
        let mut state = LeanState::default();
        let full = sent.expand(Audience::Public, &mut state).unwrap();
        assert_eq!(
            full.posts[0],
            PostView {
                by: Some(5),
                ..view()
            }
        );
        assert_eq!(full.counters.unwrap().comments, 1);
        assert_eq!(
            V2Frame::parse(r#"{"t":"caught_up","seq":12}"#).unwrap(),
            V2Frame::Other(ServerFrame::CaughtUp { seq: 12 })
        );
        assert!(V2Frame::parse("not json").is_err());
    }
}
