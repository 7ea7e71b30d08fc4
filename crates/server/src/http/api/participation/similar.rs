//! "Has someone asked this already?": `GET /api/meetings/{id}/similar?text=...`, and the
//! meeting's topics for the big screen (`GET /api/meetings/{id}/topics`).
//!
//! Why a read of its own: the composer asks while a citizen types, and the staff queue asks for
//! each open question, so it must be cheap (the room's in-memory index, no store read) and
//! show only what the public may see (`Room::similar`). It is rate-limited per participant
//! (per address for a caller without a session), like the commands, so typing cannot be used
//! to hammer an instance. Matching: `borgermode_domain::similar`; tests
//! `crates/domain/tests/it/similar.rs` (the labelled set, the index following the log) and
//! `crates/server/tests/it/similar.rs` (this route).

use actix_web::{web, HttpRequest, HttpResponse};
use borgermode_domain::{DomainError, PostId};
use borgermode_protocol::http::{SimilarResponse, TopicsResponse};
use serde::Deserialize;
use uuid::Uuid;

use crate::http::api::{limit_key, State};
use crate::http::errors::ApiError;
use crate::state::LookupKey;

/// At most this many suggestions.
pub const SUGGESTIONS: usize = 3;
/// The big screen's topic cloud names at most this many words.
pub const TOPICS: usize = 12;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/meetings/{id}/similar", web::get().to(similar))
        .route("/meetings/{id}/topics", web::get().to(topics));
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SimilarQuery {
    /// The question being typed (1 to the meeting's `max_body_chars` characters).
    pub text: Option<String>,
    /// A question to leave out (the staff queue asks for each question's duplicates).
    pub exclude: Option<u64>,
}

#[utoipa::path(get, path = "/api/meetings/{id}/similar", tag = "public", operation_id = "get_similar_questions",
    params(("id" = Uuid, Path, description = "Meeting id"), SimilarQuery),
    description = "Up to three visible questions of the meeting that ask what `text` asks, best first, as the public sees them. Never a held, hidden, rejected, merged or erased one.",
    responses((status = 200, body = SimilarResponse), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"), (status = 422, description = "validation_failed (field `text`): empty or longer than the meeting's max_body_chars"), (status = 429, description = "rate_limited (Retry-After)")),
    security((), ("participant_session" = []), ("participant_cookie" = []), ("admin_token" = []), ("organizer_session" = [])))]
pub async fn similar(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
    q: web::Query<SimilarQuery>,
) -> Result<HttpResponse, ApiError> {
    let room = state.room(*id).await?;
    let key = match state.auth.participant(&req, room.id).await? {
        Some(p) => LookupKey::Participant(room.id, p),
        None => LookupKey::Address(state.client_ip(&req)),
    };
    limit_key(&state.similar_limiter, &key)?;
    let q = q.into_inner();
    let text = q.text.unwrap_or_default();
    let text = text.trim();
    if text.is_empty() {
        return Err(DomainError::validation("text", "must not be empty").into());
    }
    let max = room.with_state(|s, _| s.settings.max_body_chars) as usize;
    if text.chars().count() > max {
        return Err(
            DomainError::validation("text", format!("must be at most {max} characters")).into(),
        );
    }
    let questions = room.similar(text, SUGGESTIONS, q.exclude.map(PostId));
    Ok(HttpResponse::Ok().json(SimilarResponse { questions }))
}

#[utoipa::path(get, path = "/api/meetings/{id}/topics", tag = "public", operation_id = "get_topics",
    params(("id" = Uuid, Path, description = "Meeting id")),
    description = "The words the meeting's visible questions share most (stems, Danish and English stop words removed), at most 12, most shared first: the big screen's topic cloud.",
    responses((status = 200, body = TopicsResponse), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant")),
    security((), ("participant_session" = []), ("participant_cookie" = []), ("admin_token" = []), ("organizer_session" = [])))]
pub async fn topics(state: State, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let room = state.room(*id).await?;
    Ok(HttpResponse::Ok().json(TopicsResponse {
        topics: room.topics(TOPICS),
    }))
}
