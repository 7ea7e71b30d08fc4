//! "Has someone asked this already?" over HTTP (`GET /api/meetings/{id}/similar`):
//! - a paraphrase with spelling mistakes finds the question, with its body, answer state and
//!   votes, best first, at most three, and `exclude` leaves a question out;
//! - never a held, hidden, merged or erased question, nor a comment, whoever asks (staff too:
//!   the answer is the public's);
//! - the look-ups are rate-limited per participant (429 with Retry-After; another participant
//!   keeps their own allowance);
//! - bad input: missing, blank or too long `text` is `422 validation_failed` (field `text`),
//!   an unknown meeting 404;
//! - the report names the meeting's topics (inflections folded, stop words gone, hidden
//!   questions left out) in JSON, HTML and CSV, and `GET .../topics` gives the big screen the
//!   same words.
//!
//! The matching itself is measured in `crates/domain/tests/it/similar.rs`.

use crate::common::app::{spawn_app, spawn_app_with, TestApp, Who};
use crate::common::client::Outcome;
use crate::common::routes;
use borgermode_protocol::http::{
    HideRequest, MergeRequest, SettingsPatch, VoteRequest, WrittenAnswerRequest,
};
use borgermode_protocol::{HideReason, MeetingId, StaffRole};
use reqwest::Method;

const HARBOUR: &str = "Hvad er tidsplanen for byggeriet ved havnen?";
const TYPED: &str = "hvornaar starter bygeriet ved havnen";

async fn ids(app: &TestApp, who: &Who, m: MeetingId, text: &str) -> Vec<u64> {
    app.as_who(who)
        .similar(m, text, None)
        .await
        .accepted()
        .questions
        .iter()
        .map(|p| p.id)
        .collect()
}

#[tokio::test]
async fn a_paraphrase_finds_the_question_with_its_state_and_votes() {
    let app = spawn_app().await;
    let m = app.open_meeting("Havnen").await;
    let anne = app.join(m, "Anne").await;
    let bo = app.join(m, "Bo").await;
    let carl = app.join(m, "Carl").await;
    let panelist = app.staff(m, StaffRole::Panelist, "Borgmesteren").await;
    let harbour = app.post(&anne, m, "question", HARBOUR).await;
    let pool = app
        .post(&bo, m, "question", "Hvornår åbner den nye svømmehal?")
        .await;
    let _comment = app
        .post(&bo, m, "comment", "Byggeriet ved havnen starter snart")
        .await;
    app.as_who(&carl)
        .vote(m, harbour, &VoteRequest { up: true })
        .await
        .accepted();
    app.as_who(&panelist)
        .answer(
            m,
            harbour,
            &WrittenAnswerRequest {
                body: "Til foråret.".into(),
            },
        )
        .await
        .accepted();

    let found = app.as_who(&carl).similar(m, TYPED, None).await.accepted();
    assert_eq!(found.questions.len(), 1, "{found:?}");
    let q = &found.questions[0];
    assert_eq!(q.id, harbour);
    assert_eq!(q.body.as_deref(), Some(HARBOUR));
    assert_eq!(q.votes, 1);
    let question = q.question.as_ref().expect("a question");
    assert_eq!(question.state, "answered");
    assert!(question.answer.is_some());

    // Nothing alike: an empty list, not an error.
    assert!(ids(&app, &carl, m, "Hvad med hundeskoven?")
        .await
        .is_empty());
    // Anyone may ask (the answer is public), and `exclude` leaves a question out.
    let anonymous = app.anonymous().similar(m, TYPED, Some(harbour)).await;
    assert!(anonymous.accepted().questions.is_empty());
    assert_eq!(
        ids(&app, &carl, m, "Hvornår åbner svømmehallen?").await,
        [pool]
    );
}

#[tokio::test]
async fn never_a_held_hidden_merged_or_erased_question() {
    let app = spawn_app().await;
    let m = app.open_meeting("Havnen").await;
    let admin = app.as_admin();
    let moderator = app.staff(m, StaffRole::Moderator, "Mette").await;
    let anne = app.join(m, "Anne").await;
    let bo = app.join(m, "Bo").await;
    let carl = app.join(m, "Carl").await;
    let dorte = app.join(m, "Dorte").await;

    let hidden = app.post(&anne, m, "question", HARBOUR).await;
    app.as_who(&moderator)
        .hide(
            m,
            hidden,
            &HideRequest {
                reason: HideReason::OffTopic,
                note: None,
            },
        )
        .await
        .accepted();
    let target = app
        .post(&bo, m, "question", "Hvornår starter byggeriet ved havnen?")
        .await;
    let merged = app.post(&carl, m, "question", HARBOUR).await;
    app.as_who(&moderator)
        .merge(m, merged, &MergeRequest { into: target })
        .await
        .accepted();
    let erased = app.post(&dorte, m, "question", HARBOUR).await;
    assert!(ids(&app, &bo, m, HARBOUR).await.contains(&erased));
    admin.erase(m, dorte.id).await.accepted();
    let patch = SettingsPatch {
        premoderation: Some(true),
        ..Default::default()
    };
    admin.settings(m, &patch).await.accepted();
    let held = app.post(&carl, m, "question", HARBOUR).await;

    for who in [&bo, &moderator] {
        let found = ids(&app, who, m, HARBOUR).await;
        assert_eq!(
            found,
            [target],
            "hidden {hidden}, merged {merged}, erased {erased}, held {held}"
        );
    }
    // Approved, the held question is suggested; hidden again, it is gone again.
    app.as_who(&moderator).approve(m, held).await.accepted();
    assert_eq!(ids(&app, &bo, m, HARBOUR).await.first(), Some(&held));
    app.as_who(&moderator)
        .hide(
            m,
            held,
            &HideRequest {
                reason: HideReason::Duplicate,
                note: None,
            },
        )
        .await
        .accepted();
    assert_eq!(ids(&app, &bo, m, HARBOUR).await, [target]);
}

