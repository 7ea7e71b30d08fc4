//! The authorization matrix: every HTTP command route against every kind of caller.
//!
//! Callers: anonymous (no credentials), a citizen, a muted citizen, a banned citizen, a
//! panelist, a moderator, a panelist whose link was revoked, and the organizer (admin bearer
//! token). Each row of the table runs against a fresh meeting built by [`Fixture::build`], so
//! an allowed command in one row (a ban, a close, a merge) cannot change the outcome of
//! another. All mismatches are
//! collected and reported together.
//!
//! The rows are a table of (method, route, body) run through `raw`, not the typed client: one
//! loop sends every route as every caller, and some bodies are deliberately minimal or absent.
//!
//! The expectations follow `domain::decide` and the actor resolution in `api::resolve_actor`:
//! - organizer-only commands (edit, schedule, staff links): the organizer; a signed-in
//!   participant gets 403 `forbidden`; no credentials get 401 `unauthorized`.
//! - open, close, settings: the organizer or a moderator.
//! - participant commands (post, vote, report): any active participant; the organizer is not a
//!   participant of the meeting (401: join first).
//! - panel commands (notices, pin, claim, release, answer): panelists and moderators.
//! - moderation (room questions, dismiss, merge, on air, hide, restore, approve, reject, mute,
//!   unmute, ban, unban): moderators only.
//! - the agenda and polls (add, edit, remove, move, set current; create, edit, delete, move,
//!   launch, close, publish, on screen): the organizer or a moderator. Filing a question under
//!   an agenda item: any staff member or the organizer.
//! - answering a poll: citizens only (staff run the poll: `forbidden`; the organizer is no
//!   participant: `unauthorized`). Listing and moderating open answers: the organizer or a
//!   moderator; that check refuses every other participant first (`forbidden`, banned too).
//! - a muted citizen is a citizen who may not speak: 403 `muted` on posting and answering a
//!   poll, everything else as a citizen (votes and reports are not speech).
//! - a banned citizen gets 403 `banned` wherever the domain looks at them as an actor, and
//!   403 `forbidden` where the route refuses every non-organizer (or non-staff) first.
//! - revoking a staff link deletes its sessions, so the revoked panelist's token no longer
//!   identifies anyone: 401 `unauthorized` (and `join` treats them as a newcomer).

use crate::common::routes;

use std::fmt;
use std::time::Duration;

use crate::common::app::{spawn_app, spawn_app_with, TestApp, Who, ADMIN_TOKEN};
use borgermode_protocol::http::{CommandAck, StaffLinkResponse};
use borgermode_protocol::{MeetingId, ParticipantId, StaffRole};
use futures_util::StreamExt;
use reqwest::Method;
use serde_json::{json, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Anonymous,
    Citizen,
    MutedCitizen,
    BannedCitizen,
    Panelist,
    Moderator,
    RevokedPanelist,
    Organizer,
}

const ROLES: [Role; 8] = [
    Role::Anonymous,
    Role::Citizen,
    Role::MutedCitizen,
    Role::BannedCitizen,
    Role::Panelist,
    Role::Moderator,
    Role::RevokedPanelist,
    Role::Organizer,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    CreateMeeting,
    EditMeeting,
    Schedule,
    Open,
    Close,
    Settings,
    StaffLinkCreate,
    StaffLinkRevoke,
    Join,
    Post,
    Vote,
    Report,
    Notice,
    Pin,
    Unpin,
    RoomQuestion,
    Claim,
    Release,
    Answer,
    AnswerLive,
    Dismiss,
    Merge,
    OnAir,
    Hide,
    Restore,
    Approve,
    Reject,
    Mute,
    Unmute,
    Ban,
    Unban,
    Queue,
    AgendaAdd,
    AgendaEdit,
    AgendaRemove,
    AgendaMove,
    AgendaCurrent,
    FilePost,
    PollCreate,
    PollEdit,
    PollDelete,
    PollMove,
    PollLaunch,
    PollClose,
    PollPublish,
    PollOnScreen,
    PollAnswer,
    PollAnswers,
    PollAnswerApprove,
    PollAnswerHide,
    PollAnswerRestore,
}

/// What a caller should get.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// Allowed, with exactly this 2xx status.
    Ok(u16),
    /// Refused with this status and problem+json `code`.
    No(u16, &'static str),
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expect::Ok(s) => write!(f, "{s} (allowed)"),
            Expect::No(s, code) => write!(f, "{s} {code}"),
        }
    }
}

const UNAUTH: Expect = Expect::No(401, "unauthorized");
const FORBID: Expect = Expect::No(403, "forbidden");
const BANNED: Expect = Expect::No(403, "banned");
const MUTED: Expect = Expect::No(403, "muted");
const OK: Expect = Expect::Ok(200);
const CREATED: Expect = Expect::Ok(201);
const NO_CONTENT: Expect = Expect::Ok(204);

