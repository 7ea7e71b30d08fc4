#![allow(clippy::print_stdout)]
//! Several `borgermode` processes sharing one PostgreSQL and one Redis (issue 3, tests 1, 4, 8
//! and 9, plus presence and vote counts across instances).
//!
//! Real processes, real databases, no mocks: every test has a fresh PostgreSQL database of its
//! own ([`TestDb`], dropped at the end) and a Redis channel prefix of its own on the machine's
//! Redis (pub/sub ignores the database number), and its `borgermode` processes are killed when
//! the test ends (the instances drop before the database).
//!
//! Deadlines are generous (a loaded 2-core machine running a debug build); measured times are
//! printed, never asserted.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::app::{cookie_token, next_frame, ws_connect, Who, Ws};
use crate::common::cluster::{unique_prefix, Instance, ADMIN_TOKEN};
use crate::common::pg::TestDb;
use crate::common::routes;
use borgermode_domain::{Event, EventKind};
use borgermode_protocol::frames::ServerFrame;
use borgermode_protocol::http::{
    CommandAck, CreateMeetingRequest, JoinRequest, MeetingStateResponse, SessionResponse,
    StaffLinkResponse, StaffSessionRequest, VoteResponse,
};
use borgermode_protocol::views::MeetingView;
use borgermode_protocol::{Language, MeetingId, StaffRole};
use borgermode_server::bus::BusMessage;
use borgermode_server::store::postgres::PostgresStore;
use borgermode_server::store::LogStore;
use futures_util::StreamExt;
use rand::seq::SliceRandom;
use tokio::sync::{oneshot, watch};
use tokio_tungstenite::tungstenite::Message;

/// The machine's Redis; tests isolate themselves by channel prefix.
const MACHINE_REDIS: &str = "redis://127.0.0.1:6379";
/// Longest wait for anything (a frame, a convergence).
const WAIT: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------------------------
// Topology and HTTP helpers
// ---------------------------------------------------------------------------------------------

/// Two instances on one fresh database and one Redis prefix. Fields drop in declaration order:
/// the instances are killed before their database is dropped.
struct Cluster {
    a: Instance,
    b: Instance,
    http: reqwest::Client,
    db: TestDb,
}

impl Cluster {
    async fn start(extra: &[&str]) -> Cluster {
        let db = TestDb::fresh().await;
        let prefix = unique_prefix();
        let a = Instance::start(&db.url, MACHINE_REDIS, &prefix, extra).await;
        let b = Instance::start(&db.url, MACHINE_REDIS, &prefix, extra).await;
        Cluster {
            a,
            b,
            http: http_client(),
            db,
        }
    }

    /// A for even `i`, B for odd.
    fn pick(&self, i: usize) -> &Instance {
        [&self.a, &self.b][i % 2]
    }

    fn name(&self, i: usize) -> &'static str {
        ["A", "B"][i % 2]
    }
}

fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(WAIT)
        .build()
        .expect("http client")
}

/// A store handle of the test's own on the cluster's database: the source of truth to check
/// the instances against (and to take real events from).
async fn store_of(db: &TestDb) -> PostgresStore {
    PostgresStore::connect_with(&db.url, 2)
        .await
        .expect("connect to the test database")
}

/// Create and open a meeting through `inst` as the organizer.
async fn open_meeting(http: &reqwest::Client, base: &str, title: &str) -> MeetingId {
    let body = CreateMeetingRequest {
        title: title.into(),
        description: "Cluster test".into(),
        starts_at: None,
        ends_at: None,
        language: Language::Da,
        video_url: None,
        settings: Default::default(),
        organization_id: None,
    };
    let resp = http
        .post(routes::url(base, &routes::meetings()))
        .bearer_auth(ADMIN_TOKEN)
        .json(&body)
        .send()
        .await
        .expect("create meeting");
    assert_eq!(resp.status(), 201, "create meeting");
    let ack: CommandAck = resp.json().await.expect("ack");
    let id = ack.meeting_id.expect("meeting id");
    let resp = http
        .post(routes::url(base, &routes::open(&id)))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("open");
    assert_eq!(resp.status(), 200, "open meeting");
    id
}

/// Join as a citizen through `inst`.
async fn join(http: &reqwest::Client, base: &str, meeting: MeetingId, name: &str) -> Who {
    let resp = http
        .post(routes::url(base, &routes::join(&meeting)))
        .json(&JoinRequest {
            display_name: name.into(),
            age_band: None,
            gender: None,
        })
        .send()
        .await
        .expect("join");
    assert_eq!(resp.status(), 201, "join {name} via {}", base);
    let token = cookie_token(&resp).expect("session cookie");
    let s: SessionResponse = resp.json().await.expect("session");
    Who {
        id: s.you.participant_id,
        token,
    }
}

/// A staff member: the link is made and exchanged through `inst`.
async fn staff(
    http: &reqwest::Client,
    base: &str,
    meeting: MeetingId,
    role: StaffRole,
    name: &str,
) -> Who {
    let resp = http
        .post(routes::url(base, &routes::staff_links(&meeting)))
        .bearer_auth(ADMIN_TOKEN)
        .json(&serde_json::json!({"role": role, "name": name}))
        .send()
        .await
        .expect("staff link");
    assert_eq!(resp.status(), 201, "staff link");
    let link: StaffLinkResponse = resp.json().await.expect("link");
    let key = link
        .link
        .split("#key=")
        .nth(1)
        .expect("key in the fragment")
        .to_string();
    let resp = http
        .post(routes::url(base, &routes::staff_session()))
        .json(&StaffSessionRequest { key })
        .send()
        .await
        .expect("staff session");
    assert_eq!(resp.status(), 200, "staff session");
    Who {
        id: link.participant_id,
        token: cookie_token(&resp).expect("staff cookie"),
    }
}

/// An acknowledged post.
#[derive(Clone, Debug)]
struct Posted {
    post_id: u64,
    seq: u64,
    /// 503 answers (busy, store_unavailable) that were retried with the same key.
    retries: usize,
}

/// A refused command: HTTP status and problem code.
#[derive(Debug, PartialEq, Eq)]
struct Refused {
    status: u16,
    code: String,
}

