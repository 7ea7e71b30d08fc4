//! `/healthz`: the process answers. `/readyz`: the store answers (and the bus is connected);
//! load balancers route only to ready instances.

use actix_web::{web, HttpResponse};
use borgermode_protocol::http::Readiness;

use super::State;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz));
}

#[utoipa::path(get, path = "/healthz", tag = "operations", operation_id = "healthz", responses((status = 200, description = "The process is up", content_type = "text/plain", body = String)))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

#[utoipa::path(get, path = "/readyz", tag = "operations", operation_id = "readyz",
    responses((status = 200, body = Readiness), (status = 503, body = Readiness, description = "not ready: the body says what is down")))]
pub async fn readyz(state: State) -> HttpResponse {
    let store_ok = state.store.ping().await.is_ok();
    let bus_ok = state.hub.bus().healthy();
    let shutting_down = state
        .shutting_down
        .load(std::sync::atomic::Ordering::Relaxed);
    let body = Readiness {
        status: if shutting_down {
            "shutting_down"
        } else if !store_ok {
            "unavailable"
        } else if !bus_ok {
            "degraded"
        } else {
            "ready"
        }
        .into(),
        store: format!(
            "{}: {}",
            state.store.kind(),
            if store_ok { "ok" } else { "unreachable" }
        ),
        bus: format!(
            "{}: {}",
            state.hub.bus().kind(),
            if bus_ok { "ok" } else { "disconnected" }
        ),
    };
    if store_ok && !shutting_down {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
