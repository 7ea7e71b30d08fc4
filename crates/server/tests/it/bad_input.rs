//! Bad input, on the WebSocket and over HTTP: every rejection is explicit (a close code, an
//! `error` frame, or `application/problem+json` with a stable code), and nothing makes the
//! server answer 5xx or panic.
//!
//! It sends what the typed client (`common/client.rs`) cannot: malformed JSON, wrong types,
//! odd headers and raw bytes, through `raw`/`request` and plain sockets, on purpose.

#![allow(clippy::print_stdout)]

use crate::common::routes;

use std::time::Duration;

use crate::common::app::{next_frame, spawn_app, spawn_app_with, TestApp, Who, Ws, ADMIN_TOKEN};
use borgermode_protocol::frames::ServerFrame;
use borgermode_protocol::{MeetingId, StaffRole};
use borgermode_server::settings::WsEngine;
use futures_util::{SinkExt, StreamExt};
use reqwest::Method;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::Message;

const T: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------------------------
// WebSocket

/// Connect to the live stream, optionally with an Origin header.
async fn ws_open(
    url: &str,
    origin: Option<&str>,
) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
    let mut req = url.into_client_request().expect("request");
    if let Some(o) = origin {
        req.headers_mut()
            .insert("origin", o.parse().expect("origin header"));
    }
    tokio_tungstenite::connect_async(req)
        .await
        .map(|(ws, _)| ws)
}

/// Connect and read `hello` and the snapshot.
async fn ws_ready(app: &TestApp, meeting: MeetingId) -> Ws {
    let mut ws = ws_open(&app.ws_url(meeting, None), None)
        .await
        .expect("ws connect");
    assert!(matches!(
        next_frame(&mut ws, T).await,
        Some(ServerFrame::Hello { .. })
    ));
    assert!(matches!(
        next_frame(&mut ws, T).await,
        Some(ServerFrame::Snapshot { .. })
    ));
    ws
}

/// Read until the server's close frame and return its code.
async fn close_code(ws: &mut Ws) -> Result<u16, String> {
    loop {
        match tokio::time::timeout(T, ws.next()).await {
            Err(_) => return Err("no close frame within 10 s".into()),
            Ok(None) => return Err("stream ended without a close frame".into()),
            Ok(Some(Err(e))) => return Err(format!("error before a close frame: {e}")),
            Ok(Some(Ok(Message::Close(Some(f))))) => return Ok(u16::from(f.code)),
            Ok(Some(Ok(Message::Close(None)))) => return Err("close frame without a code".into()),
            Ok(Some(Ok(_))) => continue,
        }
    }
}

/// The next frame that is not presence or votes.
async fn next_reply(ws: &mut Ws) -> Option<ServerFrame> {
    loop {
        match next_frame(ws, T).await? {
            ServerFrame::Presence { .. } | ServerFrame::Votes { .. } => continue,
            other => return Some(other),
        }
    }
}

fn text_frame(payload: Vec<u8>, fin: bool) -> Message {
    Message::Frame(Frame::message(payload, OpCode::Data(Data::Text), fin))
}

fn continuation(payload: Vec<u8>, fin: bool) -> Message {
    Message::Frame(Frame::message(payload, OpCode::Data(Data::Continue), fin))
}

#[tokio::test]
async fn websocket_bad_frames() {
    bad_frames(WsEngine::Direct).await;
}

#[tokio::test]
async fn websocket_bad_frames_actix_ws_engine() {
    bad_frames(WsEngine::ActixWs).await;
}

