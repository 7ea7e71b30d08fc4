//! One WebSocket connection: its own task pulls ready-made frames from the room's broadcast
//! receiver and writes them to its client. Nothing else ever awaits this client.
//!
//! The actix-ws trap (DESIGN.md) does not arise: only this task writes to the client, and every
//! write that cannot complete at once waits at most `send_timeout_ms`. If it does not complete
//! in time, or the receiver lags more than `connection_buffer` frames behind the room, the client
//! is cut with close code 4000 (too slow, resumable) and comes back with `since`.
//!
//! The connection logic here is written once over a [`Wire`], the transport under it, chosen by
//! `--ws-engine`: `direct` (`live/wire_direct.rs`, the default: the task owns the TCP socket and
//! writes each frame with one `writev`) or `actix-ws` (`live/wire_actix.rs`: actix-ws's session
//! channel over actix-http's dispatcher). docs/benchmarks.md measures both.
//!
//! Client frames: `{"t":"ping"}` gets `{"t":"pong"}`; anything else gets an `error` frame
//! (`unknown_frame`); messages over `ws_max_message` bytes (fragmented ones counted whole) close
//! with 1009, invalid UTF-8 with 1007, broken framing with 1002. A heartbeat ping goes out every
//! `heartbeat_ms`; no sign of life for `idle_timeout_ms` closes with 4001 (resumable).

use borgermode_domain::Code;
use std::sync::Arc;
use std::time::Duration;

use borgermode_protocol::close_codes;
use borgermode_protocol::frames::{ClientFrame, ServerFrame};
use bytestring::ByteString;
use smallvec::{smallvec, SmallVec};
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::time::Instant;

use crate::live::render::Viewer;
use crate::live::room::{Outbound, RenderedEvent, Room, Start, Subscription};
use crate::ops::metrics::{Metrics, Transport};
use crate::settings::Settings;

/// Why a connection ended early.
pub(crate) enum Cut {
    /// The client went away.
    Gone,
    /// The client did not keep up.
    Slow,
}

