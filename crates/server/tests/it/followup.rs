//! Routing and follow-up through the real server: assign to a panelist or a department, the
//! panelist's own queue, staff-only routing on the wire, the follow-up after the close (answers
//! still accepted, new posts refused), the overdue flag for the organizer, per-panelist figures,
//! and closing the follow-up.

use crate::common::routes;

use crate::common::app::{spawn_app_with, TestApp, Who};
use crate::common::client::Outcome;
use borgermode_protocol::http::{
    AnswerSnippetRequest, AssignRequest, CreatePostRequest, FollowUpResponse, LiveAnswerRequest,
    WrittenAnswerRequest,
};
use borgermode_protocol::{PostKind, StaffRole};

async fn queue(app: &TestApp, who: &Who, m: &str, mine: bool) -> Vec<u64> {
    let q = app
        .as_who(who)
        .queue(m, &format!("sort=age&mine={mine}"))
        .await
        .accepted();
    q.questions.iter().map(|p| p.id).collect()
}

async fn follow_up(app: &TestApp, who: Option<&Who>, m: &str) -> FollowUpResponse {
    app.client(who).follow_up(m).await.accepted()
}

fn to_panelist(who: &Who) -> AssignRequest {
    AssignRequest {
        panelist: Some(who.id),
        department: None,
    }
}

fn to_department(name: &str) -> AssignRequest {
    AssignRequest {
        panelist: None,
        department: Some(name.into()),
    }
}

fn written(body: &str) -> WrittenAnswerRequest {
    WrittenAnswerRequest { body: body.into() }
}

fn snippet(title: &str, body: &str) -> AnswerSnippetRequest {
    AnswerSnippetRequest {
        title: title.into(),
        body: body.into(),
    }
}

