//! One meeting's live state on this instance: the projection, a ring of recently rendered
//! events, vote counts, and a broadcast channel of ready-made frames.
//!
//! Invariants:
//! - Events are applied strictly in seq order. Early arrivals (possible with a bus that
//!   reorders) wait in `early`; a gap is filled from the store after `gap_fill_ms`.
//! - Each event is rendered once per audience (public, staff) plus one notice per person it
//!   concerns, and the bytes are shared by every connection (`Arc<RenderedEvent>`).
//! - Apply + broadcast happen under the state's write lock, and subscribers take their snapshot
//!   (or replay range) and their receiver under the read lock: a joining client sees every seq
//!   exactly once.
//! - Commands are decided under `write_lock` against the projection at seq S and appended with
//!   `expected_seq = S`, the commands waiting at that moment as one group (`room/commit.rs`);
//!   if another instance got there first the store says Conflict, the room catches up from
//!   the store and decides again. So a command is always authorized against the latest state
//!   (a ban made on another instance a moment ago holds). A refusal (or a
//!   no-op) never reaches the store, so with a shared bus it is checked against the store's
//!   last seq first (`catch_up`): a citizen who joined through another instance a moment ago
//!   may post here, and a post created there may be voted on here.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};
use std::sync::Arc;

use borgermode_domain::event::Actor;
use borgermode_domain::poll_results::PollResults;
use borgermode_domain::similar::{is_suggestible, SimilarIndex};
use borgermode_domain::{
    Command, DomainError, Event, EventKind, MeetingId, MeetingState, ParticipantId, Poll,
    PollAnswer, PollId, PostId, Seq,
};
use borgermode_protocol::frames::ServerFrame;
use borgermode_protocol::http::CommandAck;
use borgermode_protocol::views::{Audience, MeetingView, PostView, YouView};
use bytestring::ByteString;
use parking_lot::{Mutex, RwLock};
use tokio::sync::broadcast;

mod commit;

use crate::bus::{BusHandle, BusMessage};
use crate::content::markdown::to_safe_html;
use crate::live::cadence::Cadence;
use crate::live::polls::PollTally;
pub use crate::live::render::RenderedEvent;
use crate::live::render::{
    meeting_view, post_view, post_views, render, serialize, with_author_refs, Format, Viewer,
};
use crate::ops::breakdown::{EventClock, Origin, Stage};
use crate::ops::metrics::{Metrics, StoreOp};
use crate::settings::Settings;
use crate::store::{PollAnswerRecord, Store, StoreError};

/// What travels on a room's broadcast channel.
#[derive(Debug)]
pub enum Outbound {
    Event(Arc<RenderedEvent>),
    /// The same bytes for everyone (votes, presence, public poll results).
    Shared(ByteString),
    /// For staff connections only (results of a poll the public may not see yet).
    Staff(ByteString),
    /// The server is shutting down: send `reconnect` and close with 1012.
    Shutdown,
}

/// How a new subscriber starts.
pub enum Start {
    /// A snapshot frame at `head`.
    Snapshot(ByteString),
    /// Events after the client's `since`, from the in-memory ring (possibly none).
    Replay(Vec<Arc<RenderedEvent>>),
    /// Events `after+1 ..= head` must come from the store (older than the ring).
    FromStore { after: Seq },
}

pub struct Subscription {
    pub rx: broadcast::Receiver<Arc<Outbound>>,
    pub head: Seq,
    pub start: Start,
    pub hello: ByteString,
    /// The protocol version the stream asked for: which of an event's bytes it gets.
    pub format: Format,
    /// For a resume: the vote counts at `head`, sent before `caught_up`. Votes are not log
    /// events, so a client that was away missed the `votes` frames sent meanwhile; later
    /// changes reach it through the receiver, which was taken under the same lock.
    /// (`poll_results` below: the same for polls, after a snapshot too.)
    pub votes: Option<ByteString>,
    /// The results of every launched poll this audience may see, as of `head`.
    pub poll_results: Vec<ByteString>,
}

impl Drop for Subscription {
    /// A connection that ends leaves events it was counted for unwritten: they no longer wait
    /// for it (`ops/breakdown.rs`). Events lost to a lag cannot be reached and stay counted.
    fn drop(&mut self) {
        loop {
            match self.rx.try_recv() {
                Ok(out) => {
                    if let Outbound::Event(e) = &*out {
                        e.clock.skipped(1);
                    }
                }
                Err(broadcast::error::TryRecvError::Lagged(_)) => continue,
                Err(_) => break,
            }
        }
    }
}

