//! The common run: servers up, meeting set up, clients subscribed, posts on a schedule (with a
//! storm, a stall or likes on the way), then every client must reach the final seq. Server CPU
//! is measured from the first post until the last client has caught up.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::args::{TargetArgs, TargetKind};
use crate::engine::{self, RunState};
use crate::procstat::ProcWatch;
use crate::report::{GeneratorCost, Machine, RunResult, ServerCost, GENERATOR_CORE_LIMIT};
use crate::servers::Servers;
use crate::subscriber::ClientSpec;
use crate::target::Target;

use super::likes::{self, LikesPlan};

pub struct Plan {
    pub scenario: &'static str,
    pub args: TargetArgs,
    pub command: String,
    pub clients: usize,
    /// Participants who post (borgermode: joined; they are also the first clients).
    pub posters: usize,
    pub offsets: Vec<Duration>,
    pub body_bytes: usize,
    pub droppers: usize,
    pub stallers: usize,
    pub storm_at: Option<Duration>,
    pub stall_at: Option<Duration>,
    pub likes: Option<LikesPlan>,
}

impl Plan {
    pub fn new(scenario: &'static str, args: TargetArgs, command: String) -> Plan {
        Plan {
            scenario,
            args,
            command,
            clients: 0,
            posters: 1,
            offsets: Vec::new(),
            body_bytes: 200,
            droppers: 0,
            stallers: 0,
            storm_at: None,
            stall_at: None,
            likes: None,
        }
    }
}

/// Runs the plan; returns the result and whether the caller asked for a strict exit status.
pub async fn run(plan: Plan) -> anyhow::Result<(RunResult, bool)> {
    let bound = Duration::from_secs(plan.args.max_seconds);
    let strict = plan.args.strict;
    match tokio::time::timeout(bound, run_inner(plan)).await {
        Ok(r) => r.map(|r| (r, strict)),
        Err(_) => anyhow::bail!("run exceeded --max-seconds ({bound:?})"),
    }
}

