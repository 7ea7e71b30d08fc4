//! Results: one JSON document per run (everything measured, plus the command and the machine)
//! and the Markdown tables of docs/benchmarks.md built from a directory of them, with each
//! peer's figures next to borgermode's and the ratio between them.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::engine::PublishStats;
use crate::stages::StageSummary;
use crate::stats::Latency;

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct ServerCost {
    pub pids: Vec<u32>,
    pub processes: usize,
    /// CPU seconds (user + system) of all server processes during the measured window.
    pub cpu_seconds: f64,
    pub cpu_us_per_delivery: Option<f64>,
    pub rss_before_kib: u64,
    pub rss_connected_kib: u64,
    pub rss_end_kib: u64,
    pub rss_per_connection_kib: Option<f64>,
}

/// The load generator's own cost over the same window. Why: a generator that saturates its
/// core measures its own queueing, not the server's (issue 17: an independent client disagreed
/// with this one); a run whose generator used more than [`GENERATOR_CORE_LIMIT`] of its core
/// says so in its checks.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct GeneratorCost {
    /// CPU seconds (user + system, all threads) of the generator process.
    pub cpu_seconds: f64,
    pub wall_seconds: f64,
    /// `cpu_seconds / wall_seconds / cores`: the share of the cores it may run on.
    pub core_use: f64,
    /// The cores its affinity allows (`taskset`).
    pub cores: usize,
}

/// Most of its cores the generator may use before its figures stop being the server's.
pub const GENERATOR_CORE_LIMIT: f64 = 0.70;

