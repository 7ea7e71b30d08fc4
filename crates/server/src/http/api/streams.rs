//! The live stream of one meeting: WebSocket (`/api/meetings/{id}/live`) and SSE
//! (`/api/meetings/{id}/events`). Both start with `hello`, then a snapshot (or, with `since`,
//! exactly the events after it and `caught_up`), then live frames.

use actix_web::{web, HttpRequest, HttpResponse};
use borgermode_domain::Code;
use serde::Deserialize;
use uuid::Uuid;

use super::{check_origin, State};
use crate::http::errors::ApiError;
use crate::live::render::Format;
use crate::live::socket::Connection;
use crate::live::sse;
use crate::live::upgrade::PendingLive;
use crate::live::wire_actix::ActixWire;
use crate::settings::WsEngine;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/meetings/{id}/live", web::get().to(websocket))
        .route("/meetings/{id}/events", web::get().to(server_sent_events));
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamQuery {
    /// The last seq the client applied: the stream replays exactly the events after it.
    pub since: Option<u64>,
    /// The protocol version to speak: 1 (the default) or 2 (lean event frames, see
    /// docs/protocol.md "Protocol version 2").
    pub v: Option<u32>,
}

impl StreamQuery {
    fn format(&self) -> Result<Format, ApiError> {
        match self.v {
            None | Some(1) => Ok(Format::V1),
            Some(2) => Ok(Format::V2),
            Some(v) => Err(ApiError::BadRequest {
                code: Code::ValidationFailed,
                detail: format!("protocol version {v} is not served here; ask for v=1 or v=2"),
            }),
        }
    }
}

/// WebSocket upgrade. The Origin must be one of the configured public origins (403
/// otherwise); clients without a browser may omit Origin.
#[utoipa::path(get, path = "/api/meetings/{id}/live", tag = "streams", operation_id = "live_websocket",
    params(("id" = Uuid, Path, description = "Meeting id"), StreamQuery),
    responses((status = 101, description = "WebSocket; frames as in docs/protocol.md"), (status = 400, description = "websocket_required: not an upgrade request"),
        (status = 403, description = "origin_forbidden"), (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"), (status = 429, description = "rate_limited (Retry-After)"),
        (status = 503, description = "shutting_down (Retry-After)")),
    security((), ("participant_session" = []), ("participant_cookie" = []), ("admin_token" = []), ("organizer_session" = [])))]
pub async fn websocket(
    state: State,
    req: HttpRequest,
    body: web::Payload,
    id: web::Path<Uuid>,
    q: web::Query<StreamQuery>,
) -> Result<HttpResponse, ApiError> {
    check_origin(&state, &req)?;
    let format = q.format()?;
    if state
        .shutting_down
        .load(std::sync::atomic::Ordering::Relaxed)
    {
        return Err(ApiError::ShuttingDown);
    }
    state.limit(&state.connect_limiter, &req)?;
    let room = state.room(*id).await?;
    let (viewer, you) = state.viewer(&req, &room).await?;
    if state.settings.ws_engine == WsEngine::ActixWs {
        let (response, session, stream) =
            actix_ws::handle(&req, body).map_err(|e| ApiError::BadRequest {
                code: Code::WebsocketRequired,
                detail: e.to_string(),
            })?;
        let max = state.settings.ws_max_message;
        let stream = stream
            .max_frame_size(max)
            .aggregate_continuations()
            .max_continuation_size(max);
        room.catch_up_for_resume(q.since).await;
        let sub = room.subscribe_with(viewer, you, q.since, format);
        let conn = Connection {
            wire: ActixWire { session, stream },
            room,
            sub,
            viewer,
            settings: state.settings.clone(),
            metrics: state.metrics.clone(),
        };
        actix_web::rt::spawn(conn.run());
        return Ok(response);
    }
    let mut response = actix_http::ws::handshake(req.head())
        .map_err(|e| ApiError::BadRequest {
            code: Code::WebsocketRequired,
            detail: e.to_string(),
        })?
        .finish()
        .map_into_boxed_body();
    room.catch_up_for_resume(q.since).await;
    let sub = room.subscribe_with(viewer, you, q.since, format);
    // `live/upgrade.rs` writes the 101 and hands the socket to the connection task.
    response.extensions_mut().insert(PendingLive {
        room,
        sub,
        viewer,
        settings: state.settings.clone(),
        metrics: state.metrics.clone(),
        shard: state.hub.place_connection(),
    });
    Ok(HttpResponse::from(response))
}

/// Server-Sent Events fallback; resume with `Last-Event-ID` (or `since`).
#[utoipa::path(get, path = "/api/meetings/{id}/events", tag = "streams", operation_id = "live_events",
    params(("id" = Uuid, Path, description = "Meeting id"), StreamQuery, ("Last-Event-ID" = Option<u64>, Header, description = "Resume after this seq (wins over `since`)")),
    responses((status = 200, description = "text/event-stream; frames as in docs/protocol.md", content_type = "text/event-stream"),
        (status = 404, description = "not_found: no such meeting (or another organization's), post or participant"), (status = 429, description = "rate_limited (Retry-After)"), (status = 503, description = "shutting_down (Retry-After)")),
    security((), ("participant_session" = []), ("participant_cookie" = []), ("admin_token" = []), ("organizer_session" = [])))]
pub async fn server_sent_events(
    state: State,
    req: HttpRequest,
    id: web::Path<Uuid>,
    q: web::Query<StreamQuery>,
) -> Result<HttpResponse, ApiError> {
    let format = q.format()?;
    if state
        .shutting_down
        .load(std::sync::atomic::Ordering::Relaxed)
    {
        return Err(ApiError::ShuttingDown);
    }
    state.limit(&state.connect_limiter, &req)?;
    let room = state.room(*id).await?;
    let (viewer, you) = state.viewer(&req, &room).await?;
    let last_event_id = req
        .headers()
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let since = last_event_id.or(q.since);
    room.catch_up_for_resume(since).await;
    let sub = room.subscribe_with(viewer, you, since, format);
    let body = sse::stream(
        room,
        sub,
        viewer,
        state.settings.clone(),
        state.metrics.clone(),
        req.conn_data::<std::sync::Arc<crate::http::net::KillSwitch>>()
            .cloned(),
    );
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body))
}
