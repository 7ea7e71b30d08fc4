//! Group commit (`live/room/commit.rs`) as clients meet it: a burst of joins and posts from
//! many citizens commits in fewer store commits than commands, and nothing is lost, doubled or
//! credited to the wrong person. Every acknowledged post reaches the stream once, in seq order,
//! under its author's name with its body; a retry racing its own first request (the same
//! Idempotency-Key, as a phone on a bad network sends) gets the first answer and posts nothing;
//! and the same holds with two instances writing one log.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use borgermode_protocol::frames::ServerFrame;
use borgermode_protocol::MeetingId;
use futures_util::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::app::{next_frame, spawn_app, spawn_pair_on, ws_connect_live, TestApp, Who, Ws};
use crate::common::client::Outcome;
use crate::common::routes;

const CITIZENS: usize = 120;

/// Join `CITIZENS` citizens at once, citizen `i` through `apps[i % apps.len()]`.
async fn join_all_at_once(apps: &[&TestApp], meeting: MeetingId) -> Vec<Who> {
    let names: Vec<String> = (0..CITIZENS).map(|i| format!("Borger {i}")).collect();
    join_all(
        names
            .iter()
            .enumerate()
            .map(|(i, name)| apps[i % apps.len()].join(meeting, name)),
    )
    .await
}

/// Every citizen posts once, all at once, with an Idempotency-Key; every third sends the same
/// request twice at the same moment. Returns each citizen's post id, after checking that both
/// copies of a doubled request got the same post.
async fn burst_of_posts(apps: &[&TestApp], meeting: MeetingId, citizens: &[Who]) -> Vec<u64> {
    let send = |i: usize| {
        let app = apps[i % apps.len()];
        let who = &citizens[i];
        async move {
            let resp = app
                .as_(who, Method::POST, &routes::posts(&meeting))
                .header("idempotency-key", format!("burst-{i}"))
                .json(&json!({"kind": "question", "body": format!("Spørgsmål fra borger {i}")}))
                .send()
                .await
                .expect("post");
            let status = resp.status().as_u16();
            let body: Value = resp.json().await.expect("ack");
            assert!(
                status == 201 || status == 200,
                "citizen {i}: {status} {body}"
            );
            (i, body["post_id"].as_u64().expect("post_id"))
        }
    };
    let requests = (0..CITIZENS).chain((0..CITIZENS).step_by(3));
    let answers = join_all(requests.map(send)).await;
    let mut post_of: HashMap<usize, u64> = HashMap::new();
    for (i, post) in answers {
        if let Some(first) = post_of.insert(i, post) {
            assert_eq!(first, post, "citizen {i}'s retry got another post");
        }
    }
    (0..CITIZENS).map(|i| post_of[&i]).collect()
}

/// Read `ws` until every post in `posts` has come; checks that seqs rise by one and that each
/// post comes once, under its author's name. Returns the post ids in stream order.
async fn read_posts(ws: &mut Ws, after: u64, posts: &BTreeMap<u64, usize>) -> Vec<u64> {
    let mut seen = Vec::new();
    let mut last = after;
    while seen.len() < posts.len() {
        match next_frame(ws, Duration::from_secs(20)).await {
            // An instance that snapshotted before the last joins reached it sends those first.
            Some(ServerFrame::Event(e)) if e.seq <= after => {}
            Some(ServerFrame::Event(e)) => {
                assert_eq!(e.seq, last + 1, "a gap or a repeat in the stream");
                last = e.seq;
                if e.kind != "post_created" {
                    continue;
                }
                let view = e.posts.last().expect("the new post");
                let Some(citizen) = posts.get(&view.id) else {
                    panic!("post {} was never acknowledged", view.id);
                };
                assert_eq!(view.author.name, format!("Borger {citizen}"));
                assert_eq!(
                    view.body.as_deref(),
                    Some(format!("Spørgsmål fra borger {citizen}").as_str())
                );
                assert!(!seen.contains(&view.id), "post {} came twice", view.id);
                seen.push(view.id);
            }
            Some(_) => {}
            None => panic!(
                "the stream ended after {} of {} posts",
                seen.len(),
                posts.len()
            ),
        }
    }
    seen
}

