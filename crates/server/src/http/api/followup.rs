//! Routing and follow-up: every question gets an answer, also after the meeting.
//!
//! Why this exists: the seed meeting's lesson was that every post must get an answer. A question
//! is routed to a panelist or a department; when the meeting closes, the questions still open
//! form the follow-up queue with a deadline (fixed in the log at the close); the organizer sees
//! per-panelist figures and an overdue flag, and closes the follow-up when done.

use actix_web::{web, HttpRequest, HttpResponse};
use borgermode_domain::{Assignee, Command, DomainError, PostId, QuestionState};
use borgermode_protocol::http::{
    AssignRequest, DepartmentFiguresView, FollowUpResponse, PanelistFiguresView,
};
use uuid::Uuid;

use crate::http::api::scope::MeetingScope;
use crate::http::api::{is_staff, run_command, State, Who};
use crate::http::errors::ApiError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/meetings/{id}/questions/{post}/assign",
        web::post().to(assign),
    )
    .route(
        "/meetings/{id}/questions/{post}/assign",
        web::delete().to(unassign),
    )
    .route("/meetings/{id}/follow-up", web::get().to(follow_up))
    .route("/meetings/{id}/follow-up/close", web::post().to(close));
}

#[utoipa::path(post, path = "/api/meetings/{id}/questions/{post}/assign", tag = "moderator", operation_id = "assign_question",
    params(("id" = Uuid, Path, description = "Meeting id"), ("post" = u64, Path, description = "Post id (= the seq of its creation)")), request_body = AssignRequest,
    description = "Route a question to a panelist or a department. Moderators and the organizer route to anyone; a panelist may only take a question for themselves.",
    responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"),
        (status = 404, description = "not_found: no such question or panelist"),
        (status = 409, description = "invalid_state: answered, dismissed or merged, or the follow-up is closed"),
        (status = 422, description = "validation_failed (with `field`), body_too_long")),
    security(("admin_token" = []), ("organizer_session" = []), ("participant_session" = []), ("participant_cookie" = [])))]
pub async fn assign(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, u64)>,
    body: web::Json<AssignRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, post) = path.into_inner();
    let to = match body.into_inner() {
        AssignRequest {
            panelist: Some(participant),
            department: None,
        } => Assignee::Panelist { participant },
        AssignRequest {
            panelist: None,
            department: Some(name),
        } => Assignee::Department { name },
        _ => {
            return Err(DomainError::validation(
                "panelist",
                "give exactly one of panelist and department",
            )
            .into())
        }
    };
    let room = state.room(id).await?;
    run_command(
        &state,
        &req,
        &room,
        Who::Either,
        Command::Assign {
            post: PostId(post),
            to,
        },
        false,
    )
    .await
}

#[utoipa::path(delete, path = "/api/meetings/{id}/questions/{post}/assign", tag = "moderator", operation_id = "unassign_question",
    params(("id" = Uuid, Path, description = "Meeting id"), ("post" = u64, Path, description = "Post id (= the seq of its creation)")),
    responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"), (status = 409, description = "invalid_state")),
    security(("admin_token" = []), ("organizer_session" = []), ("participant_session" = []), ("participant_cookie" = [])))]
pub async fn unassign(
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
        Who::Either,
        Command::Unassign { post: PostId(post) },
        false,
    )
    .await
}

#[utoipa::path(post, path = "/api/meetings/{id}/follow-up/close", tag = "organizer", operation_id = "close_follow_up",
    params(("id" = Uuid, Path, description = "Meeting id")),
    responses((status = 200, body = borgermode_protocol::http::CommandAck), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"),
        (status = 409, description = "invalid_state: the meeting is not closed")),
    security(("admin_token" = []), ("organizer_session" = [])))]
pub async fn close(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let room = state.room(*id).await?;
    let resp = run_command(
        &state,
        &req,
        &room,
        Who::Organizer,
        Command::CloseFollowUp,
        false,
    )
    .await?;
    // The follow-up is over: nobody will be told anything more, so the addresses go.
    for a in state.store.notify_addresses(room.id).await? {
        state
            .store
            .delete_notify_address(room.id, a.participant)
            .await?;
    }
    Ok(resp)
}

#[utoipa::path(get, path = "/api/meetings/{id}/follow-up", tag = "panelist", operation_id = "get_follow_up",
    params(("id" = Uuid, Path, description = "Meeting id")),
    description = "Routing and follow-up overview: deadline, overdue flag, open questions, figures per panelist and department. For the organizer and the meeting's staff.",
    responses((status = 200, body = FollowUpResponse), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden, banned, muted, or origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant")),
    security(("admin_token" = []), ("organizer_session" = []), ("participant_session" = []), ("participant_cookie" = [])))]
pub async fn follow_up(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let room = state.room(*id).await?;
    let participant = state.auth.participant(&req, room.id).await?;
    let scope = state.meeting_scope(&req, room.id).await?;
    if scope != MeetingScope::Organizer && !is_staff(&room, participant) {
        return Err(if participant.is_some() {
            DomainError::Forbidden.into()
        } else if scope == MeetingScope::Foreign {
            ApiError::NotFound("meeting")
        } else {
            ApiError::Unauthorized
        });
    }
    let now = chrono::Utc::now();
    let resp = room.with_state(|s, _| {
        let panelists = s
            .panelist_figures()
            .into_iter()
            .map(|f| {
                let p = s.participant(f.participant);
                PanelistFiguresView {
                    participant_id: f.participant,
                    name: p
                        .map(|p| p.display_name.as_str().to_string())
                        .unwrap_or_default(),
                    role_line: p.and_then(|p| p.role_line.clone()),
                    assigned: f.assigned,
                    answered: f.answered,
                    open: f.open,
                    median_answer_secs: f.median_answer_secs,
                }
            })
            .collect();
        let mut departments: Vec<DepartmentFiguresView> = Vec::new();
        for post in s.posts.values().filter(|p| p.counts_as_question()) {
            let Some(q) = &post.question else { continue };
            let Some(Assignee::Department { name }) = &q.assignee else {
                continue;
            };
            let open = matches!(q.state, QuestionState::Open | QuestionState::Claimed { .. });
            match departments.iter_mut().find(|d| &d.name == name) {
                Some(d) => {
                    d.assigned += 1;
                    d.open += u32::from(open);
                }
                None => departments.push(DepartmentFiguresView {
                    name: name.clone(),
                    assigned: 1,
                    open: u32::from(open),
                }),
            }
        }
        departments.sort_by(|a, b| a.name.cmp(&b.name));
        FollowUpResponse {
            seq: s.seq,
            status: s.status,
            closed_at: s.closed_at,
            due: s.follow_up_due,
            follow_up_closed_at: s.follow_up_closed_at,
            overdue: s.follow_up_overdue(now),
            counters: s.counters(),
            unanswered: s.unanswered().map(|p| p.id.0).collect(),
            panelists,
            departments,
        }
    });
    Ok(HttpResponse::Ok().json(resp))
}
