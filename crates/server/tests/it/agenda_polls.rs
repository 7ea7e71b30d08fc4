//! The agenda and the polls' staff commands over HTTP and the live stream: who may keep the
//! agenda and run polls, that questions are filed under the current item, that drafts never
//! reach the public (not in the meeting view, and only a redacted frame on the stream), and the
//! typed errors of the poll lifecycle.

use std::time::Duration;

use crate::common::app::{next_frame, spawn_app, ws_connect, TestApp, Ws};
use crate::common::client::Outcome;
use crate::common::routes;
use borgermode_protocol::frames::{EventFrame, ServerFrame};
use borgermode_protocol::http::{AgendaItemRequest, CreatePostRequest, MeetingStateResponse};
use borgermode_protocol::{
    MeetingId, PollDefinition, PollKind, PollStatus, PostKind, ResultsShown, StaffRole,
};
use reqwest::Method;

const WAIT: Duration = Duration::from_secs(15);

fn item(title: &str) -> AgendaItemRequest {
    AgendaItemRequest {
        title: title.into(),
        description: String::new(),
        planned_start: None,
        position: None,
    }
}

fn harbour_poll(results: ResultsShown) -> PollDefinition {
    PollDefinition {
        question: "Hvilket forslag foretrækker du?".into(),
        kind: PollKind::SingleChoice {
            options: vec!["A: parken".into(), "B: boligerne".into()],
        },
        results,
        agenda_item: None,
    }
}

async fn public_state(app: &TestApp, m: MeetingId) -> MeetingStateResponse {
    let resp = app
        .anonymous()
        .raw(Method::GET, &routes::posts(&m))
        .send()
        .await
        .expect("posts");
    assert_eq!(resp.status(), 200);
    resp.json().await.expect("state")
}

/// Read event frames until the one with `seq`.
async fn event(ws: &mut Ws, seq: u64) -> EventFrame {
    loop {
        match next_frame(ws, WAIT).await.expect("frame before timeout") {
            ServerFrame::Event(e) if e.seq == seq => return e,
            ServerFrame::Event(e) => assert!(e.seq < seq, "passed seq {seq}"),
            _ => {}
        }
    }
}

#[tokio::test]
async fn questions_are_filed_under_the_current_agenda_item_and_staff_move_them() {
    let app = spawn_app().await;
    let m = app.open_meeting("Havnen").await;
    let moderator = app.staff(m, StaffRole::Moderator, "Mette").await;
    let anne = app.join(m, "Anne").await;
    let admin = app.as_admin();

    let harbour = admin
        .add_agenda_item(m, &item("Havneplanen"))
        .await
        .accepted();
    let harbour = harbour.seq.expect("the item's id is the ack's seq");
    let schools = app
        .as_who(&moderator)
        .add_agenda_item(
            m,
            &AgendaItemRequest {
                position: Some(0),
                description: "Om **skolerne**".into(),
                ..item("Skolerne")
            },
        )
        .await
        .accepted()
        .seq
        .unwrap();
    // Citizens do not keep the agenda.
    app.as_who(&anne)
        .add_agenda_item(m, &item("Mit punkt"))
        .await
        .refused(403, "forbidden");
    app.as_who(&anne)
        .set_current_agenda_item(m, Some(harbour))
        .await
        .refused(403, "forbidden");
    admin
        .add_agenda_item(m, &item("To\nlinjer"))
        .await
        .refused(422, "validation_failed");
    admin
        .set_current_agenda_item(m, Some(9999))
        .await
        .refused(404, "not_found");

    app.as_who(&moderator)
        .set_current_agenda_item(m, Some(harbour))
        .await
        .accepted();
    let view = public_state(&app, m).await.meeting;
    let titles: Vec<&str> = view.agenda.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(titles, ["Skolerne", "Havneplanen"]);
    assert_eq!(view.current_agenda_item, Some(harbour));
    assert!(view.agenda[0]
        .description_html
        .contains("<strong>skolerne</strong>"));

    // A question goes under the current item; the citizen may pick another.
    let q = app
        .post(&anne, m, "question", "Hvornår starter byggeriet?")
        .await;
    let picked = app
        .as_who(&anne)
        .create_post(
            m,
            &CreatePostRequest {
                kind: PostKind::Question,
                body: "Hvor mange lærere?".into(),
                parent: None,
                agenda_item: Some(schools),
            },
        )
        .await
        .accepted()
        .post_id
        .unwrap();
    let c = app.post(&anne, m, "comment", "Godt initiativ").await;
    let filed = |s: &MeetingStateResponse, id: u64| {
        s.posts
            .iter()
            .find(|p| p.id == id)
            .expect("post listed")
            .agenda_item
    };
    let s = public_state(&app, m).await;
    assert_eq!(filed(&s, q), Some(harbour));
    assert_eq!(filed(&s, picked), Some(schools));
    assert_eq!(filed(&s, c), None, "comments are not filed");

    // Staff move a question; the public stream sees the post under its new item.
    let mut public = ws_connect(&app.ws_url(m, Some(s.meeting.seq)), None).await;
    let ack = app
        .as_who(&moderator)
        .file_post(m, q, Some(schools))
        .await
        .accepted();
    let frame = event(&mut public, ack.seq.unwrap()).await;
    assert_eq!(frame.kind, "post_filed");
    assert_eq!(frame.posts[0].agenda_item, Some(schools));
    app.as_who(&anne)
        .file_post(m, q, None)
        .await
        .refused(403, "forbidden");

    // Reorder and rename; a title that is already so changes nothing.
    admin.move_agenda_item(m, harbour, 0).await.accepted();
    admin
        .edit_agenda_item(m, harbour, &item("Havneplanen: tre forslag"))
        .await
        .accepted();
    let noop = admin
        .edit_agenda_item(m, harbour, &item("Havneplanen: tre forslag"))
        .await
        .accepted();
    assert_eq!(noop.seq, None);
    let view = public_state(&app, m).await.meeting;
    let titles: Vec<&str> = view.agenda.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(titles, ["Havneplanen: tre forslag", "Skolerne"]);

    // Removing an item unties its questions.
    admin.remove_agenda_item(m, schools).await.accepted();
    let s = public_state(&app, m).await;
    assert_eq!(filed(&s, q), None);
    assert_eq!(s.meeting.agenda.len(), 1);
    app.shutdown().await;
}

