//! One WebSocket connection: its own task pulls ready-made frames from the room's broadcast
//! receiver and pushes them to the client. Nothing else ever awaits this client.
//!
//! The actix-ws trap (DESIGN.md): `Session::text` awaits a 32-slot channel, so a stalled client
//! would block whoever sends to it. Here only this task sends, and every send has a timeout:
//! if the send does not complete in `send_timeout_ms`, or the receiver lags more than
//! `connection_buffer` frames behind the room, the client is cut with close code 4000 (too
//! slow, resumable) and comes back with `since`.
//!
//! Client frames: `{"t":"ping"}` gets `{"t":"pong"}`; anything else gets an `error` frame
//! (`unknown_frame`); oversized frames or fragmented messages close with 1009, invalid UTF-8
//! with 1007. A heartbeat ping goes out every `heartbeat_ms`; no sign of life for
//! `idle_timeout_ms` closes with 4001 (resumable).

use std::sync::Arc;
use std::time::Duration;

use actix_ws::{AggregatedMessage, AggregatedMessageStream, CloseCode, CloseReason, Session};
use borgermode_protocol::close_codes;
use borgermode_protocol::frames::{ClientFrame, ServerFrame};
use bytestring::ByteString;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;

use crate::live::render::Viewer;
use crate::live::room::{Outbound, RenderedEvent, Room, Start, Subscription};
use crate::metrics::{Metrics, Transport};
use crate::settings::Settings;

/// Why a connection ended early.
enum Cut {
    /// The client went away.
    Gone,
    /// The client did not keep up.
    Slow,
}

pub struct Connection {
    pub room: Arc<Room>,
    pub session: Session,
    pub stream: AggregatedMessageStream,
    pub sub: Subscription,
    pub viewer: Viewer,
    pub settings: Arc<Settings>,
    pub metrics: Arc<Metrics>,
}

async fn send(session: &mut Session, bytes: &ByteString, timeout: Duration) -> Result<(), Cut> {
    use futures_util::FutureExt;
    // Hot path: the session's channel has room, so the send completes at its first poll and
    // needs no timer (a timer per frame per client was measurable in the fan-out profile).
    // Dropping a pending send is safe: nothing was queued, and the timed send below
    // continues acquiring the same slot.
    if let Some(done) = session.text(bytes.clone()).now_or_never() {
        return done.map_err(|_closed| Cut::Gone);
    }
    match tokio::time::timeout(timeout, session.text(bytes.clone())).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_closed)) => Err(Cut::Gone),
        Err(_elapsed) => Err(Cut::Slow),
    }
}

fn frame(f: &ServerFrame) -> ByteString {
    ByteString::from(serde_json::to_string(f).unwrap_or_default())
}

fn error_frame(code: &str, message: &str) -> ByteString {
    frame(&ServerFrame::Error {
        code: code.into(),
        message: message.into(),
    })
}

async fn close(session: Session, code: u16, description: &str, timeout: Duration) {
    let reason = CloseReason {
        code: CloseCode::from(code),
        description: Some(description.into()),
    };
    let _ = tokio::time::timeout(timeout, session.close(Some(reason))).await;
}

impl Connection {
    async fn send_event(&mut self, e: &RenderedEvent, last_seq: &mut u64) -> Result<(), Cut> {
        if e.seq <= *last_seq {
            return Ok(());
        }
        *last_seq = e.seq;
        let timeout = self.settings.send_timeout();
        send(
            &mut self.session,
            e.for_audience(self.viewer.audience),
            timeout,
        )
        .await?;
        if let Some(n) = e.notice_for(self.viewer.participant) {
            send(&mut self.session, n, timeout).await?;
        }
        self.metrics.event_delivered(Transport::Ws);
        Ok(())
    }

    /// A resume: the vote counts at the replay's head, before `caught_up`.
    async fn send_resume_votes(&mut self) -> Result<(), Cut> {
        match self.sub.votes.take() {
            Some(votes) => send(&mut self.session, &votes, self.settings.send_timeout()).await,
            None => Ok(()),
        }
    }

    /// Serve the connection. No tracing span around it: entering and leaving a span on every
    /// poll cost about 1% of the fan-out CPU; the few log lines name the meeting themselves.
    pub async fn run(mut self) {
        let _watching = self.room.watch();
        let open = self.metrics.connection(Transport::Ws);
        let outcome = self.serve().await;
        drop(open);
        let timeout = self.settings.send_timeout();
        match outcome {
            Ok(Some((code, why))) => close(self.session, code, why, timeout).await,
            Ok(None) => {}
            Err(Cut::Slow) => {
                self.metrics.slow_consumer_cut(Transport::Ws);
                tracing::info!(meeting = %self.room.id, "websocket client too slow; cut (resumable)");
                close(
                    self.session,
                    close_codes::TOO_SLOW,
                    "too slow: resume with since",
                    Duration::from_millis(50),
                )
                .await;
            }
            Err(Cut::Gone) => {}
        }
    }

