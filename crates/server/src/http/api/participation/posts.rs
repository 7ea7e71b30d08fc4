//! Posts: citizens post comments and questions, reply, upvote and report. (Official notices and
//! questions from the hall are the staff's: `questions/notices.rs`.)

use actix_web::{web, HttpRequest, HttpResponse};
use borgermode_domain::event::Actor;
use borgermode_domain::{authorize_vote, AgendaItemId, Command, PostId};
use borgermode_protocol::http::{CreatePostRequest, ReasonRequest, VoteRequest, VoteResponse};
use uuid::Uuid;

use crate::http::api::{check_origin, resolve_actor, run_command, State, Who};
use crate::http::errors::ApiError;
use crate::store::VoteChange;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/meetings/{id}/posts", web::post().to(create))
        .route("/meetings/{id}/posts/{post}/vote", web::put().to(vote))
        .route("/meetings/{id}/posts/{post}/report", web::post().to(report));
}

#[utoipa::path(post, path = "/api/meetings/{id}/posts", tag = "citizen", operation_id = "create_post", params(("id" = Uuid, Path, description = "Meeting id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Client-chosen key (1-100 visible ASCII characters); a retry returns the first result")),
    request_body = CreatePostRequest,
    responses((status = 201, body = borgermode_protocol::http::CommandAck, description = "`post_id` and `status` (visible or pending)"), (status = 401, description = "unauthorized: no usable credentials"),
        (status = 403, description = "muted, banned or forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"),
        (status = 409, description = "meeting_closed, meeting_not_open"),
        (status = 422, description = "validation_failed, body_too_long (the meeting's max_body_chars)"),
        (status = 429, description = "slow_mode, rate_limited (Retry-After)")),
    security(("participant_session" = []), ("participant_cookie" = [])))]
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
        agenda_item: b.agenda_item.map(AgendaItemId),
    };
    run_command(&state, &req, &room, Who::Participant, cmd, true).await
}

#[utoipa::path(put, path = "/api/meetings/{id}/posts/{post}/vote", tag = "citizen", operation_id = "vote_post",
    params(("id" = Uuid, Path, description = "Meeting id"), ("post" = u64, Path, description = "Post id (= the seq of its creation)")), request_body = VoteRequest,
    responses((status = 200, body = VoteResponse), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"), (status = 409, description = "meeting_closed, invalid_state")),
    security(("participant_session" = []), ("participant_cookie" = [])))]
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
    room.recheck_for_vote().await?;
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

#[utoipa::path(post, path = "/api/meetings/{id}/posts/{post}/report", tag = "citizen", operation_id = "report_post",
    params(("id" = Uuid, Path, description = "Meeting id"), ("post" = u64, Path, description = "Post id (= the seq of its creation)")), request_body(content = Option<ReasonRequest>, description = "Optional: an empty body is a report without a reason"),
    responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"), (status = 409, description = "meeting_closed, meeting_not_open, invalid_state"), (status = 422, description = "validation_failed: reason over 500 characters"),
        (status = 429, description = "rate_limited (Retry-After)")),
    security(("participant_session" = []), ("participant_cookie" = [])))]
pub async fn report(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, u64)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (id, post) = path.into_inner();
    let room = state.room(id).await?;
    let reason = crate::http::api::optional_json::<ReasonRequest>(&body)?.reason;
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
