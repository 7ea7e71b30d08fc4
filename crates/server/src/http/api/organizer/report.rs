//! After the meeting: the organizer's report (JSON, CSV, printable HTML with an SVG timeline),
//! its options (participation targets, moderator names in the archive), the records exports
//! (NDJSON log, posts CSV), and the public archive of a closed meeting.
//!
//! Why one file: all of it reads the whole log once and renders it; the figures come from
//! `borgermode_domain::report`, the exports from `crate::report::export`, the pages from
//! `crate::report::render`. Organizer routes are scoped like every other (`scope.rs`).

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use borgermode_domain::event::{Actor, Event, EventKind};
use borgermode_domain::report::{self, Demographics, ReportInputs};
use borgermode_domain::Code;
use borgermode_domain::{
    MeetingId, MeetingState, MeetingStatus, PollStatus, QuestionState, Visibility,
};
use borgermode_protocol::http::{
    ArchiveAnswer, ArchiveModeration, ArchivePoll, ArchivePost, ArchiveResponse, ReportOptions,
};
use uuid::Uuid;

use crate::http::api::scope::MeetingScope;
use crate::http::api::{check_origin, State};
use crate::http::errors::ApiError;
use crate::report::archive_search::ArchiveQuery;
use crate::report::export;
use crate::report::render::{self, Strings};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/meetings/{id}/report", web::get().to(report_json))
        .route(
            "/meetings/{id}/report.json",
            web::get().to(report_json_alias),
        )
        .route("/meetings/{id}/report.csv", web::get().to(report_csv))
        .route("/meetings/{id}/report.html", web::get().to(report_html))
        .route("/meetings/{id}/report-options", web::get().to(get_options))
        .route("/meetings/{id}/report-options", web::put().to(put_options))
        .route("/meetings/{id}/export.ndjson", web::get().to(export_ndjson))
        .route("/meetings/{id}/export.csv", web::get().to(export_csv))
        .route(
            "/meetings/{id}/export/polls.csv",
            web::get().to(export_polls_csv),
        )
        .route("/meetings/{id}/archive", web::get().to(archive_json));
}

/// Pages outside `/api`: the archive's stable public URL.
pub fn pages(cfg: &mut web::ServiceConfig) {
    cfg.route("/m/{id}/archive", web::get().to(archive_html));
}

pub fn options_key(meeting: MeetingId) -> String {
    format!("meeting_report_options:{meeting}")
}

/// The organizer of this meeting, or the same 404 as an unknown meeting for another
/// organization's organizer, 401 for anyone else.
async fn require_organizer(
    state: &State,
    req: &HttpRequest,
    id: Uuid,
) -> Result<MeetingId, ApiError> {
    let room = state.room(id).await?;
    match state.meeting_scope(req, room.id).await? {
        MeetingScope::Organizer => Ok(room.id),
        MeetingScope::Foreign => Err(ApiError::NotFound("meeting")),
        MeetingScope::None => {
            if state.auth.participant(req, room.id).await?.is_some() {
                Err(borgermode_domain::DomainError::Forbidden.into())
            } else {
                Err(ApiError::Unauthorized)
            }
        }
    }
}

async fn options(state: &State, meeting: MeetingId) -> Result<ReportOptions, ApiError> {
    Ok(state
        .store
        .setting(&options_key(meeting))
        .await?
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default())
}

async fn build_report(
    state: &State,
    meeting: MeetingId,
) -> Result<(report::Report, Vec<Event>), ApiError> {
    let events = state.store.events(meeting, 0, None).await?;
    let inputs = ReportInputs {
        votes: state.store.vote_counts(meeting).await?,
        presence: state.store.presence_samples(meeting).await?,
        demographics: Demographics::from_events(&events),
        targets: options(state, meeting).await?.targets,
        poll_answers: report_poll_answers(state, meeting).await?,
    };
    Ok((report::build(&events, &inputs), events))
}

/// The stored poll answers as the report counts them (an open answer held or hidden counts as
/// a respondent but is not listed).
async fn report_poll_answers(
    state: &State,
    meeting: MeetingId,
) -> Result<Vec<report::ReportPollAnswer>, ApiError> {
    Ok(export::report_poll_answers(state.store.as_ref(), meeting).await?)
}

fn language_of(events: &[Event]) -> &'static str {
    let state_lang = events.iter().rev().find_map(|e| match &e.kind {
        EventKind::MeetingCreated { details, .. } | EventKind::MeetingEdited { details } => {
            Some(details.language)
        }
        _ => None,
    });
    match state_lang {
        Some(borgermode_domain::Language::En) => "en",
        _ => "da",
    }
}