async fn run_inner(plan: Plan) -> anyhow::Result<RunResult> {
    let args = &plan.args;
    let kind = args.target;
    let mut servers = Servers::prepare(args).await?;
    let started = Instant::now();
    let posters = if kind == TargetKind::Borgermode {
        plan.posters
    } else {
        0
    };
    let target = Arc::new(
        Target::setup(
            kind,
            servers.urls.clone(),
            servers.admin_token.as_deref(),
            posters,
            args.sources,
        )
        .await?
        .with_protocol(args.protocol),
    );
    let likes_setup = match &plan.likes {
        Some(l) if kind == TargetKind::Borgermode => Some(likes::prepare(&target, l).await?),
        Some(_) => anyhow::bail!("likes are measured on borgermode only (the peers have no votes)"),
        None => None,
    };
    let watch = ProcWatch::new(servers.pids.clone());
    let before = watch.sample();

    let run = RunState::new(args.connect_concurrency);
    // Stalled and dropping clients are taken from the end, away from the posters.
    let specs: Vec<ClientSpec> = (0..plan.clients)
        .map(|idx| ClientSpec {
            idx,
            token: target.posters.get(idx).cloned(),
            dropper: idx >= plan.clients - plan.droppers,
            staller: idx >= plan.clients - plan.stallers,
            sources: args.sources,
        })
        .collect();
    let connect_deadline = Duration::from_secs(60 + plan.clients as u64 / 100);
    let clients = engine::start_clients(&target, &run, specs, connect_deadline).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let connected = watch.sample();
    let me = ProcWatch::new(vec![std::process::id()]);
    let (me_connected, window_start) = (me.sample(), std::time::Instant::now());
    // borgermode's own latency breakdown over the same window (`stages.rs`).
    let stage_token = servers
        .metrics_token
        .clone()
        .filter(|_| kind == TargetKind::Borgermode);
    let stages_before = match &stage_token {
        Some(t) => crate::stages::scrape(&servers.urls, t).await,
        None => None,
    };

    let storm_at = plan.storm_at;
    let stall_at = plan.stall_at;
    let run_for_tick = run.clone();
    let cut_watch = (stall_at.is_some() && kind == TargetKind::Borgermode)
        .then(|| {
            servers.metrics_token.clone().map(|token| {
                tokio::spawn(watch_cuts(
                    run.clone(),
                    servers.urls.clone(),
                    token,
                    plan.stallers as u64,
                ))
            })
        })
        .flatten();
    let likes_task = likes_setup.map(|s| {
        let t = target.clone();
        tokio::spawn(likes::offer(t, s))
    });
    let publish = engine::publish_schedule(&target, plan.offsets, plan.body_bytes, move |at| {
        if storm_at.is_some_and(|s| at >= s) && !run_for_tick.storming() {
            run_for_tick.start_storm();
        }
        if stall_at.is_some_and(|s| at >= s) && !run_for_tick.stalling() {
            run_for_tick.begin_second_phase();
            run_for_tick.start_stall();
        }
    })
    .await;
    let likes_result = match likes_task {
        Some(t) => Some(t.await??),
        None => None,
    };
    let final_seq = publish.max_seq;
    let expect_done = (plan.clients - plan.stallers) as u64;
    let (reports, drained) = engine::finish(
        &run,
        clients,
        final_seq,
        expect_done,
        Duration::from_secs(args.drain_secs),
    )
    .await;
    let end = watch.sample();
    let generator = GeneratorCost::new(
        me.sample().cpu_seconds - me_connected.cpu_seconds,
        window_start.elapsed().as_secs_f64(),
    );
    let stages_after = match (&stage_token, &stages_before) {
        (Some(t), Some(_)) => crate::stages::scrape(&servers.urls, t).await,
        _ => None,
    };
    let duration = started.elapsed();
    let cut_times = match cut_watch {
        Some(t) => t.await.ok(),
        None => None,
    };
    servers.shutdown();

    let mut r = RunResult {
        scenario: plan.scenario.into(),
        target: kind.name().into(),
        label: args.label.clone().unwrap_or_else(|| {
            if servers.urls.len() > 1 {
                format!("{}-x{}", kind.name(), servers.urls.len())
            } else {
                kind.name().into()
            }
        }),
        instances: servers.urls.len(),
        clients: plan.clients,
        command: plan.command.clone(),
        started_at: chrono::Utc::now().to_rfc3339(),
        duration_secs: duration.as_secs_f64(),
        deliveries: crate::stats::Counters::get(&run.counters.post_deliveries),
        frames: crate::stats::Counters::get(&run.counters.frames),
        protocol: (kind == TargetKind::Borgermode).then_some(args.protocol),
        drain_ms: drained.as_millis() as u64,
        machine: Machine::read(),
        ..Default::default()
    };
    for c in &reports {
        r.duplicated += c.check.duplicates;
        r.out_of_order += c.check.out_of_order;
        r.resyncs += c.check.resyncs;
        r.reconnects += u64::from(c.reconnects);
        if !c.stalled {
            r.lost += c.check.missing_until(final_seq);
        }
    }
    let missing_reports = plan.clients.saturating_sub(reports.len());
    if missing_reports > 0 {
        r.extra
            .insert("client_tasks_failed".into(), json!(missing_reports));
        r.lost += missing_reports as u64 * final_seq;
    }
    let delivery_bytes = crate::stats::Counters::get(&run.counters.delivery_bytes);
    r.bytes_per_delivery = (r.deliveries > 0).then(|| delivery_bytes as f64 / r.deliveries as f64);
    r.extra.insert(
        "stream_bytes_per_delivery".into(),
        json!(crate::stats::Counters::get(&run.counters.bytes) as f64 / r.deliveries.max(1) as f64),
    );
    let cpu = end.cpu_seconds - connected.cpu_seconds;
    let conns = reports.iter().filter(|c| c.connected).count().max(1) as f64;
    r.server = ServerCost {
        pids: watch.pids().to_vec(),
        processes: end.processes,
        cpu_seconds: cpu,
        cpu_us_per_delivery: (r.deliveries > 0).then(|| cpu * 1e6 / r.deliveries as f64),
        rss_before_kib: before.rss_kib,
        rss_connected_kib: connected.rss_kib,
        rss_end_kib: end.rss_kib,
        rss_per_connection_kib: (!watch.pids().is_empty())
            .then(|| (connected.rss_kib as f64 - before.rss_kib as f64) / conns),
    };
    if watch.pids().is_empty() {
        r.server.cpu_us_per_delivery = None;
    }
    if let (Some(before), Some(after)) = (&stages_before, &stages_after) {
        r.stages = after.since(before).summaries();
    }
    r.publish = publish;
    r.latency = run.latency_phase(0).summary();
    scenario_extras(&mut r, &run, &reports, storm_at, stall_at);
    if let Some(c) = cut_times {
        r.extra
            .insert("server_cut_first_ms".into(), json!(c.first_ms));
        r.extra.insert("server_cut_all_ms".into(), json!(c.all_ms));
        r.extra.insert("server_cuts".into(), json!(c.count));
    }
    if let Some(l) = likes_result {
        likes::report(&mut r, &l, &reports);
    }
    if r.publish.errors > 0 {
        r.extra.insert(
            "publish_first_error".into(),
            json!(r.publish.first_error.clone()),
        );
    }
    r.checks.insert(
        "generator_below_70_percent".into(),
        generator.core_use < GENERATOR_CORE_LIMIT,
    );
    r.generator = Some(generator);
    let mismatches = crate::stats::Counters::get(&run.counters.decode_mismatches);
    r.extra
        .insert("decode_mismatches".into(), json!(mismatches));
    r.checks
        .insert("frames_match_protocol".into(), mismatches == 0);
    r.checks.insert("no_loss".into(), r.lost == 0);
    r.checks.insert("no_duplicates".into(), r.duplicated == 0);
    r.write(args.out.as_deref())?;
    Ok(r)
}

