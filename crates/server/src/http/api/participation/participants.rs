//! Citizens join a meeting (no account: a display name, optionally an anonymous age band and
//! gender) and get a session cookie, and read who they are (`/me`). Muting and banning them is
//! moderation (`moderation.rs`).

use actix_web::{web, HttpRequest, HttpResponse};
use borgermode_domain::event::Actor;
use borgermode_domain::{Command, DomainError, ParticipantId};
use borgermode_protocol::http::{JoinRequest, SessionResponse};
use uuid::Uuid;

use crate::http::api::{check_origin, State};
use crate::http::errors::ApiError;
use crate::live::room::Executed;
use crate::security::auth::session_cookie;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/meetings/{id}/join", web::post().to(join))
        .route("/meetings/{id}/me", web::get().to(me));
}

#[utoipa::path(post, path = "/api/meetings/{id}/join", tag = "citizen", operation_id = "join_meeting", params(("id" = Uuid, Path, description = "Meeting id")),
    request_body = JoinRequest,
    description = "Join as a citizen. The answer sets the meeting's session cookie `bm_<meeting id, 32 hex digits>`; its value is the session token, also usable as `Authorization: Bearer`.",
    responses((status = 201, body = SessionResponse, description = "Joined; sets the meeting's session cookie"),
        (status = 200, body = SessionResponse, description = "Already joined with this cookie or token"),
        (status = 403, description = "banned, origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"), (status = 409, description = "meeting_not_open, meeting_closed, name_reserved"),
        (status = 422, description = "validation_failed (with `field`), body_too_long"), (status = 429, description = "rate_limited (Retry-After)")),
    security((), ("participant_session" = []), ("participant_cookie" = []), ("admin_token" = []), ("organizer_session" = [])))]
pub async fn join(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<JoinRequest>,
) -> Result<HttpResponse, ApiError> {
    check_origin(&state, &req)?;
    let room = state.room(*id).await?;
    if let Some(existing) = state.auth.participant(&req, room.id).await? {
        if let Some(you) = state.you(&room, existing).await? {
            if you.banned {
                return Err(DomainError::Banned.into());
            }
            return Ok(HttpResponse::Ok().json(SessionResponse {
                meeting_id: room.id,
                you,
                seq: None,
                my_questions_link: None,
            }));
        }
    }
    state.limit(&state.join_limiter, &req)?;
    let b = body.into_inner();
    let participant = ParticipantId(Uuid::new_v4());
    let cmd = Command::Join {
        participant,
        display_name: b.display_name,
        age_band: b.age_band,
        gender: b.gender,
    };
    let seq = match room
        .execute(Actor::Participant { id: participant }, cmd, None)
        .await?
    {
        Executed::Done(ack) => ack.seq,
        Executed::Replayed(_) => None,
    };
    let token = state.auth.create_session(room.id, participant).await?;
    let you = state
        .you(&room, participant)
        .await?
        .ok_or(ApiError::NotFound("participant"))?;
    let my_questions_link = Some(super::mine::issue_link(&state, room.id, participant).await?);
    Ok(HttpResponse::Created()
        .cookie(session_cookie(&state.settings, room.id, &token))
        .json(SessionResponse {
            meeting_id: room.id,
            you,
            seq,
            my_questions_link,
        }))
}

#[utoipa::path(get, path = "/api/meetings/{id}/me", tag = "citizen", operation_id = "get_me", params(("id" = Uuid, Path, description = "Meeting id")),
    responses((status = 200, body = borgermode_protocol::views::YouView), (status = 401, description = "unauthorized: no usable credentials"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant")),
    security(("participant_session" = []), ("participant_cookie" = [])))]
pub async fn me(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let room = state.room(*id).await?;
    let p = state
        .auth
        .participant(&req, room.id)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let you = state.you(&room, p).await?.ok_or(ApiError::Unauthorized)?;
    Ok(HttpResponse::Ok().json(you))
}
