//! The typed test client: a caller (organizer, participant, an organizer's cookie jar, or
//! nobody) against one `TestApp`, with a method per command that sends the protocol crate's
//! request body and reads its response body or the `Problem`. Paths come from `routes.rs`.
//!
//! Typed methods check the success status the API documents (201 for what creates, 200 for
//! the rest) so a test that uses them keeps asserting it. For the tests that deliberately send
//! what no typed method can (malformed JSON, wrong content types, odd headers), `raw` hands out
//! the authenticated `reqwest::RequestBuilder` and `request` any body with the whole answer. `Outcome` reads a typed result: `.accepted()` or `.refused(status, code)`.

use borgermode_protocol::http::{
    AnnouncementsResponse, AnswerSnippetRequest, AnswerSnippetView, ArchiveResponse, AssignRequest,
    BanRequest, CommandAck, CreateMeetingRequest, CreatePostRequest, CreateStaffLinkRequest,
    DismissRequest, EditMeetingRequest, FollowUpResponse, HideRequest, JoinRequest,
    LiveAnswerRequest, MeetingStateResponse, MeetingSummary, MergeRequest, MuteRequest,
    MyQuestionsResponse, NoticeRequest, NotifyRequest, OnAirRequest, PrivacyNoticeRequest,
    PrivacyNoticeView, Problem, QueueResponse, ReasonRequest, ReportOptions, RoomQuestionRequest,
    SessionResponse, SettingsPatch, SimilarResponse, StaffLinkResponse, VoteRequest, VoteResponse,
    WrittenAnswerRequest,
};
use borgermode_protocol::views::{MeetingView, YouView};
use borgermode_protocol::{Language, PostKind};
use reqwest::{Method, RequestBuilder};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::fmt::Display;

use super::app::{content_type, TestApp, Who, ADMIN_TOKEN};
use super::routes;

/// Who sends the requests.
#[derive(Clone)]
pub enum Caller {
    /// The installation's admin token (organizer of everything).
    Admin,
    /// A participant's or staff member's session token.
    Token(String),
    /// A client with its own cookie store (an organizer account signed in with a password).
    Jar(reqwest::Client),
    /// No credentials (a visitor).
    Anonymous,
}

/// A caller as the older helpers named it: a participant, or (`None`) the organizer.
impl From<Option<&Who>> for Caller {
    fn from(who: Option<&Who>) -> Caller {
        match who {
            Some(w) => Caller::Token(w.token.clone()),
            None => Caller::Admin,
        }
    }
}

/// A whole answer, for tests that look at more than status and JSON body.
pub struct Reply {
    pub status: u16,
    /// The body as JSON, `Value::Null` when it is not JSON.
    pub body: Value,
    pub text: String,
    pub content_type: String,
}

/// A request body: JSON, raw bytes (uploads), or none.
pub enum Body {
    None,
    Json(Value),
    Bytes(Vec<u8>),
}

/// A meeting request with only a title (and, when given, the organization).
pub fn meeting_request(title: &str, organization_id: Option<uuid::Uuid>) -> CreateMeetingRequest {
    CreateMeetingRequest {
        title: title.into(),
        description: String::new(),
        starts_at: None,
        ends_at: None,
        language: Language::Da,
        video_url: None,
        settings: Default::default(),
        organization_id,
    }
}

/// A post request: a kind and a body, top level, on no agenda item.
pub fn post_request(kind: PostKind, body: &str) -> CreatePostRequest {
    CreatePostRequest {
        kind,
        body: body.into(),
        parent: None,
        agenda_item: None,
    }
}

/// A join request with only a name.
pub fn join_request(name: &str) -> JoinRequest {
    JoinRequest {
        display_name: name.into(),
        age_band: None,
        gender: None,
    }
}

pub struct Client<'a> {
    app: &'a TestApp,
    caller: Caller,
}

