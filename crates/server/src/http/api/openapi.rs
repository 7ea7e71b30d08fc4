//! The OpenAPI 3.1 document of every HTTP command (`/api/openapi.json`) and a small reference
//! page rendered from it (`/api/docs`), with no external scripts.
//!
//! The routes' annotations (`#[utoipa::path]` in each `api/*.rs`) give each operation a unique
//! `operation_id`, its parameters where the server reads them, the error statuses of
//! docs/protocol.md and the security schemes it accepts; the bodies' limits live on the
//! protocol types. What holds for every route is added here once: errors are
//! `application/problem+json` with the Problem schema (`errors.rs` answers nothing else), and a
//! route with a JSON body may answer 400 (malformed) and 413 (over `--json-limit`).
//! `tests/it/openapi_client.rs` validates the served document and generates a client from it.

use actix_web::{web, HttpResponse};
use borgermode_domain::Code;
use utoipa::openapi::content::Content;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{RefOr, Response};
use utoipa::{Modify, OpenApi, ToSchema};

use super::organizer::{accounts, announcements, organizations, report};
use super::{
    agenda, followup, health, lifecycle, moderation, participation, polls, privacy, questions,
    streams,
};

/// The logo's bytes, as uploaded and served (`image/png`, `image/jpeg` or `image/webp`).
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct LogoImage(#[allow(dead_code)] Vec<u8>);

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
        components.add_security_scheme(
            "participant_session",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A participant's session token for one meeting: the value of the bm_<meeting id> cookie that join and staff-session set. A token of another meeting is ignored.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "participant_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "bm_<meeting id>",
                "The same session as a cookie: its name is bm_ and the meeting id as 32 lowercase hex digits without hyphens (e.g. bm_415ed83f1be74c38ad90b267c392af36); set by join and staff-session, HttpOnly",
            ))),
        );
    }
}

/// Every error a route declares is problem+json (readiness's 503 keeps its own body); a route
/// with a JSON body also answers 400 and 413; an optional body is optional, not nullable.
struct Problems;

/// `Problem.code` lists the whole catalogue (`borgermode_domain::Code`) as its enum, so a
/// generated client knows every code it may meet (the protocol type is a plain string).
struct ErrorCodes;

impl Modify for ErrorCodes {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
        let Some(components) = doc.components.as_mut() else {
            return;
        };
        let Some(RefOr::T(Schema::Object(problem))) = components.schemas.get_mut("Problem") else {
            return;
        };
        let codes = ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "Stable machine-readable code: branch on this (docs/protocol.md, \"Error codes\").",
            ))
            .enum_values(Some(Code::ALL.iter().map(|c| c.as_str())))
            .build();
        problem
            .properties
            .insert("code".into(), RefOr::T(Schema::Object(codes)));
    }
}

fn problem_response(description: &str) -> Response {
    let mut r = Response::new(description);
    r.content.insert(
        "application/problem+json".into(),
        Content::new(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
            "Problem",
        )))),
    );
    r
}

/// utoipa renders `request_body = Option<T>` as `oneOf: [null, T]`, which promises that the JSON
/// `null` is a body; the server means "the body may be left out" (`optional_json`): say that.
fn fix_optional_body(op: &mut Operation) {
    use utoipa::openapi::schema::{Schema, SchemaType, Type};
    use utoipa::openapi::Required;
    let Some(body) = op.request_body.as_mut() else {
        return;
    };
    if body.required == Some(Required::True) {
        return;
    }
    for content in body.content.values_mut() {
        let Some(RefOr::T(Schema::OneOf(one_of))) = &content.schema else {
            continue;
        };
        let is_null = |s: &RefOr<Schema>| matches!(s, RefOr::T(Schema::Object(o)) if o.schema_type == SchemaType::Type(Type::Null));
        let rest: Vec<&RefOr<Schema>> = one_of.items.iter().filter(|s| !is_null(s)).collect();
        if let [only] = rest[..] {
            if rest.len() < one_of.items.len() {
                content.schema = Some(only.clone());
            }
        }
    }
    body.required = Some(Required::False);
}