/// `?lang=da|en` overrides the meeting's language.
fn pick_lang(req: &HttpRequest, events: &[Event]) -> &'static str {
    match req.query_string() {
        q if q.contains("lang=en") => "en",
        q if q.contains("lang=da") => "da",
        _ => language_of(events),
    }
}

#[utoipa::path(get, path = "/api/meetings/{id}/report", tag = "organizer", operation_id = "get_report",
    params(("id" = Uuid, Path, description = "Meeting id")),
    responses((status = 200, body = borgermode_domain::report::Report), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden: a participant, not the organizer"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant")),
    security(("admin_token" = []), ("organizer_session" = [])))]
pub async fn report_json(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let meeting = require_organizer(&state, &req, *id).await?;
    let (r, _) = build_report(&state, meeting).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(r))
}

#[utoipa::path(get, path = "/api/meetings/{id}/report.json", tag = "organizer", operation_id = "get_report_json",
    params(("id" = Uuid, Path, description = "Meeting id")),
    description = "The same report as `GET /api/meetings/{id}/report`, named like report.csv and report.html.",
    responses((status = 200, body = borgermode_domain::report::Report), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden: a participant, not the organizer"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant")),
    security(("admin_token" = []), ("organizer_session" = [])))]
/// `report.json`: the JSON report under the name its CSV and HTML siblings suggest.
pub async fn report_json_alias(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    report_json(state, req, id).await
}

#[utoipa::path(get, path = "/api/meetings/{id}/report.csv", tag = "organizer", operation_id = "get_report_csv",
    params(("id" = Uuid, Path, description = "Meeting id")),
    responses((status = 200, content_type = "text/csv", body = String, description = "section,key,value rows"), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden: a participant, not the organizer"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant")),
    security(("admin_token" = []), ("organizer_session" = [])))]
pub async fn report_csv(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let meeting = require_organizer(&state, &req, *id).await?;
    let (r, _) = build_report(&state, meeting).await?;
    Ok(attachment(
        "text/csv; charset=utf-8",
        &format!("report-{meeting}.csv"),
        render::report_csv(&r),
    ))
}

#[utoipa::path(get, path = "/api/meetings/{id}/report.html", tag = "organizer", operation_id = "get_report_html",
    params(("id" = Uuid, Path, description = "Meeting id"), ("lang" = Option<borgermode_domain::Language>, Query, description = "Language of the page; the meeting's language when absent")),
    responses((status = 200, content_type = "text/html", body = String, description = "Printable report page"), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden: a participant, not the organizer"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant")),
    security(("admin_token" = []), ("organizer_session" = [])))]
pub async fn report_html(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let meeting = require_organizer(&state, &req, *id).await?;
    let (r, events) = build_report(&state, meeting).await?;
    let lang = pick_lang(&req, &events);
    let strings = Strings(crate::locales::strings(lang));
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(render::report_html(
            &r,
            meeting.0,
            lang,
            &strings,
            &render::Local::new(lang, state.settings.time_zone),
        )))
}

#[utoipa::path(get, path = "/api/meetings/{id}/report-options", tag = "organizer", operation_id = "get_report_options",
    params(("id" = Uuid, Path, description = "Meeting id")),
    responses((status = 200, body = ReportOptions), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant")),
    security(("admin_token" = []), ("organizer_session" = [])))]
pub async fn get_options(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let meeting = require_organizer(&state, &req, *id).await?;
    Ok(HttpResponse::Ok().json(options(&state, meeting).await?))
}

#[utoipa::path(put, path = "/api/meetings/{id}/report-options", tag = "organizer", operation_id = "put_report_options",
    params(("id" = Uuid, Path, description = "Meeting id")), request_body = ReportOptions,
    responses((status = 200, body = ReportOptions), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"), (status = 422, description = "validation_failed: a target outside 0-100")),
    security(("admin_token" = []), ("organizer_session" = [])))]
pub async fn put_options(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<ReportOptions>,
) -> Result<HttpResponse, ApiError> {
    check_origin(&state, &req)?;
    let meeting = require_organizer(&state, &req, *id).await?;
    let body = body.into_inner();
    for (field, v) in [
        ("targets.under_30_min_pct", body.targets.under_30_min_pct),
        ("targets.women_min_pct", body.targets.women_min_pct),
    ] {
        if v.is_some_and(|p| p > 100) {
            return Err(borgermode_domain::DomainError::validation(field, "must be 0-100").into());
        }
    }
    let json = serde_json::to_string(&body).map_err(|e| ApiError::BadRequest {
        code: Code::ValidationFailed,
        detail: e.to_string(),
    })?;
    state
        .store
        .put_setting(&options_key(meeting), &json)
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

fn attachment(ctype: &str, name: &str, body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ctype.to_string())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(body)
}

