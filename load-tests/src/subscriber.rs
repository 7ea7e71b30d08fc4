//! One virtual participant's live connection: connect, read every frame, check seq order and
//! record latency; on the run's signals drop and resume (storm) or stop reading (slow).
//!
//! A stalled client reads nothing until the end of the run, then reads its backlog: a stream
//! that ends (close or reset) before the last post was cut by the server. For borgermode the
//! run also times the cut from the server's `/metrics` (see `scenarios/fanout.rs`); a client
//! cannot see the moment itself without reading.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

use crate::args::TargetKind;
use crate::check::{Seen, SeqCheck};
use crate::conn::{connect, source_for, ConnectOptions};
use crate::engine::RunState;
use crate::stats::{now_us, Counters};
use crate::target::{Decoded, Target};

#[derive(Debug, Clone)]
pub struct ClientSpec {
    pub idx: usize,
    /// Session token (a joined participant); None reads as the public.
    pub token: Option<String>,
    /// Drops and resumes when the run signals a storm.
    pub dropper: bool,
    /// Stops reading when the run signals a stall.
    pub staller: bool,
    pub sources: u8,
}

#[derive(Debug, Default, Clone)]
pub struct ClientReport {
    pub check: SeqCheck,
    pub connected: bool,
    pub reconnects: u32,
    /// Storm: from the drop until the resumed stream had caught up.
    pub recovered_after: Option<Duration>,
    pub stalled: bool,
    /// Slow: the stream of this stalled client ended (close or reset) before the last post,
    /// as found when it read its backlog at the end of the run.
    pub cut_seen: bool,
    pub vote_frames: u64,
    pub vote_frames_max_per_sec: u32,
    pub error: Option<String>,
}

/// Why one connection ended.
enum Ended {
    /// Closed or reset by the server, or dropped by us for the storm: connect again.
    Reconnect,
    /// The run is over, or this stalled client was cut.
    Finished,
}

struct Client {
    spec: ClientSpec,
    target: Arc<Target>,
    run: Arc<RunState>,
    rep: ClientReport,
    signalled_connected: bool,
    signalled_done: bool,
    dropped: bool,
    drop_at: Option<Instant>,
    vote_second: u64,
    votes_in_second: u32,
    /// Frames received, for sampling the full decode.
    frames_seen: u64,
}

/// One frame in this many is also decoded in full (offset per client, so every event is
/// sampled by some clients).
const SAMPLE_EVERY: u64 = 64;

pub async fn run(spec: ClientSpec, target: Arc<Target>, run: Arc<RunState>) -> ClientReport {
    let mut c = Client {
        spec,
        target,
        run,
        rep: ClientReport::default(),
        signalled_connected: false,
        signalled_done: false,
        dropped: false,
        drop_at: None,
        vote_second: 0,
        votes_in_second: 0,
        frames_seen: 0,
    };
    let mut failures = 0u32;
    while !c.run.stopping() {
        // Only the first connection of each client waits for a connect slot, so a storm's
        // reconnects all go at once, as they would in reality.
        let permit = if c.signalled_connected {
            None
        } else {
            c.run.connect_slots.clone().acquire_owned().await.ok()
        };
        let since = (c.target.kind == TargetKind::Borgermode && c.rep.connected)
            .then(|| c.rep.check.contiguous());
        let url = c.target.subscribe_url(c.spec.idx, since);
        let ws = connect(ConnectOptions {
            url: &url,
            bearer: c.spec.token.as_deref(),
            source: source_for(c.spec.idx, c.spec.sources),
            recv_buffer: c.spec.staller.then_some(4096),
        })
        .await;
        match ws {
            Ok(ws) => {
                failures = 0;
                match c.connection(ws, permit).await {
                    Ended::Reconnect => {
                        c.rep.reconnects += 1;
                        continue;
                    }
                    Ended::Finished => break,
                }
            }
            Err(e) => {
                drop(permit);
                Counters::add(&c.run.counters.connect_errors, 1);
                c.rep.error = Some(e.to_string());
                failures += 1;
                if failures > 20 {
                    if !c.signalled_connected {
                        c.run.client_gave_up();
                    }
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100 * u64::from(failures.min(10)))).await;
            }
        }
    }
    c.rep
}

