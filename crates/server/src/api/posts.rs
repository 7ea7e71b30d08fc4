//! Posts: citizens post comments and questions, reply, upvote and report; panelists and
//! moderators post official notices and pin them; moderators enter questions from the hall.

use actix_web::{web, HttpRequest, HttpResponse};
use borgermode_domain::event::Actor;
use borgermode_domain::{authorize_vote, Command, PostId};
use borgermode_protocol::http::{
    CreatePostRequest, NoticeRequest, ReasonRequest, RoomQuestionRequest, VoteRequest, VoteResponse,
};
use uuid::Uuid;

use super::errors::ApiError;
use super::{check_origin, resolve_actor, run_command, State, Who};
use crate::store::VoteChange;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/meetings/{id}/posts", web::post().to(create))
        .route("/meetings/{id}/posts/{post}/vote", web::put().to(vote))
        .route("/meetings/{id}/posts/{post}/report", web::post().to(report))
        .route("/meetings/{id}/notices", web::post().to(notice))
        .route("/meetings/{id}/notices/{post}/pin", web::post().to(pin))
        .route("/meetings/{id}/notices/pin", web::delete().to(unpin))
        .route(
            "/meetings/{id}/room-questions",
            web::post().to(room_question),
        );
}

#[utoipa::path(post, path = "/api/meetings/{id}/posts", tag = "citizen", params(("id" = Uuid, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "Client-chosen key; a retry returns the first result")),
    request_body = CreatePostRequest,
    responses((status = 201, body = borgermode_protocol::http::CommandAck), (status = 401, body = borgermode_protocol::http::Problem),
        (status = 403, body = borgermode_protocol::http::Problem, description = "muted, banned or forbidden"),
        (status = 409, body = borgermode_protocol::http::Problem, description = "meeting_closed, meeting_not_open"),
        (status = 422, body = borgermode_protocol::http::Problem, description = "validation_failed, body_too_long"),
        (status = 429, body = borgermode_protocol::http::Problem, description = "slow_mode, rate_limited (Retry-After)")))]
pub async fn create(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<CreatePostRequest>,
) -> Result<HttpResponse, ApiError> {
    let room = state.room(*id).await?;
    let b = body.into_inner();
    let cmd = Command::CreatePost {
        kind: b.kind,
        body: b.body,
        parent: b.parent.map(PostId),
    };
    run_command(&state, &req, &room, Who::Participant, cmd, true).await
}

#[utoipa::path(put, path = "/api/meetings/{id}/posts/{post}/vote", tag = "citizen",
    params(("id" = Uuid, Path), ("post" = u64, Path)), request_body = VoteRequest,
    responses((status = 200, body = VoteResponse), (status = 404, body = borgermode_protocol::http::Problem)))]
pub async fn vote(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, u64)>,
    body: web::Json<VoteRequest>,
) -> Result<HttpResponse, ApiError> {
    check_origin(&state, &req)?;
    let (id, post) = path.into_inner();
    let post = PostId(post);
    let room = state.room(id).await?;
    let actor = resolve_actor(&state, &req, room.id, Who::Participant).await?;
    if room
        .with_state(|s, _| authorize_vote(s, &actor, post))
        .is_err()
    {
        // Refuse only against the latest state: the post may have been created through
        // another instance a moment ago (see `Room::catch_up`).
        room.catch_up().await?;
    }
    room.with_state(|s, _| authorize_vote(s, &actor, post))?;
    let Actor::Participant { id: participant } = actor else {
        return Err(ApiError::Unauthorized);
    };
    let up = body.up;
    let changed = state
        .votes
        .write(VoteChange {
            meeting: room.id,
            post,
            participant,
            up,
        })
        .await?;
    let votes = if changed {
        room.vote_changed(post, up)
    } else {
        room.votes_of(post)
    };
    Ok(HttpResponse::Ok().json(VoteResponse {
        post_id: post.0,
        up,
        votes,
    }))
}

#[utoipa::path(post, path = "/api/meetings/{id}/posts/{post}/report", tag = "citizen",
    params(("id" = Uuid, Path), ("post" = u64, Path)), request_body = ReasonRequest,
    responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 429, body = borgermode_protocol::http::Problem)))]
pub async fn report(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, u64)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (id, post) = path.into_inner();
    let room = state.room(id).await?;
    let reason = super::optional_json::<ReasonRequest>(&body)?.reason;
    run_command(
        &state,
        &req,
        &room,
        Who::Participant,
        Command::Report {
            post: PostId(post),
            reason,
        },
        false,
    )
    .await
}

#[utoipa::path(post, path = "/api/meetings/{id}/notices", tag = "panelist", params(("id" = Uuid, Path)),
    request_body = NoticeRequest, responses((status = 201, body = borgermode_protocol::http::CommandAck)))]
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

#[utoipa::path(post, path = "/api/meetings/{id}/notices/{post}/pin", tag = "panelist",
    params(("id" = Uuid, Path), ("post" = u64, Path)), responses((status = 200, body = borgermode_protocol::http::CommandAck)))]
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

#[utoipa::path(delete, path = "/api/meetings/{id}/notices/pin", tag = "panelist",
    params(("id" = Uuid, Path)), responses((status = 200, body = borgermode_protocol::http::CommandAck)))]
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

#[utoipa::path(post, path = "/api/meetings/{id}/room-questions", tag = "moderator", params(("id" = Uuid, Path)),
    request_body = RoomQuestionRequest, responses((status = 201, body = borgermode_protocol::http::CommandAck)))]
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
