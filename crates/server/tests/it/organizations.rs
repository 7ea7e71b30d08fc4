//! Many municipalities on one installation, over HTTP: organizations, invites, organizer
//! accounts and sessions, branding, and above all isolation: an organizer of organization A
//! gets 404 `not_found` on every organizer route for a meeting (or the organization) of B, and
//! never sees B's meetings in a list. Run on SQLite and on PostgreSQL.

use crate::common::routes;

use crate::common::app::{spawn_app, spawn_app_with, TestApp};
use crate::common::client::{meeting_request, Body, Outcome, Reply};
use crate::common::client_organizations::jar;
use crate::common::stores::Db;
use crate::on_both_stores;
use borgermode_protocol::http::{CreatePostRequest, CreateStaffLinkRequest, JoinRequest, Problem};
use borgermode_protocol::organizations::{
    AcceptInviteRequest, AccountView, CreateOrganizationRequest, OrganizationPatch, SignInRequest,
};
use borgermode_protocol::{MeetingId, MeetingStatus, PostKind, Role, StaffRole};
use borgermode_server::store::orgs::InviteRecord;
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

const PASSWORD: &str = "lange-kodeord-42";

async fn create_org(app: &TestApp, name: &str) -> Uuid {
    let body = CreateOrganizationRequest {
        name: name.into(),
        primary_color: Some("#7a1f3d".into()),
        accent_color: None,
        privacy_contact: Some("dpo@kommune.dk".into()),
    };
    app.as_admin()
        .create_organization(&body)
        .await
        .accepted()
        .id
}

async fn invite_secret(app: &TestApp, org: Uuid) -> String {
    let invite = app.as_admin().create_invite(org, None).await.accepted();
    let link = invite.link;
    assert!(
        link.contains("/admin/invite#invite="),
        "secret in the fragment: {link}"
    );
    link.split("#invite=").nth(1).expect("secret").to_string()
}

fn accept(invite: &str, display_name: &str, email: &str, password: &str) -> AcceptInviteRequest {
    AcceptInviteRequest {
        invite: invite.into(),
        display_name: display_name.into(),
        email: email.into(),
        password: password.into(),
    }
}

/// An organizer account of `org`, signed in on its own cookie jar.
async fn organizer(app: &TestApp, org: Uuid, email: &str) -> Client {
    let secret = invite_secret(app, org).await;
    let client = jar();
    let body = accept(&secret, "Ole Organisator", email, PASSWORD);
    app.with_jar(&client).accept_invite(&body).await.accepted();
    client
}

async fn create_meeting_as(app: &TestApp, client: &Client, title: &str) -> MeetingId {
    let ack = app
        .with_jar(client)
        .create_meeting(&meeting_request(title, None))
        .await
        .accepted();
    ack.meeting_id.expect("meeting id")
}

async fn meeting_ids(app: &TestApp, client: &Client) -> Vec<MeetingId> {
    let list = app.with_jar(client).meetings().await.accepted();
    list.into_iter().map(|m| m.id).collect()
}

/// A sign-in on a fresh browser.
async fn sign_in(app: &TestApp, email: &str, password: &str) -> Result<AccountView, Problem> {
    app.with_jar(&jar()).sign_in(email, password).await
}

/// The `bm_account` cookie a response sets.
fn account_cookie(resp: &reqwest::Response) -> String {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("bm_account="))
        .expect("session cookie")
        .to_string()
}

