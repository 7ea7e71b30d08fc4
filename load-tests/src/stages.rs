//! borgermode's per-event latency breakdown in the report: `borgermode_event_stage_seconds`
//! (request received → commit → ingest → first and last socket write, see
//! crates/server/src/ops/breakdown.rs) scraped from every server's `/metrics` before and after
//! the measured window, the difference summed over the instances, and p50/p99 of each
//! (origin, stage) estimated from the buckets the way Prometheus' `histogram_quantile` does.
//! Why from the server: the generator's publish→receive latency says how long an audience
//! waited, these say where on the server the time went.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

const FAMILY: &str = "borgermode_event_stage_seconds";

/// One (origin, stage) histogram: cumulative counts by upper bound (seconds; +Inf last).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Buckets(pub Vec<(f64, f64)>);

/// Every stage histogram of one or more scrapes, by "origin/stage".
#[derive(Debug, Default, Clone)]
pub struct Scrape(pub BTreeMap<String, Buckets>);

/// What the report keeps of one stage over the run.
#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq)]
pub struct StageSummary {
    /// Events observed in the window.
    pub count: u64,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
}

/// The value of `key="..."` in a label set `a="x",b="y"`.
fn label<'a>(labels: &'a str, key: &str) -> Option<&'a str> {
    labels.split(',').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k.trim() == key).then(|| v.trim().trim_matches('"'))
    })
}

impl Scrape {
    /// The stage histograms in a Prometheus text exposition (other lines are ignored).
    pub fn parse(text: &str) -> Scrape {
        let mut out: BTreeMap<String, Buckets> = BTreeMap::new();
        let prefix = format!("{FAMILY}_bucket{{");
        for line in text.lines() {
            let Some(rest) = line.strip_prefix(&prefix) else {
                continue;
            };
            let Some((labels, value)) = rest.rsplit_once("} ") else {
                continue;
            };
            let (Some(origin), Some(stage), Some(le), Ok(count)) = (
                label(labels, "origin"),
                label(labels, "stage"),
                label(labels, "le"),
                value.trim().parse::<f64>(),
            ) else {
                continue;
            };
            let le = if le == "+Inf" {
                f64::INFINITY
            } else {
                match le.parse::<f64>() {
                    Ok(v) => v,
                    Err(_) => continue,
                }
            };
            out.entry(format!("{origin}/{stage}"))
                .or_default()
                .0
                .push((le, count));
        }
        for b in out.values_mut() {
            b.0.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
        Scrape(out)
    }

    /// `self + other`, bucket by bucket (two instances' scrapes; the buckets are the same).
    pub fn add(&mut self, other: &Scrape) {
        for (k, b) in &other.0 {
            let mine = self.0.entry(k.clone()).or_default();
            if mine.0.is_empty() {
                *mine = b.clone();
                continue;
            }
            for (m, o) in mine.0.iter_mut().zip(&b.0) {
                m.1 += o.1;
            }
        }
    }

    /// What happened between `before` and `self` (counters only grow while a server lives).
    pub fn since(&self, before: &Scrape) -> Scrape {
        let mut out = self.clone();
        for (k, b) in &mut out.0 {
            if let Some(old) = before.0.get(k) {
                for (n, o) in b.0.iter_mut().zip(&old.0) {
                    n.1 = (n.1 - o.1).max(0.0);
                }
            }
        }
        out
    }

    /// p50/p99 of every stage that saw an event.
    pub fn summaries(&self) -> BTreeMap<String, StageSummary> {
        self.0
            .iter()
            .filter(|(_, b)| b.count() > 0.0)
            .map(|(k, b)| {
                (
                    k.clone(),
                    StageSummary {
                        count: b.count() as u64,
                        p50_ms: b.quantile(0.5).map(|s| s * 1000.0),
                        p99_ms: b.quantile(0.99).map(|s| s * 1000.0),
                    },
                )
            })
            .collect()
    }
}

impl Buckets {
    pub fn count(&self) -> f64 {
        self.0.last().map_or(0.0, |b| b.1)
    }

