//! Durability: idempotent retries (one post per key and caller, also across a restart), a
//! restart on the same SQLite file (history, seq, sessions and votes intact; resume across the
//! restart), and votes (counts, toggling, duplicates, coalesced `votes` frames, and a merge that
//! moves votes to the target question).

use crate::common::routes;

use std::collections::HashMap;
use std::time::Duration;

use crate::common::app::{next_text, spawn_app, spawn_app_on, ws_connect, TestApp, Who, Ws};
use crate::common::client::Outcome;
use borgermode_protocol::frames::ServerFrame;
use borgermode_protocol::http::{
    CommandAck, CreatePostRequest, HideRequest, MeetingStateResponse, MergeRequest, VoteRequest,
    VoteResponse,
};
use borgermode_protocol::views::{PostView, YouView};
use borgermode_protocol::{HideReason, MeetingId, PostKind, StaffRole};
use futures_util::StreamExt;
use reqwest::Method;
use tokio_tungstenite::tungstenite::Message;

const WAIT: Duration = Duration::from_secs(15);

async fn meeting_seq(app: &TestApp, meeting: MeetingId) -> u64 {
    app.anonymous().meeting(meeting).await.accepted().seq
}

async fn public_posts(app: &TestApp, meeting: MeetingId) -> MeetingStateResponse {
    app.anonymous().posts(meeting).await.accepted()
}

async fn staff_posts(app: &TestApp, who: &Who, meeting: MeetingId) -> MeetingStateResponse {
    app.as_who(who).posts(meeting).await.accepted()
}

fn post_by_id(state: &MeetingStateResponse, id: u64) -> &PostView {
    state
        .posts
        .iter()
        .find(|p| p.id == id)
        .unwrap_or_else(|| panic!("post {id} listed"))
}

async fn me(app: &TestApp, who: &Who, meeting: MeetingId) -> YouView {
    // "session still valid": the typed call fails the test on anything but 200.
    app.as_who(who).me(meeting).await.accepted()
}

/// A post with an Idempotency-Key: (status, replayed header, body text).
async fn post_with_key(
    app: &TestApp,
    who: &Who,
    meeting: MeetingId,
    key: &str,
    body: &str,
) -> (u16, bool, String) {
    let question = CreatePostRequest {
        kind: PostKind::Question,
        body: body.into(),
        parent: None,
        agenda_item: None,
    };
    // Raw, for the `Idempotency-Key` header and the replay header in the answer.
    let resp = app
        .as_(who, Method::POST, &routes::posts(&meeting))
        .header("Idempotency-Key", key)
        .json(&question)
        .send()
        .await
        .expect("post");
    let status = resp.status().as_u16();
    let replayed = match resp.headers().get("idempotent-replayed") {
        None => false,
        Some(v) => {
            assert_eq!(v, "true");
            true
        }
    };
    (status, replayed, resp.text().await.expect("body"))
}

async fn vote(app: &TestApp, who: &Who, meeting: MeetingId, post: u64, up: bool) -> VoteResponse {
    let v = app
        .as_who(who)
        .vote(meeting, post, &VoteRequest { up })
        .await
        .accepted();
    assert_eq!(v.post_id, post);
    assert_eq!(v.up, up);
    v
}

/// Next frame of any kind but pongs and presence.
async fn next(ws: &mut Ws) -> ServerFrame {
    loop {
        let text = next_text(ws, WAIT).await;
        match serde_json::from_str(&text).expect("frame parses") {
            ServerFrame::Presence { .. } | ServerFrame::Pong => continue,
            f => return f,
        }
    }
}

async fn hello_and_snapshot(ws: &mut Ws) -> (u64, Vec<PostView>) {
    assert!(matches!(next(ws).await, ServerFrame::Hello { .. }));
    match next(ws).await {
        ServerFrame::Snapshot { seq, posts, .. } => (seq, posts),
        f => panic!("expected snapshot, got {f:?}"),
    }
}

