//! HTTP commands and queries under `/api`. One file per resource; every command goes through
//! [`run_command`], which owns the things every command needs: the Origin check (CSRF), the
//! actor, the `Idempotency-Key`, the room, and the mapping of results to responses.

// Meeting commands, one module per command family (the families of
// `borgermode_domain::decide`, with the same names as its test files).
pub mod agenda;
pub mod followup;
pub mod lifecycle;
pub mod moderation;
pub mod participation;
pub mod polls;
pub mod privacy;
pub mod questions;

// Organizer resources and after-meeting records.
pub mod organizer;

// The live streams' HTTP ends, health and metrics, the API description, and what every
// handler shares.
pub mod health;
pub mod metrics;
pub mod openapi;
pub mod scope;
pub mod streams;

use borgermode_domain::Code;
use organizer::{accounts, announcements, organizations, report};

use std::net::IpAddr;
use std::sync::Arc;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use borgermode_domain::event::Actor;
use borgermode_domain::{Command, MeetingId, ParticipantId, Role};
use borgermode_protocol::views::{Audience, YouView};
use governor::DefaultKeyedRateLimiter;
use uuid::Uuid;

use crate::http::errors::ApiError;
use crate::live::render::Viewer;
use crate::live::room::{Executed, Room};

pub use crate::state::AppState;

impl AppState {
    pub async fn room(&self, id: Uuid) -> Result<Arc<Room>, ApiError> {
        let room = self
            .hub
            .room(MeetingId(id))
            .await?
            .ok_or(ApiError::NotFound("meeting"))?;
        if !room.exists() {
            return Err(ApiError::NotFound("meeting"));
        }
        Ok(room)
    }

    /// The client's address: the peer, or X-Forwarded-For when the peer is a trusted proxy.
    pub fn client_ip(&self, req: &HttpRequest) -> IpAddr {
        let peer = req
            .peer_addr()
            .map(|a| a.ip())
            .unwrap_or(IpAddr::from([127, 0, 0, 1]));
        if !self.settings.trusted_proxies.contains(&peer) {
            return peer;
        }
        req.headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.rsplit(',')
                    .map(str::trim)
                    .find_map(|ip| ip.parse::<IpAddr>().ok())
            })
            .unwrap_or(peer)
    }

    pub fn limit(
        &self,
        limiter: &DefaultKeyedRateLimiter<IpAddr>,
        req: &HttpRequest,
    ) -> Result<(), ApiError> {
        limit_key(limiter, &self.client_ip(req))
    }
}

/// Take one cell from `limiter` for `key`, or answer 429 with when to retry.
pub fn limit_key<K: std::hash::Hash + Eq + Clone>(
    limiter: &DefaultKeyedRateLimiter<K>,
    key: &K,
) -> Result<(), ApiError> {
    limiter
        .check_key(key)
        .map_err(|not_until| ApiError::RateLimited {
            retry_after_secs: not_until
                .wait_time_from(governor::clock::Clock::now(
                    &governor::clock::DefaultClock::default(),
                ))
                .as_secs()
                .max(1),
        })
}

impl AppState {
    /// Who is looking at a meeting, and their own view of themselves.
    pub async fn viewer(
        &self,
        req: &HttpRequest,
        room: &Room,
    ) -> Result<(Viewer, Option<YouView>), ApiError> {
        let organizer = self.meeting_scope(req, room.id).await? == scope::MeetingScope::Organizer;
        let participant = self.auth.participant(req, room.id).await?;
        let you = match participant {
            Some(p) => self.you(room, p).await?,
            None => None,
        };
        let staff = organizer || you.as_ref().is_some_and(|y| y.role.is_staff() && !y.banned);
        let revoked = participant
            .is_some_and(|p| room.with_state(|s, _| s.participant(p).is_some_and(|x| x.revoked)));
        let audience = if staff && !revoked {
            Audience::Staff
        } else {
            Audience::Public
        };
        Ok((
            Viewer {
                audience,
                participant,
            },
            you,
        ))
    }

    pub async fn you(
        &self,
        room: &Room,
        participant: ParticipantId,
    ) -> Result<Option<YouView>, ApiError> {
        let Some(mut you) = room.with_state(|s, _| {
            s.participant(participant).map(|p| YouView {
                participant_id: p.id,
                role: p.role,
                name: crate::live::render::shown_name(s, p),
                muted_until: p.muted_until.filter(|u| *u > chrono::Utc::now()),
                banned: p.banned,
                voted: Vec::new(),
                poll_answers: Vec::new(),
            })
        }) else {
            return Ok(None);
        };
        // Outside `with_state`: the room's lock is not re-entrant.
        you.poll_answers = polls::answers::yours(room, participant);
        you.voted = self
            .store
            .votes_of(room.id, participant)
            .await?
            .into_iter()
            .map(|p| p.0)
            .collect();
        Ok(Some(you))
    }
}

pub type State = web::Data<AppState>;

