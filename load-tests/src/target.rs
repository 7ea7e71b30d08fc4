//! The system under test, behind one interface: how to set up a meeting, where clients
//! subscribe, how a post is published and how a received text frame is read. borgermode is
//! spoken through the `protocol` crate (the one definition of its wire format); the peers
//! through their own framing (Socket.IO: Engine.IO v4 / Socket.IO v5 over WebSocket; Nchan:
//! each message body as one text frame). See load-tests/peers/README.md.

use std::borrow::Cow;
use std::net::IpAddr;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use borgermode_domain::PostKind;
use borgermode_protocol::frames::ServerFrame;
use borgermode_protocol::http::{
    CommandAck, CreateMeetingRequest, CreatePostRequest, JoinRequest, SettingsPatch, VoteRequest,
};
use borgermode_protocol::lean::{V2Frame, LEAN_PROTOCOL_VERSION};
use serde::{Deserialize, Serialize};

use crate::args::TargetKind;
use crate::conn::source_for;

/// What one received text frame means to the checker.
#[derive(Debug, PartialEq)]
pub enum Decoded {
    /// The client's state is complete up to this seq (snapshot; 0 for peers).
    Start(u64),
    /// An event with its seq; `sent_us` when it is a post of this run (carries its send time).
    Delivery {
        seq: u64,
        sent_us: Option<u64>,
    },
    /// A `since` replay is complete up to this seq.
    CaughtUp(u64),
    /// Coalesced vote counts.
    Votes,
    /// The server asks the client to come back later (it is shutting down or cut it).
    Reconnect,
    /// Send this text back (Socket.IO's namespace connect and pong).
    Reply(&'static str),
    Other,
}

/// The ~200-byte comment the peers broadcast; borgermode gets the same text as a post body.
#[derive(Debug, Serialize, Deserialize)]
pub struct PeerMessage {
    pub seq: u64,
    /// Send time (µs since the epoch).
    pub t: u64,
    pub author: String,
    pub body: String,
}

pub struct Target {
    pub kind: TargetKind,
    /// Base URLs (http://127.0.0.1:PORT) of the instances; clients and posts go round-robin.
    pub urls: Vec<String>,
    /// The meeting (borgermode) or room/channel (peers).
    pub meeting: String,
    /// Session tokens of participants who post (borgermode).
    pub posters: Vec<String>,
    /// borgermode's stream protocol version (`--protocol`): 2 asks for lean frames.
    pub protocol: u32,
    /// One HTTP client per source address (per-address rate limits, port spread).
    http: Vec<reqwest::Client>,
}

fn http_clients(sources: u8) -> anyhow::Result<Vec<reqwest::Client>> {
    (0..sources.max(1) as usize)
        .map(|i| {
            reqwest::Client::builder()
                .local_address(Some(IpAddr::V4(source_for(i, sources))))
                .pool_max_idle_per_host(1024)
                .timeout(Duration::from_secs(30))
                .tcp_nodelay(true)
                .build()
                .context("http client")
        })
        .collect()
}

fn session_token(resp: &reqwest::Response) -> Option<String> {
    resp.headers().get_all("set-cookie").iter().find_map(|v| {
        let first = v.to_str().ok()?.split(';').next()?;
        let (name, value) = first.split_once('=')?;
        (name.starts_with("bm_") && name != "bm_admin").then(|| value.to_string())
    })
}

/// A post body of about `bytes` bytes that starts with its send time and number.
pub fn post_body(sent_us: u64, n: u64, bytes: usize) -> String {
    let mut s = format!("lt{sent_us} n{n} ");
    const FILLER: &str = "Hvornår bliver cykelstien langs Skolevej færdig, og hvad gør kommunen ved trafikken om morgenen? ";
    while s.len() < bytes {
        s.push_str(FILLER);
    }
    let mut cut = bytes.max(s.find(' ').unwrap_or(0) + 1);
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    s.truncate(cut);
    s.trim_end().to_string()
}

/// The send time a post body of this run starts with.
pub fn sent_time(body: &str) -> Option<u64> {
    let rest = body.strip_prefix("lt")?;
    rest.split(' ').next()?.parse().ok()
}

pub struct Published {
    /// borgermode: the log seq of the post; peers: the publisher's own number.
    pub seq: u64,
}

impl Target {
    pub fn client(&self, i: usize) -> &reqwest::Client {
        &self.http[i % self.http.len()]
    }

