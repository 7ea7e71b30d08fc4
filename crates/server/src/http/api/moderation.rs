//! Moderation of posts: hide and restore with a reason (the public sees a tombstone), approve or
//! reject what pre-moderation, keywords or reports held.

use actix_web::{web, HttpRequest, HttpResponse};
use borgermode_domain::{Command, PostId};
use borgermode_protocol::http::{HideRequest, ReasonRequest};
use uuid::Uuid;

use super::errors::ApiError;
use super::{run_command, State, Who};

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
        .route("/meetings/{id}/posts/{post}/reject", web::post().to(reject));
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
    let reason = super::optional_json::<ReasonRequest>(&body)?.reason;
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
