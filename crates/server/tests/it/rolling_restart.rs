//! The compose topology (deploy/compose.yaml) as processes: Debian's nginx with
//! deploy/nginx.conf (rendered by scripts/render-nginx with loopback addresses) in front of two
//! `borgermode` instances on the machine's PostgreSQL (a fresh database) and Redis (a channel
//! prefix of this test's own).
//!
//! WebSocket clients connect through nginx and, like the web client, resume through nginx with
//! `since=<last seq>` whenever their connection ends. Citizens post continuously through nginx;
//! a post that gets no acknowledgement (503 from a draining instance, 502 from nginx when the
//! instance went away mid-request, no answer) is retried with the same Idempotency-Key until it
//! is acknowledged. Meanwhile a rolling restart: SIGTERM instance A, start it again on the same
//! port, wait until ready; the same for B. Then: every acknowledged post is in the stored log
//! exactly once and in every client's stream, no client lost or repeated an event, and every
//! client ends with the full log.

#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::cluster::{free_port, unique_prefix, Instance};
use crate::common::fleet::{
    check_acknowledged, check_logs, converge, http, join, open_meeting, post, start_watchers,
    store_last_seq, wait_watching, Outcome, Watcher,
};
use crate::common::pg::TestDb;
use crate::common::routes;
use uuid::Uuid;

const WRITERS: usize = 4;
const WATCHERS: usize = 6;

/// nginx running deploy/nginx.conf in a private prefix; stopped when dropped.
struct Nginx {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Nginx {
    fn start(upstream_a: u16, upstream_b: u16) -> Nginx {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let dir = tempfile::tempdir().expect("tempdir");
        // Workers may run as another user (nginx started as root): let them reach the prefix.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
                .expect("chmod");
        }
        let port = free_port();
        let rendered = Command::new(root.join("scripts/render-nginx"))
            .arg(format!("127.0.0.1:{port}"))
            .arg(format!("127.0.0.1:{upstream_a}"))
            .arg(format!("127.0.0.1:{upstream_b}"))
            .arg(dir.path())
            .output()
            .expect("scripts/render-nginx");
        assert!(
            rendered.status.success(),
            "render-nginx: {}",
            String::from_utf8_lossy(&rendered.stderr)
        );
        let conf = dir.path().join("nginx.conf");
        std::fs::write(&conf, &rendered.stdout).expect("write nginx.conf");
        let bin = ["/usr/sbin/nginx", "/usr/bin/nginx"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
            .unwrap_or("nginx");
        let log = std::fs::File::create(dir.path().join("stderr.log")).expect("log file");
        let child = Command::new(bin)
            .arg("-p")
            .arg(dir.path())
            .arg("-e")
            .arg(dir.path().join("error.log"))
            .arg("-c")
            .arg(&conf)
            .args(["-g", "daemon off;"])
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .expect("nginx is installed (apt-get install nginx; .ci/run does)");
        Nginx {
            child,
            port,
            _dir: dir,
        }
    }