    pub fn url(&self, i: usize) -> &str {
        &self.urls[i % self.urls.len()]
    }

    /// A target whose meeting already exists (worker processes).
    pub fn attach(
        kind: TargetKind,
        urls: Vec<String>,
        meeting: String,
        sources: u8,
    ) -> anyhow::Result<Target> {
        Ok(Target {
            kind,
            urls,
            meeting,
            posters: Vec::new(),
            protocol: LEAN_PROTOCOL_VERSION,
            http: http_clients(sources)?,
        })
    }

    /// Create the meeting (or pick the room name) and join `posters` participants.
    pub async fn setup(
        kind: TargetKind,
        urls: Vec<String>,
        admin_token: Option<&str>,
        posters: usize,
        sources: u8,
    ) -> anyhow::Result<Target> {
        if urls.is_empty() {
            bail!("no server URL (use --url or --spawn)");
        }
        for u in &urls {
            crate::conn::loopback_addr(u)?;
        }
        let mut t = Target {
            kind,
            urls,
            meeting: format!("loadtest-{:08x}", rand::random::<u32>()),
            posters: Vec::new(),
            protocol: LEAN_PROTOCOL_VERSION,
            http: http_clients(sources)?,
        };
        if kind == TargetKind::Borgermode {
            let token = admin_token.ok_or_else(|| anyhow!("borgermode needs --admin-token"))?;
            t.meeting = t.create_meeting(token).await?;
            t.posters = t.join_many(posters, "Deltager").await?;
        }
        Ok(t)
    }

    async fn create_meeting(&self, admin: &str) -> anyhow::Result<String> {
        let body = CreateMeetingRequest {
            title: "Borgermøde (load test)".into(),
            description: String::new(),
            starts_at: None,
            ends_at: None,
            language: borgermode_domain::Language::Da,
            video_url: None,
            settings: SettingsPatch::default(),
            organization_id: None,
        };
        let base = self.url(0);
        let resp = self
            .client(0)
            .post(format!("{base}/api/meetings"))
            .bearer_auth(admin)
            .json(&body)
            .send()
            .await?;
        if !resp.status().is_success() {
            bail!("create meeting: {} {}", resp.status(), resp.text().await?);
        }
        let ack: CommandAck = resp.json().await?;
        let id = ack
            .meeting_id
            .ok_or_else(|| anyhow!("no meeting id"))?
            .to_string();
        let resp = self
            .client(0)
            .post(format!("{base}/api/meetings/{id}/open"))
            .bearer_auth(admin)
            .send()
            .await?;
        if !resp.status().is_success() {
            bail!("open meeting: {}", resp.status());
        }
        Ok(id)
    }

    /// Join `n` participants (concurrently, spread over instances and source addresses).
    pub async fn join_many(&self, n: usize, name: &str) -> anyhow::Result<Vec<String>> {
        use futures_util::stream::{self, StreamExt, TryStreamExt};
        stream::iter(0..n)
            .map(|i| self.join(i, format!("{name} {}", i + 1)))
            .buffered(32)
            .try_collect()
            .await
    }

    async fn join(&self, i: usize, display_name: String) -> anyhow::Result<String> {
        let body = JoinRequest {
            display_name,
            age_band: None,
            gender: None,
        };
        let url = format!("{}/api/meetings/{}/join", self.url(i), self.meeting);
        for attempt in 0..20u64 {
            let resp = self.client(i).post(&url).json(&body).send().await?;
            if resp.status().as_u16() == 429 || resp.status().as_u16() == 503 {
                tokio::time::sleep(Duration::from_millis(200 * (attempt + 1))).await;
                continue;
            }
            if !resp.status().is_success() {
                bail!("join: {} {}", resp.status(), resp.text().await?);
            }
            return session_token(&resp).ok_or_else(|| anyhow!("join: no session cookie"));
        }
        bail!("join: still rate-limited after 20 attempts")
    }

    /// Speak borgermode's stream protocol `version` (1 or 2).
    pub fn with_protocol(mut self, version: u32) -> Target {
        self.protocol = version;
        self
    }

