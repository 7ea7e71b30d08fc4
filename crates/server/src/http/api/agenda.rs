//! The agenda (the commands of `borgermode_domain::decide::agenda`): staff keep the evening's
//! points in order and say which one the meeting is on; questions are filed under a point
//! (citizens pick one when they ask, staff move them). Tests: `crates/domain/tests/it/agenda.rs`
//! for the rules, `crates/server/tests/it/agenda_polls.rs` over HTTP and the live stream.

use actix_web::{web, HttpRequest, HttpResponse};
use borgermode_domain::{AgendaItemDetails, AgendaItemId, Command, PostId};
use borgermode_protocol::http::{AgendaItemChoice, AgendaItemRequest, MoveRequest};
use uuid::Uuid;

use super::{run_command, State, Who};
use crate::http::errors::ApiError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    // `current` before `{item}`: the item route would take it and fail to parse it.
    cfg.route("/meetings/{id}/agenda/current", web::put().to(set_current))
        .route("/meetings/{id}/agenda", web::post().to(add))
        .route("/meetings/{id}/agenda/{item}", web::put().to(edit))
        .route("/meetings/{id}/agenda/{item}", web::delete().to(remove))
        .route(
            "/meetings/{id}/agenda/{item}/move",
            web::post().to(move_item),
        )
        .route(
            "/meetings/{id}/posts/{post}/agenda-item",
            web::put().to(file_post),
        );
}

async fn command(
    state: State,
    req: HttpRequest,
    id: Uuid,
    who: Who,
    cmd: Command,
    created: bool,
) -> Result<HttpResponse, ApiError> {
    let room = state.room(id).await?;
    run_command(&state, &req, &room, who, cmd, created).await
}

fn details(b: AgendaItemRequest) -> AgendaItemDetails {
    AgendaItemDetails {
        title: b.title,
        description: b.description,
        planned_start: b.planned_start,
    }
}

#[utoipa::path(post, path = "/api/meetings/{id}/agenda", tag = "moderator", operation_id = "add_agenda_item",
    params(("id" = Uuid, Path, description = "Meeting id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Client-chosen key (1-100 visible ASCII characters); a retry returns the first result")),
    request_body = AgendaItemRequest,
    responses((status = 201, body = borgermode_protocol::http::CommandAck, description = "The new item's id is the ack's `seq`"), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden (organizer and moderators only) or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's)"), (status = 409, description = "meeting_closed"), (status = 422, description = "validation_failed (title 1-200 characters on one line, description up to 2,000, at most 50 items), body_too_long")),
    security(("admin_token" = []), ("organizer_session" = []), ("participant_session" = []), ("participant_cookie" = [])))]
pub async fn add(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<AgendaItemRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let position = b.position;
    let cmd = Command::AddAgendaItem {
        details: details(b),
        position,
    };
    command(state, req, *id, Who::Either, cmd, true).await
}

#[utoipa::path(put, path = "/api/meetings/{id}/agenda/{item}", tag = "moderator", operation_id = "edit_agenda_item",
    params(("id" = Uuid, Path, description = "Meeting id"), ("item" = u64, Path, description = "Agenda item id (= the seq that added it)")),
    request_body = AgendaItemRequest,
    responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden or origin_forbidden"), (status = 404, description = "not_found: no such meeting or agenda item"), (status = 409, description = "meeting_closed"), (status = 422, description = "validation_failed, body_too_long")),
    security(("admin_token" = []), ("organizer_session" = []), ("participant_session" = []), ("participant_cookie" = [])))]
pub async fn edit(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, u64)>,
    body: web::Json<AgendaItemRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, item) = path.into_inner();
    let cmd = Command::EditAgendaItem {
        item: AgendaItemId(item),
        details: details(body.into_inner()),
    };
    command(state, req, id, Who::Either, cmd, false).await
}

#[utoipa::path(delete, path = "/api/meetings/{id}/agenda/{item}", tag = "moderator", operation_id = "remove_agenda_item",
    params(("id" = Uuid, Path, description = "Meeting id"), ("item" = u64, Path, description = "Agenda item id")),
    responses((status = 200, body = borgermode_protocol::http::CommandAck, description = "Its questions and polls are no longer filed under an item"), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden or origin_forbidden"), (status = 404, description = "not_found: no such meeting or agenda item"), (status = 409, description = "meeting_closed")),
    security(("admin_token" = []), ("organizer_session" = []), ("participant_session" = []), ("participant_cookie" = [])))]
pub async fn remove(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, u64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, item) = path.into_inner();
    let cmd = Command::RemoveAgendaItem {
        item: AgendaItemId(item),
    };
    command(state, req, id, Who::Either, cmd, false).await
}

#[utoipa::path(post, path = "/api/meetings/{id}/agenda/{item}/move", tag = "moderator", operation_id = "move_agenda_item",
    params(("id" = Uuid, Path, description = "Meeting id"), ("item" = u64, Path, description = "Agenda item id")),
    request_body = MoveRequest,
    responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden or origin_forbidden"), (status = 404, description = "not_found: no such meeting or agenda item"), (status = 409, description = "meeting_closed")),
    security(("admin_token" = []), ("organizer_session" = []), ("participant_session" = []), ("participant_cookie" = [])))]
pub async fn move_item(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, u64)>,
    body: web::Json<MoveRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, item) = path.into_inner();
    let cmd = Command::MoveAgendaItem {
        item: AgendaItemId(item),
        position: body.position,
    };
    command(state, req, id, Who::Either, cmd, false).await
}

#[utoipa::path(put, path = "/api/meetings/{id}/agenda/current", tag = "moderator", operation_id = "set_current_agenda_item",
    params(("id" = Uuid, Path, description = "Meeting id")),
    request_body = AgendaItemChoice,
    responses((status = 200, body = borgermode_protocol::http::CommandAck, description = "New questions default to this item"), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden or origin_forbidden"), (status = 404, description = "not_found: no such meeting or agenda item"), (status = 409, description = "meeting_closed")),
    security(("admin_token" = []), ("organizer_session" = []), ("participant_session" = []), ("participant_cookie" = [])))]
pub async fn set_current(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<AgendaItemChoice>,
) -> Result<HttpResponse, ApiError> {
    let cmd = Command::SetCurrentAgendaItem {
        item: body.item.map(AgendaItemId),
    };
    command(state, req, *id, Who::Either, cmd, false).await
}

#[utoipa::path(put, path = "/api/meetings/{id}/posts/{post}/agenda-item", tag = "panelist", operation_id = "file_post",
    params(("id" = Uuid, Path, description = "Meeting id"), ("post" = u64, Path, description = "Post id (a top-level post)")),
    request_body = AgendaItemChoice,
    responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden (staff and the organizer only) or origin_forbidden"), (status = 404, description = "not_found: no such meeting, post or agenda item"), (status = 422, description = "validation_failed: a reply or a notice")),
    security(("admin_token" = []), ("organizer_session" = []), ("participant_session" = []), ("participant_cookie" = [])))]
pub async fn file_post(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, u64)>,
    body: web::Json<AgendaItemChoice>,
) -> Result<HttpResponse, ApiError> {
    let (id, post) = path.into_inner();
    let cmd = Command::FilePost {
        post: PostId(post),
        item: body.item.map(AgendaItemId),
    };
    command(state, req, id, Who::Either, cmd, false).await
}
