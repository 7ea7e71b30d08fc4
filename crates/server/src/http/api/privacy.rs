//! Data protection routes: the organizer erases a citizen on request, and sets the meeting's
//! privacy notice; everybody reads the notice (the join form shows it).
//!
//! Why a module of its own: erasure is the one command that deletes data; keeping it next to
//! the notice that promises it makes both easy to audit.

use actix_web::{web, HttpRequest, HttpResponse};
use borgermode_domain::event::Actor;
use borgermode_domain::{Command, ParticipantId};
use borgermode_protocol::http::{PrivacyNoticeRequest, PrivacyNoticeView};
use uuid::Uuid;

use super::{check_origin, resolve_actor, respond, State, Who};
use crate::content::markdown::to_safe_html;
use crate::http::errors::ApiError;

/// Longest organizer notice (characters).
const NOTICE_MAX: usize = 10_000;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/meetings/{id}/participants/{participant}/erase",
        web::post().to(erase),
    )
    .route("/meetings/{id}/privacy", web::get().to(notice))
    .route("/meetings/{id}/privacy", web::put().to(set_notice));
}

#[utoipa::path(post, path = "/api/meetings/{id}/participants/{participant}/erase", tag = "organizer", operation_id = "erase_participant",
    params(("id" = Uuid, Path, description = "Meeting id"), ("participant" = Uuid, Path, description = "Participant id")),
    responses((status = 200, body = borgermode_protocol::http::CommandAck, description = "erased (or already erased: no seq)"),
        (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"),
        (status = 404, description = "not_found: no such meeting or participant"),
        (status = 409, description = "invalid_state: a staff member (revoke the link instead)")),
    security(("admin_token" = []), ("organizer_session" = [])))]
pub async fn erase(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    check_origin(&state, &req)?;
    let (id, p) = path.into_inner();
    let room = state.room(id).await?;
    resolve_actor(&state, &req, room.id, Who::Organizer).await?;
    let participant = ParticipantId(p);
    // Whoever asked to be erased is signed out of the meeting too, their "my questions" link
    // stops working, and an e-mail address they left for answer notices is deleted. Before the
    // erasure commits, not after: the scrub that follows the commit (WAL checkpoint on
    // SQLite, VACUUM FULL on PostgreSQL) must find these rows already deleted, or their bytes
    // stay in the files until the next scrub. Only for a citizen (staff get 409 below, and
    // keep their sessions).
    let citizen = room.with_state(|s, _| {
        s.participant(participant)
            .is_some_and(|x| x.role == borgermode_domain::Role::Citizen)
    });
    if citizen {
        state.auth.drop_sessions(room.id, participant).await?;
        state.store.delete_capability(room.id, participant).await?;
        state
            .store
            .delete_notify_address(room.id, participant)
            .await?;
    }
    // No idempotency key: a second erasure of the same person is a no-op anyway.
    let executed = room
        .execute(
            Actor::Organizer,
            Command::EraseParticipant { participant },
            None,
        )
        .await?;
    respond(executed, false)
}

#[utoipa::path(get, path = "/api/meetings/{id}/privacy", tag = "public", operation_id = "get_privacy_notice",
    params(("id" = Uuid, Path, description = "Meeting id")),
    responses((status = 200, body = PrivacyNoticeView), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant")))]
pub async fn notice(state: State, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let room = state.room(*id).await?;
    let branding = state.branding_of(room.id).await?;
    let custom = state.store.privacy_notice(room.id).await?;
    Ok(HttpResponse::Ok().json(PrivacyNoticeView {
        organization: branding
            .as_ref()
            .map(|b| b.name.clone())
            .unwrap_or_default(),
        contact: branding.as_ref().and_then(|b| b.privacy_contact.clone()),
        contact_url: branding.and_then(|b| b.privacy_url),
        retention_days: state.settings.retention_days,
        custom_html: custom.as_deref().map(to_safe_html),
        custom_markdown: custom,
    }))
}

#[utoipa::path(put, path = "/api/meetings/{id}/privacy", tag = "organizer", operation_id = "set_privacy_notice",
    params(("id" = Uuid, Path, description = "Meeting id")), request_body = PrivacyNoticeRequest,
    responses((status = 204, description = "set"), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"),
        (status = 422, description = "validation_failed: notice longer than 10,000 characters")),
    security(("admin_token" = []), ("organizer_session" = [])))]
pub async fn set_notice(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<PrivacyNoticeRequest>,
) -> Result<HttpResponse, ApiError> {
    check_origin(&state, &req)?;
    let room = state.room(*id).await?;
    resolve_actor(&state, &req, room.id, Who::Organizer).await?;
    let text = body
        .into_inner()
        .notice
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    if text
        .as_ref()
        .is_some_and(|t| t.chars().count() > NOTICE_MAX)
    {
        return Err(ApiError::Domain(
            borgermode_domain::DomainError::validation("notice", "at most 10,000 characters"),
        ));
    }
    state.store.put_privacy_notice(room.id, text).await?;
    Ok(HttpResponse::NoContent().finish())
}
