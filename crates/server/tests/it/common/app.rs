//! `spawn_app`: a real borgermode server on 127.0.0.1:0 with its own temporary SQLite file,
//! built through the same `Application::build` as `main`, plus thin HTTP and WebSocket client
//! helpers that speak the `borgermode-protocol` types.

use std::time::Duration;

use borgermode_protocol::frames::ServerFrame;
use borgermode_protocol::http::{
    CreateMeetingRequest, CreatePostRequest, CreateStaffLinkRequest, JoinRequest, SessionResponse,
    StaffSessionRequest,
};
use borgermode_protocol::{Language, MeetingId, ParticipantId, StaffRole};
use borgermode_server::app::ShutdownHandle;
use borgermode_server::{Application, Settings};

use super::client::{join_request, Outcome};
use super::routes;
use futures_util::StreamExt;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789";

pub struct TestApp {
    pub base: String,
    pub port: u16,
    pub http: reqwest::Client,
    pub handle: ShutdownHandle,
    pub state: actix_web::web::Data<borgermode_server::http::api::AppState>,
    pub db_url: String,
    /// Keeps the database directory alive for the test's lifetime.
    pub dir: std::sync::Arc<tempfile::TempDir>,
    pub server: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Test settings: a fresh database, generous limits, short intervals.
pub fn test_settings(db_url: &str) -> Settings {
    let mut s = Settings::for_tests(db_url);
    s.admin_token = Some(ADMIN_TOKEN.into());
    s.posts_per_minute = 100_000;
    s.joins_per_minute_per_ip = 100_000;
    s.connects_per_minute_per_ip = 100_000;
    s.coalesce_ms = 50;
    s.vote_flush_ms = 5;
    s
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = std::sync::Arc::new(tempfile::tempdir().expect("tempdir"));
    let db_url = format!("sqlite:{}", dir.path().join("test.db").display());
    spawn_app_on(dir, db_url, configure).await
}

/// Two instances on one PostgreSQL database, sharing the machine's Redis under a prefix of
/// their own; `configure` adds settings to both.
pub async fn spawn_pair_on(
    db_url: &str,
    configure: impl Fn(&mut Settings) + Clone,
) -> (TestApp, TestApp) {
    let prefix = super::cluster::unique_prefix();
    let start = || {
        let (prefix, configure) = (prefix.clone(), configure.clone());
        spawn_app_on(
            std::sync::Arc::new(tempfile::tempdir().expect("tempdir")),
            db_url.to_string(),
            move |s| {
                s.redis_url = Some("redis://127.0.0.1:6379".into());
                s.redis_prefix = prefix;
                configure(s);
            },
        )
    };
    let a = start().await;
    let b = start().await;
    (a, b)
}

/// Start a server on an existing database (restart tests).
pub async fn spawn_app_on(
    dir: std::sync::Arc<tempfile::TempDir>,
    db_url: String,
    configure: impl FnOnce(&mut Settings),
) -> TestApp {
    let mut settings = test_settings(&db_url);
    configure(&mut settings);
    let app = Application::build(settings).await.expect("build app");
    let port = app.port();
    let handle = app.handle();
    let state = app.state();
    let server = tokio::spawn(app.run_until_stopped());
    TestApp {
        base: format!("http://127.0.0.1:{port}"),
        port,
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client"),
        handle,
        state,
        db_url,
        dir,
        server,
    }
}

/// A participant as a client sees itself: its id and the session token from the cookie.
#[derive(Clone, Debug)]
pub struct Who {
    pub id: ParticipantId,
    pub token: String,
}

pub fn cookie_token(resp: &reqwest::Response) -> Option<String> {
    resp.headers().get_all("set-cookie").iter().find_map(|v| {
        let v = v.to_str().ok()?;
        let first = v.split(';').next()?;
        let (name, value) = first.split_once('=')?;
        (name.starts_with("bm_") && name != "bm_admin").then(|| value.to_string())
    })
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        routes::url(&self.base, path)
    }

    pub fn ws_url(&self, meeting: MeetingId, since: Option<u64>) -> String {
        routes::ws(self.port, &routes::live(&meeting), since)
    }

    /// A request as the organizer (`client.rs` has the typed calls).
    pub fn admin(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.as_admin().raw(method, path)
    }

    /// A request as a participant.
    pub fn as_(&self, who: &Who, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.as_who(who).raw(method, path)
    }

    /// Create a meeting (status draft) and return its id.
    pub async fn create_meeting(&self, title: &str) -> MeetingId {
        let body = CreateMeetingRequest {
            title: title.into(),
            description: "Test meeting".into(),
            starts_at: None,
            ends_at: None,
            language: Language::Da,
            video_url: None,
            settings: Default::default(),
            organization_id: None,
        };
        let ack = self.as_admin().create_meeting(&body).await.accepted();
        ack.meeting_id.expect("meeting id")
    }

    /// Create and open a meeting.
    pub async fn open_meeting(&self, title: &str) -> MeetingId {
        let id = self.create_meeting(title).await;
        self.as_admin().open(id).await.accepted();
        id
    }

