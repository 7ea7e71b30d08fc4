//! The facilitator queue: which questions still need an answer, and the commands that move a
//! question through open -> claimed -> answered (written | live), dismissed or merged.

use actix_web::{web, HttpRequest, HttpResponse};
use borgermode_domain::{Command, PostId, QueueSort};
use borgermode_protocol::http::{
    DismissRequest, LiveAnswerRequest, MergeRequest, OnAirRequest, QueueResponse,
    WrittenAnswerRequest,
};
use serde::Deserialize;
use uuid::Uuid;

use crate::http::api::scope::MeetingScope;
use crate::http::api::{is_staff, run_command, State, Who};
use crate::http::errors::ApiError;
use crate::live::render::{post_view, Viewer};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/meetings/{id}/queue", web::get().to(queue))
        .route(
            "/meetings/{id}/questions/{post}/claim",
            web::post().to(claim),
        )
        .route(
            "/meetings/{id}/questions/{post}/release",
            web::post().to(release),
        )
        .route(
            "/meetings/{id}/questions/{post}/answer",
            web::post().to(answer),
        )
        .route(
            "/meetings/{id}/questions/{post}/answer-live",
            web::post().to(answer_live),
        )
        .route(
            "/meetings/{id}/questions/{post}/dismiss",
            web::post().to(dismiss),
        )
        .route(
            "/meetings/{id}/questions/{post}/merge",
            web::post().to(merge),
        )
        .route("/meetings/{id}/on-air", web::put().to(on_air));
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// `votes` (default) or `age`.
    #[serde(default)]
    pub sort: QueueSort,
    /// `true`: only questions routed to you (a panelist's own queue).
    #[serde(default)]
    pub mine: bool,
}

#[utoipa::path(get, path = "/api/meetings/{id}/queue", tag = "panelist", operation_id = "get_queue",
    params(("id" = Uuid, Path, description = "Meeting id"), QueueQuery),
    description = "Open and claimed questions, for the organizer and the meeting's staff.",
    responses((status = 200, body = QueueResponse), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden: not staff of the meeting"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant")),
    security(("admin_token" = []), ("organizer_session" = []), ("participant_session" = []), ("participant_cookie" = [])))]
pub async fn queue(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
    q: web::Query<QueueQuery>,
) -> Result<HttpResponse, ApiError> {
    let room = state.room(*id).await?;
    let participant = state.auth.participant(&req, room.id).await?;
    let scope = state.meeting_scope(&req, room.id).await?;
    if scope != MeetingScope::Organizer && !is_staff(&room, participant) {
        return Err(if participant.is_some() {
            borgermode_domain::DomainError::Forbidden.into()
        } else if scope == MeetingScope::Foreign {
            ApiError::NotFound("meeting")
        } else {
            ApiError::Unauthorized
        });
    }
    let sort = q.sort;
    let mine = q.mine.then(|| borgermode_domain::Assignee::Panelist {
        participant: participant.unwrap_or(borgermode_domain::ParticipantId(Uuid::nil())),
    });
    let resp = room.with_state(|s, votes| QueueResponse {
        seq: s.seq,
        sort,
        questions: s
            .queue(sort, &|p| votes.get(&p).copied().unwrap_or(0))
            .into_iter()
            .filter(|p| {
                mine.is_none()
                    || p.question.as_ref().and_then(|q| q.assignee.as_ref()) == mine.as_ref()
            })
            .filter_map(|p| post_view(s, votes, p.id, Viewer::STAFF))
            .collect(),
    });
    Ok(HttpResponse::Ok().json(resp))
}

async fn question_command(
    state: State,
    req: HttpRequest,
    id: Uuid,
    cmd: Command,
) -> Result<HttpResponse, ApiError> {
    let room = state.room(id).await?;
    let answered = match &cmd {
        Command::AnswerWritten { post, .. } | Command::AnswerLive { post, .. } => Some(*post),
        _ => None,
    };
    let resp = run_command(&state, &req, &room, Who::Participant, cmd, false).await?;
    // Tell the askers, after the commit and off the request's path; a replayed request
    // (same Idempotency-Key) was already handled the first time.
    if let Some(post) = answered {
        if resp.status().is_success() && !resp.headers().contains_key("idempotent-replayed") {
            let (mailer, store) = (state.mailer.clone(), state.store.clone());
            let answered = room.with_state(|s, _| crate::mail::Answered::of(s, post));
            let meeting = room.id;
            tokio::spawn(crate::mail::after_answer(mailer, store, meeting, answered));
        }
    }
    Ok(resp)
}

#[utoipa::path(post, path = "/api/meetings/{id}/questions/{post}/claim", tag = "panelist", operation_id = "claim_question",
    params(("id" = Uuid, Path, description = "Meeting id"), ("post" = u64, Path, description = "Post id (= the seq of its creation)")),
    responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"), (status = 409, description = "already_claimed, invalid_state")),
    security(("participant_session" = []), ("participant_cookie" = [])))]
