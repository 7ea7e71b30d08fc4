//! The hub owns the rooms of this instance: it loads a meeting's room on first use, unloads it
//! when idle, routes what arrives over the bus (events, vote changes, presence), runs the
//! coalescing tick (votes, poll results and presence at most every `coalesce_ms`, paced per
//! room by `cadence.rs`), checks rooms against the store when other instances may be writing,
//! and tells every room when the server shuts down.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use borgermode_domain::MeetingId;
use parking_lot::Mutex;
use tokio::sync::mpsc;

use crate::bus::{Bus, BusHandle, BusMessage, Delivery};
use crate::live::room::Room;
use crate::live::shards::{LiveShards, ShardSlot};
use crate::ops::metrics::Metrics;
use crate::settings::Settings;
use crate::store::{Store, StoreError};

pub struct Hub {
    settings: Arc<Settings>,
    store: Arc<dyn Store>,
    bus: BusHandle,
    rooms: Mutex<HashMap<MeetingId, Arc<Room>>>,
    /// Serializes room loading so two requests for a cold meeting load it once.
    loading: tokio::sync::Mutex<()>,
    metrics: Arc<Metrics>,
    /// Whether the bus connected once: later connections are reconnects.
    bus_connected_once: std::sync::atomic::AtomicBool,
    /// Where the `direct` engine's connection tasks run: one single-threaded runtime per CPU,
    /// away from the HTTP workers and the main runtime, so a sweep is split over the cores
    /// and commands never queue behind it (`live/shards.rs`).
    shards: LiveShards,
}

impl Hub {
    pub async fn start(
        settings: Arc<Settings>,
        store: Arc<dyn Store>,
        bus: Arc<dyn Bus>,
        metrics: Arc<Metrics>,
    ) -> std::io::Result<Arc<Hub>> {
        let shards = LiveShards::start(settings.live_threads())?;
        let hub = Arc::new(Hub {
            settings,
            store,
            bus: BusHandle::new(bus.clone()),
            rooms: Mutex::new(HashMap::new()),
            loading: tokio::sync::Mutex::new(()),
            metrics,
            bus_connected_once: Default::default(),
            shards,
        });
        let (tx, rx) = mpsc::unbounded_channel();
        bus.start(tx).await;
        tokio::spawn(Self::deliver_loop(Arc::downgrade(&hub), rx));
        tokio::spawn(Self::tick_loop(Arc::downgrade(&hub)));
        tokio::spawn(Self::presence_sample_loop(Arc::downgrade(&hub)));
        tokio::spawn(Self::retention_loop(Arc::downgrade(&hub)));
        if bus.is_shared() {
            tokio::spawn(Self::check_loop(Arc::downgrade(&hub)));
        }
        Ok(hub)
    }

    /// A place for a new live connection (the least loaded shard).
    pub fn place_connection(&self) -> ShardSlot {
        self.shards.place()
    }

