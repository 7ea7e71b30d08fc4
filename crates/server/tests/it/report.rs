//! After the meeting, against a real server: the report of the 2013 fixture (150 participants,
//! 417 posts) to the unit, presence samples feeding peak viewers, the NDJSON and CSV exports
//! round-tripping (quotes, commas, newlines, æøå), the public archive (tombstones, no hidden
//! text, no moderator names unless chosen), and `borgermode export` on SQLite and PostgreSQL.

use crate::common::routes;

use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::app::{spawn_app_on, spawn_app_with, TestApp, Who};
use crate::common::client::{post_request, Body, Outcome};
use crate::common::pg::TestDb;
use borgermode_domain::event::Event;
use borgermode_domain::report::ReportTargets;
use borgermode_domain::{MeetingState, PostKind};
use borgermode_protocol::http::{
    ArchiveResponse, CreatePostRequest, EditMeetingRequest, HideRequest, JoinRequest,
    LiveAnswerRequest, ReportOptions, StaffLinkResponse, VoteRequest, WrittenAnswerRequest,
};
use borgermode_protocol::{AgeBand, Gender, HideReason, MeetingId, ParticipantId, StaffRole};
use borgermode_server::report::export::NdjsonEvent;
use reqwest::Method;
use serde_json::{json, Value};

const PARTICIPANTS: usize = 150;
const QUESTIONS: usize = 120;
const COMMENTS: usize = 247;
const REPLIES: usize = 50;
const LIVE: usize = 60;
const WRITTEN: usize = 40;
const HIDDEN: usize = 3;
const HIDDEN_TEXT: &str = "SKJULT-TEKST-MÅ-IKKE-SES";

fn age_of(i: usize) -> Option<AgeBand> {
    [
        None,
        Some(AgeBand::Under18),
        Some(AgeBand::From18To29),
        Some(AgeBand::From30To44),
        Some(AgeBand::From45To59),
        Some(AgeBand::From60To74),
        Some(AgeBand::From75),
        Some(AgeBand::From45To59),
    ][i % 8]
}

fn gender_of(i: usize) -> Option<Gender> {
    match i % 5 {
        0 | 1 => Some(Gender::Woman),
        2 | 3 => Some(Gender::Man),
        _ if i % 15 == 4 => Some(Gender::Other),
        _ => None,
    }
}

async fn join_with(app: &TestApp, m: MeetingId, i: usize) -> Who {
    let body = JoinRequest {
        display_name: format!("Borger {i}"),
        age_band: age_of(i),
        gender: gender_of(i),
    };
    app.join_as(m, &body).await
}