    pub async fn join(&self, meeting: MeetingId, name: &str) -> Who {
        self.join_as(meeting, &join_request(name)).await
    }

    /// Join with any join request (age band, gender); the session token from the cookie.
    pub async fn join_as(&self, meeting: MeetingId, body: &JoinRequest) -> Who {
        // Raw, for the session cookie.
        let resp = self
            .anonymous()
            .raw(reqwest::Method::POST, &routes::join(&meeting))
            .json(body)
            .send()
            .await
            .expect("join");
        assert_eq!(resp.status(), 201, "join {}", body.display_name);
        let token = cookie_token(&resp).expect("session cookie");
        let s: SessionResponse = resp.json().await.expect("session");
        Who {
            id: s.you.participant_id,
            token,
        }
    }

    /// Create a staff link and exchange it like the page does.
    pub async fn staff(&self, meeting: MeetingId, role: StaffRole, name: &str) -> Who {
        let request = CreateStaffLinkRequest {
            role,
            name: name.into(),
            role_line: "Byrådet".into(),
        };
        let link = self
            .as_admin()
            .staff_link(meeting, &request)
            .await
            .accepted();
        let key = link
            .link
            .split("#key=")
            .nth(1)
            .expect("key in fragment")
            .to_string();
        let resp = self
            .anonymous()
            .raw(reqwest::Method::POST, &routes::staff_session())
            .json(&StaffSessionRequest { key })
            .send()
            .await
            .expect("exchange");
        assert_eq!(resp.status(), 200);
        let token = cookie_token(&resp).expect("staff cookie");
        Who {
            id: link.participant_id,
            token,
        }
    }

    /// Post and return the post id (panics unless 201).
    pub async fn post(&self, who: &Who, meeting: MeetingId, kind: &str, body: &str) -> u64 {
        let request = CreatePostRequest {
            kind: serde_json::from_value(serde_json::Value::from(kind)).expect("a post kind"),
            body: body.into(),
            parent: None,
            agenda_item: None,
        };
        let ack = self
            .as_who(who)
            .create_post(meeting, &request)
            .await
            .accepted();
        ack.post_id.expect("post id")
    }

    pub async fn shutdown(self) {
        self.handle.shutdown().await;
        let _ = tokio::time::timeout(Duration::from_secs(15), self.server).await;
    }
}

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Open a live-stream WebSocket, optionally as a participant.
pub async fn ws_connect(url: &str, token: Option<&str>) -> Ws {
    let mut req = url.into_client_request().expect("request");
    if let Some(t) = token {
        req.headers_mut().insert(
            "authorization",
            format!("Bearer {t}").parse().expect("header"),
        );
    }
    let (ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("ws connect");
    ws
}

/// [`ws_connect`], then past its `hello` and `snapshot`: every later event reaches it live.
pub async fn ws_connect_live(url: &str, token: Option<&str>) -> Ws {
    let mut ws = ws_connect(url, token).await;
    let hello = next_frame(&mut ws, Duration::from_secs(10)).await;
    assert!(
        matches!(hello, Some(ServerFrame::Hello { .. })),
        "{hello:?}"
    );
    let snapshot = next_frame(&mut ws, Duration::from_secs(10)).await;
    assert!(
        matches!(snapshot, Some(ServerFrame::Snapshot { .. })),
        "{snapshot:?}"
    );
    ws
}

/// The next text message, within `timeout`; the test fails on a timeout, an error or a close.
pub async fn next_text(ws: &mut Ws, timeout: Duration) -> String {
    loop {
        let msg = tokio::time::timeout(timeout, ws.next())
            .await
            .expect("a frame within the timeout")
            .expect("stream open")
            .expect("websocket ok");
        let Message::Text(text) = msg else {
            assert!(!matches!(msg, Message::Close(_)), "closed: {msg:?}");
            continue;
        };
        return text.to_string();
    }
}

/// A response's `Content-Type`, empty without one.
pub fn content_type(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// Next server frame (text), skipping WebSocket control frames; None when closed.
pub async fn next_frame(ws: &mut Ws, timeout: Duration) -> Option<ServerFrame> {
    loop {
        let msg = tokio::time::timeout(timeout, ws.next()).await.ok()??.ok()?;
        match msg {
            Message::Text(t) => {
                return Some(serde_json::from_str(&t).expect("server frame parses"))
            }
            Message::Close(_) => return None,
            _ => continue,
        }
    }
}

/// Reads frames until the event `seq` (or a later one) arrives; hello, snapshot and other frames
/// are skipped. The test fails if the stream ends first or nothing comes within 20 s.
pub async fn until_event(ws: &mut Ws, seq: u64) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        match next_frame(ws, Duration::from_secs(10)).await {
            Some(ServerFrame::Event(e)) if e.seq >= seq => return,
            Some(_) => {}
            None => panic!("stream ended before seq {seq}"),
        }
        assert!(
            std::time::Instant::now() < deadline,
            "seq {seq} did not arrive"
        );
    }
}