    /// The q-quantile (seconds) from cumulative buckets: find the bucket holding the rank
    /// q × count and interpolate linearly inside it (from 0 for the first bucket), as
    /// Prometheus' `histogram_quantile`; a rank in the +Inf bucket answers the largest finite
    /// bound. None without observations.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let total = self.count();
        if total <= 0.0 || self.0.is_empty() {
            return None;
        }
        let rank = q.clamp(0.0, 1.0) * total;
        let mut lower_bound = 0.0;
        let mut lower_count = 0.0;
        for &(le, cumulative) in &self.0 {
            if cumulative >= rank && cumulative > lower_count {
                if le.is_infinite() {
                    return Some(lower_bound);
                }
                let inside = (rank - lower_count) / (cumulative - lower_count);
                return Some(lower_bound + (le - lower_bound) * inside);
            }
            if le.is_finite() {
                lower_bound = le;
            }
            lower_count = cumulative;
        }
        Some(lower_bound)
    }
}

/// Scrape every server's stage histograms and add them up; None when one cannot be read (an
/// older server without them, or no token).
pub async fn scrape(urls: &[String], token: &str) -> Option<Scrape> {
    let http = reqwest::Client::new();
    let mut total = Scrape::default();
    for u in urls {
        let resp = http
            .get(format!("{u}/metrics"))
            .bearer_auth(token)
            .send()
            .await
            .ok()?;
        if !resp.status().is_success() {
            return None;
        }
        let one = Scrape::parse(&resp.text().await.ok()?);
        if one.0.is_empty() {
            return None;
        }
        total.add(&one);
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(v: &[(f64, f64)]) -> Buckets {
        Buckets(v.to_vec())
    }

    #[test]
    fn quantiles_interpolate_inside_the_bucket() {
        // 10 observations: 2 under 1 ms, 6 in 1..2 ms, 2 in 2..4 ms.
        let h = b(&[
            (0.001, 2.0),
            (0.002, 8.0),
            (0.004, 10.0),
            (f64::INFINITY, 10.0),
        ]);
        // Rank 5 is the 3rd of the 6 in (1, 2] ms: 1 + 3/6 ms.
        assert!((h.quantile(0.5).unwrap() - 0.0015).abs() < 1e-12);
        // Rank 9.9 is 1.9 of the 2 in (2, 4] ms.
        assert!((h.quantile(0.99).unwrap() - 0.0039).abs() < 1e-12);
        // The first bucket interpolates from zero.
        assert!((h.quantile(0.1).unwrap() - 0.0005).abs() < 1e-12);
        assert_eq!(h.count(), 10.0);
    }

    #[test]
    fn quantile_past_the_last_bound_is_that_bound_and_empty_is_none() {
        let h = b(&[(0.001, 1.0), (0.01, 1.0), (f64::INFINITY, 4.0)]);
        assert_eq!(h.quantile(0.99), Some(0.01));
        let empty = b(&[(0.001, 0.0), (f64::INFINITY, 0.0)]);
        assert_eq!(empty.quantile(0.5), None);
        // Empty buckets before the rank are skipped, not interpolated into.
        let h = b(&[
            (0.001, 0.0),
            (0.002, 0.0),
            (0.004, 4.0),
            (f64::INFINITY, 4.0),
        ]);
        assert!((h.quantile(0.5).unwrap() - 0.003).abs() < 1e-12);
    }

    #[test]
    fn scrapes_parse_add_up_and_subtract() {
        let text = "# TYPE borgermode_event_stage_seconds histogram\n\
            borgermode_event_stage_seconds_bucket{origin=\"local\",stage=\"commit\",le=\"0.001\"} 3\n\
            borgermode_event_stage_seconds_bucket{origin=\"local\",stage=\"commit\",le=\"+Inf\"} 4\n\
            borgermode_event_stage_seconds_sum{origin=\"local\",stage=\"commit\"} 0.01\n\
            borgermode_event_stage_seconds_bucket{origin=\"bus\",stage=\"last_write\",le=\"0.001\"} 1\n\
            borgermode_event_stage_seconds_bucket{origin=\"bus\",stage=\"last_write\",le=\"+Inf\"} 1\n\
            borgermode_fanout_lag_seconds_bucket{le=\"0.001\"} 9\n";
        let one = Scrape::parse(text);
        assert_eq!(
            one.0["local/commit"],
            b(&[(0.001, 3.0), (f64::INFINITY, 4.0)])
        );
        assert_eq!(one.0.len(), 2);
        let mut two = one.clone();
        two.add(&one);
        assert_eq!(two.0["local/commit"].count(), 8.0);
        let diff = two.since(&one);
        assert_eq!(diff.0["local/commit"], one.0["local/commit"]);
        let s = diff.summaries();
        assert_eq!(s["local/commit"].count, 4);
        assert_eq!(s["bus/last_write"].count, 1);
        // A stage without events in the window is left out.
        assert!(!one.since(&one).summaries().contains_key("local/commit"));
    }
}