async fn ok(resp: reqwest::Response, what: &str) -> Value {
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    assert!(status.is_success(), "{what}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

async fn create_post(app: &TestApp, who: &Who, m: MeetingId, body: CreatePostRequest) -> u64 {
    let ack = app.as_who(who).create_post(m, &body).await.accepted();
    ack.post_id.expect("post id")
}

/// The seed's meeting: 150 citizens, 417 posts (120 questions, 247 comments, 50 replies), 60
/// live and 40 written answers, 3 hidden comments, 30 votes; then closed. Built through the
/// API like a real meeting. Returns the meeting and the moderator's name.
pub async fn meeting_2013(app: &TestApp) -> MeetingId {
    let m = app.open_meeting("Borgermøde fra lænestolen 2013").await;
    let panel = app.staff(m, StaffRole::Panelist, "Borgmester Ærø").await;
    let moderator = app.staff(m, StaffRole::Moderator, "Mette Moderator").await;
    let mut people = Vec::new();
    for i in 0..PARTICIPANTS {
        people.push(join_with(app, m, i).await);
    }
    let mut questions = Vec::new();
    let mut comments = Vec::new();
    for i in 0..QUESTIONS {
        let body = format!("Spørgsmål {i}: \"hvorfor\", og hvad med æøå?\nAnden linje");
        questions.push(
            create_post(
                app,
                &people[i % PARTICIPANTS],
                m,
                post_request(PostKind::Question, &body),
            )
            .await,
        );
    }
    for i in 0..COMMENTS {
        let body = if i < HIDDEN {
            format!("{HIDDEN_TEXT} {i}")
        } else {
            format!("Kommentar {i}, med komma; og \"citat\"")
        };
        comments.push(
            create_post(
                app,
                &people[(i * 7) % PARTICIPANTS],
                m,
                post_request(PostKind::Comment, &body),
            )
            .await,
        );
    }
    for i in 0..REPLIES {
        create_post(
            app,
            &people[(i * 11) % PARTICIPANTS],
            m,
            CreatePostRequest {
                parent: Some(comments[HIDDEN + i]),
                ..post_request(PostKind::Comment, &format!("Svar {i}"))
            },
        )
        .await;
    }
    for (i, q) in questions.iter().enumerate().take(LIVE + WRITTEN) {
        let panelist = app.as_who(&panel);
        if i < LIVE {
            let live = LiveAnswerRequest {
                note: None,
                panelist: None,
            };
            panelist.answer_live(m, *q, &live).await.accepted();
        } else {
            let written = WrittenAnswerRequest {
                body: format!("Skriftligt svar {i}: se **kommunen.dk**"),
            };
            panelist.answer(m, *q, &written).await.accepted();
        }
    }
    for c in comments.iter().take(HIDDEN) {
        let hide = HideRequest {
            reason: HideReason::Abusive,
            note: None,
        };
        app.as_who(&moderator).hide(m, *c, &hide).await.accepted();
    }
    // Voters from the fourth participant on: questions 0-2 are people 0-2's own, and nobody
    // may upvote their own question.
    for (i, who) in people.iter().skip(3).enumerate().take(30) {
        app.as_who(who)
            .vote(m, questions[i % 3], &VoteRequest { up: true })
            .await
            .accepted();
    }
    app.as_admin().close(m).await.accepted();
    m
}

async fn get_text(app: &TestApp, path: &str) -> (u16, String) {
    let resp = app.admin(Method::GET, path).send().await.expect("get");
    (
        resp.status().as_u16(),
        resp.text().await.unwrap_or_default(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_of_the_2013_meeting_is_exact() {
    let app = spawn_app_with(|_| {}).await;
    let m = meeting_2013(&app).await;
    let options = ReportOptions {
        targets: ReportTargets {
            under_30_min_pct: Some(25),
            women_min_pct: Some(40),
        },
        show_moderators: false,
    };
    app.as_admin()
        .set_report_options(m, &options)
        .await
        .accepted();
    let (status, body) = get_text(&app, &routes::report(&m)).await;
    assert_eq!(status, 200, "{body}");
    let r: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(r["participants"], 150);
    assert_eq!(r["posts"], 417);
    assert_eq!(r["questions"], QUESTIONS);
    assert_eq!(r["comments"], COMMENTS);
    assert_eq!(r["replies"], REPLIES);
    assert_eq!(r["votes"], 30);
    assert_eq!(r["answers"]["questions"], QUESTIONS);
    assert_eq!(r["answers"]["answered_live"], LIVE);
    assert_eq!(r["answers"]["written_during"], WRITTEN);
    assert_eq!(r["answers"]["answered_after"], 0);
    assert_eq!(r["answers"]["unanswered"], QUESTIONS - LIVE - WRITTEN);
    assert_eq!(r["panelists"].as_array().map(Vec::len), Some(1));
    assert_eq!(r["panelists"][0]["answered"], LIVE + WRITTEN);
    let hidden = r["moderation"]
        .as_array()
        .expect("moderation")
        .iter()
        .find(|x| x["action"] == "hidden" && x["reason"] == "abusive")
        .expect("hidden row");
    assert_eq!(hidden["count"], HIDDEN);
    // Demographics: every published cell is the true count and at least 5.
    let mut ages = std::collections::BTreeMap::<String, u32>::new();
    for i in 0..PARTICIPANTS {
        let k = age_of(i)
            .map(borgermode_domain::report::age_name)
            .unwrap_or_else(|| "not_stated".into());
        *ages.entry(k).or_default() += 1;
    }
    for c in r["age"]["cells"].as_array().expect("cells") {
        let group = c["group"].as_str().expect("group");
        if let Some(n) = c["count"].as_u64() {
            assert_eq!(n as u32, ages.get(group).copied().unwrap_or(0), "{group}");
            assert!(n >= 5);
        }
    }
    // Gender "other" is 10 of 150 (i % 15 == 4), shown; every count adds up to 150.
    assert_eq!(r["gender"]["total"], 150);
    assert_eq!(r["targets"].as_array().map(Vec::len), Some(2));
    // 60 women of 150 = 40 %: the women target of 40 % is met, exactly.
    assert_eq!(r["targets"][1]["share_low_pct"], 40.0);
    assert_eq!(r["targets"][1]["met"], true);

    // The HTML page: escaped title, an accessible SVG chart, the same figures; the CSV.
    let (status, html) = get_text(&app, &routes::report_html(&m)).await;
    assert_eq!(status, 200);
    assert!(html.contains("<svg") && html.contains("<title id=\"tl-title\">"));
    assert!(html.contains("<strong>417</strong>") && html.contains("<strong>150</strong>"));
    assert!(!html.contains("<script"));
    // Strings from the locale files (the meeting is Danish), not their keys.
    assert!(html.contains("Nøgletal") && !html.contains("report.figures"));
    let (status, csv_text) = get_text(&app, &routes::report_csv(&m)).await;
    assert_eq!(status, 200);
    let mut rd = csv::Reader::from_reader(csv_text.as_bytes());
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.expect("row")).collect();
    let find = |s: &str, k: &str| {
        rows.iter()
            .find(|r| &r[0] == s && &r[1] == k)
            .map(|r| r[2].to_string())
    };
    assert_eq!(find("figures", "participants").as_deref(), Some("150"));
    assert_eq!(find("figures", "posts").as_deref(), Some("417"));

    // Every new API route is in the OpenAPI document.
    let (_, doc) = get_text(&app, &routes::openapi_json()).await;
    let doc: Value = serde_json::from_str(&doc).expect("openapi");
    for path in [
        "/report",
        "/report.csv",
        "/report.html",
        "/report-options",
        "/export.ndjson",
        "/export.csv",
        "/archive",
    ] {
        assert!(
            doc["paths"][format!("{}{path}", routes::meeting("{id}"))].is_object(),
            "{path} in OpenAPI"
        );
    }
    assert!(doc["components"]["schemas"]["Report"].is_object());

    exports_round_trip(&app, m).await;
    archive_hides_what_it_must(&app, m).await;
    subcommand_export(&app, m).await;
}

/// NDJSON back into domain events equals the store's log; CSV rows equal the projection.
async fn exports_round_trip(app: &TestApp, m: MeetingId) {
    let log = app.state.store.events(m, 0, None).await.expect("log");
    let (status, nd) = get_text(app, &routes::export_ndjson(&m)).await;
    assert_eq!(status, 200);
    let parsed: Vec<Event> = nd
        .lines()
        .map(|l| {
            let line: NdjsonEvent = serde_json::from_str(l).expect("line");
            assert!(!line.kind.is_empty());
            Event {
                seq: line.seq,
                at: line.at,
                actor: line.actor,
                kind: serde_json::from_value(line.payload).expect("payload"),
            }
        })
        .collect();
    assert_eq!(parsed.len(), log.len());
    assert_eq!(parsed, log);

    let state = MeetingState::replay(m, &log);
    let (status, text) = get_text(app, &routes::export_csv(&m)).await;
    assert_eq!(status, 200);
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        rd.headers().expect("header").iter().collect::<Vec<_>>(),
        borgermode_server::report::export::CSV_HEADER.to_vec()
    );
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), state.posts.len());
    let mut tricky = 0;
    for (row, post) in rows.iter().zip(state.posts.values()) {
        assert_eq!(row[0].parse::<u64>().expect("id"), post.id.0);
        assert_eq!(&row[6], post.body.as_str());
        if post.body.as_str().contains('\n') && post.body.as_str().contains('"') {
            tricky += 1;
        }
        let expected_kind = match (post.kind, post.parent) {
            (PostKind::Question, _) => "question",
            (PostKind::Comment, Some(_)) => "reply",
            (PostKind::Comment, None) => "comment",
            (PostKind::Notice, _) => "notice",
        };
        assert_eq!(&row[1], expected_kind);
    }
    assert_eq!(
        tricky, QUESTIONS,
        "bodies with quotes, commas, newlines and æøå"
    );
}

async fn archive_hides_what_it_must(app: &TestApp, m: MeetingId) {
    let resp = app
        .http
        .get(app.url(&routes::archive(&m)))
        .send()
        .await
        .expect("archive");
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.expect("text");
    let page = app
        .http
        .get(app.url(&routes::archive_page(&m)))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    for body in [&text, &page] {
        assert!(!body.contains(HIDDEN_TEXT), "hidden text in the archive");
        assert!(!body.contains("Mette Moderator"), "moderator named");
    }
    let a: ArchiveResponse = serde_json::from_str(&text).expect("json");
    let posts = &a.posts;
    assert_eq!(posts.len(), QUESTIONS + COMMENTS + REPLIES);
    let tombstones: Vec<_> = posts.iter().filter(|p| p.body.is_none()).collect();
    assert_eq!(tombstones.len(), HIDDEN);
    assert!(tombstones
        .iter()
        .all(|p| p.hidden_reason == Some(HideReason::Abusive)));
    assert_eq!(
        posts.iter().filter(|p| p.answer.is_some()).count(),
        LIVE + WRITTEN
    );
    assert_eq!(a.moderation_log.len(), HIDDEN);
    // The organizer chooses to name moderators: now the log says who.
    let options = ReportOptions {
        targets: ReportTargets::default(),
        show_moderators: true,
    };
    app.as_admin()
        .set_report_options(m, &options)
        .await
        .accepted();
    // Raw text as well as the typed body: the hidden text is nowhere in what was sent.
    let reply = app
        .anonymous()
        .request(Method::GET, &routes::archive(&m), Body::None)
        .await;
    assert_eq!(reply.status, 200);
    let a: ArchiveResponse = serde_json::from_str(&reply.text).expect("json");
    assert_eq!(
        a.moderation_log[0].moderator.as_deref(),
        Some("Mette Moderator")
    );
    assert!(!reply.text.contains(HIDDEN_TEXT));
}

/// `borgermode export` on the app's database: the same bytes as the API.
async fn subcommand_export(app: &TestApp, m: MeetingId) {
    for (format, path) in [("ndjson", "export.ndjson"), ("csv", "export.csv")] {
        let out = app.dir.path().join(format!("out.{format}"));
        let o = Command::new(env!("CARGO_BIN_EXE_borgermode"))
            .args(["export", &m.to_string(), "--format", format, "--out"])
            .arg(&out)
            .env("DATABASE_URL", &app.db_url)
            .env_remove("REDIS_URL")
            .env("RUST_LOG", "warn")
            .output()
            .expect("run");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let file = std::fs::read_to_string(&out).expect("out file");
        let (_, api) = get_text(app, &routes::meeting_sub(&m, &path)).await;
        assert_eq!(file, api, "{format}");
    }
    let o = Command::new(env!("CARGO_BIN_EXE_borgermode"))
        .args(["export", &uuid::Uuid::new_v4().to_string()])
        .env("DATABASE_URL", &app.db_url)
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2));
}

