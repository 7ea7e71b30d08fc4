//! `GET /metrics`: private unless a token is configured, valid Prometheus text (parsed by the
//! `prometheus-parse` crate plus a strict line check of our own), and the figures move when a
//! meeting runs: connections by transport, events committed and delivered, fan-out lag, store
//! latency, HTTP status classes and rate-limit refusals.

#![allow(clippy::print_stdout)]

use crate::common::routes;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::common::app::{
    content_type, next_frame, spawn_app, spawn_app_with, spawn_pair_on, until_event, ws_connect,
    ws_connect_live, TestApp,
};
use crate::common::client::Outcome;
use borgermode_protocol::frames::ServerFrame;
use borgermode_protocol::http::JoinRequest;
use prometheus_parse::{Scrape, Value};

const TOKEN: &str = "metrics-token-0123456789abcdef";

/// One scrape: every sample by `name{sorted labels}`; histograms as their total count.
struct Figures(HashMap<String, f64>);

impl Figures {
    fn get(&self, key: &str) -> f64 {
        *self
            .0
            .get(key)
            .unwrap_or_else(|| panic!("metric {key} missing; have {:?}", self.keys()))
    }
    fn keys(&self) -> Vec<&String> {
        let mut k: Vec<_> = self.0.keys().collect();
        k.sort();
        k
    }
}

/// Lines the lenient parser would skip silently must not exist: each line is a comment
/// (`# HELP` / `# TYPE`) or `name{labels} value` with a numeric value, and each sample belongs
/// to a family announced by `# TYPE`.
fn check_strict(text: &str) {
    let mut families = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let mut parts = rest.split_whitespace();
            let name = parts.next().expect("family name");
            let kind = parts.next().expect("family type");
            assert!(
                ["counter", "gauge", "histogram"].contains(&kind),
                "unknown type in {line}"
            );
            families.push(name.to_string());
            continue;
        }
        if line.starts_with("# HELP ") {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("sample line");
        value
            .parse::<f64>()
            .unwrap_or_else(|_| panic!("value of {line}"));
        let name = series.split('{').next().unwrap_or("");
        assert!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !name.is_empty(),
            "metric name in {line}"
        );
        if let Some(labels) = series.strip_prefix(name) {
            if !labels.is_empty() {
                assert!(
                    labels.starts_with('{') && labels.ends_with('}') && labels.len() > 2,
                    "labels in {line}"
                );
            }
        }
        let base = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| {
                name.strip_suffix(s)
                    .filter(|b| families.iter().any(|f| f == b))
            })
            .unwrap_or(name);
        assert!(
            families.iter().any(|f| f == base),
            "sample {name} without # TYPE"
        );
    }
}