/// Events `from..=last`, exactly once and in order (votes frames in between are skipped).
async fn expect_events(
    ws: &mut Ws,
    from: u64,
    last: u64,
) -> Vec<borgermode_protocol::frames::EventFrame> {
    let mut out = Vec::new();
    let mut want = from;
    while want <= last {
        match next(ws).await {
            ServerFrame::Event(e) => {
                assert_eq!(e.seq, want, "each event once, in order");
                want += 1;
                out.push(e);
            }
            ServerFrame::Votes { .. } => {}
            f => panic!("expected event {want}, got {f:?}"),
        }
    }
    out
}

/// Read `votes` frames until `post` has `count` (the latest value wins, as in a client).
async fn await_votes(ws: &mut Ws, latest: &mut HashMap<u64, u32>, post: u64, count: u32) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while latest.get(&post) != Some(&count) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no votes frame with ({post}, {count}); have {latest:?}"
        );
        if let ServerFrame::Votes { counts } = next(ws).await {
            latest.extend(counts);
        }
    }
}

/// No more `votes` frames for a little while, or only ones that agree with `latest`.
async fn votes_settle(ws: &mut Ws, latest: &mut HashMap<u64, u32>) {
    let deadline = tokio::time::Instant::now() + Duration::from_millis(300);
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => return,
            Ok(Some(Ok(Message::Text(t)))) => match serde_json::from_str(&t).expect("frame parses")
            {
                ServerFrame::Votes { counts } => {
                    for (post, c) in counts {
                        assert_eq!(
                            latest.get(&post),
                            Some(&c),
                            "a later votes frame changed post {post}"
                        );
                    }
                }
                ServerFrame::Presence { .. } => {}
                f => panic!("unexpected {f:?}"),
            },
            Ok(Some(Ok(_))) => {}
            Ok(other) => panic!("stream ended: {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_post_with_the_same_idempotency_key_creates_one_post() {
    let app = spawn_app().await;
    let meeting = app.open_meeting("Svømmehallen").await;
    let anne = app.join(meeting, "Anne").await;
    let bo = app.join(meeting, "Bo").await;
    let mut ws = ws_connect(&app.ws_url(meeting, None), None).await;
    let (s0, _) = hello_and_snapshot(&mut ws).await;
    assert_eq!(meeting_seq(&app, meeting).await, s0);

    // First try: created.
    let (status, replayed, first) = post_with_key(
        &app,
        &anne,
        meeting,
        "retry-1",
        "Hvornår åbner svømmehallen?",
    )
    .await;
    assert_eq!(status, 201, "{first}");
    assert!(!replayed, "a first request is not a replay");
    let ack: CommandAck = serde_json::from_str(&first).expect("ack");
    assert_eq!(ack.post_id, Some(s0 + 1));
    assert_eq!(ack.seq, Some(s0 + 1));

    // The retry (lost ack): the first response, marked as a replay, nothing new.
    let (status, replayed, second) = post_with_key(
        &app,
        &anne,
        meeting,
        "retry-1",
        "Hvornår åbner svømmehallen?",
    )
    .await;
    assert!((200..300).contains(&status), "retry status {status}");
    assert!(replayed, "Idempotent-Replayed: true");
    assert_eq!(second, first, "same response body");
    // Same key, other body: still the first result (the key names the command).
    let (_, replayed, third) =
        post_with_key(&app, &anne, meeting, "retry-1", "Noget helt andet").await;
    assert!(replayed);
    assert_eq!(third, first);
    assert_eq!(
        meeting_seq(&app, meeting).await,
        s0 + 1,
        "the log advanced once"
    );
    let state = public_posts(&app, meeting).await;
    assert_eq!(state.posts.len(), 1);
    assert_eq!(state.posts[0].id, s0 + 1);
    assert_eq!(
        state.posts[0].body.as_deref(),
        Some("Hvornår åbner svømmehallen?")
    );

    // The same key from someone else is a different command.
    let (status, replayed, other) =
        post_with_key(&app, &bo, meeting, "retry-1", "Og hvad koster det?").await;
    assert_eq!(status, 201);
    assert!(!replayed);
    let other: CommandAck = serde_json::from_str(&other).expect("ack");
    assert_eq!(other.post_id, Some(s0 + 2));

    // Eight concurrent tries with one key: one post.
    let tries = futures_util::future::join_all(
        (0..8).map(|_| post_with_key(&app, &anne, meeting, "storm", "Samtidig?")),
    )
    .await;
    let created: Vec<_> = tries.iter().filter(|(_, replayed, _)| !replayed).collect();
    assert_eq!(created.len(), 1, "exactly one try creates: {tries:?}");
    assert_eq!(created[0].0, 201);
    assert!(
        tries
            .iter()
            .all(|(s, _, body)| (200..300).contains(s) && *body == created[0].2),
        "all get the same answer"
    );
    assert_eq!(meeting_seq(&app, meeting).await, s0 + 3);
    assert_eq!(public_posts(&app, meeting).await.posts.len(), 3);

    // The live stream saw three posts, each once.
    let events = expect_events(&mut ws, s0 + 1, s0 + 3).await;
    assert!(events.iter().all(|e| e.kind == "post_created"));
    let deadline = tokio::time::Instant::now() + Duration::from_millis(300);
    while let Ok(Some(Ok(msg))) = tokio::time::timeout_at(deadline, ws.next()).await {
        if let Message::Text(t) = msg {
            let f: ServerFrame = serde_json::from_str(&t).expect("frame");
            assert!(
                !matches!(f, ServerFrame::Event(_)),
                "no event after the three posts: {f:?}"
            );
        }
    }
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_keeps_history_seq_sessions_and_votes() {
    let app = spawn_app().await;
    let meeting = app.open_meeting("Genstart").await;
    let moderator = app.staff(meeting, StaffRole::Moderator, "Mette").await;
    let anne = app.join(meeting, "Anne").await;
    let bo = app.join(meeting, "Bø").await;
    let carl = app.join(meeting, "Carl").await;
    let mut posts = Vec::new();
    for i in 0..12 {
        let who = [&anne, &bo, &carl][i % 3];
        let kind = if i % 2 == 0 { "question" } else { "comment" };
        posts.push(
            app.post(who, meeting, kind, &format!("Indlæg {i}: æøå"))
                .await,
        );
    }
    // Some moderation and votes in the history too.
    let hide = HideRequest {
        reason: HideReason::OffTopic,
        note: Some("Ved siden af".into()),
    };
    app.as_who(&moderator)
        .hide(meeting, posts[1], &hide)
        .await
        .accepted();
    vote(&app, &bo, meeting, posts[0], true).await;
    vote(&app, &carl, meeting, posts[0], true).await;
    let (status, _, keyed) =
        post_with_key(&app, &anne, meeting, "before-restart", "Bliver jeg gemt?").await;
    assert_eq!(status, 201);
    let keyed_ack: CommandAck = serde_json::from_str(&keyed).expect("ack");

    let last = meeting_seq(&app, meeting).await;
    assert_eq!(keyed_ack.seq, Some(last));
    let public_before = public_posts(&app, meeting).await;
    let staff_before = staff_posts(&app, &moderator, meeting).await;
    assert_eq!(post_by_id(&public_before, posts[0]).votes, 2);
    let mut ws = ws_connect(&app.ws_url(meeting, None), None).await;
    let (snap_seq, snap_before) = hello_and_snapshot(&mut ws).await;
    assert_eq!(snap_seq, last);
    drop(ws);

    // Stop, and start a new server on the same file.
    let (dir, db_url) = (app.dir.clone(), app.db_url.clone());
    app.shutdown().await;
    let app = spawn_app_on(dir, db_url, |_| {}).await;

    // The history is intact, as the public and as staff see it.
    let public_after = public_posts(&app, meeting).await;
    assert_eq!(
        public_after, public_before,
        "public view survives the restart"
    );
    assert_eq!(
        staff_posts(&app, &moderator, meeting).await,
        staff_before,
        "staff view survives the restart"
    );
    assert_eq!(meeting_seq(&app, meeting).await, last);
    let mut ws = ws_connect(&app.ws_url(meeting, None), None).await;
    let (seq, snap_after) = hello_and_snapshot(&mut ws).await;
    assert_eq!(seq, last);
    assert_eq!(
        snap_after, snap_before,
        "the snapshot after the restart is the one before"
    );

    // Sessions still work: citizens and staff.
    let you = me(&app, &bo, meeting).await;
    assert_eq!(you.participant_id, bo.id);
    assert_eq!(you.name, "Bø");
    assert_eq!(
        you.voted,
        vec![posts[0]],
        "votes are remembered per participant"
    );
    // The moderator's session survives: the typed call fails the test on anything but 200.
    let queue = app.as_who(&moderator).queue(meeting, "").await.accepted();
    assert_eq!(queue.seq, last);

    // A retry of a command acknowledged before the restart is still a replay.
    let (_, replayed, again) =
        post_with_key(&app, &anne, meeting, "before-restart", "Bliver jeg gemt?").await;
    assert!(replayed, "the idempotency record is durable");
    assert_eq!(again, keyed);
    assert_eq!(meeting_seq(&app, meeting).await, last);

    // Resume across the restart: a client that had seen last-5 gets exactly the rest.
    let mut resumed = ws_connect(&app.ws_url(meeting, Some(last - 5)), None).await;
    assert!(matches!(
        next(&mut resumed).await,
        ServerFrame::Hello { .. }
    ));
    expect_events(&mut resumed, last - 4, last).await;
    // Then the vote counts as of `last` (loaded from the store), then caught_up.
    match next(&mut resumed).await {
        ServerFrame::Votes { counts } => assert_eq!(counts, vec![(posts[0], 2)]),
        f => panic!("expected the vote counts, got {f:?}"),
    }
    match next(&mut resumed).await {
        ServerFrame::CaughtUp { seq } => assert_eq!(seq, last),
        f => panic!("expected caught_up, got {f:?}"),
    }

    // The log goes on where it stopped.
    let next_post = app
        .post(&carl, meeting, "question", "Efter genstarten?")
        .await;
    assert_eq!(next_post, last + 1, "the next post gets the next seq");
    let e = expect_events(&mut ws, last + 1, last + 1).await;
    assert_eq!(
        e[0].posts.last().and_then(|p| p.body.as_deref()),
        Some("Efter genstarten?")
    );
    expect_events(&mut resumed, last + 1, last + 1).await;

    // Votes continue from the stored count; a duplicate from before the restart is a no-op.
    assert_eq!(vote(&app, &bo, meeting, posts[0], true).await.votes, 2);
    // (Anne wrote posts[0]: her own vote would be refused, so a newcomer votes.)
    let dorte = app.join(meeting, "Dorte").await;
    assert_eq!(vote(&app, &dorte, meeting, posts[0], true).await.votes, 3);
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn votes_count_toggle_coalesce_and_follow_a_merge() {
    let app = spawn_app().await;
    let meeting = app.open_meeting("Stemmer").await;
    let moderator = app.staff(meeting, StaffRole::Moderator, "Mette").await;
    let anne = app.join(meeting, "Anne").await;
    let mut voters: Vec<Who> = Vec::new();
    for i in 1..=4 {
        voters.push(app.join(meeting, &format!("Vælger {i}")).await);
    }
    let (p1, p2, p3, p4) = (&voters[0], &voters[1], &voters[2], &voters[3]);
    let q1 = app
        .post(&anne, meeting, "question", "Skal vi have en ny skole?")
        .await;
    let q2 = app
        .post(&anne, meeting, "question", "Kommer der en ny skole?")
        .await;

    let mut ws = ws_connect(&app.ws_url(meeting, None), None).await;
    let (_, _) = hello_and_snapshot(&mut ws).await;
    let mut latest: HashMap<u64, u32> = HashMap::new();

    // Three up-votes at once: the answers count 1, 2, 3 between them.
    let answers =
        futures_util::future::join_all([p1, p2, p3].map(|p| vote(&app, p, meeting, q1, true)))
            .await;
    let mut counts: Vec<u32> = answers.iter().map(|v| v.votes).collect();
    counts.sort_unstable();
    assert_eq!(counts, vec![1, 2, 3]);
    await_votes(&mut ws, &mut latest, q1, 3).await;

    // A duplicate up is a no-op.
    assert_eq!(vote(&app, p1, meeting, q1, true).await.votes, 3);
    // Toggling off counts down, twice is a no-op.
    assert_eq!(vote(&app, p2, meeting, q1, false).await.votes, 2);
    assert_eq!(vote(&app, p2, meeting, q1, false).await.votes, 2);
    await_votes(&mut ws, &mut latest, q1, 2).await;
    votes_settle(&mut ws, &mut latest).await;
    assert_eq!(post_by_id(&public_posts(&app, meeting).await, q1).votes, 2);
    assert_eq!(me(&app, p2, meeting).await.voted, Vec::<u64>::new());

    // Q1: p1, p3. Q2: p1, p4.
    assert_eq!(vote(&app, p1, meeting, q2, true).await.votes, 1);
    assert_eq!(vote(&app, p4, meeting, q2, true).await.votes, 2);
    await_votes(&mut ws, &mut latest, q2, 2).await;
    let mut voted = me(&app, p1, meeting).await.voted;
    voted.sort_unstable();
    assert_eq!(voted, vec![q1, q2]);

    // Merge Q2 into Q1: the votes move; p1, who voted for both, keeps one.
    app.as_who(&moderator)
        .merge(meeting, q2, &MergeRequest { into: q1 })
        .await
        .accepted();
    let state = public_posts(&app, meeting).await;
    assert_eq!(post_by_id(&state, q1).votes, 3, "p1, p3 and p4");
    assert_eq!(post_by_id(&state, q2).votes, 0);
    assert_eq!(
        post_by_id(&state, q2)
            .question
            .as_ref()
            .and_then(|q| q.merged_into),
        Some(q1)
    );
    assert_eq!(
        post_by_id(&state, q1)
            .question
            .as_ref()
            .map(|q| q.merged_from.clone()),
        Some(vec![q2])
    );
    assert_eq!(me(&app, p1, meeting).await.voted, vec![q1]);
    assert_eq!(me(&app, p4, meeting).await.voted, vec![q1]);
    assert_eq!(me(&app, p3, meeting).await.voted, vec![q1]);

    // The live client hears about the merge and the new counts.
    let mut merged_seen = false;
    let deadline = tokio::time::Instant::now() + WAIT;
    while !(merged_seen
        && latest.get(&q1) == Some(&3)
        && latest.get(&q2).copied().unwrap_or(0) == 0)
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "merge and counts not seen: {latest:?}"
        );
        match next(&mut ws).await {
            ServerFrame::Event(e) if e.kind == "question_merged" => merged_seen = true,
            ServerFrame::Votes { counts } => latest.extend(counts),
            ServerFrame::Event(_) | ServerFrame::Notice(_) => {}
            f => panic!("unexpected {f:?}"),
        }
    }
    votes_settle(&mut ws, &mut latest).await;

    // The moved rows are real rows: p4 can take the moved vote back, p1 has exactly one.
    assert_eq!(vote(&app, p4, meeting, q1, false).await.votes, 2);
    assert_eq!(vote(&app, p1, meeting, q1, false).await.votes, 1);
    assert_eq!(vote(&app, p1, meeting, q1, false).await.votes, 1);
    await_votes(&mut ws, &mut latest, q1, 1).await;

    // A merged question takes no votes.
    let refused = app
        .as_who(p2)
        .vote(meeting, q2, &VoteRequest { up: true })
        .await
        .expect_err("a vote on a merged question");
    assert!(
        (400..500).contains(&refused.status),
        "vote on a merged question: {refused:?}"
    );
    assert_eq!(post_by_id(&public_posts(&app, meeting).await, q2).votes, 0);
    app.shutdown().await;
}
