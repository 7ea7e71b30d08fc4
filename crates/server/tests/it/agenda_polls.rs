//! The agenda and polls over HTTP and the live stream: who may keep the agenda and run polls,
//! that questions are filed under the current item, that drafts never reach the public (not in
//! the meeting view, and only a redacted frame on the stream), the typed errors of the poll
//! lifecycle, citizens' answers and the results each audience gets (coalesced `poll_results`
//! frames, the poll list, `hello.you`), the moderation of open answers, and erasure.

use std::time::Duration;

use crate::common::app::{next_frame, spawn_app, ws_connect, TestApp, Ws};
use crate::common::client::Outcome;
use crate::common::routes;
use borgermode_protocol::frames::{EventFrame, ServerFrame};
use borgermode_protocol::http::{
    AgendaItemRequest, CreatePostRequest, MeetingStateResponse, PollsResponse,
};
use borgermode_protocol::{
    MeetingId, PollAnswer, PollDefinition, PollKind, PollResults, PollStatus, PostKind,
    ResultsShown, StaffRole,
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

fn pick(picks: &[u8]) -> PollAnswer {
    PollAnswer::Choice {
        picks: picks.to_vec(),
    }
}

/// Read frames until a `poll_results` for `poll` arrives that satisfies `ok`.
async fn results_until(ws: &mut Ws, poll: u64, ok: impl Fn(&PollResults) -> bool) -> PollResults {
    loop {
        match next_frame(ws, WAIT)
            .await
            .expect("poll_results before timeout")
        {
            ServerFrame::PollResults {
                poll: p, results, ..
            } if p == poll && ok(&results) => return results,
            _ => {}
        }
    }
}

#[tokio::test]
async fn citizens_answer_and_everyone_sees_the_results_they_may_see() {
    let app = spawn_app().await;
    let m = app.open_meeting("Havnen").await;
    let moderator = app.staff(m, StaffRole::Moderator, "Mette").await;
    let anne = app.join(m, "Anne").await;
    let bo = app.join(m, "Bo").await;
    let staff = app.as_who(&moderator);
    let live = staff
        .create_poll(m, &harbour_poll(ResultsShown::Live))
        .await
        .accepted()
        .seq
        .unwrap();
    let hidden = staff
        .create_poll(m, &harbour_poll(ResultsShown::StaffOnly))
        .await
        .accepted()
        .seq
        .unwrap();
    // A draft takes no answers: for citizens it is not there.
    app.as_who(&anne)
        .answer_poll(m, live, &pick(&[0]))
        .await
        .refused(404, "not_found");
    staff.poll_action(m, live, "launch").await.accepted();
    staff.poll_action(m, hidden, "launch").await.accepted();

    let mut public = ws_connect(&app.ws_url(m, None), None).await;
    let mut desk = ws_connect(&app.ws_url(m, None), Some(&moderator.token)).await;

    let a = app
        .as_who(&anne)
        .answer_poll(m, live, &pick(&[0]))
        .await
        .accepted();
    assert_eq!(a.answer, pick(&[0]));
    assert_eq!(a.results.expect("live results").counts, [1, 0]);
    app.as_who(&bo)
        .answer_poll(m, live, &pick(&[1]))
        .await
        .accepted();
    // Anne changes her mind: still one answer each.
    app.as_who(&anne)
        .answer_poll(m, live, &pick(&[1]))
        .await
        .accepted();
    let r = results_until(&mut public, live, |r| r.counts == [0, 2]).await;
    assert_eq!(r.respondents, 2);

    // Staff-only results reach the desk, not the public (frames go out in one order: the
    // public sees the later event without ever seeing the results).
    let h = app
        .as_who(&bo)
        .answer_poll(m, hidden, &pick(&[0]))
        .await
        .accepted();
    assert_eq!(h.results, None, "a citizen may not see staff-only results");
    results_until(&mut desk, hidden, |r| r.respondents == 1).await;
    let marker = app.post(&bo, m, "comment", "Efter afstemningen").await;
    loop {
        match next_frame(&mut public, WAIT).await.expect("frame") {
            ServerFrame::PollResults { poll, .. } => {
                assert_ne!(poll, hidden, "staff-only results reached the public")
            }
            ServerFrame::Event(e) if e.seq == marker => break,
            _ => {}
        }
    }
    let listed = app.anonymous().polls(m).await.accepted();
    let row = |id: u64| listed.polls.iter().find(|p| p.poll.id == id).unwrap();
    assert_eq!(row(live).results.as_ref().unwrap().counts, [0, 2]);
    assert_eq!(row(hidden).results, None);
    let for_staff = staff.polls(m).await.accepted();
    assert_eq!(
        for_staff
            .polls
            .iter()
            .find(|p| p.poll.id == hidden)
            .unwrap()
            .results
            .as_ref()
            .unwrap()
            .respondents,
        1
    );
    // Publishing shows them to everyone.
    staff.poll_action(m, hidden, "publish").await.accepted();
    results_until(&mut public, hidden, |r| r.respondents == 1).await;

    // A citizen's own answers come back on reconnect (hello) and in the list.
    let mut again = ws_connect(&app.ws_url(m, None), Some(&anne.token)).await;
    match next_frame(&mut again, WAIT).await.expect("hello") {
        ServerFrame::Hello { you, .. } => {
            let you = you.expect("you");
            assert_eq!(you.poll_answers.len(), 1);
            assert_eq!(you.poll_answers[0].poll, live);
            assert_eq!(you.poll_answers[0].answer, pick(&[1]));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(app.as_who(&anne).polls(m).await.accepted().yours.len(), 1);

    // Who may not answer, and what is no answer.
    staff
        .answer_poll(m, live, &pick(&[0]))
        .await
        .refused(403, "forbidden");
    app.as_who(&anne)
        .answer_poll(m, live, &pick(&[0, 1]))
        .await
        .refused(422, "too_many_choices");
    app.as_who(&anne)
        .answer_poll(m, live, &PollAnswer::Scale { value: 3 })
        .await
        .refused(422, "validation_failed");
    staff
        .mute(
            m,
            bo.id,
            &borgermode_protocol::http::MuteRequest { minutes: 5 },
        )
        .await
        .accepted();
    app.as_who(&bo)
        .answer_poll(m, live, &pick(&[0]))
        .await
        .refused(403, "muted");
    staff.poll_action(m, live, "close").await.accepted();
    app.as_who(&anne)
        .answer_poll(m, live, &pick(&[0]))
        .await
        .refused(409, "poll_closed");
    app.shutdown().await;
}

#[tokio::test]
async fn open_answers_are_moderated_and_leave_with_an_erased_citizen() {
    let app = spawn_app().await;
    let m = app.open_meeting("Havnen").await;
    app.as_admin()
        .settings(
            m,
            &borgermode_protocol::http::SettingsPatch {
                keywords: Some(vec!["idiot".into()]),
                ..Default::default()
            },
        )
        .await
        .accepted();
    let moderator = app.staff(m, StaffRole::Moderator, "Mette").await;
    let panelist = app.staff(m, StaffRole::Panelist, "Søren").await;
    let anne = app.join(m, "Anne").await;
    let bo = app.join(m, "Bo").await;
    let staff = app.as_who(&moderator);
    let open = staff
        .create_poll(
            m,
            &PollDefinition {
                question: "Hvad mangler havnen?".into(),
                kind: PollKind::OpenAnswer,
                results: ResultsShown::Live,
                agenda_item: None,
            },
        )
        .await
        .accepted()
        .seq
        .unwrap();
    staff.poll_action(m, open, "launch").await.accepted();
    let text = |s: &str| PollAnswer::Text { text: s.into() };
    let a = app
        .as_who(&anne)
        .answer_poll(m, open, &text("  Anne vil have et havnebad  "))
        .await
        .accepted();
    assert_eq!(a.answer, text("Anne vil have et havnebad"));
    let b = app
        .as_who(&bo)
        .answer_poll(m, open, &text("Borgmesteren er en idiot"))
        .await
        .accepted();
    assert_eq!(
        b.held_reason,
        Some(borgermode_protocol::HoldReason::Keyword)
    );
    let texts = |r: &PollsResponse| r.polls[0].results.as_ref().unwrap().texts.clone();
    let public = app.anonymous().polls(m).await.accepted();
    assert_eq!(
        texts(&public),
        ["Anne vil have et havnebad"],
        "held: not listed"
    );
    assert_eq!(public.polls[0].results.as_ref().unwrap().respondents, 2);

    // Moderators see every answer with its state and let the held one through, or hide one.
    app.as_who(&panelist)
        .poll_answers(m, open)
        .await
        .refused(403, "forbidden");
    let answers = staff.poll_answers(m, open).await.accepted();
    assert_eq!(answers.len(), 2);
    // Anonymous to staff too: nothing in the list names who answered.
    let listed = serde_json::to_string(&answers).unwrap();
    for who in [&anne, &bo] {
        assert!(!listed.contains(&who.id.to_string()), "{listed}");
    }
    let held = answers.iter().find(|x| x.held_reason.is_some()).unwrap();
    let bo_answer = held.answer_id.clone();
    staff
        .moderate_poll_answer(m, open, &bo_answer, "approve")
        .await
        .accepted();
    assert_eq!(
        app.anonymous().polls(m).await.accepted().polls[0]
            .results
            .as_ref()
            .unwrap()
            .texts
            .len(),
        2
    );
    staff
        .moderate_poll_answer(m, open, &bo_answer, "hide")
        .await
        .accepted();
    assert_eq!(
        texts(&app.anonymous().polls(m).await.accepted()),
        ["Anne vil have et havnebad"]
    );
    staff
        .moderate_poll_answer(m, open, &bo_answer, "shout")
        .await
        .refused(404, "not_found");
    staff
        .moderate_poll_answer(m, open, bo.id, "restore")
        .await
        .refused(404, "not_found");

    // Erasure: Anne's open answer leaves the results at once and for good.
    app.as_admin().erase(m, anne.id).await.accepted();
    let after = app.anonymous().polls(m).await.accepted();
    assert!(texts(&after).is_empty(), "{:?}", texts(&after));
    assert_eq!(after.polls[0].results.as_ref().unwrap().respondents, 1);
    assert!(staff
        .poll_answers(m, open)
        .await
        .accepted()
        .iter()
        .all(|x| x.answer != text("Anne vil have et havnebad")));
    app.shutdown().await;
}
