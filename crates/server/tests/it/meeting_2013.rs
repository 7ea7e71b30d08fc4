#![allow(clippy::print_stdout)]
//! The seed's meeting, replayed against a real server: 150 citizens join over HTTP and send 417
//! posts (questions, comments and replies) from many concurrent tasks, while live WebSocket
//! clients watch: public clients without a session (some of them joining mid-meeting), a few
//! participants and a moderator. Every client must receive every seq exactly once, in order,
//! from its snapshot seq up to the final seq; public clients included (the staff link reaches
//! them as a redacted frame that still carries its seq, each join as the new count only).
//!
//! A client that the server cuts as too slow resumes with `since` like a real client would;
//! the counts below are what the server sent, so a resume that lost or repeated anything still
//! fails the test.

use crate::common::routes;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::app::{spawn_app, ws_connect, Who};
use borgermode_protocol::frames::ServerFrame;
use borgermode_protocol::http::{CommandAck, MeetingStateResponse};
use borgermode_protocol::views::{Audience, MeetingView};
use borgermode_protocol::{MeetingId, PostKind, StaffRole};
use futures_util::StreamExt;
use tokio::sync::{oneshot, watch};
use tokio_tungstenite::tungstenite::Message;

const PARTICIPANTS: usize = 150;
const POSTS: usize = 417;
/// Concurrent posting tasks.
const POSTERS: usize = 24;
/// Public clients connected before anyone joins.
const PUBLIC_WATCHERS: usize = 20;
/// Public clients that connect while the posts are coming in.
const LATE_PUBLIC_WATCHERS: usize = 4;
/// Participants who also watch (connected after the joins).
const PARTICIPANT_WATCHERS: usize = 4;
/// Concurrent joins.
const JOINERS: usize = 16;
const WAIT: Duration = Duration::from_secs(30);

/// What one live client saw.
#[derive(Debug, Default)]
struct Seen {
    label: String,
    audience: Option<Audience>,
    /// The seq of the snapshot the client started from.
    start_seq: u64,
    /// Event seqs in arrival order (across resumes).
    seqs: Vec<u64>,
    /// Text frames of any kind.
    frames: usize,
    redacted: usize,
    /// `participant_joined` frames, and how many of them named who joined.
    joins: usize,
    joins_naming_someone: usize,
    /// Post id -> body, from the `post_created` frames.
    created: BTreeMap<u64, Option<String>>,
    resumes: usize,
    /// Frames that should not have come (errors, a second snapshot, a bad caught_up).
    unexpected: Vec<String>,
}

struct Watcher {
    label: String,
    meeting: MeetingId,
    port: u16,
    token: Option<String>,
}

impl Watcher {
    fn url(&self, since: Option<u64>) -> String {
        routes::ws(self.port, &routes::live(&self.meeting), since)
    }

