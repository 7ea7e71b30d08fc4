//! Likes offered at a fixed rate by many joined voters. Each voter walks the posts, liking
//! each once and then taking the likes back, so every request is a real change. Requests
//! beyond `in_flight` are counted as not offered rather than queued (an open-loop load that
//! cannot hide a slow server behind a slow client).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::sync::Semaphore;

use crate::report::RunResult;
use crate::subscriber::ClientReport;
use crate::target::Target;

#[derive(Debug, Clone)]
pub struct LikesPlan {
    pub voters: usize,
    /// Posts to like (created before the likes start); 0 = the posters' posts.
    pub posts: usize,
    pub rate: f64,
    pub secs: u64,
    pub in_flight: usize,
}

pub struct LikesSetup {
    plan: LikesPlan,
    voters: Vec<String>,
    posts: Vec<u64>,
}

#[derive(Debug, Default)]
pub struct LikesResult {
    pub offered: u64,
    pub skipped: u64,
    pub accepted: u64,
    pub refused: u64,
    pub secs: f64,
}

pub async fn prepare(target: &Arc<Target>, plan: &LikesPlan) -> anyhow::Result<LikesSetup> {
    let voters = target.join_many(plan.voters, "Stemmer").await?;
    let n = plan.posts.max(1);
    let mut posts = Vec::with_capacity(n);
    for i in 0..n {
        posts.push(target.publish(i, 1_000_000 + i as u64, 200).await?.seq);
    }
    Ok(LikesSetup {
        plan: plan.clone(),
        voters,
        posts,
    })
}

pub async fn offer(target: Arc<Target>, s: LikesSetup) -> anyhow::Result<LikesResult> {
    let slots = Arc::new(Semaphore::new(s.plan.in_flight.max(1)));
    let accepted = Arc::new(AtomicU64::new(0));
    let refused = Arc::new(AtomicU64::new(0));
    let voters = Arc::new(s.voters);
    let posts = Arc::new(s.posts);
    let total = (s.plan.rate * s.plan.secs as f64) as u64;
    let start = tokio::time::Instant::now();
    let t0 = Instant::now();
    let mut res = LikesResult::default();
    let mut tasks = tokio::task::JoinSet::new();
    // Ticks of 1 ms, each offering the likes due by then.
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    let mut n = 0u64;
    while n < total {
        tick.tick().await;
        let due = ((start.elapsed().as_secs_f64() * s.plan.rate) as u64).min(total);
        while n < due {
            let Ok(permit) = slots.clone().try_acquire_owned() else {
                res.skipped += due - n;
                n = due;
                break;
            };
            let v = (n as usize) % voters.len();
            let round = n as usize / voters.len();
            let p = round % posts.len();
            let up = (round / posts.len()).is_multiple_of(2);
            let (t, voters, posts, acc, reff) = (
                target.clone(),
                voters.clone(),
                posts.clone(),
                accepted.clone(),
                refused.clone(),
            );
            tasks.spawn(async move {
                let ok = t.vote(v, &voters[v], posts[p], up).await.unwrap_or(false);
                if ok { acc } else { reff }.fetch_add(1, Ordering::Relaxed);
                drop(permit);
            });
            res.offered += 1;
            n += 1;
        }
        while tasks.try_join_next().is_some() {}
    }
    while tasks.join_next().await.is_some() {}
    res.secs = t0.elapsed().as_secs_f64();
    res.accepted = accepted.load(Ordering::Relaxed);
    res.refused = refused.load(Ordering::Relaxed);
    Ok(res)
}

pub fn report(r: &mut RunResult, l: &LikesResult, reports: &[ClientReport]) {
    let secs = l.secs.max(0.001);
    let max_per_sec = reports
        .iter()
        .map(|c| c.vote_frames_max_per_sec)
        .max()
        .unwrap_or(0);
    let frames: u64 = reports.iter().map(|c| c.vote_frames).sum();
    let avg = frames as f64 / reports.len().max(1) as f64 / secs;
    r.extra.insert("likes_offered".into(), json!(l.offered));
    r.extra
        .insert("likes_not_offered_in_flight_cap".into(), json!(l.skipped));
    r.extra.insert("likes_accepted".into(), json!(l.accepted));
    r.extra.insert("likes_refused".into(), json!(l.refused));
    r.extra.insert(
        "likes_accepted_per_sec".into(),
        json!((l.accepted as f64 / secs).round()),
    );
    r.extra.insert(
        "vote_frames_per_client_per_sec_max".into(),
        json!(max_per_sec),
    );
    r.extra.insert(
        "vote_frames_per_client_per_sec_avg".into(),
        json!((avg * 100.0).round() / 100.0),
    );
    r.checks
        .insert("vote_frames_at_most_4_per_sec".into(), max_per_sec <= 4);
}