/// Which fixture a route's row runs against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// Scheduled, not open yet (for schedule and open, so that they do something).
    Scheduled,
    /// Open, with posts, a hidden post, a pending post, notices and a claimed question.
    Open,
}

/// One line of the matrix: a route and what each role gets, in the order of [`ROLES`]:
/// anonymous, citizen, muted citizen, banned citizen, panelist, moderator, revoked panelist,
/// organizer.
struct Line {
    route: Route,
    stage: Stage,
    expect: [Expect; 8],
}

fn line(route: Route, expect: [Expect; 8]) -> Line {
    let stage = match route {
        Route::Schedule | Route::Open => Stage::Scheduled,
        _ => Stage::Open,
    };
    Line {
        route,
        stage,
        expect,
    }
}

#[rustfmt::skip]
fn matrix() -> Vec<Line> {
    use Route::*;
    vec![
        //                      anonymous  citizen    muted      banned     panelist   moderator  revoked    organizer
        line(CreateMeeting,     [UNAUTH,    UNAUTH,    UNAUTH,    UNAUTH,    UNAUTH,    UNAUTH,    UNAUTH,    CREATED]),
        line(EditMeeting,       [UNAUTH,    FORBID,    FORBID,    FORBID,    FORBID,    FORBID,    UNAUTH,    OK]),
        line(Schedule,          [UNAUTH,    FORBID,    FORBID,    FORBID,    FORBID,    FORBID,    UNAUTH,    OK]),
        line(Open,              [UNAUTH,    FORBID,    FORBID,    BANNED,    FORBID,    OK,        UNAUTH,    OK]),
        line(Close,             [UNAUTH,    FORBID,    FORBID,    BANNED,    FORBID,    OK,        UNAUTH,    OK]),
        line(Settings,          [UNAUTH,    FORBID,    FORBID,    BANNED,    FORBID,    OK,        UNAUTH,    OK]),
        line(StaffLinkCreate,   [UNAUTH,    FORBID,    FORBID,    FORBID,    FORBID,    FORBID,    UNAUTH,    CREATED]),
        line(StaffLinkRevoke,   [UNAUTH,    FORBID,    FORBID,    FORBID,    FORBID,    FORBID,    UNAUTH,    OK]),
        line(Join,              [CREATED,   OK,        OK,        BANNED,    OK,        OK,        CREATED,   CREATED]),
        line(Post,              [UNAUTH,    CREATED,   MUTED,     BANNED,    CREATED,   CREATED,   UNAUTH,    UNAUTH]),
        line(Vote,              [UNAUTH,    OK,        OK,        BANNED,    OK,        OK,        UNAUTH,    UNAUTH]),
        line(Report,            [UNAUTH,    OK,        OK,        BANNED,    OK,        OK,        UNAUTH,    UNAUTH]),
        line(Notice,            [UNAUTH,    FORBID,    FORBID,    BANNED,    CREATED,   CREATED,   UNAUTH,    UNAUTH]),
        line(Pin,               [UNAUTH,    FORBID,    FORBID,    BANNED,    OK,        OK,        UNAUTH,    UNAUTH]),
        line(Unpin,             [UNAUTH,    FORBID,    FORBID,    BANNED,    OK,        OK,        UNAUTH,    UNAUTH]),
        line(RoomQuestion,      [UNAUTH,    FORBID,    FORBID,    BANNED,    FORBID,    CREATED,   UNAUTH,    UNAUTH]),
        line(Claim,             [UNAUTH,    FORBID,    FORBID,    BANNED,    OK,        OK,        UNAUTH,    UNAUTH]),
        line(Release,           [UNAUTH,    FORBID,    FORBID,    BANNED,    OK,        OK,        UNAUTH,    UNAUTH]),
        line(Answer,            [UNAUTH,    FORBID,    FORBID,    BANNED,    OK,        OK,        UNAUTH,    UNAUTH]),
        line(AnswerLive,        [UNAUTH,    FORBID,    FORBID,    BANNED,    OK,        OK,        UNAUTH,    UNAUTH]),
        line(Dismiss,           [UNAUTH,    FORBID,    FORBID,    BANNED,    FORBID,    OK,        UNAUTH,    UNAUTH]),
        line(Merge,             [UNAUTH,    FORBID,    FORBID,    BANNED,    FORBID,    OK,        UNAUTH,    UNAUTH]),
        line(OnAir,             [UNAUTH,    FORBID,    FORBID,    BANNED,    FORBID,    OK,        UNAUTH,    UNAUTH]),
        line(Hide,              [UNAUTH,    FORBID,    FORBID,    BANNED,    FORBID,    OK,        UNAUTH,    UNAUTH]),
        line(Restore,           [UNAUTH,    FORBID,    FORBID,    BANNED,    FORBID,    OK,        UNAUTH,    UNAUTH]),
        line(Approve,           [UNAUTH,    FORBID,    FORBID,    BANNED,    FORBID,    OK,        UNAUTH,    UNAUTH]),
        line(Reject,            [UNAUTH,    FORBID,    FORBID,    BANNED,    FORBID,    OK,        UNAUTH,    UNAUTH]),
        line(Mute,              [UNAUTH,    FORBID,    FORBID,    BANNED,    FORBID,    OK,        UNAUTH,    UNAUTH]),
        line(Unmute,            [UNAUTH,    FORBID,    FORBID,    BANNED,    FORBID,    OK,        UNAUTH,    UNAUTH]),
        line(Ban,               [UNAUTH,    FORBID,    FORBID,    BANNED,    FORBID,    OK,        UNAUTH,    UNAUTH]),
        line(Unban,             [UNAUTH,    FORBID,    FORBID,    BANNED,    FORBID,    OK,        UNAUTH,    UNAUTH]),
        line(Queue,             [UNAUTH,    FORBID,    FORBID,    FORBID,    OK,        OK,        UNAUTH,    OK]),
        // The agenda: kept by the organizer and moderators; panelists file questions too.
        line(AgendaAdd,         [UNAUTH,    FORBID,    FORBID,    BANNED,    FORBID,    CREATED,   UNAUTH,    CREATED]),
        line(AgendaEdit,        [UNAUTH,    FORBID,    FORBID,    BANNED,    FORBID,    OK,        UNAUTH,    OK]),
        line(AgendaRemove,      [UNAUTH,    FORBID,    FORBID,    BANNED,    FORBID,    OK,        UNAUTH,    OK]),
        line(AgendaMove,        [UNAUTH,    FORBID,    FORBID,    BANNED,    FORBID,    OK,        UNAUTH,    OK]),
        line(AgendaCurrent,     [UNAUTH,    FORBID,    FORBID,    BANNED,    FORBID,    OK,        UNAUTH,    OK]),
        line(FilePost,          [UNAUTH,    FORBID,    FORBID,    BANNED,    OK,        OK,        UNAUTH,    OK]),
        // Polls: run by the organizer and moderators.
        line(PollCreate,        [UNAUTH,    FORBID,    FORBID,    BANNED,    FORBID,    CREATED,   UNAUTH,    CREATED]),
        line(PollEdit,          [UNAUTH,    FORBID,    FORBID,    BANNED,    FORBID,    OK,        UNAUTH,    OK]),
        line(PollDelete,        [UNAUTH,    FORBID,    FORBID,    BANNED,    FORBID,    OK,        UNAUTH,    OK]),
        line(PollMove,          [UNAUTH,    FORBID,    FORBID,    BANNED,    FORBID,    OK,        UNAUTH,    OK]),
        line(PollLaunch,        [UNAUTH,    FORBID,    FORBID,    BANNED,    FORBID,    OK,        UNAUTH,    OK]),
        line(PollClose,         [UNAUTH,    FORBID,    FORBID,    BANNED,    FORBID,    OK,        UNAUTH,    OK]),
        line(PollPublish,       [UNAUTH,    FORBID,    FORBID,    BANNED,    FORBID,    OK,        UNAUTH,    OK]),
        line(PollOnScreen,      [UNAUTH,    FORBID,    FORBID,    BANNED,    FORBID,    OK,        UNAUTH,    OK]),
        // Answers: citizens only (staff run the poll; the organizer is no participant).
        line(PollAnswer,        [UNAUTH,    OK,        MUTED,     BANNED,    FORBID,    FORBID,    UNAUTH,    UNAUTH]),
        // Open answers are moderated by the organizer and moderators; the list refuses every
        // non-moderator first (the banned citizen too: `forbidden`).
        line(PollAnswers,       [UNAUTH,    FORBID,    FORBID,    FORBID,    FORBID,    OK,        UNAUTH,    OK]),
        line(PollAnswerApprove, [UNAUTH,    FORBID,    FORBID,    FORBID,    FORBID,    NO_CONTENT, UNAUTH,    NO_CONTENT]),
        line(PollAnswerHide,    [UNAUTH,    FORBID,    FORBID,    FORBID,    FORBID,    NO_CONTENT, UNAUTH,    NO_CONTENT]),
        line(PollAnswerRestore, [UNAUTH,    FORBID,    FORBID,    FORBID,    FORBID,    NO_CONTENT, UNAUTH,    NO_CONTENT]),
    ]
}