pub async fn claim(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, u64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, post) = path.into_inner();
    question_command(state, req, id, Command::Claim { post: PostId(post) }).await
}

#[utoipa::path(post, path = "/api/meetings/{id}/questions/{post}/release", tag = "panelist", operation_id = "release_question",
    params(("id" = Uuid, Path, description = "Meeting id"), ("post" = u64, Path, description = "Post id (= the seq of its creation)")), responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"), (status = 409, description = "invalid_state")),
    security(("participant_session" = []), ("participant_cookie" = [])))]
pub async fn release(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, u64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, post) = path.into_inner();
    question_command(state, req, id, Command::Release { post: PostId(post) }).await
}

#[utoipa::path(post, path = "/api/meetings/{id}/questions/{post}/answer", tag = "panelist", operation_id = "answer_question",
    params(("id" = Uuid, Path, description = "Meeting id"), ("post" = u64, Path, description = "Post id (= the seq of its creation)")), request_body = WrittenAnswerRequest,
    responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"), (status = 409, description = "meeting_closed, meeting_not_open, invalid_state"), (status = 422, description = "validation_failed (with `field`), body_too_long")),
    security(("participant_session" = []), ("participant_cookie" = [])))]
pub async fn answer(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, u64)>,
    body: web::Json<WrittenAnswerRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, post) = path.into_inner();
    question_command(
        state,
        req,
        id,
        Command::AnswerWritten {
            post: PostId(post),
            body: body.into_inner().body,
        },
    )
    .await
}

#[utoipa::path(post, path = "/api/meetings/{id}/questions/{post}/answer-live", tag = "panelist", operation_id = "answer_question_live",
    params(("id" = Uuid, Path, description = "Meeting id"), ("post" = u64, Path, description = "Post id (= the seq of its creation)")), request_body(content = Option<LiveAnswerRequest>, description = "Optional: an empty body is a live answer without a note"),
    responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"), (status = 409, description = "meeting_closed, meeting_not_open, invalid_state"), (status = 422, description = "validation_failed: note over 500 characters")),
    security(("participant_session" = []), ("participant_cookie" = [])))]
pub async fn answer_live(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, u64)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (id, post) = path.into_inner();
    let LiveAnswerRequest { note, panelist } =
        crate::http::api::optional_json::<LiveAnswerRequest>(&body)?;
    question_command(
        state,
        req,
        id,
        Command::AnswerLive {
            post: PostId(post),
            note,
            panelist,
        },
    )
    .await
}

#[utoipa::path(post, path = "/api/meetings/{id}/questions/{post}/dismiss", tag = "moderator", operation_id = "dismiss_question",
    params(("id" = Uuid, Path, description = "Meeting id"), ("post" = u64, Path, description = "Post id (= the seq of its creation)")), request_body = DismissRequest,
    responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"), (status = 409, description = "meeting_closed, meeting_not_open, invalid_state"), (status = 422, description = "validation_failed (with `field`), body_too_long")),
    security(("participant_session" = []), ("participant_cookie" = [])))]
pub async fn dismiss(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, u64)>,
    body: web::Json<DismissRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, post) = path.into_inner();
    question_command(
        state,
        req,
        id,
        Command::Dismiss {
            post: PostId(post),
            reason: body.into_inner().reason,
        },
    )
    .await
}

#[utoipa::path(post, path = "/api/meetings/{id}/questions/{post}/merge", tag = "moderator", operation_id = "merge_question",
    params(("id" = Uuid, Path, description = "Meeting id"), ("post" = u64, Path, description = "Post id (= the seq of its creation)")), request_body = MergeRequest,
    responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"), (status = 409, description = "meeting_closed, meeting_not_open, invalid_state"), (status = 422, description = "validation_failed (with `field`), body_too_long")),
    security(("participant_session" = []), ("participant_cookie" = [])))]
pub async fn merge(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, u64)>,
    body: web::Json<MergeRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, post) = path.into_inner();
    question_command(
        state,
        req,
        id,
        Command::Merge {
            post: PostId(post),
            into: PostId(body.into),
        },
    )
    .await
}

#[utoipa::path(put, path = "/api/meetings/{id}/on-air", tag = "moderator", operation_id = "set_on_air",
    params(("id" = Uuid, Path, description = "Meeting id")), request_body = OnAirRequest,
    responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"), (status = 409, description = "meeting_closed, meeting_not_open, invalid_state")),
    security(("participant_session" = []), ("participant_cookie" = [])))]
pub async fn on_air(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<OnAirRequest>,
) -> Result<HttpResponse, ApiError> {
    question_command(
        state,
        req,
        *id,
        Command::SetOnAir {
            post: body.post.map(PostId),
        },
    )
    .await
}
