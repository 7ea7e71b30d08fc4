//! In-process bus: one instance, nothing to spread. Publishing hands events back to this
//! instance's hub, which ignores the ones its room has already applied; this keeps a single
//! code path for "an event arrived" whether it came from a local command or another instance.

use async_trait::async_trait;
use parking_lot::Mutex;

use super::{Bus, BusMessage, BusSink, Delivery};

#[derive(Default)]
pub struct LocalBus {
    sink: Mutex<Option<BusSink>>,
}

#[async_trait]
impl Bus for LocalBus {
    fn kind(&self) -> &'static str {
        "local"
    }

    async fn start(&self, sink: BusSink) {
        *self.sink.lock() = Some(sink);
    }

    async fn publish(&self, message: &BusMessage) {
        if let BusMessage::Events { .. } = message {
            if let Some(sink) = self.sink.lock().as_ref() {
                let _ = sink.send(Delivery::Message(message.clone()));
            }
        }
    }

    fn healthy(&self) -> bool {
        true
    }

    fn is_shared(&self) -> bool {
        false
    }
}
