//! The acceptance scenario: an organizer, a citizen, a panelist and a moderator run a whole
//! meeting through the HTTP API, each watching one WebSocket, as docs/protocol.md describes:
//! intake before the meeting, pre-moderation, answers written and live, a dismissal, a merge,
//! a hidden post, a pinned notice, "now on air", and closing. Along the way it checks what the
//! public may and may not see, and that personal notices reach only their person.

use crate::common::routes;

use std::time::Duration;

use crate::common::app::{next_frame, spawn_app, ws_connect, TestApp, Ws};
use crate::common::client::Outcome;
use borgermode_protocol::frames::{EventFrame, NoticeFrame, ServerFrame};
use borgermode_protocol::http::{
    BanRequest, CommandAck, CreatePostRequest, DismissRequest, HideRequest, LiveAnswerRequest,
    MergeRequest, MuteRequest, NoticeRequest, OnAirRequest, RoomQuestionRequest, SettingsPatch,
    WrittenAnswerRequest,
};
use borgermode_protocol::views::PostStatus;
use borgermode_protocol::{HideReason, MeetingId, NoticeKind, PostKind, StaffRole};

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

fn seq_of(ack: CommandAck) -> u64 {
    ack.seq.expect("seq in ack")
}

fn post(kind: PostKind, body: &str) -> CreatePostRequest {
    CreatePostRequest {
        kind,
        body: body.into(),
        parent: None,
        agenda_item: None,
    }
}

fn premoderation(on: bool) -> SettingsPatch {
    SettingsPatch {
        premoderation: Some(on),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_whole_meeting_from_intake_to_close() {
    let app = spawn_app().await;
    let m = app.create_meeting("Fremtidens havn").await;
    let admin = app.as_admin();
    admin.schedule(&m).await.accepted();
    let panelist = app.staff(m, StaffRole::Panelist, "Anne Borgmester").await;
    let moderator = app.staff(m, StaffRole::Moderator, "Mette Mødeleder").await;
    let citizen = app.join(m, "Bo").await;
    let other = app.join(m, "Carla").await;
    let (as_panelist, as_moderator) = (app.as_who(&panelist), app.as_who(&moderator));
    let (as_citizen, as_other) = (app.as_who(&citizen), app.as_who(&other));

    let mut public = Watcher::open(&app, m, None).await;
    let mut mine = Watcher::open(&app, m, Some(&citizen.token)).await;
    let mut staff = Watcher::open(&app, m, Some(&moderator.token)).await;

    // Intake: a question before the meeting opens is accepted, a comment is not.
    let q1 = app
        .post(&citizen, m, "question", "Hvornår begynder byggeriet?")
        .await;
    as_citizen
        .create_post(m, &post(PostKind::Comment, "hej"))
        .await
        .refused(409, "meeting_not_open");

    admin.open(&m).await.accepted();

    // Pre-moderation: the held post is a redacted frame for the public, full for staff, and a
    // notice for its author only.
    let ack = as_moderator
        .settings(m, &premoderation(true))
        .await
        .accepted();
    let ack2 = as_citizen
        .create_post(m, &post(PostKind::Question, "Hvad koster det?"))
        .await
        .accepted();
    assert_eq!(ack2.status.as_deref(), Some("pending"));
    let held = ack2.post_id.unwrap();
    assert!(seq_of(ack) < held);
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
    let approved = seq_of(as_moderator.approve(m, held).await.accepted());
    public.until(approved).await;
    let shown = &public.event(approved).posts[0];
    assert_eq!(
        (shown.id, shown.status.clone(), shown.body.as_deref()),
        (held, PostStatus::Visible, Some("Hvad koster det?"))
    );
    as_moderator
        .settings(m, &premoderation(false))
        .await
        .accepted();

    // The panelist claims and answers in writing, with a link; the asker hears about it.
    as_panelist.claim(m, q1).await.accepted();
    as_moderator
        .claim(m, q1)
        .await
        .refused(409, "already_claimed");
    let body = "Til foråret. Se [planen](https://www.example.org/plan) <script>alert(1)</script>";
    let written = WrittenAnswerRequest { body: body.into() };
    let answered = seq_of(as_panelist.answer(m, q1, &written).await.accepted());
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
    let into = MergeRequest { into: held };
    as_moderator.merge(m, q3, &into).await.accepted();
    let on_air = OnAirRequest { post: Some(held) };
    as_moderator.on_air(m, &on_air).await.accepted();
    let live = LiveAnswerRequest {
        note: Some("Besvaret i salen".into()),
        panelist: None,
    };
    as_panelist.answer_live(m, held, &live).await.accepted();
    let why = DismissRequest {
        reason: "Uden for emnet".into(),
    };
    // Panelists cannot dismiss.
    as_panelist
        .dismiss(m, q4, &why)
        .await
        .refused(403, "forbidden");
    let dismissed = seq_of(as_moderator.dismiss(m, q4, &why).await.accepted());
    public.until(dismissed).await;
    let counters = public.event(dismissed).counters.expect("counters");
    // q1 written, held live (with q3 merged into it), q4 dismissed: answered 2 of 3.
    assert_eq!(
        (counters.answered, counters.questions, counters.dismissed),
        (2, 3, 1)
    );

    // A hall question and a pinned notice.
    let hall = RoomQuestionRequest {
        body: "Parkering?".into(),
        name: Some("Hans".into()),
    };
    as_moderator.room_question(m, &hall).await.accepted();
    let myth = NoticeRequest {
        body: "Myte: havnen lukker ikke.".into(),
        pin: true,
    };
    let pinned = seq_of(as_panelist.notice(m, &myth).await.accepted());
    public.until(pinned).await;
    assert_eq!(
        public.event(pinned).meeting.as_ref().unwrap().pinned_notice,
        Some(pinned - 1)
    );

    // Hiding: the public sees a tombstone with the reason and never the body; staff keep it.
    let c = app
        .post(&other, m, "comment", "Noget grimt om naboen")
        .await;
    let hide = HideRequest {
        reason: HideReason::Abusive,
        note: Some("personangreb".into()),
    };
    let hidden = seq_of(as_moderator.hide(m, c, &hide).await.accepted());
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
    let again = post(PostKind::Comment, "igen");
    as_moderator
        .mute(m, other.id, &MuteRequest { minutes: 10 })
        .await
        .accepted();
    as_other.create_post(m, &again).await.refused(403, "muted");
    as_moderator
        .ban(m, other.id, &BanRequest::default())
        .await
        .accepted();
    as_other.create_post(m, &again).await.refused(403, "banned");

    // Close: posting is refused with meeting_closed; the record stays readable.
    let close_seq = seq_of(admin.close(&m).await.accepted());
    as_citizen
        .create_post(m, &post(PostKind::Question, "for sent?"))
        .await
        .refused(409, "meeting_closed");
    public.until(close_seq).await;
    staff.until(close_seq).await;
    assert_eq!(
        public.events.len(),
        staff.events.len(),
        "every seq reaches every audience"
    );
    // Age band and gender never travel; the public sees a join as the new count only.
    for e in &public.events {
        let text = serde_json::to_string(e).unwrap();
        assert!(
            !text.contains("age_band") && !text.contains("gender"),
            "{text}"
        );
        if e.kind == "participant_joined" {
            // The new count, and nothing of who joined.
            assert!(!e.redacted, "{text}");
            assert!(e.participant.is_none() && e.posts.is_empty(), "{text}");
            assert!(e.counters.is_some_and(|c| c.participants > 0), "{text}");
        }
    }
    app.shutdown().await;
}
