//! Citizens join a meeting (no account: a display name, optionally an anonymous age band and
//! gender) and get a session cookie; moderators mute and ban them.

use actix_web::{web, HttpRequest, HttpResponse};
use borgermode_domain::event::Actor;
use borgermode_domain::{Command, DomainError, ParticipantId};
use borgermode_protocol::http::{JoinRequest, MuteRequest, SessionResponse};
use uuid::Uuid;

use super::errors::ApiError;
use super::{check_origin, run_command, State, Who};
use crate::auth::session_cookie;
use crate::live::room::Executed;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/meetings/{id}/join", web::post().to(join))
        .route("/meetings/{id}/me", web::get().to(me))
        .route(
            "/meetings/{id}/participants/{participant}/mute",
            web::post().to(mute),
        )
        .route(
            "/meetings/{id}/participants/{participant}/unmute",
            web::post().to(unmute),
        )
        .route(
            "/meetings/{id}/participants/{participant}/ban",
            web::post().to(ban),
        )
        .route(
            "/meetings/{id}/participants/{participant}/unban",
            web::post().to(unban),
        );
}

#[utoipa::path(post, path = "/api/meetings/{id}/join", tag = "citizen", params(("id" = Uuid, Path)),
    request_body = JoinRequest,
    responses((status = 201, body = SessionResponse, description = "Joined; sets the meeting's session cookie"),
        (status = 200, body = SessionResponse, description = "Already joined with this cookie"),
        (status = 403, body = borgermode_protocol::http::Problem), (status = 409, body = borgermode_protocol::http::Problem),
        (status = 422, body = borgermode_protocol::http::Problem)))]
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

#[utoipa::path(get, path = "/api/meetings/{id}/me", tag = "citizen", params(("id" = Uuid, Path)),
    responses((status = 200, body = borgermode_protocol::views::YouView), (status = 401, body = borgermode_protocol::http::Problem)))]
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

#[utoipa::path(post, path = "/api/meetings/{id}/participants/{participant}/mute", tag = "moderator",
    params(("id" = Uuid, Path), ("participant" = Uuid, Path)), request_body = MuteRequest,
    responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 403, body = borgermode_protocol::http::Problem)))]
pub async fn mute(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<MuteRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, p) = path.into_inner();
    let room = state.room(id).await?;
    let cmd = Command::Mute {
        participant: ParticipantId(p),
        minutes: body.minutes,
    };
    run_command(&state, &req, &room, Who::Participant, cmd, false).await
}

#[utoipa::path(post, path = "/api/meetings/{id}/participants/{participant}/unmute", tag = "moderator",
    params(("id" = Uuid, Path), ("participant" = Uuid, Path)), responses((status = 200, body = borgermode_protocol::http::CommandAck)))]
pub async fn unmute(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, p) = path.into_inner();
    let room = state.room(id).await?;
    run_command(
        &state,
        &req,
        &room,
        Who::Participant,
        Command::Unmute {
            participant: ParticipantId(p),
        },
        false,
    )
    .await
}

#[utoipa::path(post, path = "/api/meetings/{id}/participants/{participant}/ban", tag = "moderator",
    params(("id" = Uuid, Path), ("participant" = Uuid, Path)),
    request_body(content = borgermode_protocol::http::BanRequest, description = "Optional: the reason"),
    responses((status = 200, body = borgermode_protocol::http::CommandAck)))]
pub async fn ban(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (id, p) = path.into_inner();
    let reason = super::optional_json::<borgermode_protocol::http::BanRequest>(&body)?.reason;
    let room = state.room(id).await?;
    run_command(
        &state,
        &req,
        &room,
        Who::Participant,
        Command::Ban {
            participant: ParticipantId(p),
            reason,
        },
        false,
    )
    .await
}

#[utoipa::path(post, path = "/api/meetings/{id}/participants/{participant}/unban", tag = "moderator",
    params(("id" = Uuid, Path), ("participant" = Uuid, Path)), responses((status = 200, body = borgermode_protocol::http::CommandAck)))]
pub async fn unban(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, p) = path.into_inner();
    let room = state.room(id).await?;
    run_command(
        &state,
        &req,
        &room,
        Who::Participant,
        Command::Unban {
            participant: ParticipantId(p),
        },
        false,
    )
    .await
}
