//! Server cost from `/proc`: CPU time (user + system, all threads) and resident memory of the
//! server processes, summed over every process of the system under test (borgermode's
//! instances, Node's instances, nginx's master and workers).

use std::process::Command;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct ProcSample {
    pub cpu_seconds: f64,
    pub rss_kib: u64,
    /// Processes that could be read (a vanished one is left out, not counted as zero).
    pub processes: usize,
}

fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<f64>().ok())
        .unwrap_or(100.0)
}

fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may contain spaces; fields after the closing parenthesis are fixed.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 (utime) and 15 (stime) of proc(5); `rest` starts at field 3.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

pub struct ProcWatch {
    pids: Vec<u32>,
    ticks_per_second: f64,
}

impl ProcWatch {
    pub fn new(pids: Vec<u32>) -> ProcWatch {
        ProcWatch {
            pids,
            ticks_per_second: clock_ticks(),
        }
    }

    pub fn pids(&self) -> &[u32] {
        &self.pids
    }

    pub fn sample(&self) -> ProcSample {
        let mut s = ProcSample::default();
        let mut ticks = 0;
        for &pid in &self.pids {
            if let (Some(t), Some(r)) = (cpu_ticks(pid), rss_kib(pid)) {
                ticks += t;
                s.rss_kib += r;
                s.processes += 1;
            }
        }
        s.cpu_seconds = ticks as f64 / self.ticks_per_second;
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_its_own_process() {
        let w = ProcWatch::new(vec![std::process::id()]);
        // Burn a little CPU so the counter is not zero.
        let mut x = 0u64;
        for i in 0..50_000_000u64 {
            x = x.wrapping_add(i ^ (x >> 3));
        }
        assert!(x != 1);
        let s = w.sample();
        assert_eq!(s.processes, 1);
        assert!(s.rss_kib > 100, "{s:?}");
        assert!(s.cpu_seconds > 0.0, "{s:?}");
    }

    #[test]
    fn a_missing_process_is_left_out() {
        let w = ProcWatch::new(vec![u32::MAX - 1]);
        assert_eq!(w.sample().processes, 0);
    }
}