/// PostgreSQL: presence samples reach the report, and the export subcommand reads the store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_report_and_export_on_postgres() {
    let db = TestDb::fresh().await;
    let dir = std::sync::Arc::new(tempfile::tempdir().expect("tempdir"));
    let app = spawn_app_on(dir, db.url.clone(), |s| s.presence_sample_ms = 50).await;
    let m = app.open_meeting("Møde på PostgreSQL").await;
    let anne = app.join(m, "Anne \"Æ\", Ørsted").await;
    app.post(&anne, m, "question", "Hvad med\nbussen, \"linje 4\"?")
        .await;
    let _ws1 = crate::common::app::ws_connect(&app.ws_url(m, None), None).await;
    let _ws2 = crate::common::app::ws_connect(&app.ws_url(m, None), None).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, body) = get_text(&app, &routes::report(&m)).await;
        let r: Value = serde_json::from_str(&body).expect("json");
        if r["peak_viewers"].as_u64() == Some(2) {
            assert_eq!(r["participants"], 1);
            assert_eq!(r["posts"], 1);
            assert!(r["timeline"].as_array().is_some_and(|t| !t.is_empty()));
            break;
        }
        assert!(Instant::now() < deadline, "no presence sample: {body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Not closed yet: no archive.
    app.anonymous().archive(m).await.refused_status(409);
    // A citizen may not read the report.
    let resp = app
        .as_(&anne, Method::GET, &routes::report(&m))
        .send()
        .await
        .expect("report");
    assert_eq!(resp.status(), 403);
    exports_round_trip_small(&app, m).await;
    subcommand_export(&app, m).await;
}