#[tokio::test]
async fn routing_queue_and_follow_up_end_to_end() {
    // 0 working days: the deadline is the close itself, so "overdue" is reachable in a test.
    let app = spawn_app_with(|s| s.follow_up_working_days = 0).await;
    let meeting = app.open_meeting("Skolen").await;
    let m = meeting.to_string();
    let moderator = app.staff(meeting, StaffRole::Moderator, "Mette Mod").await;
    let ida = app.staff(meeting, StaffRole::Panelist, "Ida Holm").await;
    let bo = app.staff(meeting, StaffRole::Panelist, "Bo Berg").await;
    let anne = app.join(meeting, "Anne").await;
    let q1 = app
        .post(&anne, meeting, "question", "Hvornår åbner skolen?")
        .await;
    let q2 = app
        .post(&anne, meeting, "question", "Hvad koster den?")
        .await;
    let q3 = app
        .post(&anne, meeting, "question", "Hvor skal bussen holde?")
        .await;

    // Moderator routes q1 to Ida, the organizer q2 to a department; Bo takes q3 himself.
    let mod_ = app.as_who(&moderator);
    let admin = app.as_admin();
    mod_.assign(&m, q1, &to_panelist(&ida)).await.accepted();
    admin
        .assign(&m, q2, &to_department("Børn og Unge"))
        .await
        .accepted();
    // Bo may not route to Ida, nor to a department; a citizen may not route at all.
    let bo_c = app.as_who(&bo);
    bo_c.assign(&m, q3, &to_panelist(&ida))
        .await
        .refused(403, "forbidden");
    app.as_who(&anne)
        .assign(&m, q3, &to_department("X"))
        .await
        .refused(403, "forbidden");
    // Neither or both targets: a typed validation error.
    admin
        .assign(&m, q3, &AssignRequest::default())
        .await
        .refused(422, "validation_failed");
    let both = AssignRequest {
        panelist: Some(bo.id),
        department: Some("X".into()),
    };
    admin
        .assign(&m, q3, &both)
        .await
        .refused(422, "validation_failed");
    admin
        .assign(&m, q3, &to_panelist(&moderator))
        .await
        .refused(404, "not_found");
    bo_c.assign(&m, q3, &to_panelist(&bo)).await.accepted();

    // Each panelist's own queue; the full queue has all three, with the assignee for staff.
    assert_eq!(queue(&app, &ida, &m, true).await, vec![q1]);
    assert_eq!(queue(&app, &bo, &m, true).await, vec![q3]);
    assert_eq!(queue(&app, &ida, &m, false).await, vec![q1, q2, q3]);
    let full = app.as_who(&ida).queue(&m, "sort=age").await.accepted();
    let assignee = |i: usize| {
        let a = full.questions[i].question.as_ref().expect("question");
        a.assignee.clone().expect("assignee for staff")
    };
    assert_eq!(assignee(0).name, "Ida Holm");
    assert_eq!(
        (assignee(1).kind.as_str(), assignee(1).name.as_str()),
        ("department", "Børn og Unge")
    );

    // The public never sees routing: not in the posts, not in the queue.
    let public = app
        .http
        .get(app.url(&routes::posts(&m)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !public.contains("assignee") && !public.contains("Børn og Unge"),
        "{public}"
    );
    let anne_c = app.as_who(&anne);
    anne_c.queue(&m, "").await.refused_status(403);
    anne_c.follow_up(&m).await.refused_status(403);

    // Ida answers q1 during the meeting.
    app.as_who(&ida)
        .answer(&m, q1, &written("Til august."))
        .await
        .accepted();
    let before = follow_up(&app, None, &m).await;
    assert_eq!(before.due, None);
    assert!(!before.overdue);

    // Close: the deadline is recorded; q2 and q3 are the follow-up.
    admin.close(&m).await.accepted();
    let view = admin.meeting(&m).await.accepted();
    let due = view
        .follow_up
        .as_ref()
        .expect("follow-up in the meeting view")
        .due;
    let fu = follow_up(&app, Some(&bo), &m).await;
    assert_eq!(fu.due, Some(due));
    assert_eq!(fu.unanswered, vec![q2, q3]);
    assert_eq!((fu.counters.answered, fu.counters.questions), (1, 3));
    // Deadline = close time (0 working days): already past, so overdue, for staff and in the
    // organizer's meeting list.
    assert!(fu.overdue);
    let list = admin.meetings().await.accepted();
    let mine = list.iter().find(|s| s.id == meeting).unwrap();
    assert!(mine.follow_up_overdue);
    assert_eq!((mine.unanswered, mine.follow_up_due), (2, Some(due)));

    // Closed: no new posts, but the panelists' links still work and answers are accepted.
    let late = CreatePostRequest {
        kind: PostKind::Question,
        body: "Nyt?".into(),
        parent: None,
        agenda_item: None,
    };
    anne_c
        .create_post(&m, &late)
        .await
        .refused(409, "meeting_closed");
    assert_eq!(queue(&app, &bo, &m, true).await, vec![q3]);
    let by_the_square = "Ved Torvet, se [køreplanen](https://kommune.example/bus).";
    bo_c.answer(&m, q3, &written(by_the_square))
        .await
        .accepted();
    mod_.answer_live(&m, q2, &LiveAnswerRequest::default())
        .await
        .accepted();
    let fu = follow_up(&app, None, &m).await;
    assert!(fu.unanswered.is_empty());
    assert!(!fu.overdue, "all answered: nothing is overdue any more");
    assert_eq!((fu.counters.answered, fu.counters.questions), (3, 3));
    let f_ida = fu
        .panelists
        .iter()
        .find(|f| f.participant_id == ida.id)
        .unwrap();
    assert_eq!((f_ida.assigned, f_ida.answered, f_ida.open), (1, 1, 0));
    assert!(f_ida.median_answer_secs.is_some());
    let f_bo = fu
        .panelists
        .iter()
        .find(|f| f.participant_id == bo.id)
        .unwrap();
    assert_eq!((f_bo.assigned, f_bo.answered, f_bo.open), (1, 1, 0));
    assert_eq!(fu.departments.len(), 1);
    assert_eq!((fu.departments[0].assigned, fu.departments[0].open), (1, 0));

    // Only the organizer closes the follow-up; after that, answers stop.
    mod_.follow_up_close(&m).await.refused_status(403);
    admin.follow_up_close(&m).await.accepted();
    assert!(follow_up(&app, None, &m)
        .await
        .follow_up_closed_at
        .is_some());
    app.shutdown().await;
}

#[tokio::test]
async fn deadline_counts_working_days_and_is_not_overdue_early() {
    let app = spawn_app_with(|s| s.follow_up_working_days = 5).await;
    let meeting = app.open_meeting("Havnen").await;
    let m = meeting.to_string();
    let anne = app.join(meeting, "Anne").await;
    app.post(&anne, meeting, "question", "Hvornår?").await;
    let admin = app.as_admin();
    // The meeting is not closed yet.
    admin.follow_up_close(&m).await.refused_status(409);
    admin.close(&m).await.accepted();
    let fu = follow_up(&app, None, &m).await;
    let due = fu.due.expect("due");
    let closed = fu.closed_at.expect("closed");
    assert_eq!(
        due,
        borgermode_domain::workdays::add_working_days(closed, 5)
    );
    // 5 working days are at least 7 calendar days minus a weekend's worth, at most 9.
    let days = (due - closed).num_days();
    assert!((5..=9).contains(&days), "{days}");
    assert!(!fu.overdue);
    app.shutdown().await;
}

#[tokio::test]
async fn prepared_answers_crud_and_panelist_listing() {
    let app = spawn_app_with(|_| {}).await;
    let meeting = app.open_meeting("Affald").await;
    let m = meeting.to_string();
    let admin = app.as_admin();
    let list = admin.meetings().await.accepted();
    let org = list[0].organization_id.expect("organization");
    let ida = app.staff(meeting, StaffRole::Panelist, "Ida Holm").await;
    let anne = app.join(meeting, "Anne").await;

    let first = snippet(
        "  Storskrald ",
        "Bestil afhentning på [selvbetjening](https://kommune.example/storskrald).",
    );
    let v = admin.create_answer(&org, &first).await.accepted();
    assert_eq!(v.title, "Storskrald");
    assert!(v
        .body_html
        .contains("href=\"https://kommune.example/storskrald\""));
    let id = v.id;
    let second = snippet("Affald", "Tømmes hver 14. dag.");
    admin.create_answer(&org, &second).await.accepted();
    // Bad input: typed errors.
    for bad in [
        snippet(" ", "x"),
        snippet("x", ""),
        snippet(&"x".repeat(121), "x"),
    ] {
        admin
            .create_answer(&org, &bad)
            .await
            .refused(422, "validation_failed");
    }
    // Panelists and citizens cannot edit the library.
    app.as_who(&ida)
        .create_answer(&org, &snippet("x", "y"))
        .await
        .refused_status(401);

    // Edit, then the panelist of the meeting lists them (sorted by title); a citizen may not.
    let edited = snippet("Storskrald", "Bestil på https://kommune.example/storskrald");
    admin.replace_answer(&org, id, &edited).await.accepted();
    let v = app.as_who(&ida).meeting_answers(&m).await.accepted();
    let titles: Vec<&str> = v.iter().map(|x| x.title.as_str()).collect();
    assert_eq!(titles, ["Affald", "Storskrald"]);
    assert_eq!(v[1].body, "Bestil på https://kommune.example/storskrald");
    app.as_who(&anne)
        .meeting_answers(&m)
        .await
        .refused_status(403);

    // Delete; deleting again or an unknown id is 404.
    admin.delete_answer(&org, id).await.accepted();
    admin
        .delete_answer(&org, id)
        .await
        .refused(404, "not_found");
    assert_eq!(admin.answers(&org).await.accepted().len(), 1);
    app.shutdown().await;
}

/// Read frames until the event with `seq` (skipping hello, snapshot, votes, presence).
async fn event_at(
    ws: &mut crate::common::app::Ws,
    seq: u64,
) -> borgermode_protocol::frames::EventFrame {
    use borgermode_protocol::frames::ServerFrame;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        assert!(std::time::Instant::now() < deadline, "no event {seq}");
        match crate::common::app::next_frame(ws, std::time::Duration::from_secs(10)).await {
            Some(ServerFrame::Event(e)) if e.seq == seq => return e,
            Some(_) => continue,
            None => panic!("stream ended before event {seq}"),
        }
    }
}

