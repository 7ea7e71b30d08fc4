//! Many municipalities on one installation, over HTTP: organizations, invites, organizer
//! accounts and sessions, branding, and above all isolation: an organizer of organization A
//! gets 404 `not_found` on every organizer route for a meeting (or the organization) of B, and
//! never sees B's meetings in a list. Run on SQLite and on PostgreSQL.

use crate::common::routes;

use std::sync::Arc;

use crate::common::app::{spawn_app, spawn_app_on, spawn_app_with, TestApp};
use crate::common::client::{Body, Reply};
use crate::common::pg::TestDb;
use borgermode_server::store::orgs::InviteRecord;
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

const PASSWORD: &str = "lange-kodeord-42";

fn jar() -> Client {
    Client::builder()
        .cookie_store(true)
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("client")
}

async fn body(resp: reqwest::Response) -> (StatusCode, Value) {
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn expect(resp: reqwest::Response, status: u16, what: &str) -> Value {
    let (got, v) = body(resp).await;
    assert_eq!(got.as_u16(), status, "{what}: {v}");
    v
}

async fn create_org(app: &TestApp, name: &str) -> String {
    let resp = app
        .admin(Method::POST, &routes::organizations())
        .json(
            &json!({"name": name, "primary_color": "#7a1f3d", "privacy_contact": "dpo@kommune.dk"}),
        )
        .send()
        .await
        .expect("create org");
    let v = expect(resp, 201, "create organization").await;
    v["id"].as_str().expect("id").to_string()
}

async fn invite_secret(app: &TestApp, org: &str) -> String {
    let resp = app
        .admin(Method::POST, &routes::organization_invites(&org))
        .send()
        .await
        .expect("invite");
    let v = expect(resp, 201, "create invite").await;
    let link = v["link"].as_str().expect("link");
    assert!(
        link.contains("/admin/invite#invite="),
        "secret in the fragment: {link}"
    );
    link.split("#invite=").nth(1).expect("secret").to_string()
}

/// An organizer account of `org`, signed in on its own cookie jar.
async fn organizer(app: &TestApp, org: &str, email: &str) -> Client {
    let secret = invite_secret(app, org).await;
    let client = jar();
    let resp = client
        .post(app.url(&routes::accept_invite()))
        .json(&json!({"invite": secret, "display_name": "Ole Organisator", "email": email, "password": PASSWORD}))
        .send()
        .await
        .expect("accept");
    expect(resp, 201, "accept invite").await;
    client
}

async fn create_meeting_as(app: &TestApp, client: &Client, title: &str) -> String {
    let resp = client
        .post(app.url(&routes::meetings()))
        .json(&json!({"title": title}))
        .send()
        .await
        .expect("create meeting");
    let v = expect(resp, 201, "create meeting as organizer").await;
    v["meeting_id"].as_str().expect("meeting id").to_string()
}

async fn meeting_ids(app: &TestApp, client: &Client) -> Vec<String> {
    let resp = client
        .get(app.url(&routes::meetings()))
        .send()
        .await
        .expect("list");
    let v = expect(resp, 200, "list meetings").await;
    v.as_array()
        .expect("array")
        .iter()
        .map(|m| m["id"].as_str().expect("id").to_string())
        .collect()
}

/// Every organizer-side route, against meeting `m` and organization `org`: method, path, body.
fn organizer_routes(m: &str, org: &str) -> Vec<(Method, String, Option<Value>)> {
    let p = |s: &str| format!("{}{s}", routes::meeting(m));
    let someone = uuid::Uuid::new_v4();
    let png = Value::Null; // the logo route gets bytes, see `send`
    vec![
        (Method::PATCH, p(""), Some(json!({"title": "Overtaget"}))),
        (Method::POST, p("/schedule"), None),
        (Method::POST, p("/open"), None),
        (Method::POST, p("/close"), None),
        (
            Method::PATCH,
            p("/settings"),
            Some(json!({"slow_mode_secs": 30})),
        ),
        (
            Method::POST,
            p("/staff"),
            Some(json!({"role": "moderator", "name": "Spion"})),
        ),
        (Method::DELETE, p(&format!("/staff/{someone}")), None),
        (Method::GET, p("/queue"), None),
        (Method::GET, p("/announcements"), None),
        (Method::GET, p("/report"), None),
        (Method::GET, p("/report.json"), None),
        (Method::GET, p("/report.csv"), None),
        (Method::GET, p("/report.html"), None),
        (Method::GET, p("/report-options"), None),
        (
            Method::PUT,
            p("/report-options"),
            Some(json!({"show_moderators": true})),
        ),
        (Method::GET, p("/export.ndjson"), None),
        (Method::GET, p("/export.csv"), None),
        (Method::GET, p("/export/polls.csv"), None),
        (
            Method::POST,
            p("/posts"),
            Some(json!({"kind": "comment", "body": "Hej"})),
        ),
        (Method::PUT, p("/posts/2/vote"), Some(json!({"up": true}))),
        (
            Method::POST,
            p("/posts/2/report"),
            Some(json!({"reason": "spam"})),
        ),
        (
            Method::POST,
            p("/notices"),
            Some(json!({"body": "Officielt"})),
        ),
        (Method::POST, p("/notices/2/pin"), None),
        (Method::DELETE, p("/notices/pin"), None),
        (
            Method::POST,
            p("/room-questions"),
            Some(json!({"body": "Fra salen"})),
        ),
        (Method::POST, p("/questions/2/claim"), None),
        (Method::POST, p("/questions/2/release"), None),
        (
            Method::POST,
            p("/questions/2/answer"),
            Some(json!({"body": "Svar"})),
        ),
        (Method::POST, p("/questions/2/answer-live"), Some(json!({}))),
        (
            Method::POST,
            p("/questions/2/dismiss"),
            Some(json!({"reason": "nej"})),
        ),
        (
            Method::POST,
            p("/questions/2/merge"),
            Some(json!({"into": 2})),
        ),
        (Method::PUT, p("/on-air"), Some(json!({"post": 2}))),
        (
            Method::POST,
            p("/questions/2/assign"),
            Some(json!({"department": "Teknik"})),
        ),
        (Method::DELETE, p("/questions/2/assign"), None),
        (Method::GET, p("/follow-up"), None),
        (Method::POST, p("/follow-up/close"), None),
        (
            Method::POST,
            p("/posts/2/hide"),
            Some(json!({"reason": "spam"})),
        ),
        (Method::POST, p("/posts/2/restore"), None),
        (Method::POST, p("/posts/2/approve"), None),
        (Method::POST, p("/posts/2/reject"), Some(json!({}))),
        (
            Method::POST,
            p(&format!("/participants/{someone}/mute")),
            Some(json!({"minutes": 5})),
        ),
        (
            Method::POST,
            p(&format!("/participants/{someone}/unmute")),
            None,
        ),
        (
            Method::POST,
            p(&format!("/participants/{someone}/ban")),
            None,
        ),
        (
            Method::POST,
            p(&format!("/participants/{someone}/unban")),
            None,
        ),
        (
            Method::POST,
            p(&format!("/participants/{someone}/erase")),
            None,
        ),
        (
            Method::PUT,
            p("/privacy"),
            Some(json!({"notice": "Overtaget"})),
        ),
        (Method::GET, routes::organization(&org), None),
        (Method::GET, routes::organization_answers(&org), None),
        (
            Method::POST,
            routes::organization_answers(&org),
            Some(json!({"title": "Affald", "body": "Se borger.dk"})),
        ),
        (
            Method::PUT,
            routes::organization_answer(&org, &someone),
            Some(json!({"title": "Affald", "body": "Se borger.dk"})),
        ),
        (
            Method::DELETE,
            routes::organization_answer(&org, &someone),
            None,
        ),
        (Method::GET, p("/answers"), None),
        (
            Method::PATCH,
            routes::organization(&org),
            Some(json!({"name": "Overtaget"})),
        ),
        (Method::PUT, routes::organization_logo(&org), Some(png)),
        (Method::DELETE, routes::organization_logo(&org), None),
        (
            Method::POST,
            routes::organization_invites(&org),
            Some(json!({})),
        ),
        (
            Method::POST,
            routes::meetings(),
            Some(json!({"title": "I B's navn", "organization_id": org})),
        ),
    ]
}

const TINY_PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

/// One route of the matrix through the shared client; `Some(Value::Null)` is the logo's bytes.
async fn send(
    app: &TestApp,
    jar: &Client,
    (method, path, body): &(Method, String, Option<Value>),
) -> Reply {
    let body = match body {
        Some(Value::Null) => Body::Bytes(TINY_PNG.to_vec()),
        Some(b) => Body::Json(b.clone()),
        None => Body::None,
    };
    app.with_jar(jar).request(method.clone(), path, body).await
}

/// The isolation matrix on one app (SQLite or PostgreSQL).
async fn isolation(app: &TestApp) {
    let org_a = create_org(app, "Aabenraa Kommune").await;
    let org_b = create_org(app, "Brønderslev Kommune").await;
    let alice = organizer(app, &org_a, "alice@aabenraa.dk").await;
    let bob = organizer(app, &org_b, "bob@bronderslev.dk").await;

    let ma = create_meeting_as(app, &alice, "A's møde").await;
    let mb = create_meeting_as(app, &bob, "B's møde").await;
    // Something for the post routes to point at in B's meeting, and a moderator of B.
    let resp = bob
        .post(app.url(&routes::open(&mb)))
        .send()
        .await
        .expect("open");
    expect(resp, 200, "B opens its meeting").await;
    let resp = bob
        .post(app.url(&routes::staff_links(&mb)))
        .json(&json!({"role": "moderator", "name": "Birthe Moderator"}))
        .send()
        .await
        .expect("staff");
    expect(resp, 201, "B makes a moderator link").await;
    let citizen = jar();
    let resp = citizen
        .post(app.url(&routes::join(&mb)))
        .json(&json!({"display_name": "Carl Borger"}))
        .send()
        .await
        .expect("join");
    expect(resp, 201, "join").await;
    let resp = citizen
        .post(app.url(&routes::posts(&mb)))
        .json(&json!({"kind": "question", "body": "Hvornår?"}))
        .send()
        .await
        .expect("post");
    expect(resp, 201, "post").await;

    // The matrix: Alice on every organizer route of B's meeting and organization.
    let mut failures = Vec::new();
    for route in organizer_routes(&mb, &org_b) {
        let Reply {
            status,
            body: v,
            content_type: ctype,
            ..
        } = send(app, &alice, &route).await;
        if status != StatusCode::NOT_FOUND.as_u16()
            || v["code"] != "not_found"
            || ctype != "application/problem+json"
        {
            failures.push(format!("{} {}: {status} {v}", route.0, route.1));
        }
    }
    assert!(
        failures.is_empty(),
        "organizer of A reached B:\n  {}",
        failures.join("\n  ")
    );

    // Nothing changed in B's meeting: same title, B's organizer still in charge.
    let resp = bob
        .get(app.url(&routes::meeting(&mb)))
        .send()
        .await
        .expect("get");
    let view = expect(resp, 200, "B reads its meeting").await;
    assert_eq!(view["title"], "B's møde");
    assert_eq!(view["status"], "open");

    // The same routes work for B's own organizer (so the 404s above are about scope).
    for (method, path, body) in organizer_routes(&mb, &org_b) {
        let own = (method == Method::PATCH && path == routes::meeting(&mb))
            || path.ends_with("/queue")
            || path == routes::report(&mb)
            || path == routes::export_csv(&mb)
            || path.ends_with("/settings")
            || path.ends_with("/follow-up")
            || (method == Method::GET && path.ends_with("/answers"))
            || path == routes::organization(&org_b);
        if !own {
            continue;
        }
        let reply = send(app, &bob, &(method.clone(), path.clone(), body)).await;
        let (status, v) = (reply.status, reply.body);
        assert!(
            (200..300).contains(&status),
            "B on {method} {path}: {status} {v}"
        );
    }

    // Lists never show the other organization's meetings or organization.
    let a_sees = meeting_ids(app, &alice).await;
    assert_eq!(a_sees, vec![ma.clone()]);
    let b_sees = meeting_ids(app, &bob).await;
    assert_eq!(b_sees, vec![mb.clone()]);
    let resp = app
        .admin(Method::GET, &routes::meetings())
        .send()
        .await
        .expect("admin list");
    let all = expect(resp, 200, "admin lists all").await;
    let all: Vec<&str> = all
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|m| m["id"].as_str())
        .collect();
    assert!(all.contains(&ma.as_str()) && all.contains(&mb.as_str()));
    let resp = alice
        .get(app.url(&routes::organizations()))
        .send()
        .await
        .expect("orgs");
    let orgs = expect(resp, 200, "A lists organizations").await;
    let ids: Vec<&str> = orgs
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|o| o["id"].as_str())
        .collect();
    assert_eq!(ids, vec![org_a.as_str()]);

    // B's public page stays public for Alice, but as the public sees it: no moderators.
    let resp = alice
        .get(app.url(&routes::meeting(&mb)))
        .send()
        .await
        .expect("get");
    let public = expect(resp, 200, "A reads B's public page").await;
    let staff = public["staff"].as_array().expect("staff");
    assert!(
        staff.iter().all(|s| s["role"] != "moderator"),
        "A sees B's moderators: {public}"
    );
    let resp = bob
        .get(app.url(&routes::meeting(&mb)))
        .send()
        .await
        .expect("get");
    let own = expect(resp, 200, "B reads its page").await;
    assert!(
        own["staff"]
            .as_array()
            .expect("staff")
            .iter()
            .any(|s| s["role"] == "moderator"),
        "B sees its moderator: {own}"
    );

    // An organizer account is no installation admin.
    let resp = alice
        .post(app.url(&routes::organizations()))
        .json(&json!({"name": "Egen kommune"}))
        .send()
        .await
        .expect("create org");
    assert_eq!(
        expect(resp, 403, "organizer creates an organization").await["code"],
        "forbidden"
    );
    let resp = alice
        .post(app.url(&routes::organization_invites(&org_a)))
        .send()
        .await
        .expect("invite");
    assert_eq!(
        expect(resp, 403, "organizer invites").await["code"],
        "forbidden"
    );
    // The admin may create a meeting in any organization.
    let resp = app
        .admin(Method::POST, &routes::meetings())
        .json(&json!({"title": "Admin i B", "organization_id": org_b}))
        .send()
        .await
        .expect("admin creates");
    let ack = expect(resp, 201, "admin creates in B").await;
    let admin_made = ack["meeting_id"].as_str().expect("id").to_string();
    assert!(meeting_ids(app, &bob).await.contains(&admin_made));
    assert!(!meeting_ids(app, &alice).await.contains(&admin_made));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organizers_see_only_their_organization_sqlite() {
    let app = spawn_app().await;
    isolation(&app).await;
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organizers_see_only_their_organization_postgres() {
    let db = TestDb::fresh().await;
    let dir = Arc::new(tempfile::tempdir().expect("tempdir"));
    let app = spawn_app_on(dir, db.url.clone(), |_| {}).await;
    isolation(&app).await;
    app.shutdown().await;
}

#[tokio::test]
async fn invites_work_once_and_expire() {
    let app = spawn_app().await;
    let org = create_org(&app, "Esbjerg Kommune").await;
    let secret = invite_secret(&app, &org).await;

    let client = jar();
    let resp = client
        .post(app.url(&routes::invite_info()))
        .json(&json!({"invite": secret}))
        .send()
        .await
        .expect("info");
    let info = expect(resp, 200, "invite info").await;
    assert_eq!(info["organization_name"], "Esbjerg Kommune");

    // Bad input first: the invite stays usable.
    for (field, display_name, email, password) in [
        ("password", "Eva", "eva@esbjerg.dk", "kort"),
        ("email", "Eva", "ikke-en-adresse", PASSWORD),
        ("display_name", "  ", "eva@esbjerg.dk", PASSWORD),
    ] {
        let resp = client
            .post(app.url(&routes::accept_invite()))
            .json(&json!({"invite": secret, "display_name": display_name, "email": email, "password": password}))
            .send()
            .await
            .expect("accept");
        let v = expect(resp, 422, field).await;
        assert_eq!(v["code"], "validation_failed");
        assert_eq!(v["field"], field);
    }

    let resp = client
        .post(app.url(&routes::accept_invite()))
        .json(&json!({"invite": secret, "display_name": "Eva Esbjerg", "email": " Eva@Esbjerg.dk ", "password": PASSWORD}))
        .send()
        .await
        .expect("accept");
    let cookie = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("bm_account="))
        .expect("session cookie")
        .to_string();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    let me = expect(resp, 201, "accept").await;
    assert_eq!(me["email"], "eva@esbjerg.dk");
    assert_eq!(me["organization"]["id"], org.as_str());
    let resp = client
        .get(app.url(&routes::account()))
        .send()
        .await
        .expect("me");
    assert_eq!(expect(resp, 200, "me").await["display_name"], "Eva Esbjerg");

    // Used: for anyone, whatever they send.
    let resp = jar()
        .post(app.url(&routes::accept_invite()))
        .json(&json!({"invite": secret, "display_name": "Mallory", "email": "m@x.dk", "password": PASSWORD}))
        .send()
        .await
        .expect("again");
    assert_eq!(expect(resp, 410, "second use").await["code"], "invite_used");
    let resp = jar()
        .post(app.url(&routes::invite_info()))
        .json(&json!({"invite": secret}))
        .send()
        .await
        .expect("info");
    assert_eq!(
        expect(resp, 410, "info after use").await["code"],
        "invite_used"
    );

    // Expired (stored an hour ago with an expiry in the past).
    let expired = "expired-invite-secret-0123";
    let now = chrono::Utc::now();
    app.state
        .store
        .put_invite(InviteRecord {
            token_hash: borgermode_server::security::auth::hash_secret(expired),
            organization: borgermode_server::store::orgs::OrgId(org.parse().expect("uuid")),
            created_at: now - chrono::Duration::hours(2),
            expires_at: now - chrono::Duration::hours(1),
            used_at: None,
        })
        .await
        .expect("put");
    let resp = jar()
        .post(app.url(&routes::accept_invite()))
        .json(&json!({"invite": expired, "display_name": "Sen", "email": "sen@esbjerg.dk", "password": PASSWORD}))
        .send()
        .await
        .expect("expired");
    assert_eq!(expect(resp, 410, "expired").await["code"], "invite_expired");

    // Unknown, and an e-mail address in use already.
    let resp = jar()
        .post(app.url(&routes::accept_invite()))
        .json(&json!({"invite": "no-such-invite", "display_name": "X", "email": "x@esbjerg.dk", "password": PASSWORD}))
        .send()
        .await
        .expect("unknown");
    assert_eq!(expect(resp, 404, "unknown").await["code"], "not_found");
    let second = invite_secret(&app, &org).await;
    let resp = jar()
        .post(app.url(&routes::accept_invite()))
        .json(&json!({"invite": second, "display_name": "Eva 2", "email": "eva@esbjerg.dk", "password": PASSWORD}))
        .send()
        .await
        .expect("taken");
    assert_eq!(expect(resp, 409, "taken").await["code"], "email_taken");
    app.shutdown().await;
}