/// Post a comment through `inst` with an idempotency key, retrying 503 answers with the same
/// key like a client following docs/protocol.md ("wait Retry-After, retry the same request").
/// A request that never got an answer (the connection closed under it: a pooled keep-alive
/// connection the server had just closed) is retried the same way, a few times: with the same
/// key it cannot post twice, which is what this test checks.
async fn post(
    http: &reqwest::Client,
    base: &str,
    who: &Who,
    meeting: MeetingId,
    body: &str,
    key: &str,
) -> Result<Posted, Refused> {
    let mut retries = 0;
    let mut unanswered = 0;
    loop {
        let sent = http
            .post(routes::url(base, &routes::posts(&meeting)))
            .bearer_auth(&who.token)
            .header("Idempotency-Key", key)
            .json(&serde_json::json!({"kind": "comment", "body": body}))
            .send()
            .await;
        let resp = match sent {
            Ok(resp) => resp,
            Err(e) if unanswered < 5 && (e.is_request() || e.is_connect()) => {
                unanswered += 1;
                eprintln!("post {key}: no answer ({e}); retry {unanswered} with the same key");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
            Err(e) => panic!("post request: {e:?}"),
        };
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let text = resp.text().await.unwrap_or_default();
        match status {
            200 | 201 => {
                let ack: CommandAck = serde_json::from_str(&text).expect("ack");
                return Ok(Posted {
                    post_id: ack.post_id.expect("post id in the ack"),
                    seq: ack.seq.expect("seq in the ack"),
                    retries,
                });
            }
            503 if retries < 100 => {
                retries += 1;
                // Honour Retry-After, capped so a contended test does not crawl.
                let wait = retry_after.map_or(100, |s| (s * 1000).min(500));
                tokio::time::sleep(Duration::from_millis(wait)).await;
            }
            _ => {
                let code = serde_json::from_str::<serde_json::Value>(&text)
                    .ok()
                    .and_then(|v| v["code"].as_str().map(str::to_owned))
                    .unwrap_or(text);
                return Err(Refused { status, code });
            }
        }
    }
}

/// The meeting as `inst` has it in memory (its seq shows how far that instance got).
async fn meeting_view(http: &reqwest::Client, base: &str, meeting: MeetingId) -> MeetingView {
    http.get(routes::url(base, &routes::meeting(&meeting)))
        .send()
        .await
        .expect("get meeting")
        .json()
        .await
        .expect("meeting view")
}

/// Wait until `inst` has applied the log up to `seq`; returns how long that took.
async fn wait_for_seq(
    http: &reqwest::Client,
    base: &str,
    meeting: MeetingId,
    seq: u64,
) -> Duration {
    let started = Instant::now();
    loop {
        let have = meeting_view(http, base, meeting).await.seq;
        if have >= seq {
            assert_eq!(have, seq, "{} is past the last seq", base);
            return started.elapsed();
        }
        assert!(
            started.elapsed() < WAIT,
            "{} stuck at seq {have}, log at {seq}",
            base
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Check the stored log: seqs exactly 1..=n; returns the `post_created` events by seq with
/// their body text.
fn check_log(events: &[Event]) -> BTreeMap<u64, Option<String>> {
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    let expected: Vec<u64> = (1..=events.len() as u64).collect();
    assert!(
        seqs == expected,
        "the stored log is not exactly 1..={}: first differences {:?}",
        events.len(),
        seqs.iter()
            .zip(&expected)
            .filter(|(a, b)| a != b)
            .take(5)
            .collect::<Vec<_>>()
    );
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::PostCreated { body, .. } => Some((e.seq, body.text.clone())),
            _ => None,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// A live client that checks order, gaps and duplicates, and resumes like a real one
// ---------------------------------------------------------------------------------------------

/// The seq and type of an `event` frame, read from its first bytes.
///
/// Why: 200 clients × 2,000 events are 400,000 frames; parsing each one completely in a debug
/// build makes the test client, not the servers, the bottleneck. serde writes the fields in
/// declaration order, so an event frame starts `{"t":"event","seq":N,"at":"…","type":"…"`.
/// Anything else takes the full parse, and every 64th event frame of every client is checked
/// against the full parse, so this shortcut cannot quietly report the wrong thing.
fn event_head(text: &str) -> Option<(u64, &str)> {
    let rest = text.strip_prefix(r#"{"t":"event","seq":"#)?;
    let digits = rest.find(|c: char| !c.is_ascii_digit())?;
    let seq = rest[..digits].parse().ok()?;
    let rest = &rest[digits..];
    let at = rest.find(r#","type":""#)?;
    let rest = &rest[at + r#","type":""#.len()..];
    let end = rest.find('"')?;
    Some((seq, &rest[..end]))
}

/// What one live client saw.
#[derive(Debug, Default)]
struct Seen {
    label: String,
    /// The seq of the snapshot the client started from.
    start_seq: u64,
    /// Event seqs in arrival order (across resumes).
    seqs: Vec<u64>,
    /// Seqs of the `post_created` events.
    posts: Vec<u64>,
    /// Text frames of any kind.
    frames: usize,
    resumes: usize,
    /// Close codes the server sent (4000 = too slow, resumable).
    closes: Vec<u16>,
    /// Frames or closes that should not have come.
    unexpected: Vec<String>,
}

struct Watcher {
    label: String,
    /// The live WebSocket of the client's instance.
    url: String,
}

impl Watcher {
    fn url(&self, since: Option<u64>) -> String {
        match since {
            Some(s) => format!("{}?since={s}", self.url),
            None => self.url.clone(),
        }
    }

    /// Watch until the final seq (sent through `target`) has arrived, then linger briefly to
    /// catch anything sent twice. `ready` gets the snapshot seq once the client is subscribed.
    async fn run(
        self,
        mut target: watch::Receiver<Option<u64>>,
        ready: oneshot::Sender<u64>,
    ) -> Seen {
        let mut seen = Seen {
            label: self.label.clone(),
            ..Seen::default()
        };
        let mut ws = ws_connect(&self.url(None), None).await;
        let mut ready = Some(ready);
        let mut last: Option<u64> = None;
        let mut lingering: Option<tokio::time::Instant> = None;
        let mut events = 0usize;
        // Heartbeat pings are messages too: the deadline runs from the last text frame.
        let mut heard = tokio::time::Instant::now();
        loop {
            if lingering.is_none() {
                if let (Some(t), Some(l)) = (*target.borrow(), last) {
                    if l >= t {
                        lingering = Some(tokio::time::Instant::now() + Duration::from_millis(300));
                    }
                }
            }
            let deadline = lingering.unwrap_or(heard + WAIT);
            let msg = tokio::select! {
                msg = tokio::time::timeout_at(deadline, ws.next()) => msg,
                _ = target.changed(), if lingering.is_none() => continue,
            };
            let msg = match msg {
                Err(_) if lingering.is_some() => break,
                Err(_) => {
                    seen.unexpected.push(format!(
                        "no frame for {WAIT:?} (last seq {last:?}, final {:?})",
                        *target.borrow()
                    ));
                    break;
                }
                Ok(Some(Ok(m))) => m,
                // Closed (too slow): resume after the last seq we have, like a real client.
                Ok(None) | Ok(Some(Err(_))) => {
                    seen.resumes += 1;
                    if seen.resumes > 50 {
                        seen.unexpected.push("resumed more than 50 times".into());
                        break;
                    }
                    let Some(since) = last else {
                        seen.unexpected.push("closed before the snapshot".into());
                        break;
                    };
                    ws = ws_connect(&self.url(Some(since)), None).await;
                    heard = tokio::time::Instant::now();
                    continue;
                }
            };
            let text = match msg {
                Message::Text(t) => t,
                Message::Close(Some(close)) => {
                    let code = u16::from(close.code);
                    if code != 4000 {
                        seen.unexpected.push(format!("closed with {code}"));
                    }
                    seen.closes.push(code);
                    continue; // the stream ends next
                }
                _ => continue,
            };
            seen.frames += 1;
            heard = tokio::time::Instant::now();
            let fast = event_head(&text);
            let sample = events % 64;
            let check_fast = fast.is_some() && sample == 0;
            let (seq, kind) = match fast {
                Some((seq, kind)) if !check_fast => (seq, kind.to_owned()),
                _ => match serde_json::from_str::<ServerFrame>(&text) {
                    Ok(ServerFrame::Event(e)) => {
                        if let Some((s, k)) = fast {
                            assert_eq!((s, k), (e.seq, e.kind.as_str()), "event_head: {text}");
                        }
                        (e.seq, e.kind)
                    }
                    Ok(ServerFrame::Snapshot { seq, .. }) => {
                        if last.is_some() {
                            seen.unexpected.push(format!("second snapshot at {seq}"));
                        }
                        seen.start_seq = seq;
                        last = Some(seq);
                        if let Some(r) = ready.take() {
                            let _ = r.send(seq);
                        }
                        continue;
                    }
                    Ok(ServerFrame::CaughtUp { seq }) => {
                        if Some(seq) != last {
                            seen.unexpected
                                .push(format!("caught_up {seq} but last seq {last:?}"));
                        }
                        continue;
                    }
                    Ok(ServerFrame::Error { code, message }) => {
                        seen.unexpected.push(format!("error {code}: {message}"));
                        continue;
                    }
                    Ok(_) => continue, // hello, votes, presence, notice, pong, reconnect
                    Err(e) => {
                        seen.unexpected
                            .push(format!("unparsable frame ({e}): {text}"));
                        continue;
                    }
                },
            };
            events += 1;
            seen.seqs.push(seq);
            if kind == "post_created" {
                seen.posts.push(seq);
            }
            last = Some(last.map_or(seq, |l| l.max(seq)));
        }
        seen
    }
}

/// Start a watcher and wait until it is subscribed; returns its task.
async fn start_watcher(
    label: String,
    url: String,
    target: &watch::Receiver<Option<u64>>,
) -> tokio::task::JoinHandle<Seen> {
    let (ready_tx, ready_rx) = oneshot::channel();
    let w = Watcher {
        label: label.clone(),
        url,
    };
    let task = tokio::spawn(w.run(target.clone(), ready_tx));
    tokio::time::timeout(WAIT, ready_rx)
        .await
        .unwrap_or_else(|_| panic!("{label}: no snapshot"))
        .unwrap_or_else(|_| panic!("{label}: watcher ended before its snapshot"));
    task
}

/// Totals over all clients; every problem is listed in `failures`.
#[derive(Debug, Default)]
struct Verdict {
    frames: usize,
    events: usize,
    lost: usize,
    duplicated: usize,
    out_of_order: usize,
    resumes: usize,
    cuts_too_slow: usize,
    failures: Vec<String>,
}

/// Every client: `start_seq+1 ..= final_seq`, each exactly once, in order; and every
/// acknowledged post after its start arrived as a `post_created` event (and nothing else did).
fn judge(seen: &[Seen], final_seq: u64, acked_posts: &BTreeSet<u64>) -> Verdict {
    let mut v = Verdict::default();
    for s in seen {
        let expected: BTreeSet<u64> = (s.start_seq + 1..=final_seq).collect();
        let distinct: BTreeSet<u64> = s.seqs.iter().copied().collect();
        let lost = expected.difference(&distinct).count();
        let extra = distinct.difference(&expected).count();
        let dup = s.seqs.len() - distinct.len();
        let disorder = s.seqs.windows(2).filter(|w| w[1] != w[0] + 1).count()
            + usize::from(s.seqs.first().is_some_and(|f| *f != s.start_seq + 1));
        v.frames += s.frames;
        v.events += s.seqs.len();
        v.lost += lost;
        v.duplicated += dup;
        v.out_of_order += disorder;
        v.resumes += s.resumes;
        v.cuts_too_slow += s.closes.iter().filter(|c| **c == 4000).count();
        if lost + extra + dup + disorder > 0 || !s.unexpected.is_empty() {
            v.failures.push(format!(
                "{}: from {} got {} events, lost {lost}, extra {extra}, duplicated {dup}, out of order {disorder}, unexpected {:?}",
                s.label,
                s.start_seq,
                s.seqs.len(),
                s.unexpected
            ));
        }
        let posts: BTreeSet<u64> = s.posts.iter().copied().collect();
        let should: BTreeSet<u64> = acked_posts
            .iter()
            .copied()
            .filter(|p| *p > s.start_seq)
            .collect();
        if posts != should {
            v.failures.push(format!(
                "{}: post_created events differ from the acknowledged posts: missing {:?}, unexpected {:?}",
                s.label,
                should.difference(&posts).take(10).collect::<Vec<_>>(),
                posts.difference(&should).take(10).collect::<Vec<_>>()
            ));
        }
    }
    v
}

// ---------------------------------------------------------------------------------------------
// 1. Two instances, 200 clients, 2,000 posts
// ---------------------------------------------------------------------------------------------

const FANOUT_CLIENTS: usize = 200;
/// Of those, connected while the posts come in (the rest before anything happens).
const FANOUT_LATE_CLIENTS: usize = 20;
const FANOUT_PARTICIPANTS: usize = 40;
const FANOUT_POSTS: usize = 2_000;
const FANOUT_POSTERS: usize = 24;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_deliver_every_event_to_every_client_once_in_order() {
    // Every one of the ~220 clients and the posters' pooled connections come from 127.0.0.1,
    // one address, which the per-address cap (256 by default) is meant to stop; in a real
    // audience they are many addresses. The cap has its own tests (bad_input).
    let c = Cluster::start(&["--max-connections-per-ip", "0"]).await;
    let meeting = open_meeting(&c.http, &c.a.base, "Borgermøde i to instanser").await;
    let (target_tx, target_rx) = watch::channel::<Option<u64>>(None);

    // Public clients, alternately on A and B, before anyone joins.
    let started = Instant::now();
    let mut watchers = Vec::new();
    for i in 0..FANOUT_CLIENTS - FANOUT_LATE_CLIENTS {
        let label = format!("{}-{i:03}", c.name(i));
        watchers.push(start_watcher(label, c.pick(i).ws_url(meeting, None), &target_rx).await);
    }
    let connected_in = started.elapsed();

    // Participants join alternately through A and B.
    let started = Instant::now();
    let participants: Vec<Who> = futures_util::stream::iter(0..FANOUT_PARTICIPANTS)
        .map(|i| {
            let c = &c;
            async move { join(&c.http, &c.pick(i).base, meeting, &format!("Borger {i:02}")).await }
        })
        .buffered(8)
        .collect()
        .await;
    let joined_in = started.elapsed();

    // Posts from concurrent tasks; each task alternates between the instances, and post i
    // comes from participant i % 40 (joined through either instance).
    let posting_started = Instant::now();
    let acked = Arc::new(AtomicUsize::new(0));
    let participants = Arc::new(participants);
    let mut posters = Vec::new();
    for task in 0..FANOUT_POSTERS {
        let http = c.http.clone();
        let instances = [c.a.base.clone(), c.b.base.clone()];
        let participants = participants.clone();
        let acked = acked.clone();
        posters.push(tokio::spawn(async move {
            let mut sent = Vec::new();
            for (n, i) in (task..FANOUT_POSTS).step_by(FANOUT_POSTERS).enumerate() {
                let who = &participants[i % FANOUT_PARTICIPANTS];
                let base = &instances[(task + n) % 2];
                let body = format!("Indlæg {i} fra borger {:02}", i % FANOUT_PARTICIPANTS);
                let posted = post(&http, base, who, meeting, &body, &format!("fanout-{i}"))
                    .await
                    .unwrap_or_else(|r| panic!("post {i}: refused {r:?}"));
                assert_eq!(
                    posted.seq, posted.post_id,
                    "post {i}: one event, id = its seq"
                );
                sent.push(posted);
                acked.fetch_add(1, Ordering::Relaxed);
            }
            sent
        }));
    }

    // Late clients connect mid-stream, alternately on A and B. (A poster that finished this
    // early has failed: stop waiting, its panic comes out below.)
    while acked.load(Ordering::Relaxed) < FANOUT_POSTS / 2
        && !posters.iter().any(|p| p.is_finished())
    {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    for i in 0..FANOUT_LATE_CLIENTS {
        let label = format!("late-{}-{i:02}", c.name(i));
        watchers.push(start_watcher(label, c.pick(i).ws_url(meeting, None), &target_rx).await);
    }

    let mut sent: Vec<Posted> = Vec::new();
    for p in posters {
        sent.extend(p.await.expect("poster task"));
    }
    let posted_in = posting_started.elapsed();
    assert_eq!(sent.len(), FANOUT_POSTS);
    let acked_posts: BTreeSet<u64> = sent.iter().map(|s| s.post_id).collect();
    assert_eq!(acked_posts.len(), FANOUT_POSTS, "every post got its own id");
    let retries: usize = sent.iter().map(|s| s.retries).sum();

    // Nothing else happened during the posts: the last post's seq is the end of the log.
    let final_seq = sent.iter().map(|s| s.seq).max().expect("posts");
    let setup_events = 2 + FANOUT_PARTICIPANTS as u64;
    assert_eq!(final_seq, setup_events + FANOUT_POSTS as u64);
    target_tx.send_replace(Some(final_seq));

    let mut seen = Vec::new();
    for w in watchers {
        seen.push(w.await.expect("watcher task"));
    }
    let all_caught_up_in = posting_started.elapsed();

    let v = judge(&seen, final_seq, &acked_posts);
    println!(
        "fanout: {} clients connected in {connected_in:?}; {FANOUT_PARTICIPANTS} joined in {joined_in:?}; \
         {FANOUT_POSTS} posts from {FANOUT_POSTERS} tasks through A and B in {posted_in:?} ({:.0}/s, {retries} retried 503s); \
         every client had seq {final_seq} {all_caught_up_in:?} after the first post",
        seen.len(),
        FANOUT_POSTS as f64 / posted_in.as_secs_f64()
    );
    println!(
        "fanout: frames received {}, events received {}, lost {}, duplicated {}, out of order {}, \
         cut as too slow {}, resumes {}",
        v.frames, v.events, v.lost, v.duplicated, v.out_of_order, v.cuts_too_slow, v.resumes
    );
    assert!(
        v.failures.is_empty(),
        "{} problems:\n{}",
        v.failures.len(),
        v.failures.join("\n")
    );
    assert_eq!((v.lost, v.duplicated, v.out_of_order), (0, 0, 0));
    let early = seen.iter().filter(|s| s.start_seq == 2).count();
    assert_eq!(
        early,
        FANOUT_CLIENTS - FANOUT_LATE_CLIENTS,
        "early clients start at seq 2"
    );

    // The truth: the stored log is 1..=final, with exactly the acknowledged posts.
    let store = store_of(&c.db).await;
    let log = store.events(meeting, 0, None).await.expect("stored log");
    assert_eq!(log.len() as u64, final_seq);
    let stored_posts: BTreeSet<u64> = check_log(&log).into_keys().collect();
    assert_eq!(stored_posts, acked_posts);
    // And both instances serve all of it.
    for inst in [&c.a, &c.b] {
        wait_for_seq(&c.http, &inst.base, meeting, final_seq).await;
        let state: MeetingStateResponse = c
            .http
            .get(routes::url(&inst.base, &routes::posts(&meeting)))
            .send()
            .await
            .expect("posts")
            .json()
            .await
            .expect("posts body");
        let ids: BTreeSet<u64> = state.posts.iter().map(|p| p.id).collect();
        assert_eq!(ids, acked_posts, "posts served by {}", inst.base);
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Events published out of order are applied in order
// ---------------------------------------------------------------------------------------------

/// Publish bus messages on `<prefix>:bus` exactly as an instance would; returns how many
/// subscribers each reached.
async fn publish(prefix: &str, messages: &[BusMessage]) -> Vec<i64> {
    let client = redis::Client::open(MACHINE_REDIS).expect("redis url");
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .expect("connect to redis");
    let mut reached = Vec::new();
    for m in messages {
        let payload = serde_json::to_string(m).expect("bus message json");
        let n: i64 = redis::cmd("PUBLISH")
            .arg(format!("{prefix}:bus"))
            .arg(payload)
            .query_async(&mut conn)
            .await
            .expect("PUBLISH");
        reached.push(n);
    }
    reached
}

fn events_message(meeting: MeetingId, events: Vec<Event>) -> BusMessage {
    BusMessage::Events {
        instance: uuid::Uuid::new_v4(),
        meeting,
        events,
    }
}

/// Read event frames until `until`; every one must be the next seq.
async fn read_in_order(ws: &mut Ws, mut last: u64, until: u64) -> (Vec<u64>, Duration) {
    let started = Instant::now();
    let mut got = Vec::new();
    // One deadline for the whole read: `next_frame` waits per message, and heartbeat pings
    // would keep restarting its timeout.
    let read = tokio::time::timeout(WAIT, async {
        while last < until {
            match next_frame(ws, WAIT).await {
                Some(ServerFrame::Event(e)) => {
                    got.push(e.seq);
                    assert_eq!(
                        e.seq,
                        last + 1,
                        "out of order or duplicated: after {last} came {} (so far {got:?})",
                        e.seq
                    );
                    last = e.seq;
                }
                Some(_) => {}
                None => break,
            }
        }
    })
    .await;
    assert!(
        read.is_ok() && last >= until,
        "the stream ended or went quiet at seq {last}, waiting for {until} (got {got:?})"
    );
    (got, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_published_out_of_order_are_applied_in_order() {
    let db = TestDb::fresh().await;
    let prefix = unique_prefix();
    // X learns about writes made elsewhere only from what this test publishes on its channel:
    // no periodic seq check and a gap-fill wait far beyond the test's deadlines, so the events
    // can only reach its client in time if X buffers early arrivals and applies them in order.
    let x = Instance::start(
        &db.url,
        MACHINE_REDIS,
        &prefix,
        &["--seq-check-ms", "3600000", "--gap-fill-ms", "3600000"],
    )
    .await;
    // Y writes to the same database but talks on another channel: X never hears from it.
    let y = Instance::start(&db.url, MACHINE_REDIS, &unique_prefix(), &[]).await;
    let http = http_client();
    let store = store_of(&db).await;

    let meeting = open_meeting(&http, &x.base, "Uordnede beskeder").await;
    let mut ws = ws_connect(&x.ws_url(meeting, None), None).await;
    let mut start = None;
    while start.is_none() {
        match next_frame(&mut ws, WAIT).await.expect("start frames") {
            ServerFrame::Snapshot { seq, .. } => start = Some(seq),
            ServerFrame::Hello { .. } => {}
            other => panic!("unexpected start frame {other:?}"),
        }
    }
    let start = start.unwrap_or_default();
    assert_eq!(start, 2);

    // Round 1: a join and 40 posts through Y, then all of them published to X newest first.
    let citizen = join(&http, &y.base, meeting, "Karen").await;
    for i in 0..40 {
        post(
            &http,
            &y.base,
            &citizen,
            meeting,
            &format!("runde 1, indlæg {i}"),
            &format!("r1-{i}"),
        )
        .await
        .expect("post through Y");
    }
    let round1 = store.events(meeting, start, None).await.expect("events");
    let end1 = round1.last().expect("events").seq;
    assert_eq!(end1, start + 41);
    assert_eq!(
        meeting_view(&http, &x.base, meeting).await.seq,
        start,
        "X must not have heard of Y's writes yet (the test's premise)"
    );
    let reversed: Vec<BusMessage> = round1
        .iter()
        .rev()
        .map(|e| events_message(meeting, vec![e.clone()]))
        .collect();
    let reached = publish(&prefix, &reversed).await;
    assert!(
        reached.iter().all(|n| *n >= 1),
        "X subscribes to {prefix}:bus"
    );
    let (got, took) = read_in_order(&mut ws, start, end1).await;
    assert_eq!(got, (start + 1..=end1).collect::<Vec<_>>());
    println!(
        "out of order, round 1: {} events published newest first; the client got seqs {}..={} in order {took:?} after the last publish",
        round1.len(),
        start + 1,
        end1
    );

    // Round 2: 40 more posts, published shuffled, each twice, with stale events of round 1
    // mixed in and one message carrying a batch in reverse order.
    for i in 0..40 {
        post(
            &http,
            &y.base,
            &citizen,
            meeting,
            &format!("runde 2, indlæg {i}"),
            &format!("r2-{i}"),
        )
        .await
        .expect("post through Y");
    }
    let round2 = store.events(meeting, end1, None).await.expect("events");
    let end2 = round2.last().expect("events").seq;
    assert_eq!(end2, end1 + 40);
    assert_eq!(meeting_view(&http, &x.base, meeting).await.seq, end1);
    let mut messages: Vec<BusMessage> = Vec::new();
    for e in round2.iter().chain(round2.iter()) {
        messages.push(events_message(meeting, vec![e.clone()]));
    }
    for e in round1.iter().step_by(5) {
        messages.push(events_message(meeting, vec![e.clone()]));
    }
    let mut batch: Vec<Event> = round2[10..20].to_vec();
    batch.reverse();
    messages.push(events_message(meeting, batch));
    messages.shuffle(&mut rand::thread_rng());
    let first_seq = |m: &BusMessage| match m {
        BusMessage::Events { events, .. } => events.first().map(|e| e.seq),
        _ => None,
    };
    let order: Vec<Option<u64>> = messages.iter().map(first_seq).collect();
    let reached = publish(&prefix, &messages).await;
    assert!(reached.iter().all(|n| *n >= 1));
    let (got, took) = read_in_order(&mut ws, end1, end2).await;
    assert_eq!(got, (end1 + 1..=end2).collect::<Vec<_>>());
    // Nothing more: the duplicates and stale events are dropped.
    let extra = tokio::time::timeout(Duration::from_millis(500), async {
        loop {
            match next_frame(&mut ws, Duration::from_secs(1)).await {
                Some(ServerFrame::Event(e)) => return Some(e.seq),
                Some(_) => continue,
                None => return None,
            }
        }
    })
    .await;
    assert!(
        !matches!(extra, Ok(Some(_))),
        "an event after the last seq: {extra:?}"
    );
    println!(
        "out of order, round 2: {} messages (shuffled, every event twice, {} stale, one reversed batch; first seqs {:?}…); \
         the client got seqs {}..={} in order, once each, {took:?} after the last publish",
        messages.len(),
        round1.len().div_ceil(5),
        &order[..8],
        end1 + 1,
        end2
    );
    assert_eq!(meeting_view(&http, &x.base, meeting).await.seq, end2);
    let state: MeetingStateResponse = http
        .get(routes::url(&x.base, &routes::posts(&meeting)))
        .send()
        .await
        .expect("posts")
        .json()
        .await
        .expect("posts body");
    assert_eq!(state.posts.len(), 80, "X shows every post once");
    drop((x, y));
}

// ---------------------------------------------------------------------------------------------
// 8. Concurrent writers through both instances: a gapless log
// ---------------------------------------------------------------------------------------------

const WRITERS: usize = 8;
const POSTS_PER_WRITER: usize = 500;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_through_both_instances_make_a_gapless_log() {
    let c = Cluster::start(&[]).await;
    let meeting = open_meeting(&c.http, &c.a.base, "Otte skribenter").await;
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        writers.push(join(&c.http, &c.pick(w).base, meeting, &format!("Skribent {w}")).await);
    }
    let setup = 2 + WRITERS as u64;

    let started = Instant::now();
    let mut tasks = Vec::new();
    for (w, who) in writers.into_iter().enumerate() {
        let http = c.http.clone();
        let instances = [c.a.base.clone(), c.b.base.clone()];
        tasks.push(tokio::spawn(async move {
            let mut sent = Vec::new();
            for i in 0..POSTS_PER_WRITER {
                // Each writer alternates between the instances.
                let base = &instances[(w + i) % 2];
                let body = format!("skribent {w}, indlæg {i}");
                let posted = post(&http, base, &who, meeting, &body, &format!("w{w}-{i}"))
                    .await
                    .unwrap_or_else(|r| panic!("writer {w} post {i}: refused {r:?}"));
                sent.push((posted, body));
            }
            sent
        }));
    }
    let mut sent = Vec::new();
    for t in tasks {
        sent.extend(t.await.expect("writer task"));
    }
    let took = started.elapsed();
    let total = WRITERS * POSTS_PER_WRITER;
    let retries: usize = sent.iter().map(|(p, _)| p.retries).sum();

    // Every acknowledged post id exactly once, each its own single event.
    let acked: BTreeMap<u64, String> = sent
        .iter()
        .map(|(p, body)| {
            assert_eq!(p.seq, p.post_id);
            (p.post_id, body.clone())
        })
        .collect();
    assert_eq!(acked.len(), total, "two acks share a post id");

    // The stored log: exactly 1..=N, N = setup + 4000, the posts are the acknowledged ones,
    // each with its own body.
    let store = store_of(&c.db).await;
    let log = store.events(meeting, 0, None).await.expect("stored log");
    let stored = check_log(&log);
    let n = log.len() as u64;
    assert_eq!(n, setup + total as u64, "log length");
    assert_eq!(store.last_seq(meeting).await.expect("last seq"), Some(n));
    assert_eq!(stored.len(), total, "post_created events");
    for (id, body) in &acked {
        assert_eq!(
            stored.get(id).cloned().flatten().as_deref(),
            Some(body.as_str()),
            "post {id}"
        );
    }
    let bodies: BTreeSet<&String> = acked.values().collect();
    assert_eq!(bodies.len(), total, "no post stored twice");

    // Both instances converge on the same log and serve every post once.
    let mut converged = Vec::new();
    for inst in [&c.a, &c.b] {
        converged.push(wait_for_seq(&c.http, &inst.base, meeting, n).await);
        let state: MeetingStateResponse = c
            .http
            .get(routes::url(&inst.base, &routes::posts(&meeting)))
            .send()
            .await
            .expect("posts")
            .json()
            .await
            .expect("posts body");
        let ids: Vec<u64> = state.posts.iter().map(|p| p.id).collect();
        assert_eq!(
            ids,
            acked.keys().copied().collect::<Vec<_>>(),
            "{}",
            inst.base
        );
    }
    println!(
        "writers: {WRITERS} × {POSTS_PER_WRITER} posts through A and B in {took:?} ({:.0}/s), {retries} retried 503s; \
         stored log exactly 1..={n} ({setup} setup events + {total} posts), gaps 0, duplicates 0; \
         A and B at seq {n} (waited {:?} / {:?})",
        total as f64 / took.as_secs_f64(),
        converged[0],
        converged[1]
    );
}

// ---------------------------------------------------------------------------------------------
// 9. A ban on one instance holds at once on the other
// ---------------------------------------------------------------------------------------------

const BAN_ROUNDS: usize = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ban_through_one_instance_holds_at_once_on_the_other() {
    let c = Cluster::start(&[]).await;
    let meeting = open_meeting(&c.http, &c.a.base, "Udelukkelser").await;
    let moderator = staff(
        &c.http,
        &c.a.base,
        meeting,
        StaffRole::Moderator,
        "Mette Moderator",
    )
    .await;
    let mut refused_after = Vec::new();
    for r in 0..BAN_ROUNDS {
        // Alternate: ban through A and post through B, then the other way round.
        let (ban_via, post_via) = (c.pick(r), c.pick(r + 1));
        let citizen = join(&c.http, &post_via.base, meeting, &format!("Borger {r}")).await;
        // The posting instance knows the citizen as active (and has the room loaded).
        post(
            &c.http,
            &post_via.base,
            &citizen,
            meeting,
            "før",
            &format!("ban-{r}-before"),
        )
        .await
        .unwrap_or_else(|e| panic!("round {r}: a first post is refused: {e:?}"));
        let resp = c
            .http
            .post(routes::url(
                &ban_via.base,
                &routes::ban(&meeting, &citizen.id),
            ))
            .bearer_auth(&moderator.token)
            .send()
            .await
            .expect("ban");
        assert_eq!(resp.status(), 200, "round {r}: ban");
        let banned_at = Instant::now();
        let outcome = post(
            &c.http,
            &post_via.base,
            &citizen,
            meeting,
            "efter",
            &format!("ban-{r}-after"),
        )
        .await;
        refused_after.push(banned_at.elapsed());
        assert_eq!(
            outcome.map(|p| p.post_id),
            Err(Refused {
                status: 403,
                code: "banned".into()
            }),
            "round {r}: banned through {} and posted through {} at once",
            c.name(r),
            c.name(r + 1)
        );
    }
    // Nothing of the banned citizens' second attempts is in the log.
    let store = store_of(&c.db).await;
    let log = store.events(meeting, 0, None).await.expect("stored log");
    let posts = check_log(&log);
    assert_eq!(posts.len(), BAN_ROUNDS, "only the first post of each round");
    assert!(posts.values().all(|b| b.as_deref() == Some("før")));
    refused_after.sort();
    println!(
        "ban: {BAN_ROUNDS} rounds (ban through one instance, post at once through the other): all refused 403 banned; \
         refusal took {:?} (median) / {:?} (max) after the ban's ack",
        refused_after[refused_after.len() / 2],
        refused_after[refused_after.len() - 1]
    );
}

/// Two instances on one database that do not hear each other: each is on a channel of its
/// own, with no periodic seq check and no gap fill within the test. What one writes, the other
/// can only learn from the store, so every command below is decided against a projection that
/// lags the log, deterministically rather than by losing a race with the bus.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_are_decided_against_the_latest_log_not_a_lagging_projection() {
    let db = TestDb::fresh().await;
    let deaf = ["--seq-check-ms", "3600000", "--gap-fill-ms", "3600000"];
    let a = Instance::start(&db.url, MACHINE_REDIS, &unique_prefix(), &deaf).await;
    let b = Instance::start(&db.url, MACHINE_REDIS, &unique_prefix(), &deaf).await;
    let http = http_client();
    let meeting = open_meeting(&http, &a.base, "Forsinket projektion").await;
    let moderator = staff(
        &http,
        &a.base,
        meeting,
        StaffRole::Moderator,
        "Mette Moderator",
    )
    .await;
    let voter = join(&http, &a.base, meeting, "Vælger").await;

    for r in 0..5 {
        // Through B: a citizen joins and posts. A has not heard of either.
        let citizen = join(&http, &b.base, meeting, &format!("Borger {r}")).await;
        let p = post(
            &http,
            &b.base,
            &citizen,
            meeting,
            "hej",
            &format!("lag-{r}-b"),
        )
        .await
        .unwrap_or_else(|e| panic!("round {r}: post through B refused {e:?}"))
        .post_id;
        let before = meeting_view(&http, &a.base, meeting).await.seq;
        assert!(
            before < p,
            "round {r}: A must lag the log (the test's premise)"
        );

        // Through A: a vote on that post, and a post by that citizen.
        let v = vote(&http, &a.base, &voter, meeting, p, true).await;
        assert_eq!((v.post_id, v.votes), (p, 1), "round {r}: vote through A");
        post(
            &http,
            &a.base,
            &citizen,
            meeting,
            "hej igen",
            &format!("lag-{r}-a"),
        )
        .await
        .unwrap_or_else(|e| {
            panic!("round {r}: a citizen who joined through B, posting through A: {e:?}")
        });

        // Banned through B (which has not seen A's post), refused through A.
        let resp = http
            .post(routes::url(&b.base, &routes::ban(&meeting, &citizen.id)))
            .bearer_auth(&moderator.token)
            .send()
            .await
            .expect("ban");
        assert_eq!(resp.status(), 200, "round {r}: ban through B");
        assert_eq!(
            post(
                &http,
                &a.base,
                &citizen,
                meeting,
                "efter",
                &format!("lag-{r}-banned")
            )
            .await
            .map(|p| p.post_id),
            Err(Refused {
                status: 403,
                code: "banned".into()
            }),
            "round {r}: banned through B, posting through A"
        );

        // Through A: a ban of a citizen who just joined through B.
        let other = join(&http, &b.base, meeting, &format!("Anden {r}")).await;
        let resp = http
            .post(routes::url(&a.base, &routes::ban(&meeting, &other.id)))
            .bearer_auth(&moderator.token)
            .send()
            .await
            .expect("ban");
        let status = resp.status();
        assert_eq!(
            status,
            200,
            "round {r}: ban through A of a citizen who joined through B: {}",
            resp.text().await.unwrap_or_default()
        );
    }
    let store = store_of(&db).await;
    let log = store.events(meeting, 0, None).await.expect("stored log");
    let posts = check_log(&log);
    assert_eq!(posts.len(), 10, "two posts per round, none after a ban");
    println!(
        "lagging projection: 5 rounds of vote / post / ban through an instance that had not seen the other's writes: \
         all decided against the latest log ({} events)",
        log.len()
    );
    drop((a, b));
}

// ---------------------------------------------------------------------------------------------
// Presence and votes across instances
// ---------------------------------------------------------------------------------------------

/// A public live client that tracks `watching` (from its snapshot and `presence` frames).
struct PresenceClient {
    watching: watch::Receiver<Option<u32>>,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl PresenceClient {
    async fn connect(url: String) -> PresenceClient {
        let mut ws = ws_connect(&url, None).await;
        let (tx, rx) = watch::channel(None);
        let (stop_tx, mut stop_rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = &mut stop_rx => {
                        // A clean close, so the server counts the client out at once.
                        let _ = ws.close(None).await;
                        while let Ok(Some(Ok(_))) = tokio::time::timeout(Duration::from_secs(5), ws.next()).await {}
                        return;
                    }
                    msg = ws.next() => match msg {
                        Some(Ok(Message::Text(t))) => {
                            let frame = serde_json::from_str::<ServerFrame>(&t);
                            if let Ok(ServerFrame::Snapshot { watching, .. } | ServerFrame::Presence { watching }) = frame {
                                tx.send_replace(Some(watching));
                            }
                        }
                        Some(Ok(_)) => {}
                        _ => return,
                    }
                }
            }
        });
        let mut client = PresenceClient {
            watching: rx,
            stop: Some(stop_tx),
            task,
        };
        // Subscribed once the snapshot came.
        tokio::time::timeout(WAIT, client.watching.wait_for(|w| w.is_some()))
            .await
            .expect("snapshot")
            .expect("client task alive");
        client
    }

    /// Wait until this client is told that `n` are watching; returns the time since `since`.
    async fn wait_for(&mut self, n: u32, since: Instant, label: &str) -> Duration {
        let got = tokio::time::timeout(WAIT, self.watching.wait_for(|w| *w == Some(n)))
            .await
            .is_ok_and(|r| r.is_ok());
        assert!(
            got,
            "{label}: never saw watching = {n} (last {:?})",
            *self.watching.borrow()
        );
        since.elapsed()
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = tokio::time::timeout(WAIT, self.task).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_is_summed_across_instances() {
    let c = Cluster::start(&["--coalesce-ms", "50"]).await;
    let meeting = open_meeting(&c.http, &c.a.base, "Hvem ser med").await;
    let mut on_a = PresenceClient::connect(c.a.ws_url(meeting, None)).await;
    let mut on_b1 = PresenceClient::connect(c.b.ws_url(meeting, None)).await;
    let mut on_b2 = PresenceClient::connect(c.b.ws_url(meeting, None)).await;

    // Times are measured from the change (the last connect, the start of a close).
    let t = Instant::now();
    let up = [
        on_a.wait_for(3, t, "client on A").await,
        on_b1.wait_for(3, t, "client 1 on B").await,
        on_b2.wait_for(3, t, "client 2 on B").await,
    ];
    let t = Instant::now();
    let stopping = tokio::spawn(on_b2.stop());
    let down1 = [
        on_a.wait_for(2, t, "client on A").await,
        on_b1.wait_for(2, t, "client 1 on B").await,
    ];
    stopping.await.expect("stop");
    let t = Instant::now();
    let stopping = tokio::spawn(on_b1.stop());
    let down2 = on_a.wait_for(1, t, "client on A").await;
    stopping.await.expect("stop");
    on_a.stop().await;
    println!(
        "presence: one client on A, two on B -> watching 3 on all three after {up:?}; \
         one B client left -> 2 on the others after {down1:?}; the other -> 1 on A after {down2:?}"
    );
}

/// Read frames until a `votes` frame gives `post` the count `votes`; returns the wait.
async fn wait_for_votes(ws: &mut Ws, post: u64, votes: u32, label: &str) -> Duration {
    let started = Instant::now();
    let mut last = None;
    let seen = tokio::time::timeout(WAIT, async {
        while let Some(frame) = next_frame(ws, WAIT).await {
            if let ServerFrame::Votes { counts } = frame {
                if let Some((_, n)) = counts.iter().find(|(p, _)| *p == post) {
                    last = Some(*n);
                    if *n == votes {
                        return true;
                    }
                }
            }
        }
        false
    })
    .await;
    assert!(
        matches!(seen, Ok(true)),
        "{label}: no votes frame with post {post} at {votes} (last {last:?})"
    );
    started.elapsed()
}

async fn vote(
    http: &reqwest::Client,
    base: &str,
    who: &Who,
    meeting: MeetingId,
    post: u64,
    up: bool,
) -> VoteResponse {
    let resp = http
        .put(routes::url(base, &routes::post_vote(&meeting, &post)))
        .bearer_auth(&who.token)
        .json(&serde_json::json!({ "up": up }))
        .send()
        .await
        .expect("vote");
    assert_eq!(resp.status(), 200, "vote");
    resp.json().await.expect("vote response")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vote_through_one_instance_reaches_clients_of_the_other() {
    let c = Cluster::start(&["--coalesce-ms", "50"]).await;
    let meeting = open_meeting(&c.http, &c.a.base, "Stemmer").await;
    let author = join(&c.http, &c.b.base, meeting, "Spørger").await;
    let p = post(
        &c.http,
        &c.b.base,
        &author,
        meeting,
        "Hvornår åbner svømmehallen?",
        "q",
    )
    .await
    .expect("post")
    .post_id;
    let voters = [
        join(&c.http, &c.a.base, meeting, "Vælger 1").await,
        join(&c.http, &c.a.base, meeting, "Vælger 2").await,
    ];
    let mut on_b = ws_connect(&c.b.ws_url(meeting, None), None).await;
    let mut on_a = ws_connect(&c.a.ws_url(meeting, None), None).await;
    for ws in [&mut on_b, &mut on_a] {
        loop {
            match next_frame(ws, WAIT).await.expect("start frames") {
                ServerFrame::Snapshot { .. } => break,
                ServerFrame::Hello { .. } => {}
                other => panic!("unexpected start frame {other:?}"),
            }
        }
    }

    let mut waits = Vec::new();
    for (i, (voter, up, expect)) in [(0, true, 1), (1, true, 2), (0, false, 1)]
        .into_iter()
        .enumerate()
    {
        let r = vote(&c.http, &c.a.base, &voters[voter], meeting, p, up).await;
        assert_eq!(
            (r.post_id, r.up, r.votes),
            (p, up, expect),
            "vote {i} via A"
        );
        waits.push(wait_for_votes(&mut on_b, p, expect, "client on B").await);
        wait_for_votes(&mut on_a, p, expect, "client on A").await;
    }
    // B's own reads agree.
    let state: MeetingStateResponse = c
        .http
        .get(routes::url(&c.b.base, &routes::posts(&meeting)))
        .send()
        .await
        .expect("posts")
        .json()
        .await
        .expect("posts body");
    let votes_on_b: HashMap<u64, u32> = state.posts.iter().map(|p| (p.id, p.votes)).collect();
    assert_eq!(votes_on_b.get(&p), Some(&1));
    println!(
        "votes: three vote changes through A (1, 2, back to 1); the client on B saw each new count after {waits:?}"
    );
}

/// Wait for a `poll_results` frame of `poll` with these counts; returns how long it took.
async fn wait_for_poll_counts(ws: &mut Ws, poll: u64, counts: &[u32], label: &str) -> Duration {
    let started = Instant::now();
    let mut last = None;
    let seen = tokio::time::timeout(WAIT, async {
        while let Some(frame) = next_frame(ws, WAIT).await {
            if let ServerFrame::PollResults {
                poll: p, results, ..
            } = frame
            {
                if p == poll {
                    if results.counts == counts {
                        return true;
                    }
                    last = Some(results.counts);
                }
            }
        }
        false
    })
    .await;
    assert!(
        matches!(seen, Ok(true)),
        "{label}: no poll_results of poll {poll} with {counts:?} (last {last:?})"
    );
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poll_answers_through_both_instances_give_the_same_results_on_both() {
    let c = Cluster::start(&["--coalesce-ms", "50"]).await;
    let meeting = open_meeting(&c.http, &c.a.base, "Afstemning").await;
    let definition = borgermode_protocol::PollDefinition {
        question: "Hvilket forslag?".into(),
        kind: borgermode_protocol::PollKind::SingleChoice {
            options: vec!["A".into(), "B".into(), "C".into()],
        },
        results: borgermode_protocol::ResultsShown::Live,
        agenda_item: None,
    };
    let resp = c
        .http
        .post(routes::url(&c.a.base, &routes::polls(&meeting)))
        .bearer_auth(ADMIN_TOKEN)
        .json(&definition)
        .send()
        .await
        .expect("create poll");
    assert_eq!(resp.status(), 201, "create poll");
    let poll = resp.json::<CommandAck>().await.expect("ack").seq.unwrap();
    // Launched through B: B decides against the latest log (the poll was created on A).
    let resp = c
        .http
        .post(routes::url(
            &c.b.base,
            &routes::poll_action(&meeting, &poll, "launch"),
        ))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("launch");
    assert_eq!(resp.status(), 200, "launch through B");

    let mut on_a = ws_connect(&c.a.ws_url(meeting, None), None).await;
    let mut on_b = ws_connect(&c.b.ws_url(meeting, None), None).await;
    let answer = |base: String, who: Who, pick: u8| {
        let http = c.http.clone();
        async move {
            let resp = http
                .put(routes::url(&base, &routes::poll_answer(&meeting, &poll)))
                .bearer_auth(&who.token)
                .json(&serde_json::json!({"kind": "choice", "picks": [pick]}))
                .send()
                .await
                .expect("answer");
            assert_eq!(resp.status(), 200, "answer");
        }
    };
    // Six citizens, three joined on each instance, each answering through the other one.
    let mut voters = Vec::new();
    for i in 0..6 {
        voters.push(join(&c.http, &c.pick(i).base, meeting, &format!("Borger {i}")).await);
    }
    for (i, who) in voters.iter().enumerate() {
        answer(c.pick(i + 1).base.clone(), who.clone(), (i % 3) as u8).await;
    }
    let wait_a = wait_for_poll_counts(&mut on_a, poll, &[2, 2, 2], "client on A").await;
    let wait_b = wait_for_poll_counts(&mut on_b, poll, &[2, 2, 2], "client on B").await;
    // Two change their minds, through the instance they did not answer on before.
    answer(c.pick(0).base.clone(), voters[0].clone(), 2).await;
    answer(c.pick(1).base.clone(), voters[1].clone(), 2).await;
    wait_for_poll_counts(&mut on_a, poll, &[1, 1, 4], "client on A after changes").await;
    wait_for_poll_counts(&mut on_b, poll, &[1, 1, 4], "client on B after changes").await;
    // Each instance's own list agrees.
    for base in [&c.a.base, &c.b.base] {
        let list: borgermode_protocol::http::PollsResponse = c
            .http
            .get(routes::url(base, &routes::polls(&meeting)))
            .send()
            .await
            .expect("polls")
            .json()
            .await
            .expect("polls body");
        let r = list.polls[0].results.as_ref().expect("live results");
        assert_eq!((r.respondents, r.counts.as_slice()), (6, &[1, 1, 4][..]));
    }
    println!("poll: six answers through both instances; A saw 2/2/2 after {wait_a:?}, B after {wait_b:?}");
}