    /// nginx's error lines (it logs each upstream refusal and failover).
    fn error_lines(&self) -> usize {
        std::fs::read_to_string(self._dir.path().join("stderr.log"))
            .map(|t| t.lines().filter(|l| l.contains("[error]")).count())
            .unwrap_or(0)
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn ws_url(&self, meeting: Uuid) -> String {
        routes::ws(self.port, &routes::live(&meeting), None)
    }

    async fn wait_ready(&self) {
        let client = http();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = client.get(format!("{}/healthz", self.base())).send().await {
                if r.status().is_success() {
                    return;
                }
            }
            assert!(Instant::now() < deadline, "nginx did not answer in 20 s");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One acknowledged post, and what it took.
#[derive(Clone, Debug)]
struct Acked {
    key: String,
    body: String,
    post_id: u64,
    /// Answers before the acknowledgement (503, 502, no answer), each retried with the key.
    retries: u32,
    /// Acknowledged as a replay: an earlier try had committed it.
    replayed: bool,
}

/// Citizens posting through nginx until stopped; each post retried with its key until acked.
fn start_writers(
    base: &str,
    meeting: Uuid,
    tokens: Vec<String>,
    stop: Arc<AtomicBool>,
    acked: Arc<Mutex<Vec<Acked>>>,
    failures: Arc<Mutex<Vec<String>>>,
) -> Vec<tokio::task::JoinHandle<()>> {
    tokens
        .into_iter()
        .enumerate()
        .map(|(w, token)| {
            let (base, stop, acked, failures) = (
                base.to_owned(),
                stop.clone(),
                acked.clone(),
                failures.clone(),
            );
            tokio::spawn(async move {
                let http = http();
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let key = format!("rolling-w{w}-{n}");
                    let body = format!("rullende genstart skribent {w} indlæg {n}");
                    let deadline = Instant::now() + Duration::from_secs(60);
                    let mut retries = 0;
                    loop {
                        let done = match post(&http, &base, meeting, &token, &key, &body).await {
                            Outcome::Created { post_id } => Some((post_id, false)),
                            Outcome::Replayed { post_id } => Some((post_id, true)),
                            Outcome::Unavailable { .. } | Outcome::NoAnswer(_) => None,
                            Outcome::Other { status, .. } if status == 502 || status == 504 => None,
                            other => {
                                failures
                                    .lock()
                                    .expect("failures")
                                    .push(format!("{key}: {other:?}"));
                                return;
                            }
                        };
                        if let Some((post_id, replayed)) = done {
                            acked.lock().expect("acked").push(Acked {
                                key,
                                body,
                                post_id,
                                retries,
                                replayed,
                            });
                            break;
                        }
                        retries += 1;
                        if Instant::now() > deadline {
                            failures
                                .lock()
                                .expect("failures")
                                .push(format!("{key}: not acknowledged within 60 s"));
                            return;
                        }
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
        })
        .collect()
}

/// SIGTERM (graceful drain; must exit successfully), then start again on the same port and
/// wait until ready. Returns (drain time, time until ready again).
async fn roll(instance: Instance) -> (Instance, Duration, Duration) {
    let started = Instant::now();
    let (mut instance, clean) = tokio::task::spawn_blocking(move || {
        let mut i = instance;
        let clean = i.terminate();
        (i, clean)
    })
    .await
    .expect("terminate");
    assert!(
        clean,
        "instance on port {} did not exit cleanly after SIGTERM",
        instance.port
    );
    let drained = started.elapsed();
    instance.start_again().await;
    (instance, drained, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rolling_restart_behind_nginx_loses_and_duplicates_nothing() {
    let started = Instant::now();
    let db = TestDb::fresh().await;
    let prefix = unique_prefix();
    let redis = "redis://127.0.0.1:6379";
    let args = [
        "--seq-check-ms",
        "300",
        "--gap-fill-ms",
        "50",
        "--reconnect-hint-ms",
        "100",
        "--shutdown-grace-secs",
        "5",
    ];
    let (a, b) = tokio::join!(
        Instance::start(&db.url, redis, &prefix, &args),
        Instance::start(&db.url, redis, &prefix, &args)
    );
    let nginx = Nginx::start(a.port, b.port);
    nginx.wait_ready().await;
    let base = nginx.base();
    let http = http();

    let meeting = open_meeting(&http, &base, "Rullende genstart").await;
    let mut tokens = Vec::new();
    for i in 0..WRITERS {
        tokens.push(join(&http, &base, meeting, &format!("Skribent {i}")).await);
    }
    let urls = vec![nginx.ws_url(meeting)];
    let watchers: Vec<Watcher> = start_watchers(&urls, &[0; WATCHERS], "via nginx");
    wait_watching(&watchers).await;

    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(Mutex::new(Vec::new()));
    let failures = Arc::new(Mutex::new(Vec::new()));
    let writers = start_writers(
        &base,
        meeting,
        tokens,
        stop.clone(),
        acked.clone(),
        failures.clone(),
    );
    let acked_count = || acked.lock().expect("acked").len();

    // Posting before the restart.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let before_a = acked_count();
    let (a, drain_a, back_a) = roll(a).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let before_b = acked_count();
    let (b, drain_b, back_b) = roll(b).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;

    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.expect("writer");
    }
    let failures = failures.lock().expect("failures").clone();
    assert!(
        failures.is_empty(),
        "posts not acknowledged:\n{}",
        failures.join("\n")
    );
    let acked = acked.lock().expect("acked").clone();
    assert!(
        acked_count() > before_b && before_b > before_a && before_a > 0,
        "posts flowed before, between and after the restarts ({before_a}, {before_b}, {})",
        acked.len()
    );

    let last = store_last_seq(&db, meeting).await;
    let converged = converge(&watchers, last, Duration::from_secs(60)).await;
    let tally = check_logs(&watchers, last);
    let triples: Vec<(String, String, u64)> = acked
        .iter()
        .map(|a| (a.key.clone(), a.body.clone(), a.post_id))
        .collect();
    check_acknowledged(&db, meeting, &watchers, &triples).await;
    let mut ids: Vec<u64> = acked.iter().map(|a| a.post_id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(
        ids.len(),
        acked.len(),
        "two acknowledged posts share a post id"
    );

    let reconnects: usize = watchers
        .iter()
        .map(|w| w.seen().connects.len().saturating_sub(1))
        .sum();
    let closes_1012: usize = watchers
        .iter()
        .map(|w| {
            w.seen()
                .close_codes
                .iter()
                .filter(|c| **c == Some(1012))
                .count()
        })
        .sum();
    let retried = acked.iter().filter(|a| a.retries > 0).count();
    let retries: u32 = acked.iter().map(|a| a.retries).sum();
    let replayed = acked.iter().filter(|a| a.replayed).count();
    println!(
        "rolling restart behind nginx: {} posts acknowledged by {WRITERS} writers ({retried} after \
         {retries} retries with the same key, {replayed} of them answered as replays of an earlier commit), final seq \
         {last}; {WATCHERS} clients, {reconnects} reconnects ({closes_1012} closes 1012), lost {}, \
         duplicated {}, out of order {}; A drained in {} ms and was ready again after {} ms, B {} ms \
         / {} ms; clients converged {} ms after the last post; nginx logged {} errors \
         (upstream refused or unavailable); total {} ms",
        acked.len(),
        tally.lost,
        tally.duplicated,
        tally.out_of_order,
        drain_a.as_millis(),
        back_a.as_millis(),
        drain_b.as_millis(),
        back_b.as_millis(),
        converged.as_millis(),
        nginx.error_lines(),
        started.elapsed().as_millis(),
    );
    assert!(
        reconnects >= WATCHERS,
        "every client was moved at least once by the restarts ({reconnects} reconnects)"
    );
    for w in watchers {
        w.stop().await;
    }
    drop((a, b, nginx));
}
