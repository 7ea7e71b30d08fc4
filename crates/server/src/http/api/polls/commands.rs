//! Staff's poll commands: create and edit drafts, delete and reorder them, launch, close,
//! publish results, and choose the poll on the big screen.

use actix_web::{web, HttpRequest, HttpResponse};
use borgermode_domain::{Command, PollDefinition, PollId};
use borgermode_protocol::http::{MoveRequest, PollChoice};
use uuid::Uuid;

use crate::http::api::{run_command, State, Who};
use crate::http::errors::ApiError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    // `on-screen` before `{poll}`: the poll route would take it and fail to parse it.
    cfg.route("/meetings/{id}/polls/on-screen", web::put().to(on_screen))
        .route("/meetings/{id}/polls", web::post().to(create))
        .route("/meetings/{id}/polls/{poll}", web::put().to(edit))
        .route("/meetings/{id}/polls/{poll}", web::delete().to(delete))
        .route(
            "/meetings/{id}/polls/{poll}/move",
            web::post().to(move_poll),
        )
        .route("/meetings/{id}/polls/{poll}/launch", web::post().to(launch))
        .route("/meetings/{id}/polls/{poll}/close", web::post().to(close))
        .route(
            "/meetings/{id}/polls/{poll}/publish",
            web::post().to(publish),
        );
}

async fn command(
    state: State,
    req: HttpRequest,
    id: Uuid,
    cmd: Command,
    created: bool,
) -> Result<HttpResponse, ApiError> {
    let room = state.room(id).await?;
    run_command(&state, &req, &room, Who::Either, cmd, created).await
}

#[utoipa::path(post, path = "/api/meetings/{id}/polls", tag = "moderator", operation_id = "create_poll",
    params(("id" = Uuid, Path, description = "Meeting id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Client-chosen key (1-100 visible ASCII characters); a retry returns the first result")),
    request_body = PollDefinition,
    responses((status = 201, body = borgermode_protocol::http::CommandAck, description = "A draft; its id is the ack's `seq`"), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden (organizer and moderators only) or origin_forbidden"), (status = 404, description = "not_found: no such meeting or agenda item"), (status = 409, description = "meeting_closed"), (status = 422, description = "validation_failed (question 1-300 characters, 2-10 distinct options of 1-100, max_picks 1..options, a scale to 5 or 10, at most 50 polls), body_too_long")),
    security(("admin_token" = []), ("organizer_session" = []), ("participant_session" = []), ("participant_cookie" = [])))]
pub async fn create(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<PollDefinition>,
) -> Result<HttpResponse, ApiError> {
    let cmd = Command::CreatePoll {
        definition: body.into_inner(),
    };
    command(state, req, *id, cmd, true).await
}

#[utoipa::path(put, path = "/api/meetings/{id}/polls/{poll}", tag = "moderator", operation_id = "edit_poll",
    params(("id" = Uuid, Path, description = "Meeting id"), ("poll" = u64, Path, description = "Poll id (= the seq that created it)")),
    request_body = PollDefinition,
    responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden or origin_forbidden"), (status = 404, description = "not_found: no such meeting, poll or agenda item"), (status = 409, description = "poll_launched (drafts only), meeting_closed"), (status = 422, description = "validation_failed, body_too_long")),
    security(("admin_token" = []), ("organizer_session" = []), ("participant_session" = []), ("participant_cookie" = [])))]
pub async fn edit(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, u64)>,
    body: web::Json<PollDefinition>,
) -> Result<HttpResponse, ApiError> {
    let (id, poll) = path.into_inner();
    let cmd = Command::EditPoll {
        poll: PollId(poll),
        definition: body.into_inner(),
    };
    command(state, req, id, cmd, false).await
}

#[utoipa::path(delete, path = "/api/meetings/{id}/polls/{poll}", tag = "moderator", operation_id = "delete_poll",
    params(("id" = Uuid, Path, description = "Meeting id"), ("poll" = u64, Path, description = "Poll id")),
    responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden or origin_forbidden"), (status = 404, description = "not_found: no such meeting or poll"), (status = 409, description = "poll_launched (drafts only)")),
    security(("admin_token" = []), ("organizer_session" = []), ("participant_session" = []), ("participant_cookie" = [])))]
