//! What staff put into the stream themselves: official notices (posted, pinned, unpinned by
//! panelists and moderators) and questions from the hall, entered by a moderator on behalf of
//! someone at the physical meeting (hybrid), so they join the same queue as the online ones.
//! Rules: `borgermode_domain::decide::questions`; tests: `crates/domain/tests/it/questions.rs`.

use actix_web::{web, HttpRequest, HttpResponse};
use borgermode_domain::{Command, PostId};
use borgermode_protocol::http::{NoticeRequest, RoomQuestionRequest};
use uuid::Uuid;

use crate::http::api::{run_command, State, Who};
use crate::http::errors::ApiError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/meetings/{id}/notices", web::post().to(notice))
        .route("/meetings/{id}/notices/{post}/pin", web::post().to(pin))
        .route("/meetings/{id}/notices/pin", web::delete().to(unpin))
        .route(
            "/meetings/{id}/room-questions",
            web::post().to(room_question),
        );
}

#[utoipa::path(post, path = "/api/meetings/{id}/notices", tag = "panelist", operation_id = "post_notice", params(("id" = Uuid, Path, description = "Meeting id")),
    request_body = NoticeRequest, responses((status = 201, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"), (status = 409, description = "meeting_closed, meeting_not_open, invalid_state"), (status = 422, description = "validation_failed (with `field`), body_too_long")),
    security(("participant_session" = []), ("participant_cookie" = [])))]
pub async fn notice(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<NoticeRequest>,
) -> Result<HttpResponse, ApiError> {
    let room = state.room(*id).await?;
    let b = body.into_inner();
    run_command(
        &state,
        &req,
        &room,
        Who::Participant,
        Command::PostNotice {
            body: b.body,
            pin: b.pin,
        },
        true,
    )
    .await
}

#[utoipa::path(post, path = "/api/meetings/{id}/notices/{post}/pin", tag = "panelist", operation_id = "pin_notice",
    params(("id" = Uuid, Path, description = "Meeting id"), ("post" = u64, Path, description = "Post id (= the seq of its creation)")), responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"), (status = 422, description = "validation_failed (with `field`), body_too_long")),
    security(("participant_session" = []), ("participant_cookie" = [])))]
pub async fn pin(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, u64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, post) = path.into_inner();
    let room = state.room(id).await?;
    run_command(
        &state,
        &req,
        &room,
        Who::Participant,
        Command::PinNotice { post: PostId(post) },
        false,
    )
    .await
}

#[utoipa::path(delete, path = "/api/meetings/{id}/notices/pin", tag = "panelist", operation_id = "unpin_notice",
    params(("id" = Uuid, Path, description = "Meeting id")), responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant")),
    security(("participant_session" = []), ("participant_cookie" = [])))]
pub async fn unpin(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let room = state.room(*id).await?;
    run_command(
        &state,
        &req,
        &room,
        Who::Participant,
        Command::UnpinNotice,
        false,
    )
    .await
}

#[utoipa::path(post, path = "/api/meetings/{id}/room-questions", tag = "moderator", operation_id = "post_room_question", params(("id" = Uuid, Path, description = "Meeting id")),
    request_body = RoomQuestionRequest, responses((status = 201, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"), (status = 409, description = "meeting_closed, meeting_not_open, invalid_state"), (status = 422, description = "validation_failed (with `field`), body_too_long")),
    security(("participant_session" = []), ("participant_cookie" = [])))]
pub async fn room_question(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<RoomQuestionRequest>,
) -> Result<HttpResponse, ApiError> {
    let room = state.room(*id).await?;
    let b = body.into_inner();
    run_command(
        &state,
        &req,
        &room,
        Who::Participant,
        Command::RoomQuestion {
            body: b.body,
            name: b.name,
        },
        true,
    )
    .await
}