async fn exports_round_trip_small(app: &TestApp, m: MeetingId) {
    let log = app.state.store.events(m, 0, None).await.expect("log");
    let (_, nd) = get_text(app, &routes::export_ndjson(&m)).await;
    let parsed: Vec<Event> = nd
        .lines()
        .map(|l| {
            let line: NdjsonEvent = serde_json::from_str(l).expect("line");
            Event {
                seq: line.seq,
                at: line.at,
                actor: line.actor,
                kind: serde_json::from_value(line.payload).expect("payload"),
            }
        })
        .collect();
    assert_eq!(parsed, log);
    let (_, text) = get_text(app, &routes::export_csv(&m)).await;
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    let row = rd.records().next().expect("a row").expect("row");
    assert_eq!(&row[3], "Anne \"Æ\", Ørsted");
    assert_eq!(&row[6], "Hvad med\nbussen, \"linje 4\"?");
}

/// The `--demo-2013` seeding (history over two hours, presence samples): the report has
/// exactly the seed's figures.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_2013_meeting_has_the_seed_figures() {
    let app = spawn_app_with(|_| {}).await;
    let m = borgermode_server::cli::demo::seed_2013(&app.state)
        .await
        .expect("seed");
    let (status, body) = get_text(&app, &routes::report(&m)).await;
    assert_eq!(status, 200, "{body}");
    let r: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(r["participants"], 150);
    assert_eq!(r["posts"], 417);
    assert_eq!(r["questions"], 120);
    assert_eq!(r["comments"], 247);
    assert_eq!(r["replies"], 50);
    assert_eq!(r["answers"]["answered_live"], 60);
    assert_eq!(r["answers"]["written_during"], 40);
    assert_eq!(r["answers"]["unanswered"], 20);
    assert_eq!(r["peak_viewers"], 220);
    let expected_votes: usize = (0..40usize)
        .map(|n| (150 - n).div_ceil(9).min(12 - n % 12))
        .sum();
    assert_eq!(r["votes"], expected_votes);
    assert_eq!(r["targets"].as_array().map(Vec::len), Some(2));
    assert_eq!(r["timeline"].as_array().map(Vec::len), Some(121));
    let posts_in_timeline: u64 = r["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .map(|p| p["posts"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(posts_in_timeline, 417);
    // And it is an ordinary closed meeting: the archive opens, with tombstones.
    let a = app.anonymous().archive(m).await.accepted();
    let tombstones = a.posts.iter().filter(|p| p.body.is_none()).count();
    assert_eq!(tombstones, 4);
}

