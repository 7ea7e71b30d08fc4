//! The announcement kit over HTTP: the calendar file (parsed by a real iCalendar parser), the
//! link-preview tags on the meeting page, the announcement texts (local time across daylight
//! saving, plain text), and questions asked before the meeting reaching the queue when it
//! opens (on SQLite and PostgreSQL).

use crate::common::routes;

use crate::common::app::{content_type, spawn_app, spawn_app_with, TestApp};
use crate::common::client::{meeting_request, Outcome};
use crate::common::stores::Db;
use crate::on_both_stores;
use borgermode_protocol::http::{
    AnnouncementKind, AnnouncementsResponse, CreateMeetingRequest, CreatePostRequest,
    EditMeetingRequest,
};
use borgermode_protocol::{Language, MeetingId, PostKind};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

/// Nasty on purpose: commas, semicolons, a backslash, a newline, Danish letters, emoji, quotes,
/// markup, and far more than 75 octets. (No backslash before `n`, `,` or `;`: the parser
/// crate unescapes with sequential replaces and would read `\\n` as a newline.)
// One line: titles refuse CR/LF (issue 14); the description carries the line breaks.
const TITLE: &str = "Borgermøde, om; \"skole\\vej\" <script>&</script> Æblegården, Ørby & Åmosen 🎉🚲 – trafik, parkering; og cykelstier i hele kommunen";
const DESCRIPTION: &str = "Kom og hør om planerne, stil spørgsmål; del dine idéer.\n\nSti\\gang for gående: æøå ÆØÅ 🎉 ✓, og \"mere\" end 75 oktetter på én linje uden at stoppe nogen steder overhovedet.";
/// DESCRIPTION as plain text (it is Markdown; this one has no markup).
const DESCRIPTION_TEXT: &str = "Kom og hør om planerne, stil spørgsmål; del dine idéer.\n\nSti\\gang for gående: æøå ÆØÅ 🎉 ✓, og \"mere\" end 75 oktetter på én linje uden at stoppe nogen steder overhovedet.";

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("valid time")
}

/// A meeting request: a title, a language and, when given, the time.
fn meeting(
    title: &str,
    language: Language,
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
) -> CreateMeetingRequest {
    CreateMeetingRequest {
        language,
        starts_at,
        ends_at,
        ..meeting_request(title, None)
    }
}

async fn create(app: &TestApp, body: CreateMeetingRequest) -> MeetingId {
    let ack = app.as_admin().create_meeting(&body).await.accepted();
    ack.meeting_id.expect("id")
}

async fn schedule(app: &TestApp, id: MeetingId) {
    app.as_admin().schedule(id).await.accepted();
}

async fn open(app: &TestApp, id: MeetingId) {
    app.as_admin().open(id).await.accepted();
}

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    app.http.get(app.url(path)).send().await.expect("get")
}

async fn problem_code(resp: reqwest::Response) -> (u16, String, String) {
    let status = resp.status().as_u16();
    let ctype = content_type(&resp);
    let v: Value = resp.json().await.unwrap_or(Value::Null);
    (status, v["code"].as_str().unwrap_or("").to_string(), ctype)
}

