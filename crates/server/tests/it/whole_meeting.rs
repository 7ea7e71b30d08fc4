//! The acceptance scenario: an organizer, a citizen, a panelist and a moderator run a whole
//! meeting through the HTTP API, each watching one WebSocket, as docs/protocol.md describes:
//! intake before the meeting, pre-moderation, answers written and live, a dismissal, a merge,
//! a hidden post, a pinned notice, "now on air", and closing. Along the way it checks what the
//! public may and may not see, and that personal notices reach only their person.

use crate::common::routes;

use std::time::Duration;

use crate::common::app::{next_frame, spawn_app, ws_connect, TestApp, Who, Ws};
use borgermode_protocol::frames::{EventFrame, NoticeFrame, ServerFrame};
use borgermode_protocol::views::PostStatus;
use borgermode_protocol::{MeetingId, NoticeKind, StaffRole};
use reqwest::Method;
use serde_json::json;

const WAIT: Duration = Duration::from_secs(15);

/// One live client: everything it received, in order.
struct Watcher {
    ws: Ws,
    events: Vec<EventFrame>,
    notices: Vec<NoticeFrame>,
    last_seq: u64,
}

impl Watcher {
    async fn open(app: &TestApp, meeting: MeetingId, token: Option<&str>) -> Watcher {
        let mut ws = ws_connect(&app.ws_url(meeting, None), token).await;
        let mut last_seq = 0;
        for _ in 0..2 {
            match next_frame(&mut ws, WAIT).await.expect("start frames") {
                ServerFrame::Snapshot { seq, .. } => last_seq = seq,
                ServerFrame::Hello { .. } => {}
                other => panic!("unexpected start frame {other:?}"),
            }
        }
        Watcher {
            ws,
            events: Vec::new(),
            notices: Vec::new(),
            last_seq,
        }
    }

    /// Read until the event with `seq` has arrived (checking order and gaps on the way).
    async fn until(&mut self, seq: u64) {
        while self.last_seq < seq {
            match next_frame(&mut self.ws, WAIT)
                .await
                .expect("frame before timeout")
            {
                ServerFrame::Event(e) => {
                    assert_eq!(e.seq, self.last_seq + 1, "gap or duplicate");
                    self.last_seq = e.seq;
                    self.events.push(e);
                }
                ServerFrame::Notice(n) => self.notices.push(n),
                _ => {}
            }
        }
        // A notice follows its event immediately; give it a moment to arrive.
        while let Some(f) = next_frame(&mut self.ws, Duration::from_millis(150)).await {
            match f {
                ServerFrame::Notice(n) => self.notices.push(n),
                ServerFrame::Event(e) => {
                    assert_eq!(e.seq, self.last_seq + 1);
                    self.last_seq = e.seq;
                    self.events.push(e);
                }
                _ => {}
            }
        }
    }

    fn event(&self, seq: u64) -> &EventFrame {
        self.events
            .iter()
            .find(|e| e.seq == seq)
            .expect("event seen")
    }
}

async fn cmd(
    app: &TestApp,
    who: &Who,
    method: Method,
    path: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let resp = app
        .as_(who, method, path)
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(serde_json::Value::Null))
}

fn seq_of(v: &serde_json::Value) -> u64 {
    v["seq"].as_u64().expect("seq in ack")
}