/// Erased content (as the GDPR erasure leaves it: text None, hash kept) never panics and never
/// shows anything but a clear marker: NDJSON has `text: null` with the hash, the CSV and the
/// archive say "[erased]".
#[test]
fn erased_content_is_a_tombstone_in_exports_and_archive() {
    use borgermode_domain::event::{Actor, Content, EventKind};
    use borgermode_domain::{Answer, MeetingDetails, MeetingSettings, Source};
    let m = MeetingId(uuid::Uuid::new_v4());
    let citizen = borgermode_domain::ParticipantId(uuid::Uuid::new_v4());
    let panel = borgermode_domain::ParticipantId(uuid::Uuid::new_v4());
    let at = chrono::Utc::now();
    let erased = |text: &str| Content {
        text: None,
        ..Content::new(text)
    };
    let kinds = vec![
        (
            Actor::Organizer,
            EventKind::MeetingCreated {
                details: MeetingDetails {
                    title: "Møde".into(),
                    description: String::new(),
                    starts_at: None,
                    ends_at: None,
                    language: borgermode_domain::Language::Da,
                    video_url: None,
                },
                settings: MeetingSettings::default(),
            },
        ),
        (
            Actor::Organizer,
            EventKind::StaffAdded {
                participant: panel,
                role: StaffRole::Panelist,
                name: "Borgmester".into(),
                role_line: String::new(),
            },
        ),
        (Actor::Organizer, EventKind::MeetingOpened),
        (
            Actor::Participant { id: citizen },
            EventKind::ParticipantJoined {
                participant: citizen,
                display_name: erased("Anne Hemmelig"),
                age_band: None,
                gender: None,
            },
        ),
        (
            Actor::Participant { id: citizen },
            EventKind::PostCreated {
                post_kind: PostKind::Question,
                parent: None,
                body: erased("Mit CPR-nummer er ..."),
                source: Source::Online,
                held: None,
            },
        ),
        (
            Actor::Participant { id: panel },
            EventKind::QuestionAnswered {
                post: borgermode_domain::PostId(5),
                answer: Answer::Written {
                    body: erased("Svar til Anne"),
                },
            },
        ),
        (Actor::Organizer, EventKind::MeetingClosed),
    ];
    let events: Vec<Event> = kinds
        .into_iter()
        .enumerate()
        .map(|(i, (actor, kind))| Event {
            seq: i as u64 + 1,
            at,
            actor,
            kind,
        })
        .collect();
    let nd = borgermode_server::report::export::ndjson(&events);
    for secret in ["Anne Hemmelig", "CPR", "Svar til Anne"] {
        assert!(!nd.contains(secret));
    }
    let joined: NdjsonEvent = serde_json::from_str(nd.lines().nth(3).expect("line")).expect("json");
    assert_eq!(joined.contents.len(), 1);
    assert_eq!(joined.contents[0].text, None);
    assert_eq!(joined.contents[0].hash, Content::new("Anne Hemmelig").hash);
    let line: Value = serde_json::from_str(nd.lines().nth(4).expect("line")).expect("json");
    assert!(line["contents"][0]["text"].is_null());

    let state = MeetingState::replay(m, &events);
    let csv_text = borgermode_server::report::export::posts_csv(&state);
    let mut rd = csv::Reader::from_reader(csv_text.as_bytes());
    let row = rd.records().next().expect("row").expect("row");
    assert_eq!(&row[3], "[erased]");
    assert_eq!(&row[6], "[erased]");
    assert_eq!(&row[9], "[erased]");

    let a = borgermode_server::http::api::organizer::report::archive(m, &events, false, &[])
        .expect("closed");
    assert_eq!(a.posts[0].body.as_deref(), Some("[erased]"));
    assert_eq!(a.posts[0].author.as_deref(), Some("[erased]"));
    let answer = a.posts[0].answer.as_ref().expect("answer");
    assert_eq!(answer.text.as_deref(), Some("[erased]"));
}

