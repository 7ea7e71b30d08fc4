//! Process-wide counters, gauges and histograms, read by `GET /metrics` (Prometheus text
//! format, `http/api/metrics.rs`), by `/readyz`-style checks and by tests.
//!
//! Why hand-written instead of the `prometheus-client` crate: everything here is a fixed set of
//! plain atomics (a few labels known at compile time, no registry, no lock, no allocation on the
//! hot path). A frame sent to a client costs one `fetch_add` for the delivery counter and, for
//! live events, a handful more for the fan-out histogram; rendering the text format is a few
//! dozen lines. Counts use `Relaxed` ordering: a scrape may see one counter a moment ahead of
//! another, which Prometheus tolerates.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::ops::breakdown::{Origin, Stage, StageHistograms};

/// A live-stream transport (a label on connection and delivery metrics).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    Ws = 0,
    Sse = 1,
}

impl Transport {
    const ALL: [Transport; 2] = [Transport::Ws, Transport::Sse];
    fn label(self) -> &'static str {
        match self {
            Transport::Ws => "ws",
            Transport::Sse => "sse",
        }
    }
}

/// What a store call did (a label on the store latency histogram).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreOp {
    /// `append`: one command's events and its idempotency record, committed.
    Append = 0,
    /// `events`: reading events back (room load, gap fill, catch-up, replay).
    Read = 1,
    /// `write_votes`: one group commit of votes.
    Votes = 2,
    /// `write_poll_answers`: one group commit of poll answers.
    PollAnswers = 3,
}

impl StoreOp {
    const ALL: [StoreOp; 4] = [
        StoreOp::Append,
        StoreOp::Read,
        StoreOp::Votes,
        StoreOp::PollAnswers,
    ];
    fn label(self) -> &'static str {
        match self {
            StoreOp::Append => "append",
            StoreOp::Read => "read",
            StoreOp::Votes => "votes",
            StoreOp::PollAnswers => "poll_answers",
        }
    }
}

/// Upper bounds (seconds) of the histogram buckets: 0.5 ms to 10 s covers a local SQLite
/// commit as well as a contended PostgreSQL or a stalled client.
pub const BOUNDS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Finer buckets for the event stages (`ops/breakdown.rs`): an ingest follows its commit by
/// microseconds, the first socket write follows by tens of them, and the last write of a
/// sweep over thousands of sockets lands anywhere in 10–300 ms, where a p99 read from the
/// buckets needs them close together.
pub const FINE_BOUNDS: [f64; 24] = [
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03,
    0.04, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0, 2.5, 10.0,
];

/// A fixed-bucket histogram of durations: one atomic per bucket (plus one past the last
/// bound) and the sum in microseconds. `observe` is lock-free.
#[derive(Debug)]
pub struct Histogram {
    bounds: &'static [f64],
    buckets: Box<[AtomicU64]>,
    sum_micros: AtomicU64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram::new(&BOUNDS)
    }
}

