//! `GET /metrics` (Prometheus text format) and the middleware that counts HTTP responses by
//! status class (and stamps when a command arrived, for the latency breakdown).
//!
//! Who may read it: the figures say how many people watch which installation and how busy it
//! is, so `/metrics` is off unless `--metrics-token` (`BORGERMODE_METRICS_TOKEN`) is set, and
//! then needs `Authorization: Bearer <token>` (Prometheus `authorization.credentials`). Without
//! a token it answers 404, as if it did not exist. The deploy configs also keep it away from the
//! public side (nginx answers 404 for it; the Ingress routes only the app).

use std::future::{ready, Ready};
use std::sync::Arc;
use std::time::Instant;

use actix_web::dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::{header, Method};
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use futures_util::future::LocalBoxFuture;
use sha2::{Digest, Sha256};

use super::State;
use crate::http::errors::ApiError;
use crate::ops::metrics::{Gauges, Metrics};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/metrics", web::get().to(metrics));
}

/// Whether the request carries the configured token. Both sides are hashed first, so the
/// comparison takes the same time whatever the guess.
fn authorized(expected: &str, req: &HttpRequest) -> bool {
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or("");
    let a = Sha256::digest(given.as_bytes());
    let b = Sha256::digest(expected.trim().as_bytes());
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// Not in the OpenAPI document: it is for operators, not for clients (docs/operations.md).
pub async fn metrics(state: State, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let Some(token) = state.settings.metrics_token() else {
        return Err(ApiError::NotFound("page"));
    };
    if !authorized(token, &req) {
        return Err(ApiError::Unauthorized);
    }
    let rooms = state.hub.loaded_rooms();
    let gauges = Gauges {
        rooms_loaded: rooms.len(),
        watchers: rooms.iter().map(|r| u64::from(r.watchers())).sum(),
        bus_connected: state.hub.bus().healthy(),
        bus_publish_failures: state.hub.bus().publish_failures(),
        shutting_down: state
            .shutting_down
            .load(std::sync::atomic::Ordering::Relaxed),
    };
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(state.metrics.render(gauges)))
}

/// When a command request reached the server (in the request's extensions).
#[derive(Clone, Copy, Debug)]
pub struct Received(pub Instant);

impl Received {
    /// The request's arrival, or now for a request the middleware did not see.
    pub fn of(req: &HttpRequest) -> Instant {
        req.extensions()
            .get::<Received>()
            .map_or_else(Instant::now, |r| r.0)
    }
}

/// Counts every response by status class (and 429s apart): one atomic add per request.
pub struct CountResponses(pub Arc<Metrics>);

impl<S, B> Transform<S, ServiceRequest> for CountResponses
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Transform = CountResponsesMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(CountResponsesMiddleware {
            service,
            metrics: self.0.clone(),
        }))
    }
}

pub struct CountResponsesMiddleware<S> {
    service: S,
    metrics: Arc<Metrics>,
}

impl<S, B> Service<ServiceRequest> for CountResponsesMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        // Commands (every method but GET/HEAD) note when they arrived, before their body is
        // read: the start of their events' latency breakdown (`run_command`).
        if !matches!(*req.method(), Method::GET | Method::HEAD) {
            req.extensions_mut().insert(Received(Instant::now()));
        }
        let fut = self.service.call(req);
        let metrics = self.metrics.clone();
        Box::pin(async move {
            let res = fut.await;
            let status = match &res {
                Ok(r) => r.status().as_u16(),
                Err(e) => e.as_response_error().status_code().as_u16(),
            };
            metrics.http_response(status);
            res
        })
    }
}