/// Issue 13, items 3, 4 and the video part of 11, against a real server: a staff link's
/// optional title may be absent, null or blank; a live answer names the panelist who gave it
/// (a non-panelist is a 422 naming the field) and the archive and the report credit that
/// panelist, never the moderator who pressed the button; an http:// video is refused at input
/// with `field: video_url`.
#[tokio::test]
async fn live_answers_credit_the_panelist_and_field_errors_name_the_field() {
    let app = crate::common::app::spawn_app().await;
    let m = app.open_meeting("Borgermøde om havnebadet").await;
    let moderator = app.staff(m, StaffRole::Moderator, "Mette Mødeleder").await;
    let soren = app.staff(m, StaffRole::Panelist, "Søren Ærø").await;
    let staff = routes::staff_links(&m);
    let mut ida = None;
    // Raw bodies: the test is about role_line absent, null or blank on the wire.
    for (name, line) in [
        ("Ida Holm", json!(null)),
        ("Bo Berg", json!("   ")),
        ("Åse Ager", json!("Kultur")),
    ] {
        let resp = app
            .admin(Method::POST, &staff)
            .json(&json!({"role": "panelist", "name": name, "role_line": line}))
            .send()
            .await
            .expect("staff");
        assert_eq!(resp.status(), 201, "role_line {line}");
        let link: StaffLinkResponse = resp.json().await.expect("link");
        if name == "Ida Holm" {
            ida = Some(link.participant_id);
        }
    }
    let resp = app
        .admin(Method::POST, &staff)
        .json(&json!({"role": "moderator", "name": "Uden Titel"}))
        .send()
        .await
        .expect("staff");
    assert_eq!(resp.status(), 201, "role_line absent");
    let ida = ida.expect("ida");
    let view = app.as_admin().meeting(m).await.accepted();
    let line_of = |n: &str| {
        view.staff
            .iter()
            .find(|s| s.name == n)
            .map(|s| s.role_line.clone())
    };
    assert_eq!(line_of("Ida Holm"), Some(None));
    assert_eq!(line_of("Bo Berg"), Some(None));
    assert_eq!(line_of("Åse Ager"), Some(Some("Kultur".into())));
    // The installation's zone travels with the meeting view.
    assert_eq!(view.time_zone.as_deref(), Some("Europe/Copenhagen"));

    let citizen = app.join(m, "Karen Jensen").await;
    let q1 = app
        .post(&citizen, m, "question", "Hvornår åbner havnebadet?")
        .await;
    let q2 = app
        .post(&citizen, m, "question", "Kommer der livreddere?")
        .await;
    let live = |panelist: Option<ParticipantId>, note: Option<&str>| LiveAnswerRequest {
        note: note.map(Into::into),
        panelist,
    };
    // A moderator is not a panelist: refused, naming the field.
    let p = app
        .as_who(&moderator)
        .answer_live(m, q1, &live(Some(moderator.id), None))
        .await
        .refused(422, "validation_failed");
    assert_eq!(p.field.as_deref(), Some("panelist"));
    app.as_who(&moderator)
        .answer_live(m, q1, &live(Some(ida), Some("i salen")))
        .await
        .accepted();
    // Claimed by Søren, recorded by the moderator without naming anyone: Søren.
    app.as_who(&soren).claim(m, q2).await.accepted();
    app.as_who(&moderator)
        .answer_live(m, q2, &live(None, None))
        .await
        .accepted();

    // An http:// video: refused at input, naming the field.
    let video = EditMeetingRequest {
        video_url: Some(Some("http://video.example.org/live.m3u8".into())),
        ..Default::default()
    };
    let p = app
        .as_admin()
        .edit_meeting(m, &video)
        .await
        .refused_status(422);
    assert_eq!(p.field.as_deref(), Some("video_url"));

    app.as_admin().close(m).await.accepted();
    let a = app.anonymous().archive(m).await.accepted();
    let by = |q: u64| {
        a.posts
            .iter()
            .find(|p| p.id == q)
            .map(|p| p.answer.as_ref().and_then(|answer| answer.by.clone()))
    };
    assert_eq!(by(q1), Some(Some("Ida Holm".into())));
    assert_eq!(by(q2), Some(Some("Søren Ærø".into())));
    let r = ok(
        app.admin(Method::GET, &routes::report(&m))
            .send()
            .await
            .expect("report"),
        "report",
    )
    .await;
    assert_eq!(r["answers"]["answered_live"], 2);
    let mut names: Vec<String> = r["panelists"]
        .as_array()
        .expect("panelists")
        .iter()
        .map(|p| format!("{} {}", p["name"].as_str().unwrap_or(""), p["answered"]))
        .collect();
    names.sort();
    assert_eq!(names, vec!["Ida Holm 1", "Søren Ærø 1"]);
}

