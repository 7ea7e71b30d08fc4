//! Clients for process-level tests of several instances (cluster_faults.rs, rolling_restart.rs):
//! HTTP helpers (meeting, join, post with an `Idempotency-Key` and a typed outcome, readiness),
//! direct reads of the PostgreSQL store, and "watchers": WebSocket clients that resume with
//! `since=<last seq>` whenever their connection ends and record every frame, so a test can
//! check that each client's log is exactly `1..=last` and every acknowledged post is in it once.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use borgermode_protocol::frames::ServerFrame;
use borgermode_protocol::http::CommandAck;
use futures_util::StreamExt;
use serde_json::json;
use sqlx::postgres::PgConnection;
use sqlx::Connection;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

use super::app::cookie_token;
use super::cluster::{Instance, ADMIN_TOKEN};
use super::pg::TestDb;
use super::routes;

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("http client")
}

/// Create and open a meeting as the organizer; its id.
pub async fn open_meeting(http: &reqwest::Client, base: &str, title: &str) -> Uuid {
    let resp = http
        .post(routes::url(base, &routes::meetings()))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({ "title": title, "description": "Fejltest" }))
        .send()
        .await
        .expect("create meeting");
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    assert_eq!(status, 201, "create meeting: {text}");
    let ack: CommandAck = serde_json::from_str(&text).expect("ack");
    let meeting = ack.meeting_id.expect("meeting id").0;
    let resp = http
        .post(routes::url(base, &routes::open(&meeting)))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("open meeting");
    assert!(resp.status().is_success(), "open: {}", resp.status());
    meeting
}

/// Join as a citizen through `base`; the session token.
pub async fn join(http: &reqwest::Client, base: &str, meeting: Uuid, name: &str) -> String {
    let resp = http
        .post(routes::url(base, &routes::join(&meeting)))
        .json(&json!({ "display_name": name }))
        .send()
        .await
        .expect("join");
    assert_eq!(resp.status(), 201, "join {name}");
    cookie_token(&resp).expect("session cookie")
}

/// What became of one post command, as the client saw it. (Details are read through `Debug`
/// in failure messages.)
#[allow(dead_code)]
#[derive(Clone, Debug)]
pub enum Outcome {
    /// 201: committed now.
    Created { post_id: u64 },
    /// 200 with `Idempotent-Replayed`: committed earlier under the same key.
    Replayed { post_id: u64 },
    /// 503: nothing stored; retry (`shutting_down`, `store_unavailable`, `busy`).
    Unavailable { code: String, retry_after: bool },
    /// No answer at all (connection refused or reset, timeout).
    NoAnswer(String),
    /// Anything else: never expected in these tests.
    Other { status: u16, body: String },
}

pub async fn post(
    http: &reqwest::Client,
    base: &str,
    meeting: Uuid,
    token: &str,
    key: &str,
    body: &str,
) -> Outcome {
    let sent = http
        .post(routes::url(base, &routes::posts(&meeting)))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(&json!({ "kind": "comment", "body": body }))
        .send()
        .await;
    let resp = match sent {
        Ok(r) => r,
        Err(e) => return Outcome::NoAnswer(e.to_string()),
    };
    let status = resp.status().as_u16();
    let replayed = resp.headers().contains_key("idempotent-replayed");
    let retry_after = resp.headers().contains_key("retry-after");
    let text = match resp.text().await {
        Ok(t) => t,
        Err(e) => return Outcome::NoAnswer(format!("reading the answer: {e}")),
    };
    let post_id = serde_json::from_str::<CommandAck>(&text)
        .ok()
        .and_then(|a| a.post_id);
    match (status, replayed, post_id) {
        (201, false, Some(post_id)) => Outcome::Created { post_id },
        (200, true, Some(post_id)) => Outcome::Replayed { post_id },
        (503, _, _) => Outcome::Unavailable {
            code: serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| v["code"].as_str().map(str::to_owned))
                .unwrap_or_else(|| format!("(no code: {text})")),
            retry_after,
        },
        _ => Outcome::Other { status, body: text },
    }
}

/// `/readyz`: HTTP status and the `status` field.
pub async fn readiness(http: &reqwest::Client, base: &str) -> Result<(u16, String), String> {
    let resp = http
        .get(format!("{base}/readyz"))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let body: serde_json::Value = resp.json().await.map_err(|e| e.to_string())?;
    Ok((status, body["status"].as_str().unwrap_or("?").to_owned()))
}

