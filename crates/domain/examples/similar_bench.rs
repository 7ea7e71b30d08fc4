//! Benchmark of "has someone asked this already?" (docs/benchmarks.md, issue 18): search
//! latency with 5,000 questions in one meeting, and the index's memory per 1,000 questions.
//!
//! Why an example and not a test: it measures, it does not check. The questions are the
//! labelled set's (crates/domain/tests/data/similar_questions.json) recombined: each synthetic
//! question takes words from two or three questions of the set (a fixed pseudo-random
//! sequence, so every run builds the same meeting), which gives a realistic vocabulary and
//! many near-duplicates. The queries are the labelled set's questions as typed (misspellings
//! included). Memory is the process's resident set before and after building the index
//! (Linux `/proc/self/statm`), so it includes allocator overhead.
//!
//! `cargo run --release -p borgermode-domain --example similar_bench [questions]`

// A benchmark reports on standard output.
#![allow(clippy::print_stdout)]

use std::time::Instant;

use borgermode_domain::event::{Actor, Event, EventKind};
use borgermode_domain::similar::SimilarIndex;
use borgermode_domain::*;
use chrono::TimeZone;

fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

#[derive(serde::Deserialize)]
struct Set {
    groups: Vec<Group>,
}

#[derive(serde::Deserialize)]
struct Group {
    questions: Vec<String>,
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5000);
    let set: Set = serde_json::from_str(include_str!("../tests/data/similar_questions.json"))
        .expect("labelled set");
    let questions: Vec<&str> = set
        .groups
        .iter()
        .flat_map(|g| g.questions.iter().map(String::as_str))
        .collect();
    let mut rng = 0x2545_F491_4F6C_DD1Du64;
    let mut next = |m: usize| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % m as u64) as usize
    };
    let mut bodies = Vec::with_capacity(n);
    for _ in 0..n {
        let mut words: Vec<&str> = Vec::new();
        for _ in 0..2 + next(2) {
            let q: Vec<&str> = questions[next(questions.len())].split(' ').collect();
            let from = next(q.len());
            words.extend(&q[from..(from + 4).min(q.len())]);
        }
        bodies.push(words.join(" "));
    }

    // The meeting's projection first, then its index (equal to the one that follows the log
    // event by event: property-tested), so the memory of each is measured on its own.
    let at = chrono::Utc.with_ymd_and_hms(2026, 12, 7, 19, 0, 0).unwrap();
    let mut state = MeetingState::new(MeetingId(uuid::Uuid::from_u128(18)));
    for (i, body) in bodies.iter().enumerate() {
        state.apply(&Event {
            seq: i as u64 + 1,
            at,
            actor: Actor::Organizer,
            kind: EventKind::PostCreated {
                post_kind: PostKind::Question,
                parent: None,
                body: Content::new(body.clone()),
                source: Source::Online,
                held: None,
            },
        });
    }
    let before = rss_bytes();
    let started = Instant::now();
    let index = SimilarIndex::from_state(&state);
    let build = started.elapsed();
    let index_bytes = rss_bytes().saturating_sub(before);

    // Warm up, then time every query of the labelled set, several rounds.
    for q in &questions {
        std::hint::black_box(index.search(q, 3, None));
    }
    let mut times = Vec::new();
    for _ in 0..5 {
        for q in &questions {
            let t = Instant::now();
            std::hint::black_box(index.search(q, 3, None));
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() as f64 * p).ceil() as usize).min(times.len()) - 1];
    println!("questions in the index: {}", index.len());
    println!(
        "build from the projection: {:.0} ms",
        build.as_secs_f64() * 1000.0
    );
    println!(
        "search over {} queries: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        times.len(),
        pct(0.50),
        pct(0.99),
        times[times.len() - 1]
    );
    println!(
        "index resident memory: {:.2} MB, {:.0} KB per 1,000 questions",
        index_bytes as f64 / 1e6,
        index_bytes as f64 / 1e3 / (n as f64 / 1000.0)
    );
}
