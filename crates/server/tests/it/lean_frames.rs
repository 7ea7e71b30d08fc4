//! Protocol version 2 (`?v=2`, `borgermode_protocol::lean`) against version 1 on the same
//! meeting: every lean `event` frame, expanded with nothing but what the client kept (the
//! authors it was sent, the counters), gives exactly the posts, meeting, staff and participant
//! of the version 1 frame with the same seq, and the counters version 1 shows. Checked for
//! the public and the staff, from the start, from a snapshot taken midway, and for a resume
//! replayed from the store. Also prints (and bounds) the size of a 200-character comment's
//! `post_created` frame in both versions: docs/protocol.md quotes these figures.

use std::collections::BTreeMap;
use std::time::Duration;

use borgermode_domain::{HideReason, MeetingId, PostKind, StaffRole};
use borgermode_protocol::frames::{EventFrame, ServerFrame};
use borgermode_protocol::http::{
    CreatePostRequest, HideRequest, MergeRequest, NoticeRequest, RoomQuestionRequest,
    SettingsPatch, VoteRequest, WrittenAnswerRequest,
};
use borgermode_protocol::lean::{LeanState, V2Frame};
use borgermode_protocol::views::Audience;
use reqwest::Method;

use crate::common::app::{next_text, spawn_app_with, ws_connect, TestApp, Ws};
use crate::common::client::Outcome;
use crate::common::routes;

const T: Duration = Duration::from_secs(10);

fn v2(url: String) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}v=2")
}

/// Every text frame until the event with `last` (and the notice after it, if any has come).
async fn read_until(ws: &mut Ws, last: u64) -> Vec<String> {
    let mut out = Vec::new();
    loop {
        let text = next_text(ws, T).await;
        let done = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .is_some_and(|v| (v["t"] == "event" || v["t"] == "caught_up") && v["seq"] == last);
        out.push(text);
        if done {
            return out;
        }
    }
}

fn v1_events(frames: &[String]) -> BTreeMap<u64, EventFrame> {
    frames
        .iter()
        .filter_map(
            |t| match serde_json::from_str::<ServerFrame>(t).expect("v1 frame") {
                ServerFrame::Event(e) => Some((e.seq, e)),
                _ => None,
            },
        )
        .collect()
}

/// Expand a version 2 stream's events from `state` on (the snapshot's, if the stream has one)
/// and compare each with version 1's frame of the same seq.
fn check_stream(
    what: &str,
    audience: Audience,
    frames: &[String],
    mut state: Option<LeanState>,
    v1: &BTreeMap<u64, EventFrame>,
) -> usize {
    let mut checked = 0;
    for text in frames {
        match V2Frame::parse(text).unwrap_or_else(|e| panic!("{what}: {e}: {text}")) {
            V2Frame::Other(ServerFrame::Hello { protocol, .. }) => {
                assert_eq!(protocol, 2, "{what}: hello says version 2")
            }
            V2Frame::Other(ServerFrame::Snapshot { meeting, posts, .. }) => {
                assert!(
                    posts
                        .iter()
                        .all(|p| p.by.is_some() || p.author.participant_id.is_none()),
                    "{what}: a v2 snapshot numbers its authors"
                );
                state = Some(LeanState::from_snapshot(&meeting, &posts));
            }
            V2Frame::Event(lean) => {
                let state = state.as_mut().expect("a snapshot or a kept state first");
                let mut full = lean
                    .expand(audience, state)
                    .unwrap_or_else(|e| panic!("{what}: seq {}: {e}: {text}", lean.seq));
                let want = v1
                    .get(&lean.seq)
                    .unwrap_or_else(|| panic!("{what}: v1 has seq {}", lean.seq));
                for p in &mut full.posts {
                    p.by = None;
                }
                assert_eq!(
                    full.posts, want.posts,
                    "{what}: seq {} ({}) posts\n{text}",
                    lean.seq, lean.kind
                );
                assert_eq!(
                    full.meeting, want.meeting,
                    "{what}: seq {} meeting",
                    lean.seq
                );
                assert_eq!(full.staff, want.staff, "{what}: seq {} staff", lean.seq);
                assert_eq!(
                    full.participant, want.participant,
                    "{what}: seq {} participant",
                    lean.seq
                );
                assert_eq!(
                    full.redacted, want.redacted,
                    "{what}: seq {} redacted",
                    lean.seq
                );
                if let Some(c) = want.counters {
                    assert_eq!(
                        state.counters, c,
                        "{what}: seq {} ({}) counters",
                        lean.seq, lean.kind
                    );
                }
                checked += 1;
            }
            V2Frame::Other(_) => {}
        }
    }
    checked
}

fn comment(body: &str, parent: Option<u64>) -> CreatePostRequest {
    CreatePostRequest {
        kind: PostKind::Comment,
        body: body.into(),
        parent,
        agenda_item: None,
    }
}

