//! The hub owns the rooms of this instance: it loads a meeting's room on first use, unloads it
//! when idle, routes events that arrive over the bus, runs the coalescing tick (votes and
//! presence at most every `coalesce_ms`) and tells every room when the server shuts down.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use borgermode_domain::{Event, MeetingId};
use parking_lot::Mutex;
use tokio::sync::mpsc;

use crate::bus::Bus;
use crate::live::room::Room;
use crate::settings::Settings;
use crate::store::{Store, StoreError};

pub struct Hub {
    settings: Arc<Settings>,
    store: Arc<dyn Store>,
    bus: Arc<dyn Bus>,
    rooms: Mutex<HashMap<MeetingId, Arc<Room>>>,
    /// Serializes room loading so two requests for a cold meeting load it once.
    loading: tokio::sync::Mutex<()>,
}

impl Hub {
    pub async fn start(
        settings: Arc<Settings>,
        store: Arc<dyn Store>,
        bus: Arc<dyn Bus>,
    ) -> Arc<Hub> {
        let hub = Arc::new(Hub {
            settings,
            store,
            bus: bus.clone(),
            rooms: Mutex::new(HashMap::new()),
            loading: tokio::sync::Mutex::new(()),
        });
        let (tx, rx) = mpsc::unbounded_channel();
        bus.start(tx).await;
        tokio::spawn(Self::deliver_loop(Arc::downgrade(&hub), rx));
        tokio::spawn(Self::tick_loop(Arc::downgrade(&hub)));
        hub
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn bus(&self) -> &Arc<dyn Bus> {
        &self.bus
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

    /// Events from the bus: apply in order; if a seq is missing, fill it from the store after
    /// a short wait (it may still arrive on the bus).
    fn deliver(self: &Arc<Self>, meeting: MeetingId, events: Vec<Event>) {
        let Some(room) = self.rooms.lock().get(&meeting).cloned() else {
            return; // Not loaded here: it will load from the store when someone asks.
        };
        if room.ingest(events) && room.claim_gap_fill() {
            let wait = self.settings.gap_fill();
            tokio::spawn(async move {
                tokio::time::sleep(wait).await;
                if let Err(e) = room.fill_gap().await {
                    tracing::warn!(meeting = %room.id, error = %e, "gap fill failed; will retry on next event");
                }
                room.release_gap_fill();
            });
        }
    }

    async fn deliver_loop(
        hub: std::sync::Weak<Hub>,
        mut rx: mpsc::UnboundedReceiver<(MeetingId, Vec<Event>)>,
    ) {
        while let Some((meeting, events)) = rx.recv().await {
            let Some(hub) = hub.upgrade() else { break };
            hub.deliver(meeting, events);
        }
    }

    async fn tick_loop(hub: std::sync::Weak<Hub>) {
        let Some(period) = hub.upgrade().map(|h| h.settings.coalesce()) else {
            return;
        };
        let mut interval = tokio::time::interval(period.max(Duration::from_millis(10)));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            interval.tick().await;
            let Some(hub) = hub.upgrade() else { break };
            let idle_ms = (hub.settings.room_idle_secs * 1000) as i64;
            let rooms = hub.loaded_rooms();
            for room in &rooms {
                room.flush_coalesced();
                if room.watchers() == 0 && room.idle_for_ms() > idle_ms {
                    hub.rooms.lock().remove(&room.id);
                    tracing::debug!(meeting = %room.id, "room unloaded (idle)");
                }
            }
        }
    }

    /// Shutdown: every connection gets `reconnect` and a 1012 close.
    pub fn shutdown(&self) {
        for room in self.loaded_rooms() {
            room.broadcast_shutdown();
        }
    }
}
