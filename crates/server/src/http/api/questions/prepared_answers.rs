//! Prepared answers: an organization's library of reusable answer snippets.
//!
//! Why this exists: the same questions come up at every meeting (waste collection, parking,
//! how to apply for X), and the best answer links to the municipality's self-service page.
//! Organizers keep the library per organization (`/api/organizations/{org}/answers`, scoped
//! like every organization route: another organization's answers 404); the staff of a meeting
//! read the library of the meeting's organization (`/api/meetings/{id}/answers`) and insert a
//! snippet into the answer box, editing it before sending. Snippets are not part of any
//! meeting's log: what is sent is the edited answer, recorded as usual.

use actix_web::{web, HttpRequest, HttpResponse};
use borgermode_domain::DomainError;
use borgermode_protocol::http::{AnswerSnippetRequest, AnswerSnippetView};
use uuid::Uuid;

use crate::content::markdown::to_safe_html;
use crate::http::api::organizations::scoped;
use crate::http::api::scope::MeetingScope;
use crate::http::api::{check_origin, is_staff, State};
use crate::http::errors::ApiError;
use crate::store::followup::SnippetRecord;

const TITLE_MAX: usize = 120;
const BODY_MAX: usize = 5_000;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/organizations/{org}/answers", web::get().to(list))
        .route("/organizations/{org}/answers", web::post().to(create))
        .route(
            "/organizations/{org}/answers/{answer}",
            web::put().to(update),
        )
        .route(
            "/organizations/{org}/answers/{answer}",
            web::delete().to(delete),
        )
        .route("/meetings/{id}/answers", web::get().to(for_meeting));
}

fn view(s: &SnippetRecord) -> AnswerSnippetView {
    AnswerSnippetView {
        id: s.id,
        title: s.title.clone(),
        body: s.body.clone(),
        body_html: to_safe_html(&s.body),
        updated_at: s.updated_at,
    }
}

fn validate(req: AnswerSnippetRequest) -> Result<(String, String), ApiError> {
    let title = req.title.trim().to_string();
    if title.is_empty() || title.chars().count() > TITLE_MAX || title.chars().any(char::is_control)
    {
        return Err(DomainError::validation(
            "title",
            format!("must be 1 to {TITLE_MAX} characters on one line"),
        )
        .into());
    }
    let body = req.body.trim().to_string();
    if body.is_empty() || body.chars().count() > BODY_MAX {
        return Err(
            DomainError::validation("body", format!("must be 1 to {BODY_MAX} characters")).into(),
        );
    }
    Ok((title, body))
}

#[utoipa::path(get, path = "/api/organizations/{org}/answers", tag = "organizer", operation_id = "list_prepared_answers",
    params(("org" = Uuid, Path, description = "Organization id")),
    responses((status = 200, body = [AnswerSnippetView], description = "by title"), (status = 401, description = "unauthorized: no usable credentials"), (status = 404, description = "not_found: unknown, or another organization's")),
    security(("admin_token" = []), ("organizer_session" = [])))]
pub async fn list(
    state: State,
    req: HttpRequest,
    org: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (_, record) = scoped(&state, &req, *org).await?;
    let all = state.store.snippets(record.id).await?;
    Ok(HttpResponse::Ok().json(all.iter().map(view).collect::<Vec<_>>()))
}

#[utoipa::path(post, path = "/api/organizations/{org}/answers", tag = "organizer", operation_id = "create_prepared_answer",
    params(("org" = Uuid, Path, description = "Organization id")), request_body = AnswerSnippetRequest,
    responses((status = 201, body = AnswerSnippetView), (status = 401, description = "unauthorized: no usable credentials"), (status = 404, description = "not_found: unknown, or another organization's"), (status = 422, description = "validation_failed (with `field`), body_too_long")),
    security(("admin_token" = []), ("organizer_session" = [])))]
pub async fn create(
    state: State,
    req: HttpRequest,
    org: web::Path<Uuid>,
    body: web::Json<AnswerSnippetRequest>,
) -> Result<HttpResponse, ApiError> {
    check_origin(&state, &req)?;
    let (_, record) = scoped(&state, &req, *org).await?;
    let (title, body) = validate(body.into_inner())?;
    let now = crate::store::followup::now_micros();
    let s = SnippetRecord {
        id: Uuid::new_v4(),
        organization: record.id,
        title,
        body,
        created_at: now,
        updated_at: now,
    };
    state.store.put_snippet(s.clone()).await?;
    Ok(HttpResponse::Created().json(view(&s)))
}

#[utoipa::path(put, path = "/api/organizations/{org}/answers/{answer}", tag = "organizer", operation_id = "update_prepared_answer",
    params(("org" = Uuid, Path, description = "Organization id"), ("answer" = Uuid, Path, description = "Prepared answer id")), request_body = AnswerSnippetRequest,
    responses((status = 200, body = AnswerSnippetView), (status = 401, description = "unauthorized: no usable credentials"), (status = 404, description = "not_found"), (status = 422, description = "validation_failed (with `field`), body_too_long")),
    security(("admin_token" = []), ("organizer_session" = [])))]
pub async fn update(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<AnswerSnippetRequest>,
) -> Result<HttpResponse, ApiError> {
    check_origin(&state, &req)?;
    let (org, id) = path.into_inner();
    let (_, record) = scoped(&state, &req, org).await?;
    let mut s = state
        .store
        .snippet(record.id, id)
        .await?
        .ok_or(ApiError::NotFound("prepared answer"))?;
    let (title, body) = validate(body.into_inner())?;
    s.title = title;
    s.body = body;
    s.updated_at = crate::store::followup::now_micros();
    state.store.put_snippet(s.clone()).await?;
    Ok(HttpResponse::Ok().json(view(&s)))
}

#[utoipa::path(delete, path = "/api/organizations/{org}/answers/{answer}", tag = "organizer", operation_id = "delete_prepared_answer",
    params(("org" = Uuid, Path, description = "Organization id"), ("answer" = Uuid, Path, description = "Prepared answer id")),
    responses((status = 204, description = "deleted"), (status = 401, description = "unauthorized: no usable credentials"), (status = 404, description = "not_found")),
    security(("admin_token" = []), ("organizer_session" = [])))]
pub async fn delete(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    check_origin(&state, &req)?;
    let (org, id) = path.into_inner();
    let (_, record) = scoped(&state, &req, org).await?;
    if !state.store.delete_snippet(record.id, id).await? {
        return Err(ApiError::NotFound("prepared answer"));
    }
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(get, path = "/api/meetings/{id}/answers", tag = "panelist", operation_id = "list_meeting_prepared_answers",
    params(("id" = Uuid, Path, description = "Meeting id")),
    description = "The prepared answers of the meeting's organization, for the meeting's staff and organizer.",
    responses((status = 200, body = [AnswerSnippetView]), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant")),
    security(("admin_token" = []), ("organizer_session" = []), ("participant_session" = []), ("participant_cookie" = [])))]
pub async fn for_meeting(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let room = state.room(*id).await?;
    let participant = state.auth.participant(&req, room.id).await?;
    let scope = state.meeting_scope(&req, room.id).await?;
    if scope != MeetingScope::Organizer && !is_staff(&room, participant) {
        return Err(if participant.is_some() {
            DomainError::Forbidden.into()
        } else if scope == MeetingScope::Foreign {
            ApiError::NotFound("meeting")
        } else {
            ApiError::Unauthorized
        });
    }
    let org = state.meeting_org(room.id).await?;
    let all = state.store.snippets(org).await?;
    Ok(HttpResponse::Ok().json(all.iter().map(view).collect::<Vec<_>>()))
}