fn prop<'a>(event: &'a icalendar::parser::Component<'a>, name: &str) -> String {
    event
        .find_prop(name)
        .unwrap_or_else(|| panic!("{name} missing"))
        .val
        .as_str()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calendar_file_round_trips_through_a_real_parser() {
    let app = spawn_app().await;
    let starts = at(2026, 1, 15, 18, 0);
    let body = CreateMeetingRequest {
        description: DESCRIPTION.into(),
        ..meeting(TITLE, Language::Da, Some(starts), None)
    };
    let id = create(&app, body).await;
    let path = routes::meeting_ics(&id);

    // A draft is not public: the same answer as an unknown meeting.
    let draft = problem_code(get(&app, &path).await).await;
    let unknown = problem_code(get(&app, &routes::meeting_ics(&uuid::Uuid::new_v4())).await).await;
    assert_eq!(
        draft,
        (404, "not_found".into(), "application/problem+json".into())
    );
    assert_eq!(draft, unknown);

    schedule(&app, id).await;
    let resp = get(&app, &path).await;
    assert_eq!(resp.status(), 200);
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(header("content-type"), "text/calendar; charset=utf-8");
    let disposition = header("content-disposition");
    assert!(
        disposition.starts_with("attachment; filename=\"borgermoede-om-skole-vej-script-script-")
            && disposition.ends_with(".ics\"")
            && disposition.is_ascii(),
        "{disposition}"
    );
    let raw = resp.text().await.expect("body");

    // CRLF everywhere, no physical line over 75 octets, folds never inside a character.
    assert!(raw.ends_with("\r\n"));
    assert!(
        !raw.replace("\r\n", "").contains('\n'),
        "bare LF in {raw:?}"
    );
    let lines: Vec<&str> = raw.trim_end_matches("\r\n").split("\r\n").collect();
    for l in &lines {
        assert!(l.len() <= 75, "{} octets: {l:?}", l.len());
    }
    assert!(
        lines.iter().any(|l| l.starts_with(' ')),
        "nothing was folded"
    );
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        assert!(lines.contains(&l), "{l} missing");
    }
    assert!(lines.iter().any(|l| l.starts_with("PRODID:")));

    let unfolded = icalendar::parser::unfold(&raw);
    // The parser is lenient about unescaped characters, so check the escaping itself too.
    assert!(
        unfolded.contains("\r\nSUMMARY:Borgermøde\\, om\\; \"skole\\\\vej\" <script>&</script> Æblegården\\, Ørby"),
        "{unfolded}"
    );
    let calendar = icalendar::parser::read_calendar(&unfolded).expect("parses");
    let events: Vec<_> = calendar
        .components
        .iter()
        .filter(|c| c.name == "VEVENT")
        .collect();
    assert_eq!(events.len(), 1);
    let ev = events[0];
    let link = format!("{}/m/{id}", app.base);
    assert_eq!(prop(ev, "SUMMARY"), TITLE);
    assert_eq!(
        prop(ev, "DESCRIPTION"),
        format!("{DESCRIPTION_TEXT}\n\n{link}")
    );
    assert_eq!(prop(ev, "URL"), link);
    assert_eq!(prop(ev, "DTSTART"), "20260115T180000Z");
    // No end time: 90 minutes.
    assert_eq!(prop(ev, "DTEND"), "20260115T193000Z");
    let uid = prop(ev, "UID");
    assert_eq!(uid, format!("{id}@127.0.0.1:{}", app.port));
    assert!(prop(ev, "DTSTAMP").ends_with('Z'));

    // Stable UID, and the end time when there is one.
    let edit = EditMeetingRequest {
        ends_at: Some(Some(at(2026, 1, 15, 20, 0))),
        ..Default::default()
    };
    app.as_admin().edit_meeting(id, &edit).await.accepted();
    let raw = get(&app, &path).await.text().await.expect("body");
    let unfolded = icalendar::parser::unfold(&raw);
    let calendar = icalendar::parser::read_calendar(&unfolded).expect("parses");
    let ev = calendar
        .components
        .iter()
        .find(|c| c.name == "VEVENT")
        .expect("event");
    assert_eq!(prop(ev, "UID"), uid);
    assert_eq!(prop(ev, "DTEND"), "20260115T200000Z");

    // A meeting without a time yet: a typed problem, not a calendar entry at 1970.
    let timeless = create(&app, meeting("Uden tid", Language::Da, None, None)).await;
    schedule(&app, timeless).await;
    let (status, code, _) = problem_code(get(&app, &routes::meeting_ics(&timeless)).await).await;
    assert_eq!((status, code.as_str()), (409, "meeting_has_no_time"));
    app.shutdown().await;
}

