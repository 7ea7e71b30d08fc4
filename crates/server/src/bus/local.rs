//! In-process bus: one instance, nothing to spread. A room applies its own events when they
//! commit (`Room::execute`), so publishing has nobody to tell: it does nothing. The hub still
//! starts it like any bus, so the single-instance and the clustered paths differ only here.

use async_trait::async_trait;

use super::{Bus, BusMessage, BusSink};

#[derive(Default)]
pub struct LocalBus;

#[async_trait]
impl Bus for LocalBus {
    fn kind(&self) -> &'static str {
        "local"
    }

    /// Nothing will ever arrive: the sink is dropped, and the hub's delivery loop ends.
    async fn start(&self, _sink: BusSink) {}

    async fn publish(&self, _message: &BusMessage) {}

    fn healthy(&self) -> bool {
        true
    }

    fn is_shared(&self) -> bool {
        false
    }
}