fn fix_errors(op: &mut Operation) {
    let json_body = op
        .request_body
        .as_ref()
        .is_some_and(|b| b.content.contains_key("application/json"));
    if json_body {
        op.responses.responses.entry("400".into()).or_insert_with(|| {
            RefOr::T(problem_response(
                "invalid_json: missing or malformed body; unsupported_media_type: not Content-Type application/json",
            ))
        });
        op.responses
            .responses
            .entry("413".into())
            .or_insert_with(|| {
                RefOr::T(problem_response(
                    "payload_too_large: over --json-limit (64 KiB by default)",
                ))
            });
    }
    for (status, resp) in op.responses.responses.iter_mut() {
        if !(status.starts_with('4') || status.starts_with('5')) {
            continue;
        }
        let RefOr::T(resp) = resp else { continue };
        let problem_or_none = resp.content.is_empty()
            || resp.content.values().any(|c| {
                matches!(&c.schema, Some(RefOr::Ref(r)) if r.ref_location.ends_with("/Problem"))
            });
        if problem_or_none {
            *resp = problem_response(&resp.description);
        }
    }
}

/// Limits of a type that lives in the domain crate (which knows no percentages' range):
/// the report targets are whole percent, 0-100 (`report.rs::put_options` refuses more).
struct DomainLimits;

impl Modify for DomainLimits {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::Schema;
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        let Some(RefOr::T(Schema::Object(targets))) = components.schemas.get_mut("ReportTargets")
        else {
            return;
        };
        for field in ["under_30_min_pct", "women_min_pct"] {
            if let Some(RefOr::T(Schema::Object(p))) = targets.properties.get_mut(field) {
                p.maximum = Some(100.into());
            }
        }
    }
}

impl Modify for Problems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
                &mut item.head,
                &mut item.options,
                &mut item.trace,
            ]
            .into_iter()
            .flatten()
            {
                fix_optional_body(op);
                fix_errors(op);
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "borgermode", description = "Live digital town meetings: HTTP commands. The live stream is described in docs/protocol.md. Participants authenticate with the meeting's session cookie (set by join or staff-session) or `Authorization: Bearer <session token>`; the installation admin with `Authorization: Bearer <admin token>`; an organizer account with its session cookie `bm_account` (sign in with e-mail and password), within its own organization only: another organization's meetings and organizations answer 404. Every error is application/problem+json with a stable `code`."),
    paths(
        lifecycle::meetings::create, lifecycle::meetings::list, lifecycle::meetings::get, lifecycle::meetings::posts, lifecycle::meetings::edit, lifecycle::meetings::settings,
        lifecycle::meetings::schedule, lifecycle::meetings::open, lifecycle::meetings::close,
        announcements::announcements, crate::http::kit::meeting_ics,
        report::report_json, report::report_json_alias, report::report_csv, report::report_html, report::get_options, report::put_options,
        report::export_ndjson, report::export_csv, report::export_polls_csv, report::archive_json,
        lifecycle::staff::create_link, lifecycle::staff::revoke, lifecycle::staff::exchange, lifecycle::staff::admin_session, lifecycle::staff::admin_sign_out,
        participation::participants::join, participation::participants::me,
        participation::posts::create, participation::posts::vote, participation::posts::report, participation::similar::similar, participation::similar::topics,
        questions::notices::notice, questions::notices::pin, questions::notices::unpin, questions::notices::room_question,
        questions::queue::queue, questions::queue::claim, questions::queue::release, questions::queue::answer, questions::queue::answer_live, questions::queue::dismiss, questions::queue::merge, questions::queue::on_air,
        questions::prepared_answers::list, questions::prepared_answers::create, questions::prepared_answers::update, questions::prepared_answers::delete, questions::prepared_answers::for_meeting,
        participation::mine::mine, participation::mine::new_link, participation::mine::put_notify, participation::mine::delete_notify,
        followup::assign, followup::unassign, followup::follow_up, followup::close,
        moderation::hide, moderation::restore, moderation::approve, moderation::reject,
        moderation::mute, moderation::unmute, moderation::ban, moderation::unban,
        privacy::erase, privacy::notice, privacy::set_notice,
        agenda::add, agenda::edit, agenda::remove, agenda::move_item, agenda::set_current, agenda::file_post,
        polls::commands::create, polls::commands::edit, polls::commands::delete, polls::commands::move_poll,
        polls::commands::launch, polls::commands::close, polls::commands::publish, polls::commands::on_screen,
        polls::answers::answer, polls::answers::list, polls::answers::staff_answers, polls::answers::moderate,
        streams::websocket, streams::server_sent_events,
        organizations::create, organizations::list, organizations::get, organizations::update,
        organizations::logo, organizations::put_logo, organizations::delete_logo, organizations::invite,
        accounts::me, accounts::invite_info, accounts::accept_invite, accounts::sign_in, accounts::sign_out, accounts::sign_out_everywhere,
        health::healthz, health::readyz,
    ),
    components(schemas(borgermode_protocol::http::Problem)),
    modifiers(&Security, &Problems, &ErrorCodes, &DomainLimits)
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
