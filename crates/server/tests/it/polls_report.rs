//! The agenda and polls after the meeting, against a real server: the report's agenda and
//! poll sections (JSON, CSV and HTML in step; a closed poll by age band and gender under the
//! report's suppression), the polls CSV export (neutralized cells), the NDJSON export carrying
//! the agenda and poll events, the archive (agenda, questions by item, closed polls' public
//! results only), and the announcement kit listing the agenda. Answers go through the citizen
//! route (`PUT .../polls/{poll}/answer`).

use crate::common::app::{cookie_token, spawn_app, TestApp, Who};
use crate::common::client::Outcome;
use crate::common::routes;
use borgermode_domain::report::{BreakdownMissing, Report};
use borgermode_protocol::http::{
    AgendaItemRequest, AnnouncementsResponse, ArchiveResponse, CreateMeetingRequest,
    CreatePostRequest, JoinRequest, SessionResponse,
};
use borgermode_protocol::{
    AgeBand, Gender, Language, MeetingId, PollAnswer, PollDefinition, PollKind, PostKind,
    ResultsShown, StaffRole,
};
use borgermode_server::report::export::NdjsonEvent;
use chrono::{TimeZone, Utc};
use reqwest::Method;

async fn join_as(
    app: &TestApp,
    m: MeetingId,
    name: &str,
    age: Option<AgeBand>,
    gender: Option<Gender>,
) -> Who {
    let resp = app
        .anonymous()
        .raw(Method::POST, &routes::join(&m))
        .json(&JoinRequest {
            display_name: name.into(),
            age_band: age,
            gender,
        })
        .send()
        .await
        .expect("join");
    assert_eq!(resp.status(), 201, "join {name}");
    let token = cookie_token(&resp).expect("session cookie");
    let s: SessionResponse = resp.json().await.expect("session");
    Who {
        id: s.you.participant_id,
        token,
    }
}

async fn get_text(app: &TestApp, path: &str) -> (u16, String) {
    let resp = app.admin(Method::GET, path).send().await.expect("get");
    (
        resp.status().as_u16(),
        resp.text().await.unwrap_or_default(),
    )
}

async fn ask(app: &TestApp, who: &Who, m: MeetingId, body: &str, item: Option<u64>) -> u64 {
    app.as_who(who)
        .create_post(
            m,
            &CreatePostRequest {
                kind: PostKind::Question,
                body: body.into(),
                parent: None,
                agenda_item: item,
            },
        )
        .await
        .accepted()
        .post_id
        .expect("post id")
}

fn choice(
    question: &str,
    options: &[&str],
    results: ResultsShown,
    item: Option<u64>,
) -> PollDefinition {
    PollDefinition {
        question: question.into(),
        kind: PollKind::SingleChoice {
            options: options.iter().map(|o| o.to_string()).collect(),
        },
        results,
        agenda_item: item.map(borgermode_domain::AgendaItemId),
    }
}

struct Scene {
    m: MeetingId,
    harbour: u64,
    schools: u64,
    /// after_close, under the harbour item, options "A: parken" and "=SUM(A1)".
    plan: u64,
    /// staff_only, never published.
    secret: u64,
    /// word cloud, live.
    words: u64,
    harbour_questions: Vec<u64>,
    loose_question: u64,
}

