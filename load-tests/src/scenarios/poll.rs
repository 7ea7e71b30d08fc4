//! `poll`: a live poll in a big meeting. N participants join, a share of them (all by default)
//! hold the live WebSocket like open phones, a staff token creates and launches one
//! single-choice poll with live results, and every participant answers once within a window
//! (some change their answer later), at most `in_flight` requests at a time. Measured: answers
//! offered and accepted, answer latency (PUT to 200), `poll_results` frames per client per
//! second (coalesced by the server, at most 4), server CPU; checked at the end: every watching
//! client's last results equal the staff's recount, and the recount equals what was answered.
//!
//! Why its own scenario and not a `fanout` plan: answers are not log events (no seq to check),
//! the load is one burst of writes, and the correctness check is the converged count.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use borgermode_domain::{PollAnswer, PollDefinition, PollKind, PollResults, ResultsShown};
use borgermode_protocol::frames::ServerFrame;
use borgermode_protocol::http::{CommandAck, PollsResponse};
use futures_util::StreamExt;
use parking_lot::Mutex;
use serde_json::json;
use tokio::sync::{watch, Semaphore};

use crate::args::TargetArgs;
use crate::procstat::ProcWatch;
use crate::report::{Machine, RunResult, ServerCost};
use crate::servers::Servers;
use crate::stats::LatencyRecorder;
use crate::target::{send_retrying, Target};

/// The poll's options: the answers spread over them by participant number.
const OPTIONS: [&str; 4] = [
    "A: parken",
    "B: boligerne",
    "C: begge dele",
    "D: ingen af dem",
];

#[derive(Debug, Clone)]
pub struct PollPlan {
    pub participants: usize,
    /// Participants holding a WebSocket (the first `watchers` of them).
    pub watchers: usize,
    pub window_secs: f64,
    /// Share of participants who answer a second time, with another option.
    pub change_percent: f64,
    pub in_flight: usize,
}

/// How much a client may bunch frames on the way (its own scheduling, the loopback) before
/// five in a row count as more than four a second.
const JITTER_MS: f64 = 100.0;

/// The server's coalescing period (its `--coalesce-ms` default, which `--spawn` keeps).
const COALESCE_MS: i64 = 250;

/// What one watching client saw of the poll.
#[derive(Default)]
struct Seen {
    frames: u64,
    /// Most frames in one calendar second of the run (as `likes` counts vote frames).
    max_per_second: u32,
    /// Most frames in any sliding one-second window.
    max_per_sliding_second: u32,
    /// The shortest time any five frames in a row took to arrive: the server sends at most
    /// one per 250 ms tick, so five span at least 1 s when sent; what arrives closer was
    /// bunched on the way (scheduling of this client), which the check allows up to
    /// `JITTER_MS`.
    tightest_five: Option<Duration>,
    /// The shortest gap between two snapshots this client got, by the server's `at_ms` stamps
    /// (when the server took them): the pace the server kept, whatever the way added.
    tightest_server_gap_ms: Option<i64>,
    last_at_ms: Option<i64>,
    last: Option<PollResults>,
    first_at: Option<Instant>,
    last_at: Option<Instant>,
    reconnects: u64,
    closed: bool,
}

fn pick(i: usize, changed: bool) -> u8 {
    ((i + usize::from(changed)) % OPTIONS.len()) as u8
}

/// The counts the server must end with: the last pick of everyone whose answers were accepted.
fn expected_counts(last_pick: &[Option<u8>]) -> Vec<u32> {
    let mut counts = vec![0u32; OPTIONS.len()];
    for p in last_pick.iter().flatten() {
        counts[*p as usize] += 1;
    }
    counts
}

