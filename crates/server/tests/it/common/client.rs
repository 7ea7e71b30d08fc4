//! The typed test client: a caller (organizer, participant, an organizer's cookie jar, or
//! nobody) against one `TestApp`, with a method per command that sends the protocol crate's
//! request body and reads its response body or the `Problem`. Paths come from `routes.rs`.
//!
//! Typed methods check the success status the API documents (201 for what creates, 200 for
//! the rest) so a test that uses them keeps asserting it. For the tests that deliberately send
//! what no typed method can (malformed JSON, wrong content types, odd headers), `raw` hands out
//! the authenticated `reqwest::RequestBuilder` and `send` any JSON body with the answer as
//! `(status, body)`.

use borgermode_protocol::http::{
    AssignRequest, CommandAck, CreateMeetingRequest, CreatePostRequest, FollowUpResponse,
    HideRequest, JoinRequest, Problem, QueueResponse, SessionResponse, VoteRequest, VoteResponse,
    WrittenAnswerRequest,
};
use reqwest::{Method, RequestBuilder};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::app::{TestApp, Who, ADMIN_TOKEN};
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

// The typed calls (`vote`, `hide`, `claim`, `answer`, ...) are what the tests move to from
// `send` with a `json!` body; until every file has moved, some have no caller yet.
#[allow(dead_code)]
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
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let text = resp.text().await.unwrap_or_default();
        Reply {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
            content_type,
        }
    }

    /// Any request with an optional JSON body; the status and the body as JSON.
    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let body = body.map_or(Body::None, Body::Json);
        let reply = self.request(method, path, body).await;
        (reply.status, reply.body)
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.send(Method::GET, path, None).await
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
        let reply = self.request(method.clone(), path, body).await;
        if (200..300).contains(&reply.status) {
            assert_eq!(
                reply.status, success,
                "{method} {path}: documented status: {}",
                reply.text
            );
            return Ok(serde_json::from_str(&reply.text).unwrap_or_else(|e| {
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

    pub async fn join(
        &self,
        meeting: impl std::fmt::Display,
        body: &JoinRequest,
    ) -> Result<SessionResponse, Problem> {
        self.call(Method::POST, &routes::join(&meeting), Some(body), 201)
            .await
    }

    pub async fn create_post(
        &self,
        meeting: impl std::fmt::Display,
        body: &CreatePostRequest,
    ) -> Result<CommandAck, Problem> {
        self.call(Method::POST, &routes::posts(&meeting), Some(body), 201)
            .await
    }

    pub async fn vote(
        &self,
        meeting: impl std::fmt::Display,
        post: u64,
        body: &VoteRequest,
    ) -> Result<VoteResponse, Problem> {
        let path = routes::post_vote(&meeting, &post);
        self.call(Method::PUT, &path, Some(body), 200).await
    }

    pub async fn hide(
        &self,
        meeting: impl std::fmt::Display,
        post: u64,
        body: &HideRequest,
    ) -> Result<CommandAck, Problem> {
        self.command(&routes::post_hide(&meeting, &post), Some(body))
            .await
    }

    pub async fn claim(
        &self,
        meeting: impl std::fmt::Display,
        question: u64,
    ) -> Result<CommandAck, Problem> {
        self.command(&routes::claim(&meeting, &question), None::<&Value>)
            .await
    }

    pub async fn answer(
        &self,
        meeting: impl std::fmt::Display,
        question: u64,
        body: &WrittenAnswerRequest,
    ) -> Result<CommandAck, Problem> {
        self.command(&routes::answer(&meeting, &question), Some(body))
            .await
    }

    pub async fn assign(
        &self,
        meeting: impl std::fmt::Display,
        question: u64,
        body: &AssignRequest,
    ) -> Result<CommandAck, Problem> {
        self.command(&routes::assign(&meeting, &question), Some(body))
            .await
    }

    /// `query` without the `?`, e.g. `sort=age&mine=true`; empty for none.
    pub async fn queue(
        &self,
        meeting: impl std::fmt::Display,
        query: &str,
    ) -> Result<QueueResponse, Problem> {
        let mut path = routes::queue(&meeting);
        if !query.is_empty() {
            path = format!("{path}?{query}");
        }
        self.call(Method::GET, &path, None::<&Value>, 200).await
    }

    pub async fn follow_up(
        &self,
        meeting: impl std::fmt::Display,
    ) -> Result<FollowUpResponse, Problem> {
        let path = routes::follow_up(&meeting);
        self.call(Method::GET, &path, None::<&Value>, 200).await
    }
}
