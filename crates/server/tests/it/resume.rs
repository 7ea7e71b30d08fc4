//! Resume after a dropped connection: a client that applied everything up to seq N reconnects
//! with `since=N` (WebSocket) or `Last-Event-ID: N` (SSE) and gets exactly N+1..=S, a
//! `caught_up` with S, then live events: nothing lost, nothing twice.
//!
//! Each scenario runs twice: with the default ring (the replay comes from memory) and with a
//! ring of 4 events, fewer than the client missed, so the replay must come from the store. The
//! test checks which path the server takes (`Room::subscribe` reports it) and that the frames
//! rendered from the store are the ones live clients got.

use crate::common::routes;

use std::time::Duration;

use crate::common::app::{
    content_type, next_text, spawn_app, spawn_app_with, ws_connect, TestApp, Who, Ws,
};
use crate::common::client::Outcome;
use borgermode_protocol::frames::ServerFrame;
use borgermode_protocol::http::VoteRequest;
use borgermode_protocol::MeetingId;
use borgermode_server::live::render::Viewer;
use borgermode_server::live::room::Start;
use futures_util::StreamExt;
use tokio_tungstenite::tungstenite::Message;

const WAIT: Duration = Duration::from_secs(15);
const SMALL_RING: usize = 4;

/// Which replay path a resume is expected to take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Path {
    Ring,
    Store,
}

async fn meeting_seq(app: &TestApp, meeting: MeetingId) -> u64 {
    app.anonymous().meeting(meeting).await.accepted().seq
}

/// Post `n` comments one after another; returns their ids (= seqs).
async fn post_n(app: &TestApp, who: &Who, meeting: MeetingId, n: usize, tag: &str) -> Vec<u64> {
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        ids.push(
            app.post(who, meeting, "comment", &format!("{tag} {i}"))
                .await,
        );
    }
    ids
}

/// Check which path a resume after `since` takes right now.
async fn resume_path(app: &TestApp, meeting: MeetingId, since: u64) -> Path {
    let room = app
        .state
        .hub
        .room(meeting)
        .await
        .expect("store")
        .expect("room");
    match room.subscribe(Viewer::PUBLIC, None, Some(since)).start {
        Start::Replay(_) => Path::Ring,
        Start::FromStore { .. } => Path::Store,
        Start::Snapshot(_) => panic!("since={since} answered with a snapshot"),
    }
}

/// The next frame that matters for ordering (skips presence, votes and pongs), with its text.
async fn next_ordered(ws: &mut Ws) -> (String, ServerFrame) {
    loop {
        let text = next_text(ws, WAIT).await;
        let frame: ServerFrame = serde_json::from_str(&text).expect("frame parses");
        match frame {
            ServerFrame::Presence { .. } | ServerFrame::Votes { .. } | ServerFrame::Pong => {
                continue
            }
            f => return (text, f),
        }
    }
}

async fn expect_hello(ws: &mut Ws) {
    let (_, f) = next_ordered(ws).await;
    assert!(
        matches!(f, ServerFrame::Hello { .. }),
        "expected hello, got {f:?}"
    );
}

async fn expect_snapshot(ws: &mut Ws) -> u64 {
    match next_ordered(ws).await.1 {
        ServerFrame::Snapshot { seq, .. } => seq,
        f => panic!("expected snapshot, got {f:?}"),
    }
}

/// Read events until `last` (inclusive); every seq in `from..=last` exactly once, in order.
async fn expect_events(ws: &mut Ws, from: u64, last: u64) -> Vec<(u64, ServerFrame)> {
    let mut out = Vec::new();
    for want in from..=last {
        match next_ordered(ws).await.1 {
            ServerFrame::Event(e) => {
                assert_eq!(e.seq, want, "events must come exactly once and in order");
                out.push((e.seq, ServerFrame::Event(e)));
            }
            f => panic!("expected event {want}, got {f:?}"),
        }
    }
    out
}

/// Nothing ordered arrives for a little while (no duplicate, no stray event).
async fn expect_quiet(ws: &mut Ws) {
    let deadline = tokio::time::Instant::now() + Duration::from_millis(300);
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => return,
            Ok(Some(Ok(Message::Text(t)))) => {
                let f: ServerFrame = serde_json::from_str(&t).expect("frame parses");
                assert!(
                    matches!(f, ServerFrame::Presence { .. } | ServerFrame::Votes { .. }),
                    "unexpected frame after the last event: {f:?}"
                );
            }
            Ok(Some(Ok(_))) => {}
            Ok(other) => panic!("stream ended: {other:?}"),
        }
    }
}

