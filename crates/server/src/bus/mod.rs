//! The bus spreads committed events (and vote changes and presence) to the other instances
//! serving the same meetings.
//!
//! Why it is only a fast path: pub/sub is at-most-once and may reorder between publishers.
//! Rooms therefore apply events strictly in seq order, buffer early arrivals and fill gaps from
//! the store (see `live::room`), and the hub re-checks every room against the store after each
//! bus reconnect and every `seq_check_ms`. A lost bus message delays an event; it never loses
//! it. Vote deltas and presence are repaired the same way: counts are re-read from the store
//! periodically, and presence entries expire.
//!
//! - [`local::LocalBus`]: one instance (default); publishing does nothing.
//! - [`redis::RedisBus`]: several instances sharing Redis (`REDIS_URL`).

pub mod local;
pub mod redis;

use async_trait::async_trait;
use borgermode_domain::{Event, MeetingId, PostId};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use uuid::Uuid;

/// What instances tell each other. Internal to borgermode (not part of the client protocol);
/// every message names the instance that sent it so that instances can ignore their own.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum BusMessage {
    /// Events just committed by `instance`, in seq order.
    Events {
        instance: Uuid,
        meeting: MeetingId,
        events: Vec<Event>,
    },
    /// Effective vote changes (+1 / -1) committed by `instance`.
    Votes {
        instance: Uuid,
        meeting: MeetingId,
        deltas: Vec<(PostId, i32)>,
    },
    /// Poll answers committed by `instance` (whole records: applying one twice is harmless).
    PollAnswers {
        instance: Uuid,
        meeting: MeetingId,
        answers: Vec<crate::store::PollAnswerRecord>,
    },
    /// How many connections `instance` has on a meeting right now.
    Presence {
        instance: Uuid,
        meeting: MeetingId,
        watching: u32,
    },
}

/// What a bus hands to its hub.
#[derive(Debug)]
pub enum Delivery {
    Message(BusMessage),
    /// The bus (re)connected: messages may have been lost while it was away.
    Reconnected,
}

pub type BusSink = mpsc::UnboundedSender<Delivery>;

#[async_trait]
pub trait Bus: Send + Sync + 'static {
    /// "local", "redis".
    fn kind(&self) -> &'static str;
    /// Start delivering received messages to `sink`.
    async fn start(&self, sink: BusSink);
    /// Publish (best effort: errors are logged, not returned, because the store is the truth).
    async fn publish(&self, message: &BusMessage);
    /// Whether the bus is connected (for /readyz).
    fn healthy(&self) -> bool;
    /// Whether other instances may exist (then the hub checks rooms against the store).
    fn is_shared(&self) -> bool;
    /// Publishes that failed since start (the in-process bus never fails).
    fn publish_failures(&self) -> u64 {
        0
    }
}

/// A bus plus the identity of this instance: what rooms need to publish.
#[derive(Clone)]
pub struct BusHandle {
    pub bus: std::sync::Arc<dyn Bus>,
    pub instance: Uuid,
}

impl BusHandle {
    pub fn new(bus: std::sync::Arc<dyn Bus>) -> Self {
        Self {
            bus,
            instance: Uuid::new_v4(),
        }
    }

    /// Publish without making the caller wait: the store already has what matters, and a slow
    /// or absent Redis must not delay a command's acknowledgement.
    pub fn publish_in_background(&self, message: BusMessage) {
        let bus = self.bus.clone();
        tokio::spawn(async move { bus.publish(&message).await });
    }
}