#[tokio::test]
async fn look_ups_are_rate_limited_per_participant() {
    let app = spawn_app_with(|s| s.similar_per_minute = 3).await;
    let m = app.open_meeting("Havnen").await;
    let anne = app.join(m, "Anne").await;
    let bo = app.join(m, "Bo").await;
    app.post(&anne, m, "question", HARBOUR).await;
    for _ in 0..3 {
        app.as_who(&anne).similar(m, TYPED, None).await.accepted();
    }
    let refused = app
        .as_who(&anne)
        .raw(Method::GET, &format!("{}?text=havnen", routes::similar(&m)))
        .send()
        .await
        .expect("request");
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().get("retry-after").is_some());
    let problem: borgermode_protocol::http::Problem = refused.json().await.expect("problem");
    assert_eq!(problem.code, "rate_limited");
    // Bo has an allowance of his own.
    app.as_who(&bo).similar(m, TYPED, None).await.accepted();
}

#[tokio::test]
async fn bad_input_is_a_typed_error() {
    let app = spawn_app().await;
    let m = app.open_meeting("Havnen").await;
    let anne = app.join(m, "Anne").await;
    let client = app.as_who(&anne);
    for text in ["", "   "] {
        let p = client
            .similar(m, text, None)
            .await
            .refused(422, "validation_failed");
        assert_eq!(p.field.as_deref(), Some("text"));
    }
    let long = "havn ".repeat(1000);
    let p = client
        .similar(m, &long, None)
        .await
        .refused(422, "validation_failed");
    assert_eq!(p.field.as_deref(), Some("text"));
    let missing = client
        .request(
            Method::GET,
            &routes::similar(&m),
            crate::common::client::Body::None,
        )
        .await;
    assert_eq!(missing.status, 422, "{}", missing.text);
    assert_eq!(missing.body["field"], "text");
    let unknown = MeetingId(uuid::Uuid::from_u128(7));
    client
        .similar(unknown, TYPED, None)
        .await
        .refused(404, "not_found");
}

#[tokio::test]
async fn the_report_names_the_topics() {
    let app = spawn_app().await;
    let m = app.open_meeting("Skolerne").await;
    let moderator = app.staff(m, StaffRole::Moderator, "Mette").await;
    let anne = app.join(m, "Anne").await;
    let bo = app.join(m, "Bo").await;
    app.post(&anne, m, "question", "Hvorfor lukker skolen?")
        .await;
    app.post(&bo, m, "question", "Skal skolerne lukke?").await;
    app.post(&anne, m, "question", "Hvad sker der med skolen i Vestby?")
        .await;
    let hidden = app
        .post(&bo, m, "question", "Xylofon xylofonen og skolen")
        .await;
    app.post(&anne, m, "question", "Xylofonen i skolen").await;
    app.as_who(&moderator)
        .hide(
            m,
            hidden,
            &HideRequest {
                reason: HideReason::OffTopic,
                note: None,
            },
        )
        .await
        .accepted();
    let report = app
        .as_admin()
        .request(
            Method::GET,
            &routes::report(&m),
            crate::common::client::Body::None,
        )
        .await;
    assert_eq!(report.status, 200, "{}", report.text);
    let topics = report.body["topics"].as_array().expect("topics").clone();
    assert_eq!(topics[0]["word"], "skolen", "{topics:?}");
    assert_eq!(topics[0]["questions"], 4, "{topics:?}");
    assert!(
        topics
            .iter()
            .any(|t| t["word"] == "lukker" || t["word"] == "lukke"),
        "{topics:?}"
    );
    // The hidden question's word is used by one visible question only: no topic.
    assert!(
        !topics
            .iter()
            .any(|t| t["word"].as_str().is_some_and(|w| w.starts_with("xylofon"))),
        "{topics:?}"
    );
    assert!(
        !topics
            .iter()
            .any(|t| t["word"] == "hvad" || t["word"] == "der"),
        "{topics:?}"
    );

    let html = app
        .as_admin()
        .request(
            Method::GET,
            &routes::report_html(&m),
            crate::common::client::Body::None,
        )
        .await;
    assert!(
        html.text.contains("<h2 id=\"h-topics\">Emner</h2>"),
        "{}",
        html.text
    );
    assert!(html
        .text
        .contains("<li class=\"topic t5\">skolen <span class=\"n\">(4)</span></li>"));
    let csv = app
        .as_admin()
        .request(
            Method::GET,
            &routes::report_csv(&m),
            crate::common::client::Body::None,
        )
        .await;
    assert!(csv.text.contains("topics,skolen,4\r\n"), "{}", csv.text);

    // The big screen's route: anyone, the same words; a new question moves the count.
    let route = routes::topics(&m);
    let screen = app
        .anonymous()
        .request(Method::GET, &route, crate::common::client::Body::None)
        .await;
    assert_eq!(screen.status, 200, "{}", screen.text);
    assert_eq!(screen.body["topics"][0]["word"], "skolen");
    assert_eq!(screen.body["topics"][0]["questions"], 4);
    app.post(&bo, m, "question", "Hvem betaler for skolen?")
        .await;
    let screen = app
        .anonymous()
        .request(Method::GET, &route, crate::common::client::Body::None)
        .await;
    assert_eq!(screen.body["topics"][0]["questions"], 5, "{}", screen.text);
}
