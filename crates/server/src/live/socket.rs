//! One WebSocket connection: its own task pulls ready-made frames from the room's broadcast
//! receiver and writes them straight to its TCP socket. Nothing else ever awaits this client.
//!
//! Why the task owns the socket (instead of actix-ws's session channel and actix-http's
//! dispatcher): fan-out is the one hot path, and per delivery the old route cost a channel hop,
//! a dispatcher poll and a copy into an 8 KiB write buffer, plus 8+8 KiB of dispatcher buffers
//! per connection. Here a delivery is one `writev` of a 2-10 byte header and the room's shared
//! bytes, with no copy and no per-connection buffer (docs/benchmarks.md has the before/after).
//! `live/upgrade.rs` takes the socket from actix-http after the handshake was authorized by the
//! normal route (`api/streams.rs`).
//!
//! The actix-ws trap (DESIGN.md) does not arise: only this task writes to the client, and every
//! write that cannot complete at once waits at most `send_timeout_ms`. If it does not complete
//! in time, or the receiver lags more than `connection_buffer` frames behind the room, the client
//! is cut with close code 4000 (too slow, resumable) and comes back with `since`.
//!
//! Client frames: `{"t":"ping"}` gets `{"t":"pong"}`; anything else gets an `error` frame
//! (`unknown_frame`); messages over `ws_max_message` bytes (fragmented ones counted whole) close
//! with 1009, invalid UTF-8 with 1007, broken framing with 1002. A heartbeat ping goes out every
//! `heartbeat_ms`; no sign of life for `idle_timeout_ms` closes with 4001 (resumable).

use std::io::{ErrorKind, IoSlice};
use std::sync::Arc;
use std::time::Duration;

use borgermode_protocol::close_codes;
use borgermode_protocol::frames::{ClientFrame, ServerFrame};
use tokio::net::TcpStream;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;

use crate::live::render::Viewer;
use crate::live::room::{Outbound, RenderedEvent, Room, Start, Subscription};
use crate::live::ws_frame::{self, FrameError, Message, MessageError, Reassembly};
use crate::metrics::{Metrics, Transport};
use crate::settings::Settings;

/// Why a connection ended early.
enum Cut {
    /// The client went away.
    Gone,
    /// The client did not keep up.
    Slow,
}

/// What woke the connection task.
enum Wake {
    Readable(std::io::Result<()>),
    Out(Result<Arc<Outbound>, RecvError>),
    Heartbeat,
}

