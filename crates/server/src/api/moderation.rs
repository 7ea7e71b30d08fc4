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

#[utoipa::path(post, path = "/api/meetings/{id}/posts/{post}/hide", tag = "moderator",
    params(("id" = Uuid, Path), ("post" = u64, Path)), request_body = HideRequest,
    responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 403, body = borgermode_protocol::http::Problem)))]
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

#[utoipa::path(post, path = "/api/meetings/{id}/posts/{post}/restore", tag = "moderator",
    params(("id" = Uuid, Path), ("post" = u64, Path)), responses((status = 200, body = borgermode_protocol::http::CommandAck)))]
pub async fn restore(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, u64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, post) = path.into_inner();
    moderate(state, req, id, Command::Restore { post: PostId(post) }).await
}

#[utoipa::path(post, path = "/api/meetings/{id}/posts/{post}/approve", tag = "moderator",
    params(("id" = Uuid, Path), ("post" = u64, Path)), responses((status = 200, body = borgermode_protocol::http::CommandAck)))]
pub async fn approve(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, u64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, post) = path.into_inner();
    moderate(state, req, id, Command::Approve { post: PostId(post) }).await
}

#[utoipa::path(post, path = "/api/meetings/{id}/posts/{post}/reject", tag = "moderator",
    params(("id" = Uuid, Path), ("post" = u64, Path)), request_body = ReasonRequest,
    responses((status = 200, body = borgermode_protocol::http::CommandAck)))]
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