#[tokio::test]
async fn a_whole_meeting_from_intake_to_close() {
    let app = spawn_app().await;
    let m = app.create_meeting("Fremtidens havn").await;
    let r = app
        .admin(Method::POST, &routes::schedule(&m))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let panelist = app.staff(m, StaffRole::Panelist, "Anne Borgmester").await;
    let moderator = app.staff(m, StaffRole::Moderator, "Mette Mødeleder").await;
    let citizen = app.join(m, "Bo").await;
    let other = app.join(m, "Carla").await;

    let mut public = Watcher::open(&app, m, None).await;
    let mut mine = Watcher::open(&app, m, Some(&citizen.token)).await;
    let mut staff = Watcher::open(&app, m, Some(&moderator.token)).await;

    // Intake: a question before the meeting opens is accepted, a comment is not.
    let q1 = app
        .post(&citizen, m, "question", "Hvornår begynder byggeriet?")
        .await;
    let (status, body) = cmd(
        &app,
        &citizen,
        Method::POST,
        &routes::posts(&m),
        json!({"kind":"comment","body":"hej"}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("meeting_not_open"))
    );

    let r = app
        .admin(Method::POST, &routes::open(&m))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // Pre-moderation: the held post is a redacted frame for the public, full for staff, and a
    // notice for its author only.
    let (_, ack) = cmd(
        &app,
        &moderator,
        Method::PATCH,
        &routes::settings(&m),
        json!({"premoderation": true}),
    )
    .await;
    let (status, ack2) = cmd(
        &app,
        &citizen,
        Method::POST,
        &routes::posts(&m),
        json!({"kind":"question","body":"Hvad koster det?"}),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(ack2["status"], "pending");
    let held = ack2["post_id"].as_u64().unwrap();
    assert!(seq_of(&ack) < held);
    public.until(held).await;
    mine.until(held).await;
    staff.until(held).await;
    assert!(
        public.event(held).redacted && public.event(held).posts.is_empty(),
        "held post leaked to the public"
    );
    assert_eq!(
        staff.event(held).posts[0].body.as_deref(),
        Some("Hvad koster det?")
    );
    assert!(mine
        .notices
        .iter()
        .any(|n| n.kind == NoticeKind::PostHeld && n.post.as_ref().map(|p| p.id) == Some(held)));
    assert!(
        public.notices.is_empty() && staff.notices.is_empty(),
        "notices are personal"
    );
    let (status, ack) = cmd(
        &app,
        &moderator,
        Method::POST,
        &routes::post_approve(&m, &held),
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    let approved = seq_of(&ack);
    public.until(approved).await;
    let shown = &public.event(approved).posts[0];
    assert_eq!(
        (shown.id, shown.status.clone(), shown.body.as_deref()),
        (held, PostStatus::Visible, Some("Hvad koster det?"))
    );
    cmd(
        &app,
        &moderator,
        Method::PATCH,
        &routes::settings(&m),
        json!({"premoderation": false}),
    )
    .await;

    // The panelist claims and answers in writing, with a link; the asker hears about it.
    let (status, _) = cmd(
        &app,
        &panelist,
        Method::POST,
        &routes::claim(&m, &q1),
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = cmd(
        &app,
        &moderator,
        Method::POST,
        &routes::claim(&m, &q1),
        json!({}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("already_claimed"))
    );
    let (status, ack) = cmd(&app, &panelist, Method::POST, &routes::answer(&m, &q1),
        json!({"body": "Til foråret. Se [planen](https://www.example.org/plan) <script>alert(1)</script>"})).await;
    assert_eq!(status, 200);
    let answered = seq_of(&ack);
    public.until(answered).await;
    mine.until(answered).await;
    let answer = public.event(answered).posts[0]
        .question
        .as_ref()
        .unwrap()
        .answer
        .clone()
        .unwrap();
    assert_eq!(answer.mode, "written");
    let html = answer.html.unwrap();
    assert!(
        html.contains("href=\"https://www.example.org/plan\"") && !html.contains("<script"),
        "{html}"
    );
    assert!(answer.by.verified);
    assert!(mine.notices.iter().any(
        |n| n.kind == NoticeKind::QuestionAnswered && n.post.as_ref().map(|p| p.id) == Some(q1)
    ));

    // A duplicate is merged into the answered-by-live question; a question is dismissed.
    let q3 = app
        .post(&other, m, "question", "Hvornår starter byggeriet?")
        .await;
    let q4 = app
        .post(&other, m, "question", "Kan vi få en badebro?")
        .await;
    let (status, _) = cmd(
        &app,
        &moderator,
        Method::POST,
        &routes::merge(&m, &q3),
        json!({"into": held}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = cmd(
        &app,
        &moderator,
        Method::PUT,
        &routes::on_air(&m),
        json!({"post": held}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = cmd(
        &app,
        &panelist,
        Method::POST,
        &routes::answer_live(&m, &held),
        json!({"note": "Besvaret i salen"}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = cmd(
        &app,
        &panelist,
        Method::POST,
        &routes::dismiss(&m, &q4),
        json!({"reason": "Uden for emnet"}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("forbidden")),
        "panelists cannot dismiss"
    );
    let (status, ack) = cmd(
        &app,
        &moderator,
        Method::POST,
        &routes::dismiss(&m, &q4),
        json!({"reason": "Uden for emnet"}),
    )
    .await;
    assert_eq!(status, 200);
    let dismissed = seq_of(&ack);
    public.until(dismissed).await;
    let counters = public.event(dismissed).counters.expect("counters");
    // q1 written, held live (with q3 merged into it), q4 dismissed: answered 2 of 3.
    assert_eq!(
        (counters.answered, counters.questions, counters.dismissed),
        (2, 3, 1)
    );

    // A hall question and a pinned notice.
    let (status, _) = cmd(
        &app,
        &moderator,
        Method::POST,
        &routes::room_questions(&m),
        json!({"body": "Parkering?", "name": "Hans"}),
    )
    .await;
    assert_eq!(status, 201);
    let (status, ack) = cmd(
        &app,
        &panelist,
        Method::POST,
        &routes::notices(&m),
        json!({"body": "Myte: havnen lukker ikke.", "pin": true}),
    )
    .await;
    assert_eq!(status, 201);
    let pinned = seq_of(&ack);
    public.until(pinned).await;
    assert_eq!(
        public.event(pinned).meeting.as_ref().unwrap().pinned_notice,
        Some(pinned - 1)
    );

    // Hiding: the public sees a tombstone with the reason and never the body; staff keep it.
    let c = app
        .post(&other, m, "comment", "Noget grimt om naboen")
        .await;
    let (status, ack) = cmd(
        &app,
        &moderator,
        Method::POST,
        &routes::post_hide(&m, &c),
        json!({"reason": "abusive", "note": "personangreb"}),
    )
    .await;
    assert_eq!(status, 200);
    let hidden = seq_of(&ack);
    public.until(hidden).await;
    staff.until(hidden).await;
    let tomb = &public.event(hidden).posts[0];
    assert_eq!(tomb.status, PostStatus::Hidden);
    assert_eq!(tomb.body, None);
    assert_eq!(tomb.moderation_note, None);
    assert_eq!(serde_json::to_value(tomb.hidden_reason).unwrap(), "abusive");
    assert_eq!(
        staff.event(hidden).posts[0].body.as_deref(),
        Some("Noget grimt om naboen")
    );
    let snapshot: serde_json::Value = app
        .http
        .get(app.url(&routes::posts(&m)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        !snapshot.to_string().contains("Noget grimt"),
        "hidden body in the public view"
    );

    // Mute and ban.
    let (status, _) = cmd(
        &app,
        &moderator,
        Method::POST,
        &routes::mute(&m, &other.id),
        json!({"minutes": 10}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = cmd(
        &app,
        &other,
        Method::POST,
        &routes::posts(&m),
        json!({"kind":"comment","body":"igen"}),
    )
    .await;
    assert_eq!((status, body["code"].as_str()), (403, Some("muted")));
    let (status, _) = cmd(
        &app,
        &moderator,
        Method::POST,
        &routes::ban(&m, &other.id),
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = cmd(
        &app,
        &other,
        Method::POST,
        &routes::posts(&m),
        json!({"kind":"comment","body":"igen"}),
    )
    .await;
    assert_eq!((status, body["code"].as_str()), (403, Some("banned")));

    // Close: posting is refused with meeting_closed; the record stays readable.
    let r = app
        .admin(Method::POST, &routes::close(&m))
        .send()
        .await
        .unwrap();
    let close_seq = seq_of(&r.json().await.unwrap());
    let (status, body) = cmd(
        &app,
        &citizen,
        Method::POST,
        &routes::posts(&m),
        json!({"kind":"question","body":"for sent?"}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("meeting_closed"))
    );
    public.until(close_seq).await;
    staff.until(close_seq).await;
    assert_eq!(
        public.events.len(),
        staff.events.len(),
        "every seq reaches every audience"
    );
    // Age band and gender never travel; the public never saw a join's content.
    for e in &public.events {
        let text = serde_json::to_string(e).unwrap();
        assert!(
            !text.contains("age_band") && !text.contains("gender"),
            "{text}"
        );
        if e.kind == "participant_joined" {
            assert!(e.redacted);
        }
    }
    app.shutdown().await;
}