pub async fn run(
    args: TargetArgs,
    plan: PollPlan,
    command: String,
) -> anyhow::Result<(RunResult, bool)> {
    let mut servers = Servers::prepare(&args).await?;
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.max_seconds);
    let admin = servers
        .admin_token
        .clone()
        .ok_or_else(|| anyhow!("the poll scenario needs --admin-token (or --spawn)"))?;
    let target = Arc::new(
        Target::setup(
            args.target,
            servers.urls.clone(),
            Some(&admin),
            0,
            args.sources,
        )
        .await?
        .with_protocol(args.protocol),
    );
    let t_join = Instant::now();
    let tokens = Arc::new(target.join_many(plan.participants, "Borger").await?);
    let join_secs = t_join.elapsed().as_secs_f64();

    // Watchers connect before the poll exists, so every poll_results frame is live.
    let run_clock = Instant::now();
    let (stop_tx, stop_rx) = watch::channel(false);
    let watchers = plan.watchers.min(plan.participants);
    let seen: Arc<Vec<Mutex<Seen>>> =
        Arc::new((0..watchers).map(|_| Mutex::new(Seen::default())).collect());
    let connect_errors = Arc::new(AtomicU64::new(0));
    let mut first_connect_error = None::<String>;
    let mut readers = tokio::task::JoinSet::new();
    let t_connect = Instant::now();
    {
        let opened = futures_util::stream::iter(0..watchers)
            .map(|i| {
                let (target, tokens) = (target.clone(), tokens.clone());
                async move {
                    let url = target.subscribe_url(i, None);
                    let ws = crate::conn::connect(crate::conn::ConnectOptions {
                        url: &url,
                        bearer: Some(&tokens[i]),
                        source: crate::conn::source_for(i, args.sources),
                        recv_buffer: None,
                    })
                    .await;
                    (i, ws)
                }
            })
            .buffer_unordered(args.connect_concurrency.max(1));
        tokio::pin!(opened);
        while let Some((i, ws)) = opened.next().await {
            match ws {
                Ok(ws) => {
                    readers.spawn(read_frames(ws, i, seen.clone(), stop_rx.clone(), run_clock));
                }
                Err(e) => {
                    first_connect_error.get_or_insert_with(|| e.to_string());
                    connect_errors.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }
    let connect_secs = t_connect.elapsed().as_secs_f64();
    let connected = watchers as u64 - connect_errors.load(Ordering::Relaxed);

    let poll = create_and_launch(&target, &admin).await?;
    let watch_cpu = ProcWatch::new(servers.pids.clone());
    let before = watch_cpu.sample();

    // The schedule: everyone once, spread evenly over the window; changers again, later.
    let n = plan.participants;
    let changers = ((n as f64 * plan.change_percent / 100.0).round() as usize).min(n);
    let window = plan.window_secs.max(0.001);
    let mut schedule: Vec<(f64, usize, bool)> = (0..n)
        .map(|i| (window * 0.8 * i as f64 / n.max(1) as f64, i, false))
        .collect();
    // Changers are every k-th participant, answering again in the last fifth of the window.
    let step = n.checked_div(changers).unwrap_or(0);
    schedule.extend((0..changers).map(|c| {
        let i = c * step.max(1);
        (window * (0.8 + 0.2 * c as f64 / changers as f64), i, true)
    }));
    schedule.sort_by(|a, b| a.0.total_cmp(&b.0));

    let slots = Arc::new(Semaphore::new(plan.in_flight.max(1)));
    let latency = Arc::new(LatencyRecorder::default());
    let accepted = Arc::new(AtomicU64::new(0));
    let refused = Arc::new(AtomicU64::new(0));
    let first_refusal = Arc::new(Mutex::new(None::<String>));
    // The last accepted pick per participant (a change is sent after the first is answered).
    let last_pick = Arc::new(Mutex::new(vec![None::<(u8, bool)>; n]));
    // Like a phone, a participant sends a changed answer only once the first one is answered:
    // the first takes its participant's lock in this loop, the change waits for it in its task.
    let turns: Arc<Vec<Arc<tokio::sync::Mutex<()>>>> =
        Arc::new((0..n).map(|_| Arc::default()).collect());
    let t_answers = Instant::now();
    let start = tokio::time::Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let mut offered = 0u64;
    let mut late_ms_max = 0u64;
    for (at, i, changed) in schedule {
        tokio::time::sleep_until(start + Duration::from_secs_f64(at)).await;
        let permit = slots.clone().acquire_owned().await?;
        let late = start.elapsed().as_secs_f64() - at;
        late_ms_max = late_ms_max.max((late * 1000.0) as u64);
        offered += 1;
        let (t, tokens, lat, acc, reff, first, picks) = (
            target.clone(),
            tokens.clone(),
            latency.clone(),
            accepted.clone(),
            refused.clone(),
            first_refusal.clone(),
            last_pick.clone(),
        );
        let first_turn = (!changed).then(|| turns[i].clone().try_lock_owned().ok());
        let turn = turns[i].clone();
        tasks.spawn(async move {
            let _turn = match first_turn {
                Some(guard) => guard,
                None => Some(turn.lock_owned().await),
            };
            let p = pick(i, changed);
            let sent = Instant::now();
            match answer(&t, i, &tokens[i], poll, p).await {
                Ok(()) => {
                    lat.record(i, sent.elapsed().as_micros() as u64);
                    acc.fetch_add(1, Ordering::Relaxed);
                    let mut picks = picks.lock();
                    if changed || !matches!(picks[i], Some((_, true))) {
                        picks[i] = Some((p, changed));
                    }
                }
                Err(e) => {
                    reff.fetch_add(1, Ordering::Relaxed);
                    first.lock().get_or_insert_with(|| e.to_string());
                }
            }
            drop(permit);
        });
        while tasks.try_join_next().is_some() {}
        if Instant::now() > deadline {
            break;
        }
    }
    while tasks.join_next().await.is_some() {}
    let answers_secs = t_answers.elapsed().as_secs_f64();

    // The server's recount, then wait (bounded) until every watcher's last frame shows it.
    let expected = expected_counts(
        &last_pick
            .lock()
            .iter()
            .map(|p| p.map(|(p, _)| p))
            .collect::<Vec<_>>(),
    );
    let t_converge = Instant::now();
    let converge_until = Instant::now() + Duration::from_secs(args.drain_secs);
    // With two instances the staff's instance may still be applying the other's answers (bus
    // messages in flight when the last answer was acknowledged): a recount read at once is a
    // moment the clients have already left behind. Read it again until it shows what was
    // accepted, or the drain time is up (then the check below fails on the last one read).
    let mut recount = staff_results(&target, &admin, poll).await?;
    while recount.counts != expected && Instant::now() < converge_until {
        tokio::time::sleep(Duration::from_millis(100)).await;
        recount = staff_results(&target, &admin, poll).await?;
    }
    let matching = |seen: &[Mutex<Seen>]| {
        seen.iter()
            .filter(|s| s.lock().last.as_ref() == Some(&recount))
            .count()
    };
    let mut converged = matching(&seen);
    while converged < connected as usize && Instant::now() < converge_until {
        tokio::time::sleep(Duration::from_millis(100)).await;
        converged = matching(&seen);
    }
    let converge_ms = t_converge.elapsed().as_millis() as u64;
    let after = watch_cpu.sample();
    let _ = stop_tx.send(true);
    while readers.join_next().await.is_some() {}
    servers.shutdown();

    let mut r = RunResult {
        scenario: "poll".into(),
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
        latency: latency.summary(),
        drain_ms: converge_ms,
        machine: Machine::read(),
        ..Default::default()
    };
    r.server = ServerCost {
        pids: watch_cpu.pids().to_vec(),
        processes: after.processes,
        cpu_seconds: after.cpu_seconds - before.cpu_seconds,
        rss_before_kib: before.rss_kib,
        rss_connected_kib: after.rss_kib,
        rss_end_kib: after.rss_kib,
        ..Default::default()
    };
    let seen: Vec<Seen> = seen
        .iter()
        .map(|s| std::mem::take(&mut *s.lock()))
        .collect();
    let frames: u64 = seen.iter().map(|s| s.frames).sum();
    r.frames = frames;
    r.reconnects = seen.iter().map(|s| s.reconnects).sum();
    let max_cal = seen.iter().map(|s| s.max_per_second).max().unwrap_or(0);
    let max_sliding = seen
        .iter()
        .map(|s| s.max_per_sliding_second)
        .max()
        .unwrap_or(0);
    // Per client: frames after its first one over the time since it (n frames span n - 1
    // intervals), averaged over the clients that got at least two.
    let rates: Vec<f64> = seen
        .iter()
        .filter(|s| s.frames > 1)
        .filter_map(|s| {
            let span = s.last_at?.duration_since(s.first_at?).as_secs_f64();
            (span > 0.0).then(|| (s.frames - 1) as f64 / span)
        })
        .collect();
    let avg = rates.iter().sum::<f64>() / rates.len().max(1) as f64;
    let accepted = accepted.load(Ordering::Relaxed);
    let refused = refused.load(Ordering::Relaxed);
    let x = &mut r.extra;
    x.insert("participants".into(), json!(n));
    x.insert("watchers_asked".into(), json!(watchers));
    x.insert("watchers_connected".into(), json!(connected));
    x.insert("join_secs".into(), json!(round2(join_secs)));
    x.insert("connect_secs".into(), json!(round2(connect_secs)));
    x.insert("window_secs".into(), json!(window));
    x.insert("in_flight".into(), json!(plan.in_flight));
    x.insert("answers_offered".into(), json!(offered));
    x.insert("answers_changed".into(), json!(changers));
    x.insert("answers_accepted".into(), json!(accepted));
    x.insert("answers_refused".into(), json!(refused));
    x.insert("answers_secs".into(), json!(round2(answers_secs)));
    x.insert(
        "answers_accepted_per_sec".into(),
        json!((accepted as f64 / answers_secs.max(0.001)).round()),
    );
    x.insert("answer_start_late_ms_max".into(), json!(late_ms_max));
    if let Some(e) = first_connect_error {
        x.insert("first_connect_error".into(), json!(e));
    }
    if let Some(e) = first_refusal.lock().clone() {
        x.insert("first_refusal".into(), json!(e));
    }
    x.insert(
        "poll_results_frames_per_client_per_sec_max".into(),
        json!(max_cal),
    );
    x.insert(
        "poll_results_frames_per_client_sliding_sec_max".into(),
        json!(max_sliding),
    );
    x.insert(
        "poll_results_frames_per_client_per_sec_avg".into(),
        json!(round2(avg)),
    );
    x.insert("recount".into(), json!(recount.counts));
    x.insert("expected".into(), json!(expected));
    x.insert("clients_with_final_counts".into(), json!(converged));
    x.insert(
        "clients_closed_early".into(),
        json!(seen.iter().filter(|s| s.closed).count()),
    );
    x.insert("converge_ms".into(), json!(converge_ms));
    r.checks
        .insert("all_answers_accepted".into(), accepted == offered);
    // At most 4 a second, judged by the server's stamps: every client's snapshots were taken
    // at least 250 ms apart (1 ms for the clock's rounding). By arrival, five frames in a row
    // are reported too: on a busy machine a client (or a socket task) that falls behind reads
    // two snapshots at once, which says how late they came, not how often the server sent them
    // (a calendar-second count flakes the same way; all are reported).
    let tightest_five_ms = seen
        .iter()
        .filter_map(|s| s.tightest_five)
        .min()
        .map(|d| d.as_secs_f64() * 1000.0);
    x.insert("tightest_five_frames_ms".into(), json!(tightest_five_ms));
    let server_gap_ms = seen.iter().filter_map(|s| s.tightest_server_gap_ms).min();
    x.insert("tightest_server_gap_ms".into(), json!(server_gap_ms));
    x.insert(
        "five_in_a_row_within_1s_by_arrival".into(),
        json!(tightest_five_ms.is_some_and(|ms| ms < 1000.0 - JITTER_MS)),
    );
    r.checks.insert(
        "poll_results_at_most_4_per_client_per_sec".into(),
        server_gap_ms.is_some_and(|ms| ms >= COALESCE_MS - 1),
    );
    r.checks.insert(
        "recount_equals_accepted_answers".into(),
        recount.counts == expected && recount.respondents as usize == last_pick_count(&expected),
    );
    r.checks.insert(
        "every_client_saw_the_recount".into(),
        connected as usize == watchers && converged == watchers,
    );
    r.write(args.out.as_deref())?;
    println!(
        "poll: {accepted}/{offered} answers accepted in {answers_secs:.1} s, p50 {:.1} ms, p99 {:.1} ms; poll_results per client: max {max_cal}/s (sliding {max_sliding}), avg {avg:.2}/s, five in a row in {:.0} ms at the closest by arrival, {} ms apart at the closest by the server's stamps; {converged}/{watchers} clients show the recount {:?}; server CPU {:.2} s",
        r.latency.p50_ms,
        r.latency.p99_ms,
        tightest_five_ms.unwrap_or(f64::NAN),
        server_gap_ms.map_or("–".to_string(), |g| g.to_string()),
        recount.counts,
        r.server.cpu_seconds
    );
    let failed: Vec<&String> = r
        .checks
        .iter()
        .filter(|(_, ok)| !**ok)
        .map(|(k, _)| k)
        .collect();
    if args.strict && !failed.is_empty() {
        bail!("poll: checks failed: {failed:?}");
    }
    Ok((r, false))
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn last_pick_count(counts: &[u32]) -> usize {
    counts.iter().map(|c| *c as usize).sum()
}

/// Create a single-choice poll with live results and launch it; its id is the create's seq.
async fn create_and_launch(target: &Target, admin: &str) -> anyhow::Result<u64> {
    let def = PollDefinition {
        question: "Hvilket forslag til havnen foretrækker du?".into(),
        kind: PollKind::SingleChoice {
            options: OPTIONS.iter().map(|s| s.to_string()).collect(),
        },
        results: ResultsShown::Live,
        agenda_item: None,
    };
    let base = format!("{}/api/meetings/{}/polls", target.url(0), target.meeting);
    let r = target
        .client(0)
        .post(&base)
        .bearer_auth(admin)
        .json(&def)
        .send()
        .await?;
    if !r.status().is_success() {
        bail!("create poll: {} {}", r.status(), r.text().await?);
    }
    let ack: CommandAck = r.json().await?;
    let poll = ack.seq.ok_or_else(|| anyhow!("create poll: no seq"))?;
    let r = target
        .client(0)
        .post(format!("{base}/{poll}/launch"))
        .bearer_auth(admin)
        .send()
        .await?;
    if !r.status().is_success() {
        bail!("launch poll: {} {}", r.status(), r.text().await?);
    }
    Ok(poll)
}

/// One answer through participant `i`'s instance; 503 and 429 are retried (the same answer
/// again is harmless: the last one counts).
async fn answer(t: &Target, i: usize, token: &str, poll: u64, option: u8) -> anyhow::Result<()> {
    let url = format!(
        "{}/api/meetings/{}/polls/{poll}/answer",
        t.url(i),
        t.meeting
    );
    let body = PollAnswer::Choice {
        picks: vec![option],
    };
    send_retrying(5, || {
        t.client(i).put(&url).bearer_auth(token).json(&body).send()
    })
    .await
    .map(|_| ())
    .map_err(|last| anyhow::anyhow!("answer: {last}"))
}

/// The poll's results as staff see them (`GET .../polls` with the organizer token).
async fn staff_results(t: &Target, admin: &str, poll: u64) -> anyhow::Result<PollResults> {
    let r = t
        .client(0)
        .get(format!("{}/api/meetings/{}/polls", t.url(0), t.meeting))
        .bearer_auth(admin)
        .send()
        .await?;
    if !r.status().is_success() {
        bail!("staff polls: {}", r.status());
    }
    let list: PollsResponse = r.json().await.context("staff polls")?;
    list.polls
        .into_iter()
        .find(|p| p.poll.id == poll)
        .and_then(|p| p.results)
        .ok_or_else(|| anyhow!("staff polls: no results for poll {poll}"))
}

async fn read_frames(
    mut ws: crate::conn::Ws,
    i: usize,
    seen: Arc<Vec<Mutex<Seen>>>,
    mut stop: watch::Receiver<bool>,
    clock: Instant,
) {
    use tokio_tungstenite::tungstenite::Message;
    let mut second = u64::MAX;
    let mut in_second = 0u32;
    let mut recent: VecDeque<Instant> = VecDeque::new();
    let mut last5: VecDeque<Instant> = VecDeque::with_capacity(6);
    loop {
        let msg = tokio::select! {
            _ = stop.changed() => break,
            m = ws.next() => m,
        };
        let text = match msg {
            Some(Ok(Message::Text(t))) => t,
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => {
                seen[i].lock().closed = true;
                return;
            }
        };
        match serde_json::from_str::<ServerFrame>(&text) {
            Ok(ServerFrame::PollResults { results, at_ms, .. }) => {
                let now = Instant::now();
                let s = clock.elapsed().as_secs();
                if s != second {
                    second = s;
                    in_second = 0;
                }
                in_second += 1;
                recent.push_back(now);
                while recent
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
                {
                    recent.pop_front();
                }
                let mut me = seen[i].lock();
                me.frames += 1;
                me.max_per_second = me.max_per_second.max(in_second);
                me.max_per_sliding_second = me.max_per_sliding_second.max(recent.len() as u32);
                last5.push_back(now);
                if last5.len() > 5 {
                    last5.pop_front();
                }
                if let (5, Some(first)) = (last5.len(), last5.front()) {
                    let span = now.duration_since(*first);
                    me.tightest_five = Some(me.tightest_five.map_or(span, |t| t.min(span)));
                }
                if let Some(at) = at_ms {
                    if let Some(prev) = me.last_at_ms {
                        let gap = at - prev;
                        me.tightest_server_gap_ms =
                            Some(me.tightest_server_gap_ms.map_or(gap, |g| g.min(gap)));
                    }
                    me.last_at_ms = Some(at);
                }
                me.first_at.get_or_insert(now);
                me.last_at = Some(now);
                me.last = Some(results);
            }
            Ok(ServerFrame::Reconnect { .. }) => seen[i].lock().reconnects += 1,
            _ => {}
        }
    }
    let _ = ws.close(None).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_counts_follow_the_last_pick() {
        assert_eq!(
            expected_counts(&[Some(0), Some(1), None, Some(1), Some(3)]),
            vec![1, 2, 0, 1]
        );
        assert_eq!(pick(0, false), 0);
        assert_eq!(pick(3, true), 0);
        assert_eq!(pick(5, true), 2);
    }
}
