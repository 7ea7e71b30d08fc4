//! Server-Sent Events: the same frames as the WebSocket, for networks that break WebSockets.
//! Event frames carry `id: <seq>`, so a browser's EventSource resumes by itself with
//! `Last-Event-ID`; a lagging or shutting-down stream sends `reconnect` and ends.
//!
//! Each frame's JSON bytes are the room's shared bytes; only the short `id:` line is
//! formatted per connection.
//!
//! The lag check cannot live in the stream alone: actix-http polls a response body only when
//! the socket is writable, so a client that stops reading would never be checked. A watchdog
//! task per stream compares the room's seq with the last seq the stream handed over every
//! `--sse-lag-check-ms`; beyond `--connection-buffer` frames it counts the cut and ends the
//! connection through its kill switch (`http/net.rs`).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use actix_web::web::Bytes;
use borgermode_protocol::frames::ServerFrame;
use futures_util::stream::{self, Stream};
use tokio::sync::broadcast::error::RecvError;

use crate::live::render::{Format, Viewer};
use crate::live::room::{Outbound, RenderedEvent, Room, Start, Subscription, WatchGuard};
use crate::ops::metrics::{ConnectionGuard, Metrics, Transport};
use crate::settings::Settings;

fn data(json: &[u8]) -> Bytes {
    let mut out = Vec::with_capacity(json.len() + 8);
    out.extend_from_slice(b"data: ");
    out.extend_from_slice(json);
    out.extend_from_slice(b"\n\n");
    Bytes::from(out)
}

/// A shared frame as SSE chunks without copying it: a short header, the room's bytes
/// (reference-counted, shared by every connection), and the closing blank line.
fn shared_chunks(
    head: Bytes,
    frame: &bytestring::ByteString,
    out: &mut std::collections::VecDeque<Bytes>,
) {
    out.push_back(head);
    out.push_back(frame.as_bytes().clone());
    out.push_back(Bytes::from_static(b"\n\n"));
}

fn event_chunks(
    e: &RenderedEvent,
    viewer: Viewer,
    format: Format,
    out: &mut std::collections::VecDeque<Bytes>,
) {
    let head = Bytes::from(format!("id: {}\ndata: ", e.seq));
    shared_chunks(head, e.bytes(viewer.audience, format), out);
    if let Some(n) = e.notice_for(viewer.participant) {
        shared_chunks(Bytes::from_static(b"data: "), n, out);
    }
}

fn frame_chunk(f: &ServerFrame) -> Bytes {
    data(serde_json::to_string(f).unwrap_or_default().as_bytes())
}

struct SseState {
    room: Arc<Room>,
    sub: Subscription,
    viewer: Viewer,
    settings: Arc<Settings>,
    queue: std::collections::VecDeque<Bytes>,
    started: bool,
    done: bool,
    last_seq: u64,
    _watch: WatchGuard,
    _open: ConnectionGuard,
    metrics: Arc<Metrics>,
    heartbeat: tokio::time::Interval,
    watch: Arc<Watch>,
}

/// What the stream and its watchdog share.
#[derive(Default)]
struct Watch {
    /// The last seq handed to the response body.
    taken: AtomicU64,
    /// Cut already (counted once, by whoever got there first).
    cut: AtomicBool,
    /// The stream was dropped: the watchdog ends.
    gone: AtomicBool,
}

impl Watch {
    /// True for the first caller only.
    fn cut_once(&self) -> bool {
        !self.cut.swap(true, Ordering::AcqRel)
    }
}

impl Drop for SseState {
    fn drop(&mut self) {
        self.watch.gone.store(true, Ordering::Release);
    }
}

/// The watchdog: see the module comment.
fn spawn_watchdog(
    room: Arc<Room>,
    watch: Arc<Watch>,
    kill: Arc<crate::http::net::KillSwitch>,
    settings: &Settings,
    metrics: Arc<Metrics>,
) {
    let every = std::time::Duration::from_millis(settings.sse_lag_check_ms.max(1));
    let max_behind = settings.connection_buffer as u64;
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            if watch.gone.load(Ordering::Acquire) || watch.cut.load(Ordering::Acquire) {
                return;
            }
            let behind = room
                .seq()
                .saturating_sub(watch.taken.load(Ordering::Acquire));
            if behind > max_behind && watch.cut_once() {
                metrics.slow_consumer_cut(Transport::Sse);
                tracing::debug!(behind, "SSE client too slow: cut");
                kill.kill();
                return;
            }
        }
    });
}