    /// Open `direct` WebSocket connections per live shard.
    pub fn shard_loads(&self) -> Vec<usize> {
        self.shards.loads()
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn bus(&self) -> &Arc<dyn Bus> {
        &self.bus.bus
    }

    /// This instance's id on the bus.
    pub fn instance(&self) -> uuid::Uuid {
        self.bus.instance
    }

    /// The room of a meeting, loading it from the store if needed; None if no such meeting.
    pub async fn room(&self, id: MeetingId) -> Result<Option<Arc<Room>>, StoreError> {
        if let Some(r) = self.rooms.lock().get(&id) {
            return Ok(Some(r.clone()));
        }
        let _loading = self.loading.lock().await;
        if let Some(r) = self.rooms.lock().get(&id) {
            return Ok(Some(r.clone()));
        }
        let Some(room) = Room::load(
            id,
            self.store.clone(),
            self.bus.clone(),
            self.settings.clone(),
            self.metrics.clone(),
        )
        .await?
        else {
            return Ok(None);
        };
        self.rooms.lock().insert(id, room.clone());
        Ok(Some(room))
    }

    /// A room for a meeting about to be created.
    pub fn new_room(&self, id: MeetingId) -> Arc<Room> {
        let room = Room::empty(
            id,
            self.store.clone(),
            self.bus.clone(),
            self.settings.clone(),
            self.metrics.clone(),
        );
        self.rooms.lock().insert(id, room.clone());
        room
    }

    pub fn forget(&self, id: MeetingId) {
        self.rooms.lock().remove(&id);
    }

    pub fn loaded_rooms(&self) -> Vec<Arc<Room>> {
        self.rooms.lock().values().cloned().collect()
    }

    fn loaded(&self, id: &MeetingId) -> Option<Arc<Room>> {
        self.rooms.lock().get(id).cloned()
    }

    /// Catch a room up with the store, counting heals.
    async fn heal(self: &Arc<Self>, room: &Arc<Room>) {
        let before = room.seq();
        match room.fill_gap().await {
            Ok(()) if room.seq() > before => {
                self.metrics.gap_filled();
                tracing::info!(meeting = %room.id, from = before, to = room.seq(), "caught up from the store");
            }
            Ok(()) => {}
            Err(e) => {
                tracing::warn!(meeting = %room.id, error = %e, "catch-up from the store failed; will retry")
            }
        }
    }

    fn deliver(self: &Arc<Self>, delivery: Delivery) {
        let message = match delivery {
            Delivery::Reconnected => {
                if self
                    .bus_connected_once
                    .swap(true, std::sync::atomic::Ordering::Relaxed)
                {
                    self.metrics.bus_reconnected();
                }
                // Messages may have been lost while the bus was away: every room catches up.
                for room in self.loaded_rooms() {
                    let hub = self.clone();
                    tokio::spawn(async move {
                        hub.heal(&room).await;
                        let _ = room.resync_votes().await;
                        let _ = room.resync_polls().await;
                    });
                }
                return;
            }
            Delivery::Message(m) => m,
        };
        match message {
            BusMessage::Events {
                instance,
                meeting,
                events,
            } => {
                // Our own events were applied when they committed (`Room::execute`); taking them
                // in again would only cost a parse and a seq check per event.
                if instance == self.bus.instance {
                    return;
                }
                // Not loaded here: it will load from the store when someone asks.
                let Some(room) = self.loaded(&meeting) else {
                    return;
                };
                if room.ingest_from_bus(events) && room.claim_gap_fill() {
                    // A seq is missing: it may still arrive on the bus; if not, read it.
                    let wait = self.settings.gap_fill();
                    let hub = self.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(wait).await;
                        hub.heal(&room).await;
                        room.release_gap_fill();
                    });
                }
            }
            BusMessage::Votes {
                instance,
                meeting,
                deltas,
            } => {
                if instance != self.bus.instance {
                    if let Some(room) = self.loaded(&meeting) {
                        room.apply_vote_deltas(&deltas);
                    }
                }
            }
            BusMessage::PollAnswers {
                instance,
                meeting,
                answers,
            } => {
                if instance != self.bus.instance {
                    if let Some(room) = self.loaded(&meeting) {
                        room.apply_poll_answers(answers);
                    }
                }
            }
            BusMessage::Presence {
                instance,
                meeting,
                watching,
            } => {
                if instance != self.bus.instance {
                    if let Some(room) = self.loaded(&meeting) {
                        room.set_remote_watchers(instance, watching);
                    }
                }
            }
        }
    }

    async fn deliver_loop(hub: std::sync::Weak<Hub>, mut rx: mpsc::UnboundedReceiver<Delivery>) {
        while let Some(delivery) = rx.recv().await {
            let Some(hub) = hub.upgrade() else { break };
            hub.deliver(delivery);
        }
    }

    async fn tick_loop(hub: std::sync::Weak<Hub>) {
        let Some(period) = hub.upgrade().map(|h| h.settings.coalesce()) else {
            return;
        };
        // Several ticks per period: each room's `Cadence` decides when its frames go.
        let mut interval = tokio::time::interval(crate::live::cadence::tick_for(period));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            interval.tick().await;
            let Some(hub) = hub.upgrade() else { break };
            let idle_ms = (hub.settings.room_idle_secs * 1000) as i64;
            for room in hub.loaded_rooms() {
                room.publish_poll_answers();
                room.flush_coalesced();
                room.publish_presence_if_due();
                if room.watchers() == 0 && room.idle_for_ms() > idle_ms {
                    hub.rooms.lock().remove(&room.id);
                    tracing::debug!(meeting = %room.id, "room unloaded (idle)");
                }
            }
        }
    }

    /// Record this instance's viewer count of every open meeting every `presence_sample_ms`
    /// (the report sums the instances per minute). Meetings not open are not sampled; a failed
    /// write only costs one sample.
    async fn presence_sample_loop(hub: std::sync::Weak<Hub>) {
        let Some(period) = hub.upgrade().and_then(|h| h.settings.presence_sample()) else {
            return;
        };
        let mut interval = tokio::time::interval(period.max(Duration::from_millis(10)));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            interval.tick().await;
            let Some(hub) = hub.upgrade() else { break };
            let now = chrono::Utc::now();
            for room in hub.loaded_rooms() {
                let open =
                    room.with_state(|s, _| s.status == borgermode_domain::MeetingStatus::Open);
                if !open {
                    continue;
                }
                if let Err(e) = hub
                    .store
                    .record_presence(room.id, now, hub.bus.instance, room.watchers())
                    .await
                {
                    tracing::debug!(meeting = %room.id, error = %e, "presence sample failed");
                }
            }
        }
    }

    /// With other instances writing: compare every room's seq with the store every
    /// `seq_check_ms` (repairs a lost bus message even when no later one reveals the gap), and
    /// re-read vote counts every `vote_resync_ms`.
    async fn check_loop(hub: std::sync::Weak<Hub>) {
        let Some((check, resync)) = hub
            .upgrade()
            .map(|h| (h.settings.seq_check(), h.settings.vote_resync()))
        else {
            return;
        };
        let mut interval = tokio::time::interval(check.max(Duration::from_millis(10)));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut last_resync = tokio::time::Instant::now();
        loop {
            interval.tick().await;
            let Some(hub) = hub.upgrade() else { break };
            let resync_now = last_resync.elapsed() >= resync;
            if resync_now {
                last_resync = tokio::time::Instant::now();
            }
            for room in hub.loaded_rooms() {
                match hub.store.last_seq(room.id).await {
                    Ok(Some(latest)) if latest > room.seq() => hub.heal(&room).await,
                    Ok(_) => {}
                    Err(e) => tracing::debug!(meeting = %room.id, error = %e, "seq check failed"),
                }
                if resync_now {
                    let _ = room.resync_votes().await;
                    let _ = room.resync_polls().await;
                }
            }
        }
    }

    /// Retention (GDPR): every `retention_interval_ms`, pseudonymize the meetings that closed
    /// more than `retention_days` ago. Through the room like any command, so the event reaches
    /// every instance and the chain; on several instances the store lets exactly one append win
    /// and the others decide again and find nothing to do.
    async fn retention_loop(hub: std::sync::Weak<Hub>) {
        let Some(period) = hub.upgrade().map(|h| h.settings.retention_interval()) else {
            return;
        };
        let mut interval = tokio::time::interval(period);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            interval.tick().await;
            let Some(hub) = hub.upgrade() else { break };
            if let Err(error) = hub.run_retention().await {
                tracing::warn!(%error, "retention run failed; retried on the next run");
            }
        }
    }

    /// One retention run: returns how many meetings were pseudonymized.
    pub async fn run_retention(&self) -> Result<usize, StoreError> {
        let cutoff = chrono::Utc::now() - self.settings.retention();
        let due = self.store.meetings_due_for_retention(cutoff).await?;
        let mut done = 0;
        for meeting in due {
            let Some(room) = self.room(meeting).await? else {
                continue;
            };
            match room
                .execute(
                    borgermode_domain::event::Actor::Organizer,
                    borgermode_domain::Command::Pseudonymize,
                    None,
                )
                .await
            {
                Ok(_) => done += 1,
                Err(error) => {
                    tracing::warn!(%meeting, ?error, "pseudonymizing a meeting failed");
                }
            }
        }
        Ok(done)
    }

    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// Shutdown: every connection gets `reconnect` and a 1012 close.
    pub fn shutdown(&self) {
        for room in self.loaded_rooms() {
            room.broadcast_shutdown();
        }
    }
}