/// A 200-character comment, as the independent harness sent.
fn two_hundred() -> String {
    let s: String =
        "Hvornår bliver cykelstien langs Skolevej færdig, og hvad gør kommunen ved trafikken? "
            .chars()
            .cycle()
            .take(200)
            .collect();
    assert_eq!(s.chars().count(), 200);
    s
}

fn size_of(frames: &[String], seq: u64) -> usize {
    frames
        .iter()
        .find(|t| t.starts_with(&format!("{{\"t\":\"event\",\"seq\":{seq},")))
        .map(String::len)
        .unwrap_or_else(|| panic!("no event {seq}"))
}

#[tokio::test]
async fn lean_frames_expand_to_the_version_1_frames() {
    // A small ring, so that the resume at the end is replayed from the store.
    let app: TestApp = spawn_app_with(|s| s.ring_capacity = 4).await;
    let m: MeetingId = app.open_meeting("Havnen").await;
    app.as_admin()
        .settings(
            m,
            &SettingsPatch {
                keywords: Some(vec!["idiot".into()]),
                ..Default::default()
            },
        )
        .await
        .accepted();
    let moderator = app.staff(m, StaffRole::Moderator, "Mette").await;
    let panelist = app.staff(m, StaffRole::Panelist, "Anne Borgmester").await;
    let karen = app.join(m, "Karen Jensen").await;
    let bo = app.join(m, "Bo").await;

    let url = app.ws_url(m, None);
    let mut public1 = ws_connect(&url, None).await;
    let mut public2 = ws_connect(&v2(url.clone()), None).await;
    let mut staff1 = ws_connect(&url, Some(&moderator.token)).await;
    let mut staff2 = ws_connect(&v2(url.clone()), Some(&moderator.token)).await;
    // Where the public v2 client starts: its snapshot, kept for the resume below.
    let (start_seq, start) = read_until_snapshot(&mut public2).await;

    let body = two_hundred();
    let karen_c = app.as_who(&karen);
    let q = app
        .post(
            &karen,
            m,
            "question",
            "Hvornår starter byggeriet ved havnen?",
        )
        .await;
    let first = karen_c
        .create_post(m, &comment(&body, None))
        .await
        .accepted()
        .seq
        .unwrap();
    let second = karen_c
        .create_post(m, &comment(&body, None))
        .await
        .accepted()
        .seq
        .unwrap();
    // Bo's first post is held: the public never sees him, so his next post must bring his
    // name to the public (not to staff, who saw the held one).
    let held = app
        .as_who(&bo)
        .create_post(m, &comment("Kun en idiot bygger der", Some(q)))
        .await
        .accepted()
        .seq
        .unwrap();
    let bo_visible = app
        .as_who(&bo)
        .create_post(m, &comment("Hvad med parkeringen?", None))
        .await
        .accepted()
        .seq
        .unwrap();
    app.as_who(&moderator).approve(m, held).await.accepted();
    let reply = karen_c
        .create_post(m, &comment("Godt spørgsmål", Some(bo_visible)))
        .await
        .accepted()
        .seq
        .unwrap();
    app.as_who(&bo)
        .vote(m, q, &VoteRequest { up: true })
        .await
        .accepted();
    app.as_who(&moderator)
        .hide(
            m,
            first,
            &HideRequest {
                reason: HideReason::Spam,
                note: Some("nej".into()),
            },
        )
        .await
        .accepted();
    let restore = app
        .as_who(&moderator)
        .raw(Method::POST, &routes::post_restore(&m, &first))
        .send()
        .await
        .expect("restore");
    assert!(restore.status().is_success(), "{}", restore.status());
    let q2 = app
        .post(&bo, m, "question", "Hvor skal bilerne holde?")
        .await;
    app.as_who(&moderator)
        .merge(m, q2, &MergeRequest { into: q })
        .await
        .accepted();
    app.as_who(&panelist).claim(m, q).await.accepted();
    app.as_who(&panelist)
        .answer(
            m,
            q,
            &WrittenAnswerRequest {
                body: "I **marts**.".into(),
            },
        )
        .await
        .accepted();
    let hall = app
        .as_who(&moderator)
        .room_question(
            m,
            &RoomQuestionRequest {
                body: "Og legepladsen?".into(),
                name: Some("Poul fra salen".into()),
            },
        )
        .await
        .accepted()
        .seq
        .unwrap();
    let notice = app
        .as_who(&panelist)
        .notice(
            m,
            &NoticeRequest {
                body: "Faktatjek: der bygges ikke på stranden.".into(),
                pin: true,
            },
        )
        .await
        .accepted()
        .post_id
        .unwrap();
    // After the erasure Bo's name must not come back from a client's table: his posts come
    // with the pseudonym in full, and later frames name him by number again.
    app.as_admin().erase(m, bo.id).await.accepted();
    let last = karen_c
        .create_post(m, &comment("Tak for svaret", Some(q)))
        .await
        .accepted()
        .seq
        .unwrap();

    let p1 = read_until(&mut public1, last).await;
    let p2 = read_until(&mut public2, last).await;
    let s1 = read_until(&mut staff1, last).await;
    let s2 = read_until(&mut staff2, last).await;
    let public_v1 = v1_events(&p1);
    let staff_v1 = v1_events(&s1);
    assert!(public_v1.contains_key(&hall) && staff_v1.contains_key(&notice));
    let n = check_stream(
        "public",
        Audience::Public,
        &p2,
        Some(start.clone()),
        &public_v1,
    );
    assert_eq!(n, public_v1.len(), "every seq compared");
    let n = check_stream("staff", Audience::Staff, &s2, None, &staff_v1);
    assert_eq!(n, staff_v1.len());

    // Bo's first public post brings his name; Karen's second names her by number only.
    let bo_frame = p2
        .iter()
        .find(|t| t.contains(&format!("\"seq\":{bo_visible},")))
        .unwrap();
    assert!(bo_frame.contains("\"name\":\"Bo\""), "{bo_frame}");
    let second_frame = p2
        .iter()
        .find(|t| t.contains(&format!("\"seq\":{second},")))
        .unwrap();
    assert!(!second_frame.contains("Karen"), "{second_frame}");
    let after_erasure = p2.last().unwrap();
    assert!(
        !after_erasure.contains("\"name\":\"Bo\""),
        "{after_erasure}"
    );

    // A snapshot midway, and a resume from the store, both on version 2.
    let mut late = ws_connect(&v2(url.clone()), None).await;
    let late_frames = read_until_hello_snapshot(&mut late).await;
    let mut resumed1 = ws_connect(&app.ws_url(m, Some(start_seq)), None).await;
    let mut resumed2 = ws_connect(&v2(app.ws_url(m, Some(start_seq))), None).await;
    let r1 = read_until(&mut resumed1, last).await;
    let r2 = read_until(&mut resumed2, last).await;
    let replayed_v1 = v1_events(&r1);
    assert_eq!(replayed_v1.len() as u64, last - start_seq);
    let n = check_stream(
        "resume from the store",
        Audience::Public,
        &r2,
        Some(start),
        &replayed_v1,
    );
    assert_eq!(n, replayed_v1.len());
    assert!(
        late_frames.iter().any(|t| t.contains("\"by\":")),
        "a v2 snapshot carries by"
    );

    // The figures docs/protocol.md quotes: a 200-character comment by an author the stream
    // knows (Karen's second), and by one it does not yet (Karen's first).
    let sizes = [
        ("public v1", size_of(&p1, second)),
        ("public v2", size_of(&p2, second)),
        ("staff v1", size_of(&s1, second)),
        ("staff v2", size_of(&s2, second)),
    ];
    eprintln!("post_created, 200 characters (known author): {sizes:?}");
    eprintln!(
        "post_created, 200 characters (Karen's first comment; the author was known from her question): public v1 {} v2 {}",
        size_of(&p1, first),
        size_of(&p2, first)
    );
    eprintln!(
        "post_created, a new author (Bo's first public post): public v1 {} v2 {}",
        size_of(&p1, bo_visible),
        size_of(&p2, bo_visible)
    );
    eprintln!(
        "reply (parent and reply): public v1 {} v2 {}",
        size_of(&p1, reply),
        size_of(&p2, reply)
    );
    for frames in [&p1, &p2, &s2] {
        let text = frames
            .iter()
            .find(|t| t.starts_with(&format!("{{\"t\":\"event\",\"seq\":{second},")))
            .unwrap();
        eprintln!("{text}");
    }
    assert!(
        sizes[1].1 * 2 < sizes[0].1,
        "public v2 under half of v1: {sizes:?}"
    );
    assert!(
        sizes[3].1 * 2 < sizes[2].1,
        "staff v2 under half of v1: {sizes:?}"
    );
    app.shutdown().await;
}

/// Read the hello and snapshot of a fresh v2 stream: the snapshot's seq and the client's
/// state there (kept for the resume).
async fn read_until_snapshot(ws: &mut Ws) -> (u64, LeanState) {
    loop {
        let text = next_text(ws, T).await;
        if let V2Frame::Other(ServerFrame::Snapshot {
            meeting,
            posts,
            seq,
            ..
        }) = V2Frame::parse(&text).unwrap()
        {
            return (seq, LeanState::from_snapshot(&meeting, &posts));
        }
    }
}

async fn read_until_hello_snapshot(ws: &mut Ws) -> Vec<String> {
    let mut out = Vec::new();
    loop {
        let text = next_text(ws, T).await;
        let snapshot = text.starts_with("{\"t\":\"snapshot\"");
        out.push(text);
        if snapshot {
            return out;
        }
    }
}