    /// Where client `i` subscribes (`since` resumes borgermode's stream).
    pub fn subscribe_url(&self, i: usize, since: Option<u64>) -> String {
        let ws = self.url(i).replacen("http", "ws", 1);
        match self.kind {
            TargetKind::Borgermode => {
                let mut query = Vec::new();
                if self.protocol == LEAN_PROTOCOL_VERSION {
                    query.push("v=2".to_string());
                }
                if let Some(s) = since {
                    query.push(format!("since={s}"));
                }
                let query = if query.is_empty() {
                    String::new()
                } else {
                    format!("?{}", query.join("&"))
                };
                format!("{ws}/api/meetings/{}/live{query}", self.meeting)
            }
            TargetKind::Socketio => format!(
                "{ws}/socket.io/?EIO=4&transport=websocket&meeting={}",
                self.meeting
            ),
            TargetKind::Nchan => format!("{ws}/sub/{}", self.meeting),
        }
    }

    /// Publish post number `n` (1-based) through instance/poster `i`. borgermode posts are
    /// retried with the same Idempotency-Key, so a retry never makes a second post.
    pub async fn publish(&self, i: usize, n: u64, bytes: usize) -> anyhow::Result<Published> {
        let sent = crate::stats::now_us();
        let text = post_body(sent, n, bytes);
        match self.kind {
            TargetKind::Borgermode => {
                let token = &self.posters[i % self.posters.len()];
                let url = format!("{}/api/meetings/{}/posts", self.url(i), self.meeting);
                let body = CreatePostRequest {
                    kind: PostKind::Comment,
                    body: text,
                    parent: None,
                    agenda_item: None,
                };
                let key = format!("lt-{}-{n}", self.meeting);
                let r = send_retrying(8, || {
                    self.client(i)
                        .post(&url)
                        .bearer_auth(token)
                        .header("idempotency-key", &key)
                        .json(&body)
                        .send()
                })
                .await
                .map_err(|last| anyhow!("post {n}: {last}"))?;
                let ack: CommandAck = r.json().await?;
                let seq = ack.seq.ok_or_else(|| anyhow!("post ack without seq"))?;
                Ok(Published { seq })
            }
            TargetKind::Socketio | TargetKind::Nchan => {
                let msg = PeerMessage {
                    seq: n,
                    t: sent,
                    author: format!("Deltager {}", i % 150 + 1),
                    body: text,
                };
                let path = if self.kind == TargetKind::Socketio {
                    "publish"
                } else {
                    "pub"
                };
                let url = format!("{}/{path}/{}", self.url(i), self.meeting);
                // The publisher is the application's backend, not a phone: it publishes from
                // 127.0.0.1 (Nchan's publisher location only admits that address).
                let r = self.client(0).post(&url).json(&msg).send().await?;
                if !r.status().is_success() {
                    bail!("publish {n}: {}", r.status());
                }
                Ok(Published { seq: n })
            }
        }
    }

    /// Like or unlike `post` as the voter with `token`. Returns whether it was accepted.
    pub async fn vote(&self, i: usize, token: &str, post: u64, up: bool) -> anyhow::Result<bool> {
        let url = format!(
            "{}/api/meetings/{}/posts/{post}/vote",
            self.url(i),
            self.meeting
        );
        let r = self
            .client(i)
            .put(&url)
            .bearer_auth(token)
            .json(&VoteRequest { up })
            .send()
            .await?;
        Ok(r.status().is_success())
    }

    /// The first frame a peer client expects before it counts as subscribed. borgermode sends
    /// `hello` + `snapshot`; Socket.IO answers the namespace connect; Nchan sends nothing.
    pub fn starts_at_connect(&self) -> bool {
        self.kind == TargetKind::Nchan
    }

    /// What a frame means to the checker: its type, seq and the send time of a post, read
    /// without parsing the rest ([`glance`]). [`Target::decode_in_full`] parses it through the
    /// protocol crate; subscribers compare the two on a sample of frames.
    pub fn decode(&self, text: &str) -> Decoded {
        match self.kind {
            TargetKind::Borgermode => glance(text),
            _ => self.decode_in_full(text),
        }
    }

