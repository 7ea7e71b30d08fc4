//! `idle`: N joined-but-quiet live connections, to find the server's memory per connection and
//! how far one machine goes. Connections are spread over worker processes when N exceeds what
//! one process may open.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::args::TargetArgs;
use crate::procstat::ProcWatch;
use crate::report::{Machine, RunResult, ServerCost};
use crate::servers::Servers;
use crate::target::Target;
use crate::workers::WorkerSpec;

pub async fn run(
    args: TargetArgs,
    connections: usize,
    hold_secs: u64,
    per_process: usize,
    command: String,
) -> anyhow::Result<(RunResult, bool)> {
    let mut servers = Servers::prepare(&args).await?;
    let started = Instant::now();
    let target = Target::setup(
        args.target,
        servers.urls.clone(),
        servers.admin_token.as_deref(),
        0,
        args.sources,
    )
    .await?
    .with_protocol(args.protocol);
    let watch = ProcWatch::new(servers.pids.clone());
    let before = watch.sample();
    let workers = connections.div_ceil(per_process.max(1)).max(1);
    let mut connected = 0u64;
    let mut errors = 0u64;
    let mut first_error = String::new();
    let base = WorkerSpec {
        kind: args.target,
        urls: servers.urls.clone(),
        meeting: target.meeting.clone(),
        first: 0,
        count: 0,
        sources: args.sources,
        connect_concurrency: args.connect_concurrency,
        max_seconds: args.max_seconds,
    };
    let mut children = Vec::new();
    let mut in_process = None;
    if workers == 1 {
        let spec = WorkerSpec {
            count: connections,
            ..base.clone()
        };
        let (run, clients, error) = crate::workers::connect_slice(&spec).await?;
        connected = run.connected();
        errors = crate::stats::Counters::get(&run.counters.connect_errors);
        first_error = error.unwrap_or_default();
        in_process = Some((run, clients));
    } else {
        let exe = std::env::current_exe()?;
        for w in 0..workers {
            let first = w * per_process;
            let count = per_process.min(connections - first);
            let spec = WorkerSpec {
                first,
                count,
                ..base.clone()
            };
            let child = Command::new(&exe)
                .arg("worker-idle")
                .arg("--spec")
                .arg(serde_json::to_string(&spec)?)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()?;
            children.push(child);
        }
        for child in &mut children {
            let Some(out) = child.stdout.take() else {
                continue;
            };
            let line = tokio::task::spawn_blocking(move || {
                let mut line = String::new();
                let _ = BufReader::new(out).read_line(&mut line);
                line
            })
            .await?;
            let mut parts = line.trim().splitn(4, ' ');
            if parts.next() == Some("READY") {
                connected += parts
                    .next()
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(0);
                errors += parts
                    .next()
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(0);
                let e = parts.next().unwrap_or("").to_string();
                if first_error.is_empty() {
                    first_error = e;
                }
            } else if first_error.is_empty() {
                first_error = format!("worker ended early: {line:?}");
            }
        }
    }
    tokio::time::sleep(Duration::from_secs(hold_secs)).await;
    let held = watch.sample();
    // Release: workers close when their stdin closes.
    for mut child in children {
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(b"stop\n");
        }
        let _ = tokio::task::spawn_blocking(move || child.wait()).await;
    }
    if let Some((run, clients)) = in_process {
        run.stop();
        let mut tasks = clients.tasks;
        while tasks.join_next().await.is_some() {}
    }
    let end = watch.sample();
    servers.shutdown();
    let mut r = RunResult {
        scenario: "idle".into(),
        target: args.target.name().into(),
        label: args.label.clone().unwrap_or_else(|| {
            if servers.urls.len() > 1 {
                format!("{}-x{}", args.target.name(), servers.urls.len())
            } else {
                args.target.name().into()
            }
        }),
        instances: servers.urls.len(),
        clients: connected as usize,
        command,
        started_at: chrono::Utc::now().to_rfc3339(),
        duration_secs: started.elapsed().as_secs_f64(),
        machine: Machine::read(),
        ..Default::default()
    };
    r.server = ServerCost {
        pids: watch.pids().to_vec(),
        processes: held.processes,
        cpu_seconds: held.cpu_seconds - before.cpu_seconds,
        cpu_us_per_delivery: None,
        rss_before_kib: before.rss_kib,
        rss_connected_kib: held.rss_kib,
        rss_end_kib: end.rss_kib,
        rss_per_connection_kib: (connected > 0 && !watch.pids().is_empty())
            .then(|| (held.rss_kib as f64 - before.rss_kib as f64) / connected as f64),
    };
    r.extra.insert("asked".into(), json!(connections));
    r.extra.insert("connected".into(), json!(connected));
    r.extra.insert("connect_errors".into(), json!(errors));
    r.extra.insert("generator_processes".into(), json!(workers));
    if !first_error.is_empty() {
        r.extra.insert("stopped_by".into(), json!(first_error));
    }
    r.checks
        .insert("all_connected".into(), connected as usize == connections);
    r.write(args.out.as_deref())?;
    Ok((r, args.strict))
}
