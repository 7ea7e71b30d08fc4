//! "Has someone asked this already?" across instances (issue 18): each instance keeps its own
//! similar-questions index per meeting, fed by the events its room applies, so what one
//! instance commits must reach the other's suggestions through the bus (or the gap fill), and
//! leave them again the same way. Two real `borgermode` processes over one PostgreSQL and one
//! Redis: a question posted on A is suggested by B's `/similar`; hidden on A, it leaves B's
//! suggestions; restored and then its author erased (GDPR) on A, B no longer suggests it.
//! Deadlines are generous (a loaded machine); the time each step took is printed.

use std::time::{Duration, Instant};

use crate::common::cluster::{unique_prefix, Instance, ADMIN_TOKEN};
use crate::common::fleet::*;
use crate::common::pg::TestDb;
use crate::common::routes;
use borgermode_protocol::http::{CommandAck, SimilarResponse};
use serde_json::json;
use uuid::Uuid;

const ASKED: &str = "Hvad er tidsplanen for byggeriet ved havnen?";
const TYPED: &str = "Hvornår starter byggeriet på havnen?";
const DEADLINE: Duration = Duration::from_secs(30);

/// The ids B suggests for `TYPED`, as a citizen of B sees them.
async fn suggested(http: &reqwest::Client, base: &str, meeting: Uuid, token: &str) -> Vec<u64> {
    let resp = http
        .get(routes::url(base, &routes::similar(&meeting)))
        .query(&[("text", TYPED)])
        .bearer_auth(token)
        .send()
        .await
        .expect("similar");
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    assert_eq!(status, 200, "similar: {text}");
    let found: SimilarResponse = serde_json::from_str(&text).expect("similar json");
    found.questions.iter().map(|q| q.id).collect()
}

/// Ask B until `want` holds of its suggestions; how long that took.
async fn until(
    what: &str,
    http: &reqwest::Client,
    base: &str,
    meeting: Uuid,
    token: &str,
    want: impl Fn(&[u64]) -> bool,
) -> Duration {
    let start = Instant::now();
    loop {
        let ids = suggested(http, base, meeting, token).await;
        if want(&ids) {
            let took = start.elapsed();
            eprintln!("cluster similar: {what} after {} ms", took.as_millis());
            return took;
        }
        assert!(
            start.elapsed() < DEADLINE,
            "{what}: not within {DEADLINE:?}; B suggests {ids:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn command(
    http: &reqwest::Client,
    base: &str,
    route: &str,
    token: &str,
    body: serde_json::Value,
) {
    let resp = http
        .post(routes::url(base, route))
        .bearer_auth(token)
        .header("Idempotency-Key", Uuid::new_v4().to_string())
        .json(&body)
        .send()
        .await
        .expect("command");
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    assert!(status.is_success(), "{route}: {status} {text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_index_follows_posts_hides_and_erasures_across_instances() {
    let db = TestDb::fresh().await;
    let prefix = unique_prefix();
    // The machine's Redis, isolated by the test's own channel prefix.
    let redis = "redis://127.0.0.1:6379";
    // The test polls B's `/similar` until it agrees: no rate limit in the way of a slow run.
    let args = ["--seq-check-ms", "2000", "--similar-per-minute", "100000"];
    let (a, b) = tokio::join!(
        Instance::start(&db.url, redis, &prefix, &args),
        Instance::start(&db.url, redis, &prefix, &args)
    );
    let http = http();
    let meeting = open_meeting(&http, &a.base, "Havnen, to instanser").await;
    let author = join(&http, &a.base, meeting, "Anne").await;
    let author_id = participant_id(&http, &a.base, meeting, &author).await;
    let reader = join(&http, &b.base, meeting, "Bo").await;
    let (_, moderator) = staff_session(&http, &a.base, meeting, "moderator", "Mette").await;

    // B's index is empty before A takes the question.
    assert!(suggested(&http, &b.base, meeting, &reader).await.is_empty());
    let resp = http
        .post(routes::url(&a.base, &routes::posts(&meeting)))
        .bearer_auth(&author)
        .header("Idempotency-Key", Uuid::new_v4().to_string())
        .json(&json!({ "kind": "question", "body": ASKED }))
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), 201);
    let asked = resp
        .json::<CommandAck>()
        .await
        .expect("ack")
        .post_id
        .expect("post id");

    let posted = until(
        "posted on A, suggested by B",
        &http,
        &b.base,
        meeting,
        &reader,
        |ids| ids == [asked],
    )
    .await;

    command(
        &http,
        &a.base,
        &routes::post_hide(&meeting, &asked),
        &moderator,
        json!({ "reason": "off_topic" }),
    )
    .await;
    let hidden = until(
        "hidden on A, gone from B",
        &http,
        &b.base,
        meeting,
        &reader,
        |ids| ids.is_empty(),
    )
    .await;

    command(
        &http,
        &a.base,
        &routes::post_restore(&meeting, &asked),
        &moderator,
        json!({}),
    )
    .await;
    let restored = until(
        "restored on A, back on B",
        &http,
        &b.base,
        meeting,
        &reader,
        |ids| ids == [asked],
    )
    .await;

    command(
        &http,
        &a.base,
        &routes::erase(&meeting, &author_id),
        ADMIN_TOKEN,
        json!({}),
    )
    .await;
    let erased = until(
        "author erased on A, gone from B",
        &http,
        &b.base,
        meeting,
        &reader,
        |ids| ids.is_empty(),
    )
    .await;
    eprintln!(
        "cluster similar: posted {} ms, hidden {} ms, restored {} ms, erased {} ms",
        posted.as_millis(),
        hidden.as_millis(),
        restored.as_millis(),
        erased.as_millis()
    );
    drop((a, b));
}