#[utoipa::path(get, path = "/api/meetings/{id}/export.ndjson", tag = "organizer", operation_id = "export_log_ndjson",
    params(("id" = Uuid, Path, description = "Meeting id")),
    responses((status = 200, content_type = "application/x-ndjson", body = String, description = "The whole log, one event per line"), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden: a participant, not the organizer"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant")),
    security(("admin_token" = []), ("organizer_session" = [])))]
pub async fn export_ndjson(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let meeting = require_organizer(&state, &req, *id).await?;
    let events = state.store.events(meeting, 0, None).await?;
    Ok(attachment(
        "application/x-ndjson",
        &format!("meeting-{meeting}.ndjson"),
        export::ndjson(&events),
    ))
}

#[utoipa::path(get, path = "/api/meetings/{id}/export.csv", tag = "organizer", operation_id = "export_posts_csv",
    params(("id" = Uuid, Path, description = "Meeting id")),
    responses((status = 200, content_type = "text/csv", body = String, description = "One row per post with its answer"), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden: a participant, not the organizer"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant")),
    security(("admin_token" = []), ("organizer_session" = [])))]
pub async fn export_csv(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let meeting = require_organizer(&state, &req, *id).await?;
    let events = state.store.events(meeting, 0, None).await?;
    let projection = MeetingState::replay(meeting, &events);
    Ok(attachment(
        "text/csv; charset=utf-8",
        &format!("posts-{meeting}.csv"),
        export::posts_csv(&projection),
    ))
}

#[utoipa::path(get, path = "/api/meetings/{id}/export/polls.csv", tag = "organizer", operation_id = "export_polls_csv",
    params(("id" = Uuid, Path, description = "Meeting id")),
    responses((status = 200, content_type = "text/csv", body = String, description = "One row per result line of every launched poll (option, scale value, word, listed open answer)"), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden: a participant, not the organizer"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant")),
    security(("admin_token" = []), ("organizer_session" = [])))]
pub async fn export_polls_csv(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let meeting = require_organizer(&state, &req, *id).await?;
    let events = state.store.events(meeting, 0, None).await?;
    let projection = MeetingState::replay(meeting, &events);
    let answers = report_poll_answers(&state, meeting).await?;
    Ok(attachment(
        "text/csv; charset=utf-8",
        &format!("polls-{meeting}.csv"),
        export::polls_csv(&projection, &answers),
    ))
}

/// The archive of a closed meeting, for everyone. Hidden posts are tombstones with their
/// reason; the moderation log names no moderator unless the organizer chose so.
pub fn archive(
    meeting: MeetingId,
    events: &[Event],
    show_moderators: bool,
    poll_answers: &[report::ReportPollAnswer],
) -> Option<ArchiveResponse> {
    let s = MeetingState::replay(meeting, events);
    if s.status != MeetingStatus::Closed {
        return None;
    }
    let name_of = |id: borgermode_domain::ParticipantId| {
        s.participant(id)
            .map(|p| export::text_or_erased(&p.display_name))
    };
    let posts = s
        .posts
        .values()
        .filter(|p| p.is_public())
        .map(|p| {
            let hidden_reason = match &p.visibility {
                Visibility::Hidden { reason, .. } => Some(*reason),
                _ => None,
            };
            let visible = hidden_reason.is_none();
            let answer = match p.question.as_ref().map(|q| &q.state) {
                Some(QuestionState::Answered { by, at, answer }) if visible => {
                    let (mode, text) = match answer {
                        borgermode_domain::Answer::Written { body } => {
                            ("written", Some(export::text_or_erased(body)))
                        }
                        borgermode_domain::Answer::Live { note, .. } => ("live", note.clone()),
                    };
                    Some(ArchiveAnswer {
                        mode: mode.into(),
                        text,
                        by: name_of(*by),
                        at: *at,
                    })
                }
                _ => None,
            };
            ArchivePost {
                id: p.id.0,
                kind: p.kind,
                parent: p.parent.map(|x| x.0),
                created_at: p.created_at,
                author: visible.then(|| export::author_name(&s, p)),
                body: visible.then(|| export::text_or_erased(&p.body)),
                hidden_reason,
                question_state: p
                    .question
                    .as_ref()
                    .filter(|_| visible)
                    .map(|q| export::question_state_name(&q.state).to_string()),
                answer,
                agenda_item: p.agenda_item.map(|i| i.0),
            }
        })
        .collect();
    let public_post =
        |id: borgermode_domain::PostId| s.posts.get(&id).filter(|p| p.is_public()).map(|p| p.id.0);
    let reason_name = |v: serde_json::Result<serde_json::Value>| {
        v.ok().and_then(|v| v.as_str().map(String::from))
    };
    let moderation_log = events
        .iter()
        .filter_map(|e| {
            let (action, reason, post) = match &e.kind {
                EventKind::PostHidden { post, reason, .. } => (
                    "hidden",
                    reason_name(serde_json::to_value(reason)),
                    public_post(*post),
                ),
                EventKind::PostRestored { post } => ("restored", None, public_post(*post)),
                EventKind::PostRejected { .. } => ("rejected", None, None),
                EventKind::QuestionDismissed { post, .. } => {
                    ("dismissed", None, public_post(*post))
                }
                EventKind::QuestionMerged { post, .. } => ("merged", None, public_post(*post)),
                EventKind::ParticipantMuted { .. } => ("muted", None, None),
                EventKind::ParticipantBanned { .. } => ("banned", None, None),
                _ => return None,
            };
            let moderator = match (show_moderators, e.actor) {
                (false, _) => None,
                (true, Actor::Organizer) => Some("organizer".to_string()),
                (true, Actor::Participant { id }) => name_of(id),
            };
            Some(ArchiveModeration {
                at: e.at,
                action: action.into(),
                reason,
                post,
                moderator,
            })
        })
        .collect();
    Some(ArchiveResponse {
        meeting_id: meeting,
        title: s.details.title.clone(),
        closed_at: s.closed_at,
        posts,
        moderation_log,
        agenda: crate::live::render::agenda_views(&s),
        polls: archive_polls(&s, poll_answers),
    })
}