fn meta(html: &str, key: &str) -> Option<String> {
    let needle = format!("=\"{key}\" content=\"");
    let start = html.find(&needle)? + needle.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meeting_page_carries_escaped_preview_tags() {
    let app = spawn_app().await;
    let title = "Skole <script>alert(\"x\")</script> & trafik";
    let body = CreateMeetingRequest {
        description: "Om **skolevejen**.".into(),
        ..meeting(title, Language::Da, Some(at(2026, 7, 2, 17, 0)), None)
    };
    let id = create(&app, body).await;
    let page = routes::meeting_page(&id);

    // Draft: the plain page, with nothing of the meeting in it.
    let resp = get(&app, &page).await;
    assert_eq!(resp.status(), 200);
    let static_etag = resp
        .headers()
        .get("etag")
        .cloned()
        .expect("the plain page has its ETag");
    let html = resp.text().await.expect("html");
    assert!(meta(&html, "og:title").is_none(), "draft leaked: {html}");
    assert!(!html.contains("Skole"), "draft leaked: {html}");
    let unknown = get(&app, &routes::meeting_page(&uuid::Uuid::new_v4()))
        .await
        .text()
        .await
        .expect("html");
    assert!(meta(&unknown, "og:title").is_none());

    schedule(&app, id).await;
    let resp = get(&app, &page).await;
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers().get("etag").is_none(),
        "per-meeting page with the static ETag"
    );
    assert_eq!(
        resp.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-cache")
    );
    let csp = resp
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    // An old ETag of the static page does not turn the meeting page into a 304.
    let resp = app
        .http
        .get(app.url(&page))
        .header("if-none-match", static_etag)
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), 200);
    let html = get(&app, &page).await.text().await.expect("html");
    assert!(!html.contains("<script>alert"), "unescaped title in {html}");
    let escaped = "Skole &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; trafik";
    assert_eq!(meta(&html, "og:title").as_deref(), Some(escaped));
    assert_eq!(meta(&html, "twitter:title").as_deref(), Some(escaped));
    assert!(html.contains(&format!("<title>{escaped} · ")), "{html}");
    let description = meta(&html, "og:description").expect("og:description");
    // 17:00 UTC on 2 July is 19.00 in Copenhagen (summer time).
    assert!(
        description.contains("torsdag den 2. juli 2026 kl. 19.00"),
        "{description}"
    );
    assert!(description.contains("Om skolevejen."), "{description}");
    assert!(description.contains("før mødet"), "{description}");
    assert_eq!(
        meta(&html, "twitter:description").as_deref(),
        Some(description.as_str())
    );
    assert_eq!(meta(&html, "og:url"), Some(format!("{}/m/{id}", app.base)));
    assert_eq!(meta(&html, "og:type").as_deref(), Some("website"));
    assert_eq!(meta(&html, "og:locale").as_deref(), Some("da_DK"));
    assert_eq!(
        meta(&html, "twitter:card").as_deref(),
        Some("summary_large_image")
    );
    let image = meta(&html, "og:image").expect("og:image");
    assert_eq!(image, format!("{}/static/og-default.png", app.base));
    assert_eq!(meta(&html, "twitter:image"), Some(image.clone()));
    // The image is there, a PNG of 1200x630.
    let resp = app.http.get(&image).send().await.expect("image");
    assert_eq!(resp.status(), 200);
    assert_eq!(content_type(&resp), "image/png");
    let png = resp.bytes().await.expect("png");
    assert_eq!(&png[16..24], &[0, 0, 4, 176, 0, 0, 2, 118]);
    // Still the app: its script is there, and no inline script came in.
    assert!(html.contains("<script type=\"module\" src=\"/static/js/main.js\"></script>"));
    assert_eq!(html.matches("<script").count(), 1);

    // The organization's logo, when it has one, and absolute URLs on the public base URL.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    let org = app.state.meeting_org(id).await.expect("org");
    app.as_admin()
        .put_logo(org.0, png.to_vec())
        .await
        .accepted();
    app.state.org_cache.forget(org);
    let html = get(&app, &page).await.text().await.expect("html");
    let image = meta(&html, "og:image").expect("og:image");
    assert!(
        image.starts_with(&app.url(&routes::organization_logo(&org.0))),
        "{image}"
    );
    assert_eq!(meta(&html, "twitter:card").as_deref(), Some("summary"));
    app.shutdown().await;

    let app = spawn_app_with(|s| s.public_url = Some("https://borgermode.example.dk".into())).await;
    let body = meeting("Møde", Language::En, Some(at(2026, 1, 15, 18, 0)), None);
    let id = create(&app, body).await;
    schedule(&app, id).await;
    let html = get(&app, &routes::meeting_page(&id))
        .await
        .text()
        .await
        .expect("html");
    assert_eq!(
        meta(&html, "og:url"),
        Some(format!("https://borgermode.example.dk/m/{id}"))
    );
    assert_eq!(meta(&html, "og:locale").as_deref(), Some("en_GB"));
    let description = meta(&html, "og:description").expect("og:description");
    assert!(
        description.contains("Thursday 15 January 2026, 19:00"),
        "{description}"
    );
    app.shutdown().await;
}