#[tokio::test]
async fn wrong_password_is_401_and_sign_ins_are_rate_limited() {
    let app = spawn_app_with(|s| {
        s.signins_per_minute = 4;
        s.public_url = Some("https://borgermode.example.dk".into());
    })
    .await;
    let org = create_org(&app, "Fanø Kommune").await;
    organizer(&app, &org, "f@fano.dk").await;

    let sign_in = |email: &'static str, password: &'static str| {
        let client = jar();
        let url = app.url(&routes::account_session());
        async move {
            client
                .post(url)
                .json(&json!({"email": email, "password": password}))
                .send()
                .await
                .expect("sign in")
        }
    };
    let resp = sign_in("f@fano.dk", "forkert-kodeord").await;
    assert_eq!(
        expect(resp, 401, "wrong password").await["code"],
        "invalid_credentials"
    );
    let resp = sign_in("nobody@fano.dk", PASSWORD).await;
    assert_eq!(
        expect(resp, 401, "unknown e-mail").await["code"],
        "invalid_credentials"
    );
    let resp = sign_in("F@Fano.dk", PASSWORD).await;
    let cookie = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("bm_account="))
        .expect("cookie")
        .to_string();
    assert!(cookie.contains("Secure"), "https public URL: {cookie}");
    expect(resp, 200, "right password").await;
    // Four attempts per minute for this e-mail from this address (the unknown e-mail above
    // has an allowance of its own): the fourth is still answered, the fifth not (not even
    // with the right password).
    let resp = sign_in("f@fano.dk", "forkert-igen").await;
    expect(resp, 401, "third attempt").await;
    let resp = sign_in("f@fano.dk", "forkert-igen").await;
    expect(resp, 401, "fourth attempt").await;
    let resp = sign_in("f@fano.dk", PASSWORD).await;
    let v = expect(resp, 429, "fifth attempt").await;
    assert_eq!(v["code"], "rate_limited");
    app.shutdown().await;
}

