//! Citizens' answers and what staff do with them: answer (and change the answer until the
//! poll closes), read the polls with the results the caller may see, and, for open answers,
//! the moderators' list and approve / hide / restore. Answers are anonymous to everyone but the
//! one who gave them, staff included: moderators see open answers under an `answer_id` (an HMAC
//! of the poll and the participant under the installation's content key), never who wrote them. Answers are rows, not log events: they
//! are checked by `borgermode_domain::check_answer` against the latest state, written through
//! the group commit (`live/votes.rs`), counted by the room (`live/polls.rs`) and answered after
//! commit.

use actix_web::{web, HttpRequest, HttpResponse};
use borgermode_domain::event::Actor;
use borgermode_domain::{check_answer, DomainError, ParticipantId, PollAnswer, PollId, Role};
use borgermode_protocol::http::{
    PollAnswerResponse, PollWithResults, PollsResponse, StaffPollAnswerView,
};
use borgermode_protocol::views::{Audience, YourPollAnswer};
use uuid::Uuid;

use crate::http::api::{check_origin, resolve_actor, State, Who};
use crate::http::errors::ApiError;
use crate::live::render::poll_view;
use crate::live::room::Room;
use crate::store::{AnswerModeration, PollAnswerRecord};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/meetings/{id}/polls", web::get().to(list))
        .route("/meetings/{id}/polls/{poll}/answer", web::put().to(answer))
        .route(
            "/meetings/{id}/polls/{poll}/answers",
            web::get().to(staff_answers),
        )
        .route(
            "/meetings/{id}/polls/{poll}/answers/{answer}/{action}",
            web::post().to(moderate),
        );
}

#[utoipa::path(put, path = "/api/meetings/{id}/polls/{poll}/answer", tag = "citizen", operation_id = "answer_poll",
    params(("id" = Uuid, Path, description = "Meeting id"), ("poll" = u64, Path, description = "Poll id")),
    request_body = PollAnswer,
    description = "Answer a launched poll, or change your answer until it closes (one answer per poll and citizen). Answered after commit.",
    responses((status = 200, body = PollAnswerResponse), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden (staff do not answer), muted, banned, origin_forbidden"), (status = 404, description = "not_found: no such meeting, or no launched poll with this id"), (status = 409, description = "poll_closed, meeting_closed"), (status = 422, description = "validation_failed (an answer of another kind, no such option, a scale value out of range, an empty or too long word), too_many_choices, body_too_long")),
    security(("participant_session" = []), ("participant_cookie" = [])))]
pub async fn answer(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, u64)>,
    body: web::Json<PollAnswer>,
) -> Result<HttpResponse, ApiError> {
    check_origin(&state, &req)?;
    let (id, poll) = path.into_inner();
    let poll = PollId(poll);
    let room = state.room(id).await?;
    let actor = resolve_actor(&state, &req, room.id, Who::Participant).await?;
    let Actor::Participant { id: participant } = actor else {
        return Err(ApiError::Unauthorized);
    };
    let now = chrono::Utc::now();
    let answer = body.into_inner();
    room.recheck_for_vote().await?;
    let check =
        |room: &Room| room.with_state(|s, _| check_answer(s, &actor, poll, answer.clone(), now));
    if check(&room).is_err() {
        // Refuse only against the latest state: the poll may have been launched (or the
        // citizen unmuted) through another instance a moment ago.
        room.catch_up().await?;
    }
    let checked = check(&room)?;
    let record = PollAnswerRecord {
        meeting: room.id,
        poll,
        participant,
        answer: checked.answer.clone(),
        held: checked.held,
        hidden: false,
        answered_at: now,
    };
    if state.poll_answers.write(record.clone()).await? {
        room.poll_answer_written(record);
    }
    Ok(HttpResponse::Ok().json(PollAnswerResponse {
        poll: poll.0,
        answer: checked.answer,
        held_reason: checked.held,
        results: room.poll_results(poll, false),
    }))
}

#[utoipa::path(get, path = "/api/meetings/{id}/polls", tag = "public", operation_id = "list_polls",
    params(("id" = Uuid, Path, description = "Meeting id")),
    description = "The meeting's polls with the results the caller may see, and a citizen's own answers.",
    responses((status = 200, body = PollsResponse), (status = 404, description = "not_found: no such meeting (or another organization's)")),
    security((), ("participant_session" = []), ("participant_cookie" = []), ("admin_token" = []), ("organizer_session" = [])))]
pub async fn list(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let room = state.room(*id).await?;
    let (viewer, you) = state.viewer(&req, &room).await?;
    let staff = viewer.audience == Audience::Staff;
    let polls = room.with_state(|s, _| {
        s.polls
            .items
            .iter()
            .filter(|p| staff || p.is_public())
            .map(poll_view)
            .collect::<Vec<_>>()
    });
    let polls = polls
        .into_iter()
        .map(|p| PollWithResults {
            results: room.poll_results(PollId(p.id), staff),
            poll: p,
        })
        .collect();
    Ok(HttpResponse::Ok().json(PollsResponse {
        polls,
        yours: you.map(|y| y.poll_answers).unwrap_or_default(),
    }))
}