#[tokio::test]
async fn poll_drafts_stay_with_the_staff_until_launched() {
    let app = spawn_app().await;
    let m = app.create_meeting("Havnen").await;
    app.as_admin().schedule(m).await.accepted();
    let moderator = app.staff(m, StaffRole::Moderator, "Mette").await;
    let panelist = app.staff(m, StaffRole::Panelist, "Søren").await;
    let anne = app.join(m, "Anne").await;
    let staff = app.as_who(&moderator);

    let mut public = ws_connect(
        &app.ws_url(m, Some(public_state(&app, m).await.meeting.seq)),
        None,
    )
    .await;
    let ack = staff
        .create_poll(m, &harbour_poll(ResultsShown::Live))
        .await
        .accepted();
    let poll = ack.seq.unwrap();
    // The public stream gets the seq, nothing of the draft; the public view lists no poll.
    let frame = event(&mut public, poll).await;
    assert!(frame.redacted, "{frame:?}");
    assert!(frame.meeting.is_none());
    assert!(public_state(&app, m).await.meeting.polls.is_empty());
    let staff_view = staff.meeting(m).await.accepted();
    assert_eq!(staff_view.polls.len(), 1);
    assert_eq!(staff_view.polls[0].status, PollStatus::Draft);

    for who in [&panelist, &anne] {
        app.as_who(who)
            .create_poll(m, &harbour_poll(ResultsShown::Live))
            .await
            .refused(403, "forbidden");
        app.as_who(who)
            .poll_action(m, poll, "launch")
            .await
            .refused(403, "forbidden");
    }
    staff
        .create_poll(
            m,
            &PollDefinition {
                kind: PollKind::SingleChoice {
                    options: vec!["Kun én".into()],
                },
                ..harbour_poll(ResultsShown::Live)
            },
        )
        .await
        .refused(422, "validation_failed");
    staff
        .poll_action(m, poll, "launch")
        .await
        .refused(409, "meeting_not_open");
    staff
        .poll_action(m, poll, "close")
        .await
        .refused(409, "poll_not_open");
    staff
        .set_poll_on_screen(m, Some(poll))
        .await
        .refused(409, "poll_not_open");

    app.as_admin().open(m).await.accepted();
    let launched = staff.poll_action(m, poll, "launch").await.accepted();
    let frame = event(&mut public, launched.seq.unwrap()).await;
    assert_eq!(frame.kind, "poll_launched");
    let view = frame
        .meeting
        .expect("the meeting view with the launched poll");
    assert_eq!(view.polls.len(), 1);
    assert_eq!(view.polls[0].status, PollStatus::Open);
    assert!(view.polls[0].results_public);
    assert_eq!(
        staff.poll_action(m, poll, "launch").await.accepted().seq,
        None,
        "launching again changes nothing"
    );
    staff
        .edit_poll(m, poll, &harbour_poll(ResultsShown::AfterClose))
        .await
        .refused(409, "poll_launched");
    staff
        .delete_poll(m, poll)
        .await
        .refused(409, "poll_launched");
    staff.set_poll_on_screen(m, Some(poll)).await.accepted();
    assert_eq!(
        public_state(&app, m).await.meeting.poll_on_screen,
        Some(poll)
    );

    // Closing the meeting closes the poll; a closed poll is not launched again.
    app.as_admin().close(m).await.accepted();
    let view = public_state(&app, m).await.meeting;
    assert_eq!(view.polls[0].status, PollStatus::Closed);
    staff
        .poll_action(m, poll, "launch")
        .await
        .refused(409, "poll_closed");
    app.shutdown().await;
}