fn text_of(v: &AnnouncementsResponse, kind: AnnouncementKind, lang: Language) -> String {
    v.texts
        .iter()
        .find(|t| t.kind == kind && t.language == lang)
        .map(|t| t.text.clone())
        .unwrap_or_else(|| panic!("no {kind:?}/{lang:?} text in {v:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn announcement_texts_use_local_time_across_daylight_saving() {
    let app = spawn_app().await;
    let title = "Trafik & <b>skoleveje</b> &amp; mere";
    // 19:00 in Copenhagen both times: 18:00 UTC in winter, 17:00 UTC in summer.
    let winter = meeting(
        title,
        Language::Da,
        Some(at(2026, 1, 15, 18, 0)),
        Some(at(2026, 1, 15, 19, 30)),
    );
    let winter = create(&app, winter).await;
    let summer = meeting(title, Language::Da, Some(at(2026, 7, 2, 17, 0)), None);
    let summer = create(&app, summer).await;
    for (id, date_da, date_en) in [
        (
            &winter,
            "torsdag den 15. januar 2026",
            "Thursday 15 January 2026",
        ),
        (&summer, "torsdag den 2. juli 2026", "Thursday 2 July 2026"),
    ] {
        let v = app.as_admin().announcements(id).await.accepted();
        assert_eq!(v.time_zone, "Europe/Copenhagen");
        let link = format!("{}/m/{id}", app.base);
        let short = format!("{}/j/{}", app.base, &id.to_string().replace('-', "")[..8]);
        assert_eq!(v.link, link);
        assert_eq!(v.short_link, short);
        assert_eq!(v.calendar_url, format!("{link}/meeting.ics"));
        assert_eq!(v.poster_url, routes::poster(&id));
        assert_eq!(v.texts.len(), 6);
        let when_da = &v.when[0];
        assert_eq!(when_da.language, Language::Da);
        assert_eq!(when_da.date, date_da);
        for kind in [
            AnnouncementKind::Facebook,
            AnnouncementKind::Press,
            AnnouncementKind::Radio,
        ] {
            let da = text_of(&v, kind, Language::Da);
            let en = text_of(&v, kind, Language::En);
            for (text, date, time, not) in [
                (&da, date_da, "19.00", "18.00"),
                (&en, date_en, "19:00", "18:00"),
            ] {
                assert!(text.contains(date), "{kind:?}: {text}");
                assert!(text.contains(time), "{kind:?}: {text}");
                assert!(!text.contains(not), "UTC time in {kind:?}: {text}");
                // Plain text: the title exactly as written, never escaped (once or twice).
                assert!(text.contains(title), "{kind:?}: {text}");
                assert!(
                    !text.contains("&lt;") && !text.contains("&amp;amp;"),
                    "{kind:?}: {text}"
                );
                assert!(text.contains(&v.organization_name), "{kind:?}: {text}");
            }
            if kind == AnnouncementKind::Radio {
                // Read aloud: the short link without its scheme.
                let spoken = short.trim_start_matches("http://");
                assert!(da.contains(spoken) && !da.contains("http://"), "{da}");
            } else {
                assert!(da.contains(&link) && da.contains(&short), "{da}");
                assert!(en.contains(&link) && en.contains(&short), "{en}");
            }
            assert!(da.contains("allerede nu"), "{da}");
            assert!(en.contains("in advance"), "{en}");
        }
        let fb = text_of(&v, AnnouncementKind::Facebook, Language::Da);
        if *id == winter {
            assert!(fb.contains("kl. 19.00–20.30"), "{fb}");
        }
    }

    // Organizer-only: 401 without credentials, 403 for a participant, 409 without a time.
    app.anonymous()
        .announcements(winter)
        .await
        .refused_status(401);
    open(&app, winter).await;
    let citizen = app.join(winter, "Carl").await;
    app.as_who(&citizen)
        .announcements(winter)
        .await
        .refused_status(403);
    let timeless = create(&app, meeting("Uden tid", Language::Da, None, None)).await;
    app.as_admin()
        .announcements(timeless)
        .await
        .refused(409, "meeting_has_no_time");

    // Both new routes are in the OpenAPI document.
    let doc: Value = get(&app, &routes::openapi_json())
        .await
        .json()
        .await
        .expect("openapi");
    assert!(doc["paths"][routes::announcements("{id}")]["get"].is_object());
    assert!(doc["paths"]["/m/{id}/meeting.ics"]["get"].is_object());
    assert!(doc["components"]["schemas"]["AnnouncementsResponse"].is_object());
    app.shutdown().await;
}

/// A citizen asks before the meeting; the question is in the facilitator queue once it opens.
async fn questions_before_the_meeting(app: &TestApp) {
    let body = meeting(
        "Spørg på forhånd",
        Language::Da,
        Some(at(2026, 3, 1, 18, 0)),
        None,
    );
    let id = create(app, body).await;
    schedule(app, id).await;
    let meeting = id;
    let citizen = app.join(meeting, "Dorte Borger").await;
    let post = app
        .post(
            &citizen,
            meeting,
            "question",
            "Hvornår kommer cykelstien, og hvad koster den?",
        )
        .await;
    // Before the meeting: questions only.
    let comment = CreatePostRequest {
        kind: PostKind::Comment,
        body: "En kommentar".into(),
        parent: None,
        agenda_item: None,
    };
    app.as_who(&citizen)
        .create_post(id, &comment)
        .await
        .refused_status(409);
    open(app, id).await;
    let v = app.as_admin().queue(id, "").await.accepted();
    let q = v
        .questions
        .iter()
        .find(|q| q.id == post)
        .unwrap_or_else(|| panic!("question {post} not in the queue: {v:?}"));
    assert_eq!(
        q.body.as_deref(),
        Some("Hvornår kommer cykelstien, og hvad koster den?")
    );
    // And the public sees it on the open meeting.
    let v = app.anonymous().posts(id).await.accepted();
    assert!(v.posts.iter().any(|p| p.id == post), "{v:?}");
}

async fn questions_before_the_meeting_on(db: Db) {
    let app = db.spawn(|_| {}).await;
    questions_before_the_meeting(&app).await;
    app.shutdown().await;
}

on_both_stores! {
    questions_before_the_meeting_on => questions_asked_before_the_meeting_are_in_the_queue_sqlite, questions_asked_before_the_meeting_are_in_the_queue_postgres;
}
