//! A client that never reads must be cut (close 4000, resumable) without holding anybody else
//! up, and must be able to resume from the last seq it saw.
//!
//! To see a cut at all, the kernel buffers between server and client have to fill first: the
//! slow client's socket gets a 4 KiB receive buffer (set before connect, so the window is
//! small from the handshake on), and the test pushes megabytes through the meeting (large posts)
//! until the server reports the cut, with a hard cap so that a server that never cuts fails
//! the test instead of hanging it.
#![allow(clippy::print_stdout)]

use crate::common::routes;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::app::{next_frame, spawn_app_with, ws_connect, Who, Ws};
use borgermode_protocol::frames::ServerFrame;
use borgermode_server::settings::WsEngine;
use futures_util::StreamExt;
use tokio::sync::{oneshot, watch};
use tokio_tungstenite::tungstenite::Message;

/// Characters per post: with the JSON around it, every event frame is about 10 KB.
const BODY_CHARS: usize = 10_000;
/// Give up (and fail) after this many bytes of post bodies without a cut.
const MAX_BYTES: usize = 64 * 1024 * 1024;
const POSTERS: usize = 3;
const RING: usize = 8;

fn body(i: usize) -> String {
    let head = format!("Indlæg {i:05}: ");
    let filler = "Havnebadet skal have længere åbningstider om sommeren. ";
    let mut s = head;
    while s.chars().count() < BODY_CHARS {
        s.push_str(filler);
    }
    s.chars().take(BODY_CHARS).collect()
}

/// What a reader saw: event seqs in arrival order and how its stream ended.
#[derive(Debug, Default)]
struct Seen {
    snapshot_seq: Option<u64>,
    seqs: Vec<u64>,
    caught_up: Option<u64>,
    reconnect: Option<String>,
    close_code: Option<u16>,
    end: Option<String>,
}

impl Seen {
    fn last(&self) -> u64 {
        self.seqs.last().copied().or(self.snapshot_seq).unwrap_or(0)
    }
}

/// Read frames until the seq in `target` is reached (once it is set), the stream ends, or
/// nothing comes for `idle`. Without a target, a `caught_up` frame also ends the reading.
async fn read_all(ws: &mut Ws, mut target: Option<watch::Receiver<u64>>, idle: Duration) -> Seen {
    let mut seen = Seen::default();
    let has_target = target.is_some();
    loop {
        if let Some(t) = target.as_mut() {
            let want = *t.borrow_and_update();
            if want > 0 && seen.last() >= want {
                seen.end = Some("reached target".into());
                return seen;
            }
        }
        let next = tokio::time::timeout(idle, ws.next());
        let read = match target.as_mut() {
            Some(t) => tokio::select! {
                r = next => Some(r),
                changed = t.changed() => {
                    if changed.is_err() {
                        target = None;
                    }
                    None
                }
            },
            None => Some(next.await),
        };
        let Some(read) = read else { continue };
        let msg = match read {
            Err(_) => {
                seen.end = Some(format!("nothing for {idle:?}"));
                return seen;
            }
            Ok(None) => {
                seen.end = Some("EOF".into());
                return seen;
            }
            Ok(Some(Err(e))) => {
                seen.end = Some(format!("error: {e}"));
                return seen;
            }
            Ok(Some(Ok(m))) => m,
        };
        match msg {
            Message::Text(t) => {
                let frame: ServerFrame = serde_json::from_str(&t).expect("server frame parses");
                match frame {
                    ServerFrame::Snapshot { seq, .. } => seen.snapshot_seq = Some(seq),
                    ServerFrame::Event(e) => seen.seqs.push(e.seq),
                    ServerFrame::CaughtUp { seq } => {
                        seen.caught_up = Some(seq);
                        if !has_target {
                            seen.end = Some("caught up".into());
                            return seen;
                        }
                    }
                    ServerFrame::Reconnect { reason, .. } => seen.reconnect = Some(reason),
                    _ => {}
                }
            }
            Message::Close(f) => {
                seen.close_code = f.map(|f| u16::from(f.code));
                seen.end = Some("close frame".into());
                return seen;
            }
            _ => {}
        }
    }
}