impl TestApp {
    pub fn client(&self, caller: impl Into<Caller>) -> Client<'_> {
        Client {
            app: self,
            caller: caller.into(),
        }
    }

    pub fn as_admin(&self) -> Client<'_> {
        self.client(Caller::Admin)
    }

    pub fn as_who(&self, who: &Who) -> Client<'_> {
        self.client(Caller::Token(who.token.clone()))
    }

    pub fn anonymous(&self) -> Client<'_> {
        self.client(Caller::Anonymous)
    }

    pub fn with_jar(&self, jar: &reqwest::Client) -> Client<'_> {
        self.client(Caller::Jar(jar.clone()))
    }
}

/// What a test does with the outcome of a typed call.
pub trait Outcome<T> {
    /// The response body; the test fails with the problem when the call was refused.
    fn accepted(self) -> T;
    /// The problem, after checking its status and code; the test fails when the call succeeded.
    fn refused(self, status: u16, code: &str) -> Problem;
    /// The problem, after checking only its status (where the test never named the code).
    fn refused_status(self, status: u16) -> Problem;
}

impl<T> Outcome<T> for Result<T, Problem> {
    #[track_caller]
    fn accepted(self) -> T {
        self.unwrap_or_else(|p| panic!("refused: {p:?}"))
    }

    #[track_caller]
    fn refused(self, status: u16, code: &str) -> Problem {
        let p = self.refused_status(status);
        assert_eq!(p.code, code, "{p:?}");
        p
    }

    #[track_caller]
    fn refused_status(self, status: u16) -> Problem {
        match self {
            Ok(_) => panic!("accepted, expected a {status}"),
            Err(p) => {
                assert_eq!(p.status, status, "{p:?}");
                p
            }
        }
    }
}