/// How events reached [`Room::ingest_as`]: where their latency breakdown starts.
enum Arrival {
    /// Committed by a command here: the events `seqs`, its request received at `received`.
    Committed {
        received: std::time::Instant,
        committed: std::time::Instant,
        seqs: std::ops::RangeInclusive<Seq>,
    },
    Bus,
    Store,
}

impl Arrival {
    /// The origin and start of event `seq`, applied at `applied` (early events from the bus
    /// may be applied by a later call: they start at their ingest, as the bus's).
    fn start_of(&self, seq: Seq, applied: std::time::Instant) -> (Origin, std::time::Instant) {
        match self {
            Arrival::Committed { received, seqs, .. } if seqs.contains(&seq) => {
                (Origin::Local, *received)
            }
            Arrival::Committed { .. } | Arrival::Bus => (Origin::Bus, applied),
            Arrival::Store => (Origin::Store, applied),
        }
    }
}

/// Result of a command.
#[derive(Debug)]
pub enum Executed {
    /// Committed now, or nothing to change (`seq: None`).
    Done(CommandAck),
    /// A retry of an earlier command with the same idempotency key: its first response.
    Replayed(String),
}

#[derive(Debug, thiserror::Error)]
pub enum ExecuteError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the meeting log kept moving; try again")]
    Contended,
}

struct RoomState {
    projection: MeetingState,
    description_html: String,
    ring: VecDeque<Arc<RenderedEvent>>,
    early: BTreeMap<Seq, Event>,
    votes: HashMap<PostId, u32>,
    dirty_votes: BTreeSet<PostId>,
    polls: PollTally,
    /// The suggestible questions' stems ("has someone asked this already?"), following every
    /// event applied to `projection`.
    similar: SimilarIndex,
}

pub struct Room {
    pub id: MeetingId,
    settings: Arc<Settings>,
    store: Arc<dyn Store>,
    bus: BusHandle,
    metrics: Arc<Metrics>,
    write_lock: tokio::sync::Mutex<()>,
    /// Commands waiting for the next group commit (`room/commit.rs`).
    commands: commit::Queue,
    state: RwLock<RoomState>,
    tx: broadcast::Sender<Arc<Outbound>>,
    watchers: AtomicU32,
    last_presence_sent: AtomicU32,
    /// When this room's last coalesced frame went (the pace of `flush_coalesced`).
    cadence: Mutex<Cadence>,
    /// Answers committed here, not yet told to the other instances (`publish_poll_answers`).
    bus_answers: Mutex<Vec<PollAnswerRecord>>,
    /// Connections on other instances: instance -> (count, when heard).
    remote_watchers: Mutex<HashMap<uuid::Uuid, (u32, std::time::Instant)>>,
    /// What this instance last told the others, and when (ms).
    presence_published: Mutex<(u32, i64)>,
    last_active_ms: AtomicI64,
    gap_fill_pending: Mutex<bool>,
    /// When votes last brought this room up to the store's log (ms, `vote_recheck_ms`).
    last_vote_check_ms: AtomicI64,
    /// The last topics computed: (seq, topics, limit).
    topics_cache: Mutex<(Seq, Vec<borgermode_domain::similar::Topic>, usize)>,
}

/// Most poll answers in one bus message (a few KB each hundred).
const BUS_ANSWERS_MAX: usize = 500;