/// A closed meeting with an agenda of two items, questions under them and without one, and
/// three closed polls answered by 20 citizens: 12 women 30-44 (A), 6 men 18-29 (B), 2 men under
/// 18 (B).
async fn scene(app: &TestApp) -> Scene {
    let admin = app.as_admin();
    let m = admin
        .create_meeting(&CreateMeetingRequest {
            title: "Havnen".into(),
            description: "Om havnen.".into(),
            starts_at: Utc.with_ymd_and_hms(2026, 1, 15, 18, 0, 0).single(),
            ends_at: None,
            language: Language::Da,
            video_url: None,
            settings: Default::default(),
            organization_id: None,
        })
        .await
        .accepted()
        .meeting_id
        .expect("meeting");
    let item = |title: &str, at: Option<chrono::DateTime<Utc>>| AgendaItemRequest {
        title: title.into(),
        description: String::new(),
        planned_start: at,
        position: None,
    };
    let harbour = admin
        .add_agenda_item(
            m,
            &item(
                "Havneplanen",
                Utc.with_ymd_and_hms(2026, 1, 15, 18, 10, 0).single(),
            ),
        )
        .await
        .accepted()
        .seq
        .expect("item");
    let schools = admin
        .add_agenda_item(m, &item("Skolerne", None))
        .await
        .accepted()
        .seq
        .expect("item");
    admin.open(m).await.accepted();
    let panel = app.staff(m, StaffRole::Panelist, "Borgmester Ærø").await;
    let mut people = Vec::new();
    for i in 0..12 {
        people.push((
            join_as(
                app,
                m,
                &format!("Kvinde {i}"),
                Some(AgeBand::From30To44),
                Some(Gender::Woman),
            )
            .await,
            0u8,
        ));
    }
    for i in 0..6 {
        people.push((
            join_as(
                app,
                m,
                &format!("Mand {i}"),
                Some(AgeBand::From18To29),
                Some(Gender::Man),
            )
            .await,
            1,
        ));
    }
    for i in 0..2 {
        people.push((
            join_as(
                app,
                m,
                &format!("Ung {i}"),
                Some(AgeBand::Under18),
                Some(Gender::Man),
            )
            .await,
            1,
        ));
    }
    let h1 = ask(
        app,
        &people[0].0,
        m,
        "Hvor høje bliver husene?",
        Some(harbour),
    )
    .await;
    let h2 = ask(app, &people[1].0, m, "Hvad med havnebadet?", Some(harbour)).await;
    ask(app, &people[2].0, m, "Hvornår åbner skolen?", Some(schools)).await;
    let loose = ask(app, &people[3].0, m, "Hvad koster det hele?", None).await;
    app.as_who(&panel)
        .answer_live(m, h1, &Default::default())
        .await
        .accepted();

    let plan = admin
        .create_poll(
            m,
            &choice(
                "Hvilket forslag?",
                &["A: parken", "=SUM(A1)"],
                ResultsShown::AfterClose,
                Some(harbour),
            ),
        )
        .await
        .accepted()
        .seq
        .expect("poll");
    let secret = admin
        .create_poll(
            m,
            &choice(
                "HEMMELIG-AFSTEMNING",
                &["Ja", "Nej"],
                ResultsShown::StaffOnly,
                None,
            ),
        )
        .await
        .accepted()
        .seq
        .expect("poll");
    let words = admin
        .create_poll(
            m,
            &PollDefinition {
                question: "Havnen med ét ord?".into(),
                kind: PollKind::WordCloud,
                results: ResultsShown::Live,
                agenda_item: None,
            },
        )
        .await
        .accepted()
        .seq
        .expect("poll");
    for p in [plan, secret, words] {
        admin.poll_action(m, p, "launch").await.accepted();
    }
    for (i, (who, pick)) in people.iter().enumerate() {
        let c = app.as_who(who);
        c.answer_poll(m, plan, &PollAnswer::Choice { picks: vec![*pick] })
            .await
            .accepted();
        c.answer_poll(m, secret, &PollAnswer::Choice { picks: vec![0] })
            .await
            .accepted();
        if i < 3 {
            c.answer_poll(
                m,
                words,
                &PollAnswer::Words {
                    words: vec![
                        "Havnebad".into(),
                        if i == 0 { "grønt" } else { "havnebad" }.into(),
                    ],
                },
            )
            .await
            .accepted();
        }
    }
    // Answers are answered after commit; closing reads the store.
    for p in [plan, secret, words] {
        admin.poll_action(m, p, "close").await.accepted();
    }
    admin.close(m).await.accepted();
    Scene {
        m,
        harbour,
        schools,
        plan,
        secret,
        words,
        harbour_questions: vec![h1, h2],
        loose_question: loose,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_exports_archive_and_kit_carry_the_agenda_and_polls() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let m = s.m;

    // --- Report JSON.
    let (status, text) = get_text(&app, &routes::report(&m)).await;
    assert_eq!(status, 200, "{text}");
    let r: Report = serde_json::from_str(&text).expect("report");
    let rows: Vec<_> = r
        .agenda
        .iter()
        .map(|a| (a.title.clone(), a.questions, a.answered))
        .collect();
    assert_eq!(
        rows,
        vec![
            (Some("Havneplanen".to_string()), 2, 1),
            (Some("Skolerne".to_string()), 1, 0),
            (None, 1, 0),
        ]
    );
    assert_eq!(r.agenda[0].answered_pct, Some(50.0));
    assert_eq!(r.polls.len(), 3, "staff see every launched poll");
    let plan = r
        .polls
        .iter()
        .find(|p| p.poll.0 == s.plan)
        .expect("plan poll");
    assert_eq!(plan.results.respondents, 20);
    assert_eq!(plan.results.counts, vec![12, 8]);
    assert_eq!(plan.agenda_item.map(|i| i.0), Some(s.harbour));
    let b = plan
        .breakdown
        .as_ref()
        .expect("a closed poll has a breakdown");
    let age = |g: &str| b.age.groups.iter().find(|x| x.group == g).expect("group");
    assert_eq!(age("30_44").respondents, Some(12));
    assert_eq!(age("30_44").counts, Some(vec![12, 0]));
    // under_18 (2) is small; 18_29 (6), the smallest large group, is hidden with it.
    assert_eq!(age("under_18").respondents, None);
    assert_eq!(age("18_29").respondents, None);
    assert_eq!(age("18_29").counts, None);
    for g in b.age.groups.iter().chain(&b.gender.groups) {
        if let Some(n) = g.respondents {
            assert!(n >= 5, "{} shows {n}", g.group);
        }
    }
    let words = r
        .polls
        .iter()
        .find(|p| p.poll.0 == s.words)
        .expect("words poll");
    assert_eq!(words.results.respondents, 3);
    assert_eq!(words.results.words[0].word, "havnebad");
    assert_eq!(words.results.words[0].count, 3);

    // --- Report CSV, in step with the JSON.
    let (status, csv) = get_text(&app, &routes::report_csv(&m)).await;
    assert_eq!(status, 200);
    let mut rd = csv::Reader::from_reader(csv.as_bytes());
    let cells: Vec<(String, String, String)> = rd
        .records()
        .map(|r| r.expect("row"))
        .map(|r| (r[0].to_string(), r[1].to_string(), r[2].to_string()))
        .collect();
    let cell = |sec: &str, key: &str| {
        cells
            .iter()
            .find(|(a, b, _)| a == sec && b == key)
            .map(|(_, _, v)| v.clone())
            .unwrap_or_else(|| panic!("no {sec},{key} in\n{csv}"))
    };
    let harbour_sec = format!("agenda:{}", s.harbour);
    assert_eq!(cell(&harbour_sec, "title"), "Havneplanen");
    assert_eq!(cell(&harbour_sec, "questions"), "2");
    assert_eq!(cell("agenda:none", "questions"), "1");
    let plan_sec = format!("poll:{}", s.plan);
    assert_eq!(cell(&plan_sec, "respondents"), "20");
    assert_eq!(
        cell(&plan_sec, "option.2"),
        "'=SUM(A1)",
        "a formula-like option is neutralized"
    );
    assert_eq!(cell(&plan_sec, "option.2.count"), "8");
    assert_eq!(cell(&plan_sec, "age.30_44.respondents"), "12");
    assert_eq!(cell(&plan_sec, "age.18_29.respondents"), "suppressed");
    assert_eq!(cell(&plan_sec, "age.18_29.option.1"), "suppressed");
    assert_eq!(cell(&format!("poll:{}", s.words), "word:havnebad"), "3");

    // --- Report HTML.
    let (status, html) = get_text(&app, &routes::report_html(&m)).await;
    assert_eq!(status, 200);
    for needle in [
        "id=\"h-agenda\"",
        "Havneplanen",
        "Uden punkt",
        "id=\"h-polls\"",
        "Hvilket forslag?",
        "=SUM(A1)",
        "Resultat efter alder",
        "Resultat efter køn",
        "export/polls.csv",
        "havnebad",
    ] {
        assert!(html.contains(needle), "report page lacks {needle}");
    }
    assert!(!html.contains("<script"), "no script on the report page");

    // --- Polls CSV export.
    let (status, polls_csv) = get_text(&app, &routes::export_polls_csv(&m)).await;
    assert_eq!(status, 200);
    let mut rd = csv::Reader::from_reader(polls_csv.as_bytes());
    assert_eq!(
        rd.headers().expect("header").iter().collect::<Vec<_>>(),
        borgermode_server::report::export::POLLS_CSV_HEADER.to_vec()
    );
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.expect("row")).collect();
    let plan_rows: Vec<(String, String)> = rows
        .iter()
        .filter(|r| r[0] == s.plan.to_string())
        .map(|r| (r[9].to_string(), r[10].to_string()))
        .collect();
    assert_eq!(
        plan_rows,
        vec![
            ("A: parken".into(), "12".into()),
            ("'=SUM(A1)".into(), "8".into())
        ]
    );
    assert!(
        rows.iter()
            .any(|r| r[0] == s.secret.to_string() && r[7] == *"20"),
        "staff-only polls are in the records"
    );
    assert!(rows
        .iter()
        .any(|r| r[0] == s.words.to_string() && r[9] == *"havnebad" && r[10] == *"3"));

    // --- `borgermode export --format polls-csv`: the same bytes, straight from the database.
    let out = app.dir.path().join("polls.csv");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_borgermode"))
        .args(["export", &m.to_string(), "--format", "polls-csv", "--out"])
        .arg(&out)
        .env("DATABASE_URL", &app.db_url)
        .env_remove("REDIS_URL")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run borgermode export");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let file = std::fs::read_to_string(&out).expect("out file");
    assert_eq!(file, polls_csv, "the subcommand writes what the API serves");
    let mut rd = csv::Reader::from_reader(file.as_bytes());
    assert!(
        rd.records()
            .map(|r| r.expect("row"))
            .any(|r| r[0] == s.plan.to_string() && r[9] == *"'=SUM(A1)" && r[10] == *"8"),
        "the formula-like option is neutralized in the file:\n{file}"
    );

    // --- NDJSON export: the agenda and poll events, as every event.
    let (_, nd) = get_text(&app, &routes::export_ndjson(&m)).await;
    let kinds: Vec<String> = nd
        .lines()
        .map(|l| serde_json::from_str::<NdjsonEvent>(l).expect("line").kind)
        .collect();
    for k in [
        "agenda_item_added",
        "poll_created",
        "poll_launched",
        "poll_closed",
        "post_created",
    ] {
        assert!(kinds.iter().any(|x| x == k), "NDJSON lacks {k}");
    }
    assert_eq!(kinds.iter().filter(|k| *k == "poll_closed").count(), 3);
    assert!(
        !nd.contains("\"picks\""),
        "answers are rows, not log events"
    );

    // --- Archive JSON: the agenda, posts by item, closed polls with public results only.
    let resp = app
        .anonymous()
        .raw(Method::GET, &routes::archive(&m))
        .send()
        .await
        .expect("archive");
    assert_eq!(resp.status(), 200);
    let a: ArchiveResponse = resp.json().await.expect("archive json");
    let titles: Vec<&str> = a.agenda.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(titles, ["Havneplanen", "Skolerne"]);
    let under_harbour: Vec<u64> = a
        .posts
        .iter()
        .filter(|p| p.agenda_item == Some(s.harbour))
        .map(|p| p.id)
        .collect();
    assert_eq!(under_harbour, s.harbour_questions);
    let poll_ids: Vec<u64> = a.polls.iter().map(|p| p.id).collect();
    assert_eq!(poll_ids, [s.plan, s.words], "the staff-only poll stays out");
    assert_eq!(a.polls[0].results.counts, vec![12, 8]);
    let json_text = serde_json::to_string(&a).expect("json");
    assert!(!json_text.contains("HEMMELIG-AFSTEMNING"));

    // --- Archive page: the agenda, the polls, and the item filter.
    let page = |q: &str| {
        let path = format!("{}{q}", routes::archive_page(&m));
        let app = &app;
        async move {
            let resp = app
                .anonymous()
                .raw(Method::GET, &path)
                .send()
                .await
                .expect("page");
            assert_eq!(resp.status(), 200);
            resp.text().await.expect("html")
        }
    };
    let all = page("").await;
    for needle in [
        "id=\"h-agenda\"",
        "Havneplanen",
        "Skolerne",
        "id=\"h-polls\"",
        "Hvilket forslag?",
        "Havnen med ét ord?",
    ] {
        assert!(all.contains(needle), "archive page lacks {needle}");
    }
    assert!(
        !all.contains("HEMMELIG-AFSTEMNING"),
        "a staff-only poll is not in the archive"
    );
    assert!(all.contains("Hvad koster det hele?"));
    let harbour_page = page(&format!("?item={}", s.harbour)).await;
    assert!(harbour_page.contains("Hvor høje bliver husene?"));
    assert!(
        !harbour_page.contains("Hvornår åbner skolen?"),
        "another item's question"
    );
    assert!(
        !harbour_page.contains("Hvad koster det hele?"),
        "a question without an item"
    );
    assert!(
        !harbour_page.contains("Havnen med ét ord?"),
        "a poll of no item"
    );
    assert!(harbour_page.contains("Hvilket forslag?"), "the item's poll");
    let loose_page = page("?item=none").await;
    assert!(loose_page.contains(&format!("id=\"p{}\"", s.loose_question)));
    assert!(!loose_page.contains("Hvor høje bliver husene?"));
    let schools_page = page(&format!("?item={}&lang=en", s.schools)).await;
    assert!(schools_page.contains("Hvornår åbner skolen?"));
    assert!(schools_page.contains("Showing: Skolerne"));

    // --- The kit: ICS description, the texts, the poster's data.
    let (status, ics) = get_text(&app, &routes::meeting_ics(&m)).await;
    assert_eq!(status, 200);
    let unfolded = ics.replace("\r\n ", "");
    let desc = unfolded
        .lines()
        .find(|l| l.starts_with("DESCRIPTION:"))
        .expect("description");
    assert!(
        desc.contains("Dagsorden:\\n1. Havneplanen (kl. 19.10)\\n2. Skolerne"),
        "ICS description: {desc}"
    );
    let resp = app
        .admin(Method::GET, &routes::announcements(&m))
        .send()
        .await
        .expect("kit");
    assert_eq!(resp.status(), 200);
    let kit: AnnouncementsResponse = resp.json().await.expect("kit json");
    let agenda: Vec<&str> = kit.agenda.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(agenda, ["Havneplanen", "Skolerne"]);
    assert_eq!(
        kit.agenda[0]
            .when
            .iter()
            .find(|w| w.language == Language::Da)
            .map(|w| w.time.as_str()),
        Some("19.10")
    );
    assert!(kit.agenda[1].when.is_empty());
    for t in &kit.texts {
        assert!(
            t.text.contains("Havneplanen") && t.text.contains("Skolerne"),
            "{:?} {:?} lacks the agenda",
            t.kind,
            t.language
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_poll_has_no_breakdown_and_a_meeting_without_agenda_or_polls_has_no_sections() {
    let app = spawn_app().await;
    let m = app.open_meeting("Uden dagsorden").await;
    let admin = app.as_admin();
    let (_, html) = get_text(&app, &routes::report_html(&m)).await;
    assert!(!html.contains("id=\"h-agenda\"") && !html.contains("id=\"h-polls\""));
    assert!(!html.contains("export/polls.csv"));
    let p = admin
        .create_poll(
            m,
            &choice("Åben?", &["Ja", "Nej"], ResultsShown::Live, None),
        )
        .await
        .accepted()
        .seq
        .expect("poll");
    admin.poll_action(m, p, "launch").await.accepted();
    let anne = join_as(
        &app,
        m,
        "Anne",
        Some(AgeBand::From30To44),
        Some(Gender::Woman),
    )
    .await;
    app.as_who(&anne)
        .answer_poll(m, p, &PollAnswer::Choice { picks: vec![1] })
        .await
        .accepted();
    let (_, text) = get_text(&app, &routes::report(&m)).await;
    let r: Report = serde_json::from_str(&text).expect("report");
    assert!(r.agenda.is_empty());
    assert_eq!(r.polls[0].results.counts, vec![0, 1]);
    assert_eq!(r.polls[0].breakdown, None);
    assert_eq!(
        r.polls[0].breakdown_missing,
        Some(BreakdownMissing::NotClosed)
    );
    let (_, html) = get_text(&app, &routes::report_html(&m)).await;
    assert!(html.contains("Afstemningen er ikke lukket"));
    let (_, csv) = get_text(&app, &routes::report_csv(&m)).await;
    assert!(
        csv.contains(&format!("poll:{p},breakdown,not_closed")),
        "{csv}"
    );
    // A participant is not the organizer.
    let resp = app
        .as_(&anne, Method::GET, &routes::export_polls_csv(&m))
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), 403);
    let resp = app
        .anonymous()
        .raw(Method::GET, &routes::export_polls_csv(&m))
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), 401);
}
