//! Process-wide counters that tests and operators read (`/readyz` shows a few; the Prometheus
//! endpoint arrives with the operations work). Plain atomics: cheap on the hot path.

use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Default, Debug)]
pub struct Metrics {
    connections_open: AtomicU64,
    connections_total: AtomicU64,
    frames_sent: AtomicU64,
    slow_consumers_cut: AtomicU64,
}

impl Metrics {
    pub fn connection_opened(&self) {
        self.connections_open.fetch_add(1, Ordering::Relaxed);
        self.connections_total.fetch_add(1, Ordering::Relaxed);
    }
    pub fn connection_closed(&self) {
        self.connections_open.fetch_sub(1, Ordering::Relaxed);
    }
    pub fn frames_sent(&self, n: u64) {
        self.frames_sent.fetch_add(n, Ordering::Relaxed);
    }
    pub fn slow_consumer_cut(&self) {
        self.slow_consumers_cut.fetch_add(1, Ordering::Relaxed);
    }
    pub fn connections_open(&self) -> u64 {
        self.connections_open.load(Ordering::Relaxed)
    }
    pub fn slow_consumers_cut_total(&self) -> u64 {
        self.slow_consumers_cut.load(Ordering::Relaxed)
    }
    pub fn frames_sent_total(&self) -> u64 {
        self.frames_sent.load(Ordering::Relaxed)
    }
}