impl Client<'_> {
    /// The escape hatch: a request to `path` with this caller's credentials and nothing else.
    pub fn raw(&self, method: Method, path: &str) -> RequestBuilder {
        let url = self.app.url(path);
        match &self.caller {
            Caller::Admin => self.app.http.request(method, url).bearer_auth(ADMIN_TOKEN),
            Caller::Token(t) => self.app.http.request(method, url).bearer_auth(t),
            Caller::Jar(jar) => jar.request(method, url),
            Caller::Anonymous => self.app.http.request(method, url),
        }
    }

    /// Any request; the whole answer.
    pub async fn request(&self, method: Method, path: &str, body: Body) -> Reply {
        let rb = self.raw(method, path);
        let rb = match body {
            Body::None => rb,
            Body::Json(v) => rb.json(&v),
            Body::Bytes(b) => rb.body(b),
        };
        let resp = rb.send().await.expect("request");
        let status = resp.status().as_u16();
        let content_type = content_type(&resp);
        let text = resp.text().await.unwrap_or_default();
        Reply {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
            content_type,
        }
    }

    /// A typed call: `Ok` with the response body at the documented `success` status, `Err`
    /// with the problem+json otherwise. Another success status fails the test.
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
        success: u16,
    ) -> Result<T, Problem> {
        let body = body.map_or(Body::None, |b| {
            Body::Json(serde_json::to_value(b).expect("request body"))
        });
        self.call_body(method, path, body, success).await
    }

    /// `call` with any body (an upload's bytes).
    pub async fn call_body<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Body,
        success: u16,
    ) -> Result<T, Problem> {
        let reply = self.request(method.clone(), path, body).await;
        if (200..300).contains(&reply.status) {
            assert_eq!(
                reply.status, success,
                "{method} {path}: documented status: {}",
                reply.text
            );
            // `204 No Content` reads as `()` (JSON `null`).
            let text = if reply.status == 204 {
                "null"
            } else {
                &reply.text
            };
            return Ok(serde_json::from_str(text).unwrap_or_else(|e| {
                panic!("{method} {path}: response body: {e}: {}", reply.text)
            }));
        }
        Err(serde_json::from_str(&reply.text).unwrap_or_else(|e| {
            panic!(
                "{method} {path}: {} without a problem body ({e}): {}",
                reply.status, reply.text
            )
        }))
    }

    async fn command(
        &self,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> Result<CommandAck, Problem> {
        self.call(Method::POST, path, body, 200).await
    }

    pub async fn create_meeting(&self, body: &CreateMeetingRequest) -> Result<CommandAck, Problem> {
        self.call(Method::POST, &routes::meetings(), Some(body), 201)
            .await
    }

    /// The organizer's meeting list.
    pub async fn meetings(&self) -> Result<Vec<MeetingSummary>, Problem> {
        self.call(Method::GET, &routes::meetings(), None::<&Value>, 200)
            .await
    }

    pub async fn meeting(&self, meeting: impl Display) -> Result<MeetingView, Problem> {
        self.call(Method::GET, &routes::meeting(&meeting), None::<&Value>, 200)
            .await
    }

    /// Join a meeting (on a jar, the session cookie stays in it).
    pub async fn join(
        &self,
        meeting: impl Display,
        body: &JoinRequest,
    ) -> Result<SessionResponse, Problem> {
        self.call(Method::POST, &routes::join(&meeting), Some(body), 201)
            .await
    }

    /// The caller as the meeting knows it (its votes, mutes, role).
    pub async fn me(&self, meeting: impl Display) -> Result<YouView, Problem> {
        self.call(Method::GET, &routes::me(&meeting), None::<&Value>, 200)
            .await
    }

    /// A meeting with its posts, as the caller may see them.
    pub async fn posts(&self, meeting: impl Display) -> Result<MeetingStateResponse, Problem> {
        self.call(Method::GET, &routes::posts(&meeting), None::<&Value>, 200)
            .await
    }

    pub async fn edit_meeting(
        &self,
        meeting: impl Display,
        body: &EditMeetingRequest,
    ) -> Result<CommandAck, Problem> {
        let path = routes::meeting(&meeting);
        self.call(Method::PATCH, &path, Some(body), 200).await
    }

    /// The announcement kit's texts and links (organizer).
    pub async fn announcements(
        &self,
        meeting: impl Display,
    ) -> Result<AnnouncementsResponse, Problem> {
        let path = routes::announcements(&meeting);
        self.call(Method::GET, &path, None::<&Value>, 200).await
    }

    pub async fn schedule(&self, meeting: impl Display) -> Result<CommandAck, Problem> {
        self.command(&routes::schedule(&meeting), None::<&Value>)
            .await
    }

    pub async fn open(&self, meeting: impl Display) -> Result<CommandAck, Problem> {
        self.command(&routes::open(&meeting), None::<&Value>).await
    }

    pub async fn close(&self, meeting: impl Display) -> Result<CommandAck, Problem> {
        self.command(&routes::close(&meeting), None::<&Value>).await
    }

    pub async fn settings(
        &self,
        meeting: impl Display,
        body: &SettingsPatch,
    ) -> Result<CommandAck, Problem> {
        let path = routes::settings(&meeting);
        self.call(Method::PATCH, &path, Some(body), 200).await
    }

    pub async fn staff_link(
        &self,
        meeting: impl Display,
        body: &CreateStaffLinkRequest,
    ) -> Result<StaffLinkResponse, Problem> {
        let path = routes::staff_links(&meeting);
        self.call(Method::POST, &path, Some(body), 201).await
    }

    pub async fn create_post(
        &self,
        meeting: impl Display,
        body: &CreatePostRequest,
    ) -> Result<CommandAck, Problem> {
        self.call(Method::POST, &routes::posts(&meeting), Some(body), 201)
            .await
    }

    pub async fn vote(
        &self,
        meeting: impl Display,
        post: u64,
        body: &VoteRequest,
    ) -> Result<VoteResponse, Problem> {
        let path = routes::post_vote(&meeting, &post);
        self.call(Method::PUT, &path, Some(body), 200).await
    }

    pub async fn hide(
        &self,
        meeting: impl Display,
        post: u64,
        body: &HideRequest,
    ) -> Result<CommandAck, Problem> {
        self.command(&routes::post_hide(&meeting, &post), Some(body))
            .await
    }

    /// Report a post to the moderators.
    pub async fn report_post(
        &self,
        meeting: impl Display,
        post: u64,
        body: &ReasonRequest,
    ) -> Result<CommandAck, Problem> {
        self.command(&routes::post_report(&meeting, &post), Some(body))
            .await
    }

    pub async fn approve(&self, meeting: impl Display, post: u64) -> Result<CommandAck, Problem> {
        self.command(&routes::post_approve(&meeting, &post), None::<&Value>)
            .await
    }

    /// A staff notice (201, it is a post).
    pub async fn notice(
        &self,
        meeting: impl Display,
        body: &NoticeRequest,
    ) -> Result<CommandAck, Problem> {
        self.call(Method::POST, &routes::notices(&meeting), Some(body), 201)
            .await
    }

    /// A question from the hall, typed in by a moderator (201, it is a post).
    pub async fn room_question(
        &self,
        meeting: impl Display,
        body: &RoomQuestionRequest,
    ) -> Result<CommandAck, Problem> {
        let path = routes::room_questions(&meeting);
        self.call(Method::POST, &path, Some(body), 201).await
    }

    pub async fn on_air(
        &self,
        meeting: impl Display,
        body: &OnAirRequest,
    ) -> Result<CommandAck, Problem> {
        self.call(Method::PUT, &routes::on_air(&meeting), Some(body), 200)
            .await
    }

    pub async fn mute(
        &self,
        meeting: impl Display,
        participant: impl Display,
        body: &MuteRequest,
    ) -> Result<CommandAck, Problem> {
        self.command(&routes::mute(&meeting, &participant), Some(body))
            .await
    }

    pub async fn ban(
        &self,
        meeting: impl Display,
        participant: impl Display,
        body: &BanRequest,
    ) -> Result<CommandAck, Problem> {
        self.command(&routes::ban(&meeting, &participant), Some(body))
            .await
    }

    /// Revoke a staff member's link and sessions.
    pub async fn revoke_staff(
        &self,
        meeting: impl Display,
        participant: impl Display,
    ) -> Result<CommandAck, Problem> {
        let path = routes::staff_member(&meeting, &participant);
        self.call(Method::DELETE, &path, None::<&Value>, 200).await
    }

    /// What the report shows (organizer); the answer is the options as stored.
    pub async fn set_report_options(
        &self,
        meeting: impl Display,
        body: &ReportOptions,
    ) -> Result<ReportOptions, Problem> {
        let path = routes::report_options(&meeting);
        self.call(Method::PUT, &path, Some(body), 200).await
    }

    /// A closed meeting's public archive.
    pub async fn archive(&self, meeting: impl Display) -> Result<ArchiveResponse, Problem> {
        let path = routes::archive(&meeting);
        self.call(Method::GET, &path, None::<&Value>, 200).await
    }

    /// The meeting's privacy notice (public).
    pub async fn privacy(&self, meeting: impl Display) -> Result<PrivacyNoticeView, Problem> {
        let path = routes::privacy(&meeting);
        self.call(Method::GET, &path, None::<&Value>, 200).await
    }

    /// Set (or, with `None`, clear) the organizer's own notice text (204).
    pub async fn set_privacy(
        &self,
        meeting: impl Display,
        body: &PrivacyNoticeRequest,
    ) -> Result<(), Problem> {
        let path = routes::privacy(&meeting);
        self.call(Method::PUT, &path, Some(body), 204).await
    }

    pub async fn erase(
        &self,
        meeting: impl Display,
        participant: impl Display,
    ) -> Result<CommandAck, Problem> {
        self.command(&routes::erase(&meeting, &participant), None::<&Value>)
            .await
    }

    pub async fn merge(
        &self,
        meeting: impl Display,
        question: u64,
        body: &MergeRequest,
    ) -> Result<CommandAck, Problem> {
        self.command(&routes::merge(&meeting, &question), Some(body))
            .await
    }

    pub async fn dismiss(
        &self,
        meeting: impl Display,
        question: u64,
        body: &DismissRequest,
    ) -> Result<CommandAck, Problem> {
        self.command(&routes::dismiss(&meeting, &question), Some(body))
            .await
    }

    pub async fn claim(&self, meeting: impl Display, question: u64) -> Result<CommandAck, Problem> {
        self.command(&routes::claim(&meeting, &question), None::<&Value>)
            .await
    }

    pub async fn answer(
        &self,
        meeting: impl Display,
        question: u64,
        body: &WrittenAnswerRequest,
    ) -> Result<CommandAck, Problem> {
        self.command(&routes::answer(&meeting, &question), Some(body))
            .await
    }

    pub async fn answer_live(
        &self,
        meeting: impl Display,
        question: u64,
        body: &LiveAnswerRequest,
    ) -> Result<CommandAck, Problem> {
        self.command(&routes::answer_live(&meeting, &question), Some(body))
            .await
    }

    pub async fn assign(
        &self,
        meeting: impl Display,
        question: u64,
        body: &AssignRequest,
    ) -> Result<CommandAck, Problem> {
        self.command(&routes::assign(&meeting, &question), Some(body))
            .await
    }

    /// "Has someone asked this already?" for `text` (URL-encoded here), leaving out `exclude`.
    pub async fn similar(
        &self,
        meeting: impl Display,
        text: &str,
        exclude: Option<u64>,
    ) -> Result<SimilarResponse, Problem> {
        let mut url = reqwest::Url::parse("http://x/").expect("url");
        url.query_pairs_mut().append_pair("text", text);
        if let Some(e) = exclude {
            url.query_pairs_mut().append_pair("exclude", &e.to_string());
        }
        let path = format!(
            "{}?{}",
            routes::similar(&meeting),
            url.query().unwrap_or("")
        );
        self.call(Method::GET, &path, None::<&Value>, 200).await
    }

    /// `query` without the `?`, e.g. `sort=age&mine=true`; empty for none.
    pub async fn queue(
        &self,
        meeting: impl Display,
        query: &str,
    ) -> Result<QueueResponse, Problem> {
        let mut path = routes::queue(&meeting);
        if !query.is_empty() {
            path = format!("{path}?{query}");
        }
        self.call(Method::GET, &path, None::<&Value>, 200).await
    }

    pub async fn follow_up(&self, meeting: impl Display) -> Result<FollowUpResponse, Problem> {
        let path = routes::follow_up(&meeting);
        self.call(Method::GET, &path, None::<&Value>, 200).await
    }

    pub async fn follow_up_close(&self, meeting: impl Display) -> Result<CommandAck, Problem> {
        self.command(&routes::follow_up_close(&meeting), None::<&Value>)
            .await
    }

    /// A participant's own questions and their answers.
    pub async fn mine(&self, meeting: impl Display) -> Result<MyQuestionsResponse, Problem> {
        self.call(Method::GET, &routes::mine(&meeting), None::<&Value>, 200)
            .await
    }

    /// Leave an e-mail address for answer mail (204).
    pub async fn notify(&self, meeting: impl Display, email: &str) -> Result<(), Problem> {
        let body = NotifyRequest {
            email: email.into(),
        };
        let path = routes::mine_notify(&meeting);
        self.call(Method::PUT, &path, Some(&body), 204).await
    }

    /// The prepared answers a meeting's staff may use.
    pub async fn meeting_answers(
        &self,
        meeting: impl Display,
    ) -> Result<Vec<AnswerSnippetView>, Problem> {
        let path = routes::meeting_answers(&meeting);
        self.call(Method::GET, &path, None::<&Value>, 200).await
    }

    /// An organization's prepared answers (the library).
    pub async fn answers(&self, org: impl Display) -> Result<Vec<AnswerSnippetView>, Problem> {
        let path = routes::organization_answers(&org);
        self.call(Method::GET, &path, None::<&Value>, 200).await
    }

    pub async fn create_answer(
        &self,
        org: impl Display,
        body: &AnswerSnippetRequest,
    ) -> Result<AnswerSnippetView, Problem> {
        let path = routes::organization_answers(&org);
        self.call(Method::POST, &path, Some(body), 201).await
    }

    pub async fn replace_answer(
        &self,
        org: impl Display,
        answer: impl Display,
        body: &AnswerSnippetRequest,
    ) -> Result<AnswerSnippetView, Problem> {
        let path = routes::organization_answer(&org, &answer);
        self.call(Method::PUT, &path, Some(body), 200).await
    }

    pub async fn delete_answer(
        &self,
        org: impl Display,
        answer: impl Display,
    ) -> Result<(), Problem> {
        let path = routes::organization_answer(&org, &answer);
        self.call(Method::DELETE, &path, None::<&Value>, 204).await
    }
}
