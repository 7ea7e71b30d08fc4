//! Moderation, all of it in one place (the commands of `borgermode_domain::decide::moderation`):
//! posts are hidden and restored with a reason (the public sees a tombstone), what
//! pre-moderation, keywords or reports held is approved or rejected, and citizens are muted for
//! a while, banned (with a reason, for the report) and let back in. Tests:
//! `crates/domain/tests/it/moderation.rs` for the rules, `crates/server/tests/it/authorization.rs` and
//! the browser journeys for who may press what.

use actix_web::{web, HttpRequest, HttpResponse};
use borgermode_domain::{Command, ParticipantId, PostId};
use borgermode_protocol::http::{HideRequest, MuteRequest, ReasonRequest};
use uuid::Uuid;

use super::{run_command, State, Who};
use crate::http::errors::ApiError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/meetings/{id}/posts/{post}/hide", web::post().to(hide))
        .route(
            "/meetings/{id}/posts/{post}/restore",
            web::post().to(restore),
        )
        .route(
            "/meetings/{id}/posts/{post}/approve",
            web::post().to(approve),
        )
        .route("/meetings/{id}/posts/{post}/reject", web::post().to(reject))
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

async fn moderate(
    state: State,
    req: HttpRequest,
    id: Uuid,
    cmd: Command,
) -> Result<HttpResponse, ApiError> {
    let room = state.room(id).await?;
    run_command(&state, &req, &room, Who::Participant, cmd, false).await
}

#[utoipa::path(post, path = "/api/meetings/{id}/posts/{post}/hide", tag = "moderator", operation_id = "hide_post",
    params(("id" = Uuid, Path, description = "Meeting id"), ("post" = u64, Path, description = "Post id (= the seq of its creation)")), request_body = HideRequest,
    responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"), (status = 409, description = "meeting_closed, meeting_not_open, invalid_state"), (status = 422, description = "validation_failed: note over 500 characters")),
    security(("participant_session" = []), ("participant_cookie" = [])))]
pub async fn hide(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, u64)>,
    body: web::Json<HideRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, post) = path.into_inner();
    let b = body.into_inner();
    moderate(
        state,
        req,
        id,
        Command::Hide {
            post: PostId(post),
            reason: b.reason,
            note: b.note,
        },
    )
    .await
}

#[utoipa::path(post, path = "/api/meetings/{id}/posts/{post}/restore", tag = "moderator", operation_id = "restore_post",
    params(("id" = Uuid, Path, description = "Meeting id"), ("post" = u64, Path, description = "Post id (= the seq of its creation)")), responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"), (status = 409, description = "meeting_closed, meeting_not_open, invalid_state")),
    security(("participant_session" = []), ("participant_cookie" = [])))]
pub async fn restore(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, u64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, post) = path.into_inner();
    moderate(state, req, id, Command::Restore { post: PostId(post) }).await
}

#[utoipa::path(post, path = "/api/meetings/{id}/posts/{post}/approve", tag = "moderator", operation_id = "approve_post",
    params(("id" = Uuid, Path, description = "Meeting id"), ("post" = u64, Path, description = "Post id (= the seq of its creation)")), responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"), (status = 409, description = "meeting_closed, meeting_not_open, invalid_state")),
    security(("participant_session" = []), ("participant_cookie" = [])))]
pub async fn approve(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, u64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, post) = path.into_inner();
    moderate(state, req, id, Command::Approve { post: PostId(post) }).await
}

#[utoipa::path(post, path = "/api/meetings/{id}/posts/{post}/reject", tag = "moderator", operation_id = "reject_post",
    params(("id" = Uuid, Path, description = "Meeting id"), ("post" = u64, Path, description = "Post id (= the seq of its creation)")), request_body(content = Option<ReasonRequest>, description = "Optional: an empty body rejects without a reason"),
    responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"), (status = 409, description = "meeting_closed, meeting_not_open, invalid_state"), (status = 422, description = "validation_failed: reason over 500 characters")),
    security(("participant_session" = []), ("participant_cookie" = [])))]
pub async fn reject(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, u64)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (id, post) = path.into_inner();
    let reason = crate::http::api::optional_json::<ReasonRequest>(&body)?.reason;
    moderate(
        state,
        req,
        id,
        Command::Reject {
            post: PostId(post),
            reason,
        },
    )
    .await
}

#[utoipa::path(post, path = "/api/meetings/{id}/participants/{participant}/mute", tag = "moderator", operation_id = "mute_participant",
    params(("id" = Uuid, Path, description = "Meeting id"), ("participant" = Uuid, Path, description = "Participant id")), request_body = MuteRequest,
    responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"), (status = 422, description = "validation_failed: minutes must be 1-10080")),
    security(("participant_session" = []), ("participant_cookie" = [])))]
pub async fn mute(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<MuteRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, p) = path.into_inner();
    let cmd = Command::Mute {
        participant: ParticipantId(p),
        minutes: body.minutes,
    };
    moderate(state, req, id, cmd).await
}

#[utoipa::path(post, path = "/api/meetings/{id}/participants/{participant}/unmute", tag = "moderator", operation_id = "unmute_participant",
    params(("id" = Uuid, Path, description = "Meeting id"), ("participant" = Uuid, Path, description = "Participant id")), responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"), (status = 422, description = "validation_failed (with `field`), body_too_long")),
    security(("participant_session" = []), ("participant_cookie" = [])))]
pub async fn unmute(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, p) = path.into_inner();
    let participant = ParticipantId(p);
    moderate(state, req, id, Command::Unmute { participant }).await
}

#[utoipa::path(post, path = "/api/meetings/{id}/participants/{participant}/ban", tag = "moderator", operation_id = "ban_participant",
    params(("id" = Uuid, Path, description = "Meeting id"), ("participant" = Uuid, Path, description = "Participant id")),
    request_body(content = Option<borgermode_protocol::http::BanRequest>, description = "Optional: the reason (one of the hide reasons); the console always sends one"),
    responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"), (status = 422, description = "validation_failed (with `field`), body_too_long")),
    security(("participant_session" = []), ("participant_cookie" = [])))]
pub async fn ban(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (id, p) = path.into_inner();
    let reason =
        crate::http::api::optional_json::<borgermode_protocol::http::BanRequest>(&body)?.reason;
    let participant = ParticipantId(p);
    moderate(
        state,
        req,
        id,
        Command::Ban {
            participant,
            reason,
        },
    )
    .await
}

#[utoipa::path(post, path = "/api/meetings/{id}/participants/{participant}/unban", tag = "moderator", operation_id = "unban_participant",
    params(("id" = Uuid, Path, description = "Meeting id"), ("participant" = Uuid, Path, description = "Participant id")), responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"), (status = 422, description = "validation_failed (with `field`), body_too_long")),
    security(("participant_session" = []), ("participant_cookie" = [])))]
pub async fn unban(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, p) = path.into_inner();
    let participant = ParticipantId(p);
    moderate(state, req, id, Command::Unban { participant }).await
}