impl Client {
    async fn connection(
        &mut self,
        ws: crate::conn::Ws,
        mut permit: Option<tokio::sync::OwnedSemaphorePermit>,
    ) -> Ended {
        // Not split into a sink and a stream: the split's lock and wakers cost every frame,
        // and replies (Socket.IO's pong) are sent between reads anyway.
        let mut ws = ws;
        let mut wake = self.run.wake.subscribe();
        if self.target.starts_at_connect() {
            self.started(0);
        }
        let mut stalled = false;
        loop {
            if self.signalled_connected {
                permit.take();
            }
            if self.run.stopping() {
                if stalled {
                    // Read the backlog: a cut stream ends (close or reset) before the last
                    // post; one that was never cut reaches it.
                    let final_seq = self.run.final_seq().unwrap_or(u64::MAX);
                    let drained = tokio::time::timeout(Duration::from_secs(5), async {
                        while let Some(msg) = ws.next().await {
                            match msg {
                                Ok(Message::Text(text)) => {
                                    self.frame(&text);
                                    if self.rep.check.contiguous() >= final_seq {
                                        return false;
                                    }
                                }
                                Ok(Message::Close(_)) | Err(_) => return true,
                                Ok(_) => {}
                            }
                        }
                        true
                    })
                    .await;
                    self.rep.cut_seen = drained.unwrap_or(false);
                }
                let _ = tokio::time::timeout(Duration::from_millis(200), ws.close(None)).await;
                return Ended::Finished;
            }
            if self.spec.dropper && !self.dropped && self.run.storming() && self.rep.connected {
                // Drop like a phone losing its network; resume at once.
                self.dropped = true;
                self.drop_at = Some(Instant::now());
                return Ended::Reconnect;
            }
            if self.spec.staller && !stalled && self.run.stalling() {
                stalled = true;
                self.rep.stalled = true;
            }
            // Read frames until the run's state changes (`wake`) or a frame makes one of the
            // checks above due; the `changed` future lives across frames (one per state change,
            // not one per frame: at 100,000 frames a second that was a visible share of the
            // generator's core).
            let changed = wake.changed();
            tokio::pin!(changed);
            loop {
                self.check_done();
                tokio::select! {
                    msg = ws.next(), if !stalled => match msg {
                        Some(Ok(Message::Text(text))) => {
                            if let Some(reply) = self.frame(&text) {
                                if ws.send(Message::Text(reply.into())).await.is_err() {
                                    return self.lost_connection();
                                }
                            }
                        }
                        Some(Ok(Message::Close(_))) | None | Some(Err(_)) => {
                            return self.lost_connection();
                        }
                        Some(Ok(_)) => {}
                    },
                    r = &mut changed => {
                        if r.is_err() {
                            return Ended::Finished;
                        }
                        break;
                    }
                }
                if self.outer_checks_due(permit.is_some(), stalled) {
                    break;
                }
            }
        }
    }

    /// Whether a frame just handled made one of the checks at the top of
    /// [`Client::connection`]'s loop due (they otherwise change only with a `wake`).
    fn outer_checks_due(&self, holding_permit: bool, stalled: bool) -> bool {
        (holding_permit && self.signalled_connected)
            || self.run.stopping()
            || (self.spec.dropper && !self.dropped && self.run.storming() && self.rep.connected)
            || (self.spec.staller && !stalled && self.run.stalling())
    }

    fn lost_connection(&mut self) -> Ended {
        Counters::add(&self.run.counters.disconnects, 1);
        if self.run.stopping() {
            Ended::Finished
        } else {
            Ended::Reconnect
        }
    }

    fn started(&mut self, seq: u64) {
        if !self.rep.connected {
            self.rep.check.start_after(seq);
            self.rep.connected = true;
        } else if self.target.kind == TargetKind::Borgermode {
            // A snapshot on resume: the server no longer had the missed events.
            self.rep.check.start_after(seq);
        }
        if !self.signalled_connected {
            self.signalled_connected = true;
            self.run.client_connected();
        }
        if self.target.kind != TargetKind::Borgermode {
            // Peers have no replay: a reconnected client is back once it is subscribed again.
            if let Some(at) = self.drop_at.take() {
                self.rep.recovered_after = Some(at.elapsed());
            }
        }
    }

    /// Handle one text frame; returns a reply to send, if the protocol needs one.
    fn frame(&mut self, text: &str) -> Option<&'static str> {
        Counters::add(&self.run.counters.frames, 1);
        Counters::add(&self.run.counters.bytes, text.len() as u64);
        let decoded = self.target.decode(text);
        // One frame in SAMPLE_EVERY also through the protocol crate's full types: a frame the
        // cheap decode reads differently, or one that breaks the protocol, is counted.
        self.frames_seen += 1;
        if (self.frames_seen + self.spec.idx as u64).is_multiple_of(SAMPLE_EVERY)
            && self.target.decode_in_full(text) != decoded
        {
            Counters::add(&self.run.counters.decode_mismatches, 1);
        }
        match decoded {
            Decoded::Start(seq) => self.started(seq),
            Decoded::Delivery { seq, sent_us } => {
                if self.rep.check.see(seq) == Seen::New {
                    if let Some(sent) = sent_us.filter(|_| !self.rep.stalled) {
                        Counters::add(&self.run.counters.post_deliveries, 1);
                        Counters::add(&self.run.counters.delivery_bytes, text.len() as u64);
                        self.run
                            .latency()
                            .record(self.spec.idx, now_us().saturating_sub(sent));
                    }
                }
            }
            Decoded::CaughtUp(_) => {
                if let Some(at) = self.drop_at.take() {
                    self.rep.recovered_after = Some(at.elapsed());
                }
            }
            Decoded::Votes => {
                self.rep.vote_frames += 1;
                let second = self.run.elapsed().as_secs();
                if second != self.vote_second {
                    self.vote_second = second;
                    self.votes_in_second = 0;
                }
                self.votes_in_second += 1;
                self.rep.vote_frames_max_per_sec =
                    self.rep.vote_frames_max_per_sec.max(self.votes_in_second);
            }
            Decoded::Reply(r) => return Some(r),
            Decoded::Reconnect | Decoded::Other => {}
        }
        None
    }

    fn check_done(&mut self) {
        if self.signalled_done || self.rep.stalled {
            return;
        }
        if let Some(final_seq) = self.run.final_seq() {
            if self.rep.check.contiguous() >= final_seq {
                self.signalled_done = true;
                self.run.client_done();
            }
        }
    }
}