pub async fn delete(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, u64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, poll) = path.into_inner();
    let cmd = Command::DeletePoll { poll: PollId(poll) };
    command(state, req, id, cmd, false).await
}

#[utoipa::path(post, path = "/api/meetings/{id}/polls/{poll}/move", tag = "moderator", operation_id = "move_poll",
    params(("id" = Uuid, Path, description = "Meeting id"), ("poll" = u64, Path, description = "Poll id")),
    request_body = MoveRequest,
    responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden or origin_forbidden"), (status = 404, description = "not_found: no such meeting or poll")),
    security(("admin_token" = []), ("organizer_session" = []), ("participant_session" = []), ("participant_cookie" = [])))]
pub async fn move_poll(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, u64)>,
    body: web::Json<MoveRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, poll) = path.into_inner();
    let cmd = Command::MovePoll {
        poll: PollId(poll),
        position: body.position,
    };
    command(state, req, id, cmd, false).await
}

#[utoipa::path(post, path = "/api/meetings/{id}/polls/{poll}/launch", tag = "moderator", operation_id = "launch_poll",
    params(("id" = Uuid, Path, description = "Meeting id"), ("poll" = u64, Path, description = "Poll id")),
    responses((status = 200, body = borgermode_protocol::http::CommandAck, description = "Citizens can answer; launched already: `seq: null`"), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden or origin_forbidden"), (status = 404, description = "not_found: no such meeting or poll"), (status = 409, description = "meeting_not_open, meeting_closed, poll_closed")),
    security(("admin_token" = []), ("organizer_session" = []), ("participant_session" = []), ("participant_cookie" = [])))]
pub async fn launch(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, u64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, poll) = path.into_inner();
    let cmd = Command::LaunchPoll { poll: PollId(poll) };
    command(state, req, id, cmd, false).await
}

#[utoipa::path(post, path = "/api/meetings/{id}/polls/{poll}/close", tag = "moderator", operation_id = "close_poll",
    params(("id" = Uuid, Path, description = "Meeting id"), ("poll" = u64, Path, description = "Poll id")),
    responses((status = 200, body = borgermode_protocol::http::CommandAck, description = "No more answers; closed already: `seq: null`"), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden or origin_forbidden"), (status = 404, description = "not_found: no such meeting or poll"), (status = 409, description = "poll_not_open (a draft)")),
    security(("admin_token" = []), ("organizer_session" = []), ("participant_session" = []), ("participant_cookie" = [])))]
pub async fn close(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, u64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, poll) = path.into_inner();
    let cmd = Command::ClosePoll { poll: PollId(poll) };
    command(state, req, id, cmd, false).await
}

#[utoipa::path(post, path = "/api/meetings/{id}/polls/{poll}/publish", tag = "moderator", operation_id = "publish_poll_results",
    params(("id" = Uuid, Path, description = "Meeting id"), ("poll" = u64, Path, description = "Poll id")),
    responses((status = 200, body = borgermode_protocol::http::CommandAck, description = "The results are public from now on; public already: `seq: null`"), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden or origin_forbidden"), (status = 404, description = "not_found: no such meeting or poll"), (status = 409, description = "poll_not_open (a draft)")),
    security(("admin_token" = []), ("organizer_session" = []), ("participant_session" = []), ("participant_cookie" = [])))]
pub async fn publish(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, u64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, poll) = path.into_inner();
    let cmd = Command::PublishPollResults { poll: PollId(poll) };
    command(state, req, id, cmd, false).await
}

#[utoipa::path(put, path = "/api/meetings/{id}/polls/on-screen", tag = "moderator", operation_id = "set_poll_on_screen",
    params(("id" = Uuid, Path, description = "Meeting id")),
    request_body = PollChoice,
    responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden or origin_forbidden"), (status = 404, description = "not_found: no such meeting or poll"), (status = 409, description = "poll_not_open (a draft)")),
    security(("admin_token" = []), ("organizer_session" = []), ("participant_session" = []), ("participant_cookie" = [])))]
pub async fn on_screen(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<PollChoice>,
) -> Result<HttpResponse, ApiError> {
    let cmd = Command::SetPollOnScreen {
        poll: body.poll.map(PollId),
    };
    command(state, req, *id, cmd, false).await
}
