//! The bus spreads committed events to the other instances serving the same meetings.
//!
//! Why it is only a fast path: pub/sub is at-most-once and may reorder between publishers.
//! Rooms therefore apply events strictly in seq order, buffer early arrivals and fill gaps from
//! the store (see `live::room`), so a lost bus message delays an event and never loses it.
//!
//! The in-process bus (default, one instance) hands events straight back to this instance's
//! hub; the Redis bus arrives with the scale-out work.

pub mod local;

use async_trait::async_trait;
use borgermode_domain::{Event, MeetingId};
use tokio::sync::mpsc;

/// Where a bus delivers what it receives: (meeting, events in seq order).
pub type BusSink = mpsc::UnboundedSender<(MeetingId, Vec<Event>)>;

#[async_trait]
pub trait Bus: Send + Sync + 'static {
    /// "local", "redis".
    fn kind(&self) -> &'static str;
    /// Start delivering received events to `sink`.
    async fn start(&self, sink: BusSink);
    /// Publish events that were just committed (best effort: errors are logged, not returned,
    /// because the store is the truth and gap filling repairs a lost message).
    async fn publish(&self, meeting: MeetingId, events: &[Event]);
    /// Whether the bus is connected (for /readyz).
    fn healthy(&self) -> bool;
}