    /// [`Target::decode`] through the protocol crate's full types.
    pub fn decode_in_full(&self, text: &str) -> Decoded {
        match self.kind {
            TargetKind::Borgermode if self.protocol == LEAN_PROTOCOL_VERSION => decode_lean(text),
            TargetKind::Borgermode => decode_borgermode(text),
            TargetKind::Socketio => decode_socketio(text),
            TargetKind::Nchan => match serde_json::from_str::<PeerMessage>(text) {
                Ok(m) => Decoded::Delivery {
                    seq: m.seq,
                    sent_us: Some(m.t),
                },
                Err(_) => Decoded::Other,
            },
        }
    }
}

/// What the checker needs of a borgermode frame, in either protocol version: `t`, `seq`, the
/// event `type` and the bodies of its posts; serde skips every other field unparsed.
/// `t` and `type` are plain identifiers (never escaped), so they borrow as `&str`; a body may
/// hold escapes, so it is a `Cow` (borrowed unless it does), and may be `null` (a hidden post in
/// version 1). serde borrows a `Cow` only when told to, and not through `Option`: hence
/// [`optional_borrowed`], or every body of a snapshot would be copied.
#[derive(Deserialize)]
struct Glance<'a> {
    #[serde(borrow)]
    t: &'a str,
    seq: Option<u64>,
    #[serde(rename = "type", borrow, default)]
    kind: Option<&'a str>,
    #[serde(borrow, default)]
    posts: Vec<GlancePost<'a>>,
}

#[derive(Deserialize)]
struct GlancePost<'a> {
    #[serde(borrow, default, deserialize_with = "optional_borrowed")]
    body: Option<Cow<'a, str>>,
}

/// An optional string, borrowed from the frame unless it holds escapes.
fn optional_borrowed<'de, D>(d: D) -> Result<Option<Cow<'de, str>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    #[derive(Deserialize)]
    struct Borrowed<'a>(#[serde(borrow)] Cow<'a, str>);
    Option::<Borrowed>::deserialize(d).map(|o| o.map(|b| b.0))
}

/// Decode a borgermode frame from a [`Glance`]. Why not the protocol crate's types: at
/// 100,000 frames a second the generator spent most of its core building full views (serde's
/// buffering of internally tagged enums, every timestamp parsed by chrono), and a generator near
/// its core's limit measures its own queueing (issue 17). The full decode still runs on a
/// sample of frames (`subscriber.rs`), so a frame that breaks the protocol is noticed.
fn glance(text: &str) -> Decoded {
    let Ok(g) = serde_json::from_str::<Glance>(text) else {
        return Decoded::Other;
    };
    match (g.t, g.seq) {
        ("snapshot", Some(seq)) => Decoded::Start(seq),
        ("event", Some(seq)) => Decoded::Delivery {
            seq,
            sent_us: post_sent_time(
                g.kind.unwrap_or_default(),
                g.posts.last().and_then(|p| p.body.as_deref()),
            ),
        },
        ("caught_up", Some(seq)) => Decoded::CaughtUp(seq),
        ("votes", _) => Decoded::Votes,
        ("reconnect", _) => Decoded::Reconnect,
        _ => Decoded::Other,
    }
}

/// The send time carried by a new post of this run: only `post_created` events deliver one,
/// and the new post is the last of the event's posts.
fn post_sent_time(kind: &str, last_body: Option<&str>) -> Option<u64> {
    if kind == "post_created" {
        last_body.and_then(sent_time)
    } else {
        None
    }
}

/// A version 2 stream: lean `event` frames (the new post is the last in `posts`, its body in
/// full), every other frame as in version 1. Only the body is needed here, so the authors are
/// not expanded.
fn decode_lean(text: &str) -> Decoded {
    match V2Frame::parse(text) {
        Ok(V2Frame::Event(e)) => {
            let sent_us = post_sent_time(&e.kind, e.posts.last().and_then(|p| p.body.as_deref()));
            Decoded::Delivery {
                seq: e.seq,
                sent_us,
            }
        }
        Ok(V2Frame::Other(f)) => decode_frame(f),
        Err(_) => Decoded::Other,
    }
}

fn decode_borgermode(text: &str) -> Decoded {
    match serde_json::from_str::<ServerFrame>(text) {
        Ok(f) => decode_frame(f),
        Err(_) => Decoded::Other,
    }
}