/// A meeting with one of every kind of caller and something for every command to act on.
struct Fixture {
    meeting: MeetingId,
    citizen: Who,
    banned: Who,
    panelist: Who,
    moderator: Who,
    revoked: Who,
    /// A second panelist, for the revoke route.
    revoke_target: ParticipantId,
    /// A citizen who posts; mute and ban target them.
    author: Who,
    /// A muted citizen, for unmute.
    muted: Who,
    /// Open question (vote, claim, answer, dismiss, merge, on air).
    q_open: u64,
    /// Open question to merge into.
    q_target: u64,
    /// Question claimed by the panelist (release).
    q_claimed: u64,
    /// Visible comment (report, hide).
    comment: u64,
    /// Hidden comment (restore).
    hidden: u64,
    /// Comment held by a keyword (approve, reject).
    pending: u64,
    /// Unpinned notice (pin); another notice is pinned (unpin).
    notice: u64,
    /// Two agenda items (edit, remove, move, set current, file a question under one).
    agenda: [u64; 2],
    /// A draft poll (edit, delete, move, launch).
    poll_draft: u64,
    /// A launched single-choice poll whose results are for staff only (answer, close,
    /// publish, on screen).
    poll_open: u64,
    /// A launched open-answer poll and the answer ids of three of its answers: one held by
    /// a keyword (approve), one visible (hide), one hidden (restore).
    poll_text: u64,
    answer_held: String,
    answer_visible: String,
    answer_hidden: String,
}

