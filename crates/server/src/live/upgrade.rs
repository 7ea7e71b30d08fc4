//! Hands the TCP socket of an accepted WebSocket upgrade to its connection task.
//!
//! actix-http calls this service for every request that asks to upgrade the connection, with
//! the request and the raw socket. We run the request through the normal application first, so
//! routing, Origin check, rate limits, authentication and their problem+json answers stay in one
//! place (`http/api/streams.rs`). When that route accepts, its 101 response carries a
//! [`PendingLive`] in its extensions: we write the handshake answer ourselves and give the socket
//! to `live::socket::Connection`, which from then on is the only one to touch it (no actix-ws
//! channel, no HTTP dispatcher and its buffers in between). Any other answer is written back as
//! a plain HTTP response and the connection is closed.

use std::fmt::Write as _;
use std::rc::Rc;
use std::sync::Arc;

use actix_codec::Framed;
use actix_http::{h1, Request};
use actix_service::{fn_service, Service, ServiceFactory};
use actix_web::body::MessageBody;
use actix_web::dev::ServiceResponse;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::http::net::GuardedIo;

use crate::live::render::Viewer;
use crate::live::room::{Room, Subscription};
use crate::live::shards::ShardSlot;
use crate::live::socket::Connection;
use crate::live::wire_direct::DirectWire;
use crate::ops::metrics::Metrics;
use crate::settings::Settings;

/// An authorized live-stream subscription waiting for its socket. Put into the 101 response's
/// extensions by the WebSocket route.
pub(crate) struct PendingLive {
    pub room: Arc<Room>,
    pub sub: Subscription,
    pub viewer: Viewer,
    pub settings: Arc<Settings>,
    pub metrics: Arc<Metrics>,
    /// Where the connection task runs (a live shard, `live/shards.rs`), counted there while
    /// the connection lasts.
    pub shard: ShardSlot,
}

/// The upgrade service factory for `HttpService::upgrade`: `app` is a second instance of the
/// application (per worker) that the upgrade requests are routed through.
pub fn factory<F, S, B>(
    app: F,
) -> impl ServiceFactory<
    (Request, Framed<GuardedIo, h1::Codec>),
    Config = (),
    Response = (),
    Error = actix_web::Error,
    InitError = (),
>
where
    F: ServiceFactory<
            Request,
            Config = (),
            Service = S,
            Response = ServiceResponse<B>,
            Error = actix_web::Error,
        > + 'static,
    F::InitError: std::fmt::Debug,
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    let app = Rc::new(app);
    actix_service::fn_factory(move || {
        let app = app.clone();
        async move {
            let svc = Rc::new(app.new_service(()).await.map_err(|e| {
                tracing::error!(error = ?e, "could not start the upgrade service");
            })?);
            Ok::<_, ()>(fn_service(
                move |(req, framed): (Request, Framed<GuardedIo, h1::Codec>)| {
                    let svc = svc.clone();
                    async move { Ok(upgrade(svc, req, framed).await?) }
                },
            ))
        }
    })
}

async fn upgrade<S, B>(
    app: Rc<S>,
    req: Request,
    framed: Framed<GuardedIo, h1::Codec>,
) -> Result<(), std::io::Error>
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody + 'static,
{
    let res = match app.call(req).await {
        Ok(res) => res.into_parts().1.map_into_boxed_body(),
        Err(e) => e.error_response(),
    };
    let parts = framed.into_parts();
    // The live connection leaves the HTTP dispatcher and its per-address count (it has the
    // connect limiter and limits of its own).
    let mut io = parts.io.into_inner();
    let mut res = res;
    let pending = res.extensions_mut().remove::<PendingLive>();
    let status = res.status();
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    for (name, value) in res.headers() {
        if let Ok(v) = value.to_str() {
            let _ = write!(head, "{}: {}\r\n", name, v);
        }
    }
    match pending {
        Some(p) if status.as_u16() == 101 => {
            // actix-http keeps the connection type out of the header map (its encoder writes
            // it); we write the head ourselves.
            head.push_str("connection: upgrade\r\n\r\n");
            io.write_all(head.as_bytes()).await?;
            let max = p.settings.ws_max_message;
            let early = parts.read_buf.to_vec();
            // The connection leaves this HTTP worker for its live shard (`live/shards.rs`). Why:
            // a fan-out wakes every connection of the room; on the worker those wake-ups queue
            // in front of the next command (its request and its commit). On the shards (one
            // thread per CPU) the sweep of one event is split over the cores and the commands
            // keep flowing; a connection that is behind finds several events waiting and
            // writes them in one `writev` (`Connection::deliver`), so the cost per delivery
            // falls as load rises.
            let io = io.into_std()?;
            let shard = p.shard;
            let runtime = shard.handle.clone();
            runtime.spawn(async move {
                let _shard = shard;
                let io = match TcpStream::from_std(io) {
                    Ok(io) => io,
                    Err(e) => {
                        tracing::warn!(error = %e, "websocket: registering the socket failed");
                        return;
                    }
                };
                let conn = Connection {
                    wire: DirectWire::new(io, early, max),
                    room: p.room,
                    sub: p.sub,
                    viewer: p.viewer,
                    settings: p.settings,
                    metrics: p.metrics,
                };
                conn.run().await
            });
        }
        _ => {
            let body = actix_web::body::to_bytes(res.into_body())
                .await
                .unwrap_or_default();
            let _ = write!(
                head,
                "content-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            io.write_all(head.as_bytes()).await?;
            io.write_all(&body).await?;
            io.shutdown().await?;
        }
    }
    Ok(())
}