/// A close to send: code and reason.
pub(crate) type Close = (u16, &'static str);

/// What the client sent.
pub(crate) enum Incoming {
    Text(String),
    Binary,
    Ping(Vec<u8>),
    Pong,
    /// The client asked to close.
    Close,
    /// The connection ended without a close frame.
    Gone,
    /// The client broke the protocol; close with this.
    Refused(Close),
}

/// The transport under a live connection.
pub(crate) trait Wire {
    /// Write text frames in order (in one write where the transport allows). A write the
    /// client does not accept within `timeout` is `Cut::Slow`.
    async fn text(&mut self, frames: &[&ByteString], timeout: Duration) -> Result<(), Cut>;
    async fn ping(&mut self, timeout: Duration) -> Result<(), Cut>;
    async fn pong(&mut self, payload: &[u8], timeout: Duration) -> Result<(), Cut>;
    /// The next message from the client. Cancel-safe: dropping the future loses nothing.
    async fn recv(&mut self) -> Incoming;
    /// Send a close frame and end the connection.
    async fn close(self, code: u16, why: &str, timeout: Duration);
}

/// What woke the connection task.
enum Wake {
    Client(Incoming),
    Out(Result<Arc<Outbound>, RecvError>),
    Heartbeat,
}

/// Why a delivery ends the connection.
enum End {
    /// The client's access was revoked (ban, erasure).
    Revoked,
    /// The server is shutting down.
    Shutdown,
}

/// Most outbound items one write carries when a connection is behind the room.
const BATCH: usize = 32;

pub(crate) struct Connection<W> {
    pub(crate) wire: W,
    pub room: Arc<Room>,
    pub sub: Subscription,
    pub viewer: Viewer,
    pub settings: Arc<Settings>,
    pub metrics: Arc<Metrics>,
}

fn frame(f: &ServerFrame) -> ByteString {
    ByteString::from(serde_json::to_string(f).unwrap_or_default())
}

fn error_frame(code: Code, message: &str) -> ByteString {
    frame(&ServerFrame::Error {
        code: code.as_str().into(),
        message: message.into(),
    })
}

impl<W: Wire> Connection<W> {
    async fn send(&mut self, bytes: &ByteString) -> Result<(), Cut> {
        self.wire.text(&[bytes], self.settings.send_timeout()).await
    }

    /// Add the frames of `e` for this viewer to `frames` (none when the client already has it).
    fn event_frames<'a>(
        &self,
        e: &'a RenderedEvent,
        last_seq: &mut u64,
        frames: &mut impl Extend<&'a ByteString>,
    ) -> bool {
        if e.seq <= *last_seq {
            return false;
        }
        *last_seq = e.seq;
        frames.extend([e.bytes(self.viewer.audience, self.sub.format)]);
        frames.extend(e.notice_for(self.viewer.participant));
        true
    }

    /// Write `frames` (if any) in one go and count `events` deliveries.
    async fn flush(&mut self, frames: &[&ByteString], events: usize) -> Result<(), Cut> {
        if frames.is_empty() {
            return Ok(());
        }
        self.wire.text(frames, self.settings.send_timeout()).await?;
        for _ in 0..events {
            self.metrics.event_delivered(Transport::Ws);
        }
        Ok(())
    }

    /// A resume: the vote counts at the replay's head, before `caught_up`.
    async fn send_resume_votes(&mut self) -> Result<(), Cut> {
        match self.sub.votes.take() {
            Some(votes) => self.send(&votes).await,
            None => Ok(()),
        }
    }

    /// After the snapshot or the replay: the results of the polls this viewer may see.
    async fn send_poll_results(&mut self) -> Result<(), Cut> {
        let frames = std::mem::take(&mut self.sub.poll_results);
        if frames.is_empty() {
            return Ok(());
        }
        let refs: Vec<&ByteString> = frames.iter().collect();
        self.wire.text(&refs, self.settings.send_timeout()).await
    }

    /// Replay `events` in writes of up to [`BATCH`] events each.
    async fn replay(&mut self, events: Vec<Arc<RenderedEvent>>) -> Result<(), Cut> {
        let mut replay_seq = 0;
        let mut frames = Vec::with_capacity(2 * BATCH.min(events.len()));
        for chunk in events.chunks(BATCH) {
            frames.clear();
            let mut n = 0;
            for e in chunk {
                n += usize::from(self.event_frames(e, &mut replay_seq, &mut frames));
            }
            self.flush(&frames, n).await?;
        }
        self.send_resume_votes().await?;
        self.send_poll_results().await?;
        self.send(&Room::caught_up_frame(self.sub.head)).await
    }

    /// Deliver `first` and whatever else the room has already queued for this client, up to
    /// [`BATCH`] items, in one write. Why: when the server falls behind (a burst, or a busy
    /// core), every connection has several frames waiting; one `writev` and one TCP segment
    /// for all of them costs a fraction of one each (the kernel's send and loopback receive
    /// path is most of the CPU per delivery, see docs/benchmarks.md). When the server keeps
    /// up, the queue holds just `first` and nothing waits: no added latency.
    ///
    /// Returns the close to send when the connection must end.
    async fn deliver(
        &mut self,
        first: Arc<Outbound>,
        last_seq: &mut u64,
    ) -> Result<Option<Close>, Cut> {
        // Inline room for the common case (one event, maybe with a personal notice): no
        // allocation per delivery unless the connection is behind.
        let mut batch: SmallVec<[Arc<Outbound>; 1]> = smallvec![first];
        let mut after = None;
        while batch.len() < BATCH {
            match self.sub.rx.try_recv() {
                Ok(out) => batch.push(out),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Lagged(_)) => {
                    after = Some(RecvError::Lagged(0));
                    break;
                }
                Err(TryRecvError::Closed) => {
                    after = Some(RecvError::Closed);
                    break;
                }
            }
        }
        let before = *last_seq;
        let mut frames: SmallVec<[&ByteString; 2]> = SmallVec::new();
        let mut events = 0;
        let mut end = None;
        for out in &batch {
            match &**out {
                Outbound::Event(e) => {
                    if e.ends_session_of.is_some() && e.ends_session_of == self.viewer.participant {
                        end = Some(End::Revoked);
                        break;
                    }
                    events += usize::from(self.event_frames(e, last_seq, &mut frames));
                }
                Outbound::Shared(bytes) => frames.push(bytes),
                Outbound::Staff(bytes) => {
                    if self.viewer.audience == borgermode_protocol::views::Audience::Staff {
                        frames.push(bytes)
                    }
                }
                Outbound::Shutdown => {
                    end = Some(End::Shutdown);
                    break;
                }
            }
        }
        let flushed = self.flush(&frames, events).await;
        // Room → written, for the events this client had not had yet; every event of the
        // batch is reported to its clock (written, or given up: a duplicate, one after a
        // revocation or a shutdown, or a failed write), so the last write can be known.
        for out in &batch {
            if let Outbound::Event(e) = &**out {
                if flushed.is_ok() && e.seq > before && e.seq <= *last_seq {
                    self.metrics.fanout_lag.observe(e.applied_at.elapsed());
                    self.metrics.stages.written(&e.clock);
                } else {
                    e.clock.skipped(1);
                }
            }
        }
        flushed?;
        match end {
            Some(End::Revoked) => {
                return Ok(Some((close_codes::POLICY, "your access was revoked")));
            }
            Some(End::Shutdown) => {
                let hint = self.settings.reconnect_hint_ms;
                let _ = self
                    .send(&frame(&ServerFrame::Reconnect {
                        reason: "shutdown".into(),
                        retry_after_ms: hint,
                    }))
                    .await;
                return Ok(Some((
                    close_codes::SERVICE_RESTART,
                    "server restarting: reconnect with since",
                )));
            }
            None => {}
        }
        match after {
            None => Ok(None),
            Some(err) => self.receiver_ended(err).await.map(Some),
        }
    }

    /// The room's stream ended for this client: it lagged too far behind, or the room is gone.
    async fn receiver_ended(&mut self, err: RecvError) -> Result<Close, Cut> {
        match err {
            RecvError::Lagged(_) => {
                // Best effort: tell the client why, without waiting on it.
                let f = frame(&ServerFrame::Reconnect {
                    reason: "too_slow".into(),
                    retry_after_ms: 0,
                });
                let _ = self.wire.text(&[&f], Duration::from_millis(50)).await;
                Err(Cut::Slow)
            }
            RecvError::Closed => Ok((close_codes::SERVICE_RESTART, "meeting unloaded: reconnect")),
        }
    }

    /// Serve the connection. No tracing span around it: entering and leaving a span on every
    /// poll cost about 1% of the fan-out CPU; the few log lines name the meeting themselves.
    pub async fn run(mut self) {
        let _watching = self.room.watch();
        let open = self.metrics.connection(Transport::Ws);
        let outcome = self.serve().await;
        drop(open);
        match outcome {
            Ok(Some((code, why))) => {
                let timeout = self.settings.send_timeout();
                self.wire.close(code, why, timeout).await
            }
            Ok(None) => {}
            Err(Cut::Slow) => {
                self.metrics.slow_consumer_cut(Transport::Ws);
                tracing::info!(meeting = %self.room.id, "websocket client too slow; cut (resumable)");
                self.wire
                    .close(
                        close_codes::TOO_SLOW,
                        "too slow: resume with since",
                        Duration::from_millis(50),
                    )
                    .await;
            }
            Err(Cut::Gone) => {}
        }
    }

    /// Returns the close to send, or None when the client's side is already gone.
    async fn serve(&mut self) -> Result<Option<Close>, Cut> {
        let hello = self.sub.hello.clone();
        self.send(&hello).await?;
        let mut last_seq = self.sub.head;
        let start = std::mem::replace(&mut self.sub.start, Start::Replay(Vec::new()));
        match start {
            Start::Snapshot(bytes) => {
                self.send(&bytes).await?;
                self.send_poll_results().await?;
            }
            Start::Replay(events) => self.replay(events).await?,
            Start::FromStore { after } => {
                match self.room.replay_from_store(after, self.sub.head).await {
                    Ok(events) => self.replay(events).await?,
                    Err(e) => {
                        tracing::warn!(meeting = %self.room.id, error = %e, "replay from store failed");
                        return Ok(Some((1011, "store unavailable: retry")));
                    }
                }
            }
        }
        let timeout = self.settings.send_timeout();
        let period = self.settings.heartbeat();
        let beat = tokio::time::sleep(period);
        tokio::pin!(beat);
        let mut beat_armed = false;
        let mut last_heard = Instant::now();
        loop {
            let wake = tokio::select! {
                biased;
                msg = self.wire.recv() => Wake::Client(msg),
                out = self.sub.rx.recv() => Wake::Out(out),
                () = heartbeat_due(beat.as_mut(), &mut beat_armed) => Wake::Heartbeat,
            };
            match wake {
                Wake::Client(msg) => {
                    last_heard = Instant::now();
                    match msg {
                        Incoming::Text(text) => {
                            let reply = match serde_json::from_str::<ClientFrame>(&text) {
                                Ok(ClientFrame::Ping) => frame(&ServerFrame::Pong),
                                Err(_) => error_frame(
                                    Code::UnknownFrame,
                                    "expected {\"t\":\"ping\"}; commands go over HTTP",
                                ),
                            };
                            self.send(&reply).await?;
                        }
                        Incoming::Binary => {
                            let reply =
                                error_frame(Code::UnknownFrame, "binary frames are not supported");
                            self.send(&reply).await?;
                        }
                        Incoming::Ping(p) => self.wire.pong(&p, timeout).await?,
                        Incoming::Pong => {}
                        Incoming::Close => return Ok(Some((close_codes::NORMAL, "bye"))),
                        Incoming::Gone => return Ok(None),
                        Incoming::Refused(close) => return Ok(Some(close)),
                    }
                }
                Wake::Out(Ok(out)) => {
                    if let Some(close) = self.deliver(out, &mut last_seq).await? {
                        return Ok(Some(close));
                    }
                }
                Wake::Out(Err(err)) => return self.receiver_ended(err).await.map(Some),
                Wake::Heartbeat => {
                    beat.as_mut().reset(Instant::now() + period);
                    beat_armed = false;
                    if last_heard.elapsed() > self.settings.idle_timeout() {
                        return Ok(Some((
                            close_codes::HEARTBEAT_TIMEOUT,
                            "no pong: reconnect with since",
                        )));
                    }
                    self.wire.ping(timeout).await?;
                }
            }
        }
    }
}