/// Both WebSocket engines (`--ws-engine`) must refuse the same things the same way.
async fn bad_frames(engine: WsEngine) {
    let app = spawn_app_with(|s| s.ws_engine = engine).await;
    let meeting = app.open_meeting("Rammer").await;
    let limit = app.state.settings.ws_max_message;
    assert_eq!(limit, 64 * 1024);
    let mut failures = Vec::new();

    // One text frame over 64 KiB: 1009.
    let mut ws = ws_ready(&app, meeting).await;
    let big = format!("{{\"t\":\"ping\",\"x\":\"{}\"}}", "a".repeat(limit));
    ws.send(Message::Text(big)).await.expect("send big");
    match close_code(&mut ws).await {
        Ok(1009) => {}
        other => failures.push(format!("frame over 64 KiB: want close 1009, got {other:?}")),
    }

    // Invalid UTF-8 in a text frame (tungstenite refuses to build one as Message::Text, so the
    // frame goes out raw): 1007.
    let mut ws = ws_ready(&app, meeting).await;
    ws.send(text_frame(vec![b'{', 0xff, 0xfe, 0xfd, b'}'], true))
        .await
        .expect("send bad utf-8");
    match close_code(&mut ws).await {
        Ok(1007) => {}
        other => failures.push(format!(
            "invalid UTF-8 text frame: want close 1007, got {other:?}"
        )),
    }

    // Invalid UTF-8 split across fragments: also 1007.
    let mut ws = ws_ready(&app, meeting).await;
    ws.send(text_frame(b"{\"t\":\"".to_vec(), false))
        .await
        .expect("send");
    ws.send(continuation(vec![0xc3], false))
        .await
        .expect("send");
    ws.send(continuation(b"\"}".to_vec(), true))
        .await
        .expect("send");
    match close_code(&mut ws).await {
        Ok(1007) => {}
        other => failures.push(format!(
            "invalid UTF-8 in fragments: want close 1007, got {other:?}"
        )),
    }

    // Control: a fragmented message under the limit is put together and answered.
    let mut ws = ws_ready(&app, meeting).await;
    ws.send(text_frame(b"{\"t\":".to_vec(), false))
        .await
        .expect("send");
    ws.send(continuation(b"\"pi".to_vec(), false))
        .await
        .expect("send");
    ws.send(continuation(b"ng\"}".to_vec(), true))
        .await
        .expect("send");
    match next_reply(&mut ws).await {
        Some(ServerFrame::Pong) => {}
        other => failures.push(format!("fragmented ping: want pong, got {other:?}")),
    }

    // A fragmented message whose parts are each under the limit but whose total is over: 1009.
    let part = limit / 3 + 1;
    ws.send(text_frame(vec![b'a'; part], false))
        .await
        .expect("send");
    ws.send(continuation(vec![b'a'; part], false))
        .await
        .expect("send");
    ws.send(continuation(vec![b'a'; part], false))
        .await
        .expect("send");
    ws.send(continuation(vec![b'a'; 10], true))
        .await
        .expect("send");
    match close_code(&mut ws).await {
        Ok(1009) => {}
        other => failures.push(format!(
            "fragmented message of {} bytes: want close 1009, got {other:?}",
            3 * part + 10
        )),
    }

    // Unknown frames get an `error` frame and the connection stays open.
    let mut ws = ws_ready(&app, meeting).await;
    let junk: Vec<Message> = vec![
        Message::Text(r#"{"t":"shout","text":"hej"}"#.into()),
        Message::Text("not json at all".into()),
        Message::Text("{}".into()),
        Message::Text(r#"{"t":"ping","extra":[1,2,3]"#.into()),
        Message::Text(r#"{"type":"create_post","body":"over the socket"}"#.into()),
        Message::Binary(vec![0, 1, 2, 3, 255]),
    ];
    for msg in junk {
        let shown = format!("{msg:?}");
        ws.send(msg).await.expect("send junk");
        match next_reply(&mut ws).await {
            Some(ServerFrame::Error { code, .. }) if code == "unknown_frame" => {}
            other => failures.push(format!("{shown}: want error unknown_frame, got {other:?}")),
        }
    }
    ws.send(Message::Text(r#"{"t":"ping"}"#.into()))
        .await
        .expect("send ping");
    match next_reply(&mut ws).await {
        Some(ServerFrame::Pong) => {}
        other => failures.push(format!("ping after junk: want pong, got {other:?}")),
    }

    assert!(
        failures.is_empty(),
        "WebSocket bad input:\n  {}",
        failures.join("\n  ")
    );
    app.shutdown().await;
}

#[tokio::test]
async fn websocket_origin_check() {
    let app = spawn_app().await;
    let meeting = app.open_meeting("Oprindelse").await;
    let url = app.ws_url(meeting, None);
    for evil in [
        "http://evil.example",
        "null",
        "http://127.0.0.1:1",
        "https://127.0.0.1",
    ] {
        match ws_open(&url, Some(evil)).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
                assert_eq!(resp.status(), 403, "Origin {evil}");
            }
            Err(e) => panic!("Origin {evil}: want HTTP 403, got {e}"),
            Ok(_) => panic!("Origin {evil}: upgrade was accepted"),
        }
    }
    // Our own origin (with or without a trailing slash), and no Origin at all, are fine.
    for ok in [Some(app.base.clone()), Some(format!("{}/", app.base)), None] {
        let mut ws = ws_open(&url, ok.as_deref())
            .await
            .unwrap_or_else(|e| panic!("Origin {ok:?}: {e}"));
        assert!(
            matches!(
                next_frame(&mut ws, T).await,
                Some(ServerFrame::Hello { .. })
            ),
            "Origin {ok:?}: hello"
        );
    }
    // An unknown meeting is a 404, not an upgrade.
    let unknown = app.ws_url(MeetingId(uuid::Uuid::new_v4()), None);
    match ws_open(&unknown, None).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => assert_eq!(resp.status(), 404),
        Err(e) => panic!("unknown meeting: want HTTP 404, got {e}"),
        Ok(_) => panic!("unknown meeting: upgrade was accepted"),
    }
    app.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// HTTP

#[derive(Debug)]
struct Got {
    status: u16,
    code: Option<String>,
    content_type: String,
    retry_after_header: Option<String>,
    body: Value,
    text: String,
}

async fn got(resp: reqwest::Response) -> Got {
    let status = resp.status().as_u16();
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let content_type = header("content-type").unwrap_or_default();
    let retry_after_header = header("retry-after");
    let text = resp.text().await.unwrap_or_default();
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    Got {
        status,
        code: body["code"].as_str().map(str::to_string),
        content_type,
        retry_after_header,
        body,
        text,
    }
}

enum Body {
    None,
    Json(Value),
    Raw(&'static str, Vec<u8>),
}

struct Case {
    name: String,
    method: Method,
    path: String,
    token: Option<String>,
    headers: Vec<(&'static str, reqwest::header::HeaderValue)>,
    body: Body,
    status: u16,
    /// The problem+json code, for refusals.
    code: Option<&'static str>,
    /// Whether a Retry-After header (and `retry_after` in the body) must be present.
    retry_after: bool,
    /// The problem's `field`, where the case names it.
    field: Option<&'static str>,
}

fn case(name: impl Into<String>, method: Method, path: impl Into<String>) -> Case {
    Case {
        name: name.into(),
        method,
        path: path.into(),
        token: None,
        headers: Vec::new(),
        body: Body::None,
        status: 0,
        code: None,
        retry_after: false,
        field: None,
    }
}

impl Case {
    fn who(mut self, who: &Who) -> Self {
        self.token = Some(who.token.clone());
        self
    }
    fn json(mut self, v: Value) -> Self {
        self.body = Body::Json(v);
        self
    }
    fn raw(mut self, content_type: &'static str, bytes: impl Into<Vec<u8>>) -> Self {
        self.body = Body::Raw(content_type, bytes.into());
        self
    }
    fn header(mut self, name: &'static str, value: reqwest::header::HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }
    fn refused(mut self, status: u16, code: &'static str) -> Self {
        self.status = status;
        self.code = Some(code);
        self
    }
    fn accepted(mut self, status: u16) -> Self {
        self.status = status;
        self
    }
    fn with_retry_after(mut self) -> Self {
        self.retry_after = true;
        self
    }
    fn field(mut self, field: &'static str) -> Self {
        self.field = Some(field);
        self
    }

    async fn run(&self, app: &TestApp) -> Result<(), String> {
        let mut req = app.http.request(self.method.clone(), app.url(&self.path));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        for (name, value) in &self.headers {
            req = req.header(*name, value.clone());
        }
        req = match &self.body {
            Body::None => req,
            Body::Json(v) => req.json(v),
            Body::Raw(ct, bytes) => req.header("content-type", *ct).body(bytes.clone()),
        };
        let g = got(req
            .send()
            .await
            .map_err(|e| format!("request failed: {e}"))?)
        .await;
        if g.status != self.status {
            return Err(format!(
                "want {}, got {}: {}",
                self.status,
                g.status,
                short(&g.text)
            ));
        }
        if let Some(code) = self.code {
            if g.code.as_deref() != Some(code) {
                return Err(format!("want code {code}, got {:?}", g.code));
            }
            if g.content_type != "application/problem+json" {
                return Err(format!("Content-Type {:?}", g.content_type));
            }
            if g.body["status"].as_u64() != Some(u64::from(self.status)) {
                return Err(format!("problem status field {}", g.body["status"]));
            }
        }
        if let Some(field) = self.field {
            if g.body["field"].as_str() != Some(field) {
                return Err(format!("want field {field}, got {}", g.body["field"]));
            }
        }
        if self.retry_after {
            let header = g
                .retry_after_header
                .as_deref()
                .and_then(|v| v.parse::<u64>().ok())
                .ok_or_else(|| {
                    format!("no numeric Retry-After header: {:?}", g.retry_after_header)
                })?;
            if header < 1 || g.body["retry_after"].as_u64() != Some(header) {
                return Err(format!(
                    "Retry-After {header} vs body retry_after {}",
                    g.body["retry_after"]
                ));
            }
        }
        Ok(())
    }
}

fn short(s: &str) -> String {
    s.chars().take(300).collect()
}

async fn must(resp: reqwest::Response, status: u16, what: &str) {
    let s = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    assert_eq!(s, status, "{what}: {text}");
}

#[tokio::test]
async fn http_bad_input_table() {
    use reqwest::header::HeaderValue;
    let app = spawn_app().await;

    // An open meeting with panelists whose names citizens must not take, a muted and a banned
    // citizen.
    let open = app.open_meeting("Åben").await;
    let moderator = app.staff(open, StaffRole::Moderator, "Mona").await;
    app.staff(open, StaffRole::Panelist, "Søren Ærø").await;
    app.staff(open, StaffRole::Panelist, "José Álvarez").await;
    let anne = app.join(open, "Anne").await;
    let muted = app.join(open, "Mads").await;
    let banned = app.join(open, "Bent").await;
    let post = app.post(&anne, open, "question", "Et spørgsmål").await;
    let m = routes::meeting(&open);
    must(
        app.as_(
            &moderator,
            Method::POST,
            &format!("{m}/participants/{}/mute", muted.id),
        )
        .json(&json!({"minutes": 60}))
        .send()
        .await
        .expect("mute"),
        200,
        "mute",
    )
    .await;
    must(
        app.as_(
            &moderator,
            Method::POST,
            &format!("{m}/participants/{}/ban", banned.id),
        )
        .send()
        .await
        .expect("ban"),
        200,
        "ban",
    )
    .await;

    // Slow mode: a citizen who just posted.
    let slow_meeting = app.open_meeting("Langsom").await;
    must(
        app.admin(Method::PATCH, &routes::settings(&slow_meeting))
            .json(&json!({"slow_mode_secs": 600}))
            .send()
            .await
            .expect("settings"),
        200,
        "slow mode on",
    )
    .await;
    let slowpoke = app.join(slow_meeting, "Sigurd").await;
    app.post(&slowpoke, slow_meeting, "comment", "Første").await;

    // A closed meeting and a scheduled one, each with a citizen who joined in time.
    let closed = app.open_meeting("Lukket").await;
    let late = app.join(closed, "Lone").await;
    must(
        app.admin(Method::POST, &routes::close(&closed))
            .send()
            .await
            .expect("close"),
        200,
        "close",
    )
    .await;
    let scheduled = app.create_meeting("Planlagt").await;
    must(
        app.admin(Method::POST, &routes::schedule(&scheduled))
            .send()
            .await
            .expect("schedule"),
        200,
        "schedule",
    )
    .await;
    let early = app.join(scheduled, "Erik").await;

    let posts = format!("{m}/posts");
    let unknown = MeetingId(uuid::Uuid::new_v4());
    let comment = |body: &str| json!({"kind": "comment", "body": body});
    let join = |name: &str| json!({"display_name": name});
    let over_limit = app.state.settings.json_limit + 1024;
    let evil = HeaderValue::from_static("http://evil.example");
    let admin_auth = HeaderValue::from_str(&format!("Bearer {ADMIN_TOKEN}")).expect("header");

    let mut cases = vec![
        case("malformed JSON", Method::POST, &posts)
            .who(&anne)
            .raw("application/json", r#"{"kind": "comment", "body": "#)
            .refused(400, "invalid_json"),
        case("JSON of the wrong shape", Method::POST, &posts)
            .who(&anne)
            .json(json!({"kind": "shout", "body": "x"}))
            .refused(400, "invalid_json"),
        case("JSON array instead of object", Method::POST, &posts)
            .who(&anne)
            .json(json!([1, 2, 3]))
            .refused(400, "invalid_json"),
        case("JSON body that is not UTF-8", Method::POST, &posts)
            .who(&anne)
            .raw(
                "application/json",
                b"{\"kind\":\"comment\",\"body\":\"\xff\xfe\"}".to_vec(),
            )
            .refused(400, "invalid_json"),
        case("not JSON at all", Method::POST, &posts)
            .who(&anne)
            .raw("text/plain", "hello")
            .refused(400, "unsupported_media_type"),
        case("body one character too long", Method::POST, &posts)
            .who(&anne)
            .json(comment(&"å".repeat(1001)))
            .refused(422, "body_too_long")
            .field("body"),
        case("blank body", Method::POST, &posts)
            .who(&anne)
            .json(comment("  \n\t "))
            .refused(422, "validation_failed"),
        case("bidi override in a body", Method::POST, &posts)
            .who(&anne)
            .json(comment("abc\u{202E}def"))
            .refused(422, "validation_failed"),
        case(
            "post to an unknown meeting",
            Method::POST,
            routes::posts(&unknown),
        )
        .who(&anne)
        .json(comment("hej"))
        .refused(404, "not_found"),
        case(
            "get an unknown meeting",
            Method::GET,
            routes::meeting(&unknown),
        )
        .refused(404, "not_found"),
        case(
            "meeting id that is not a UUID",
            Method::GET,
            routes::meeting("not-a-uuid"),
        )
        .refused(404, "not_found"),
        case(
            "vote on an unknown post",
            Method::PUT,
            format!("{m}/posts/999999/vote"),
        )
        .who(&anne)
        .json(json!({"up": true}))
        .refused(404, "not_found"),
        case(
            "post id that overflows u64",
            Method::PUT,
            format!("{m}/posts/18446744073709551616/vote"),
        )
        .who(&anne)
        .json(json!({"up": true}))
        .refused(404, "not_found"),
        case("muted citizen posts", Method::POST, &posts)
            .who(&muted)
            .json(comment("Må jeg?"))
            .refused(403, "muted"),
        case("banned citizen posts", Method::POST, &posts)
            .who(&banned)
            .json(comment("Hallo?"))
            .refused(403, "banned"),
        case(
            "banned citizen votes",
            Method::PUT,
            format!("{m}/posts/{post}/vote"),
        )
        .who(&banned)
        .json(json!({"up": true}))
        .refused(403, "banned"),
        case(
            "banned citizen joins again with the same token",
            Method::POST,
            format!("{m}/join"),
        )
        .who(&banned)
        .json(join("Bent igen"))
        .refused(403, "banned"),
        case("slow mode", Method::POST, routes::posts(&slow_meeting))
            .who(&slowpoke)
            .json(comment("Anden"))
            .refused(429, "slow_mode")
            .with_retry_after(),
        case("wrong Origin on a bearer command", Method::POST, &posts)
            .who(&anne)
            .header("origin", evil.clone())
            .json(comment("CSRF?"))
            .refused(403, "origin_forbidden"),
        case("wrong Origin on join", Method::POST, format!("{m}/join"))
            .header("origin", evil.clone())
            .json(join("Fremmed"))
            .refused(403, "origin_forbidden"),
        case(
            "wrong Origin on an organizer command",
            Method::POST,
            routes::open(&closed),
        )
        .header("authorization", admin_auth.clone())
        .header("origin", evil.clone())
        .refused(403, "origin_forbidden"),
        case("matching Origin", Method::POST, &posts)
            .who(&anne)
            .header("origin", HeaderValue::from_str(&app.base).expect("origin"))
            .json(comment("Fra siden selv"))
            .accepted(201),
        case("JSON body over the limit", Method::POST, &posts)
            .who(&anne)
            .json(comment(&"x".repeat(over_limit)))
            .refused(413, "payload_too_large"),
        case("Idempotency-Key with a space", Method::POST, &posts)
            .who(&anne)
            .header("idempotency-key", HeaderValue::from_static("has space"))
            .json(comment("hej"))
            .refused(400, "invalid_idempotency_key"),
        case("empty Idempotency-Key", Method::POST, &posts)
            .who(&anne)
            .header("idempotency-key", HeaderValue::from_static(""))
            .json(comment("hej"))
            .refused(400, "invalid_idempotency_key"),
        case("Idempotency-Key of 101 characters", Method::POST, &posts)
            .who(&anne)
            .header(
                "idempotency-key",
                HeaderValue::from_str(&"k".repeat(101)).expect("key"),
            )
            .json(comment("hej"))
            .refused(400, "invalid_idempotency_key"),
        case("Idempotency-Key with non-ASCII bytes", Method::POST, &posts)
            .who(&anne)
            .header(
                "idempotency-key",
                HeaderValue::from_bytes(b"n\xf8gle").expect("key"),
            )
            .json(comment("hej"))
            .refused(400, "invalid_idempotency_key"),
        case(
            "post to a closed meeting",
            Method::POST,
            routes::posts(&closed),
        )
        .who(&late)
        .json(json!({"kind": "question", "body": "For sent?"}))
        .refused(409, "meeting_closed"),
        case("join a closed meeting", Method::POST, routes::join(&closed))
            .json(join("Sen Signe"))
            .refused(409, "meeting_closed"),
        case(
            "comment before the meeting opens",
            Method::POST,
            routes::posts(&scheduled),
        )
        .who(&early)
        .json(comment("Tidligt"))
        .refused(409, "meeting_not_open"),
        case(
            "question before the meeting opens (intake)",
            Method::POST,
            routes::posts(&scheduled),
        )
        .who(&early)
        .json(json!({"kind": "question", "body": "Kan jeg spørge nu?"}))
        .accepted(201),
        case(
            "display name with a bidi override",
            Method::POST,
            format!("{m}/join"),
        )
        .json(join("Anne\u{202E}retsemgrob"))
        .refused(422, "validation_failed"),
        case("empty display name", Method::POST, format!("{m}/join"))
            .json(join("   "))
            .refused(422, "validation_failed"),
        case(
            "display name of 41 characters",
            Method::POST,
            format!("{m}/join"),
        )
        .json(join(&"n".repeat(41)))
        .refused(422, "validation_failed"),
        case(
            "create a meeting without a title",
            Method::POST,
            routes::meetings(),
        )
        .header("authorization", admin_auth.clone())
        .json(json!({"title": "  "}))
        .refused(422, "validation_failed"),
        case(
            "mute for zero minutes",
            Method::POST,
            format!("{m}/participants/{}/mute", anne.id),
        )
        .who(&moderator)
        .json(json!({"minutes": 0}))
        .refused(422, "validation_failed"),
        case("unknown route", Method::GET, routes::unknown()).refused(404, "not_found"),
    ];
    // A citizen may not take a panelist's name in another case, with accents or without, or a
    // reserved role name.
    for name in [
        "søren ærø",
        "SØREN ÆRØ",
        "Soren Aero",
        "  Sören   Aerø ",
        "jose alvarez",
        "JOSÉ ÁLVAREZ",
        "Jose\u{301} A\u{301}lvarez",
        "Moderator",
        "ordstyrer",
    ] {
        cases.push(
            case(
                format!("display name {name:?}"),
                Method::POST,
                format!("{m}/join"),
            )
            .json(join(name))
            .refused(409, "name_reserved"),
        );
    }

    let mut failures = Vec::new();
    for c in &cases {
        if let Err(why) = c.run(&app).await {
            failures.push(format!("{}: {why}", c.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n  {}",
        failures.len(),
        cases.len(),
        failures.join("\n  ")
    );

    // The Retry-After of slow mode is about the 600 s window, not a token value.
    let g = got(app
        .as_(&slowpoke, Method::POST, &routes::posts(&slow_meeting))
        .json(&comment("Tredje"))
        .send()
        .await
        .expect("post"))
    .await;
    let secs: u64 = g
        .retry_after_header
        .as_deref()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    assert!((500..=600).contains(&secs), "slow mode Retry-After {secs}");

    // A valid Idempotency-Key: the retry replays the first answer and posts nothing new.
    let send = || {
        app.as_(&anne, Method::POST, &posts)
            .header("idempotency-key", "post-1")
            .json(&comment("Kun én gang"))
            .send()
    };
    let first = got(send().await.expect("post")).await;
    assert_eq!(first.status, 201, "{}", first.text);
    let resp = send().await.expect("retry");
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()
            .get("idempotent-replayed")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    let replay: Value = resp.json().await.expect("replay body");
    assert_eq!(replay["post_id"], first.body["post_id"]);
    app.shutdown().await;
}

#[tokio::test]
async fn posts_per_minute_limit() {
    let app = spawn_app_with(|s| s.posts_per_minute = 3).await;
    let meeting = app.open_meeting("Flom").await;
    let anne = app.join(meeting, "Anne").await;
    let bo = app.join(meeting, "Bo").await;
    for i in 0..3 {
        app.post(&anne, meeting, "comment", &format!("Indlæg {i}"))
            .await;
    }
    let resp = app
        .as_(&anne, Method::POST, &routes::posts(&meeting))
        .json(&json!({"kind": "comment", "body": "Et for meget"}))
        .send()
        .await
        .expect("post");
    let g = got(resp).await;
    assert_eq!(g.status, 429, "{}", g.text);
    assert_eq!(g.code.as_deref(), Some("rate_limited"));
    assert_eq!(g.content_type, "application/problem+json");
    let secs: u64 = g
        .retry_after_header
        .as_deref()
        .and_then(|v| v.parse().ok())
        .expect("Retry-After header");
    assert!((1..=60).contains(&secs), "Retry-After {secs}");
    assert_eq!(g.body["retry_after"].as_u64(), Some(secs));
    // The limit is per participant: someone else may still post.
    app.post(&bo, meeting, "comment", "Mig også").await;
    app.shutdown().await;
}

/// Garbage at a handful of routes: whatever comes back, it is not a 5xx, and the server keeps
/// working afterwards.
#[tokio::test]
async fn garbage_never_gets_a_5xx() {
    let app = spawn_app().await;
    let meeting = app.open_meeting("Skrald").await;
    let moderator = app.staff(meeting, StaffRole::Moderator, "Mona").await;
    let anne = app.join(meeting, "Anne").await;
    let post = app.post(&anne, meeting, "question", "Hvad så?").await;
    let m = routes::meeting(&meeting);
    let routes: Vec<(Method, String, Option<&Who>)> = vec![
        (Method::POST, routes::meetings(), None),
        (Method::POST, format!("{m}/join"), None),
        (Method::POST, format!("{m}/posts"), Some(&anne)),
        (Method::PUT, format!("{m}/posts/{post}/vote"), Some(&anne)),
        (
            Method::POST,
            format!("{m}/posts/{post}/report"),
            Some(&anne),
        ),
        (
            Method::POST,
            format!("{m}/posts/{post}/hide"),
            Some(&moderator),
        ),
        (Method::PATCH, format!("{m}/settings"), Some(&moderator)),
        (
            Method::POST,
            format!("{m}/questions/{post}/answer"),
            Some(&moderator),
        ),
        (
            Method::POST,
            format!("{m}/questions/{post}/merge"),
            Some(&moderator),
        ),
        (Method::PUT, format!("{m}/on-air"), Some(&moderator)),
        (
            Method::POST,
            format!("{m}/participants/{}/mute", anne.id),
            Some(&moderator),
        ),
        (Method::POST, routes::staff_session(), None),
        (Method::POST, routes::admin_session(), None),
    ];
    let mut rng = XorShift(0x5eed_1234_abcd_0001);
    let mut bad = Vec::new();
    let mut sent = 0;
    for round in 0..12 {
        for (method, path, who) in &routes {
            let (content_type, body) = garbage(&mut rng, round);
            let mut req = app
                .http
                .request(method.clone(), app.url(path))
                .header("content-type", content_type)
                .body(body.clone());
            if let Some(w) = who {
                req = req.bearer_auth(&w.token);
            }
            if round % 4 == 3 {
                req = req.header(
                    "idempotency-key",
                    rng.bytes(8)
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect::<String>(),
                );
            }
            sent += 1;
            match req.send().await {
                Ok(resp) if resp.status().as_u16() < 500 => {}
                Ok(resp) => bad.push(format!(
                    "{method} {path} with {:?}: {}",
                    String::from_utf8_lossy(&body[..body.len().min(80)]),
                    resp.status()
                )),
                Err(e) => bad.push(format!("{method} {path}: request failed: {e}")),
            }
        }
    }
    // Garbage paths too.
    for path in [
        format!("{m}/posts/-1/vote"),
        format!("{m}/posts/%00/hide"),
        format!("{m}/participants/not-a-uuid/ban"),
        routes::join(&"x".repeat(5000)),
        format!("{m}/queue?sort=sideways"),
        format!("{m}/live?since=-5"),
        format!("{m}/events?since=abc"),
    ] {
        sent += 1;
        match app.as_(&moderator, Method::POST, &path).send().await {
            Ok(resp) if resp.status().as_u16() < 500 => {}
            Ok(resp) => bad.push(format!("POST {path}: {}", resp.status())),
            Err(e) => bad.push(format!("POST {path}: request failed: {e}")),
        }
        match app.as_(&moderator, Method::GET, &path).send().await {
            Ok(resp) if resp.status().as_u16() < 500 => {}
            Ok(resp) => bad.push(format!("GET {path}: {}", resp.status())),
            Err(e) => bad.push(format!("GET {path}: request failed: {e}")),
        }
    }
    assert!(
        bad.is_empty(),
        "{} of {sent} garbage requests:\n  {}",
        bad.len(),
        bad.join("\n  ")
    );
    // Still alive and well (with a newcomer: the garbage may well have muted Anne).
    let nina = app.join(meeting, "Nina").await;
    app.post(&nina, meeting, "comment", "Stadig her").await;
    let resp = app
        .http
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("readyz");
    assert_eq!(resp.status(), 200);
    app.shutdown().await;
}

/// A tiny deterministic generator, so a failure can be replayed.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn garbage(rng: &mut XorShift, round: usize) -> (&'static str, Vec<u8>) {
    let json = "application/json";
    match round % 6 {
        // Random bytes.
        0 => {
            let n = rng.below(400) as usize;
            (json, rng.bytes(n))
        }
        // Valid JSON of the wrong types.
        1 => {
            let values = [
                json!(null),
                json!(12),
                json!("body"),
                json!({"kind": 7, "body": ["a"], "up": "yes", "minutes": -1, "into": "x"}),
                json!({"reason": {"nested": true}, "post": -3, "display_name": 5}),
                json!({"title": null, "settings": {"max_body_chars": -1}}),
                json!({"minutes": 4294967296u64, "into": 18446744073709551615u64}),
            ];
            let v = &values[rng.below(values.len() as u64) as usize];
            (json, v.to_string().into_bytes())
        }
        // Deeply nested arrays.
        2 => {
            let depth = 64 + rng.below(5000) as usize;
            let mut s = "[".repeat(depth);
            s.push_str(&"]".repeat(depth / 2));
            (json, s.into_bytes())
        }
        // Truncated valid bodies.
        3 => {
            let full = br#"{"kind":"comment","body":"hej","display_name":"Anne","reason":"spam","up":true,"minutes":5,"into":1,"post":1,"key":"abc","token":"abc","slow_mode_secs":5}"#;
            let cut = rng.below(full.len() as u64) as usize;
            (json, full[..cut].to_vec())
        }
        // Plausible shapes with hostile strings.
        4 => {
            let nasty = [
                "\u{0000}",
                "\u{202E}",
                "\u{FEFF}",
                "<script>alert(1)</script>",
                "💣💣💣",
                "\\ud800",
                "' OR 1=1 --",
            ];
            let s = nasty[rng.below(nasty.len() as u64) as usize];
            let v = json!({
                "kind": "comment", "body": s, "display_name": s, "reason": s, "note": s,
                "title": s, "key": s, "token": s, "role": s, "name": s, "keywords": [s],
                "minutes": 5, "up": true, "into": 1, "post": 1
            });
            (json, v.to_string().into_bytes())
        }
        // Wrong content types.
        _ => {
            let types = [
                "text/plain",
                "application/x-www-form-urlencoded",
                "multipart/form-data",
                "",
            ];
            let t = types[rng.below(types.len() as u64) as usize];
            (t, b"kind=comment&body=hej".to_vec())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Issue 14: CSV injection, two Origin headers, control characters in titles

/// Spreadsheet formulas in posts come out of `/export.csv` and `borgermode export --format csv`
/// neutralized (a leading `'`, as OWASP advises for cells starting with `= + - @`, tab or CR),
/// on both stores, while the NDJSON export keeps the exact text.
async fn csv_injection(app: TestApp) {
    let m = app.open_meeting("Regneark").await;
    let evil = app.join(m, "Eva").await;
    let bodies = [
        "=cmd|' /C calc'!A0",
        "+SUM(1,2)",
        "-2+3",
        "@SUM(1+1)",
        "=HYPERLINK(\"http://evil.example\",\"klik\")",
    ];
    for b in bodies {
        app.post(&evil, m, "comment", b).await;
    }
    let harmless = "Almindelig tekst - med bindestreg";
    app.post(&evil, m, "comment", harmless).await;
    // The report's CSV names panelists: a staff name can be formula-like too.
    let q = app.post(&evil, m, "question", "Hvem svarer?").await;
    let pan = app
        .staff(
            m,
            StaffRole::Panelist,
            "=HYPERLINK(\"http://evil.example\")",
        )
        .await;
    let resp = app
        .as_(&pan, Method::POST, &routes::answer(&m, &q))
        .json(&json!({"body": "Jeg svarer."}))
        .send()
        .await
        .expect("answer");
    assert_eq!(
        resp.status(),
        200,
        "{}",
        resp.text().await.unwrap_or_default()
    );
    let report_csv = app
        .admin(Method::GET, &routes::report_csv(&m))
        .send()
        .await
        .expect("report.csv")
        .text()
        .await
        .expect("report.csv body");
    let mut reader = csv::Reader::from_reader(report_csv.as_bytes());
    let mut panelist_seen = false;
    for row in reader.records() {
        let row = row.expect("csv row");
        for cell in row.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "report.csv: a cell starts like a formula: {cell:?}"
            );
            panelist_seen |= cell == "'=HYPERLINK(\"http://evil.example\")";
        }
    }
    assert!(
        panelist_seen,
        "report.csv names the panelist, neutralized: {report_csv}"
    );
    let api = app
        .admin(Method::GET, &routes::export_csv(&m))
        .send()
        .await
        .expect("csv")
        .text()
        .await
        .expect("csv body");
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_borgermode"))
        .args(["export", &m.to_string(), "--format", "csv"])
        .env_remove("REDIS_URL")
        .env("DATABASE_URL", &app.db_url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("borgermode export");
    assert!(
        cli.status.success(),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    let cli = String::from_utf8_lossy(&cli.stdout).into_owned();
    for (what, text) in [("/export.csv", &api), ("borgermode export", &cli)] {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let mut seen = Vec::new();
        for row in reader.records() {
            let row = row.expect("csv row");
            for cell in row.iter() {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{what}: a cell starts like a formula: {cell:?}"
                );
            }
            seen.push(row.get(6).unwrap_or_default().to_string());
        }
        for b in bodies {
            assert!(
                seen.contains(&format!("'{b}")),
                "{what}: {b:?} neutralized with a leading quote: {seen:?}"
            );
        }
        assert!(
            seen.contains(&harmless.to_string()),
            "{what}: plain text unchanged"
        );
    }
    let ndjson = app
        .admin(Method::GET, &routes::export_ndjson(&m))
        .send()
        .await
        .expect("ndjson")
        .text()
        .await
        .expect("ndjson body");
    for b in bodies {
        let exact = serde_json::to_string(b).expect("json");
        assert!(ndjson.contains(&exact), "NDJSON keeps {b:?} exactly");
        assert!(
            !ndjson.contains(&format!("\"'{}", &exact[1..])),
            "NDJSON unprefixed"
        );
    }
    app.shutdown().await;
}

#[tokio::test]
async fn csv_exports_neutralize_formulas_sqlite() {
    csv_injection(spawn_app().await).await;
}

#[tokio::test]
async fn csv_exports_neutralize_formulas_postgres() {
    let db = crate::common::pg::TestDb::fresh().await;
    let app = crate::common::app::spawn_app_on(
        std::sync::Arc::new(tempfile::tempdir().expect("tempdir")),
        db.url.clone(),
        |_| {},
    )
    .await;
    csv_injection(app).await;
}

/// A request with two Origin headers is refused whatever their order (it used to be judged
/// by the first), on commands and on the live upgrade.
#[tokio::test]
async fn two_origin_headers_are_refused() {
    let app = spawn_app().await;
    let m = app.open_meeting("To oprindelser").await;
    let evil = "http://evil.example";
    for (first, second) in [(app.base.as_str(), evil), (evil, app.base.as_str())] {
        let resp = app
            .http
            .post(app.url(&routes::join(&m)))
            .header("origin", first)
            .header("origin", second)
            .json(&json!({"display_name": "Dobbelt"}))
            .send()
            .await
            .expect("join");
        let g = got(resp).await;
        assert_eq!(
            (g.status, g.code.as_deref()),
            (403, Some("origin_forbidden")),
            "Origin {first} then {second}: {}",
            g.text
        );
    }
    // Twice our own origin is still two headers: refused too (a browser sends one).
    let resp = app
        .http
        .post(app.url(&routes::join(&m)))
        .header("origin", app.base.as_str())
        .header("origin", app.base.as_str())
        .json(&json!({"display_name": "Dobbelt"}))
        .send()
        .await
        .expect("join");
    assert_eq!(resp.status(), 403);
    // The upgrade: ours first, then another.
    let mut req = app.ws_url(m, None).into_client_request().expect("request");
    req.headers_mut()
        .append("origin", app.base.parse().expect("origin"));
    req.headers_mut()
        .append("origin", evil.parse().expect("origin"));
    match tokio_tungstenite::connect_async(req).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => assert_eq!(resp.status(), 403),
        Err(e) => panic!("want HTTP 403, got {e}"),
        Ok(_) => panic!("an upgrade with two Origin headers was accepted"),
    }
    // One Origin of ours is fine.
    let resp = app
        .http
        .post(app.url(&routes::join(&m)))
        .header("origin", app.base.as_str())
        .json(&json!({"display_name": "Enkelt"}))
        .send()
        .await
        .expect("join");
    assert_eq!(resp.status(), 201);
    app.shutdown().await;
}

/// Meeting titles refuse CR, LF and other control characters like other text (422), on
/// create and on edit.
#[tokio::test]
async fn meeting_titles_refuse_control_characters() {
    let app = spawn_app().await;
    let m = app.create_meeting("Pæn titel").await;
    for title in [
        "Første linje\r\nAnden linje",
        "Linje\nskift",
        "Retur\rigen",
        "Nul\u{0}tegn",
        "Retning\u{202e}skift",
    ] {
        let resp = app
            .admin(Method::POST, &routes::meetings())
            .json(&json!({"title": title, "description": ""}))
            .send()
            .await
            .expect("create");
        let g = got(resp).await;
        assert_eq!(
            (g.status, g.code.as_deref()),
            (422, Some("validation_failed")),
            "create {title:?}: {}",
            g.text
        );
        let resp = app
            .admin(Method::PATCH, &routes::meeting(&m))
            .json(&json!({"title": title}))
            .send()
            .await
            .expect("edit");
        let g = got(resp).await;
        assert_eq!(g.status, 422, "edit {title:?}: {}", g.text);
    }
    app.shutdown().await;
}

/// Issue 14, item 6: guessing bearer tokens (admin token, session tokens) is limited per
/// address like the other secrets: after `--auth-failures-per-minute` answers 401, every
/// request with an `Authorization` header from that address is answered 429 (the right
/// token too, or the block would tell when a guess was right); other addresses and requests
/// without a token are not affected.
#[tokio::test]
async fn bearer_token_guesses_are_rate_limited() {
    let app = spawn_app_with(|s| {
        s.auth_failures_per_minute = 20;
        s.trusted_proxies = vec!["127.0.0.1".parse().expect("ip")];
    })
    .await;
    let m = app.open_meeting("Gæt").await;
    let from =
        |ip: &str, req: reqwest::RequestBuilder| req.header("x-forwarded-for", ip.to_string());
    let mut statuses = Vec::new();
    for i in 0..25 {
        let guess = format!("gaet{i:018}");
        let req = if i % 2 == 0 {
            app.http
                .post(app.url(&routes::meetings()))
                .json(&json!({"title": "x"}))
        } else {
            app.http.get(app.url(&routes::me(&m)))
        };
        let resp = from("203.0.113.9", req.bearer_auth(guess))
            .send()
            .await
            .expect("guess");
        statuses.push(resp.status().as_u16());
    }
    assert_eq!(&statuses[..20], [401; 20], "{statuses:?}");
    assert!(statuses[20..].iter().all(|s| *s == 429), "{statuses:?}");
    let resp = from(
        "203.0.113.9",
        app.http
            .get(app.url(&routes::meetings()))
            .bearer_auth(ADMIN_TOKEN),
    )
    .send()
    .await
    .expect("right token");
    let g = got(resp).await;
    assert_eq!(
        (g.status, g.code.as_deref()),
        (429, Some("rate_limited")),
        "{}",
        g.text
    );
    assert!(g.retry_after_header.is_some(), "Retry-After");
    // Without a token, and from another address, nothing changed.
    let resp = from("203.0.113.9", app.http.get(app.url(&routes::posts(&m))))
        .send()
        .await
        .expect("anonymous read");
    assert_eq!(resp.status(), 200);
    let resp = from(
        "198.51.100.1",
        app.http
            .get(app.url(&routes::meetings()))
            .bearer_auth(ADMIN_TOKEN),
    )
    .send()
    .await
    .expect("other address");
    assert_eq!(resp.status(), 200);
    app.shutdown().await;
}

/// Issue 14, item 6, the same secrets as cookies: the admin token in `bm_admin` and a session
/// token in the meeting's session cookie are guessed as easily as in an `Authorization`
/// header, so their failures count towards the same per-address limit (they used to be
/// answered 401 forever). Another meeting's session cookie, which a browser sends along to
/// every page of the site, is not a guess and never blocks anybody.
#[tokio::test]
async fn cookie_token_guesses_are_rate_limited() {
    let app = spawn_app_with(|s| {
        s.auth_failures_per_minute = 20;
        s.trusted_proxies = vec!["127.0.0.1".parse().expect("ip")];
    })
    .await;
    let m = app.open_meeting("Gæt med småkager").await;
    let last_week = app.open_meeting("Sidste uge").await;
    let citizen = app.join(last_week, "Karen Kage").await;
    let from =
        |ip: &str, req: reqwest::RequestBuilder| req.header("x-forwarded-for", ip.to_string());
    let session_cookie =
        |meeting: &MeetingId, token: &str| format!("bm_{}={token}", meeting.0.simple());

    // A citizen with last week's cookie opens tonight's meeting many times: not a guess.
    let mut visits = Vec::new();
    for _ in 0..25 {
        let resp = from(
            "198.51.100.7",
            app.http
                .get(app.url(&routes::me(&m)))
                .header("cookie", session_cookie(&last_week, &citizen.token)),
        )
        .send()
        .await
        .expect("visit");
        visits.push(resp.status().as_u16());
    }
    assert!(visits.iter().all(|s| *s == 401), "{visits:?}");

    let mut statuses = Vec::new();
    for i in 0..25 {
        let guess = format!("gaet{i:018}");
        let req = if i % 2 == 0 {
            app.http
                .get(app.url(&routes::meetings()))
                .header("cookie", format!("bm_admin={guess}"))
        } else {
            app.http
                .get(app.url(&routes::me(&m)))
                .header("cookie", session_cookie(&m, &guess))
        };
        let resp = from("203.0.113.10", req).send().await.expect("guess");
        statuses.push(resp.status().as_u16());
    }
    assert_eq!(&statuses[..20], [401; 20], "{statuses:?}");
    assert!(statuses[20..].iter().all(|s| *s == 429), "{statuses:?}");
    // The right admin token as a cookie is refused too while the block lasts.
    let resp = from(
        "203.0.113.10",
        app.http
            .get(app.url(&routes::meetings()))
            .header("cookie", format!("bm_admin={ADMIN_TOKEN}")),
    )
    .send()
    .await
    .expect("right token");
    let g = got(resp).await;
    assert_eq!(
        (g.status, g.code.as_deref()),
        (429, Some("rate_limited")),
        "{}",
        g.text
    );
    // The citizen's address was never blocked: their own session still works there.
    let resp = from(
        "198.51.100.7",
        app.http
            .get(app.url(&routes::me(&last_week)))
            .header("cookie", session_cookie(&last_week, &citizen.token)),
    )
    .send()
    .await
    .expect("own session");
    assert_eq!(resp.status(), 200);
    app.shutdown().await;
}

/// Read what the server sends on a raw connection until it closes it (or `limit` passes).
/// Returns the bytes and whether it closed.
async fn read_until_closed(s: &mut tokio::net::TcpStream, limit: Duration) -> (String, bool) {
    use tokio::io::AsyncReadExt;
    let mut all = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&all).into_owned(), true),
            Ok(Ok(n)) => all.extend_from_slice(&buf[..n]),
            Err(_) => return (String::from_utf8_lossy(&all).into_owned(), false),
        }
    }
}

/// Issue 14, item 3: a request whose body does not arrive (headers complete, then nothing,
/// or a byte now and then) is answered 408 `body_timeout` after `--body-read-timeout-ms` and
/// its connection closed, instead of being held open for minutes.
#[tokio::test]
async fn request_bodies_time_out() {
    use tokio::io::AsyncWriteExt;
    let app = spawn_app_with(|s| s.body_read_timeout_ms = 300).await;
    let m = app.open_meeting("Langsom krop").await;
    for trickle in [false, true] {
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", app.port))
            .await
            .expect("connect");
        s.write_all(
            format!(
                "POST {} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n",
                routes::join(&m)
            )
            .as_bytes(),
        )
        .await
        .expect("headers");
        let started = std::time::Instant::now();
        if trickle {
            // One byte every 100 ms: each arrives in time, the whole body never does.
            for b in b"{\"display_name\"" {
                if s.write_all(&[*b]).await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
                if started.elapsed() > Duration::from_secs(3) {
                    break;
                }
            }
        }
        let (text, closed) = read_until_closed(&mut s, Duration::from_secs(5)).await;
        println!(
            "body timeout (trickle {trickle}): closed {closed} after {:?}",
            started.elapsed()
        );
        assert!(
            text.starts_with("HTTP/1.1 408"),
            "trickle {trickle}: {text:?}"
        );
        assert!(text.contains("body_timeout"), "{text}");
        assert!(closed, "the connection was closed (trickle {trickle})");
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "{:?}",
            started.elapsed()
        );
    }
    // A body that arrives in time is served as before.
    app.join(m, "Hurtig").await;
    app.shutdown().await;
}

/// Issue 14, item 3: one address may hold at most `--max-connections-per-ip` open HTTP
/// connections; more are closed at accept, and one ending makes room. Connections from a
/// trusted proxy are not counted (all clients come through it).
#[tokio::test]
async fn open_connections_are_capped_per_address() {
    use tokio::io::AsyncWriteExt;
    async fn get_healthz(port: u16) -> (String, bool) {
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connect");
        let _ = s
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            .await;
        read_until_closed(&mut s, Duration::from_secs(5)).await
    }
    async fn hold(port: u16, n: usize) -> Vec<tokio::net::TcpStream> {
        let mut held = Vec::new();
        for _ in 0..n {
            held.push(
                tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .expect("connect"),
            );
        }
        // Let the server accept them.
        tokio::time::sleep(Duration::from_millis(200)).await;
        held
    }
    let app = spawn_app_with(|s| s.max_connections_per_ip = 4).await;
    let mut held = hold(app.port, 4).await;
    let (text, closed) = get_healthz(app.port).await;
    assert!(
        closed && text.is_empty(),
        "a fifth connection is refused: {text:?}"
    );
    held.pop();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (text, _) = get_healthz(app.port).await;
    assert!(
        text.starts_with("HTTP/1.1 200"),
        "room again after one ended: {text:?}"
    );
    drop(held);
    app.shutdown().await;

    let proxied = spawn_app_with(|s| {
        s.max_connections_per_ip = 4;
        s.trusted_proxies = vec!["127.0.0.1".parse().expect("ip")];
    })
    .await;
    let held = hold(proxied.port, 8).await;
    let (text, _) = get_healthz(proxied.port).await;
    assert!(
        text.starts_with("HTTP/1.1 200"),
        "a trusted proxy is not capped: {text:?}"
    );
    drop(held);
    proxied.shutdown().await;
}

/// Issue 14, item 3: when accepted connections come near the process's file descriptor limit
/// the server says so in one clear log line (rate-limited to one per 10 s), not one per
/// connection and not nothing. The server runs as its own process under `ulimit -n 256`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn descriptor_exhaustion_is_logged_once() {
    use std::io::BufRead;
    use std::sync::{Arc, Mutex};
    use tokio::io::AsyncWriteExt;
    const WARNING: &str = "file descriptors nearly exhausted";
    let dir = tempfile::tempdir().expect("tempdir");
    let port = crate::common::cluster::free_port();
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -n 256 && exec \"$0\" --bind 127.0.0.1:{port}"
        ))
        .arg(env!("CARGO_BIN_EXE_borgermode"))
        .env(
            "DATABASE_URL",
            format!("sqlite:{}", dir.path().join("fd.db").display()),
        )
        .env("BORGERMODE_ADMIN_TOKEN", ADMIN_TOKEN)
        .env("BORGERMODE_MAX_CONNECTIONS_PER_IP", "0")
        .env_remove("REDIS_URL")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start borgermode");
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let reader = {
        let out = child.stdout.take().expect("stdout");
        let lines = lines.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
                lines.lock().expect("lines").push(line);
            }
        })
    };
    let warned = |lines: &Arc<Mutex<Vec<String>>>| {
        lines
            .lock()
            .expect("lines")
            .iter()
            .filter(|l| l.contains(WARNING))
            .count()
    };
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = http.get(format!("{base}/readyz")).send().await {
            if r.status().is_success() {
                break;
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the server never got ready"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Hold connections until the warning comes (each held one is a descriptor).
    let mut held = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while warned(&lines) == 0 {
        assert!(
            std::time::Instant::now() < deadline && held.len() < 250,
            "no warning after {} held connections",
            held.len()
        );
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connect");
        // A complete request: its answer means the server accepted (and checked) it.
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .await
            .expect("request");
        let mut buf = [0u8; 12];
        tokio::io::AsyncReadExt::read_exact(&mut s, &mut buf)
            .await
            .expect("answer");
        held.push(s);
    }
    println!("warned after {} held connections", held.len());
    // More connections near the limit, each accepted and answered: no more warnings.
    for _ in 0..20 {
        let (text, _) = {
            let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .expect("connect");
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                .await
                .expect("request");
            read_until_closed(&mut s, Duration::from_secs(5)).await
        };
        assert!(text.starts_with("HTTP/1.1 200"), "{text:?}");
    }
    drop(held);
    // Stop the server and read its whole log (nothing can arrive after the end).
    child.kill().expect("kill the server");
    let _ = child.wait();
    reader.join().expect("log reader");
    let all = lines.lock().expect("lines").clone();
    let warnings: Vec<&String> = all.iter().filter(|l| l.contains(WARNING)).collect();
    assert_eq!(warnings.len(), 1, "one warning: {warnings:#?}");
    assert!(
        warnings[0].contains("of a limit of 256"),
        "the line names the limit: {}",
        warnings[0]
    );
}

// ---------------------------------------------------------------------------------------------
// Polls and the agenda

#[tokio::test]
async fn poll_and_agenda_bad_input_table_sqlite() {
    poll_and_agenda_bad_input(spawn_app().await).await;
}

#[tokio::test]
async fn poll_and_agenda_bad_input_table_postgres() {
    let db = crate::common::pg::TestDb::fresh().await;
    let app = crate::common::app::spawn_app_on(
        std::sync::Arc::new(tempfile::tempdir().expect("tempdir")),
        db.url.clone(),
        |_| {},
    )
    .await;
    poll_and_agenda_bad_input(app).await;
}

/// Create a poll as `who` (the id), and launch it unless it is to stay a draft.
async fn bad_input_poll(
    app: &TestApp,
    who: &Who,
    meeting: MeetingId,
    kind: Value,
    launch: bool,
) -> u64 {
    let resp = app
        .as_(who, Method::POST, &routes::polls(&meeting))
        .json(&json!({"question": "Hvad synes du?", "kind": kind, "results": "live"}))
        .send()
        .await
        .expect("create poll");
    let g = got(resp).await;
    assert_eq!(g.status, 201, "create poll: {}", g.text);
    let poll = g.body["seq"].as_u64().expect("poll id");
    if launch {
        must(
            app.as_(
                who,
                Method::POST,
                &routes::poll_action(&meeting, &poll, "launch"),
            )
            .send()
            .await
            .expect("launch"),
            200,
            "launch",
        )
        .await;
    }
    poll
}

/// Answers that break a poll's rules, poll and agenda definitions that break theirs, and
/// commands in the wrong lifecycle state: each gets its status and stable code, never a 5xx.
async fn poll_and_agenda_bad_input(app: TestApp) {
    let meeting = app.open_meeting("Afstemninger").await;
    let m = routes::meeting(&meeting);
    let moderator = app.staff(meeting, StaffRole::Moderator, "Mona").await;
    let anne = app.join(meeting, "Anne").await;
    let muted = app.join(meeting, "Mads").await;
    let banned = app.join(meeting, "Bent").await;
    let post = app.post(&anne, meeting, "question", "Et spørgsmål").await;
    for (who, action, body) in [
        (&muted, "mute", json!({"minutes": 60})),
        (&banned, "ban", json!({})),
    ] {
        must(
            app.as_(
                &moderator,
                Method::POST,
                &format!("{m}/participants/{}/{action}", who.id),
            )
            .json(&body)
            .send()
            .await
            .expect(action),
            200,
            action,
        )
        .await;
    }
    let options = |n: usize| (0..n).map(|i| format!("Forslag {i}")).collect::<Vec<_>>();
    let single = json!({"type": "single_choice", "options": options(3)});
    let single_poll = bad_input_poll(&app, &moderator, meeting, single.clone(), true).await;
    let multi = json!({"type": "multiple_choice", "options": options(4), "max_picks": 2});
    let multi_poll = bad_input_poll(&app, &moderator, meeting, multi, true).await;
    let scale = json!({"type": "scale", "max": 5, "low_label": "Slet ikke", "high_label": "Meget"});
    let scale_poll = bad_input_poll(&app, &moderator, meeting, scale, true).await;
    let words_poll = bad_input_poll(
        &app,
        &moderator,
        meeting,
        json!({"type": "word_cloud"}),
        true,
    )
    .await;
    let text_poll = bad_input_poll(
        &app,
        &moderator,
        meeting,
        json!({"type": "open_answer"}),
        true,
    )
    .await;
    let draft_poll = bad_input_poll(&app, &moderator, meeting, single.clone(), false).await;
    let closed_poll = bad_input_poll(&app, &moderator, meeting, single.clone(), true).await;
    must(
        app.as_(
            &moderator,
            Method::POST,
            &routes::poll_action(&meeting, &closed_poll, "close"),
        )
        .send()
        .await
        .expect("close poll"),
        200,
        "close poll",
    )
    .await;

    let answer = |poll: u64| routes::poll_answer(&meeting, &poll);
    let picks = |p: Value| json!({"kind": "choice", "picks": p});
    let words = |w: Value| json!({"kind": "words", "words": w});
    let value = |v: i64| json!({"kind": "scale", "value": v});
    let text = |t: &str| json!({"kind": "text", "text": t});
    let define = |question: &str, kind: Value| json!({"question": question, "kind": kind, "results": "live"});
    let polls = routes::polls(&meeting);
    let agenda = routes::agenda(&meeting);

    let cases = vec![
        // Answers.
        case("two picks on a single-choice poll", Method::PUT, answer(single_poll))
            .who(&anne)
            .json(picks(json!([0, 1])))
            .refused(422, "too_many_choices"),
        case("three picks where two are allowed", Method::PUT, answer(multi_poll))
            .who(&anne)
            .json(picks(json!([0, 1, 2])))
            .refused(422, "too_many_choices"),
        case("the same pick twice counts once", Method::PUT, answer(multi_poll))
            .who(&anne)
            .json(picks(json!([1, 1, 3])))
            .accepted(200),
        case("an option that does not exist", Method::PUT, answer(single_poll))
            .who(&anne)
            .json(picks(json!([3])))
            .refused(422, "validation_failed"),
        case("no pick at all", Method::PUT, answer(multi_poll))
            .who(&anne)
            .json(picks(json!([])))
            .refused(422, "validation_failed"),
        case("a negative pick", Method::PUT, answer(single_poll))
            .who(&anne)
            .json(picks(json!([-1])))
            .refused(400, "invalid_json"),
        case("picks that are not numbers", Method::PUT, answer(single_poll))
            .who(&anne)
            .json(picks(json!(["A"])))
            .refused(400, "invalid_json"),
        case("an answer to a closed poll", Method::PUT, answer(closed_poll))
            .who(&anne)
            .json(picks(json!([0])))
            .refused(409, "poll_closed"),
        // A draft never reaches the public (protocol 3.10): to a citizen it does not exist.
        case("an answer to a draft poll", Method::PUT, answer(draft_poll))
            .who(&anne)
            .json(picks(json!([0])))
            .refused(404, "not_found"),
        case("an answer to a poll that does not exist", Method::PUT, answer(999_999))
            .who(&anne)
            .json(picks(json!([0])))
            .refused(404, "not_found"),
        case("poll id that is not a number", Method::PUT, format!("{m}/polls/første/answer"))
            .who(&anne)
            .json(picks(json!([0])))
            .refused(404, "not_found"),
        case("a word of 30 characters", Method::PUT, answer(words_poll))
            .who(&anne)
            .json(words(json!(["æ".repeat(30)])))
            .accepted(200),
        case("a word of 31 characters", Method::PUT, answer(words_poll))
            .who(&anne)
            .json(words(json!(["æ".repeat(31)])))
            .refused(422, "validation_failed"),
        case("four words", Method::PUT, answer(words_poll))
            .who(&anne)
            .json(words(json!(["havn", "bad", "bro", "kaj"])))
            .refused(422, "too_many_choices"),
        case("no words", Method::PUT, answer(words_poll))
            .who(&anne)
            .json(words(json!([])))
            .refused(422, "validation_failed"),
        case("a blank word", Method::PUT, answer(words_poll))
            .who(&anne)
            .json(words(json!(["  ...  "])))
            .refused(422, "validation_failed"),
        case("a word with a bidi override", Method::PUT, answer(words_poll))
            .who(&anne)
            .json(words(json!(["hav\u{202E}n"])))
            .refused(422, "validation_failed"),
        case("scale value 0", Method::PUT, answer(scale_poll))
            .who(&anne)
            .json(value(0))
            .refused(422, "validation_failed"),
        case("scale value 6 on a 1-5 scale", Method::PUT, answer(scale_poll))
            .who(&anne)
            .json(value(6))
            .refused(422, "validation_failed"),
        case("scale value 256 (not a byte)", Method::PUT, answer(scale_poll))
            .who(&anne)
            .json(value(256))
            .refused(400, "invalid_json"),
        case("scale value 5 on a 1-5 scale", Method::PUT, answer(scale_poll))
            .who(&anne)
            .json(value(5))
            .accepted(200),
        case("open answer of 281 characters", Method::PUT, answer(text_poll))
            .who(&anne)
            .json(text(&"ø".repeat(281)))
            .refused(422, "body_too_long")
            .field("text"),
        case("empty open answer", Method::PUT, answer(text_poll))
            .who(&anne)
            .json(text(" \n "))
            .refused(422, "validation_failed"),
        case("open answer with a control character", Method::PUT, answer(text_poll))
            .who(&anne)
            .json(text("nul\u{0}tegn"))
            .refused(422, "validation_failed"),
        case("a scale answer to a choice poll", Method::PUT, answer(single_poll))
            .who(&anne)
            .json(value(1))
            .refused(422, "validation_failed"),
        case("words for an open-answer poll", Method::PUT, answer(text_poll))
            .who(&anne)
            .json(words(json!(["havn"])))
            .refused(422, "validation_failed"),
        case("a text answer to a word cloud", Method::PUT, answer(words_poll))
            .who(&anne)
            .json(text("havn"))
            .refused(422, "validation_failed"),
        case("an answer of an unknown kind", Method::PUT, answer(single_poll))
            .who(&anne)
            .json(json!({"kind": "vote", "up": true}))
            .refused(400, "invalid_json"),
        case("an answer without a kind", Method::PUT, answer(single_poll))
            .who(&anne)
            .json(json!({"picks": [0]}))
            .refused(400, "invalid_json"),
        case("malformed answer JSON", Method::PUT, answer(single_poll))
            .who(&anne)
            .raw("application/json", r#"{"kind": "choice", "picks": [0"#)
            .refused(400, "invalid_json"),
        case("a banned citizen answers", Method::PUT, answer(single_poll))
            .who(&banned)
            .json(picks(json!([0])))
            .refused(403, "banned"),
        case("a muted citizen answers", Method::PUT, answer(single_poll))
            .who(&muted)
            .json(picks(json!([0])))
            .refused(403, "muted"),
        case("a moderator answers", Method::PUT, answer(single_poll))
            .who(&moderator)
            .json(picks(json!([0])))
            .refused(403, "forbidden"),
        // Poll definitions.
        case("a poll without a question", Method::POST, &polls)
            .who(&moderator)
            .json(define("   ", single.clone()))
            .refused(422, "validation_failed"),
        case("a question of 301 characters", Method::POST, &polls)
            .who(&moderator)
            .json(define(&"s".repeat(301), single.clone()))
            .refused(422, "body_too_long")
            .field("question"),
        case("eleven options", Method::POST, &polls)
            .who(&moderator)
            .json(define("Hvilket?", json!({"type": "single_choice", "options": options(11)})))
            .refused(422, "validation_failed"),
        case("one option", Method::POST, &polls)
            .who(&moderator)
            .json(define("Hvilket?", json!({"type": "single_choice", "options": options(1)})))
            .refused(422, "validation_failed"),
        case("the same option twice, in another case", Method::POST, &polls)
            .who(&moderator)
            .json(define("Hvilket?", json!({"type": "single_choice", "options": ["Havn", "HAVN"]})))
            .refused(422, "validation_failed"),
        case("an empty option", Method::POST, &polls)
            .who(&moderator)
            .json(define("Hvilket?", json!({"type": "single_choice", "options": ["Havn", " "]})))
            .refused(422, "validation_failed"),
        case("an option on two lines", Method::POST, &polls)
            .who(&moderator)
            .json(define("Hvilket?", json!({"type": "single_choice", "options": ["Havn", "Bad\nBro"]})))
            .refused(422, "validation_failed"),
        case("an option of 101 characters", Method::POST, &polls)
            .who(&moderator)
            .json(define("Hvilket?", json!({"type": "single_choice", "options": ["Havn", "o".repeat(101)]})))
            .refused(422, "body_too_long")
            .field("options"),
        case("max_picks 0", Method::POST, &polls)
            .who(&moderator)
            .json(define("Hvilke?", json!({"type": "multiple_choice", "options": options(3), "max_picks": 0})))
            .refused(422, "validation_failed"),
        case("max_picks over the number of options", Method::POST, &polls)
            .who(&moderator)
            .json(define("Hvilke?", json!({"type": "multiple_choice", "options": options(3), "max_picks": 4})))
            .refused(422, "validation_failed"),
        case("a scale to 7", Method::POST, &polls)
            .who(&moderator)
            .json(define("Hvor meget?", json!({"type": "scale", "max": 7})))
            .refused(422, "validation_failed"),
        case("a scale label of 41 characters", Method::POST, &polls)
            .who(&moderator)
            .json(define("Hvor meget?", json!({"type": "scale", "max": 5, "low_label": "l".repeat(41)})))
            .refused(422, "body_too_long")
            .field("low_label"),
        case("a poll kind that does not exist", Method::POST, &polls)
            .who(&moderator)
            .json(define("Hvad?", json!({"type": "ranking", "options": options(3)})))
            .refused(400, "invalid_json"),
        case("choices without options", Method::POST, &polls)
            .who(&moderator)
            .json(define("Hvad?", json!({"type": "single_choice"})))
            .refused(400, "invalid_json"),
        case("results shown in an unknown way", Method::POST, &polls)
            .who(&moderator)
            .json(json!({"question": "Hvad?", "kind": single.clone(), "results": "sometimes"}))
            .refused(400, "invalid_json"),
        case("a poll without a kind", Method::POST, &polls)
            .who(&moderator)
            .json(json!({"question": "Hvad?", "results": "live"}))
            .refused(400, "invalid_json"),
        case("a poll under an agenda item that does not exist", Method::POST, &polls)
            .who(&moderator)
            .json(json!({"question": "Hvad?", "kind": single.clone(), "results": "live", "agenda_item": 999_999}))
            .refused(404, "not_found"),
        // Lifecycle.
        case("edit a launched poll", Method::PUT, routes::poll(&meeting, &single_poll))
            .who(&moderator)
            .json(define("Nyt spørgsmål?", single.clone()))
            .refused(409, "poll_launched"),
        case("delete a launched poll", Method::DELETE, routes::poll(&meeting, &single_poll))
            .who(&moderator)
            .refused(409, "poll_launched"),
        case("launch a closed poll", Method::POST, routes::poll_action(&meeting, &closed_poll, "launch"))
            .who(&moderator)
            .refused(409, "poll_closed"),
        case("close a draft", Method::POST, routes::poll_action(&meeting, &draft_poll, "close"))
            .who(&moderator)
            .refused(409, "poll_not_open"),
        case("publish a draft's results", Method::POST, routes::poll_action(&meeting, &draft_poll, "publish"))
            .who(&moderator)
            .refused(409, "poll_not_open"),
        case("a draft on the big screen", Method::PUT, routes::poll_on_screen(&meeting))
            .who(&moderator)
            .json(json!({"poll": draft_poll}))
            .refused(409, "poll_not_open"),
        case("launch a poll that does not exist", Method::POST, routes::poll_action(&meeting, &999_999, "launch"))
            .who(&moderator)
            .refused(404, "not_found"),
        case("move a poll to a negative place", Method::POST, routes::poll_action(&meeting, &draft_poll, "move"))
            .who(&moderator)
            .json(json!({"position": -1}))
            .refused(400, "invalid_json"),
        // Moderating open answers.
        case("moderate an answer id that does not exist", Method::POST,
            routes::poll_answer_moderation(&meeting, &text_poll, &"0".repeat(32), "hide"))
            .who(&moderator)
            .refused(404, "not_found"),
        case("an unknown moderation action", Method::POST,
            routes::poll_answer_moderation(&meeting, &text_poll, &"0".repeat(32), "delete"))
            .who(&moderator)
            .refused(404, "not_found"),
        case("the answers of a poll that does not exist", Method::GET, routes::poll_answers(&meeting, &999_999))
            .who(&moderator)
            .refused(404, "not_found"),
        // The agenda.
        case("an agenda item without a title", Method::POST, &agenda)
            .who(&moderator)
            .json(json!({"title": "  "}))
            .refused(422, "validation_failed"),
        case("an agenda title on two lines", Method::POST, &agenda)
            .who(&moderator)
            .json(json!({"title": "Første\nAnden"}))
            .refused(422, "validation_failed"),
        case("an agenda title of 201 characters", Method::POST, &agenda)
            .who(&moderator)
            .json(json!({"title": "t".repeat(201)}))
            .refused(422, "body_too_long")
            .field("title"),
        case("an agenda description of 2,001 characters", Method::POST, &agenda)
            .who(&moderator)
            .json(json!({"title": "Punkt", "description": "d".repeat(2001)}))
            .refused(422, "body_too_long")
            .field("description"),
        case("an agenda item without a title field", Method::POST, &agenda)
            .who(&moderator)
            .json(json!({"description": "Uden titel"}))
            .refused(400, "invalid_json"),
        case("a planned start that is no time", Method::POST, &agenda)
            .who(&moderator)
            .json(json!({"title": "Punkt", "planned_start": "klokken otte"}))
            .refused(400, "invalid_json"),
        case("edit an agenda item that does not exist", Method::PUT, routes::agenda_item(&meeting, &999_999))
            .who(&moderator)
            .json(json!({"title": "Punkt"}))
            .refused(404, "not_found"),
        case("an agenda item that does not exist is current", Method::PUT, routes::agenda_current(&meeting))
            .who(&moderator)
            .json(json!({"item": 999_999}))
            .refused(404, "not_found"),
        case("file a question under an item that does not exist", Method::PUT, routes::file_post(&meeting, &post))
            .who(&moderator)
            .json(json!({"item": 999_999}))
            .refused(404, "not_found"),
        case("a question asked under an item that does not exist", Method::POST, routes::posts(&meeting))
            .who(&anne)
            .json(json!({"kind": "question", "body": "Hvornår?", "agenda_item": 999_999}))
            .refused(404, "not_found"),
        case("a comment filed under an agenda item", Method::POST, routes::posts(&meeting))
            .who(&anne)
            .json(json!({"kind": "comment", "body": "Enig.", "agenda_item": 999_999}))
            .refused(422, "validation_failed"),
    ];
    let mut failures = Vec::new();
    for c in &cases {
        if let Err(why) = c.run(&app).await {
            failures.push(format!("{}: {why}", c.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n  {}",
        failures.len(),
        cases.len(),
        failures.join("\n  ")
    );
    app.shutdown().await;
}