    /// Watch until the final seq (set through `target`) has arrived, then linger briefly to
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
        let mut ws = ws_connect(&self.url(None), self.token.as_deref()).await;
        let mut ready = Some(ready);
        let mut last: Option<u64> = None;
        let mut lingering: Option<tokio::time::Instant> = None;
        loop {
            if lingering.is_none() {
                if let (Some(t), Some(l)) = (*target.borrow(), last) {
                    if l >= t {
                        lingering = Some(tokio::time::Instant::now() + Duration::from_millis(300));
                    }
                }
            }
            let deadline = lingering.unwrap_or_else(|| tokio::time::Instant::now() + WAIT);
            let msg = tokio::select! {
                msg = tokio::time::timeout_at(deadline, ws.next()) => msg,
                _ = target.changed(), if lingering.is_none() => continue,
            };
            let msg = match msg {
                Err(_) if lingering.is_some() => break,
                Err(_) => panic!(
                    "{}: no frame for {WAIT:?} (last seq {last:?}, final {:?})",
                    self.label,
                    *target.borrow()
                ),
                Ok(Some(Ok(m))) => m,
                // Closed (too slow, restart): resume after the last seq we have.
                Ok(None) | Ok(Some(Err(_))) => {
                    seen.resumes += 1;
                    assert!(seen.resumes <= 20, "{}: resumed too often", self.label);
                    let since = last.expect("closed before the snapshot");
                    ws = ws_connect(&self.url(Some(since)), self.token.as_deref()).await;
                    continue;
                }
            };
            let text = match msg {
                Message::Text(t) => t,
                Message::Close(_) => continue, // the stream ends next
                _ => continue,
            };
            seen.frames += 1;
            let frame: ServerFrame = serde_json::from_str(&text).expect("server frame parses");
            match frame {
                ServerFrame::Hello { audience, .. } => {
                    if let Some(a) = seen.audience {
                        if a != audience {
                            seen.unexpected
                                .push(format!("audience changed to {audience:?}"));
                        }
                    }
                    seen.audience = Some(audience);
                }
                ServerFrame::Snapshot { seq, .. } => {
                    if last.is_some() {
                        seen.unexpected.push(format!("second snapshot at {seq}"));
                    }
                    seen.start_seq = seq;
                    last = Some(seq);
                    if let Some(r) = ready.take() {
                        let _ = r.send(seq);
                    }
                }
                ServerFrame::Event(e) => {
                    seen.seqs.push(e.seq);
                    if e.redacted {
                        seen.redacted += 1;
                    }
                    if e.kind == "participant_joined" {
                        seen.joins += 1;
                        if e.participant.is_some() {
                            seen.joins_naming_someone += 1;
                        }
                    }
                    if e.kind == "post_created" && !e.redacted {
                        let body = e
                            .posts
                            .iter()
                            .find(|p| p.id == e.seq)
                            .and_then(|p| p.body.clone());
                        seen.created.insert(e.seq, body);
                    }
                    last = Some(last.map_or(e.seq, |l| l.max(e.seq)));
                }
                ServerFrame::CaughtUp { seq } => {
                    if Some(seq) < last {
                        seen.unexpected
                            .push(format!("caught_up {seq} behind last seq {last:?}"));
                    }
                }
                ServerFrame::Error { code, message } => {
                    seen.unexpected.push(format!("error {code}: {message}"))
                }
                ServerFrame::Votes { .. }
                | ServerFrame::Presence { .. }
                | ServerFrame::Notice(_)
                | ServerFrame::Pong
                | ServerFrame::PollResults { .. }
                | ServerFrame::Reconnect { .. } => {}
            }
        }
        seen
    }
}

/// Start a watcher and wait until it is subscribed; returns its task.
async fn start_watcher(
    label: String,
    meeting: MeetingId,
    port: u16,
    token: Option<String>,
    target: &watch::Receiver<Option<u64>>,
) -> tokio::task::JoinHandle<Seen> {
    let (ready_tx, ready_rx) = oneshot::channel();
    let w = Watcher {
        label: label.clone(),
        meeting,
        port,
        token,
    };
    let task = tokio::spawn(w.run(target.clone(), ready_tx));
    tokio::time::timeout(WAIT, ready_rx)
        .await
        .unwrap_or_else(|_| panic!("{label}: no snapshot"))
        .unwrap_or_else(|_| panic!("{label}: watcher ended before its snapshot"));
    task
}

