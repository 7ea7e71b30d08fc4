//! After the meeting, against a real server: the report of the 2013 fixture (150 participants,
//! 417 posts) to the unit, presence samples feeding peak viewers, the NDJSON and CSV exports
//! round-tripping (quotes, commas, newlines, æøå), the public archive (tombstones, no hidden
//! text, no moderator names unless chosen), and `borgermode export` on SQLite and PostgreSQL.

use crate::common::routes;

use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::app::{cookie_token, spawn_app_on, spawn_app_with, TestApp, Who};
use crate::common::client::Outcome;
use crate::common::pg::TestDb;
use borgermode_domain::event::Event;
use borgermode_domain::{MeetingState, PostKind};
use borgermode_protocol::http::{JoinRequest, VoteRequest};
use borgermode_protocol::{AgeBand, Gender, MeetingId, StaffRole};
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
    let resp = app
        .http
        .post(app.url(&routes::join(&m)))
        .json(&JoinRequest {
            display_name: format!("Borger {i}"),
            age_band: age_of(i),
            gender: gender_of(i),
        })
        .send()
        .await
        .expect("join");
    assert_eq!(resp.status(), 201);
    let token = cookie_token(&resp).expect("cookie");
    let v: Value = resp.json().await.expect("session");
    Who {
        id: serde_json::from_value(v["you"]["participant_id"].clone()).expect("id"),
        token,
    }
}