/// `seqs` is exactly `from..=to`, in order.
fn contiguous(seqs: &[u64], from: u64, to: u64) -> Result<(), String> {
    let want: Vec<u64> = (from..=to).collect();
    if seqs == want.as_slice() {
        return Ok(());
    }
    let first_bad = seqs
        .iter()
        .zip(&want)
        .position(|(a, b)| a != b)
        .unwrap_or(seqs.len().min(want.len()));
    Err(format!(
        "want {from}..={to} ({} events), got {} events; first difference at index {first_bad}: got {:?}, want {:?}",
        want.len(),
        seqs.len(),
        seqs.get(first_bad),
        want.get(first_bad)
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_client_that_never_reads_is_cut_and_resumes() {
    never_reads_is_cut_and_resumes(WsEngine::Direct).await;
}

#[tokio::test]
async fn a_client_that_never_reads_is_cut_and_resumes_actix_ws_engine() {
    never_reads_is_cut_and_resumes(WsEngine::ActixWs).await;
}

async fn never_reads_is_cut_and_resumes(engine: WsEngine) {
    let app = spawn_app_with(|s| {
        s.ws_engine = engine;
        s.connection_buffer = 16;
        s.send_timeout_ms = 500;
        s.max_body_chars = 20_000;
        // Small enough that the cut client's resume comes from the store, not the ring.
        s.ring_capacity = RING;
        s.heartbeat_ms = 60_000;
        s.idle_timeout_ms = 600_000;
    })
    .await;
    let meeting = app.open_meeting("Trafik").await;
    let mut posters: Vec<Who> = Vec::new();
    for i in 0..POSTERS {
        posters.push(app.join(meeting, &format!("Skribent {i}")).await);
    }

    // The normal client: reads everything, in its own task.
    let mut normal = ws_connect(&app.ws_url(meeting, None), None).await;
    assert!(matches!(
        next_frame(&mut normal, Duration::from_secs(10)).await,
        Some(ServerFrame::Hello { .. })
    ));
    let Some(ServerFrame::Snapshot { seq: start, .. }) =
        next_frame(&mut normal, Duration::from_secs(10)).await
    else {
        panic!("snapshot")
    };
    let (target_tx, target_rx) = watch::channel(0u64);
    let normal_reader = tokio::spawn(async move {
        let seen = read_all(&mut normal, Some(target_rx), Duration::from_secs(60)).await;
        (seen, normal)
    });

    // The slow client: a 4 KiB receive buffer, set before connect; never read until the end.
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
    println!(
        "slow client SO_RCVBUF: {:?} (the kernel doubles what was asked)",
        socket.recv_buffer_size()
    );
    let stream = socket
        .connect(format!("127.0.0.1:{}", app.port).parse().expect("addr"))
        .await
        .expect("connect");
    let stream = tokio_tungstenite::MaybeTlsStream::Plain(stream);
    let (mut slow, _) = tokio_tungstenite::client_async(app.ws_url(meeting, None), stream)
        .await
        .expect("slow client handshake");

    // Watch the server's cut counter.
    let metrics = app.state.metrics.clone();
    assert_eq!(metrics.slow_consumers_cut_total(), 0);
    let (cut_tx, cut_rx) = oneshot::channel::<Instant>();
    let stop_watch = Arc::new(AtomicBool::new(false));
    let watcher = {
        let stop = stop_watch.clone();
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                if metrics.slow_consumers_cut_total() >= 1 {
                    let _ = cut_tx.send(Instant::now());
                    return;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };
    let mut cut_rx = cut_rx;

    // Traffic: batches of concurrent large posts until the cut, then a few more batches.
    let first_post = Instant::now();
    let mut sent_bytes = 0usize;
    let mut posted = 0usize;
    let mut last_seq = start;
    let mut cut_at: Option<Instant> = None;
    let mut batches_after_cut = 0;
    while batches_after_cut < 4 {
        let batch = posters.iter().enumerate().map(|(k, who)| {
            let text = body(posted + k);
            let app = &app;
            async move { app.post(who, meeting, "comment", &text).await }
        });
        let ids = futures_util::future::join_all(batch).await;
        posted += ids.len();
        sent_bytes += ids.len() * BODY_CHARS;
        last_seq = last_seq.max(ids.into_iter().max().unwrap_or(0));
        if cut_at.is_none() {
            if let Ok(t) = cut_rx.try_recv() {
                cut_at = Some(t);
            }
        }
        if cut_at.is_some() {
            batches_after_cut += 1;
        } else if sent_bytes > MAX_BYTES {
            break;
        }
    }
    stop_watch.store(true, Ordering::Relaxed);
    let _ = watcher.await;
    let cuts = app.state.metrics.slow_consumers_cut_total();
    println!(
        "posted {posted} posts ({:.1} MB of bodies) in {:?}; last seq {last_seq}; slow consumers cut: {cuts}",
        sent_bytes as f64 / 1e6,
        first_post.elapsed()
    );
    match cut_at {
        Some(t) => println!(
            "time from first post to cut: {:?}",
            t.duration_since(first_post)
        ),
        None => println!("no cut after {:.1} MB", sent_bytes as f64 / 1e6),
    }
    assert!(
        cuts >= 1,
        "the server did not cut a client that read nothing while {:.1} MB went through the meeting",
        sent_bytes as f64 / 1e6
    );

    // The normal client got every event, in order, no gap, no duplicate.
    target_tx.send(last_seq).expect("target");
    let (normal_seen, normal) = tokio::time::timeout(Duration::from_secs(120), normal_reader)
        .await
        .expect("normal client finishes")
        .expect("reader task");
    assert!(
        normal_seen.close_code.is_none() && normal_seen.reconnect.is_none(),
        "the normal client was cut too: {normal_seen:?}"
    );
    if let Err(e) = contiguous(&normal_seen.seqs, start + 1, last_seq) {
        panic!("normal client: {e}");
    }
    drop(normal);

    // The slow client reads now: whatever the kernel held, then the end of the stream, before
    // the end of the log.
    let slow_seen = read_all(&mut slow, None, Duration::from_secs(30)).await;
    println!(
        "slow client: snapshot at {:?}, {} events (last {}), reconnect {:?}, close code {:?}, end: {:?}",
        slow_seen.snapshot_seq,
        slow_seen.seqs.len(),
        slow_seen.last(),
        slow_seen.reconnect,
        slow_seen.close_code,
        slow_seen.end
    );
    let ended = matches!(slow_seen.end.as_deref(), Some("close frame" | "EOF"))
        || slow_seen
            .end
            .as_deref()
            .is_some_and(|e| e.starts_with("error"));
    assert!(
        ended,
        "the slow client's stream did not end: {:?}",
        slow_seen.end
    );
    if let Some(code) = slow_seen.close_code {
        assert_eq!(code, 4000, "close code of a cut client");
    }
    if let Some(reason) = &slow_seen.reconnect {
        assert_eq!(reason, "too_slow");
    }
    let slow_start = slow_seen
        .snapshot_seq
        .expect("the slow client got its snapshot");
    assert!(
        slow_seen.last() < last_seq,
        "the slow client saw the whole log (up to {last_seq}): it was not cut off"
    );
    if let Err(e) = contiguous(&slow_seen.seqs, slow_start + 1, slow_seen.last()) {
        panic!("slow client before the cut: {e}");
    }

    // Resume from the last seq it saw: exactly the rest, then caught_up. More than the ring
    // holds is missing, so the replay is read from the store.
    let resume_from = slow_seen.last();
    assert!(
        last_seq - resume_from > RING as u64,
        "resume from {resume_from} to {last_seq} would fit in the ring"
    );
    let mut again = ws_connect(&app.ws_url(meeting, Some(resume_from)), None).await;
    let resumed = read_all(&mut again, None, Duration::from_secs(30)).await;
    assert_eq!(
        resumed.caught_up,
        Some(last_seq),
        "resume: {:?}",
        resumed.end
    );
    assert!(
        resumed.snapshot_seq.is_none(),
        "a resume gets events, not a snapshot"
    );
    if let Err(e) = contiguous(&resumed.seqs, resume_from + 1, last_seq) {
        panic!("resume after {resume_from}: {e}");
    }
    println!(
        "resumed after seq {resume_from}: {} events up to {last_seq}",
        resumed.seqs.len()
    );
    app.shutdown().await;
}

/// With `--socket-send-buffer` bounded, a stalled client is cut after little data: the kernel
/// no longer parks megabytes for it (with autotuning this machine's runs needed about 4 MB).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bounded_send_buffer_cuts_a_stalled_client_after_little_data() {
    const LIMIT: usize = 2 * 1024 * 1024;
    let app = spawn_app_with(|s| {
        s.socket_send_buffer = 32 * 1024;
        s.send_timeout_ms = 500;
        s.max_body_chars = 20_000;
        s.heartbeat_ms = 60_000;
        s.idle_timeout_ms = 600_000;
    })
    .await;
    let meeting = app.open_meeting("Skolevej").await;
    let poster = app.join(meeting, "Skribent").await;
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
    let stream = socket
        .connect(format!("127.0.0.1:{}", app.port).parse().expect("addr"))
        .await
        .expect("connect");
    let stream = tokio_tungstenite::MaybeTlsStream::Plain(stream);
    let (_stalled, _) = tokio_tungstenite::client_async(app.ws_url(meeting, None), stream)
        .await
        .expect("handshake");
    let metrics = app.state.metrics.clone();
    let started = Instant::now();
    let mut sent = 0usize;
    let mut posted = 0usize;
    while metrics.slow_consumers_cut_total() == 0 && sent < 4 * LIMIT {
        app.post(&poster, meeting, "comment", &body(posted)).await;
        posted += 1;
        sent += BODY_CHARS;
        // Give the send timeout a chance to fire between posts once everything is full.
        if sent > 256 * 1024 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    println!(
        "stalled client cut after {posted} posts ({:.2} MB of bodies) in {:?} (send buffer 32 KiB, send timeout 500 ms)",
        sent as f64 / 1e6,
        started.elapsed()
    );
    assert_eq!(metrics.slow_consumers_cut_total(), 1, "no cut");
    assert!(
        sent < LIMIT,
        "cut only after {sent} bytes: the send buffer is not bounded"
    );
    app.shutdown().await;
}

/// Issue 14, item 5: an SSE client that stops reading is cut at `--connection-buffer` (512)
/// frames behind, like a WebSocket client, although actix-http never polls its stream while
/// the socket is not writable: the stream's watchdog counts the cut
/// (`slow_consumers_cut{transport="sse"}`) and closes the connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_sse_client_is_cut() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app_with(|s| {
        s.max_body_chars = 20_000;
        s.sse_lag_check_ms = 50;
    })
    .await;
    assert_eq!(
        app.state.settings.connection_buffer, 512,
        "the documented default"
    );
    let meeting = app.open_meeting("Langsom SSE").await;
    let mut authors = Vec::new();
    for i in 0..4 {
        authors.push(app.join(meeting, &format!("Skribent {i}")).await);
    }

    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
    let mut slow = socket
        .connect(format!("127.0.0.1:{}", app.port).parse().expect("addr"))
        .await
        .expect("connect");
    slow.write_all(
        format!(
            "GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n",
            routes::events(&meeting)
        )
        .as_bytes(),
    )
    .await
    .expect("request");

    let metrics = app.state.metrics.clone();
    let body = "x".repeat(2_000);
    let started = Instant::now();
    let mut posts = 0usize;
    while metrics.slow_consumers_cut_total() == 0 && posts < 3_000 {
        let who = &authors[posts % authors.len()];
        app.post(who, meeting, "comment", &format!("{posts} {body}"))
            .await;
        posts += 1;
    }
    // The last posts may have been made while the watchdog was about to look.
    let deadline = Instant::now() + Duration::from_secs(5);
    while metrics.slow_consumers_cut_total() == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!(
        "SSE cut after {posts} posts ({:?}); cuts counted: {}",
        started.elapsed(),
        metrics.slow_consumers_cut_total()
    );
    assert_eq!(
        metrics.slow_consumers_cut_total(),
        1,
        "the stalled SSE client was cut (once)"
    );
    assert!(
        posts > 512,
        "not cut before it was 512 frames behind ({posts} posts)"
    );
    // The connection is closed: reading now drains what the kernel held, then ends.
    let mut buf = vec![0u8; 64 * 1024];
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match slow.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(
        ended.is_ok(),
        "the server closed the stalled SSE connection"
    );
    // The server goes on: a fresh SSE client is served.
    let resp = app
        .http
        .get(app.url(&routes::events(&meeting)))
        .send()
        .await
        .expect("sse");
    assert_eq!(resp.status(), 200);
    app.shutdown().await;
}