async fn expect_status(resp: reqwest::Response, status: u16, what: &str) -> Value {
    let got = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    assert_eq!(got, status, "fixture step {what}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

async fn post_as(app: &TestApp, who: &Who, path: &str, body: Value, what: &str) -> Value {
    let resp = app
        .as_(who, Method::POST, path)
        .json(&body)
        .send()
        .await
        .expect(what);
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    assert!(
        (200..300).contains(&status),
        "fixture step {what}: {status} {text}"
    );
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn post_id(v: &Value) -> u64 {
    v["post_id"].as_u64().expect("post_id in ack")
}

impl Fixture {
    async fn build(app: &TestApp, stage: Stage) -> Fixture {
        let resp = app
            .admin(Method::POST, &routes::meetings())
            .json(&json!({
                "title": "Borgermøde om havnen",
                "settings": {"keywords": ["forbudt"]}
            }))
            .send()
            .await
            .expect("create meeting");
        let ack: CommandAck =
            serde_json::from_value(expect_status(resp, 201, "create meeting").await).expect("ack");
        let meeting = ack.meeting_id.expect("meeting id");
        let m = routes::meeting(&meeting);

        let moderator = app
            .staff(meeting, StaffRole::Moderator, "Mona Moderatorsen")
            .await;
        let panelist = app
            .staff(meeting, StaffRole::Panelist, "Per Politiker")
            .await;
        let revoked = app
            .staff(meeting, StaffRole::Panelist, "Rita Tidligere")
            .await;
        let target = app.staff(meeting, StaffRole::Panelist, "Tove Udvalg").await;
        // The revoked panelist's session worked before the revocation.
        let resp = app
            .as_(&revoked, Method::GET, &format!("{m}/me"))
            .send()
            .await
            .expect("me");
        expect_status(resp, 200, "revoked panelist before revocation").await;
        let resp = app
            .admin(Method::DELETE, &format!("{m}/staff/{}", revoked.id))
            .send()
            .await
            .expect("revoke");
        expect_status(resp, 200, "revoke").await;

        let resp = app
            .admin(Method::POST, &format!("{m}/schedule"))
            .send()
            .await
            .expect("schedule");
        expect_status(resp, 200, "schedule").await;

        let citizen = app.join(meeting, "Anne Borger").await;
        let author = app.join(meeting, "Bo Spørger").await;
        let banned = app.join(meeting, "Carl Bandlyst").await;
        let muted = app.join(meeting, "Dora Dæmpet").await;
        post_as(
            app,
            &moderator,
            &format!("{m}/participants/{}/ban", banned.id),
            json!({}),
            "ban",
        )
        .await;
        post_as(
            app,
            &moderator,
            &format!("{m}/participants/{}/mute", muted.id),
            json!({"minutes": 30}),
            "mute",
        )
        .await;

        let mut fx = Fixture {
            meeting,
            citizen,
            banned,
            panelist,
            moderator,
            revoked,
            revoke_target: target.id,
            author,
            muted,
            q_open: 0,
            q_target: 0,
            q_claimed: 0,
            comment: 0,
            hidden: 0,
            pending: 0,
            notice: 0,
            agenda: [0; 2],
            poll_draft: 0,
            poll_open: 0,
            poll_text: 0,
            answer_held: String::new(),
            answer_visible: String::new(),
            answer_hidden: String::new(),
        };
        if stage == Stage::Scheduled {
            return fx;
        }

        let resp = app
            .admin(Method::POST, &format!("{m}/open"))
            .send()
            .await
            .expect("open");
        expect_status(resp, 200, "open").await;
        let a = fx.author.clone();
        fx.q_open = app
            .post(&a, meeting, "question", "Hvornår åbner havnebadet?")
            .await;
        fx.q_target = app
            .post(&a, meeting, "question", "Hvornår åbner badet ved havnen?")
            .await;
        fx.q_claimed = app.post(&a, meeting, "question", "Hvad koster det?").await;
        fx.comment = app.post(&a, meeting, "comment", "Godt initiativ.").await;
        fx.hidden = app.post(&a, meeting, "comment", "Noget grimt.").await;
        let held = post_as(
            app,
            &a,
            &format!("{m}/posts"),
            json!({"kind": "comment", "body": "Det er forbudt at sige."}),
            "keyword-held post",
        )
        .await;
        assert_eq!(held["status"], "pending", "keyword hold: {held}");
        fx.pending = post_id(&held);
        post_as(
            app,
            &fx.moderator,
            &format!("{m}/posts/{}/hide", fx.hidden),
            json!({"reason": "abusive"}),
            "hide",
        )
        .await;
        post_as(
            app,
            &fx.panelist,
            &format!("{m}/questions/{}/claim", fx.q_claimed),
            json!({}),
            "claim",
        )
        .await;
        post_as(
            app,
            &fx.moderator,
            &format!("{m}/notices"),
            json!({"body": "Velkommen til mødet.", "pin": true}),
            "pinned notice",
        )
        .await;
        let notice = post_as(
            app,
            &fx.moderator,
            &format!("{m}/notices"),
            json!({"body": "Husk at stille spørgsmål."}),
            "notice",
        )
        .await;
        fx.notice = post_id(&notice);
        fx.agenda_and_polls(app).await;
        fx
    }

    /// The agenda items, polls and open answers the agenda and poll rows act on.
    async fn agenda_and_polls(&mut self, app: &TestApp) {
        let moderator = self.moderator.clone();
        let seq = |ack: &Value| ack["seq"].as_u64().expect("seq in ack");
        for (i, title) in ["Velkomst", "Havnebadet"].into_iter().enumerate() {
            let ack = post_as(
                app,
                &moderator,
                &routes::agenda(&self.meeting),
                json!({"title": title}),
                "agenda item",
            )
            .await;
            self.agenda[i] = seq(&ack);
        }
        let poll = |question: &str, kind: Value, results: &str| json!({"question": question, "kind": kind, "results": results});
        let choice = json!({"type": "single_choice", "options": ["Ja", "Nej"]});
        let ack = post_as(
            app,
            &moderator,
            &routes::polls(&self.meeting),
            poll("Skal vi bygge?", choice.clone(), "live"),
            "draft poll",
        )
        .await;
        self.poll_draft = seq(&ack);
        let ack = post_as(
            app,
            &moderator,
            &routes::polls(&self.meeting),
            poll("Hvor skal badet ligge?", choice, "staff_only"),
            "poll",
        )
        .await;
        self.poll_open = seq(&ack);
        let ack = post_as(
            app,
            &moderator,
            &routes::polls(&self.meeting),
            poll(
                "Hvad mangler havnen?",
                json!({"type": "open_answer"}),
                "live",
            ),
            "open-answer poll",
        )
        .await;
        self.poll_text = seq(&ack);
        for p in [self.poll_open, self.poll_text] {
            post_as(
                app,
                &moderator,
                &routes::poll_action(&self.meeting, &p, "launch"),
                json!({}),
                "launch poll",
            )
            .await;
        }
        let answers = [
            ("Det er forbudt at sige.", "Emil Holdt"),
            ("Flere bænke.", "Frida Synlig"),
            ("Noget grimt.", "Gorm Skjult"),
        ];
        for (text, name) in answers {
            let who = app.join(self.meeting, name).await;
            let resp = app
                .as_(
                    &who,
                    Method::PUT,
                    &routes::poll_answer(&self.meeting, &self.poll_text),
                )
                .json(&json!({"kind": "text", "text": text}))
                .send()
                .await
                .expect("answer");
            expect_status(resp, 200, "open answer").await;
        }
        let resp = app
            .as_(
                &moderator,
                Method::GET,
                &routes::poll_answers(&self.meeting, &self.poll_text),
            )
            .send()
            .await
            .expect("answers");
        let list = expect_status(resp, 200, "open answers").await;
        let id_of = |text: &str| {
            list.as_array()
                .expect("answer list")
                .iter()
                .find(|a| a["answer"]["text"] == text)
                .and_then(|a| a["answer_id"].as_str())
                .unwrap_or_else(|| panic!("answer {text:?} in {list}"))
                .to_string()
        };
        self.answer_held = id_of(answers[0].0);
        self.answer_visible = id_of(answers[1].0);
        self.answer_hidden = id_of(answers[2].0);
        let resp = app
            .as_(
                &moderator,
                Method::POST,
                &routes::poll_answer_moderation(
                    &self.meeting,
                    &self.poll_text,
                    &self.answer_hidden,
                    "hide",
                ),
            )
            .send()
            .await
            .expect("hide answer");
        expect_status(resp, 204, "hide answer").await;
    }

    fn token(&self, role: Role) -> Option<String> {
        match role {
            Role::Anonymous => None,
            Role::Citizen => Some(self.citizen.token.clone()),
            Role::MutedCitizen => Some(self.muted.token.clone()),
            Role::BannedCitizen => Some(self.banned.token.clone()),
            Role::Panelist => Some(self.panelist.token.clone()),
            Role::Moderator => Some(self.moderator.token.clone()),
            Role::RevokedPanelist => Some(self.revoked.token.clone()),
            Role::Organizer => Some(ADMIN_TOKEN.to_string()),
        }
    }

    /// Method, path and JSON body of a route's request against this fixture.
    fn request(&self, route: Route) -> (Method, String, Option<Value>) {
        let m = routes::meeting(&self.meeting);
        let q = |post: u64, action: &str| format!("{m}/questions/{post}/{action}");
        let p = |post: u64, action: &str| format!("{m}/posts/{post}/{action}");
        let who = |id: ParticipantId, action: &str| format!("{m}/participants/{id}/{action}");
        match route {
            Route::CreateMeeting => (
                Method::POST,
                routes::meetings(),
                Some(json!({"title": "Nyt møde"})),
            ),
            Route::EditMeeting => (Method::PATCH, m.clone(), Some(json!({"title": "Nyt navn"}))),
            Route::Schedule => (Method::POST, format!("{m}/schedule"), None),
            Route::Open => (Method::POST, format!("{m}/open"), None),
            Route::Close => (Method::POST, format!("{m}/close"), None),
            Route::Settings => (
                Method::PATCH,
                format!("{m}/settings"),
                Some(json!({"slow_mode_secs": 30})),
            ),
            Route::StaffLinkCreate => (
                Method::POST,
                format!("{m}/staff"),
                Some(json!({"role": "panelist", "name": "Ny Politiker", "role_line": "Byrådet"})),
            ),
            Route::StaffLinkRevoke => (
                Method::DELETE,
                format!("{m}/staff/{}", self.revoke_target),
                None,
            ),
            Route::Join => (
                Method::POST,
                format!("{m}/join"),
                Some(json!({"display_name": "Ny Borger"})),
            ),
            Route::Post => (
                Method::POST,
                format!("{m}/posts"),
                Some(json!({"kind": "comment", "body": "Hej fra mig."})),
            ),
            Route::Vote => (
                Method::PUT,
                p(self.q_open, "vote"),
                Some(json!({"up": true})),
            ),
            Route::Report => (
                Method::POST,
                p(self.comment, "report"),
                Some(json!({"reason": "spam"})),
            ),
            Route::Notice => (
                Method::POST,
                format!("{m}/notices"),
                Some(json!({"body": "Officiel oplysning."})),
            ),
            Route::Pin => (
                Method::POST,
                format!("{m}/notices/{}/pin", self.notice),
                None,
            ),
            Route::Unpin => (Method::DELETE, format!("{m}/notices/pin"), None),
            Route::RoomQuestion => (
                Method::POST,
                format!("{m}/room-questions"),
                Some(json!({"body": "Spørgsmål fra salen.", "name": "Jens i salen"})),
            ),
            Route::Claim => (Method::POST, q(self.q_open, "claim"), None),
            Route::Release => (Method::POST, q(self.q_claimed, "release"), None),
            Route::Answer => (
                Method::POST,
                q(self.q_open, "answer"),
                Some(json!({"body": "Til sommer."})),
            ),
            Route::AnswerLive => (
                Method::POST,
                q(self.q_open, "answer-live"),
                Some(json!({"note": "Besvaret fra scenen."})),
            ),
            Route::Dismiss => (
                Method::POST,
                q(self.q_open, "dismiss"),
                Some(json!({"reason": "Uden for mødets emne."})),
            ),
            Route::Merge => (
                Method::POST,
                q(self.q_open, "merge"),
                Some(json!({"into": self.q_target})),
            ),
            Route::OnAir => (
                Method::PUT,
                format!("{m}/on-air"),
                Some(json!({"post": self.q_open})),
            ),
            Route::Hide => (
                Method::POST,
                p(self.comment, "hide"),
                Some(json!({"reason": "spam", "note": "reklame"})),
            ),
            Route::Restore => (Method::POST, p(self.hidden, "restore"), None),
            Route::Approve => (Method::POST, p(self.pending, "approve"), None),
            Route::Reject => (
                Method::POST,
                p(self.pending, "reject"),
                Some(json!({"reason": "nej"})),
            ),
            Route::Mute => (
                Method::POST,
                who(self.author.id, "mute"),
                Some(json!({"minutes": 10})),
            ),
            Route::Unmute => (Method::POST, who(self.muted.id, "unmute"), None),
            Route::Ban => (Method::POST, who(self.author.id, "ban"), None),
            Route::Unban => (Method::POST, who(self.banned.id, "unban"), None),
            Route::Queue => (Method::GET, format!("{m}/queue"), None),
            Route::AgendaAdd => (
                Method::POST,
                routes::agenda(&self.meeting),
                Some(json!({"title": "Eventuelt"})),
            ),
            Route::AgendaEdit => (
                Method::PUT,
                routes::agenda_item(&self.meeting, &self.agenda[0]),
                Some(json!({"title": "Velkomst og præsentation"})),
            ),
            Route::AgendaRemove => (
                Method::DELETE,
                routes::agenda_item(&self.meeting, &self.agenda[0]),
                None,
            ),
            Route::AgendaMove => (
                Method::POST,
                routes::agenda_move(&self.meeting, &self.agenda[0]),
                Some(json!({"position": 1})),
            ),
            Route::AgendaCurrent => (
                Method::PUT,
                routes::agenda_current(&self.meeting),
                Some(json!({"item": self.agenda[1]})),
            ),
            Route::FilePost => (
                Method::PUT,
                routes::file_post(&self.meeting, &self.q_open),
                Some(json!({"item": self.agenda[1]})),
            ),
            Route::PollCreate => (
                Method::POST,
                routes::polls(&self.meeting),
                Some(json!({
                    "question": "Hvor ofte bader du?",
                    "kind": {"type": "scale", "max": 5},
                    "results": "after_close"
                })),
            ),
            Route::PollEdit => (
                Method::PUT,
                routes::poll(&self.meeting, &self.poll_draft),
                Some(json!({
                    "question": "Skal vi bygge badet?",
                    "kind": {"type": "single_choice", "options": ["Ja", "Nej"]},
                    "results": "live"
                })),
            ),
            Route::PollDelete => (
                Method::DELETE,
                routes::poll(&self.meeting, &self.poll_draft),
                None,
            ),
            Route::PollMove => (
                Method::POST,
                routes::poll_action(&self.meeting, &self.poll_draft, "move"),
                Some(json!({"position": 2})),
            ),
            Route::PollLaunch => (
                Method::POST,
                routes::poll_action(&self.meeting, &self.poll_draft, "launch"),
                None,
            ),
            Route::PollClose => (
                Method::POST,
                routes::poll_action(&self.meeting, &self.poll_open, "close"),
                None,
            ),
            Route::PollPublish => (
                Method::POST,
                routes::poll_action(&self.meeting, &self.poll_open, "publish"),
                None,
            ),
            Route::PollOnScreen => (
                Method::PUT,
                routes::poll_on_screen(&self.meeting),
                Some(json!({"poll": self.poll_open})),
            ),
            Route::PollAnswer => (
                Method::PUT,
                routes::poll_answer(&self.meeting, &self.poll_open),
                Some(json!({"kind": "choice", "picks": [0]})),
            ),
            Route::PollAnswers => (
                Method::GET,
                routes::poll_answers(&self.meeting, &self.poll_text),
                None,
            ),
            Route::PollAnswerApprove => (
                Method::POST,
                routes::poll_answer_moderation(
                    &self.meeting,
                    &self.poll_text,
                    &self.answer_held,
                    "approve",
                ),
                None,
            ),
            Route::PollAnswerHide => (
                Method::POST,
                routes::poll_answer_moderation(
                    &self.meeting,
                    &self.poll_text,
                    &self.answer_visible,
                    "hide",
                ),
                None,
            ),
            Route::PollAnswerRestore => (
                Method::POST,
                routes::poll_answer_moderation(
                    &self.meeting,
                    &self.poll_text,
                    &self.answer_hidden,
                    "restore",
                ),
                None,
            ),
        }
    }
}

/// What actually came back.
#[derive(Debug)]
struct Outcome {
    status: u16,
    code: Option<String>,
    content_type: String,
    body: String,
}

async fn run_row(app: &TestApp, route: Route, stage: Stage, role: Role) -> Outcome {
    let fx = Fixture::build(app, stage).await;
    let (method, path, body) = fx.request(route);
    let mut req = app.http.request(method, app.url(&path));
    if let Some(t) = fx.token(role) {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = resp.text().await.unwrap_or_default();
    let code = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|v| v["code"].as_str().map(str::to_string));
    Outcome {
        status,
        code,
        content_type,
        body,
    }
}

fn check(expect: Expect, got: &Outcome) -> Result<(), String> {
    match expect {
        Expect::Ok(status) => {
            if got.status != status {
                return Err(format!(
                    "got {} {}",
                    got.status,
                    got.code.as_deref().unwrap_or(&got.body)
                ));
            }
        }
        Expect::No(status, code) => {
            if got.status != status || got.code.as_deref() != Some(code) {
                return Err(format!(
                    "got {} {}",
                    got.status,
                    got.code.as_deref().unwrap_or(&got.body)
                ));
            }
            if got.content_type != "application/problem+json" {
                return Err(format!(
                    "refusal has Content-Type {:?}, want application/problem+json",
                    got.content_type
                ));
            }
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_against_every_command_route() {
    // The table sends well over 60 requests with credentials that no longer identify anyone
    // (the revoked panelist's session, the organizer on participant routes): the per-address
    // limit on failed authentications has its own tests (bad_input.rs).
    let app = spawn_app_with(|s| s.auth_failures_per_minute = 100_000).await;
    let mut rows = Vec::new();
    for l in matrix() {
        for (role, expect) in ROLES.iter().zip(l.expect) {
            rows.push((l.route, l.stage, *role, expect));
        }
    }
    assert_eq!(rows.len(), 51 * 8);
    let app_ref = &app;
    let results: Vec<_> = futures_util::stream::iter(rows)
        .map(|(route, stage, role, expect)| async move {
            let got = tokio::time::timeout(
                Duration::from_secs(120),
                run_row(app_ref, route, stage, role),
            )
            .await
            .unwrap_or_else(|_| panic!("{route:?} as {role:?}: timed out"));
            (route, role, expect, got)
        })
        .buffer_unordered(6)
        .collect()
        .await;
    let mut failures: Vec<String> = results
        .iter()
        .filter_map(|(route, role, expect, got)| {
            check(*expect, got)
                .err()
                .map(|why| format!("{route:?} as {role:?}: want {expect}, {why}"))
        })
        .collect();
    failures.sort();
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n  {}",
        failures.len(),
        results.len(),
        failures.join("\n  ")
    );
    app.shutdown().await;
}

/// The session cookie from `join` and the page's staff session work like the bearer token, and
/// another meeting's session gives no rights here.
#[tokio::test]
async fn cookies_and_foreign_sessions() {
    let app = spawn_app().await;
    let here = app.open_meeting("Her").await;
    let there = app.open_meeting("Der").await;
    let anne_there = app.join(there, "Anne").await;
    let mod_there = app.staff(there, StaffRole::Moderator, "Mette").await;

    // A cookie jar client joins and posts without any Authorization header.
    let jar = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let resp = jar
        .post(app.url(&routes::join(&here)))
        .json(&json!({"display_name": "Kiki Cookie"}))
        .send()
        .await
        .expect("join");
    assert_eq!(resp.status(), 201);
    let resp = jar
        .post(app.url(&routes::posts(&here)))
        .json(&json!({"kind": "question", "body": "Virker cookies?"}))
        .send()
        .await
        .expect("post");
    assert_eq!(
        resp.status(),
        201,
        "{}",
        resp.text().await.unwrap_or_default()
    );
    let post: CommandAck = resp.json().await.expect("ack");
    let post = post.post_id.expect("post id");

    // Sessions of another meeting are nobody here.
    let resp = app
        .as_(&anne_there, Method::POST, &routes::posts(&here))
        .json(&json!({"kind": "comment", "body": "Forkert møde"}))
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), 401);
    let resp = app
        .as_(&mod_there, Method::POST, &routes::post_hide(&here, &post))
        .json(&json!({"reason": "spam"}))
        .send()
        .await
        .expect("hide");
    assert_eq!(resp.status(), 401);

    // A staff link of this meeting, exchanged by a cookie client, hides with the cookie alone.
    let resp = app
        .admin(Method::POST, &routes::staff_links(&here))
        .json(&json!({"role": "moderator", "name": "Morten"}))
        .send()
        .await
        .expect("staff link");
    assert_eq!(resp.status(), 201);
    let link: StaffLinkResponse = resp.json().await.expect("link");
    let key = link.link.split("#key=").nth(1).expect("key").to_string();
    let staff_jar = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let resp = staff_jar
        .post(app.url(&routes::staff_session()))
        .json(&json!({"key": key}))
        .send()
        .await
        .expect("exchange");
    assert_eq!(resp.status(), 200);
    let resp = staff_jar
        .post(app.url(&routes::post_hide(&here, &post)))
        .json(&json!({"reason": "spam"}))
        .send()
        .await
        .expect("hide");
    assert_eq!(
        resp.status(),
        200,
        "{}",
        resp.text().await.unwrap_or_default()
    );
    // The citizen's cookie cannot.
    let resp = jar
        .post(app.url(&routes::post_restore(&here, &post)))
        .send()
        .await
        .expect("restore");
    assert_eq!(resp.status(), 403);
    app.shutdown().await;
}
