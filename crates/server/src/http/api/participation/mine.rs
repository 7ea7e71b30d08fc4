//! "My questions": a citizen's way back to their questions and answers after the meeting.
//!
//! Why this exists: answers often come days after the meeting, when the citizen's browser tab
//! is long gone. At join every citizen gets a personal link with a 128-bit secret in the URL
//! fragment (stored hashed as a capability, exchanged by `POST /api/staff-session` like a staff
//! link, so it never reaches logs or Referer headers); it restores their session on any device.
//! The "my questions" view lists their questions with the answers, and they may leave an e-mail
//! address to be told when an answer comes (`crate::mail`). The address is kept apart from the
//! log and deleted once all their questions are answered or the follow-up closes.

use actix_web::{web, HttpRequest, HttpResponse};
use borgermode_domain::Code;
use borgermode_domain::{MeetingId, ParticipantId, PostId, QuestionState};
use borgermode_protocol::http::{
    MyQuestionsLinkResponse, MyQuestionsResponse, NotifyRequest, NotifyStatus,
};
use uuid::Uuid;

use crate::http::api::{check_origin, State};
use crate::http::errors::ApiError;
use crate::live::render::{post_view, Viewer};
use crate::security::auth::{hash_secret, new_secret};
use crate::store::followup::NotifyAddress;
use crate::store::CapabilityRecord;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/meetings/{id}/mine", web::get().to(mine))
        .route("/meetings/{id}/mine/link", web::post().to(new_link))
        .route("/meetings/{id}/mine/notify", web::put().to(put_notify))
        .route(
            "/meetings/{id}/mine/notify",
            web::delete().to(delete_notify),
        );
}

/// Store a new capability for a citizen and return their "my questions" link.
pub async fn issue_link(
    state: &crate::state::AppState,
    meeting: MeetingId,
    participant: ParticipantId,
) -> Result<String, ApiError> {
    let secret = new_secret();
    state
        .store
        .put_capability(CapabilityRecord {
            secret_hash: hash_secret(&secret),
            meeting,
            participant,
            created_at: chrono::Utc::now(),
        })
        .await?;
    Ok(format!(
        "{}/m/{}/mine#key={}",
        state.settings.public_url(),
        meeting,
        secret
    ))
}

async fn signed_in(
    state: &State,
    req: &HttpRequest,
    id: Uuid,
) -> Result<(std::sync::Arc<crate::live::room::Room>, ParticipantId), ApiError> {
    let room = state.room(id).await?;
    let p = state
        .auth
        .participant(req, room.id)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    if room.with_state(|s, _| s.participant(p).is_none()) {
        return Err(ApiError::Unauthorized);
    }
    Ok((room, p))
}

/// Whether the page may offer the e-mail field: mail configured and the follow-up still on.
fn notify_available(state: &State, room: &crate::live::room::Room) -> bool {
    state.mailer.is_some() && room.with_state(|s, _| s.follow_up_closed_at.is_none())
}

#[utoipa::path(get, path = "/api/meetings/{id}/mine", tag = "citizen", operation_id = "get_my_questions", params(("id" = Uuid, Path, description = "Meeting id")),
    responses((status = 200, body = MyQuestionsResponse), (status = 401, description = "unauthorized: no usable credentials"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant")),
    security(("participant_session" = []), ("participant_cookie" = [])))]
pub async fn mine(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (room, me) = signed_in(&state, &req, *id).await?;
    let viewer = Viewer {
        audience: borgermode_protocol::views::Audience::Public,
        participant: Some(me),
    };
    let (questions, merged_into) = room.with_state(|s, votes| {
        let own: Vec<_> = s
            .posts
            .values()
            .filter(|p| p.author == Some(me) && p.question.is_some())
            .collect();
        let mut targets: Vec<PostId> = own
            .iter()
            .filter_map(|p| match p.question.as_ref().map(|q| &q.state) {
                Some(QuestionState::Merged { into }) => Some(*into),
                _ => None,
            })
            .collect();
        targets.sort();
        targets.dedup();
        (
            own.iter()
                .filter_map(|p| post_view(s, votes, p.id, viewer))
                .collect::<Vec<_>>(),
            targets
                .into_iter()
                .filter_map(|p| post_view(s, votes, p, viewer))
                .collect::<Vec<_>>(),
        )
    });
    let mut meeting = room.meeting_view(false);
    meeting.organization = state.branding_of(room.id).await?;
    let email_on_file = state.store.notify_address(room.id, me).await?.is_some();
    Ok(HttpResponse::Ok().json(MyQuestionsResponse {
        meeting,
        questions,
        merged_into,
        notify: NotifyStatus {
            available: notify_available(&state, &room),
            email_on_file,
        },
    }))
}