async fn scrape(app: &TestApp) -> Figures {
    let resp = app
        .http
        .get(app.url("/metrics"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("GET /metrics");
    assert_eq!(resp.status(), 200);
    let ct = content_type(&resp);
    assert!(ct.starts_with("text/plain; version=0.0.4"), "{ct}");
    let text = resp.text().await.expect("body");
    check_strict(&text);
    let parsed = Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).expect("parses");
    let mut out = HashMap::new();
    for s in parsed.samples {
        let mut labels: Vec<(String, String)> = s
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        labels.sort();
        let key = if labels.is_empty() {
            s.metric.clone()
        } else {
            format!(
                "{}{{{}}}",
                s.metric,
                labels
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(",")
            )
        };
        let value = match s.value {
            Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => v,
            // A histogram by its +Inf bucket: the number of observations.
            Value::Histogram(buckets) => buckets
                .iter()
                .find(|b| b.less_than.is_infinite())
                .map(|b| b.count)
                .unwrap_or_else(|| panic!("{key}: no +Inf bucket")),
            Value::Summary(_) => panic!("{key}: no summaries are exported"),
        };
        out.insert(key, value);
    }
    Figures(out)
}

#[tokio::test]
async fn metrics_are_off_without_a_token() {
    let app = spawn_app().await;
    let resp = app.http.get(app.url("/metrics")).send().await.expect("get");
    assert_eq!(resp.status(), 404);
    let resp = app
        .http
        .get(app.url("/metrics"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), 404);
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_parse_and_move_when_a_meeting_runs() {
    let app = spawn_app_with(|s| {
        s.metrics_token = Some(TOKEN.into());
        s.joins_per_minute_per_ip = 2;
        // The server notices a departed SSE client when it next writes (a heartbeat).
        s.heartbeat_ms = 200;
    })
    .await;

    for bad in [None, Some("wrong-token-0123456789")] {
        let mut req = app.http.get(app.url("/metrics"));
        if let Some(t) = bad {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("get");
        assert_eq!(resp.status(), 401, "token {bad:?}");
        assert_eq!(
            resp.headers()["content-type"],
            "application/problem+json",
            "a typed error"
        );
    }

    let before = scrape(&app).await;
    assert_eq!(before.get("borgermode_connections_open{transport=ws}"), 0.0);
    assert_eq!(before.get("borgermode_meetings_live"), 0.0);

    let meeting = app.open_meeting("Metrikmøde").await;
    let anna = app.join(meeting, "Anna").await;
    // Past hello + snapshot before posting, so every post reaches this client live.
    let mut ws = ws_connect_live(&app.ws_url(meeting, None), Some(&anna.token)).await;
    let mut sse = app
        .http
        .get(app.url(&routes::events(&meeting)))
        .send()
        .await
        .expect("sse");
    assert_eq!(sse.status(), 200);
    let _first_chunk = sse.chunk().await.expect("sse chunk");

    const POSTS: u64 = 5;
    let mut last = 0;
    for i in 0..POSTS {
        last = app
            .post(&anna, meeting, "comment", &format!("indlæg {i}"))
            .await;
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match next_frame(&mut ws, Duration::from_secs(10)).await {
            Some(ServerFrame::Event(e)) if e.seq >= last => break,
            Some(_) => {}
            None => panic!("stream ended before seq {last}"),
        }
        assert!(Instant::now() < deadline, "events did not arrive");
    }
    // Joins from this address: Anna's and Bo's fit the limit of 2 per minute, Carl's does not.
    let join = |name: &str| JoinRequest {
        display_name: name.into(),
        age_band: None,
        gender: None,
    };
    app.anonymous().join(meeting, &join("Bo")).await.accepted();
    app.anonymous()
        .join(meeting, &join("Carl"))
        .await
        .refused_status(429);

    let after = scrape(&app).await;
    let moved = |key: &str| after.get(key) - before.get(key);
    println!(
        "metrics moved: committed {} delivered ws {} sse {} lag observations {} appends {} 2xx {} 429 {}",
        moved("borgermode_events_committed_total"),
        moved("borgermode_events_delivered_total{transport=ws}"),
        moved("borgermode_events_delivered_total{transport=sse}"),
        moved("borgermode_fanout_lag_seconds"),
        moved("borgermode_store_latency_seconds{op=append}"),
        moved("borgermode_http_responses_total{class=2xx}"),
        moved("borgermode_rate_limited_total"),
    );
    assert_eq!(after.get("borgermode_connections_open{transport=ws}"), 1.0);
    assert_eq!(after.get("borgermode_connections_open{transport=sse}"), 1.0);
    assert_eq!(after.get("borgermode_meetings_live"), 1.0);
    assert_eq!(after.get("borgermode_watchers"), 2.0);
    // Created + opened + joined + 5 posts, and the second join.
    assert!(moved("borgermode_events_committed_total") >= (POSTS + 4) as f64);
    assert!(moved("borgermode_events_applied_total") >= (POSTS + 4) as f64);
    assert!(moved("borgermode_events_delivered_total{transport=ws}") >= POSTS as f64);
    assert!(moved("borgermode_events_delivered_total{transport=sse}") >= POSTS as f64);
    assert!(moved("borgermode_fanout_lag_seconds") >= (2 * POSTS) as f64);
    assert!(moved("borgermode_store_latency_seconds{op=append}") >= (POSTS + 4) as f64);
    assert!(moved("borgermode_http_responses_total{class=2xx}") >= (POSTS + 4) as f64);
    assert_eq!(moved("borgermode_rate_limited_total"), 1.0);
    assert_eq!(moved("borgermode_http_responses_total{class=4xx}"), 1.0);
    assert_eq!(after.get("borgermode_bus_connected"), 1.0);
    // One instance, the in-process bus: nothing to publish, nothing failed.
    assert_eq!(after.get("borgermode_bus_publish_failures_total"), 0.0);

    // Every metric the Grafana dashboard queries exists.
    let dashboard = include_str!("../../../../deploy/grafana-dashboard.json");
    let exported: Vec<String> = after
        .0
        .keys()
        .map(|k| k.split('{').next().unwrap_or("").to_string())
        .collect();
    let mut used = 0;
    for (i, _) in dashboard.match_indices("borgermode_") {
        let name: String = dashboard[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let family = name.strip_suffix("_bucket").unwrap_or(&name);
        used += 1;
        assert!(
            exported.iter().any(|e| e == family),
            "the dashboard queries {name}, which /metrics does not export"
        );
    }
    assert!(used >= 10, "the dashboard queries borgermode metrics");

    // Closing the streams closes the gauges.
    drop(sse);
    let _ = futures_util::SinkExt::close(&mut ws).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let now = scrape(&app).await;
        if now.get("borgermode_connections_open{transport=ws}") == 0.0
            && now.get("borgermode_connections_open{transport=sse}") == 0.0
        {
            assert_eq!(now.get("borgermode_connections_total{transport=ws}"), 1.0);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "connections still open after the clients left"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.shutdown().await;
}

/// Issue 17's latency breakdown: one comment watched by two WebSocket clients moves every
/// stage histogram of a locally committed event by exactly one, and the stages, all measured
/// from the request's arrival, come in order (commit ≤ ingest ≤ first write ≤ last write).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_stages_grow_by_one_per_event_and_come_in_order() {
    let app = spawn_app_with(|s| s.metrics_token = Some(TOKEN.into())).await;
    let meeting = app.open_meeting("Tidsmøde").await;
    let anna = app.join(meeting, "Anna").await;
    let bo = app.join(meeting, "Bo").await;
    let mut watchers = Vec::new();
    for who in [&anna, &bo] {
        watchers.push(ws_connect_live(&app.ws_url(meeting, None), Some(&who.token)).await);
    }
    let stage = |s: &str| format!("borgermode_event_stage_seconds{{origin=local,stage={s}}}");
    let sum = |s: &str| format!("borgermode_event_stage_seconds_sum{{origin=local,stage={s}}}");
    const STAGES: [&str; 4] = ["commit", "ingest", "first_write", "last_write"];
    let before = scrape(&app).await;

    let seq = app
        .post(&anna, meeting, "comment", "Hvornår åbner svømmehallen?")
        .await;
    for ws in &mut watchers {
        until_event(ws, seq).await;
    }
    // The clients can read the frame a moment before its writer records the write.
    let deadline = Instant::now() + Duration::from_secs(20);
    let after = loop {
        let now = scrape(&app).await;
        if now.get(&stage("last_write")) > before.get(&stage("last_write")) {
            break now;
        }
        assert!(Instant::now() < deadline, "no last write was recorded");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let mut sums = Vec::new();
    for s in STAGES {
        assert_eq!(
            after.get(&stage(s)) - before.get(&stage(s)),
            1.0,
            "stage {s}: one observation for one event"
        );
        sums.push(after.get(&sum(s)) - before.get(&sum(s)));
    }
    println!("stage seconds (from received): {STAGES:?} = {sums:?}");
    assert!(sums[0] > 0.0, "a commit takes time: {sums:?}");
    assert!(
        sums.windows(2).all(|w| w[0] <= w[1]),
        "stages out of order: {STAGES:?} = {sums:?}"
    );
    // Nothing arrived from elsewhere.
    for s in ["first_write", "last_write"] {
        let bus = format!("borgermode_event_stage_seconds{{origin=bus,stage={s}}}");
        assert_eq!(after.get(&bus), before.get(&bus), "{bus}");
    }
    app.shutdown().await;
}

/// An event committed on another instance has no request here: on the instance that only
/// delivers it, it is measured from its ingest (`origin="bus"`, or `"store"` when a gap fill
/// brought it), with first and last write and no local stages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_from_another_instance_is_measured_from_its_ingest() {
    let db = crate::common::pg::TestDb::fresh().await;
    let (a, b) = spawn_pair_on(&db.url, |s| s.metrics_token = Some(TOKEN.into())).await;
    let meeting = a.open_meeting("To instanser").await;
    let olga = a.join(meeting, "Olga").await;
    // B has the meeting live, with a watcher that has everything so far.
    let first = a.post(&olga, meeting, "comment", "Først").await;
    let mut on_b = ws_connect(&b.ws_url(meeting, None), None).await;
    until_event_or_snapshot(&mut on_b, first).await;
    let key = |o: &str, s: &str| format!("borgermode_event_stage_seconds{{origin={o},stage={s}}}");
    let before = scrape(&b).await;

    let seq = a
        .post(&olga, meeting, "comment", "Fra den anden instans")
        .await;
    until_event(&mut on_b, seq).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    let after = loop {
        let now = scrape(&b).await;
        let remote =
            |f: &Figures| f.get(&key("bus", "last_write")) + f.get(&key("store", "last_write"));
        if remote(&now) > remote(&before) {
            break now;
        }
        assert!(Instant::now() < deadline, "B recorded no last write");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let moved = |k: &str| after.get(k) - before.get(k);
    for s in ["first_write", "last_write"] {
        assert_eq!(
            moved(&key("bus", s)) + moved(&key("store", s)),
            1.0,
            "{s}: one remote event"
        );
        assert_eq!(moved(&key("local", s)), 0.0, "{s}: nothing committed on B");
    }
    assert_eq!(moved(&key("local", "commit")), 0.0);
    println!(
        "on B: bus first/last {}/{}, store {}/{}",
        moved(&key("bus", "first_write")),
        moved(&key("bus", "last_write")),
        moved(&key("store", "first_write")),
        moved(&key("store", "last_write"))
    );
    b.shutdown().await;
    a.shutdown().await;
}

/// Reads frames until the client has `seq` (in a snapshot or as an event).
async fn until_event_or_snapshot(ws: &mut crate::common::app::Ws, seq: u64) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match next_frame(ws, Duration::from_secs(10)).await {
            Some(ServerFrame::Snapshot { seq: s, .. }) if s >= seq => return,
            Some(ServerFrame::Event(e)) if e.seq >= seq => return,
            Some(_) => {}
            None => panic!("stream ended before seq {seq}"),
        }
        assert!(Instant::now() < deadline, "seq {seq} did not arrive");
    }
}