fn groups(apps: &[&TestApp]) -> (u64, u64) {
    apps.iter().fold((0, 0), |(g, c), app| {
        let (groups, commands) = app.state.metrics.command_groups();
        (g + groups, c + commands)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_commits_in_groups_and_every_post_arrives_once_under_its_author() {
    let app = spawn_app().await;
    let meeting = app.open_meeting("Skolestruktur").await;
    let start = groups(&[&app]);
    let citizens = join_all_at_once(&[&app], meeting).await;
    let mut ids: Vec<_> = citizens.iter().map(|c| c.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), CITIZENS, "every join is its own participant");
    let joined = groups(&[&app]);

    let seq = app.anonymous().meeting(meeting).await.accepted().seq;
    let mut ws = ws_connect_live(&app.ws_url(meeting, None), None).await;
    let began = Instant::now();
    let posts = burst_of_posts(&[&app], meeting, &citizens).await;
    let took = began.elapsed();
    let after = groups(&[&app]);
    let by_post: BTreeMap<u64, usize> = posts.iter().enumerate().map(|(i, p)| (*p, i)).collect();
    assert_eq!(by_post.len(), CITIZENS, "two citizens were given one post");
    let order = read_posts(&mut ws, seq, &by_post).await;
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(
        order, sorted,
        "posts come in the order of their ids (their seqs)"
    );

    let (join_groups, join_commands) = (joined.0 - start.0, joined.1 - start.1);
    let (post_groups, post_commands) = (after.0 - joined.0, after.1 - joined.1);
    eprintln!(
        "{CITIZENS} joins in {join_groups} commits; {CITIZENS} posts (+{} repeats) in \
         {post_groups} commits, {took:?}",
        CITIZENS.div_ceil(3)
    );
    assert_eq!(join_commands, CITIZENS as u64);
    assert_eq!(
        post_commands, CITIZENS as u64,
        "a repeat was committed again"
    );
    assert!(
        post_groups < post_commands && join_groups < join_commands,
        "no command shared a commit: joins {join_groups}/{join_commands}, posts {post_groups}/{post_commands}"
    );

    // The log as a late reader gets it: the same posts, once each.
    let state = app.anonymous().posts(meeting).await.accepted();
    let mut listed: Vec<u64> = state.posts.iter().map(|p| p.id).collect();
    listed.sort();
    assert_eq!(listed, sorted);
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bursts_through_two_instances_make_one_gapless_log() {
    let db = crate::common::pg::TestDb::fresh().await;
    let (a, b) = spawn_pair_on(&db.url, |_| {}).await;
    let meeting = a.open_meeting("Skolestruktur").await;
    let citizens = join_all_at_once(&[&a, &b], meeting).await;
    let seq = a.anonymous().meeting(meeting).await.accepted().seq;
    let mut on_a = ws_connect_live(&a.ws_url(meeting, None), None).await;
    let mut on_b = ws_connect_live(&b.ws_url(meeting, None), None).await;
    let start = groups(&[&a, &b]);
    let posts = burst_of_posts(&[&a, &b], meeting, &citizens).await;
    let after = groups(&[&a, &b]);
    let by_post: BTreeMap<u64, usize> = posts.iter().enumerate().map(|(i, p)| (*p, i)).collect();
    assert_eq!(by_post.len(), CITIZENS, "two citizens were given one post");
    let seen_a = read_posts(&mut on_a, seq, &by_post).await;
    let seen_b = read_posts(&mut on_b, seq, &by_post).await;
    assert_eq!(seen_a, seen_b, "both instances tell the same story");
    eprintln!(
        "{CITIZENS} posts through two instances in {} commits",
        after.0 - start.0
    );
    assert_eq!(
        after.1 - start.1,
        CITIZENS as u64,
        "a repeat was committed again"
    );
    a.shutdown().await;
    b.shutdown().await;
}

/// A moderator's hide sent twice at once with one Idempotency-Key (a console on a bad
/// network): the repeat may be decided after the first committed, where hiding again changes
/// nothing, and must still get the first answer, not "nothing changed".
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_repeat_racing_its_first_request_gets_the_first_answer() {
    let app = spawn_app().await;
    let meeting = app.open_meeting("Skolestruktur").await;
    let moderator = app
        .staff(
            meeting,
            borgermode_protocol::StaffRole::Moderator,
            "Mette Mod",
        )
        .await;
    let anne = app.join(meeting, "Anne").await;
    let mut posts = Vec::new();
    for i in 0..20 {
        posts.push(
            app.post(&anne, meeting, "comment", &format!("Indlæg {i}"))
                .await,
        );
    }
    let hide = |post: u64| {
        let request = app
            .as_(
                &moderator,
                Method::POST,
                &routes::post_hide(&meeting, &post),
            )
            .header("idempotency-key", format!("hide-{post}"))
            .json(&json!({"reason": "abusive"}));
        async move {
            let resp = request.send().await.expect("hide");
            let status = resp.status().as_u16();
            let body: Value = resp.json().await.expect("ack");
            (status, body)
        }
    };
    for post in posts {
        let (first, second) = tokio::join!(hide(post), hide(post));
        assert!(first.0 < 300 && second.0 < 300, "{first:?} {second:?}");
        assert!(first.1["seq"].is_u64(), "post {post}: {first:?}");
        assert_eq!(
            first.1["seq"], second.1["seq"],
            "post {post}: {first:?} {second:?}"
        );
    }
    app.shutdown().await;
}