async fn websocket_resume(app: TestApp, path: Path) {
    let meeting = app.open_meeting("Genoptag").await;
    let anne = app.join(meeting, "Anne").await;

    // A reference client that never drops: the frames as they went out live.
    let mut reference = ws_connect(&app.ws_url(meeting, None), None).await;
    expect_hello(&mut reference).await;
    let s0 = expect_snapshot(&mut reference).await;

    let mut client = ws_connect(&app.ws_url(meeting, None), None).await;
    expect_hello(&mut client).await;
    assert_eq!(expect_snapshot(&mut client).await, s0);

    // Six posts; the client applies three of them, then its connection drops (no close frame).
    let first = post_n(&app, &anne, meeting, 6, "før").await;
    assert_eq!(first, (s0 + 1..=s0 + 6).collect::<Vec<_>>());
    expect_events(&mut client, s0 + 1, s0 + 3).await;
    let n = s0 + 3;
    drop(client);

    // Twelve more while it is away.
    post_n(&app, &anne, meeting, 12, "imens").await;
    let s = meeting_seq(&app, meeting).await;
    assert_eq!(s, s0 + 18);
    let missed = (s - n) as usize;
    match path {
        Path::Ring => assert!(
            app.state.settings.ring_capacity >= missed,
            "the ring holds what the client missed"
        ),
        Path::Store => assert!(
            app.state.settings.ring_capacity < missed,
            "the ring is too small: the store must answer"
        ),
    }
    assert_eq!(resume_path(&app, meeting, n).await, path);

    let live = expect_events(&mut reference, s0 + 1, s).await;

    // Resume: hello, exactly n+1..=s, caught_up s. No snapshot.
    let mut client = ws_connect(&app.ws_url(meeting, Some(n)), None).await;
    expect_hello(&mut client).await;
    let replayed = expect_events(&mut client, n + 1, s).await;
    match next_ordered(&mut client).await.1 {
        ServerFrame::CaughtUp { seq } => assert_eq!(seq, s),
        f => panic!("expected caught_up, got {f:?}"),
    }
    // The replay is what the live clients saw (the store path renders it again from the log).
    for (seq, frame) in &replayed {
        let (_, original) = live.iter().find(|(l, _)| l == seq).expect("live frame");
        assert_eq!(
            frame, original,
            "seq {seq}: replayed frame differs from the live one"
        );
    }

    // Then live.
    let more = post_n(&app, &anne, meeting, 3, "efter").await;
    assert_eq!(more, (s + 1..=s + 3).collect::<Vec<_>>());
    expect_events(&mut client, s + 1, s + 3).await;
    expect_quiet(&mut client).await;

    // Resume again while posts keep coming: the replay and the live stream meet without a gap
    // or an overlap.
    let m = s + 3;
    drop(client);
    post_n(&app, &anne, meeting, 8, "igen").await;
    let head_before = meeting_seq(&app, meeting).await;
    assert_eq!(resume_path(&app, meeting, m).await, path);
    let bg = {
        let http = app.http.clone();
        let url = app.url(&routes::posts(&meeting));
        let token = anne.token.clone();
        tokio::spawn(async move {
            for i in 0..20 {
                let resp = http
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&serde_json::json!({"kind": "question", "body": format!("samtidig {i}")}))
                    .send()
                    .await
                    .expect("post");
                assert_eq!(resp.status(), 201);
            }
        })
    };
    let mut client = ws_connect(&app.ws_url(meeting, Some(m)), None).await;
    expect_hello(&mut client).await;
    bg.await.expect("background posts");
    let last = meeting_seq(&app, meeting).await;
    assert_eq!(last, head_before + 20);
    let mut want = m + 1;
    let mut caught_up = None;
    while want <= last {
        match next_ordered(&mut client).await.1 {
            ServerFrame::Event(e) => {
                assert_eq!(e.seq, want, "gapless and once, across the replay/live seam");
                want += 1;
            }
            ServerFrame::CaughtUp { seq } => {
                assert!(caught_up.is_none(), "one caught_up");
                assert_eq!(seq, want - 1, "caught_up names the last replayed seq");
                assert!(seq >= head_before, "the replay covers what was missed");
                caught_up = Some(seq);
            }
            f => panic!("unexpected {f:?}"),
        }
    }
    if caught_up.is_none() {
        match next_ordered(&mut client).await.1 {
            ServerFrame::CaughtUp { seq } => assert_eq!(seq, last),
            f => panic!("expected caught_up, got {f:?}"),
        }
    }
    expect_quiet(&mut client).await;
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_resume_from_the_ring() {
    let app = spawn_app().await;
    websocket_resume(app, Path::Ring).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_resume_from_the_store() {
    let app = spawn_app_with(|s| s.ring_capacity = SMALL_RING).await;
    websocket_resume(app, Path::Store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_at_the_head_gets_only_caught_up() {
    let app = spawn_app().await;
    let meeting = app.open_meeting("Intet nyt").await;
    let anne = app.join(meeting, "Anne").await;
    post_n(&app, &anne, meeting, 2, "hej").await;
    let s = meeting_seq(&app, meeting).await;
    let mut ws = ws_connect(&app.ws_url(meeting, Some(s)), None).await;
    expect_hello(&mut ws).await;
    match next_ordered(&mut ws).await.1 {
        ServerFrame::CaughtUp { seq } => assert_eq!(seq, s),
        f => panic!("expected caught_up, got {f:?}"),
    }
    let next = app.post(&anne, meeting, "question", "Og nu?").await;
    assert_eq!(next, s + 1);
    expect_events(&mut ws, s + 1, s + 1).await;
    expect_quiet(&mut ws).await;
    app.shutdown().await;
}

/// A minimal SSE reader: `id:` and `data:` lines, comments skipped.
struct Sse {
    resp: reqwest::Response,
    buf: Vec<u8>,
}

impl Sse {
    async fn open(app: &TestApp, meeting: MeetingId, last_event_id: Option<u64>) -> Sse {
        // No overall timeout: the stream is long-lived (each read has its own).
        let client = reqwest::Client::new();
        let mut req = client.get(app.url(&routes::events(&meeting)));
        if let Some(id) = last_event_id {
            req = req.header("Last-Event-ID", id.to_string());
        }
        let resp = req.send().await.expect("sse");
        assert_eq!(resp.status(), 200);
        let ct = content_type(&resp);
        assert!(ct.starts_with("text/event-stream"), "content type {ct}");
        Sse {
            resp,
            buf: Vec::new(),
        }
    }

    /// The next message: its `id:` (if any) and its frame; presence and votes skipped.
    async fn next(&mut self) -> (Option<u64>, ServerFrame) {
        loop {
            match self.next_any().await {
                (_, ServerFrame::Presence { .. } | ServerFrame::Votes { .. }) => continue,
                other => return other,
            }
        }
    }

    /// The next message of any kind (heartbeat comments skipped).
    async fn next_any(&mut self) -> (Option<u64>, ServerFrame) {
        loop {
            if let Some(pos) = self.buf.windows(2).position(|w| w == b"\n\n") {
                let block = String::from_utf8(self.buf[..pos].to_vec()).expect("utf-8");
                self.buf.drain(..pos + 2);
                let mut id = None;
                let mut data = None;
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id: ") {
                        id = Some(v.trim().parse::<u64>().expect("numeric id"));
                    } else if let Some(v) = line.strip_prefix("data: ") {
                        assert!(data.is_none(), "one data line per message");
                        data = Some(v.to_string());
                    } else {
                        assert!(line.starts_with(':'), "unexpected SSE line {line:?}");
                    }
                }
                let Some(data) = data else { continue };
                let frame: ServerFrame = serde_json::from_str(&data).expect("frame parses");
                return (id, frame);
            }
            let chunk = tokio::time::timeout(WAIT, self.resp.chunk())
                .await
                .expect("an SSE chunk within the timeout")
                .expect("sse read")
                .expect("sse stream open");
            self.buf.extend_from_slice(&chunk);
        }
    }

    async fn expect_events(&mut self, from: u64, last: u64) -> Vec<(u64, ServerFrame)> {
        let mut out = Vec::new();
        for want in from..=last {
            match self.next().await {
                (id, ServerFrame::Event(e)) => {
                    assert_eq!(e.seq, want, "SSE events exactly once and in order");
                    assert_eq!(id, Some(e.seq), "an event message carries its seq as id");
                    out.push((e.seq, ServerFrame::Event(e)));
                }
                other => panic!("expected event {want}, got {other:?}"),
            }
        }
        out
    }
}

async fn sse_resume(app: TestApp, path: Path) {
    let meeting = app.open_meeting("SSE").await;
    let anne = app.join(meeting, "Anne").await;

    let mut reference = ws_connect(&app.ws_url(meeting, None), None).await;
    expect_hello(&mut reference).await;
    let s0 = expect_snapshot(&mut reference).await;

    let mut sse = Sse::open(&app, meeting, None).await;
    assert!(matches!(
        sse.next().await,
        (None, ServerFrame::Hello { .. })
    ));
    match sse.next().await {
        (None, ServerFrame::Snapshot { seq, .. }) => assert_eq!(seq, s0),
        other => panic!("expected snapshot, got {other:?}"),
    }
    post_n(&app, &anne, meeting, 6, "før").await;
    sse.expect_events(s0 + 1, s0 + 3).await;
    let n = s0 + 3;
    drop(sse);

    post_n(&app, &anne, meeting, 12, "imens").await;
    let s = meeting_seq(&app, meeting).await;
    assert_eq!(s, s0 + 18);
    assert_eq!(resume_path(&app, meeting, n).await, path);
    let live = expect_events(&mut reference, s0 + 1, s).await;

    let mut sse = Sse::open(&app, meeting, Some(n)).await;
    assert!(matches!(
        sse.next().await,
        (None, ServerFrame::Hello { .. })
    ));
    let replayed = sse.expect_events(n + 1, s).await;
    match sse.next().await {
        (None, ServerFrame::CaughtUp { seq }) => assert_eq!(seq, s),
        other => panic!("expected caught_up, got {other:?}"),
    }
    for (seq, frame) in &replayed {
        let (_, original) = live.iter().find(|(l, _)| l == seq).expect("live frame");
        assert_eq!(
            frame, original,
            "seq {seq}: replayed frame differs from the live one"
        );
    }
    let more = post_n(&app, &anne, meeting, 3, "efter").await;
    assert_eq!(more, (s + 1..=s + 3).collect::<Vec<_>>());
    sse.expect_events(s + 1, s + 3).await;
    // Nothing twice: the next event is the next seq.
    let next = app.post(&anne, meeting, "question", "Sidste?").await;
    sse.expect_events(next, next).await;
    assert_eq!(next, s + 4);
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sse_resume_with_last_event_id_from_the_ring() {
    let app = spawn_app().await;
    sse_resume(app, Path::Ring).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sse_resume_with_last_event_id_from_the_store() {
    let app = spawn_app_with(|s| s.ring_capacity = SMALL_RING).await;
    sse_resume(app, Path::Store).await;
}

/// At the ring's edge: missing exactly `ring_capacity` events is served from the ring, one more
/// from the store; both give exactly the missed events.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_at_the_edge_of_the_ring() {
    let app = spawn_app_with(|s| s.ring_capacity = SMALL_RING).await;
    let meeting = app.open_meeting("Kanten").await;
    let anne = app.join(meeting, "Anne").await;
    for (missed, path) in [
        (SMALL_RING - 1, Path::Ring),
        (SMALL_RING, Path::Ring),
        (SMALL_RING + 1, Path::Store),
    ] {
        let n = meeting_seq(&app, meeting).await;
        post_n(&app, &anne, meeting, missed, "kant").await;
        let s = n + missed as u64;
        assert_eq!(meeting_seq(&app, meeting).await, s);
        assert_eq!(resume_path(&app, meeting, n).await, path, "{missed} missed");
        let mut ws = ws_connect(&app.ws_url(meeting, Some(n)), None).await;
        expect_hello(&mut ws).await;
        expect_events(&mut ws, n + 1, s).await;
        match next_ordered(&mut ws).await.1 {
            ServerFrame::CaughtUp { seq } => assert_eq!(seq, s),
            f => panic!("expected caught_up, got {f:?}"),
        }
        expect_quiet(&mut ws).await;
    }
    app.shutdown().await;
}

/// Votes are not log events, so a client that was away missed the `votes` frames sent
/// meanwhile; after the resume its counts must still end up current.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn votes_that_changed_while_away_are_current_after_resume() {
    for ring_capacity in [2048, 1] {
        let app = spawn_app_with(|s| s.ring_capacity = ring_capacity).await;
        let meeting = app.open_meeting("Stemmer imens").await;
        let anne = app.join(meeting, "Anne").await;
        let bo = app.join(meeting, "Bo").await;
        let carl = app.join(meeting, "Carl").await;
        let q = app.post(&anne, meeting, "question", "Ny skole?").await;
        let c = app.post(&anne, meeting, "comment", "Godt spørgsmål").await;
        vote(&app, &bo, meeting, q, true).await;
        vote(&app, &carl, meeting, c, true).await;

        let mut ws = ws_connect(&app.ws_url(meeting, None), None).await;
        expect_hello(&mut ws).await;
        let (s, mut counts) = match next_ordered(&mut ws).await.1 {
            ServerFrame::Snapshot { seq, posts, .. } => (
                seq,
                posts
                    .iter()
                    .map(|p| (p.id, p.votes))
                    .collect::<std::collections::HashMap<_, _>>(),
            ),
            f => panic!("expected snapshot, got {f:?}"),
        };
        assert_eq!((counts[&q], counts[&c]), (1, 1));
        drop(ws);
        // Someone who stays: their `votes` frames say when the tick has sent the new counts.
        let mut stays = ws_connect(&app.ws_url(meeting, None), None).await;
        expect_hello(&mut stays).await;
        expect_snapshot(&mut stays).await;

        // While away: q goes up, c goes back to 0, and a post changes (an event to replay).
        vote(&app, &carl, meeting, q, true).await;
        vote(&app, &carl, meeting, c, false).await;
        app.post(&bo, meeting, "comment", "Imens").await;
        let later = app.post(&bo, meeting, "comment", "Også imens").await;
        assert_eq!(later, s + 2);
        let path = if ring_capacity >= 2 {
            Path::Ring
        } else {
            Path::Store
        };
        assert_eq!(resume_path(&app, meeting, s).await, path);
        // The resume must bring the counts itself, not a tick that was still due.
        await_counts(&mut stays, &[(q, 2), (c, 0)]).await;
        drop(stays);

        let mut ws = ws_connect(&app.ws_url(meeting, Some(s)), None).await;
        expect_hello(&mut ws).await;
        // Apply everything up to caught_up and a moment after, as a client would.
        let mut caught_up = false;
        let mut replayed = Vec::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
        loop {
            let msg = match tokio::time::timeout_at(deadline, ws.next()).await {
                Err(_) => break,
                Ok(m) => m.expect("open").expect("ok"),
            };
            let Message::Text(t) = msg else { continue };
            match serde_json::from_str(&t).expect("frame") {
                ServerFrame::Event(e) => {
                    replayed.push(e.seq);
                    for p in e.posts {
                        counts.insert(p.id, p.votes);
                    }
                }
                ServerFrame::Votes { counts: v } => counts.extend(v),
                ServerFrame::CaughtUp { seq } => {
                    assert_eq!(seq, later);
                    caught_up = true;
                }
                ServerFrame::Presence { .. } => {}
                f => panic!("unexpected {f:?}"),
            }
        }
        assert!(caught_up);
        assert_eq!(replayed, vec![s + 1, s + 2]);
        assert_eq!(
            (counts[&q], counts[&c]),
            (2, 0),
            "ring {ring_capacity}: vote counts after the resume"
        );

        // The same over SSE: the counts arrive before caught_up.
        let mut sse = Sse::open(&app, meeting, Some(s)).await;
        let mut sse_counts = std::collections::HashMap::new();
        loop {
            match sse.next_any().await {
                (_, ServerFrame::Votes { counts }) => sse_counts.extend(counts),
                (_, ServerFrame::CaughtUp { seq }) => {
                    assert_eq!(seq, later);
                    break;
                }
                _ => {}
            }
        }
        assert_eq!(
            (sse_counts.get(&q), sse_counts.get(&c)),
            (Some(&2), Some(&0)),
            "SSE, ring {ring_capacity}"
        );
        app.shutdown().await;
    }
}

/// Read `votes` frames until they have shown every `(post, count)` of `want`.
async fn await_counts(ws: &mut Ws, want: &[(u64, u32)]) {
    let mut seen = std::collections::HashMap::new();
    let deadline = tokio::time::Instant::now() + WAIT;
    while want.iter().any(|(p, n)| seen.get(p) != Some(n)) {
        let msg = tokio::time::timeout_at(deadline, ws.next())
            .await
            .unwrap_or_else(|_| panic!("no votes frame with {want:?} in {WAIT:?}; saw {seen:?}"))
            .expect("stream open")
            .expect("websocket ok");
        let Message::Text(text) = msg else { continue };
        if let ServerFrame::Votes { counts } = serde_json::from_str(&text).expect("frame") {
            seen.extend(counts);
        }
    }
}

async fn vote(app: &TestApp, who: &Who, meeting: MeetingId, post: u64, up: bool) {
    app.as_who(who)
        .vote(meeting, post, &VoteRequest { up })
        .await
        .accepted();
}