pub fn stream(
    room: Arc<Room>,
    sub: Subscription,
    viewer: Viewer,
    settings: Arc<Settings>,
    metrics: Arc<Metrics>,
    kill: Option<Arc<crate::http::net::KillSwitch>>,
) -> impl Stream<Item = Result<Bytes, actix_web::Error>> {
    let mut heartbeat = tokio::time::interval(settings.heartbeat());
    heartbeat.reset();
    let watch = Arc::new(Watch::default());
    watch.taken.store(sub.head, Ordering::Release);
    if let Some(kill) = kill {
        spawn_watchdog(
            room.clone(),
            watch.clone(),
            kill,
            &settings,
            metrics.clone(),
        );
    }
    let state = SseState {
        watch,
        _watch: room.watch(),
        _open: metrics.connection(Transport::Sse),
        metrics,
        last_seq: sub.head,
        room,
        sub,
        viewer,
        settings,
        queue: Default::default(),
        started: false,
        done: false,
        heartbeat,
    };
    stream::unfold(state, |mut st| async move {
        loop {
            if let Some(chunk) = st.queue.pop_front() {
                return Some((Ok(chunk), st));
            }
            if st.done || st.watch.cut.load(Ordering::Acquire) {
                return None;
            }
            if !st.started {
                st.started = true;
                st.queue.push_back(data(st.sub.hello.as_bytes()));
                let start = std::mem::replace(&mut st.sub.start, Start::Replay(Vec::new()));
                let replay = match start {
                    Start::Snapshot(bytes) => {
                        st.queue.push_back(data(bytes.as_bytes()));
                        for r in std::mem::take(&mut st.sub.poll_results) {
                            st.queue.push_back(data(r.as_bytes()));
                        }
                        None
                    }
                    Start::Replay(events) => Some(events),
                    Start::FromStore { after } => {
                        match st.room.replay_from_store(after, st.sub.head).await {
                            Ok(events) => Some(events),
                            Err(_) => {
                                st.queue.push_back(frame_chunk(&ServerFrame::Reconnect {
                                    reason: "store_unavailable".into(),
                                    retry_after_ms: 1000,
                                }));
                                st.done = true;
                                None
                            }
                        }
                    }
                };
                if let Some(events) = replay {
                    for e in events {
                        event_chunks(&e, st.viewer, st.sub.format, &mut st.queue);
                        st.metrics.event_delivered(Transport::Sse);
                    }
                    if let Some(votes) = st.sub.votes.take() {
                        st.queue.push_back(data(votes.as_bytes()));
                    }
                    for r in std::mem::take(&mut st.sub.poll_results) {
                        st.queue.push_back(data(r.as_bytes()));
                    }
                    st.queue
                        .push_back(frame_chunk(&ServerFrame::CaughtUp { seq: st.sub.head }));
                }
                continue;
            }
            tokio::select! {
                out = st.sub.rx.recv() => match out {
                    Ok(out) => match &*out {
                        Outbound::Event(e) if e.ends_session_of.is_some() && e.ends_session_of == st.viewer.participant => {
                            // Access revoked: end the stream without the staff frame.
                            e.clock.skipped(1);
                            st.done = true;
                        }
                        Outbound::Event(e) => {
                            if e.seq > st.last_seq {
                                st.last_seq = e.seq;
                                st.watch.taken.store(e.seq, Ordering::Release);
                                event_chunks(e, st.viewer, st.sub.format, &mut st.queue);
                                // Queued for the response body; the stream is polled again
                                // only once the previous chunks were taken.
                                st.metrics.event_delivered(Transport::Sse);
                                st.metrics.fanout_lag.observe(e.applied_at.elapsed());
                                st.metrics.stages.written(&e.clock);
                            } else {
                                e.clock.skipped(1);
                            }
                        }
                        Outbound::Shared(bytes) => shared_chunks(Bytes::from_static(b"data: "), bytes, &mut st.queue),
                        Outbound::Staff(bytes) => {
                            if st.viewer.audience == borgermode_protocol::views::Audience::Staff {
                                shared_chunks(Bytes::from_static(b"data: "), bytes, &mut st.queue)
                            }
                        }
                        Outbound::Shutdown => {
                            st.queue.push_back(frame_chunk(&ServerFrame::Reconnect { reason: "shutdown".into(), retry_after_ms: st.settings.reconnect_hint_ms }));
                            st.done = true;
                        }
                    },
                    Err(RecvError::Lagged(_)) => {
                        if st.watch.cut_once() {
                            st.metrics.slow_consumer_cut(Transport::Sse);
                        }
                        st.queue.push_back(frame_chunk(&ServerFrame::Reconnect { reason: "too_slow".into(), retry_after_ms: 0 }));
                        st.done = true;
                    }
                    Err(RecvError::Closed) => st.done = true,
                },
                _ = st.heartbeat.tick() => st.queue.push_back(Bytes::from_static(b": heartbeat\n\n")),
            }
        }
    })
}