/// Issue 13, item 6 and the archive part of 11: the pages a person reads show the
/// installation's local time (a post at 18:56 UTC in December reads 19.56 in Danish, 19:56 in
/// English), Danish decimal commas, and the archive in threads of pages.
#[test]
fn report_and_archive_pages_read_local_time_and_page_their_threads() {
    use borgermode_domain::report::Report;
    use borgermode_protocol::http::{ArchiveModeration, ArchivePost, ArchiveResponse};
    use borgermode_server::report::render::{
        archive_html, report_html, Local, Strings, ARCHIVE_PAGE_THREADS,
    };
    use chrono::{TimeZone, Utc};

    let at = Utc.with_ymd_and_hms(2026, 12, 6, 18, 56, 0).unwrap();
    let summer = Utc.with_ymd_and_hms(2026, 6, 6, 18, 56, 0).unwrap();
    let cph = chrono_tz::Europe::Copenhagen;
    let (da, en) = (Local::new("da", cph), Local::new("en", cph));
    assert_eq!(da.time(at), "19.56");
    assert_eq!(en.time(at), "19:56");
    assert_eq!(da.time(summer), "20.56", "summer time is UTC+2");
    assert_eq!(da.date_time(at), "6.12.2026 19.56");
    assert_eq!(en.date_time(at), "06/12/2026 19:56");
    assert_eq!(da.dec1(44.0), "44,0");
    assert_eq!(en.dec1(44.0), "44.0");

    let post = |id: u64, parent: Option<u64>| ArchivePost {
        id,
        kind: PostKind::Comment,
        parent,
        created_at: at,
        author: Some("Anne".into()),
        body: Some(format!("indlæg {id}")),
        hidden_reason: None,
        question_state: None,
        answer: None,
        agenda_item: None,
    };
    // 60 threads; three replies to post 1, posted last.
    let mut posts: Vec<ArchivePost> = (1..=60).map(|i| post(i, None)).collect();
    posts.extend((61..=63).map(|i| post(i, Some(1))));
    let a = ArchiveResponse {
        meeting_id: MeetingId(uuid::Uuid::nil()),
        title: "Arkivtest".into(),
        closed_at: Some(at),
        posts,
        moderation_log: vec![ArchiveModeration {
            at,
            action: "hidden".into(),
            reason: Some("spam".into()),
            post: Some(60),
            moderator: None,
        }],
        agenda: Vec::new(),
        polls: Vec::new(),
    };
    let s = Strings(borgermode_server::locales::strings("da"));
    let p1 = archive_html(&a, "da", &s, &da, 1, None, None);
    // 18:56 only as data, in the machine-readable `datetime` attribute.
    assert_eq!(
        p1.matches("18:56").count(),
        p1.matches("datetime=\"2026-12-06T18:56").count()
    );
    assert!(p1.contains(">19.56</time>") && !p1.contains("UTC"));
    assert!(p1.contains("Afsluttet 6.12.2026 19.56"));
    assert_eq!(
        p1.matches("<article class=\"post comment\"").count(),
        ARCHIVE_PAGE_THREADS
    );
    // The replies sit inside their post, folded, not 60 posts further down.
    let thread = &p1[p1.find("id=\"p1\"").unwrap()..p1.find("id=\"p2\"").unwrap()];
    assert_eq!(thread.matches("<article class=\"post reply\"").count(), 3);
    assert!(thread.contains("<details class=\"replies\"><summary>3 svar</summary>"));
    assert!(p1.contains("Side 1 af 2") && !p1.contains("id=\"h-log\""));
    let p2 = archive_html(&a, "da", &s, &da, 2, None, None);
    assert_eq!(p2.matches("<article class=\"post comment\"").count(), 10);
    assert!(p2.contains("id=\"h-log\"") && p2.contains(">19.56.00<"));
    let en_page = archive_html(
        &a,
        "en",
        &Strings(borgermode_server::locales::strings("en")),
        &en,
        9,
        None,
        None,
    );
    assert!(en_page.contains(">19:56</time>") && en_page.contains("Page 2 of 2"));

    let r = Report {
        title: "Rapport".into(),
        opened_at: Some(at),
        closed_at: Some(at + chrono::Duration::minutes(90)),
        average_viewers: 44.0,
        ..Report::default()
    };
    let html = report_html(&r, uuid::Uuid::nil(), "da", &s, &da);
    assert!(html.contains("6.12.2026 19.56–21.26"), "local span");
    assert!(html.contains("<strong>44,0</strong>") && !html.contains("UTC"));
}