impl Histogram {
    pub fn new(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            buckets: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(),
            sum_micros: AtomicU64::new(0),
        }
    }

    pub fn observe(&self, d: Duration) {
        let secs = d.as_secs_f64();
        let i = self
            .bounds
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(self.bounds.len());
        self.buckets[i].fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add(
            u64::try_from(d.as_micros()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    /// The sum of the observed durations.
    pub fn sum(&self) -> Duration {
        Duration::from_micros(self.sum_micros.load(Ordering::Relaxed))
    }

    pub fn count(&self) -> u64 {
        self.buckets.iter().map(|b| b.load(Ordering::Relaxed)).sum()
    }

    /// `name_bucket`, `name_sum` and `name_count` lines; `labels` is `k="v",` or empty.
    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let mut cumulative = 0;
        for (i, bound) in self.bounds.iter().enumerate() {
            cumulative += self.buckets[i].load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{{labels}le=\"{bound}\"}} {cumulative}");
        }
        cumulative += self.buckets[self.bounds.len()].load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{{labels}le=\"+Inf\"}} {cumulative}");
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let plain = labels.trim_end_matches(',');
        let plain = if plain.is_empty() {
            String::new()
        } else {
            format!("{{{plain}}}")
        };
        let _ = writeln!(out, "{name}_sum{plain} {sum}");
        let _ = writeln!(out, "{name}_count{plain} {cumulative}");
    }
}

#[derive(Default, Debug)]
pub struct Metrics {
    connections_open: [AtomicU64; 2],
    connections_total: [AtomicU64; 2],
    events_delivered: [AtomicU64; 2],
    slow_consumers_cut: [AtomicU64; 2],
    events_committed: AtomicU64,
    /// Group commits of commands, and the commands in them (`live/room/commit.rs`).
    command_groups: AtomicU64,
    grouped_commands: AtomicU64,
    events_applied: AtomicU64,
    bus_reconnects: AtomicU64,
    gaps_filled: AtomicU64,
    store_errors: AtomicU64,
    /// HTTP responses by status class (index 0 = 1xx .. 4 = 5xx).
    http_responses: [AtomicU64; 5],
    rate_limited: AtomicU64,
    pub fanout_lag: Histogram,
    /// Each live event's way from the request to the sockets (`ops/breakdown.rs`).
    pub stages: StageHistograms,
    store_latency: [Histogram; StoreOp::ALL.len()],
}

/// Values read at scrape time from the hub and the bus rather than counted.
#[derive(Clone, Copy, Debug, Default)]
pub struct Gauges {
    pub rooms_loaded: usize,
    pub watchers: u64,
    pub bus_connected: bool,
    /// Publishes to the bus that failed since start.
    pub bus_publish_failures: u64,
    pub shutting_down: bool,
}

/// Counts a live connection as open while it lives.
#[derive(Debug)]
pub struct ConnectionGuard {
    metrics: Arc<Metrics>,
    transport: Transport,
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        self.metrics.connections_open[self.transport as usize].fetch_sub(1, Ordering::Relaxed);
    }
}