/// Every organizer-side route, against meeting `m` and organization `org`: method, path, body.
// Raw bodies: one table over routes of every body type (scope is refused before a body is read).
fn organizer_routes(m: MeetingId, org: Uuid) -> Vec<(Method, String, Option<Value>)> {
    let p = |s: &str| format!("{}{s}", routes::meeting(&m));
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
    let alice = organizer(app, org_a, "alice@aabenraa.dk").await;
    let bob = organizer(app, org_b, "bob@bronderslev.dk").await;

    let ma = create_meeting_as(app, &alice, "A's møde").await;
    let mb = create_meeting_as(app, &bob, "B's møde").await;
    // Something for the post routes to point at in B's meeting, and a moderator of B.
    app.with_jar(&bob).open(mb).await.accepted();
    let moderator = CreateStaffLinkRequest {
        role: StaffRole::Moderator,
        name: "Birthe Moderator".into(),
        role_line: String::new(),
    };
    app.with_jar(&bob)
        .staff_link(mb, &moderator)
        .await
        .accepted();
    let citizen = jar();
    let join = JoinRequest {
        display_name: "Carl Borger".into(),
        age_band: None,
        gender: None,
    };
    app.with_jar(&citizen).join(mb, &join).await.accepted();
    let question = CreatePostRequest {
        kind: PostKind::Question,
        body: "Hvornår?".into(),
        parent: None,
        agenda_item: None,
    };
    app.with_jar(&citizen)
        .create_post(mb, &question)
        .await
        .accepted();

    // The matrix: Alice on every organizer route of B's meeting and organization.
    let mut failures = Vec::new();
    for route in organizer_routes(mb, org_b) {
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
    let view = app.with_jar(&bob).meeting(mb).await.accepted();
    assert_eq!(view.title, "B's møde");
    assert_eq!(view.status, MeetingStatus::Open);

    // The same routes work for B's own organizer (so the 404s above are about scope).
    for (method, path, body) in organizer_routes(mb, org_b) {
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
    assert_eq!(a_sees, vec![ma]);
    let b_sees = meeting_ids(app, &bob).await;
    assert_eq!(b_sees, vec![mb]);
    let all = app.as_admin().meetings().await.accepted();
    let all: Vec<MeetingId> = all.iter().map(|m| m.id).collect();
    assert!(all.contains(&ma) && all.contains(&mb));
    let orgs = app.with_jar(&alice).organizations().await.accepted();
    let ids: Vec<Uuid> = orgs.iter().map(|o| o.id).collect();
    assert_eq!(ids, vec![org_a]);

    // B's public page stays public for Alice, but as the public sees it: no moderators.
    let public = app.with_jar(&alice).meeting(mb).await.accepted();
    assert!(
        public.staff.iter().all(|s| s.role != Role::Moderator),
        "A sees B's moderators: {public:?}"
    );
    let own = app.with_jar(&bob).meeting(mb).await.accepted();
    assert!(
        own.staff.iter().any(|s| s.role == Role::Moderator),
        "B sees its moderator: {own:?}"
    );

    // An organizer account is no installation admin.
    let own_org = CreateOrganizationRequest {
        name: "Egen kommune".into(),
        ..Default::default()
    };
    app.with_jar(&alice)
        .create_organization(&own_org)
        .await
        .refused(403, "forbidden");
    app.with_jar(&alice)
        .create_invite(org_a, None)
        .await
        .refused(403, "forbidden");
    // The admin may create a meeting in any organization.
    let ack = app
        .as_admin()
        .create_meeting(&meeting_request("Admin i B", Some(org_b)))
        .await
        .accepted();
    let admin_made = ack.meeting_id.expect("id");
    assert!(meeting_ids(app, &bob).await.contains(&admin_made));
    assert!(!meeting_ids(app, &alice).await.contains(&admin_made));
}

async fn isolation_on(db: Db) {
    let app = db.spawn(|_| {}).await;
    isolation(&app).await;
    app.shutdown().await;
}

on_both_stores! {
    isolation_on => organizers_see_only_their_organization_sqlite, organizers_see_only_their_organization_postgres;
}

#[tokio::test]
async fn invites_work_once_and_expire() {
    let app = spawn_app().await;
    let org = create_org(&app, "Esbjerg Kommune").await;
    let secret = invite_secret(&app, org).await;

    let client = jar();
    let info = app.with_jar(&client).invite_info(&secret).await.accepted();
    assert_eq!(info.organization_name, "Esbjerg Kommune");

    // Bad input first: the invite stays usable.
    for (field, display_name, email, password) in [
        ("password", "Eva", "eva@esbjerg.dk", "kort"),
        ("email", "Eva", "ikke-en-adresse", PASSWORD),
        ("display_name", "  ", "eva@esbjerg.dk", PASSWORD),
    ] {
        let body = accept(&secret, display_name, email, password);
        let p = app
            .with_jar(&client)
            .accept_invite(&body)
            .await
            .refused(422, "validation_failed");
        assert_eq!(p.field.as_deref(), Some(field), "{p:?}");
    }

    // Raw, for the cookie the answer sets.
    let resp = app
        .with_jar(&client)
        .raw(Method::POST, &routes::accept_invite())
        .json(&accept(
            &secret,
            "Eva Esbjerg",
            " Eva@Esbjerg.dk ",
            PASSWORD,
        ))
        .send()
        .await
        .expect("accept");
    let cookie = account_cookie(&resp);
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    assert_eq!(resp.status(), 201, "accept");
    let me: AccountView = resp.json().await.expect("account");
    assert_eq!(me.email, "eva@esbjerg.dk");
    assert_eq!(me.organization.id, org);
    let me = app.with_jar(&client).account().await.accepted();
    assert_eq!(me.display_name, "Eva Esbjerg");

    // Used: for anyone, whatever they send.
    app.with_jar(&jar())
        .accept_invite(&accept(&secret, "Mallory", "m@x.dk", PASSWORD))
        .await
        .refused(410, "invite_used");
    app.with_jar(&jar())
        .invite_info(&secret)
        .await
        .refused(410, "invite_used");

    // Expired (stored an hour ago with an expiry in the past).
    let expired = "expired-invite-secret-0123";
    let now = chrono::Utc::now();
    app.state
        .store
        .put_invite(InviteRecord {
            token_hash: borgermode_server::security::auth::hash_secret(expired),
            organization: borgermode_server::store::orgs::OrgId(org),
            created_at: now - chrono::Duration::hours(2),
            expires_at: now - chrono::Duration::hours(1),
            used_at: None,
        })
        .await
        .expect("put");
    app.with_jar(&jar())
        .accept_invite(&accept(expired, "Sen", "sen@esbjerg.dk", PASSWORD))
        .await
        .refused(410, "invite_expired");

    // Unknown, and an e-mail address in use already.
    app.with_jar(&jar())
        .accept_invite(&accept("no-such-invite", "X", "x@esbjerg.dk", PASSWORD))
        .await
        .refused(404, "not_found");
    let second = invite_secret(&app, org).await;
    app.with_jar(&jar())
        .accept_invite(&accept(&second, "Eva 2", "eva@esbjerg.dk", PASSWORD))
        .await
        .refused(409, "email_taken");
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
    organizer(&app, org, "f@fano.dk").await;

    sign_in(&app, "f@fano.dk", "forkert-kodeord")
        .await
        .refused(401, "invalid_credentials");
    sign_in(&app, "nobody@fano.dk", PASSWORD)
        .await
        .refused(401, "invalid_credentials");
    // Raw, for the cookie the answer sets.
    let body = SignInRequest {
        email: "F@Fano.dk".into(),
        password: PASSWORD.into(),
    };
    let resp = app
        .with_jar(&jar())
        .raw(Method::POST, &routes::account_session())
        .json(&body)
        .send()
        .await
        .expect("sign in");
    let cookie = account_cookie(&resp);
    assert!(cookie.contains("Secure"), "https public URL: {cookie}");
    assert_eq!(resp.status(), 200, "right password");
    // Four attempts per minute for this e-mail from this address (the unknown e-mail above
    // has an allowance of its own): the fourth is still answered, the fifth not (not even
    // with the right password).
    sign_in(&app, "f@fano.dk", "forkert-igen")
        .await
        .refused_status(401);
    sign_in(&app, "f@fano.dk", "forkert-igen")
        .await
        .refused_status(401);
    sign_in(&app, "f@fano.dk", PASSWORD)
        .await
        .refused(429, "rate_limited");
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
    organizer(&app, org, "l@laeso.dk").await;
    // Raw, for the `X-Forwarded-For` header the typed call does not send.
    let sign_in = |from: String, email: String, password: &'static str| {
        let request = app
            .with_jar(&jar())
            .raw(Method::POST, &routes::account_session())
            .header("x-forwarded-for", from)
            .json(&SignInRequest {
                email,
                password: password.into(),
            });
        async move { request.send().await.expect("sign in").status().as_u16() }
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
    let laptop = organizer(&app, org, "g@gribskov.dk").await;
    let phone = jar();
    let tablet = jar();
    for c in [&phone, &tablet] {
        app.with_jar(c)
            .sign_in("g@gribskov.dk", PASSWORD)
            .await
            .accepted();
    }
    for c in [&laptop, &phone, &tablet] {
        app.with_jar(c).meetings().await.accepted();
    }

    // Sign out on the tablet only.
    app.with_jar(&tablet).sign_out().await.accepted();
    app.with_jar(&tablet).account().await.refused_status(401);
    app.with_jar(&laptop).account().await.accepted();

    // Everywhere, from the phone: the laptop is out too.
    let ended = app.with_jar(&phone).sign_out_everywhere().await.accepted();
    assert_eq!(ended.sessions_ended, 2);
    for c in [&laptop, &phone] {
        app.with_jar(c)
            .meetings()
            .await
            .refused(401, "unauthorized");
    }
    app.shutdown().await;
}

#[tokio::test]
async fn branding_shows_on_the_public_meeting_json() {
    let app = spawn_app().await;
    let org = create_org(&app, "Haderslev Kommune").await;
    let hanne = organizer(&app, org, "h@haderslev.dk").await;

    // Validation: colours need contrast, contacts must be e-mail or https, logos raster.
    let patch = |f: fn(&mut OrganizationPatch)| {
        let mut p = OrganizationPatch::default();
        f(&mut p);
        p
    };
    for (patch, field) in [
        (
            patch(|p| p.primary_color = Some("#ffee00".into())),
            "primary_color",
        ),
        (
            patch(|p| p.primary_color = Some("red;}".into())),
            "primary_color",
        ),
        (
            patch(|p| p.accent_color = Some("#fafafa".into())),
            "accent_color",
        ),
        (
            patch(|p| p.privacy_contact = Some("javascript:alert(1)".into())),
            "privacy_contact",
        ),
        (patch(|p| p.name = Some(String::new())), "name"),
    ] {
        let p = app
            .with_jar(&hanne)
            .edit_organization(org, &patch)
            .await
            .refused_status(422);
        assert_eq!(p.field.as_deref(), Some(field), "{p:?}");
    }
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>";
    app.with_jar(&hanne)
        .put_logo(org, svg.to_vec())
        .await
        .refused(400, "unsupported_media_type");
    app.with_jar(&hanne)
        .put_logo(org, vec![0x89u8; 200 * 1024])
        .await
        .refused(413, "payload_too_large");

    let branding = OrganizationPatch {
        name: Some("Haderslev <b>Kommune</b>".into()),
        primary_color: Some("#004B87".into()),
        accent_color: Some("#c8102e".into()),
        privacy_contact: Some("https://haderslev.dk/privatliv".into()),
    };
    app.with_jar(&hanne)
        .edit_organization(org, &branding)
        .await
        .accepted();
    app.with_jar(&hanne)
        .put_logo(org, TINY_PNG.to_vec())
        .await
        .accepted();
    let meeting = create_meeting_as(&app, &hanne, "Borgermøde om skolerne").await;

    // Anyone, without credentials: the meeting and the meeting with its posts.
    let visitor = app.anonymous();
    let on_meeting = visitor.meeting(meeting).await.accepted().organization;
    let on_posts = visitor.posts(meeting).await.accepted().meeting.organization;
    for b in [on_meeting, on_posts] {
        let b = b.expect("branding");
        assert_eq!(b.organization_id, org, "{b:?}");
        assert_eq!(b.name, "Haderslev <b>Kommune</b>", "text as text");
        assert_eq!(b.primary_color.as_deref(), Some("#004b87"));
        assert_eq!(b.accent_color.as_deref(), Some("#c8102e"));
        assert_eq!(
            b.privacy_url.as_deref(),
            Some("https://haderslev.dk/privatliv")
        );
        let logo = b.logo_url.expect("logo url");
        assert!(logo.starts_with(&format!("{}?v=", routes::organization_logo(&org))));
        // Raw: the logo is an image, not a JSON body.
        let resp = visitor.raw(Method::GET, &logo).send().await.expect("logo");
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["content-type"], "image/png");
        assert_eq!(resp.bytes().await.expect("bytes").as_ref(), TINY_PNG);
    }

    // A meeting the admin makes without naming an organization is the default one's.
    let legacy = app.create_meeting("Gammelt møde").await;
    let v = visitor.meeting(legacy).await.accepted();
    let b = v.organization.expect("branding");
    assert_eq!(b.name, "borgermode");
    assert_eq!(b.logo_url, None);
    assert!(!meeting_ids(&app, &hanne).await.contains(&legacy));
    app.shutdown().await;
}
