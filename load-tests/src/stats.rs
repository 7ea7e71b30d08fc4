//! Shared measurement state of a run: latency histograms (sharded so thousands of client tasks
//! do not contend on one lock) and plain counters.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use hdrhistogram::Histogram;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

const SHARDS: usize = 32;

/// Microseconds since the Unix epoch: publisher and clients run on the same machine, so the
/// post→receive latency is the difference of two readings of the same clock.
pub fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

pub struct LatencyRecorder {
    shards: Vec<Mutex<Histogram<u64>>>,
}

fn new_histogram() -> Histogram<u64> {
    // 1 µs .. 10 min, 3 significant digits.
    Histogram::new_with_bounds(1, 600_000_000, 3).unwrap_or_else(|_| Histogram::new(3).unwrap())
}

impl Default for LatencyRecorder {
    fn default() -> Self {
        LatencyRecorder {
            shards: (0..SHARDS).map(|_| Mutex::new(new_histogram())).collect(),
        }
    }
}

impl LatencyRecorder {
    pub fn record(&self, client: usize, micros: u64) {
        let _ = self.shards[client % SHARDS].lock().record(micros.max(1));
    }

    pub fn summary(&self) -> Latency {
        let mut all = new_histogram();
        for s in &self.shards {
            let _ = all.add(&*s.lock());
        }
        Latency::of(&all)
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Latency {
    pub count: u64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
}

impl Latency {
    fn of(h: &Histogram<u64>) -> Latency {
        if h.is_empty() {
            return Latency::default();
        }
        let ms = |us: u64| us as f64 / 1000.0;
        Latency {
            count: h.len(),
            p50_ms: ms(h.value_at_quantile(0.50)),
            p90_ms: ms(h.value_at_quantile(0.90)),
            p99_ms: ms(h.value_at_quantile(0.99)),
            p999_ms: ms(h.value_at_quantile(0.999)),
            max_ms: ms(h.max()),
        }
    }
}

/// Counters every client task adds to.
#[derive(Default)]
pub struct Counters {
    /// Frames of any kind received.
    pub frames: AtomicU64,
    /// Deliveries of a post published by this run (the unit of "CPU per delivery").
    pub post_deliveries: AtomicU64,
    /// Bytes (WebSocket payload, the JSON text) of the frames that delivered those posts.
    pub delivery_bytes: AtomicU64,
    /// Bytes of every text frame received.
    pub bytes: AtomicU64,
    /// Sampled frames whose full decode through the protocol crate disagreed with the cheap
    /// one (`Target::decode`): a frame off the protocol, or a generator bug.
    pub decode_mismatches: AtomicU64,
    pub connect_errors: AtomicU64,
    pub disconnects: AtomicU64,
}

impl Counters {
    pub fn add(c: &AtomicU64, n: u64) {
        c.fetch_add(n, Ordering::Relaxed);
    }
    pub fn get(c: &AtomicU64) -> u64 {
        c.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_come_from_all_shards() {
        let r = LatencyRecorder::default();
        for i in 0..1000u64 {
            r.record(i as usize, (i + 1) * 1000);
        }
        let s = r.summary();
        assert_eq!(s.count, 1000);
        assert!((s.p50_ms - 500.0).abs() < 2.0, "{s:?}");
        assert!((s.max_ms - 1000.0).abs() < 2.0, "{s:?}");
        assert!(s.p99_ms >= 989.0 && s.p99_ms <= 991.0, "{s:?}");
    }
}