/// The heartbeat branch of the connection's select: ready when `beat` has fired.
///
/// Why not poll the `Sleep` itself every time: the select is rebuilt after every delivery, and
/// a `Sleep` poll (budget, waker registration) was ~2 % of the fan-out CPU for a timer that fires
/// every 25 s. Once polled (`armed`), the timer holds this task's waker and wakes it when due;
/// until then one atomic load (`is_elapsed`) answers. A connection is one task for its whole life
/// (spawned as it is, never inside a combinator that substitutes wakers), so the waker it
/// registered stays the one to wake.
fn heartbeat_due<'a>(
    mut beat: std::pin::Pin<&'a mut tokio::time::Sleep>,
    armed: &'a mut bool,
) -> impl std::future::Future<Output = ()> + 'a {
    std::future::poll_fn(move |cx| {
        if *armed && !beat.is_elapsed() {
            return std::task::Poll::Pending;
        }
        let polled = std::future::Future::poll(beat.as_mut(), cx);
        // Armed only by a real registration: a Pending with no budget left is tokio's
        // cooperative budget, which registered nothing with the timer (and may not even have
        // created it, so `is_elapsed` would stay false for good).
        *armed = polled.is_pending() && tokio::task::coop::has_budget_remaining();
        polled
    })
}

#[cfg(test)]
mod tests {
    use super::heartbeat_due;
    use std::future::Future;
    use std::time::Duration;

    /// The heartbeat still fires when its first poll met an exhausted cooperative budget (which
    /// registers nothing with the timer): it must not count as armed.
    #[tokio::test]
    async fn a_first_poll_without_budget_does_not_arm_the_heartbeat() {
        let beat = tokio::time::sleep(Duration::from_millis(100));
        tokio::pin!(beat);
        let mut armed = false;
        tokio::task::yield_now().await;
        // A fresh poll has 128 units; use them all.
        for _ in 0..128 {
            tokio::task::coop::consume_budget().await;
        }
        assert!(!tokio::task::coop::has_budget_remaining());
        std::future::poll_fn(|cx| {
            let mut due = std::pin::pin!(heartbeat_due(beat.as_mut(), &mut armed));
            assert!(due.as_mut().poll(cx).is_pending());
            std::task::Poll::Ready(())
        })
        .await;
        assert!(!armed, "a budget Pending registered nothing");
        let fired = tokio::time::timeout(
            Duration::from_secs(5),
            heartbeat_due(beat.as_mut(), &mut armed),
        )
        .await;
        assert!(fired.is_ok(), "the heartbeat never fired");
    }
}