/// How long a command keeps retrying when other instances keep winning the next seq.
const CONTENTION_BUDGET: std::time::Duration = std::time::Duration::from_secs(5);

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Room {
    /// Build a room from the store (the full log is replayed once into the projection; only
    /// the last `ring_capacity` events are rendered for the ring).
    pub async fn load(
        id: MeetingId,
        store: Arc<dyn Store>,
        bus: BusHandle,
        settings: Arc<Settings>,
        metrics: Arc<Metrics>,
    ) -> Result<Option<Arc<Room>>, StoreError> {
        if store.last_seq(id).await?.is_none() {
            return Ok(None);
        }
        let events = metrics
            .time_store(StoreOp::Read, store.events(id, 0, None))
            .await?;
        let votes = store.vote_counts(id).await?;
        let answers = store.poll_answers(id).await?;
        let room = Room::empty(id, store, bus, settings, metrics);
        {
            let mut st = room.state.write();
            st.votes = votes;
            st.polls = PollTally::from_records(answers);
        }
        room.ingest(events);
        Ok(Some(room))
    }

    /// A room for a meeting that does not exist yet (the organizer is creating it).
    pub fn empty(
        id: MeetingId,
        store: Arc<dyn Store>,
        bus: BusHandle,
        settings: Arc<Settings>,
        metrics: Arc<Metrics>,
    ) -> Arc<Room> {
        let (tx, _) = broadcast::channel(settings.connection_buffer);
        Arc::new(Room {
            id,
            store,
            bus,
            metrics,
            write_lock: tokio::sync::Mutex::new(()),
            commands: commit::Queue::default(),
            state: RwLock::new(RoomState {
                projection: MeetingState::new(id),
                description_html: String::new(),
                ring: VecDeque::with_capacity(settings.ring_capacity.min(4096)),
                early: BTreeMap::new(),
                votes: HashMap::new(),
                dirty_votes: BTreeSet::new(),
                polls: PollTally::default(),
                similar: SimilarIndex::default(),
            }),
            tx,
            watchers: AtomicU32::new(0),
            last_presence_sent: AtomicU32::new(0),
            cadence: Mutex::new(Cadence::default()),
            bus_answers: Mutex::new(Vec::new()),
            remote_watchers: Mutex::new(HashMap::new()),
            presence_published: Mutex::new((0, 0)),
            last_active_ms: AtomicI64::new(now_ms()),
            gap_fill_pending: Mutex::new(false),
            last_vote_check_ms: AtomicI64::new(0),
            topics_cache: Mutex::new((Seq::MAX, Vec::new(), 0)),
            settings,
        })
    }

    pub fn seq(&self) -> Seq {
        self.state.read().projection.seq
    }

    pub fn exists(&self) -> bool {
        self.state.read().projection.exists
    }

    /// Run `f` on the projection (read-only, no await inside).
    pub fn with_state<R>(&self, f: impl FnOnce(&MeetingState, &HashMap<PostId, u32>) -> R) -> R {
        let st = self.state.read();
        f(&st.projection, &st.votes)
    }

    /// Up to `limit` visible questions asking what `text` asks, best first, as the public sees
    /// them (`skip`: the question being compared, in the staff queue). The index holds only
    /// suggestible questions; the view is checked again so that nothing the public may not see
    /// can come out even if the two ever disagreed.
    pub fn similar(&self, text: &str, limit: usize, skip: Option<PostId>) -> Vec<PostView> {
        let st = self.state.read();
        st.similar
            .search(text, limit, skip)
            .into_iter()
            .filter_map(|hit| {
                let post = st.projection.posts.get(&hit.post)?;
                if !is_suggestible(post) {
                    return None;
                }
                post_view(&st.projection, &st.votes, hit.post, Viewer::PUBLIC)
            })
            .collect()
    }

    /// The meeting's main topics now (`domain::similar::topics` over the visible questions),
    /// computed at most once per seq: the big screens of a meeting all ask after each event.
    pub fn topics(&self, limit: usize) -> Vec<borgermode_domain::similar::Topic> {
        let seq = self.seq();
        {
            let cached = self.topics_cache.lock();
            if cached.0 == seq && cached.2 == limit {
                return cached.1.clone();
            }
        }
        let topics = {
            let st = self.state.read();
            borgermode_domain::similar::topics(
                borgermode_domain::similar::topic_texts(&st.projection),
                limit,
            )
        };
        *self.topics_cache.lock() = (seq, topics.clone(), limit);
        topics
    }

    /// The meeting as HTTP answers carry it (with the installation's time zone).
    pub fn meeting_view(&self, staff: bool) -> MeetingView {
        let st = self.state.read();
        let mut v = meeting_view(&st.projection, &st.description_html, staff);
        v.time_zone = Some(self.settings.time_zone.name().to_string());
        v
    }

    pub fn post_view(&self, post: PostId, viewer: Viewer) -> Option<PostView> {
        let st = self.state.read();
        post_view(&st.projection, &st.votes, post, viewer)
    }

    pub fn touch(&self) {
        self.last_active_ms.store(now_ms(), Ordering::Relaxed);
    }

    pub fn idle_for_ms(&self) -> i64 {
        now_ms() - self.last_active_ms.load(Ordering::Relaxed)
    }

    pub fn watchers(&self) -> u32 {
        self.watchers.load(Ordering::Relaxed)
    }

    /// Decide and append a command; see the module docs for the concurrency story.
    ///
    /// Runs in its own task: if the caller goes away (an HTTP client disconnects) the append
    /// may already be committing, and the room must still apply and broadcast what was stored.
    pub async fn execute(
        self: &Arc<Self>,
        actor: Actor,
        cmd: Command,
        idempotency: Option<(String, String)>,
    ) -> Result<Executed, ExecuteError> {
        self.execute_received(actor, cmd, idempotency, std::time::Instant::now())
            .await
    }

    /// [`Room::execute`] for a request that reached the server at `received`: the start of
    /// its events' latency breakdown (`ops/breakdown.rs`).
    pub async fn execute_received(
        self: &Arc<Self>,
        actor: Actor,
        cmd: Command,
        idempotency: Option<(String, String)>,
        received: std::time::Instant,
    ) -> Result<Executed, ExecuteError> {
        let room = self.clone();
        tokio::spawn(async move { room.execute_here(actor, cmd, idempotency, received).await })
            .await
            .unwrap_or_else(|e| {
                Err(ExecuteError::Store(StoreError::Unavailable(format!(
                    "command task failed: {e}"
                ))))
            })
    }

    /// Apply events (any order, duplicates allowed) strictly in seq order, render and broadcast
    /// them. Returns true when a gap remains (events after a missing seq are waiting). For
    /// events read from the store; [`Room::ingest_from_bus`] for the bus's.
    pub fn ingest(&self, events: Vec<Event>) -> bool {
        self.ingest_as(events, Arrival::Store)
    }

    /// [`Room::ingest`] for events another instance committed and the bus brought.
    pub fn ingest_from_bus(&self, events: Vec<Event>) -> bool {
        self.ingest_as(events, Arrival::Bus)
    }

    fn ingest_as(&self, events: Vec<Event>, arrival: Arrival) -> bool {
        let mut st = self.state.write();
        for e in events {
            if e.seq > st.projection.seq {
                st.early.insert(e.seq, e);
            }
        }
        let ring_capacity = self.settings.ring_capacity;
        loop {
            let next = st.projection.seq + 1;
            let Some(e) = st.early.remove(&next) else {
                break;
            };
            let st = &mut *st;
            // Version 2 frames carry the counters an event changed.
            let before = st.projection.counters();
            st.projection.apply(&e);
            st.similar.apply(&st.projection, &e);
            if matches!(
                e.kind,
                EventKind::MeetingCreated { .. } | EventKind::MeetingEdited { .. }
            ) {
                st.description_html = to_safe_html(&st.projection.details.description);
            }
            if forgets_personal_data(&e.kind) {
                // The ring holds frames rendered before the erasure, with the text in them: drop
                // them all. A resume from before this seq re-renders from the store, which no
                // longer has the text.
                st.ring.clear();
            }
            // Poll answers: mirror what the store did in the event's transaction, and count a
            // poll again when its results reach a new audience.
            match &e.kind {
                EventKind::ParticipantErased { participant, .. } => st.polls.erase(*participant),
                EventKind::PersonalDataPseudonymized { .. } => st.polls.pseudonymize(),
                EventKind::PollLaunched { poll }
                | EventKind::PollClosed { poll }
                | EventKind::PollResultsPublished { poll } => st.polls.touch(*poll),
                _ => {}
            }
            let mut rendered = render(&st.projection, &st.description_html, &st.votes, &e, &before);
            let (origin, start) = arrival.start_of(e.seq, rendered.applied_at);
            rendered.clock = EventClock::unarmed(origin, start);
            let rendered = Arc::new(rendered);
            if st.ring.len() >= ring_capacity {
                st.ring.pop_front();
            }
            st.ring.push_back(rendered.clone());
            self.metrics.event_applied();
            // Every receiver reports once it wrote the event (or gave it up); none can
            // subscribe meanwhile (they take the read lock this write lock holds off).
            let receivers = self.tx.receiver_count();
            rendered.clock.arm(receivers);
            let ingested = std::time::Instant::now();
            // No receivers is fine: nobody is watching.
            let sent = self
                .tx
                .send(Arc::new(Outbound::Event(rendered.clone())))
                .unwrap_or(0);
            // A receiver dropped between the count and the send never reports.
            rendered.clock.skipped(receivers.saturating_sub(sent));
            if let Arrival::Committed {
                received,
                committed,
                ..
            } = &arrival
            {
                if origin == Origin::Local {
                    let stages = &self.metrics.stages;
                    stages.observe(Origin::Local, Stage::Commit, *committed - *received);
                    stages.observe(Origin::Local, Stage::Ingest, ingested - *received);
                }
            }
        }
        !st.early.is_empty()
    }

    /// With other instances writing: apply what the store has beyond this projection. Returns
    /// whether the projection moved (then a refusal decided against it may no longer hold).
    /// One `last_seq` read when nothing is missing; nothing at all on a single instance, whose
    /// projection every write passes through.
    pub async fn catch_up(&self) -> Result<bool, StoreError> {
        if !self.bus.bus.is_shared() {
            return Ok(false);
        }
        let have = self.seq();
        match self.store.last_seq(self.id).await? {
            Some(latest) if latest > have => {
                let missing = self.read_events(have, None).await?;
                self.ingest(missing);
                Ok(self.seq() > have)
            }
            _ => Ok(false),
        }
    }

    /// Before accepting a vote (several instances only): catch up with the store's log if that
    /// was not done in the last `vote_recheck_ms`. Votes never append to the log, so unlike
    /// other commands they meet no commit-time check; this bounds how stale the state is that
    /// lets an erased, banned or revoked participant's vote through (Redis down included) to
    /// one interval, at one store read per room per interval however many votes arrive.
    pub async fn recheck_for_vote(&self) -> Result<(), StoreError> {
        if !self.bus.bus.is_shared() {
            return Ok(());
        }
        let now = now_ms();
        let last = self.last_vote_check_ms.load(Ordering::Relaxed);
        if now - last < self.settings.vote_recheck_ms as i64 {
            return Ok(());
        }
        if self
            .last_vote_check_ms
            .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
        {
            self.catch_up().await?;
        }
        Ok(())
    }

    /// Fill a gap from the store (called after `gap_fill_ms` when `ingest` reported one).
    pub async fn fill_gap(&self) -> Result<(), StoreError> {
        let have = self.seq();
        let missing = self.read_events(have, None).await?;
        self.ingest(missing);
        Ok(())
    }

    /// Read events back from the store, timed.
    async fn read_events(&self, after: Seq, up_to: Option<Seq>) -> Result<Vec<Event>, StoreError> {
        self.metrics
            .time_store(StoreOp::Read, self.store.events(self.id, after, up_to))
            .await
    }

    /// Before subscribing a client that resumes from `since`: if this room has not reached
    /// `since` yet, catch up from the store first. With several instances the client may come
    /// from one that is ahead of this one (this instance's bus may have lost or not yet
    /// delivered the latest events); without the catch-up it would get a snapshot of an older
    /// state and then, as live events, events it already has, instead of exactly the events
    /// after `since`. If the store cannot be read, the subscription goes ahead from memory
    /// (a snapshot, which the client handles as "replace your state").
    pub async fn catch_up_for_resume(&self, since: Option<Seq>) {
        let Some(since) = since else { return };
        if since <= self.seq() {
            return;
        }
        if let Err(e) = self.fill_gap().await {
            tracing::warn!(meeting = %self.id, error = %e, "catch-up before a resume failed");
        }
    }

    /// Whether a gap-fill task should be started now (at most one at a time).
    pub fn claim_gap_fill(&self) -> bool {
        let mut p = self.gap_fill_pending.lock();
        if *p {
            false
        } else {
            *p = true;
            true
        }
    }

    pub fn release_gap_fill(&self) {
        *self.gap_fill_pending.lock() = false;
    }

    /// Subscribe a new connection (protocol version 1): hello + snapshot, or the replay after
    /// `since`; then live.
    pub fn subscribe(
        &self,
        viewer: Viewer,
        you: Option<YouView>,
        since: Option<Seq>,
    ) -> Subscription {
        self.subscribe_with(viewer, you, since, Format::V1)
    }

    /// Subscribe a new connection in the protocol version it asked for.
    pub fn subscribe_with(
        &self,
        viewer: Viewer,
        you: Option<YouView>,
        since: Option<Seq>,
        format: Format,
    ) -> Subscription {
        self.touch();
        let st = self.state.read();
        let rx = self.tx.subscribe();
        let head = st.projection.seq;
        let hello = serialize(&ServerFrame::Hello {
            protocol: format.protocol(),
            meeting: self.id,
            audience: viewer.audience,
            you,
            heartbeat_ms: self.settings.heartbeat_ms,
            time_zone: Some(self.settings.time_zone.name().to_string()),
        });
        let start = match since {
            Some(n) if n <= head => {
                let first_in_ring = st.ring.front().map(|r| r.seq).unwrap_or(head + 1);
                if n + 1 >= first_in_ring {
                    Start::Replay(st.ring.iter().filter(|r| r.seq > n).cloned().collect())
                } else {
                    Start::FromStore { after: n }
                }
            }
            // No since, or a since from the future (the client knows a different log): snapshot.
            _ => Start::Snapshot(serialize(&ServerFrame::Snapshot {
                seq: head,
                meeting: meeting_view(
                    &st.projection,
                    &st.description_html,
                    viewer.audience == Audience::Staff,
                ),
                posts: match format {
                    Format::V1 => post_views(&st.projection, &st.votes, viewer),
                    Format::V2 => with_author_refs(
                        &st.projection,
                        post_views(&st.projection, &st.votes, viewer),
                    ),
                },
                watching: self.watching_total(),
            })),
        };
        let votes = match start {
            Start::Snapshot(_) => None,
            Start::Replay(_) | Start::FromStore { .. } if st.votes.is_empty() => None,
            Start::Replay(_) | Start::FromStore { .. } => {
                let mut counts: Vec<(u64, u32)> = st.votes.iter().map(|(p, c)| (p.0, *c)).collect();
                counts.sort_unstable();
                Some(serialize(&ServerFrame::Votes { counts }))
            }
        };
        Subscription {
            rx,
            head,
            start,
            hello,
            format,
            votes,
            poll_results: Self::poll_results_frames(&st, viewer.audience),
        }
    }

    /// Render events `after+1 ..= up_to` from the store, for a resume older than the ring. The
    /// projection is rebuilt from the start of the log so each event renders against the state
    /// at its own seq; two things are today's: vote counts (not in the log; the `votes` frame
    /// that follows the replay corrects every count anyway) and personal text erased or
    /// pseudonymized since (the store no longer has it, and the ring was emptied then too).
    pub async fn replay_from_store(
        &self,
        after: Seq,
        up_to: Seq,
    ) -> Result<Vec<Arc<RenderedEvent>>, StoreError> {
        let events = self.read_events(0, Some(up_to)).await?;
        let votes = self.state.read().votes.clone();
        let mut state = MeetingState::new(self.id);
        let mut description_html = String::new();
        let mut out = Vec::with_capacity(up_to.saturating_sub(after) as usize);
        for e in &events {
            let before = (e.seq > after).then(|| state.counters());
            state.apply(e);
            if matches!(
                e.kind,
                EventKind::MeetingCreated { .. } | EventKind::MeetingEdited { .. }
            ) {
                description_html = to_safe_html(&state.details.description);
            }
            if let Some(before) = before {
                out.push(Arc::new(render(
                    &state,
                    &description_html,
                    &votes,
                    e,
                    &before,
                )));
            }
        }
        Ok(out)
    }

    pub fn caught_up_frame(seq: Seq) -> ByteString {
        serialize(&ServerFrame::CaughtUp { seq })
    }

    pub fn watch(self: &Arc<Self>) -> WatchGuard {
        self.watchers.fetch_add(1, Ordering::Relaxed);
        self.touch();
        WatchGuard(self.clone())
    }

    /// Record effective vote changes; they go out with the next coalesced `votes` frame.
    pub fn vote_changed(&self, post: PostId, up: bool) -> u32 {
        let mut st = self.state.write();
        let count = st.votes.entry(post).or_insert(0);
        if up {
            *count += 1;
        } else {
            *count = count.saturating_sub(1);
        }
        let c = *count;
        st.dirty_votes.insert(post);
        drop(st);
        self.bus.publish_in_background(BusMessage::Votes {
            instance: self.bus.instance,
            meeting: self.id,
            deltas: vec![(post, if up { 1 } else { -1 })],
        });
        c
    }

    /// Vote changes committed on another instance.
    pub fn apply_vote_deltas(&self, deltas: &[(PostId, i32)]) {
        let mut st = self.state.write();
        for (post, d) in deltas {
            let count = st.votes.entry(*post).or_insert(0);
            *count = count.saturating_add_signed(*d);
            st.dirty_votes.insert(*post);
        }
    }

    /// Re-read vote counts from the store (repairs a lost vote message); only changed counts
    /// go out.
    pub async fn resync_votes(&self) -> Result<(), StoreError> {
        let counts = self.store.vote_counts(self.id).await?;
        let mut st = self.state.write();
        let changed: Vec<PostId> = counts
            .iter()
            .filter(|(p, c)| st.votes.get(p) != Some(c))
            .map(|(p, _)| *p)
            .chain(
                st.votes
                    .iter()
                    .filter(|(p, c)| **c > 0 && !counts.contains_key(p))
                    .map(|(p, _)| *p),
            )
            .collect();
        for p in changed {
            st.votes.insert(p, counts.get(&p).copied().unwrap_or(0));
            st.dirty_votes.insert(p);
        }
        Ok(())
    }

    /// Presence reported by another instance. When that instance is new to this room, our own
    /// count goes out at the next tick instead of at the next refresh, so an instance that just
    /// loaded the meeting learns the total at once.
    pub fn set_remote_watchers(&self, instance: uuid::Uuid, watching: u32) {
        let first = self
            .remote_watchers
            .lock()
            .insert(instance, (watching, std::time::Instant::now()))
            .is_none();
        if first {
            *self.presence_published.lock() = (u32::MAX, 0);
        }
    }

    /// Everyone watching, on every instance (entries older than `presence_ttl` drop out: an
    /// instance that died stops counting).
    pub fn watching_total(&self) -> u32 {
        let ttl = self.settings.presence_ttl();
        let mut remote = self.remote_watchers.lock();
        remote.retain(|_, (_, at)| at.elapsed() < ttl);
        self.watchers() + remote.values().map(|(n, _)| *n).sum::<u32>()
    }

    /// Tell the other instances our count when it changed, and at least every `ttl/3`.
    pub fn publish_presence_if_due(&self) {
        if !self.bus.bus.is_shared() {
            return;
        }
        let local = self.watchers();
        let now = now_ms();
        let refresh = (self.settings.presence_ttl().as_millis() / 3) as i64;
        let mut last = self.presence_published.lock();
        // A change goes at most once per `coalesce_ms` (the tick runs several times per period).
        let paced = now - last.1 >= self.settings.coalesce_ms as i64;
        if (last.0 != local && paced) || now - last.1 >= refresh {
            *last = (local, now);
            self.bus.publish_in_background(BusMessage::Presence {
                instance: self.bus.instance,
                meeting: self.id,
                watching: local,
            });
        }
    }

    /// An answer committed here: count it, and tell the other instances.
    pub fn poll_answer_written(&self, record: PollAnswerRecord) {
        self.state.write().polls.apply(record.clone());
        if self.bus.bus.is_shared() {
            self.bus_answers.lock().push(record);
        }
    }

    /// Tell the other instances the answers committed here since the last call, in one bus
    /// message per tick (at most `BUS_ANSWERS_MAX` answers each). Why not one per answer: at
    /// 1,100 answers a second, one `PUBLISH` each (a task apiece, 500 ms timeout) lost some
    /// under load, and the other instance showed them only at the next resync, 4.7 s later
    /// (issue 16's two-instance 10,000 run). A lost batch is healed the same way.
    pub fn publish_poll_answers(&self) {
        let pending = std::mem::take(&mut *self.bus_answers.lock());
        for chunk in pending.chunks(BUS_ANSWERS_MAX) {
            self.bus.publish_in_background(BusMessage::PollAnswers {
                instance: self.bus.instance,
                meeting: self.id,
                answers: chunk.to_vec(),
            });
        }
    }

    /// Answers committed on another instance.
    pub fn apply_poll_answers(&self, answers: Vec<PollAnswerRecord>) {
        let mut st = self.state.write();
        for r in answers {
            st.polls.apply(r);
        }
    }

    /// Re-read every answer from the store (repairs a lost bus message); only polls whose
    /// answers differ go out again.
    pub async fn resync_polls(&self) -> Result<(), StoreError> {
        let read_started = chrono::Utc::now();
        let answers = self.store.poll_answers(self.id).await?;
        self.state.write().polls.resync(answers, read_started);
        Ok(())
    }

    /// A poll's results now, if `staff` or the public may see them.
    pub fn poll_results(&self, poll: PollId, staff: bool) -> Option<PollResults> {
        let st = self.state.read();
        let p = st.projection.polls.get(poll)?;
        (staff || p.results_public()).then(|| st.polls.results(p))
    }

    /// What `participant` answered, by poll.
    pub fn poll_answers_of(&self, participant: ParticipantId) -> Vec<(PollId, PollAnswer)> {
        self.state.read().polls.answers_of(participant)
    }

    /// Every answer to `poll`, newest first (staff moderate open answers from it).
    pub fn poll_answers(&self, poll: PollId) -> Vec<PollAnswerRecord> {
        self.state.read().polls.answers(poll)
    }

    /// The results frames a new connection of `audience` starts with (after its snapshot, or
    /// before `caught_up` on a resume): one per launched poll whose results it may see.
    fn poll_results_frames(st: &RoomState, audience: Audience) -> Vec<ByteString> {
        st.projection
            .polls
            .items
            .iter()
            .filter(|p| p.is_public())
            .filter(|p| audience == Audience::Staff || p.results_public())
            .map(|p| {
                serialize(&ServerFrame::PollResults {
                    poll: p.id.0,
                    results: st.polls.results(p),
                    at_ms: Some(now_ms()),
                })
            })
            .collect()
    }

    pub fn votes_of(&self, post: PostId) -> u32 {
        self.state.read().votes.get(&post).copied().unwrap_or(0)
    }

    /// Broadcast changed vote counts, poll results and presence, if any (the hub's tick calls
    /// it a few times per `coalesce_ms`; the room's `Cadence` lets frames go at most once per
    /// `coalesce_ms`: at most 4 result frames a second per poll by default, however many
    /// answer, and never two closer than that).
    pub fn flush_coalesced(&self) {
        let now = std::time::Instant::now();
        // The stamp is read with the pace's clock reading: read later (after a pre-emption,
        // say), two stamps could be closer than the pace kept.
        let at_ms = now_ms();
        let mut cadence = self.cadence.lock();
        if !cadence.due(now, self.settings.coalesce()) {
            return;
        }
        let (counts, results) = {
            let mut st = self.state.write();
            let dirty = std::mem::take(&mut st.dirty_votes);
            let counts: Vec<(u64, u32)> = dirty
                .into_iter()
                .map(|p| (p.0, st.votes.get(&p).copied().unwrap_or(0)))
                .collect();
            let polls = st.polls.take_dirty();
            let results: Vec<Outbound> = polls
                .into_iter()
                .filter_map(|id| st.projection.polls.get(id))
                .map(|p| poll_results_outbound(p, st.polls.results(p), at_ms))
                .collect();
            (counts, results)
        };
        let mut went = !results.is_empty() || !counts.is_empty();
        for out in results {
            let _ = self.tx.send(Arc::new(out));
        }
        if !counts.is_empty() {
            let _ = self
                .tx
                .send(Arc::new(Outbound::Shared(serialize(&ServerFrame::Votes {
                    counts,
                }))));
        }
        let watching = self.watching_total();
        if self.last_presence_sent.swap(watching, Ordering::Relaxed) != watching {
            went = true;
            let _ = self.tx.send(Arc::new(Outbound::Shared(serialize(
                &ServerFrame::Presence { watching },
            ))));
        }
        if went {
            cadence.sent(now);
        }
    }

    /// Tell every connection to reconnect elsewhere (shutdown).
    pub fn broadcast_shutdown(&self) {
        let _ = self.tx.send(Arc::new(Outbound::Shutdown));
    }
}