fn decode_frame(f: ServerFrame) -> Decoded {
    match f {
        ServerFrame::Snapshot { seq, .. } => Decoded::Start(seq),
        ServerFrame::Event(e) => {
            let sent_us = post_sent_time(&e.kind, e.posts.last().and_then(|p| p.body.as_deref()));
            Decoded::Delivery {
                seq: e.seq,
                sent_us,
            }
        }
        ServerFrame::CaughtUp { seq } => Decoded::CaughtUp(seq),
        ServerFrame::Votes { .. } => Decoded::Votes,
        ServerFrame::Reconnect { .. } => Decoded::Reconnect,
        _ => Decoded::Other,
    }
}

/// Engine.IO v4 packet types: 0 open, 2 ping, 3 pong, 4 message; Socket.IO v5 inside a
/// message: 0 connect, 2 event. So `40` is "connected to /", `42[...]` an event.
fn decode_socketio(text: &str) -> Decoded {
    if let Some(event) = text.strip_prefix("42") {
        let Ok((_, msg)) = serde_json::from_str::<(String, PeerMessage)>(event) else {
            return Decoded::Other;
        };
        return Decoded::Delivery {
            seq: msg.seq,
            sent_us: Some(msg.t),
        };
    }
    match text.as_bytes().first() {
        Some(b'0') => Decoded::Reply("40"),
        Some(b'2') => Decoded::Reply("3"),
        Some(b'4') if text.starts_with("40") => Decoded::Start(0),
        _ => Decoded::Other,
    }
}