/// Closed polls with public results, counted from the stored answers.
fn archive_polls(s: &MeetingState, answers: &[report::ReportPollAnswer]) -> Vec<ArchivePoll> {
    s.polls
        .items
        .iter()
        .filter(|p| p.status == PollStatus::Closed && p.results_public())
        .map(|p| ArchivePoll {
            id: p.id.0,
            question: p.definition.question.clone(),
            kind: p.definition.kind.clone(),
            agenda_item: p.definition.agenda_item.map(|i| i.0),
            launched_at: p.launched_at,
            closed_at: p.closed_at,
            results: borgermode_domain::poll_results::count(
                &p.definition.kind,
                answers
                    .iter()
                    .filter(|a| a.poll == p.id)
                    .map(|a| (&a.answer, a.shown)),
            ),
        })
        .collect()
}

async fn load_archive(state: &State, id: Uuid) -> Result<(ArchiveResponse, Vec<Event>), ApiError> {
    let room = state.room(id).await?;
    let events = state.store.events(room.id, 0, None).await?;
    let show = options(state, room.id).await?.show_moderators;
    let answers = report_poll_answers(state, room.id).await?;
    let a = archive(room.id, &events, show, &answers).ok_or(ApiError::Conflict {
        code: Code::MeetingNotClosed,
        detail: "the archive opens when the meeting has closed".into(),
    })?;
    Ok((a, events))
}

#[utoipa::path(get, path = "/api/meetings/{id}/archive", tag = "public", operation_id = "get_archive",
    params(("id" = Uuid, Path, description = "Meeting id")),
    responses((status = 200, body = ArchiveResponse), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"), (status = 409, description = "meeting_not_closed")))]
pub async fn archive_json(state: State, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let (a, _) = load_archive(&state, *id).await?;
    Ok(HttpResponse::Ok().json(a))
}

/// `/m/{id}/archive`: the same archive as a page.
pub async fn archive_html(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (a, events) = load_archive(&state, *id).await?;
    let lang = pick_lang(&req, &events);
    let strings = Strings(crate::locales::strings(lang));
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(render::archive_html(
            &a,
            lang,
            &strings,
            &render::Local::new(lang, state.settings.time_zone),
            page_param(&req),
            item_param(&req),
            search_param(&req).as_ref(),
        )))
}

/// `?q=...` of the archive page: the search (percent-decoded; empty = none).
fn search_param(req: &HttpRequest) -> Option<ArchiveQuery> {
    web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.get("q").and_then(|v| ArchiveQuery::parse(v)))
}

/// `?item=N` or `?item=none` of the archive page.
fn item_param(req: &HttpRequest) -> Option<render::ItemFilter> {
    req.query_string()
        .split('&')
        .find_map(|kv| kv.strip_prefix("item="))
        .and_then(render::ItemFilter::parse)
}

/// `?page=N` of the archive page (1 when absent or not a number).
fn page_param(req: &HttpRequest) -> usize {
    req.query_string()
        .split('&')
        .find_map(|kv| kv.strip_prefix("page="))
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
}
