//! The OpenAPI 3.1 document of every HTTP command (`/api/openapi.json`) and a small reference
//! page rendered from it (`/api/docs`), with no external scripts.

use actix_web::{web, HttpResponse};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{
    accounts, announcements, answers, followup, health, meetings, mine, moderation, organizations,
    participants, posts, privacy, queue, report, staff, streams,
};

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "admin_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("Installation admin token"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "organizer_session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "bm_account",
                "An organizer account's session (POST /api/account/session); covers its own organization only",
            ))),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "borgermode", description = "Live digital town meetings: HTTP commands. The live stream is described in docs/protocol.md. Participants authenticate with the meeting's session cookie (set by join or staff-session) or `Authorization: Bearer <session token>`; the installation admin with `Authorization: Bearer <admin token>`; an organizer account with its session cookie `bm_account` (sign in with e-mail and password), within its own organization only: another organization's meetings and organizations answer 404. Every error is application/problem+json with a stable `code`."),
    paths(
        meetings::create, meetings::list, meetings::get, meetings::posts, meetings::edit, meetings::settings,
        meetings::schedule, meetings::open, meetings::close,
        announcements::announcements, crate::kit::meeting_ics,
        report::report_json, report::report_csv, report::report_html, report::get_options, report::put_options,
        report::export_ndjson, report::export_csv, report::archive_json,
        staff::create_link, staff::revoke, staff::exchange, staff::admin_session,
        participants::join, participants::me, participants::mute, participants::unmute, participants::ban, participants::unban,
        posts::create, posts::vote, posts::report, posts::notice, posts::pin, posts::unpin, posts::room_question,
        queue::queue, queue::claim, queue::release, queue::answer, queue::answer_live, queue::dismiss, queue::merge, queue::on_air,
        answers::list, answers::create, answers::update, answers::delete, answers::for_meeting,
        mine::mine, mine::new_link, mine::put_notify, mine::delete_notify,
        followup::assign, followup::unassign, followup::follow_up, followup::close,
        moderation::hide, moderation::restore, moderation::approve, moderation::reject,
        privacy::erase, privacy::notice, privacy::set_notice,
        streams::websocket, streams::server_sent_events,
        organizations::create, organizations::list, organizations::get, organizations::update,
        organizations::logo, organizations::put_logo, organizations::delete_logo, organizations::invite,
        accounts::me, accounts::invite_info, accounts::accept_invite, accounts::sign_in, accounts::sign_out, accounts::sign_out_everywhere,
        health::healthz, health::readyz,
    ),
    modifiers(&Security)
)]
pub struct ApiDoc;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/openapi.json", web::get().to(document))
        .route("/docs", web::get().to(reference));
}

pub async fn document() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A plain HTML list of every operation: method, path, summary, body and responses.
pub async fn reference() -> HttpResponse {
    let doc = ApiDoc::openapi();
    let mut html = String::from("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>borgermode API reference</title><link rel=\"stylesheet\" href=\"/static/app.css\"></head><body><main><h1>borgermode API reference</h1><p>Machine-readable: <a href=\"/api/openapi.json\">/api/openapi.json</a> (OpenAPI 3.1). Live-stream frames, close codes and resume rules: docs/protocol.md.</p>");
    for (path, item) in doc.paths.paths.iter() {
        let ops = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ];
        for (method, op) in ops {
            let Some(op) = op else { continue };
            html.push_str(&format!(
                "<section><h2><code>{method} {}</code></h2>",
                escape(path)
            ));
            if let Some(tags) = &op.tags {
                html.push_str(&format!("<p>Role: {}</p>", escape(&tags.join(", "))));
            }
            if let Some(d) = op.description.as_ref().or(op.summary.as_ref()) {
                html.push_str(&format!("<p>{}</p>", escape(d)));
            }
            html.push_str("<ul>");
            for (status, _) in op.responses.responses.iter() {
                html.push_str(&format!("<li>{}</li>", escape(status)));
            }
            html.push_str("</ul></section>");
        }
    }
    html.push_str("</main></body></html>");
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html)
}
