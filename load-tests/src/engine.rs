//! The shared machinery of a run: client tasks, the publisher on a schedule, the signals
//! (storm, stall, final seq, stop) and waiting until every client has everything.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

use crate::stats::{Counters, LatencyRecorder};
use crate::subscriber::{ClientReport, ClientSpec};
use crate::target::Target;

pub struct RunState {
    pub counters: Counters,
    /// Latency before and after the run's second phase began (slow: before/after the stall).
    latency: [LatencyRecorder; 2],
    second_phase: AtomicBool,
    storm: AtomicBool,
    stall: AtomicBool,
    stop: AtomicBool,
    /// 0 until the last post is acknowledged.
    final_seq: AtomicU64,
    connected: AtomicU64,
    gave_up: AtomicU64,
    done: AtomicU64,
    pub wake: watch::Sender<u64>,
    pub connect_slots: Arc<Semaphore>,
    started: Instant,
}

impl RunState {
    pub fn new(connect_concurrency: usize) -> Arc<RunState> {
        Arc::new(RunState {
            counters: Counters::default(),
            latency: Default::default(),
            second_phase: AtomicBool::new(false),
            storm: AtomicBool::new(false),
            stall: AtomicBool::new(false),
            stop: AtomicBool::new(false),
            final_seq: AtomicU64::new(0),
            connected: AtomicU64::new(0),
            gave_up: AtomicU64::new(0),
            done: AtomicU64::new(0),
            wake: watch::channel(0).0,
            connect_slots: Arc::new(Semaphore::new(connect_concurrency.max(1))),
            started: Instant::now(),
        })
    }

    fn signal(&self) {
        self.wake.send_modify(|v| *v += 1);
    }

    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
    pub fn latency(&self) -> &LatencyRecorder {
        &self.latency[usize::from(self.second_phase.load(Ordering::Relaxed))]
    }
    pub fn latency_phase(&self, phase: usize) -> &LatencyRecorder {
        &self.latency[phase]
    }
    pub fn begin_second_phase(&self) {
        self.second_phase.store(true, Ordering::Relaxed);
    }
    pub fn storming(&self) -> bool {
        self.storm.load(Ordering::Relaxed)
    }
    pub fn start_storm(&self) {
        self.storm.store(true, Ordering::Relaxed);
        self.signal();
    }
    pub fn stalling(&self) -> bool {
        self.stall.load(Ordering::Relaxed)
    }
    pub fn start_stall(&self) {
        self.stall.store(true, Ordering::Relaxed);
        self.signal();
    }
    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
        self.signal();
    }
    pub fn final_seq(&self) -> Option<u64> {
        match self.final_seq.load(Ordering::Relaxed) {
            0 => None,
            s => Some(s),
        }
    }
    pub fn set_final_seq(&self, seq: u64) {
        self.final_seq.store(seq.max(1), Ordering::Relaxed);
        self.signal();
    }
    pub fn client_connected(&self) {
        self.connected.fetch_add(1, Ordering::Relaxed);
    }
    pub fn client_gave_up(&self) {
        self.gave_up.fetch_add(1, Ordering::Relaxed);
    }
    pub fn client_done(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }
    pub fn connected(&self) -> u64 {
        self.connected.load(Ordering::Relaxed)
    }
    pub fn done(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }
    pub fn gave_up(&self) -> u64 {
        self.gave_up.load(Ordering::Relaxed)
    }
}