/// Issue 14, item 7: wrong passwords for an owner's e-mail from another address do not lock
/// the owner out (limits per (e-mail, address) and per address), while a guesser spread over
/// many addresses meets the slower per-e-mail back-off, and one address trying many e-mails
/// meets the per-address limit.
#[tokio::test]
async fn an_attacker_cannot_lock_an_organizer_out() {
    let app = spawn_app_with(|s| {
        s.signins_per_minute = 4;
        s.trusted_proxies = vec!["127.0.0.1".parse().expect("ip")];
    })
    .await;
    let org = create_org(&app, "Læsø Kommune").await;
    organizer(&app, &org, "l@laeso.dk").await;
    let sign_in = |from: String, email: String, password: &'static str| {
        let url = app.url(&routes::account_session());
        async move {
            jar()
                .post(url)
                .header("x-forwarded-for", from)
                .json(&json!({"email": email, "password": password}))
                .send()
                .await
                .expect("sign in")
                .status()
                .as_u16()
        }
    };
    let mut attacker = Vec::new();
    for _ in 0..10 {
        attacker.push(sign_in("203.0.113.7".into(), "l@laeso.dk".into(), "gæt").await);
    }
    assert_eq!(&attacker[..4], [401; 4], "{attacker:?}");
    assert!(attacker[4..].iter().all(|s| *s == 429), "{attacker:?}");
    assert_eq!(
        sign_in("198.51.100.20".into(), "l@laeso.dk".into(), PASSWORD).await,
        200,
        "the owner, from their own address, after ten wrong guesses elsewhere"
    );

    // One address, many e-mails: three times the per-minute allowance, then 429.
    let mut spray = Vec::new();
    for i in 0..14 {
        spray.push(sign_in("203.0.113.8".into(), format!("x{i}@laeso.dk"), "gæt").await);
    }
    assert_eq!(spray.iter().filter(|s| **s == 401).count(), 12, "{spray:?}");
    assert_eq!(spray[12..], [429, 429], "{spray:?}");

    // Many addresses, one e-mail: the per-e-mail back-off (40 an hour here) holds.
    let mut spread = Vec::new();
    for i in 0..15u8 {
        for _ in 0..4 {
            spread.push(sign_in(format!("192.0.2.{i}"), "l@laeso.dk".into(), "gæt").await);
        }
    }
    assert!(
        spread.iter().filter(|s| **s == 429).count() >= 20,
        "the per-e-mail back-off: {spread:?}"
    );
    app.shutdown().await;
}