impl GeneratorCost {
    pub fn new(cpu_seconds: f64, wall_seconds: f64) -> GeneratorCost {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        GeneratorCost {
            cpu_seconds,
            wall_seconds,
            core_use: cpu_seconds / wall_seconds.max(1e-9) / cores as f64,
            cores,
        }
    }
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Machine {
    pub cores: usize,
    pub mem_total_kib: u64,
    pub kernel: String,
}

impl Machine {
    pub fn read() -> Machine {
        let mem_total_kib = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| {
                m.lines()
                    .find_map(|l| l.strip_prefix("MemTotal:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
            .unwrap_or(0);
        Machine {
            // All of the machine's cores, not this process's affinity (it runs under taskset).
            cores: std::fs::read_to_string("/proc/cpuinfo")
                .map(|c| c.lines().filter(|l| l.starts_with("processor")).count())
                .unwrap_or(0),
            mem_total_kib,
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map(|s| s.trim().to_string())
                .unwrap_or_default(),
        }
    }
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct RunResult {
    pub scenario: String,
    pub target: String,
    pub label: String,
    pub instances: usize,
    pub clients: usize,
    pub command: String,
    pub started_at: String,
    pub duration_secs: f64,
    pub publish: PublishStats,
    /// Deliveries of this run's posts to clients (the unit of CPU per delivery).
    pub deliveries: u64,
    /// Bytes per delivered comment: the WebSocket payload (JSON text) of the frame that
    /// delivered it, averaged over the deliveries (borgermode: `post_created`; framing,
    /// TCP and IP headers not counted).
    #[serde(default)]
    pub bytes_per_delivery: Option<f64>,
    /// borgermode's stream protocol version the clients spoke.
    #[serde(default)]
    pub protocol: Option<u32>,
    pub frames: u64,
    pub lost: u64,
    pub duplicated: u64,
    pub out_of_order: u64,
    pub resyncs: u64,
    pub reconnects: u64,
    pub latency: Latency,
    pub drain_ms: u64,
    pub server: ServerCost,
    /// The generator's own CPU over the measured window; absent in older results.
    #[serde(default)]
    pub generator: Option<GeneratorCost>,
    /// Scenario-specific figures (recovery time, cut time, accepted like rate, ...).
    pub extra: BTreeMap<String, serde_json::Value>,
    pub machine: Machine,
    /// Goals checked by this run: name -> met.
    pub checks: BTreeMap<String, bool>,
    /// borgermode's latency breakdown over the measured window, by "origin/stage"
    /// (`stages.rs`); empty for the peers and for older results.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub stages: BTreeMap<String, StageSummary>,
}

impl RunResult {
    /// Loss, duplicates, or a frame whose full decode disagreed with the cheap one.
    pub fn failed(&self) -> bool {
        self.lost > 0
            || self.duplicated > 0
            || self.checks.get("frames_match_protocol") == Some(&false)
    }

    pub fn write(&self, out: Option<&Path>) -> anyhow::Result<()> {
        let json = serde_json::to_string_pretty(self)?;
        if let Some(out) = out {
            let path = if out.is_dir() {
                out.join(format!("{}-{}.json", self.scenario, self.label))
            } else {
                out.to_path_buf()
            };
            std::fs::write(&path, &json).with_context(|| format!("write {}", path.display()))?;
        }
        println!("{}", summary_line(self));
        if !self.stages.is_empty() {
            println!("{}", breakdown_line(self));
        }
        Ok(())
    }
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map(|x| format!("{x:.digits$}"))
        .unwrap_or_else(|| "–".into())
}

pub fn summary_line(r: &RunResult) -> String {
    format!(
        "{} {}: clients {}, posts {}/{} acked, deliveries {}, lost {}, duplicated {}, out of order {}, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, server CPU {:.2} s ({} µs/delivery), RSS/conn {} KiB, {} bytes/delivery, generator {} of its core",
        r.scenario,
        r.label,
        r.clients,
        r.publish.acked,
        r.publish.offered,
        r.deliveries,
        r.lost,
        r.duplicated,
        r.out_of_order,
        r.latency.p50_ms,
        r.latency.p99_ms,
        r.latency.max_ms,
        r.server.cpu_seconds,
        opt(r.server.cpu_us_per_delivery, 2),
        opt(r.server.rss_per_connection_kib, 1),
        opt(r.bytes_per_delivery, 0),
        core_use(r),
    )
}

fn core_use(r: &RunResult) -> String {
    r.generator
        .as_ref()
        .map(|g| format!("{:.0} %", g.core_use * 100.0))
        .unwrap_or_else(|| "–".into())
}

/// The server's latency breakdown of one run as a note line: p50/p99 (ms) of each stage,
/// measured from the request's arrival for local events and from their ingest for remote ones.
pub fn breakdown_line(r: &RunResult) -> String {
    let stage = |key: &str, name: &str| {
        r.stages
            .get(key)
            .filter(|s| s.count > 0)
            .map(|s| format!("{name} {}/{}", opt(s.p50_ms, 2), opt(s.p99_ms, 2)))
    };
    let local: Vec<String> = [
        ("local/commit", "commit"),
        ("local/ingest", "ingest"),
        ("local/first_write", "first write"),
        ("local/last_write", "last write"),
    ]
    .iter()
    .filter_map(|(k, n)| stage(k, n))
    .collect();
    let mut parts = Vec::new();
    if !local.is_empty() {
        let events = r.stages.get("local/commit").map_or(0, |s| s.count);
        parts.push(format!(
            "from request received ({events} events): {}",
            local.join(" · ")
        ));
    }
    for origin in ["bus", "store"] {
        let remote: Vec<String> = [("first_write", "first write"), ("last_write", "last write")]
            .iter()
            .filter_map(|(k, n)| stage(&format!("{origin}/{k}"), n))
            .collect();
        if !remote.is_empty() {
            let events = r
                .stages
                .get(&format!("{origin}/first_write"))
                .map_or(0, |s| s.count);
            parts.push(format!(
                "from ingest, origin {origin} ({events} events): {}",
                remote.join(" · ")
            ));
        }
    }
    format!(
        "{}: server breakdown, p50/p99 ms, {}",
        r.label,
        parts.join("; ")
    )
}

fn ratio(v: Option<f64>, base: Option<f64>) -> String {
    match (v, base) {
        (Some(v), Some(b)) if b > 0.0 => format!("{:.2}×", v / b),
        _ => "–".into(),
    }
}

/// Markdown tables, one per scenario, from every `*.json` in `dir`.
pub fn tables(dir: &Path) -> anyhow::Result<String> {
    // (group, result): the group is the file name without its label (`scripts/bench` names
    // files `<run name>-<label>.json`, so two `town` runs of different sizes stay apart).
    let mut runs: Vec<(String, RunResult)> = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)?
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.extension().and_then(|e| e.to_str()) == Some("json") {
            let text = std::fs::read_to_string(&p)?;
            let r: RunResult =
                serde_json::from_str(&text).with_context(|| format!("{}", p.display()))?;
            let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
            let group = stem
                .strip_suffix(&format!("-{}", r.label))
                .filter(|g| !g.is_empty())
                .unwrap_or(&r.scenario)
                .to_string();
            runs.push((group, r));
        }
    }
    let mut by_scenario: BTreeMap<String, Vec<RunResult>> = BTreeMap::new();
    for (group, r) in runs {
        by_scenario.entry(group).or_default().push(r);
    }
    let mut md = String::new();
    for (scenario, mut rows) in by_scenario {
        rows.sort_by_key(|r| (r.target != "borgermode", r.label.clone()));
        let base = rows.iter().find(|r| r.target == "borgermode").cloned();
        let scenario_name = rows.first().map(|r| r.scenario.clone()).unwrap_or_default();
        let _ = writeln!(md, "### `{scenario}` (scenario `{scenario_name}`)\n");
        let _ = writeln!(
            md,
            "| run | clients | posts acked | deliveries | lost | dup | p50 ms | p99 ms | p99.9 ms | max ms | server CPU µs/delivery | CPU vs borgermode | RSS KiB/conn | RSS vs borgermode | bytes/delivery | generator core |"
        );
        let _ = writeln!(
            md,
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        );
        for r in &rows {
            let b = base.as_ref();
            let _ = writeln!(
                md,
                "| {} | {} | {}/{} | {} | {} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {} | {} | {} | {} | {} | {} |",
                r.label,
                r.clients,
                r.publish.acked,
                r.publish.offered,
                r.deliveries,
                r.lost,
                r.duplicated,
                r.latency.p50_ms,
                r.latency.p99_ms,
                r.latency.p999_ms,
                r.latency.max_ms,
                opt(r.server.cpu_us_per_delivery, 2),
                ratio(r.server.cpu_us_per_delivery, b.and_then(|b| b.server.cpu_us_per_delivery)),
                opt(r.server.rss_per_connection_kib, 1),
                ratio(r.server.rss_per_connection_kib, b.and_then(|b| b.server.rss_per_connection_kib)),
                opt(r.bytes_per_delivery, 0),
                core_use(r),
            );
        }
        let extras: Vec<&RunResult> = rows.iter().filter(|r| !r.extra.is_empty()).collect();
        if !extras.is_empty() {
            let _ = writeln!(md);
            for r in extras {
                let fields: Vec<String> =
                    r.extra.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                let _ = writeln!(md, "- {}: {}", r.label, fields.join("; "));
            }
        }
        let broken_down: Vec<&RunResult> = rows.iter().filter(|r| !r.stages.is_empty()).collect();
        if !broken_down.is_empty() {
            let _ = writeln!(md);
            for r in broken_down {
                let _ = writeln!(md, "- {}", breakdown_line(r));
            }
        }
        let _ = writeln!(md, "\nCommands:\n");
        for r in &rows {
            let _ = writeln!(md, "    {}", r.command);
        }
        let _ = writeln!(md);
    }
    Ok(md)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A borgermode `town` result to vary.
    fn town() -> RunResult {
        RunResult {
            scenario: "town".into(),
            target: "borgermode".into(),
            label: "borgermode".into(),
            ..Default::default()
        }
    }

    /// The tables of these results, written to and read from a directory of their own.
    fn tables_of(results: &[&RunResult]) -> String {
        let dir = std::env::temp_dir().join(format!("bm-report-{}", rand::random::<u32>()));
        std::fs::create_dir_all(&dir).unwrap();
        for r in results {
            r.write(Some(&dir)).unwrap();
        }
        let md = tables(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        md
    }

    #[test]
    fn tables_put_peers_next_to_borgermode_with_ratios() {
        let mut a = town();
        a.server.cpu_us_per_delivery = Some(2.0);
        a.server.rss_per_connection_kib = Some(4.0);
        let mut b = a.clone();
        b.target = "nchan".into();
        b.label = "nchan".into();
        b.server.cpu_us_per_delivery = Some(6.0);
        b.server.rss_per_connection_kib = Some(10.0);
        let md = tables_of(&[&b, &a]);
        let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| ")).collect();
        assert!(rows[1].starts_with("| borgermode"), "{md}");
        assert!(
            rows[2].contains("3.00×") && rows[2].contains("2.50×"),
            "{md}"
        );
    }

    #[test]
    fn tables_note_the_server_breakdown() {
        let mut a = town();
        for (k, p50, p99) in [
            ("local/commit", 1.0, 2.0),
            ("local/ingest", 1.25, 2.5),
            ("local/first_write", 1.5, 3.0),
            ("local/last_write", 9.0, 20.0),
        ] {
            a.stages.insert(
                k.into(),
                StageSummary {
                    count: 300,
                    p50_ms: Some(p50),
                    p99_ms: Some(p99),
                },
            );
        }
        let md = tables_of(&[&a]);
        assert!(
            md.contains("- borgermode: server breakdown, p50/p99 ms, from request received (300 events): commit 1.00/2.00 · ingest 1.25/2.50 · first write 1.50/3.00 · last write 9.00/20.00\n"),
            "{md}"
        );
    }

    #[test]
    fn tables_report_bytes_per_delivery_and_the_generators_core() {
        let mut a = RunResult {
            bytes_per_delivery: Some(382.4),
            ..town()
        };
        a.generator = Some(GeneratorCost {
            cpu_seconds: 6.3,
            wall_seconds: 10.0,
            core_use: 0.63,
            cores: 1,
        });
        let md = tables_of(&[&a]);
        let row = md.lines().find(|l| l.starts_with("| borgermode")).unwrap();
        assert!(row.ends_with("| 382 | 63 % |"), "{md}");
        assert!(md.contains("| bytes/delivery | generator core |"), "{md}");
    }

    #[test]
    fn the_generators_core_use_is_a_share_of_its_cores() {
        let g = GeneratorCost::new(3.0, 10.0);
        assert!(g.cores >= 1);
        assert!((g.core_use - 0.3 / g.cores as f64).abs() < 1e-9, "{g:?}");
    }
}
