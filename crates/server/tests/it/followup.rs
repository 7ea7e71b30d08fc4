//! Routing and follow-up through the real server: assign to a panelist or a department, the
//! panelist's own queue, staff-only routing on the wire, the follow-up after the close (answers
//! still accepted, new posts refused), the overdue flag for the organizer, per-panelist figures,
//! and closing the follow-up.

use crate::common::routes;

use crate::common::app::{spawn_app_with, TestApp, Who};
use borgermode_protocol::http::{FollowUpResponse, MeetingSummary};
use borgermode_protocol::views::MeetingView;
use borgermode_protocol::StaffRole;
use reqwest::Method;
use serde_json::json;

async fn queue(app: &TestApp, who: &Who, m: &str, mine: bool) -> Vec<u64> {
    let q = app
        .as_who(who)
        .queue(m, &format!("sort=age&mine={mine}"))
        .await
        .unwrap_or_else(|p| panic!("queue: {p:?}"));
    q.questions.iter().map(|p| p.id).collect()
}

async fn follow_up(app: &TestApp, who: Option<&Who>, m: &str) -> FollowUpResponse {
    app.client(who)
        .follow_up(m)
        .await
        .unwrap_or_else(|p| panic!("follow-up: {p:?}"))
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
    let assign = |post: u64| routes::assign(&m, &post);

    // Moderator routes q1 to Ida, the organizer q2 to a department; Bo takes q3 himself.
    let (s, v) = app
        .as_who(&moderator)
        .send(Method::POST, &assign(q1), Some(json!({"panelist": ida.id})))
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = app
        .as_admin()
        .send(
            Method::POST,
            &assign(q2),
            Some(json!({"department": "Børn og Unge"})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    // Bo may not route to Ida, nor to a department; a citizen may not route at all.
    let (s, v) = app
        .as_who(&bo)
        .send(Method::POST, &assign(q3), Some(json!({"panelist": ida.id})))
        .await;
    assert_eq!((s, v["code"].as_str()), (403, Some("forbidden")));
    let (s, v) = app
        .as_who(&anne)
        .send(Method::POST, &assign(q3), Some(json!({"department": "X"})))
        .await;
    assert_eq!((s, v["code"].as_str()), (403, Some("forbidden")));
    // Neither or both targets: a typed validation error.
    let (s, v) = app
        .as_admin()
        .send(Method::POST, &assign(q3), Some(json!({})))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (422, Some("validation_failed")),
        "{v}"
    );
    let (s, v) = app
        .as_admin()
        .send(
            Method::POST,
            &assign(q3),
            Some(json!({"panelist": bo.id, "department": "X"})),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (422, Some("validation_failed")),
        "{v}"
    );
    let (s, v) = app
        .as_admin()
        .send(
            Method::POST,
            &assign(q3),
            Some(json!({"panelist": moderator.id})),
        )
        .await;
    assert_eq!((s, v["code"].as_str()), (404, Some("not_found")), "{v}");
    let (s, v) = app
        .as_who(&bo)
        .send(Method::POST, &assign(q3), Some(json!({"panelist": bo.id})))
        .await;
    assert_eq!(s, 200, "{v}");

    // Each panelist's own queue; the full queue has all three, with the assignee for staff.
    assert_eq!(queue(&app, &ida, &m, true).await, vec![q1]);
    assert_eq!(queue(&app, &bo, &m, true).await, vec![q3]);
    assert_eq!(queue(&app, &ida, &m, false).await, vec![q1, q2, q3]);
    let (_, v) = app
        .as_who(&ida)
        .send(
            Method::GET,
            &format!("{}?sort=age", routes::queue(&m)),
            None,
        )
        .await;
    assert_eq!(
        v["questions"][0]["question"]["assignee"]["name"],
        "Ida Holm"
    );
    assert_eq!(
        v["questions"][1]["question"]["assignee"]["kind"],
        "department"
    );
    assert_eq!(
        v["questions"][1]["question"]["assignee"]["name"],
        "Børn og Unge"
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
    let (s, _) = app
        .as_who(&anne)
        .send(Method::GET, &routes::queue(&m), None)
        .await;
    assert_eq!(s, 403);
    let (s, _) = app
        .as_who(&anne)
        .send(Method::GET, &routes::follow_up(&m), None)
        .await;
    assert_eq!(s, 403);

    // Ida answers q1 during the meeting.
    let (s, v) = app
        .as_who(&ida)
        .send(
            Method::POST,
            &routes::answer(&m, &q1),
            Some(json!({"body": "Til august."})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let before = follow_up(&app, None, &m).await;
    assert_eq!(before.due, None);
    assert!(!before.overdue);

    // Close: the deadline is recorded; q2 and q3 are the follow-up.
    let (s, v) = app
        .as_admin()
        .send(Method::POST, &routes::close(&m), None)
        .await;
    assert_eq!(s, 200, "{v}");
    let (_, v) = app
        .as_admin()
        .send(Method::GET, &routes::meeting(&m), None)
        .await;
    let view: MeetingView = serde_json::from_value(v).unwrap();
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
    let (_, v) = app
        .as_admin()
        .send(Method::GET, &routes::meetings(), None)
        .await;
    let list: Vec<MeetingSummary> = serde_json::from_value(v).unwrap();
    let mine = list.iter().find(|s| s.id == meeting).unwrap();
    assert!(mine.follow_up_overdue);
    assert_eq!((mine.unanswered, mine.follow_up_due), (2, Some(due)));

    // Closed: no new posts, but the panelists' links still work and answers are accepted.
    let (s, v) = app
        .as_who(&anne)
        .send(
            Method::POST,
            &routes::posts(&m),
            Some(json!({"kind": "question", "body": "Nyt?"})),
        )
        .await;
    assert_eq!((s, v["code"].as_str()), (409, Some("meeting_closed")));
    assert_eq!(queue(&app, &bo, &m, true).await, vec![q3]);
    let (s, v) = app
        .as_who(&bo)
        .send(
            Method::POST,
            &routes::answer(&m, &q3),
            Some(json!({"body": "Ved Torvet, se [køreplanen](https://kommune.example/bus)."})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = app
        .as_who(&moderator)
        .send(Method::POST, &routes::answer_live(&m, &q2), Some(json!({})))
        .await;
    assert_eq!(s, 200, "{v}");
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
    let (s, _) = app
        .as_who(&moderator)
        .send(Method::POST, &routes::follow_up_close(&m), None)
        .await;
    assert_eq!(s, 403);
    let (s, v) = app
        .as_admin()
        .send(Method::POST, &routes::follow_up_close(&m), None)
        .await;
    assert_eq!(s, 200, "{v}");
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
    let (s, _) = app
        .as_admin()
        .send(Method::POST, &routes::follow_up_close(&m), None)
        .await;
    assert_eq!(s, 409, "the meeting is not closed yet");
    let (s, _) = app
        .as_admin()
        .send(Method::POST, &routes::close(&m), None)
        .await;
    assert_eq!(s, 200);
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
    let (_, v) = app
        .as_admin()
        .send(Method::GET, &routes::meetings(), None)
        .await;
    let list: Vec<MeetingSummary> = serde_json::from_value(v).unwrap();
    let org = list[0].organization_id.expect("organization");
    let ida = app.staff(meeting, StaffRole::Panelist, "Ida Holm").await;
    let anne = app.join(meeting, "Anne").await;
    let base = routes::organization_answers(&org);

    let (s, v) = app.as_admin().send(Method::POST, &base, Some(json!({"title": "  Storskrald ", "body": "Bestil afhentning på [selvbetjening](https://kommune.example/storskrald)."}))).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["title"], "Storskrald");
    assert!(v["body_html"]
        .as_str()
        .unwrap()
        .contains("href=\"https://kommune.example/storskrald\""));
    let id = v["id"].as_str().unwrap().to_string();
    let (s, v) = app
        .as_admin()
        .send(
            Method::POST,
            &base,
            Some(json!({"title": "Affald", "body": "Tømmes hver 14. dag."})),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    // Bad input: typed errors.
    for bad in [
        json!({"title": " ", "body": "x"}),
        json!({"title": "x", "body": ""}),
        json!({"title": "x".repeat(121), "body": "x"}),
    ] {
        let (s, v) = app.as_admin().send(Method::POST, &base, Some(bad)).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (422, Some("validation_failed")),
            "{v}"
        );
    }
    // Panelists and citizens cannot edit the library.
    let (s, _) = app
        .as_who(&ida)
        .send(
            Method::POST,
            &base,
            Some(json!({"title": "x", "body": "y"})),
        )
        .await;
    assert_eq!(s, 401);

    // Edit, then the panelist of the meeting lists them (sorted by title); a citizen may not.
    let (s, v) = app.as_admin().send(Method::PUT,
        &format!("{base}/{id}"),
        Some(
            json!({"title": "Storskrald", "body": "Bestil på https://kommune.example/storskrald"}),
        ),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = app
        .as_who(&ida)
        .send(Method::GET, &routes::meeting_answers(&m), None)
        .await;
    assert_eq!(s, 200, "{v}");
    let titles: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Affald", "Storskrald"]);
    assert_eq!(v[1]["body"], "Bestil på https://kommune.example/storskrald");
    let (s, _) = app
        .as_who(&anne)
        .send(Method::GET, &routes::meeting_answers(&m), None)
        .await;
    assert_eq!(s, 403);

    // Delete; deleting again or an unknown id is 404.
    let (s, _) = app
        .as_admin()
        .send(Method::DELETE, &format!("{base}/{id}"), None)
        .await;
    assert_eq!(s, 204);
    let (s, v) = app
        .as_admin()
        .send(Method::DELETE, &format!("{base}/{id}"), None)
        .await;
    assert_eq!((s, v["code"].as_str()), (404, Some("not_found")));
    let (_, v) = app.as_admin().send(Method::GET, &base, None).await;
    assert_eq!(v.as_array().unwrap().len(), 1);
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

    let (s, v) = app
        .as_who(&moderator)
        .send(
            Method::POST,
            &routes::assign(&m, &q),
            Some(json!({"panelist": ida.id})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let seq = v["seq"].as_u64().expect("seq");
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
    let (s, v) = app
        .as_admin()
        .send(Method::POST, &routes::close(&m), None)
        .await;
    assert_eq!(s, 200, "{v}");
    let seq = v["seq"].as_u64().expect("seq");
    let e = event_at(&mut public, seq).await;
    assert_eq!(e.kind, "follow_up_started");
    assert!(e.meeting.as_ref().unwrap().follow_up.is_some());
    let e = event_at(&mut staff, seq).await;
    assert_eq!(e.kind, "follow_up_started");
    app.shutdown().await;
}