impl Metrics {
    /// A connection opened; it counts as open until the guard is dropped.
    pub fn connection(self: &Arc<Self>, transport: Transport) -> ConnectionGuard {
        self.connections_open[transport as usize].fetch_add(1, Ordering::Relaxed);
        self.connections_total[transport as usize].fetch_add(1, Ordering::Relaxed);
        ConnectionGuard {
            metrics: self.clone(),
            transport,
        }
    }
    /// One event frame written to one client (live or replayed).
    pub fn event_delivered(&self, transport: Transport) {
        self.events_delivered[transport as usize].fetch_add(1, Ordering::Relaxed);
    }
    pub fn slow_consumer_cut(&self, transport: Transport) {
        self.slow_consumers_cut[transport as usize].fetch_add(1, Ordering::Relaxed);
    }
    /// Events this instance committed to the store.
    pub fn events_committed(&self, n: usize) {
        self.events_committed.fetch_add(n as u64, Ordering::Relaxed);
    }
    /// One group commit of `commands` commands.
    pub fn group_committed(&self, commands: usize) {
        self.command_groups.fetch_add(1, Ordering::Relaxed);
        self.grouped_commands
            .fetch_add(commands as u64, Ordering::Relaxed);
    }
    /// One event applied to a room's projection (committed here or arriving from elsewhere).
    pub fn event_applied(&self) {
        self.events_applied.fetch_add(1, Ordering::Relaxed);
    }
    pub fn bus_reconnected(&self) {
        self.bus_reconnects.fetch_add(1, Ordering::Relaxed);
    }
    pub fn gap_filled(&self) {
        self.gaps_filled.fetch_add(1, Ordering::Relaxed);
    }
    pub fn http_response(&self, status: u16) {
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        self.http_responses[class].fetch_add(1, Ordering::Relaxed);
        if status == 429 {
            self.rate_limited.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Time one store call: its latency goes into the histogram, a failure into the errors.
    pub async fn time_store<T, E>(
        &self,
        op: StoreOp,
        call: impl std::future::Future<Output = Result<T, E>>,
    ) -> Result<T, E> {
        let start = std::time::Instant::now();
        let result = call.await;
        self.store_latency[op as usize].observe(start.elapsed());
        if result.is_err() {
            self.store_errors.fetch_add(1, Ordering::Relaxed);
        }
        result
    }

    pub fn connections_open(&self) -> u64 {
        self.connections_open
            .iter()
            .map(|c| c.load(Ordering::Relaxed))
            .sum()
    }
    pub fn slow_consumers_cut_total(&self) -> u64 {
        self.slow_consumers_cut
            .iter()
            .map(|c| c.load(Ordering::Relaxed))
            .sum()
    }
    pub fn frames_sent_total(&self) -> u64 {
        self.events_delivered
            .iter()
            .map(|c| c.load(Ordering::Relaxed))
            .sum()
    }
    /// Group commits of commands so far, and the commands in them.
    pub fn command_groups(&self) -> (u64, u64) {
        (
            self.command_groups.load(Ordering::Relaxed),
            self.grouped_commands.load(Ordering::Relaxed),
        )
    }
    pub fn gaps_filled_total(&self) -> u64 {
        self.gaps_filled.load(Ordering::Relaxed)
    }

    /// The Prometheus text exposition format (version 0.0.4).
    pub fn render(&self, gauges: Gauges) -> String {
        let mut out = String::with_capacity(8 * 1024);
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let head = |out: &mut String, name: &str, kind: &str, help: &str| {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
        };
        head(
            &mut out,
            "borgermode_build_info",
            "gauge",
            "Version of this binary (always 1).",
        );
        let _ = writeln!(
            out,
            "borgermode_build_info{{version=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION")
        );
        let per_transport = |out: &mut String, name: &str, values: &[AtomicU64; 2]| {
            for t in Transport::ALL {
                let _ = writeln!(
                    out,
                    "{name}{{transport=\"{}\"}} {}",
                    t.label(),
                    load(&values[t as usize])
                );
            }
        };
        head(
            &mut out,
            "borgermode_connections_open",
            "gauge",
            "Live-stream connections open now.",
        );
        per_transport(
            &mut out,
            "borgermode_connections_open",
            &self.connections_open,
        );
        head(
            &mut out,
            "borgermode_connections_total",
            "counter",
            "Live-stream connections accepted.",
        );
        per_transport(
            &mut out,
            "borgermode_connections_total",
            &self.connections_total,
        );
        head(
            &mut out,
            "borgermode_events_delivered_total",
            "counter",
            "Event frames written to clients (live and replayed).",
        );
        per_transport(
            &mut out,
            "borgermode_events_delivered_total",
            &self.events_delivered,
        );
        head(
            &mut out,
            "borgermode_slow_consumers_cut_total",
            "counter",
            "Clients cut for not keeping up (they resume with since).",
        );
        per_transport(
            &mut out,
            "borgermode_slow_consumers_cut_total",
            &self.slow_consumers_cut,
        );

        let scalars: [(&str, &str, &str, u64); 12] = [
            (
                "borgermode_meetings_live",
                "gauge",
                "Meetings loaded in memory on this instance.",
                gauges.rooms_loaded as u64,
            ),
            (
                "borgermode_watchers",
                "gauge",
                "Connections watching a meeting on this instance.",
                gauges.watchers,
            ),
            (
                "borgermode_bus_connected",
                "gauge",
                "1 when the bus (Redis, or the in-process bus) is connected.",
                u64::from(gauges.bus_connected),
            ),
            (
                "borgermode_bus_publish_failures_total",
                "counter",
                "Publishes to the bus that failed (other instances then catch up from the store).",
                gauges.bus_publish_failures,
            ),
            (
                "borgermode_shutting_down",
                "gauge",
                "1 while the instance drains after SIGTERM.",
                u64::from(gauges.shutting_down),
            ),
            (
                "borgermode_events_committed_total",
                "counter",
                "Events this instance committed to the store.",
                load(&self.events_committed),
            ),
            (
                "borgermode_command_groups_total",
                "counter",
                "Store commits of commands: one per group of commands committed together.",
                load(&self.command_groups),
            ),
            (
                "borgermode_grouped_commands_total",
                "counter",
                "Commands committed in those groups (divided by the groups: the mean group size).",
                load(&self.grouped_commands),
            ),
            (
                "borgermode_events_applied_total",
                "counter",
                "Events applied to live meetings here (committed here or by other instances).",
                load(&self.events_applied),
            ),
            (
                "borgermode_bus_reconnects_total",
                "counter",
                "Times the bus subscription came back after being lost.",
                load(&self.bus_reconnects),
            ),
            (
                "borgermode_gaps_filled_total",
                "counter",
                "Catch-ups that read missing events from the store.",
                load(&self.gaps_filled),
            ),
            (
                "borgermode_store_errors_total",
                "counter",
                "Store calls that failed.",
                load(&self.store_errors),
            ),
        ];
        for (name, kind, help, value) in scalars {
            head(&mut out, name, kind, help);
            let _ = writeln!(out, "{name} {value}");
        }
        head(
            &mut out,
            "borgermode_rate_limited_total",
            "counter",
            "Requests refused with 429 (rate limits and slow mode).",
        );
        let _ = writeln!(
            out,
            "borgermode_rate_limited_total {}",
            load(&self.rate_limited)
        );
        head(
            &mut out,
            "borgermode_http_responses_total",
            "counter",
            "HTTP responses by status class.",
        );
        for (i, c) in self.http_responses.iter().enumerate() {
            let _ = writeln!(
                out,
                "borgermode_http_responses_total{{class=\"{}xx\"}} {}",
                i + 1,
                load(c)
            );
        }
        head(
            &mut out,
            "borgermode_fanout_lag_seconds",
            "histogram",
            "From an event applied here to its frame handed to a live client.",
        );
        self.fanout_lag
            .render(&mut out, "borgermode_fanout_lag_seconds", "");
        head(
            &mut out,
            "borgermode_event_stage_seconds",
            "histogram",
            "Each live event's way to the sockets, cumulative from its start: request received \
             (origin=local) or ingest here (origin=bus|store) to commit, ingest, first and last \
             socket write.",
        );
        for origin in Origin::ALL {
            for stage in Stage::ALL.into_iter().filter(|s| s.applies_to(origin)) {
                self.stages.get(origin, stage).render(
                    &mut out,
                    "borgermode_event_stage_seconds",
                    &format!("origin=\"{}\",stage=\"{}\",", origin.label(), stage.label()),
                );
            }
        }
        head(
            &mut out,
            "borgermode_store_latency_seconds",
            "histogram",
            "Store call latency by operation.",
        );
        for op in StoreOp::ALL {
            self.store_latency[op as usize].render(
                &mut out,
                "borgermode_store_latency_seconds",
                &format!("op=\"{}\",", op.label()),
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative_and_count_everything() {
        let h = Histogram::default();
        h.observe(Duration::from_micros(100));
        h.observe(Duration::from_millis(3));
        h.observe(Duration::from_secs(60));
        let mut out = String::new();
        h.render(&mut out, "x", "");
        assert!(out.contains("x_bucket{le=\"0.0005\"} 1\n"), "{out}");
        assert!(out.contains("x_bucket{le=\"0.005\"} 2\n"), "{out}");
        assert!(out.contains("x_bucket{le=\"10\"} 2\n"), "{out}");
        assert!(out.contains("x_bucket{le=\"+Inf\"} 3\n"), "{out}");
        assert!(out.contains("x_count 3\n"), "{out}");
        assert_eq!(h.count(), 3);
    }

    #[test]
    fn status_classes_and_rate_limits() {
        let m = Metrics::default();
        m.http_response(200);
        m.http_response(429);
        m.http_response(503);
        let text = m.render(Gauges::default());
        assert!(text.contains("borgermode_http_responses_total{class=\"2xx\"} 1\n"));
        assert!(text.contains("borgermode_http_responses_total{class=\"4xx\"} 1\n"));
        assert!(text.contains("borgermode_http_responses_total{class=\"5xx\"} 1\n"));
        assert!(text.contains("borgermode_rate_limited_total 1\n"));
    }
}