struct Sent {
    post_id: u64,
    seq: u64,
    body: String,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_417_post_meeting_reaches_every_client_exactly_once_in_order() {
    let app = spawn_app().await;
    let meeting = app.open_meeting("Borgermøde om den nye skole").await;
    let moderator = app
        .staff(meeting, StaffRole::Moderator, "Mette Moderator")
        .await;
    let (target_tx, target_rx) = watch::channel::<Option<u64>>(None);

    // Watchers from the start: public (no session) and the moderator.
    let mut watchers = Vec::new();
    for i in 0..PUBLIC_WATCHERS {
        watchers
            .push(start_watcher(format!("public-{i}"), meeting, app.port, None, &target_rx).await);
    }
    watchers.push(
        start_watcher(
            "moderator".into(),
            meeting,
            app.port,
            Some(moderator.token.clone()),
            &target_rx,
        )
        .await,
    );

    // 150 citizens join over HTTP, JOINERS at a time.
    let started = Instant::now();
    let participants: Vec<Who> = futures_util::stream::iter(0..PARTICIPANTS)
        .map(|i| {
            let app = &app;
            async move { app.join(meeting, &format!("Borger {i:03}")).await }
        })
        .buffered(JOINERS)
        .collect()
        .await;
    let joined_in = started.elapsed();

    // A few participants watch too.
    for (i, p) in participants.iter().take(PARTICIPANT_WATCHERS).enumerate() {
        watchers.push(
            start_watcher(
                format!("participant-{i}"),
                meeting,
                app.port,
                Some(p.token.clone()),
                &target_rx,
            )
            .await,
        );
    }

    // 417 posts from POSTERS concurrent tasks; post i comes from participant i % 150.
    let posting_started = Instant::now();
    let acked = Arc::new(AtomicUsize::new(0));
    let participants = Arc::new(participants);
    let mut posters = Vec::new();
    for task in 0..POSTERS {
        let http = app.http.clone();
        let url = app.url(&routes::posts(&meeting));
        let participants = participants.clone();
        let acked = acked.clone();
        posters.push(tokio::spawn(async move {
            let mut sent = Vec::new();
            let mut last_top_level: Option<u64> = None;
            for i in (task..POSTS).step_by(POSTERS) {
                let who = &participants[i % PARTICIPANTS];
                let (kind, parent) = match i % 5 {
                    0 | 3 => (PostKind::Question, None),
                    4 if last_top_level.is_some() => (PostKind::Comment, last_top_level),
                    _ => (PostKind::Comment, None),
                };
                let body = format!(
                    "Indlæg {i} fra borger {:03}: hvad med cykelstien ved skolen? ({kind:?})",
                    i % PARTICIPANTS
                );
                let resp = http
                    .post(&url)
                    .bearer_auth(&who.token)
                    .json(&serde_json::json!({"kind": kind, "body": body, "parent": parent}))
                    .send()
                    .await
                    .expect("post");
                let status = resp.status();
                let text = resp.text().await.unwrap_or_default();
                assert_eq!(status, 201, "post {i}: {text}");
                let ack: CommandAck = serde_json::from_str(&text).expect("ack");
                let post_id = ack.post_id.expect("post id");
                assert_eq!(ack.status.as_deref(), Some("visible"), "post {i}");
                assert_eq!(
                    ack.seq,
                    Some(post_id),
                    "post {i}: one event, post id = its seq"
                );
                if parent.is_none() {
                    last_top_level = Some(post_id);
                }
                sent.push(Sent {
                    post_id,
                    seq: post_id,
                    body,
                });
                acked.fetch_add(1, Ordering::Relaxed);
            }
            sent
        }));
    }

    // Late public clients join mid-meeting, while posts keep coming.
    while acked.load(Ordering::Relaxed) < POSTS / 2 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    for i in 0..LATE_PUBLIC_WATCHERS {
        watchers.push(
            start_watcher(
                format!("late-public-{i}"),
                meeting,
                app.port,
                None,
                &target_rx,
            )
            .await,
        );
    }

    let mut sent: Vec<Sent> = Vec::new();
    for p in posters {
        sent.extend(p.await.expect("poster task"));
    }
    let posted_in = posting_started.elapsed();
    assert_eq!(sent.len(), POSTS);
    let ids: BTreeSet<u64> = sent.iter().map(|s| s.post_id).collect();
    assert_eq!(ids.len(), POSTS, "every post got its own id");

    // The log: nothing else happened during the posts, so the final seq is the last post's.
    let final_seq = sent.iter().map(|s| s.seq).max().expect("posts");
    let view: MeetingView = app
        .http
        .get(app.url(&routes::meeting(&meeting)))
        .send()
        .await
        .expect("meeting")
        .json()
        .await
        .expect("meeting view");
    assert_eq!(view.seq, final_seq, "the meeting's seq is the last post's");
    target_tx.send_replace(Some(final_seq));

    let mut seen = Vec::new();
    for w in watchers {
        seen.push(w.await.expect("watcher task"));
    }
    let all_caught_up_in = posting_started.elapsed();

    // Every client: start_seq+1 ..= final_seq, each exactly once, in order.
    let bodies: HashMap<u64, &str> = sent.iter().map(|s| (s.post_id, s.body.as_str())).collect();
    let (
        mut total_frames,
        mut total_events,
        mut total_lost,
        mut total_dup,
        mut total_disorder,
        mut total_resumes,
    ) = (0, 0, 0, 0, 0, 0);
    let mut failures = Vec::new();
    for s in &seen {
        let expected: BTreeSet<u64> = (s.start_seq + 1..=final_seq).collect();
        let distinct: BTreeSet<u64> = s.seqs.iter().copied().collect();
        let lost = expected.difference(&distinct).count();
        let extra = distinct.difference(&expected).count();
        let dup = s.seqs.len() - distinct.len();
        let disorder = s.seqs.windows(2).filter(|w| w[1] != w[0] + 1).count();
        total_frames += s.frames;
        total_events += s.seqs.len();
        total_lost += lost;
        total_dup += dup;
        total_disorder += disorder;
        total_resumes += s.resumes;
        if lost + extra + dup + disorder > 0 || !s.unexpected.is_empty() {
            failures.push(format!(
                "{}: from {} got {} events, lost {lost}, extra {extra}, duplicated {dup}, out of order {disorder}, unexpected {:?}",
                s.label,
                s.start_seq,
                s.seqs.len(),
                s.unexpected
            ));
        }
        // Each post created after the client's start arrived with its body.
        for (id, body) in &bodies {
            if *id > s.start_seq {
                match s.created.get(id) {
                    Some(Some(b)) if b == body => {}
                    other => failures.push(format!("{}: post {id} arrived as {other:?}", s.label)),
                }
            }
        }
    }

    // Audiences: the public saw each join as the new count only, staff saw everything.
    for s in &seen {
        let audience = s.audience.expect("hello");
        if s.label == "moderator" {
            assert_eq!(audience, Audience::Staff, "{}", s.label);
            assert_eq!(s.redacted, 0, "staff sees every event in full");
        } else {
            assert_eq!(audience, Audience::Public, "{}", s.label);
        }
        if s.label.starts_with("public-") {
            assert!(
                s.joins >= PARTICIPANTS,
                "{}: the {PARTICIPANTS} joins reach the public, got {}",
                s.label,
                s.joins
            );
            assert_eq!(
                s.joins_naming_someone, 0,
                "{}: the public never learns who joined",
                s.label
            );
        }
    }

    println!(
        "meeting_2013: {PARTICIPANTS} participants joined in {joined_in:?}; {POSTS} posts from {POSTERS} tasks in {posted_in:?}; \
         all {} clients had the final seq {final_seq} {all_caught_up_in:?} after the first post",
        seen.len()
    );
    println!(
        "meeting_2013: frames received {total_frames}, events received {total_events}, lost {total_lost}, \
         duplicated {total_dup}, out of order {total_disorder}, resumes {total_resumes}"
    );
    for s in &seen {
        println!(
            "  {:<16} from seq {:>3}: {:>4} events ({:>3} redacted), {:>4} frames, {} resumes",
            s.label,
            s.start_seq,
            s.seqs.len(),
            s.redacted,
            s.frames,
            s.resumes
        );
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(total_lost, 0);
    assert_eq!(total_dup, 0);

    // The stored state agrees: all 417 posts, visible, with their bodies.
    let state: MeetingStateResponse = app
        .http
        .get(app.url(&routes::posts(&meeting)))
        .send()
        .await
        .expect("posts")
        .json()
        .await
        .expect("posts body");
    assert_eq!(state.posts.len(), POSTS);
    for p in &state.posts {
        assert_eq!(
            p.body.as_deref(),
            bodies.get(&p.id).copied(),
            "post {}",
            p.id
        );
    }
    let questions = sent
        .iter()
        .filter(|s| s.body.ends_with("(Question)"))
        .count();
    assert_eq!(
        state
            .posts
            .iter()
            .filter(|p| p.kind == PostKind::Question)
            .count(),
        questions
    );

    app.shutdown().await;
}