#[tokio::test]
async fn routing_reaches_staff_frames_and_stays_redacted_for_the_public() {
    let app = spawn_app_with(|_| {}).await;
    let meeting = app.open_meeting("Broen").await;
    let m = meeting.to_string();
    let moderator = app.staff(meeting, StaffRole::Moderator, "Mette Mod").await;
    let ida = app.staff(meeting, StaffRole::Panelist, "Ida Holm").await;
    let anne = app.join(meeting, "Anne").await;
    let q = app
        .post(&anne, meeting, "question", "Hvornår åbner broen?")
        .await;
    let mut staff =
        crate::common::app::ws_connect(&app.ws_url(meeting, Some(q)), Some(&moderator.token)).await;
    let mut public = crate::common::app::ws_connect(&app.ws_url(meeting, Some(q)), None).await;

    let ack = app
        .as_who(&moderator)
        .assign(&m, q, &to_panelist(&ida))
        .await
        .accepted();
    let seq = ack.seq.expect("seq");
    let e = event_at(&mut staff, seq).await;
    assert_eq!(e.kind, "question_assigned");
    let a = e.posts[0]
        .question
        .as_ref()
        .unwrap()
        .assignee
        .as_ref()
        .expect("assignee for staff");
    assert_eq!(
        (a.kind.as_str(), a.name.as_str(), a.participant_id),
        ("panelist", "Ida Holm", Some(ida.id))
    );
    let e = event_at(&mut public, seq).await;
    assert_eq!(
        (e.kind.as_str(), e.redacted, e.posts.len()),
        ("question_assigned", true, 0)
    );

    // The close reaches everybody with the follow-up deadline in the meeting view.
    let ack = app.as_admin().close(&m).await.accepted();
    let seq = ack.seq.expect("seq");
    let e = event_at(&mut public, seq).await;
    assert_eq!(e.kind, "follow_up_started");
    assert!(e.meeting.as_ref().unwrap().follow_up.is_some());
    let e = event_at(&mut staff, seq).await;
    assert_eq!(e.kind, "follow_up_started");
    app.shutdown().await;
}