/// A close to send: code and reason.
type Close = (u16, &'static str);

pub struct Connection {
    pub io: TcpStream,
    /// Bytes that arrived with the handshake, and any partial frame since. Usually empty (no
    /// allocation): clients send little besides pongs.
    pub inbox: Vec<u8>,
    pub room: Arc<Room>,
    pub sub: Subscription,
    pub viewer: Viewer,
    pub settings: Arc<Settings>,
    pub metrics: Arc<Metrics>,
}

/// Write all of `parts` as one gather write. The hot path is one `writev` that the kernel
/// accepts whole, with no timer; only a full socket buffer starts the `timeout` clock.
async fn write_all(io: &TcpStream, parts: &[&[u8]], timeout: Duration) -> Result<(), Cut> {
    let total: usize = parts.iter().map(|p| p.len()).sum();
    let mut done = 0;
    let mut deadline = None;
    loop {
        let mut slices = [IoSlice::new(&[]); 4];
        let mut n = 0;
        let mut skip = done;
        for p in parts {
            if skip >= p.len() {
                skip -= p.len();
                continue;
            }
            slices[n] = IoSlice::new(&p[skip..]);
            skip = 0;
            n += 1;
        }
        match io.try_write_vectored(&slices[..n]) {
            Ok(0) => return Err(Cut::Gone),
            Ok(w) => {
                done += w;
                if done >= total {
                    return Ok(());
                }
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                let until = *deadline.get_or_insert_with(|| Instant::now() + timeout);
                match tokio::time::timeout_at(until, io.writable()).await {
                    Ok(Ok(())) => {}
                    Ok(Err(_)) => return Err(Cut::Gone),
                    Err(_elapsed) => return Err(Cut::Slow),
                }
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return Err(Cut::Gone),
        }
    }
}

/// One text frame.
async fn send(io: &TcpStream, bytes: &[u8], timeout: Duration) -> Result<(), Cut> {
    let (h, n) = ws_frame::header(ws_frame::TEXT, bytes.len());
    write_all(io, &[&h[..n], bytes], timeout).await
}

fn frame(f: &ServerFrame) -> String {
    serde_json::to_string(f).unwrap_or_default()
}

fn error_frame(code: &str, message: &str) -> String {
    frame(&ServerFrame::Error {
        code: code.into(),
        message: message.into(),
    })
}

impl Connection {
    async fn send_event(&self, e: &RenderedEvent, last_seq: &mut u64) -> Result<(), Cut> {
        if e.seq <= *last_seq {
            return Ok(());
        }
        *last_seq = e.seq;
        let timeout = self.settings.send_timeout();
        let bytes = e.for_audience(self.viewer.audience).as_bytes();
        let (h, n) = ws_frame::header(ws_frame::TEXT, bytes.len());
        match e.notice_for(self.viewer.participant) {
            // The event and the personal notice leave in one write.
            Some(notice) => {
                let notice = notice.as_bytes();
                let (nh, nn) = ws_frame::header(ws_frame::TEXT, notice.len());
                write_all(&self.io, &[&h[..n], bytes, &nh[..nn], notice], timeout).await?;
            }
            None => write_all(&self.io, &[&h[..n], bytes], timeout).await?,
        }
        self.metrics.event_delivered(Transport::Ws);
        Ok(())
    }

    /// A resume: the vote counts at the replay's head, before `caught_up`.
    async fn send_resume_votes(&mut self) -> Result<(), Cut> {
        match self.sub.votes.take() {
            Some(votes) => send(&self.io, votes.as_bytes(), self.settings.send_timeout()).await,
            None => Ok(()),
        }
    }

    /// Serve the connection. No tracing span around it: entering and leaving a span on every
    /// poll cost about 1% of the fan-out CPU; the few log lines name the meeting themselves.
    pub async fn run(mut self) {
        let _watching = self.room.watch();
        let open = self.metrics.connection(Transport::Ws);
        // Frames are small and independent: never hold one back waiting for an ACK.
        let _ = self.io.set_nodelay(true);
        let outcome = self.serve().await;
        drop(open);
        match outcome {
            Ok(Some((code, why))) => {
                let timeout = self.settings.send_timeout();
                self.close(code, why, timeout).await
            }
            Ok(None) => {}
            Err(Cut::Slow) => {
                self.metrics.slow_consumer_cut(Transport::Ws);
                tracing::info!(meeting = %self.room.id, "websocket client too slow; cut (resumable)");
                self.close(
                    close_codes::TOO_SLOW,
                    "too slow: resume with since",
                    Duration::from_millis(50),
                )
                .await;
            }
            Err(Cut::Gone) => {}
        }
    }

    /// Send a close frame, end our side, and give the client a moment to answer, so the
    /// kernel ends the connection with FIN rather than a reset that could discard the frame.
    async fn close(mut self, code: u16, why: &str, timeout: Duration) {
        let payload = ws_frame::close_payload(code, why);
        let (h, n) = ws_frame::header(ws_frame::CLOSE, payload.len());
        if write_all(&self.io, &[&h[..n], &payload], timeout)
            .await
            .is_err()
        {
            return;
        }
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let _ = self.io.shutdown().await;
        let _ = tokio::time::timeout(Duration::from_secs(1), async {
            let mut sink = [0u8; 256];
            while matches!(self.io.read(&mut sink).await, Ok(n) if n > 0) {}
        })
        .await;
    }

    /// Returns the close to send, or None when the client's side is already gone.
    async fn serve(&mut self) -> Result<Option<Close>, Cut> {
        let timeout = self.settings.send_timeout();
        send(&self.io, self.sub.hello.as_bytes(), timeout).await?;
        let mut last_seq = self.sub.head;
        let start = std::mem::replace(&mut self.sub.start, Start::Replay(Vec::new()));
        match start {
            Start::Snapshot(bytes) => send(&self.io, bytes.as_bytes(), timeout).await?,
            Start::Replay(events) => {
                let mut replay_seq = 0;
                for e in events {
                    self.send_event(&e, &mut replay_seq).await?;
                }
                self.send_resume_votes().await?;
                let caught_up = Room::caught_up_frame(self.sub.head);
                send(&self.io, caught_up.as_bytes(), timeout).await?;
            }
            Start::FromStore { after } => {
                match self.room.replay_from_store(after, self.sub.head).await {
                    Ok(events) => {
                        let mut replay_seq = 0;
                        for e in events {
                            self.send_event(&e, &mut replay_seq).await?;
                        }
                        self.send_resume_votes().await?;
                        let caught_up = Room::caught_up_frame(self.sub.head);
                        send(&self.io, caught_up.as_bytes(), timeout).await?;
                    }
                    Err(e) => {
                        tracing::warn!(meeting = %self.room.id, error = %e, "replay from store failed");
                        return Ok(Some((1011, "store unavailable: retry")));
                    }
                }
            }
        }
        let mut reassembly = Reassembly::default();
        // Bytes that came with the handshake.
        if let Some(close) = self.handle_inbox(&mut reassembly).await? {
            return Ok(Some(close));
        }
        let mut heartbeat = tokio::time::interval(self.settings.heartbeat());
        heartbeat.tick().await;
        let mut last_heard = Instant::now();
        loop {
            let wake = tokio::select! {
                biased;
                r = self.io.readable() => Wake::Readable(r),
                out = self.sub.rx.recv() => Wake::Out(out),
                _ = heartbeat.tick() => Wake::Heartbeat,
            };
            match wake {
                Wake::Readable(Err(_)) => return Err(Cut::Gone),
                Wake::Readable(Ok(())) => {
                    match self.read_some() {
                        Ok(0) => return Ok(None),
                        Ok(_) => last_heard = Instant::now(),
                        Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
                        Err(_) => return Err(Cut::Gone),
                    }
                    if let Some(close) = self.handle_inbox(&mut reassembly).await? {
                        return Ok(Some(close));
                    }
                }
                Wake::Out(Ok(out)) => match &*out {
                    Outbound::Event(e) => {
                        if e.ends_session_of.is_some()
                            && e.ends_session_of == self.viewer.participant
                        {
                            return Ok(Some((close_codes::POLICY, "your access was revoked")));
                        }
                        let fresh = e.seq > last_seq;
                        self.send_event(e, &mut last_seq).await?;
                        if fresh {
                            self.metrics.fanout_lag.observe(e.applied_at.elapsed());
                        }
                    }
                    Outbound::Shared(bytes) => send(&self.io, bytes.as_bytes(), timeout).await?,
                    Outbound::Shutdown => {
                        let hint = self.settings.reconnect_hint_ms;
                        let f = frame(&ServerFrame::Reconnect {
                            reason: "shutdown".into(),
                            retry_after_ms: hint,
                        });
                        let _ = send(&self.io, f.as_bytes(), timeout).await;
                        return Ok(Some((
                            close_codes::SERVICE_RESTART,
                            "server restarting: reconnect with since",
                        )));
                    }
                },
                Wake::Out(Err(RecvError::Lagged(_))) => {
                    // Best effort: tell the client why, without waiting on it.
                    let f = frame(&ServerFrame::Reconnect {
                        reason: "too_slow".into(),
                        retry_after_ms: 0,
                    });
                    let _ = send(&self.io, f.as_bytes(), Duration::from_millis(50)).await;
                    return Err(Cut::Slow);
                }
                Wake::Out(Err(RecvError::Closed)) => {
                    return Ok(Some((
                        close_codes::SERVICE_RESTART,
                        "meeting unloaded: reconnect",
                    )))
                }
                Wake::Heartbeat => {
                    if last_heard.elapsed() > self.settings.idle_timeout() {
                        return Ok(Some((
                            close_codes::HEARTBEAT_TIMEOUT,
                            "no pong: reconnect with since",
                        )));
                    }
                    let (h, n) = ws_frame::header(ws_frame::PING, 2);
                    write_all(&self.io, &[&h[..n], b"hb"], timeout).await?;
                }
            }
        }
    }

    /// Read what the kernel has for us into the inbox (without blocking). The read buffer
    /// lives on the stack only for this call, so an idle connection holds none.
    fn read_some(&mut self) -> std::io::Result<usize> {
        let mut chunk = [0u8; 2048];
        let n = self.io.try_read(&mut chunk)?;
        self.inbox.extend_from_slice(&chunk[..n]);
        Ok(n)
    }

    /// Act on every complete client frame in the inbox; keep a partial one for later.
    async fn handle_inbox(&mut self, reassembly: &mut Reassembly) -> Result<Option<Close>, Cut> {
        let timeout = self.settings.send_timeout();
        let max = self.settings.ws_max_message;
        loop {
            let (f, used) = match ws_frame::decode(&self.inbox, max) {
                Ok(Some(x)) => x,
                Ok(None) => break,
                Err(FrameError::TooBig) => return Ok(Some((close_codes::TOO_BIG, "message too big"))),
                Err(FrameError::Protocol(_)) => return Ok(Some((1002, "protocol error"))),
            };
            self.inbox.drain(..used);
            match reassembly.push(f, max) {
                Ok(None) => {}
                Ok(Some(Message::Text(text))) => {
                    let reply = match serde_json::from_str::<ClientFrame>(&text) {
                        Ok(ClientFrame::Ping) => frame(&ServerFrame::Pong),
                        Err(_) => error_frame(
                            "unknown_frame",
                            "expected {\"t\":\"ping\"}; commands go over HTTP",
                        ),
                    };
                    send(&self.io, reply.as_bytes(), timeout).await?;
                }
                Ok(Some(Message::Binary(_))) => {
                    let reply = error_frame("unknown_frame", "binary frames are not supported");
                    send(&self.io, reply.as_bytes(), timeout).await?;
                }
                Ok(Some(Message::Ping(p))) => {
                    let (h, n) = ws_frame::header(ws_frame::PONG, p.len());
                    write_all(&self.io, &[&h[..n], &p], timeout).await?;
                }
                Ok(Some(Message::Pong)) => {}
                Ok(Some(Message::Close)) => return Ok(Some((close_codes::NORMAL, "bye"))),
                Err(MessageError::Frame(FrameError::TooBig)) => {
                    return Ok(Some((close_codes::TOO_BIG, "fragmented message too big")))
                }
                Err(MessageError::Frame(FrameError::Protocol(_))) => {
                    return Ok(Some((1002, "protocol error")))
                }
                Err(MessageError::InvalidUtf8) => {
                    return Ok(Some((close_codes::INVALID_PAYLOAD, "invalid UTF-8")))
                }
            }
        }
        if self.inbox.is_empty() && self.inbox.capacity() > 0 {
            // Give the memory back: an idle connection should hold no buffer.
            self.inbox = Vec::new();
        }
        Ok(None)
    }
}