fn percentile(mut v: Vec<f64>, q: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let i = ((v.len() as f64 - 1.0) * q).round() as usize;
    Some(v[i])
}

fn scenario_extras(
    r: &mut RunResult,
    run: &RunState,
    reports: &[crate::subscriber::ClientReport],
    storm_at: Option<Duration>,
    stall_at: Option<Duration>,
) {
    if storm_at.is_some() {
        let dropped: Vec<_> = reports.iter().filter(|c| c.reconnects > 0).collect();
        let rec: Vec<f64> = dropped
            .iter()
            .filter_map(|c| c.recovered_after)
            .map(|d| d.as_secs_f64() * 1000.0)
            .collect();
        r.extra.insert("dropped".into(), json!(dropped.len()));
        r.extra.insert("recovered".into(), json!(rec.len()));
        r.extra.insert(
            "recovery_p50_ms".into(),
            json!(percentile(rec.clone(), 0.5)),
        );
        r.extra
            .insert("recovery_max_ms".into(), json!(percentile(rec, 1.0)));
    }
    if stall_at.is_some() {
        let stalled: Vec<_> = reports.iter().filter(|c| c.stalled).collect();
        let before = run.latency_phase(0).summary();
        let after = run.latency_phase(1).summary();
        r.extra.insert("stalled".into(), json!(stalled.len()));
        let seen = stalled.iter().filter(|c| c.cut_seen).count();
        r.extra.insert("stalled_cut".into(), json!(seen));
        r.extra
            .insert("p99_before_stall_ms".into(), json!(before.p99_ms));
        r.extra
            .insert("p99_during_stall_ms".into(), json!(after.p99_ms));
        if before.p99_ms > 0.0 {
            r.extra.insert(
                "p99_rise_percent".into(),
                json!(((after.p99_ms / before.p99_ms) - 1.0) * 100.0),
            );
        }
        // Latency over the whole run, both phases.
        r.extra.insert("latency_during_stall".into(), json!(after));
    }
}

struct CutTimes {
    first_ms: Option<u64>,
    all_ms: Option<u64>,
    count: u64,
}

/// borgermode only: poll the servers' `/metrics` for `borgermode_slow_consumers_cut_total`
/// from the start of the stall, to time when the stalled clients were cut.
async fn watch_cuts(
    run: Arc<RunState>,
    urls: Vec<String>,
    token: String,
    stalled: u64,
) -> CutTimes {
    let http = reqwest::Client::new();
    let mut t = CutTimes {
        first_ms: None,
        all_ms: None,
        count: 0,
    };
    while !run.stalling() && !run.stopping() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let stall = Instant::now();
    while !run.stopping() && t.all_ms.is_none() {
        let mut count = 0;
        for u in &urls {
            let Ok(resp) = http
                .get(format!("{u}/metrics"))
                .bearer_auth(&token)
                .send()
                .await
            else {
                continue;
            };
            let text = resp.text().await.unwrap_or_default();
            count += text
                .lines()
                .filter(|l| l.starts_with("borgermode_slow_consumers_cut_total"))
                .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
                .sum::<f64>() as u64;
        }
        let ms = stall.elapsed().as_millis() as u64;
        t.count = count;
        if count > 0 && t.first_ms.is_none() {
            t.first_ms = Some(ms);
        }
        if count >= stalled {
            t.all_ms = Some(ms);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    t
}