/// Send a request until it succeeds, retrying 503 and 429 (the server shedding load) up to
/// `attempts` times with a growing pause; any other failure ends it. The error is the last
/// status and body (or transport error) seen.
pub async fn send_retrying<F, Fut>(attempts: u64, mut send: F) -> Result<reqwest::Response, String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = reqwest::Result<reqwest::Response>>,
{
    let mut last = String::new();
    for attempt in 0..attempts {
        match send().await {
            Ok(r) if r.status().is_success() => return Ok(r),
            Ok(r) => {
                let status = r.status();
                last = format!("{status} {}", r.text().await.unwrap_or_default());
                if status.as_u16() != 503 && status.as_u16() != 429 {
                    break;
                }
            }
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(std::time::Duration::from_millis(100 * (attempt + 1))).await;
    }
    Err(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn post_body_carries_its_send_time_and_has_the_asked_size() {
        let b = post_body(1_732_551_234_567_890, 42, 200);
        assert_eq!(sent_time(&b), Some(1_732_551_234_567_890));
        assert!(b.len() <= 200 && b.len() >= 190, "{}", b.len());
        assert!(b.contains(" n42 "));
    }

    #[test]
    fn socketio_framing() {
        assert_eq!(
            decode_socketio(
                r#"0{"sid":"x","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#
            ),
            Decoded::Reply("40")
        );
        assert_eq!(decode_socketio(r#"40{"sid":"y"}"#), Decoded::Start(0));
        assert_eq!(decode_socketio("2"), Decoded::Reply("3"));
        assert_eq!(
            decode_socketio(r#"42["comment",{"seq":7,"t":99,"author":"a","body":"b"}]"#),
            Decoded::Delivery {
                seq: 7,
                sent_us: Some(99)
            }
        );
        assert_eq!(decode_socketio("42[garbage"), Decoded::Other);
    }

    #[test]
    fn borgermode_frames_through_the_protocol_crate() {
        assert_eq!(
            decode_borgermode(r#"{"t":"caught_up","seq":12}"#),
            Decoded::CaughtUp(12)
        );
        assert_eq!(
            decode_borgermode(
                r#"{"t":"event","seq":5,"at":"2026-11-25T10:00:00Z","type":"participant_joined","redacted":true}"#
            ),
            Decoded::Delivery {
                seq: 5,
                sent_us: None
            }
        );
        assert_eq!(decode_borgermode("not json"), Decoded::Other);
    }

    /// The glance agrees with the full decode on every kind of frame, in both versions.
    #[test]
    fn the_glance_reads_what_the_full_decode_reads() {
        let body = post_body(1_732_551_234_567_890, 3, 200);
        let frames = [
            format!(r#"{{"t":"event","seq":9,"at":"2026-11-25T10:00:00Z","type":"post_created","posts":[{{"id":9,"by":4,"body":"{body}"}}],"counters":{{"comments":3}}}}"#),
            r#"{"t":"caught_up","seq":12}"#.to_string(),
            r#"{"t":"votes","counts":[[9,1]]}"#.to_string(),
            r#"{"t":"reconnect","reason":"shutdown","retry_after_ms":500}"#.to_string(),
            r#"{"t":"event","seq":5,"at":"2026-11-25T10:00:00Z","type":"participant_joined","redacted":true}"#.to_string(),
            r#"{"t":"pong"}"#.to_string(),
            "not json".to_string(),
            r#"{"t":"event","seq":"x"}"#.to_string(),
        ];
        for f in &frames {
            assert_eq!(glance(f), decode_lean(f), "{f}");
        }
        // Version 1: full post views (a hidden one with `"body": null`), a snapshot, a notice.
        let view = |id: u64, body: Option<&str>| {
            let v = serde_json::json!({
                "id": id, "kind": "question", "parent": null,
                "author": {"participant_id": null, "name": "Karen", "role": "citizen",
                    "role_line": null, "verified": false},
                "source": "online", "body": body, "created_at": "2026-11-25T10:00:00Z",
                "status": if body.is_some() { "visible" } else { "hidden" },
                "hidden_reason": body.is_none().then_some("off_topic"),
                "votes": 0, "question": null, "reply_count": 0
            });
            // A view as the server sends it (else the comparison below proves nothing).
            serde_json::from_value::<borgermode_protocol::views::PostView>(v.clone())
                .expect("a valid post view");
            v
        };
        let v1 = [
            serde_json::json!({"t": "event", "seq": 9, "at": "2026-11-25T10:00:00Z",
                "type": "post_created", "posts": [view(9, Some(&body))]})
            .to_string(),
            serde_json::json!({"t": "event", "seq": 10, "at": "2026-11-25T10:00:00Z",
                "type": "post_hidden", "posts": [view(9, None)]})
            .to_string(),
            serde_json::json!({"t": "notice", "seq": 11, "kind": "answered"}).to_string(),
        ];
        for f in &v1 {
            assert_eq!(glance(f), decode_borgermode(f), "{f}");
        }
        assert_eq!(
            decode_borgermode(&v1[1]),
            Decoded::Delivery {
                seq: 10,
                sent_us: None
            }
        );
        assert_eq!(
            glance(&v1[0]),
            Decoded::Delivery {
                seq: 9,
                sent_us: Some(1_732_551_234_567_890)
            }
        );
        let snapshot = serde_json::json!({"t": "snapshot", "seq": 40, "meeting": {},
            "posts": [view(9, None), view(12, Some("a \"quoted\" body"))], "watching": 3})
        .to_string();
        assert_eq!(glance(&snapshot), Decoded::Start(40));
        // A body with escapes is still read (owned, not borrowed).
        let escaped = format!(
            r#"{{"t":"event","seq":2,"at":"2026-11-25T10:00:00Z","type":"post_created","posts":[{{"id":2,"by":1,"body":"{}\n\"x\""}}]}}"#,
            body.trim_end()
        );
        assert_eq!(
            glance(&escaped),
            Decoded::Delivery {
                seq: 2,
                sent_us: Some(1_732_551_234_567_890)
            }
        );
    }

    #[test]
    fn lean_frames_through_the_protocol_crate() {
        let body = post_body(1_732_551_234_567_890, 3, 200);
        let frame = format!(
            r#"{{"t":"event","seq":9,"at":"2026-11-25T10:00:00Z","type":"post_created","posts":[{{"id":9,"by":4,"body":"{body}"}}],"counters":{{"comments":3}}}}"#
        );
        assert_eq!(
            decode_lean(&frame),
            Decoded::Delivery {
                seq: 9,
                sent_us: Some(1_732_551_234_567_890)
            }
        );
        // The other frames keep their version 1 shape.
        assert_eq!(
            decode_lean(r#"{"t":"caught_up","seq":12}"#),
            Decoded::CaughtUp(12)
        );
        assert_eq!(
            decode_lean(r#"{"t":"votes","counts":[[9,1]]}"#),
            Decoded::Votes
        );
        // A redacted event is the same in both versions.
        assert!(matches!(
            decode_lean(
                r#"{"t":"event","seq":5,"at":"2026-11-25T10:00:00Z","type":"participant_joined","redacted":true}"#
            ),
            Decoded::Delivery {
                seq: 5,
                sent_us: None
            }
        ));
    }
}