/// Counts a connection as watching while it lives.
pub struct WatchGuard(Arc<Room>);

impl Drop for WatchGuard {
    fn drop(&mut self) {
        self.0.watchers.fetch_sub(1, Ordering::Relaxed);
        self.0.touch();
    }
}

/// A poll's results as a frame for whoever may see them: everyone once they are public, staff
/// before.
fn poll_results_outbound(poll: &Poll, results: PollResults, at_ms: i64) -> Outbound {
    let bytes = serialize(&ServerFrame::PollResults {
        poll: poll.id.0,
        results,
        at_ms: Some(at_ms),
    });
    if poll.results_public() {
        Outbound::Shared(bytes)
    } else {
        Outbound::Staff(bytes)
    }
}

/// Erasure and retention: events whose commit deleted personal text.
fn forgets_personal_data(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::ParticipantErased { .. } | EventKind::PersonalDataPseudonymized { .. }
    )
}

/// The response a command gets, computed before the append (seqs are `expected+1..`), so the
/// same bytes can be stored with the idempotency key in the append's transaction.
fn ack_for(meeting: MeetingId, expected: Seq, kinds: &[EventKind]) -> CommandAck {
    let last = expected + kinds.len() as u64;
    let mut ack = CommandAck {
        seq: Some(last),
        meeting_id: None,
        post_id: None,
        status: None,
    };
    for (i, k) in kinds.iter().enumerate() {
        match k {
            EventKind::MeetingCreated { .. } => ack.meeting_id = Some(meeting),
            EventKind::PostCreated { held, .. } => {
                ack.post_id = Some(expected + 1 + i as u64);
                ack.status = Some(if held.is_some() { "pending" } else { "visible" }.into());
            }
            _ => {}
        }
    }
    ack
}