/// Which actors a command accepts.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Organizer,
    Participant,
    /// Organizer when the admin token is present, otherwise the participant.
    Either,
}

/// CSRF: a browser sends Origin on cross-site requests; refuse any that is not ours. Requests
/// without Origin (curl, server-to-server) carry no ambient cookies from another site.
pub fn check_origin(state: &AppState, req: &HttpRequest) -> Result<(), ApiError> {
    let mut origins = req.headers().get_all(header::ORIGIN);
    let Some(origin) = origins.next() else {
        return Ok(());
    };
    // A browser sends one Origin. Two are a forgery or a broken proxy: judging the first
    // would let a second, foreign one through.
    if origins.next().is_some() {
        return Err(ApiError::OriginForbidden);
    }
    let origin = origin.to_str().unwrap_or("").trim_end_matches('/');
    if state.settings.allowed_origins().iter().any(|o| o == origin) {
        Ok(())
    } else {
        Err(ApiError::OriginForbidden)
    }
}

/// A JSON body that may be left out entirely (then the default), but when present must parse:
/// a malformed body is refused instead of silently running the command without it.
pub fn optional_json<T: Default + serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| ApiError::invalid_json(e.to_string()))
}

pub fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(v) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    let key = v.to_str().map_err(|_| bad_key())?.trim();
    if key.is_empty() || key.len() > 100 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(bad_key());
    }
    Ok(Some(key.to_string()))
}

fn bad_key() -> ApiError {
    ApiError::BadRequest {
        code: Code::InvalidIdempotencyKey,
        detail: "Idempotency-Key must be 1-100 visible ASCII characters".into(),
    }
}

pub async fn resolve_actor(
    state: &AppState,
    req: &HttpRequest,
    meeting: MeetingId,
    who: Who,
) -> Result<Actor, ApiError> {
    let scope = state.meeting_scope(req, meeting).await?;
    if scope == scope::MeetingScope::Organizer && who != Who::Participant {
        return Ok(Actor::Organizer);
    }
    let participant = state.auth.participant(req, meeting).await?;
    // An organizer of another organization learns nothing about this meeting.
    let nobody = if scope == scope::MeetingScope::Foreign {
        ApiError::NotFound("meeting")
    } else {
        ApiError::Unauthorized
    };
    match who {
        Who::Organizer => Err(if participant.is_some() {
            ApiError::Domain(borgermode_domain::DomainError::Forbidden)
        } else {
            nobody
        }),
        Who::Participant | Who::Either => participant
            .map(|id| Actor::Participant { id })
            .ok_or(nobody),
    }
}

fn scope_of(actor: &Actor) -> String {
    match actor {
        Actor::Organizer => "organizer".into(),
        Actor::Participant { id } => id.0.to_string(),
    }
}

/// Run one command end to end and answer it. `created` picks 201 over 200.
pub async fn run_command(
    state: &AppState,
    req: &HttpRequest,
    room: &Arc<Room>,
    who: Who,
    cmd: Command,
    created: bool,
) -> Result<HttpResponse, ApiError> {
    let received = metrics::Received::of(req);
    check_origin(state, req)?;
    if state
        .shutting_down
        .load(std::sync::atomic::Ordering::Relaxed)
    {
        return Err(ApiError::ShuttingDown);
    }
    let actor = resolve_actor(state, req, room.id, who).await?;
    let key = idempotency_key(req)?.map(|k| (scope_of(&actor), k));
    respond(
        room.execute_received(actor, cmd, key, received).await?,
        created,
    )
}

pub fn respond(executed: Executed, created: bool) -> Result<HttpResponse, ApiError> {
    Ok(match executed {
        Executed::Done(ack) => {
            let status = if created && ack.seq.is_some() {
                actix_web::http::StatusCode::CREATED
            } else {
                actix_web::http::StatusCode::OK
            };
            HttpResponse::build(status).json(ack)
        }
        Executed::Replayed(body) => HttpResponse::Ok()
            .insert_header(("Idempotent-Replayed", "true"))
            .content_type("application/json")
            .body(body),
    })
}

/// Whether a participant is staff (for routes that only staff may read).
pub fn is_staff(room: &Room, participant: Option<ParticipantId>) -> bool {
    participant.is_some_and(|p| {
        room.with_state(|s, _| {
            s.participant(p)
                .is_some_and(|x| x.role != Role::Citizen && !x.revoked)
        })
    })
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api")
            .configure(lifecycle::routes)
            .configure(announcements::routes)
            .configure(organizations::routes)
            .configure(accounts::routes)
            .configure(participation::routes)
            .configure(questions::routes)
            .configure(followup::routes)
            .configure(report::routes)
            .configure(moderation::routes)
            .configure(privacy::routes)
            .configure(agenda::routes)
            .configure(polls::routes)
            .configure(streams::routes)
            .configure(openapi::routes),
    )
    .configure(report::pages)
    .configure(health::routes)
    .configure(metrics::routes);
}