pub fn progress(len: u64, what: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template("{msg:>12} [{elapsed_precise}] {wide_bar} {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    pb.set_message(what.to_string());
    pb
}

pub struct Clients {
    pub tasks: JoinSet<ClientReport>,
    pub count: usize,
}

/// Start every client and wait until all are subscribed; fails when any could not connect.
pub async fn start_clients(
    target: &Arc<Target>,
    run: &Arc<RunState>,
    specs: Vec<ClientSpec>,
    deadline: Duration,
) -> anyhow::Result<Clients> {
    let (clients, error) = start_clients_tolerant(target, run, specs, deadline).await;
    match error {
        None => Ok(clients),
        Some(e) => {
            run.stop();
            anyhow::bail!(e)
        }
    }
}

/// Start every client and wait until all are subscribed, gave up, or `deadline` passed;
/// returns what stopped the rest, if anything did.
pub async fn start_clients_tolerant(
    target: &Arc<Target>,
    run: &Arc<RunState>,
    specs: Vec<ClientSpec>,
    deadline: Duration,
) -> (Clients, Option<String>) {
    let count = specs.len();
    let mut tasks = JoinSet::new();
    for spec in specs {
        tasks.spawn(crate::subscriber::run(spec, target.clone(), run.clone()));
    }
    let pb = progress(count as u64, "connecting");
    let until = Instant::now() + deadline;
    let mut error = None;
    while run.connected() + run.gave_up() < count as u64 {
        if Instant::now() > until {
            error = Some(format!(
                "only {} of {count} clients connected within {deadline:?} ({} connect errors)",
                run.connected(),
                Counters::get(&run.counters.connect_errors)
            ));
            break;
        }
        pb.set_position(run.connected());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    pb.finish_and_clear();
    if error.is_none() && run.gave_up() > 0 {
        error = Some(format!(
            "{} of {count} clients could not connect ({} connect errors)",
            run.gave_up(),
            Counters::get(&run.counters.connect_errors)
        ));
    }
    (Clients { tasks, count }, error)
}

#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct PublishStats {
    pub offered: u64,
    pub acked: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    /// The highest seq acknowledged (borgermode: log seq; peers: publisher number).
    pub max_seq: u64,
}

/// Publish one post at each offset from now (posts may overlap, as real ones do).
pub async fn publish_schedule(
    target: &Arc<Target>,
    offsets: Vec<Duration>,
    bytes: usize,
    on_tick: impl Fn(Duration),
) -> PublishStats {
    let start = tokio::time::Instant::now();
    let mut inflight = JoinSet::new();
    let total = offsets.len() as u64;
    let pb = progress(total, "posting");
    for (i, at) in offsets.into_iter().enumerate() {
        tokio::time::sleep_until(start + at).await;
        on_tick(at);
        let t = target.clone();
        inflight.spawn(async move { t.publish(i, i as u64 + 1, bytes).await });
        pb.set_position(i as u64 + 1);
    }
    pb.finish_and_clear();
    let mut stats = PublishStats {
        offered: total,
        ..Default::default()
    };
    while let Some(r) = inflight.join_next().await {
        match r {
            Ok(Ok(p)) => {
                stats.acked += 1;
                stats.max_seq = stats.max_seq.max(p.seq);
            }
            Ok(Err(e)) => {
                stats.errors += 1;
                stats.first_error.get_or_insert(e.to_string());
            }
            Err(e) => {
                stats.errors += 1;
                stats.first_error.get_or_insert(e.to_string());
            }
        }
    }
    stats
}

/// Evenly spaced offsets: `rate` per second for `secs` seconds.
pub fn steady(rate: f64, secs: u64) -> Vec<Duration> {
    let n = (rate * secs as f64).round() as u64;
    (0..n)
        .map(|i| Duration::from_secs_f64(i as f64 / rate.max(0.001)))
        .collect()
}

/// Tell the clients the final seq, wait until all (that are not stalled) have it, stop them
/// and collect their reports. Returns the reports and how long the drain took.
pub async fn finish(
    run: &Arc<RunState>,
    mut clients: Clients,
    final_seq: u64,
    expect_done: u64,
    drain: Duration,
) -> (Vec<ClientReport>, Duration) {
    let t0 = Instant::now();
    run.set_final_seq(final_seq);
    while run.done() < expect_done && t0.elapsed() < drain {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let drained = t0.elapsed();
    run.stop();
    let mut reports = Vec::with_capacity(clients.count);
    while let Some(r) = clients.tasks.join_next().await {
        if let Ok(r) = r {
            reports.push(r);
        }
    }
    (reports, drained)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steady_spacing() {
        let o = steady(20.0, 2);
        assert_eq!(o.len(), 40);
        assert_eq!(o[1], Duration::from_millis(50));
        assert!(o[39] < Duration::from_secs(2));
    }
}