#[tokio::test]
async fn sign_out_everywhere_ends_every_session() {
    let app = spawn_app().await;
    let org = create_org(&app, "Gribskov Kommune").await;
    let laptop = organizer(&app, &org, "g@gribskov.dk").await;
    let phone = jar();
    let tablet = jar();
    for c in [&phone, &tablet] {
        let resp = c
            .post(app.url(&routes::account_session()))
            .json(&json!({"email": "g@gribskov.dk", "password": PASSWORD}))
            .send()
            .await
            .expect("sign in");
        expect(resp, 200, "sign in").await;
    }
    for c in [&laptop, &phone, &tablet] {
        let resp = c
            .get(app.url(&routes::meetings()))
            .send()
            .await
            .expect("list");
        expect(resp, 200, "signed in").await;
    }

    // Sign out on the tablet only.
    let resp = tablet
        .delete(app.url(&routes::account_session()))
        .send()
        .await
        .expect("sign out");
    expect(resp, 204, "sign out").await;
    let resp = tablet
        .get(app.url(&routes::account()))
        .send()
        .await
        .expect("me");
    expect(resp, 401, "tablet signed out").await;
    let resp = laptop
        .get(app.url(&routes::account()))
        .send()
        .await
        .expect("me");
    expect(resp, 200, "laptop still in").await;

    // Everywhere, from the phone: the laptop is out too.
    let resp = phone
        .delete(app.url(&routes::account_sessions()))
        .send()
        .await
        .expect("everywhere");
    assert_eq!(
        expect(resp, 200, "sign out everywhere").await["sessions_ended"],
        2
    );
    for c in [&laptop, &phone] {
        let resp = c
            .get(app.url(&routes::meetings()))
            .send()
            .await
            .expect("list");
        assert_eq!(
            expect(resp, 401, "after sign out everywhere").await["code"],
            "unauthorized"
        );
    }
    app.shutdown().await;
}