/// The organizer or an active moderator (open answers are moderated like posts).
async fn moderator(state: &State, req: &HttpRequest, room: &Room) -> Result<(), ApiError> {
    match resolve_actor(state, req, room.id, Who::Either).await? {
        Actor::Organizer => Ok(()),
        Actor::Participant { id } => room.with_state(|s, _| {
            match s.participant(id) {
                Some(p) if p.revoked || p.erased => Err(DomainError::SessionEnded),
                Some(p) if p.role == Role::Moderator => Ok(()),
                _ => Err(DomainError::Forbidden),
            }
            .map_err(ApiError::Domain)
        }),
    }
}

/// The name of one answer for moderators: a keyed hash, so that nobody holding participant ids
/// can tell whose answer it is.
fn answer_id(state: &State, r: &PollAnswerRecord) -> String {
    let key = state
        .settings
        .content_hash_key
        .as_deref()
        .unwrap_or_default();
    let text = format!("poll-answer:{}:{}:{}", r.meeting, r.poll, r.participant);
    crate::security::content_key::keyed_hash(key, &text)[..32].to_string()
}

#[utoipa::path(get, path = "/api/meetings/{id}/polls/{poll}/answers", tag = "moderator", operation_id = "list_poll_answers",
    params(("id" = Uuid, Path, description = "Meeting id"), ("poll" = u64, Path, description = "Poll id")),
    description = "The poll's open answers, newest first, with their hold and hide state (for moderation), each under an answer_id that does not say who wrote it.",
    responses((status = 200, body = Vec<StaffPollAnswerView>), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden (the organizer and moderators only)"), (status = 404, description = "not_found: no such meeting or poll")),
    security(("admin_token" = []), ("organizer_session" = []), ("participant_session" = []), ("participant_cookie" = [])))]
pub async fn staff_answers(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, u64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, poll) = path.into_inner();
    let room = state.room(id).await?;
    moderator(&state, &req, &room).await?;
    if room.with_state(|s, _| s.polls.get(PollId(poll)).is_none()) {
        return Err(ApiError::Domain(DomainError::NotFound("poll")));
    }
    let answers: Vec<StaffPollAnswerView> = room
        .poll_answers(PollId(poll))
        .into_iter()
        .filter(|r| matches!(r.answer, PollAnswer::Text { .. }))
        .map(|r| StaffPollAnswerView {
            answer_id: answer_id(&state, &r),
            answer: r.answer,
            held_reason: r.held,
            hidden: r.hidden,
            answered_at: r.answered_at,
        })
        .collect();
    Ok(HttpResponse::Ok().json(answers))
}

#[utoipa::path(post, path = "/api/meetings/{id}/polls/{poll}/answers/{answer}/{action}", tag = "moderator", operation_id = "moderate_poll_answer",
    params(("id" = Uuid, Path, description = "Meeting id"), ("poll" = u64, Path, description = "Poll id"), ("answer" = String, Path, description = "The answer_id from the list"),
        ("action" = String, Path, description = "`approve` (let a held answer through), `hide` or `restore`")),
    description = "Moderate one open answer: it is listed in the results only when neither held nor hidden.",
    responses((status = 204, description = "Done"), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden (the organizer and moderators only), origin_forbidden"), (status = 404, description = "not_found: no such meeting, poll, open answer, or action")),
    security(("admin_token" = []), ("organizer_session" = []), ("participant_session" = []), ("participant_cookie" = [])))]
pub async fn moderate(
    state: State,
    req: HttpRequest,
    path: web::Path<(Uuid, u64, String, String)>,
) -> Result<HttpResponse, ApiError> {
    check_origin(&state, &req)?;
    let (id, poll, answer, action) = path.into_inner();
    let action = match action.as_str() {
        "approve" => AnswerModeration::Approve,
        "hide" => AnswerModeration::Hide,
        "restore" => AnswerModeration::Restore,
        _ => return Err(ApiError::NotFound("action")),
    };
    let poll = PollId(poll);
    let room = state.room(id).await?;
    moderator(&state, &req, &room).await?;
    let missing = || ApiError::Domain(DomainError::NotFound("open answer"));
    let mut r = room
        .poll_answers(poll)
        .into_iter()
        .find(|r| matches!(r.answer, PollAnswer::Text { .. }) && answer_id(&state, r) == answer)
        .ok_or_else(missing)?;
    if !state
        .store
        .moderate_poll_answer(room.id, poll, r.participant, action)
        .await?
    {
        return Err(missing());
    }
    // The row changed in the store: count it again here, and tell the other instances.
    match action {
        AnswerModeration::Approve => (r.held, r.hidden) = (None, false),
        AnswerModeration::Hide => r.hidden = true,
        AnswerModeration::Restore => r.hidden = false,
    }
    room.poll_answer_written(r);
    Ok(HttpResponse::NoContent().finish())
}

/// A participant's own answers, for `hello.you` and `/me`.
pub fn yours(room: &Room, participant: ParticipantId) -> Vec<YourPollAnswer> {
    room.poll_answers_of(participant)
        .into_iter()
        .map(|(poll, answer)| YourPollAnswer {
            poll: poll.0,
            answer,
        })
        .collect()
}
