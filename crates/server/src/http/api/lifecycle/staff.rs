//! Staff capability links and sessions. The organizer creates a link per moderator or panelist;
//! the secret is shown once, stored hashed, and sits in the URL fragment. The page exchanges it
//! with `POST /api/staff-session` for an HttpOnly cookie. Revoking a link ends its sessions.
//! The organizer's own browser session comes from `POST /api/admin/session`.

use actix_web::{web, HttpRequest, HttpResponse};
use borgermode_domain::event::Actor;
use borgermode_domain::{Command, ParticipantId};
use borgermode_protocol::http::{
    AdminSessionRequest, CreateStaffLinkRequest, SessionResponse, StaffLinkResponse,
    StaffSessionRequest,
};
use uuid::Uuid;

use crate::http::api::{check_origin, resolve_actor, respond, State, Who};
use crate::http::errors::ApiError;
use crate::live::room::Executed;
use crate::security::auth::{admin_cookie, hash_secret, new_secret, session_cookie};
use crate::store::CapabilityRecord;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/meetings/{id}/staff", web::post().to(create_link))
        .route(
            "/meetings/{id}/staff/{participant}",
            web::delete().to(revoke),
        )
        .route("/staff-session", web::post().to(exchange))
        .route("/admin/session", web::post().to(admin_session))
        .route("/admin/session", web::delete().to(admin_sign_out));
}

#[utoipa::path(post, path = "/api/meetings/{id}/staff", tag = "organizer", operation_id = "create_staff_link", params(("id" = Uuid, Path, description = "Meeting id")),
    request_body = CreateStaffLinkRequest,
    responses((status = 201, body = StaffLinkResponse), (status = 401, description = "unauthorized: no usable credentials"),
        (status = 403, description = "a participant of the meeting, not the organizer"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"), (status = 422, description = "validation_failed (with `field`), body_too_long")),
    security(("admin_token" = []), ("organizer_session" = [])))]
pub async fn create_link(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<CreateStaffLinkRequest>,
) -> Result<HttpResponse, ApiError> {
    check_origin(&state, &req)?;
    let room = state.room(*id).await?;
    // 401 without credentials, 403 for a participant of the meeting (as for every other
    // organizer-only command of a meeting).
    resolve_actor(&state, &req, room.id, Who::Organizer).await?;
    let b = body.into_inner();
    let participant = ParticipantId(Uuid::new_v4());
    // No idempotency key here: a replay could not show the secret again (only its hash is
    // kept), so a retry simply makes a second link and the first one can be revoked.
    let executed = room
        .execute(
            Actor::Organizer,
            Command::AddStaff {
                participant,
                role: b.role,
                name: b.name,
                role_line: b.role_line,
            },
            None,
        )
        .await?;
    let seq = match executed {
        Executed::Done(ack) => ack.seq.unwrap_or(0),
        Executed::Replayed(_) => 0,
    };
    let (link, _secret) = issue_link(&state, room.id, participant).await?;
    Ok(HttpResponse::Created().json(StaffLinkResponse {
        participant_id: participant,
        seq,
        link,
    }))
}

/// Store a new capability for a staff participant; returns the link and its secret.
pub async fn issue_link(
    state: &crate::state::AppState,
    meeting: borgermode_domain::MeetingId,
    participant: ParticipantId,
) -> Result<(String, String), ApiError> {
    let secret = new_secret();
    state
        .store
        .put_capability(CapabilityRecord {
            secret_hash: hash_secret(&secret),
            meeting,
            participant,
            created_at: chrono::Utc::now(),
        })
        .await?;
    Ok((
        format!(
            "{}/m/{}/staff#key={}",
            state.settings.public_url(),
            meeting,
            secret
        ),
        secret,
    ))
}

#[utoipa::path(delete, path = "/api/meetings/{id}/staff/{participant}", tag = "organizer", operation_id = "revoke_staff_link",
    params(("id" = Uuid, Path, description = "Meeting id"), ("participant" = Uuid, Path, description = "Participant id")),
    responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant")),
    security(("admin_token" = []), ("organizer_session" = [])))]
pub async fn revoke(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    check_origin(&state, &req)?;
    let (id, p) = path.into_inner();
    let room = state.room(id).await?;
    resolve_actor(&state, &req, room.id, Who::Organizer).await?;
    let participant = ParticipantId(p);
    let executed = room
        .execute(Actor::Organizer, Command::RevokeStaff { participant }, None)
        .await?;
    state.store.delete_capability(room.id, participant).await?;
    state.auth.drop_sessions(room.id, participant).await?;
    respond(executed, false)
}

#[utoipa::path(post, path = "/api/staff-session", tag = "staff", operation_id = "exchange_staff_session", request_body = StaffSessionRequest,
    description = "Exchange the secret of a staff link or a citizen's \"my questions\" link (the `key` from its fragment) for the meeting's session cookie `bm_<meeting id>`.",
    responses((status = 200, body = SessionResponse), (status = 403, description = "origin_forbidden"),
        (status = 404, description = "not_found: unknown or revoked link"), (status = 429, description = "rate_limited (Retry-After)")))]
pub async fn exchange(
    state: State,
    req: HttpRequest,
    body: web::Json<StaffSessionRequest>,
) -> Result<HttpResponse, ApiError> {
    check_origin(&state, &req)?;
    state.limit(&state.join_limiter, &req)?;
    let cap = state
        .store
        .capability(&hash_secret(body.key.trim()))
        .await?
        .ok_or(ApiError::NotFound("staff link (it may have been revoked)"))?;
    let room = state.room(cap.meeting.0).await?;
    let active = room.with_state(|s, _| s.participant(cap.participant).is_some_and(|p| !p.revoked));
    if !active {
        return Err(ApiError::NotFound("staff link (it may have been revoked)"));
    }
    let token = state.auth.create_session(room.id, cap.participant).await?;
    let you = state
        .you(&room, cap.participant)
        .await?
        .ok_or(ApiError::NotFound("participant"))?;
    Ok(HttpResponse::Ok()
        .cookie(session_cookie(&state.settings, room.id, &token))
        .json(SessionResponse {
            meeting_id: room.id,
            you,
            seq: None,
            my_questions_link: None,
        }))
}

#[utoipa::path(post, path = "/api/admin/session", tag = "organizer", operation_id = "start_admin_session", request_body = AdminSessionRequest,
    description = "Sets the `bm_admin` cookie for the organizer's browser.",
    responses((status = 204, description = "signed in (bm_admin cookie)"), (status = 401, description = "unauthorized: not the admin token"),
        (status = 403, description = "origin_forbidden"), (status = 429, description = "rate_limited (Retry-After)")))]
pub async fn admin_session(
    state: State,
    req: HttpRequest,
    body: web::Json<AdminSessionRequest>,
) -> Result<HttpResponse, ApiError> {
    check_origin(&state, &req)?;
    state.limit(&state.join_limiter, &req)?;
    let token = body.token.trim();
    if !state.auth.is_admin_token(token) {
        return Err(ApiError::Unauthorized);
    }
    Ok(HttpResponse::NoContent()
        .cookie(admin_cookie(&state.settings, token))
        .finish())
}

#[utoipa::path(delete, path = "/api/admin/session", tag = "organizer", operation_id = "end_admin_session",
    responses((status = 204, description = "the bm_admin cookie is cleared"), (status = 403, description = "origin_forbidden")))]
pub async fn admin_sign_out(state: State, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    check_origin(&state, &req)?;
    let mut c = admin_cookie(&state.settings, "");
    c.make_removal();
    Ok(HttpResponse::NoContent().cookie(c).finish())
}