async fn ok(resp: reqwest::Response, what: &str) -> Value {
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    assert!(status.is_success(), "{what}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

async fn create_post(app: &TestApp, who: &Who, m: MeetingId, body: Value) -> u64 {
    let v = ok(
        app.as_(who, Method::POST, &routes::posts(&m))
            .json(&body)
            .send()
            .await
            .expect("post"),
        "post",
    )
    .await;
    v["post_id"].as_u64().expect("post id")
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
                json!({"kind": "question", "body": body}),
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
                json!({"kind": "comment", "body": body}),
            )
            .await,
        );
    }
    for i in 0..REPLIES {
        create_post(
            app,
            &people[(i * 11) % PARTICIPANTS],
            m,
            json!({"kind": "comment", "body": format!("Svar {i}"), "parent": comments[HIDDEN + i]}),
        )
        .await;
    }
    for (i, q) in questions.iter().enumerate().take(LIVE + WRITTEN) {
        let (path, body) = if i < LIVE {
            ("answer-live", json!({}))
        } else {
            (
                "answer",
                json!({"body": format!("Skriftligt svar {i}: se **kommunen.dk**")}),
            )
        };
        ok(
            app.as_(
                &panel,
                Method::POST,
                &routes::question_action(&m, &q, &path),
            )
            .json(&body)
            .send()
            .await
            .expect("answer"),
            "answer",
        )
        .await;
    }
    for c in comments.iter().take(HIDDEN) {
        ok(
            app.as_(&moderator, Method::POST, &routes::post_hide(&m, &c))
                .json(&json!({"reason": "abusive"}))
                .send()
                .await
                .expect("hide"),
            "hide",
        )
        .await;
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
    ok(
        app.admin(Method::PUT, &routes::report_options(&m))
            .json(&json!({"targets": {"under_30_min_pct": 25, "women_min_pct": 40}}))
            .send()
            .await
            .expect("options"),
        "options",
    )
    .await;
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
        .get(app.url(&format!("/m/{m}/archive")))
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
    let a: Value = serde_json::from_str(&text).expect("json");
    let posts = a["posts"].as_array().expect("posts");
    assert_eq!(posts.len(), QUESTIONS + COMMENTS + REPLIES);
    let tombstones: Vec<&Value> = posts.iter().filter(|p| p["body"].is_null()).collect();
    assert_eq!(tombstones.len(), HIDDEN);
    assert!(tombstones.iter().all(|p| p["hidden_reason"] == "abusive"));
    assert_eq!(
        posts.iter().filter(|p| !p["answer"].is_null()).count(),
        LIVE + WRITTEN
    );
    assert_eq!(a["moderation_log"].as_array().map(Vec::len), Some(HIDDEN));
    // The organizer chooses to name moderators: now the log says who.
    ok(
        app.admin(Method::PUT, &routes::report_options(&m))
            .json(&json!({"show_moderators": true}))
            .send()
            .await
            .expect("options"),
        "options",
    )
    .await;
    let a: Value = app
        .http
        .get(app.url(&routes::archive(&m)))
        .send()
        .await
        .expect("archive")
        .json()
        .await
        .expect("json");
    assert_eq!(a["moderation_log"][0]["moderator"], "Mette Moderator");
    assert!(!a.to_string().contains(HIDDEN_TEXT));
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
    let resp = app
        .http
        .get(app.url(&routes::archive(&m)))
        .send()
        .await
        .expect("archive");
    assert_eq!(resp.status(), 409);
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
    let a: Value = app
        .http
        .get(app.url(&routes::archive(&m)))
        .send()
        .await
        .expect("archive")
        .json()
        .await
        .expect("json");
    let tombstones = a["posts"]
        .as_array()
        .expect("posts")
        .iter()
        .filter(|p| p["body"].is_null())
        .count();
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

async fn problem(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
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
        let v: Value = resp.json().await.expect("link");
        if name == "Ida Holm" {
            ida = Some(v["participant_id"].as_str().expect("id").to_string());
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
    let view = ok(
        app.admin(Method::GET, &routes::meeting(&m))
            .send()
            .await
            .expect("meeting"),
        "meeting",
    )
    .await;
    let line_of = |n: &str| {
        view["staff"]
            .as_array()
            .expect("staff")
            .iter()
            .find(|s| s["name"] == n)
            .map(|s| s["role_line"].clone())
    };
    assert_eq!(line_of("Ida Holm"), Some(Value::Null));
    assert_eq!(line_of("Bo Berg"), Some(Value::Null));
    assert_eq!(line_of("Åse Ager"), Some(json!("Kultur")));
    // The installation's zone travels with the meeting view.
    assert_eq!(view["time_zone"], "Europe/Copenhagen");

    let citizen = app.join(m, "Karen Jensen").await;
    let q1 = app
        .post(&citizen, m, "question", "Hvornår åbner havnebadet?")
        .await;
    let q2 = app
        .post(&citizen, m, "question", "Kommer der livreddere?")
        .await;
    let live = |q: u64| routes::answer_live(&m, &q);
    // A moderator is not a panelist: refused, naming the field.
    let (status, p) = problem(
        app.as_(&moderator, Method::POST, &live(q1))
            .json(&json!({"panelist": moderator.id}))
            .send()
            .await
            .expect("live"),
    )
    .await;
    assert_eq!(
        (status, p["code"].as_str()),
        (422, Some("validation_failed"))
    );
    assert_eq!(p["field"], "panelist");
    ok(
        app.as_(&moderator, Method::POST, &live(q1))
            .json(&json!({"panelist": ida, "note": "i salen"}))
            .send()
            .await
            .expect("live"),
        "live for Ida",
    )
    .await;
    // Claimed by Søren, recorded by the moderator without naming anyone: Søren.
    ok(
        app.as_(&soren, Method::POST, &routes::claim(&m, &q2))
            .send()
            .await
            .expect("claim"),
        "claim",
    )
    .await;
    ok(
        app.as_(&moderator, Method::POST, &live(q2))
            .send()
            .await
            .expect("live"),
        "live by default",
    )
    .await;

    // An http:// video: refused at input, naming the field.
    let (status, p) = problem(
        app.admin(Method::PATCH, &routes::meeting(&m))
            .json(&json!({"video_url": "http://video.example.org/live.m3u8"}))
            .send()
            .await
            .expect("patch"),
    )
    .await;
    assert_eq!((status, p["field"].as_str()), (422, Some("video_url")));

    app.as_admin().close(m).await.accepted();
    let a = ok(
        app.http
            .get(app.url(&routes::archive(&m)))
            .send()
            .await
            .expect("archive"),
        "archive",
    )
    .await;
    let by = |q: u64| {
        a["posts"]
            .as_array()
            .expect("posts")
            .iter()
            .find(|p| p["id"] == q)
            .map(|p| p["answer"]["by"].clone())
    };
    assert_eq!(by(q1), Some(json!("Ida Holm")));
    assert_eq!(by(q2), Some(json!("Søren Ærø")));
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
    let p1 = archive_html(&a, "da", &s, &da, 1, None);
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
    let p2 = archive_html(&a, "da", &s, &da, 2, None);
    assert_eq!(p2.matches("<article class=\"post comment\"").count(), 10);
    assert!(p2.contains("id=\"h-log\"") && p2.contains(">19.56.00<"));
    let en_page = archive_html(
        &a,
        "en",
        &Strings(borgermode_server::locales::strings("en")),
        &en,
        9,
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