/// Wait until every base answers `/readyz` 200 "ready"; how long that took.
pub async fn wait_ready(http: &reqwest::Client, bases: &[String], deadline: Duration) -> Duration {
    let start = Instant::now();
    loop {
        let mut all = true;
        for base in bases {
            if readiness(http, base).await != Ok((200, "ready".to_owned())) {
                all = false;
            }
        }
        if all {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < deadline,
            "instances not ready again within {deadline:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

// ---------------------------------------------------------------------------------------------
// The store, read directly
// ---------------------------------------------------------------------------------------------

pub async fn db_conn(db: &TestDb) -> PgConnection {
    PgConnection::connect(&db.url)
        .await
        .expect("connect to the test database")
}

/// The meeting's last seq as the store has it.
pub async fn store_last_seq(db: &TestDb, meeting: Uuid) -> u64 {
    let mut c = db_conn(db).await;
    let seq: i64 = sqlx::query_scalar("SELECT last_seq FROM meetings WHERE id = $1")
        .bind(meeting)
        .fetch_one(&mut c)
        .await
        .expect("last_seq");
    let _ = c.close().await;
    seq as u64
}

/// Every stored text of the meeting (post bodies, names), with the seqs of the events holding it.
pub async fn store_texts(db: &TestDb, meeting: Uuid) -> HashMap<String, Vec<u64>> {
    let mut c = db_conn(db).await;
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT text, seq FROM contents WHERE meeting_id = $1 ORDER BY seq")
            .bind(meeting)
            .fetch_all(&mut c)
            .await
            .expect("contents");
    let _ = c.close().await;
    let mut texts: HashMap<String, Vec<u64>> = HashMap::new();
    for (text, seq) in rows {
        texts.entry(text).or_default().push(seq as u64);
    }
    texts
}

// ---------------------------------------------------------------------------------------------
// Watchers: resuming WebSocket clients that record what they get
// ---------------------------------------------------------------------------------------------

#[derive(Default)]
pub struct Seen {
    /// Every event seq, in arrival order (duplicates kept).
    pub seqs: Vec<u64>,
    /// When each seq first arrived.
    pub first_at: HashMap<u64, Instant>,
    /// Bodies of `post_created` events, by seq (= post id).
    pub bodies: HashMap<u64, String>,
    /// Highest seq seen: what the client resumes from.
    pub max: u64,
    /// Snapshots received (a client that always gives `since` must never get one).
    pub snapshots: Vec<u64>,
    /// `caught_up` frames received.
    pub caught_up: Vec<u64>,
    /// Each connection: which instance (index into the watcher's list), when its hello came.
    pub connects: Vec<(usize, Instant)>,
    /// How each connection ended, and when.
    pub ends: Vec<(String, Instant)>,
    /// `reconnect` frames (their reason).
    pub reconnect_frames: Vec<String>,
    /// Close codes received.
    pub close_codes: Vec<Option<u16>>,
    pub connected: bool,
}

pub struct Watcher {
    pub name: String,
    /// Index (into `urls`) of the instance it started on.
    pub started_on: usize,
    pub seen: Arc<Mutex<Seen>>,
    pub stop: Arc<AtomicBool>,
    pub task: JoinHandle<()>,
}

impl Watcher {
    /// Watch `urls[start]` (live URLs without query) and resume on the next one in the list
    /// whenever the connection ends.
    pub fn start(name: String, urls: Vec<String>, start: usize) -> Watcher {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let task = tokio::spawn(watch(urls, start, seen.clone(), stop.clone()));
        Watcher {
            name,
            started_on: start,
            seen,
            stop,
            task,
        }
    }

    pub fn seen(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.seen.lock().expect("watcher state")
    }

    /// Whether it has every seq in 1..=last.
    pub fn has_all(&self, last: u64) -> bool {
        let s = self.seen();
        (1..=last).all(|q| s.first_at.contains_key(&q))
    }

    pub async fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = tokio::time::timeout(Duration::from_secs(5), self.task).await;
    }
}

pub async fn watch(
    urls: Vec<String>,
    mut at: usize,
    seen: Arc<Mutex<Seen>>,
    stop: Arc<AtomicBool>,
) {
    let mut wait = Duration::ZERO;
    loop {
        tokio::time::sleep(wait).await;
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let since = seen.lock().expect("watcher state").max;
        let url = format!("{}?since={since}", urls[at]);
        let ws = match tokio::time::timeout(
            Duration::from_secs(5),
            tokio_tungstenite::connect_async(url.as_str()),
        )
        .await
        {
            Ok(Ok((ws, _))) => ws,
            _ => {
                at = (at + 1) % urls.len();
                wait = Duration::from_millis(100);
                continue;
            }
        };
        let (end, hint) = read_stream(ws, at, &seen, &stop).await;
        {
            let mut s = seen.lock().expect("watcher state");
            s.connected = false;
            s.ends.push((end, Instant::now()));
        }
        if stop.load(Ordering::Relaxed) {
            return;
        }
        at = (at + 1) % urls.len();
        wait = hint.unwrap_or(Duration::from_millis(100));
    }
}

/// Read one connection until it ends; how it ended, and the server's reconnect hint.
pub async fn read_stream(
    mut ws: super::app::Ws,
    at: usize,
    seen: &Mutex<Seen>,
    stop: &AtomicBool,
) -> (String, Option<Duration>) {
    let mut hint = None;
    loop {
        let msg = match tokio::time::timeout(Duration::from_millis(200), ws.next()).await {
            Err(_) => {
                if stop.load(Ordering::Relaxed) {
                    let _ = tokio::time::timeout(Duration::from_secs(1), ws.close(None)).await;
                    return ("stopped by the test".into(), hint);
                }
                continue;
            }
            Ok(None) => return ("stream ended without a close frame".into(), hint),
            Ok(Some(Err(e))) => return (format!("error: {e}"), hint),
            Ok(Some(Ok(m))) => m,
        };
        let mut s = seen.lock().expect("watcher state");
        match msg {
            Message::Text(t) => {
                let frame: ServerFrame = match serde_json::from_str(&t) {
                    Ok(f) => f,
                    Err(e) => return (format!("unparsable frame {t}: {e}"), hint),
                };
                match frame {
                    ServerFrame::Hello { .. } => {
                        s.connected = true;
                        s.connects.push((at, Instant::now()));
                    }
                    ServerFrame::Event(e) => {
                        s.seqs.push(e.seq);
                        s.first_at.entry(e.seq).or_insert_with(Instant::now);
                        s.max = s.max.max(e.seq);
                        if e.kind == "post_created" {
                            if let Some(body) = e.posts.first().and_then(|p| p.body.clone()) {
                                s.bodies.insert(e.seq, body);
                            }
                        }
                    }
                    ServerFrame::Snapshot { seq, .. } => s.snapshots.push(seq),
                    ServerFrame::CaughtUp { seq } => s.caught_up.push(seq),
                    ServerFrame::Reconnect {
                        reason,
                        retry_after_ms,
                    } => {
                        s.reconnect_frames.push(reason);
                        hint = Some(Duration::from_millis(retry_after_ms));
                    }
                    _ => {}
                }
            }
            Message::Close(f) => {
                let code = f.map(|f| u16::from(f.code));
                s.close_codes.push(code);
                return (format!("close {code:?}"), hint);
            }
            _ => {}
        }
    }
}

/// Live URLs (without query) of a meeting on these instances.
pub fn live_urls(instances: &[&Instance], meeting: Uuid) -> Vec<String> {
    instances.iter().map(|i| i.ws_url(meeting, None)).collect()
}

/// Start watchers: `placement[i]` is the instance the i-th starts on.
pub fn start_watchers(urls: &[String], placement: &[usize], tag: &str) -> Vec<Watcher> {
    placement
        .iter()
        .enumerate()
        .map(|(i, &at)| Watcher::start(format!("{tag} watcher {i} (on #{at})"), urls.to_vec(), at))
        .collect()
}

/// Wait until every watcher has had its first `caught_up`.
pub async fn wait_watching(watchers: &[Watcher]) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !watchers.iter().all(|w| !w.seen().caught_up.is_empty()) {
        assert!(
            Instant::now() < deadline,
            "watchers did not connect within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Wait until every watcher has every seq 1..=last; how long that took.
pub async fn converge(watchers: &[Watcher], last: u64, deadline: Duration) -> Duration {
    let start = Instant::now();
    loop {
        let behind: Vec<String> = watchers
            .iter()
            .filter(|w| !w.has_all(last))
            .map(|w| {
                let s = w.seen();
                let missing: Vec<u64> =
                    (1..=last).filter(|q| !s.first_at.contains_key(q)).collect();
                format!(
                    "{}: highest {} missing {} (first {:?}); connections {:?}; ends {:?}",
                    w.name,
                    s.max,
                    missing.len(),
                    &missing[..missing.len().min(10)],
                    s.connects.iter().map(|c| c.0).collect::<Vec<_>>(),
                    s.ends.iter().map(|e| &e.0).collect::<Vec<_>>()
                )
            })
            .collect();
        if behind.is_empty() {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < deadline,
            "clients did not converge on seq 1..={last} within {deadline:?}:\n{}",
            behind.join("\n")
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Lost / duplicated / out-of-order counts of one client's log against 1..=last.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub lost: usize,
    pub duplicated: usize,
    pub out_of_order: usize,
    pub beyond: usize,
}

pub fn tally(seqs: &[u64], last: u64) -> Tally {
    let mut count: BTreeMap<u64, usize> = BTreeMap::new();
    for &s in seqs {
        *count.entry(s).or_default() += 1;
    }
    Tally {
        lost: (1..=last).filter(|s| !count.contains_key(s)).count(),
        duplicated: count.values().map(|c| c - 1).sum(),
        out_of_order: seqs.windows(2).filter(|w| w[1] <= w[0]).count(),
        beyond: count.keys().filter(|&&s| s > last).count(),
    }
}

/// Check every watcher's log is exactly 1..=last and no snapshot came; the summed tally.
pub fn check_logs(watchers: &[Watcher], last: u64) -> Tally {
    let mut total = Tally::default();
    let mut problems = Vec::new();
    for w in watchers {
        let s = w.seen();
        let t = tally(&s.seqs, last);
        total.lost += t.lost;
        total.duplicated += t.duplicated;
        total.out_of_order += t.out_of_order;
        total.beyond += t.beyond;
        if t != Tally::default() {
            problems.push(format!("{}: {t:?}", w.name));
        }
        if !s.snapshots.is_empty() {
            problems.push(format!(
                "{}: got snapshot(s) at {:?} although it resumed with since (connections {:?})",
                w.name,
                s.snapshots,
                s.connects.iter().map(|c| c.0).collect::<Vec<_>>()
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "client logs are not exactly 1..={last}:\n{}",
        problems.join("\n")
    );
    total
}

/// Every acknowledged post (key, body, post id) is stored exactly once, under its id, and every
/// client's log has it with its body.
pub async fn check_acknowledged(
    db: &TestDb,
    meeting: Uuid,
    watchers: &[Watcher],
    acked: &[(String, String, u64)],
) {
    let texts = store_texts(db, meeting).await;
    let mut problems = Vec::new();
    for (key, body, post_id) in acked {
        match texts.get(body) {
            Some(seqs) if seqs == &vec![*post_id] => {}
            other => problems.push(format!(
                "{key}: acknowledged as post {post_id}, stored at {other:?}"
            )),
        }
        for w in watchers {
            let s = w.seen();
            if s.bodies.get(post_id) != Some(body) {
                problems.push(format!(
                    "{key}: {} has {:?} at seq {post_id}",
                    w.name,
                    s.bodies.get(post_id)
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} acknowledged posts are not exactly once in the final log:\n{}",
        problems.len(),
        acked.len(),
        problems[..problems.len().min(20)].join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Sessions (issue 14: session invalidation on every instance)
// ---------------------------------------------------------------------------------------------

/// `GET` of the meeting's `me` with a bearer token: status and body.
pub async fn me(http: &reqwest::Client, base: &str, meeting: Uuid, token: &str) -> (u16, String) {
    let resp = http
        .get(routes::url(base, &routes::me(&meeting)))
        .bearer_auth(token)
        .send()
        .await
        .expect("me");
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap_or_default())
}

/// The participant id behind a session token (through `/me`).
pub async fn participant_id(
    http: &reqwest::Client,
    base: &str,
    meeting: Uuid,
    token: &str,
) -> Uuid {
    let (status, body) = me(http, base, meeting, token).await;
    assert_eq!(status, 200, "me: {body}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("me json");
    v["you"]["participant_id"]
        .as_str()
        .or_else(|| v["participant_id"].as_str())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("participant id in {body}"))
}

/// Create a staff link through `base` and exchange it like the page does; (participant, token).
pub async fn staff_session(
    http: &reqwest::Client,
    base: &str,
    meeting: Uuid,
    role: &str,
    name: &str,
) -> (Uuid, String) {
    let resp = http
        .post(routes::url(base, &routes::staff_links(&meeting)))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"role": role, "name": name, "role_line": "Byrådet"}))
        .send()
        .await
        .expect("staff link");
    assert_eq!(resp.status(), 201);
    let link: serde_json::Value = resp.json().await.expect("link");
    let key = link["link"]
        .as_str()
        .and_then(|l| l.split("#key=").nth(1))
        .expect("key in fragment")
        .to_string();
    let participant = link["participant_id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("participant id");
    let resp = http
        .post(routes::url(base, &routes::staff_session()))
        .json(&json!({ "key": key }))
        .send()
        .await
        .expect("exchange");
    assert_eq!(resp.status(), 200);
    (participant, cookie_token(&resp).expect("staff cookie"))
}