    /// Returns the close to send, or None when the client closed first.
    async fn serve(&mut self) -> Result<Option<(u16, &'static str)>, Cut> {
        let timeout = self.settings.send_timeout();
        let hello = self.sub.hello.clone();
        send(&mut self.session, &hello, timeout).await?;
        let mut last_seq = self.sub.head;
        let start = std::mem::replace(&mut self.sub.start, Start::Replay(Vec::new()));
        match start {
            Start::Snapshot(bytes) => send(&mut self.session, &bytes, timeout).await?,
            Start::Replay(events) => {
                let mut replay_seq = 0;
                for e in events {
                    self.send_event(&e, &mut replay_seq).await?;
                }
                self.send_resume_votes().await?;
                send(
                    &mut self.session,
                    &Room::caught_up_frame(self.sub.head),
                    timeout,
                )
                .await?;
            }
            Start::FromStore { after } => {
                match self.room.replay_from_store(after, self.sub.head).await {
                    Ok(events) => {
                        let mut replay_seq = 0;
                        for e in events {
                            self.send_event(&e, &mut replay_seq).await?;
                        }
                        self.send_resume_votes().await?;
                        send(
                            &mut self.session,
                            &Room::caught_up_frame(self.sub.head),
                            timeout,
                        )
                        .await?;
                    }
                    Err(e) => {
                        tracing::warn!(meeting = %self.room.id, error = %e, "replay from store failed");
                        return Ok(Some((1011, "store unavailable: retry")));
                    }
                }
            }
        }
        let mut heartbeat = tokio::time::interval(self.settings.heartbeat());
        heartbeat.tick().await;
        let mut last_heard = Instant::now();
        loop {
            tokio::select! {
                biased;
                msg = self.stream.recv() => {
                    let Some(msg) = msg else { return Ok(None) };
                    last_heard = Instant::now();
                    match msg {
                        Ok(AggregatedMessage::Text(text)) => {
                            let reply = match serde_json::from_str::<ClientFrame>(&text) {
                                Ok(ClientFrame::Ping) => frame(&ServerFrame::Pong),
                                Err(_) => error_frame("unknown_frame", "expected {\"t\":\"ping\"}; commands go over HTTP"),
                            };
                            send(&mut self.session, &reply, timeout).await?;
                        }
                        Ok(AggregatedMessage::Binary(_)) => {
                            send(&mut self.session, &error_frame("unknown_frame", "binary frames are not supported"), timeout).await?;
                        }
                        Ok(AggregatedMessage::Ping(p)) => {
                            let _ = tokio::time::timeout(timeout, self.session.pong(&p)).await;
                        }
                        Ok(AggregatedMessage::Pong(_)) => {}
                        Ok(AggregatedMessage::Close(_)) => return Ok(Some((close_codes::NORMAL, "bye"))),
                        Err(actix_ws::ProtocolError::Overflow) => {
                            return Ok(Some((close_codes::TOO_BIG, "message too big")));
                        }
                        Err(actix_ws::ProtocolError::Io(e)) if e.kind() == std::io::ErrorKind::InvalidData => {
                            return Ok(Some((close_codes::INVALID_PAYLOAD, "invalid UTF-8")));
                        }
                        Err(actix_ws::ProtocolError::Io(e)) if e.to_string().contains("continuation size") => {
                            return Ok(Some((close_codes::TOO_BIG, "fragmented message too big")));
                        }
                        Err(_) => return Ok(Some((1002, "protocol error"))),
                    }
                }
                out = self.sub.rx.recv() => match out {
                    Ok(out) => match &*out {
                        Outbound::Event(e) => {
                            if e.ends_session_of.is_some() && e.ends_session_of == self.viewer.participant {
                                return Ok(Some((close_codes::POLICY, "your access was revoked")));
                            }
                            let fresh = e.seq > last_seq;
                            self.send_event(e, &mut last_seq).await?;
                            if fresh {
                                self.metrics.fanout_lag.observe(e.applied_at.elapsed());
                            }
                        }
                        Outbound::Shared(bytes) => send(&mut self.session, bytes, timeout).await?,
                        Outbound::Shutdown => {
                            let hint = self.settings.reconnect_hint_ms;
                            let _ = send(&mut self.session, &frame(&ServerFrame::Reconnect { reason: "shutdown".into(), retry_after_ms: hint }), timeout).await;
                            return Ok(Some((close_codes::SERVICE_RESTART, "server restarting: reconnect with since")));
                        }
                    },
                    Err(RecvError::Lagged(_)) => {
                        // Best effort: tell the client why, without waiting on it.
                        let f = frame(&ServerFrame::Reconnect { reason: "too_slow".into(), retry_after_ms: 0 });
                        let _ = send(&mut self.session, &f, Duration::from_millis(50)).await;
                        return Err(Cut::Slow);
                    }
                    Err(RecvError::Closed) => return Ok(Some((close_codes::SERVICE_RESTART, "meeting unloaded: reconnect"))),
                },
                _ = heartbeat.tick() => {
                    if last_heard.elapsed() > self.settings.idle_timeout() {
                        return Ok(Some((close_codes::HEARTBEAT_TIMEOUT, "no pong: reconnect with since")));
                    }
                    match tokio::time::timeout(timeout, self.session.ping(b"hb")).await {
                        Ok(Ok(())) => {}
                        Ok(Err(_)) => return Err(Cut::Gone),
                        Err(_) => return Err(Cut::Slow),
                    }
                }
            }
        }
    }
}