#[utoipa::path(post, path = "/api/meetings/{id}/mine/link", tag = "citizen", operation_id = "new_my_questions_link", params(("id" = Uuid, Path, description = "Meeting id")),
    description = "A fresh personal link for the signed-in participant (the one from the join is shown only once).",
    responses((status = 200, body = MyQuestionsLinkResponse), (status = 401, description = "unauthorized: no usable credentials"), (status = 403, description = "forbidden: staff have their own links"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant")),
    security(("participant_session" = []), ("participant_cookie" = [])))]
pub async fn new_link(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    check_origin(&state, &req)?;
    let (room, me) = signed_in(&state, &req, *id).await?;
    if room.with_state(|s, _| s.participant(me).is_some_and(|p| p.role.is_staff())) {
        // Staff have their own links from the organizer.
        return Err(borgermode_domain::DomainError::Forbidden.into());
    }
    let link = issue_link(&state, room.id, me).await?;
    Ok(HttpResponse::Ok().json(MyQuestionsLinkResponse { link }))
}

/// A plausible address: one `@`, no spaces or control characters, parseable as a mailbox.
fn validate_email(raw: &str) -> Result<String, ApiError> {
    let e = raw.trim();
    let ok = (3..=254).contains(&e.len())
        && e.matches('@').count() == 1
        && !e.starts_with('@')
        && !e.ends_with('@')
        && !e
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
        && e.parse::<lettre::Address>().is_ok();
    if ok {
        Ok(e.to_string())
    } else {
        Err(borgermode_domain::DomainError::validation("email", "not an e-mail address").into())
    }
}

#[utoipa::path(put, path = "/api/meetings/{id}/mine/notify", tag = "citizen", operation_id = "put_notify_address", params(("id" = Uuid, Path, description = "Meeting id")),
    request_body = NotifyRequest,
    description = "Leave an e-mail address to be told when your questions are answered. Kept outside the meeting's record; deleted once all your questions are answered or the follow-up closes.",
    responses((status = 204, description = "kept"), (status = 401, description = "unauthorized: no usable credentials"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"),
        (status = 409, description = "mail_off: this installation sends no mail, or the follow-up is closed"),
        (status = 422, description = "validation_failed: not an e-mail address")),
    security(("participant_session" = []), ("participant_cookie" = [])))]
pub async fn put_notify(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<NotifyRequest>,
) -> Result<HttpResponse, ApiError> {
    check_origin(&state, &req)?;
    let (room, me) = signed_in(&state, &req, *id).await?;
    if !notify_available(&state, &room) {
        return Err(ApiError::Conflict {
            code: Code::MailOff,
            detail: "notification by e-mail is not available for this meeting".into(),
        });
    }
    let email = validate_email(&body.email)?;
    state
        .store
        .put_notify_address(NotifyAddress {
            meeting: room.id,
            participant: me,
            email,
            created_at: crate::store::followup::now_micros(),
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(delete, path = "/api/meetings/{id}/mine/notify", tag = "citizen", operation_id = "delete_notify_address", params(("id" = Uuid, Path, description = "Meeting id")),
    responses((status = 204, description = "deleted"), (status = 401, description = "unauthorized: no usable credentials"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant")),
    security(("participant_session" = []), ("participant_cookie" = [])))]
pub async fn delete_notify(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    check_origin(&state, &req)?;
    let (room, me) = signed_in(&state, &req, *id).await?;
    state.store.delete_notify_address(room.id, me).await?;
    Ok(HttpResponse::NoContent().finish())
}