#[tokio::test]
async fn branding_shows_on_the_public_meeting_json() {
    let app = spawn_app().await;
    let org = create_org(&app, "Haderslev Kommune").await;
    let hanne = organizer(&app, &org, "h@haderslev.dk").await;

    // Validation: colours need contrast, contacts must be e-mail or https, logos raster.
    for (patch, field) in [
        (json!({"primary_color": "#ffee00"}), "primary_color"),
        (json!({"primary_color": "red;}"}), "primary_color"),
        (json!({"accent_color": "#fafafa"}), "accent_color"),
        (
            json!({"privacy_contact": "javascript:alert(1)"}),
            "privacy_contact",
        ),
        (json!({"name": ""}), "name"),
    ] {
        let resp = hanne
            .patch(app.url(&routes::organization(&org)))
            .json(&patch)
            .send()
            .await
            .expect("patch");
        let v = expect(resp, 422, field).await;
        assert_eq!(v["field"], field, "{v}");
    }
    let resp = hanne
        .put(app.url(&routes::organization_logo(&org)))
        .body("<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>")
        .send()
        .await
        .expect("svg");
    assert_eq!(
        expect(resp, 400, "svg logo").await["code"],
        "unsupported_media_type"
    );
    let resp = hanne
        .put(app.url(&routes::organization_logo(&org)))
        .body(vec![0x89u8; 200 * 1024])
        .send()
        .await
        .expect("big");
    assert_eq!(
        expect(resp, 413, "big logo").await["code"],
        "payload_too_large"
    );

    let resp = hanne
        .patch(app.url(&routes::organization(&org)))
        .json(&json!({"name": "Haderslev <b>Kommune</b>", "primary_color": "#004B87", "accent_color": "#c8102e", "privacy_contact": "https://haderslev.dk/privatliv"}))
        .send()
        .await
        .expect("patch");
    expect(resp, 200, "patch branding").await;
    let resp = hanne
        .put(app.url(&routes::organization_logo(&org)))
        .body(TINY_PNG.to_vec())
        .send()
        .await
        .expect("logo");
    expect(resp, 200, "logo").await;
    let meeting = create_meeting_as(&app, &hanne, "Borgermøde om skolerne").await;

    // Anyone, without credentials.
    for path in [routes::meeting(&meeting), routes::posts(&meeting)] {
        let resp = app.http.get(app.url(&path)).send().await.expect("get");
        let v = expect(resp, 200, &path).await;
        let b = if path.ends_with("/posts") {
            &v["meeting"]["organization"]
        } else {
            &v["organization"]
        };
        assert_eq!(b["organization_id"], org.as_str(), "{v}");
        assert_eq!(b["name"], "Haderslev <b>Kommune</b>", "text as text");
        assert_eq!(b["primary_color"], "#004b87");
        assert_eq!(b["accent_color"], "#c8102e");
        assert_eq!(b["privacy_url"], "https://haderslev.dk/privatliv");
        let logo = b["logo_url"].as_str().expect("logo url");
        assert!(logo.starts_with(&format!("{}?v=", routes::organization_logo(&org))));
        let resp = app.http.get(app.url(logo)).send().await.expect("logo");
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["content-type"], "image/png");
        assert_eq!(resp.bytes().await.expect("bytes").as_ref(), TINY_PNG);
    }

    // A meeting the admin makes without naming an organization is the default one's.
    let legacy = app.create_meeting("Gammelt møde").await;
    let resp = app
        .http
        .get(app.url(&routes::meeting(&legacy)))
        .send()
        .await
        .expect("get");
    let v = expect(resp, 200, "legacy meeting").await;
    assert_eq!(v["organization"]["name"], "borgermode");
    assert_eq!(v["organization"]["logo_url"], Value::Null);
    assert!(!meeting_ids(&app, &hanne)
        .await
        .contains(&legacy.to_string()));
    app.shutdown().await;
}
