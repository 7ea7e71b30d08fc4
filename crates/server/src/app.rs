//! `Application`: wires settings, store, bus, hub and HTTP routes together. `main.rs` and the
//! integration tests (`spawn_app`) build the server the same way, through `Application::build`.

use std::net::TcpListener;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use actix_http::{Extensions, HttpService, KeepAlive};
use actix_service::{map_config, IntoServiceFactory, ServiceFactory, ServiceFactoryExt};
use actix_web::body::MessageBody;
use actix_web::dev::{AppConfig, Server, ServerHandle, ServiceRequest, ServiceResponse};
use actix_web::middleware::{DefaultHeaders, NormalizePath, TrailingSlash};
use actix_web::{web, App};
use anyhow::Context as _;
use tokio::net::TcpStream;

use crate::bus::local::LocalBus;
use crate::bus::redis::RedisBus;
use crate::bus::Bus;
use crate::http::net::GuardedIo;
use crate::http::pages as client;
use crate::http::{api, errors};
use crate::live;
use crate::live::hub::Hub;
use crate::ops::metrics::Metrics;
use crate::settings::{Settings, WsEngine};
use crate::state::AppState;
use crate::store::sqlite::SqliteStore;
use crate::store::Store;

pub struct Application {
    server: Server,
    port: u16,
    state: web::Data<AppState>,
    /// The admin token, when it was generated during this start (printed once by main).
    pub new_admin_token: Option<String>,
}

/// Open the configured store.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Arc<dyn Store>> {
    if settings.is_postgres() {
        let store = crate::store::postgres::PostgresStore::connect(&settings.database_url)
            .await
            .context("connecting to PostgreSQL (DATABASE_URL)")?;
        return Ok(Arc::new(store));
    }
    let path = settings.sqlite_path().context("unsupported DATABASE_URL")?;
    let store = SqliteStore::open(&path)
        .await
        .with_context(|| format!("opening SQLite database {}", path.display()))?;
    Ok(Arc::new(store))
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        settings.validate().map_err(anyhow::Error::msg)?;
        let store = open_store(&settings).await?;
        Self::build_with_store(settings, store).await
    }

    pub async fn build_with_store(
        settings: Settings,
        store: Arc<dyn Store>,
    ) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(settings.bind)
            .with_context(|| format!("binding {}", settings.bind))?;
        let port = listener.local_addr()?.port();
        let mut settings = settings;
        settings.content_hash_key = Some(
            crate::security::content_key::load_or_create(
                store.as_ref(),
                settings.content_hash_key.as_deref(),
            )
            .await
            .context("reading the content hash key")?,
        );
        if settings.public_url.is_none() {
            settings.public_url = Some(format!("http://{}:{}", settings.bind.ip(), port));
        }
        let settings = Arc::new(settings);
        let bus: Arc<dyn Bus> = match &settings.redis_url {
            Some(url) => Arc::new(RedisBus::new(url, &settings.redis_prefix).context("REDIS_URL")?),
            None => Arc::new(LocalBus),
        };
        let metrics = Arc::new(Metrics::default());
        let hub = Hub::start(settings.clone(), store.clone(), bus, metrics.clone())
            .await
            .context("starting the live shard threads")?;
        let state = web::Data::new(AppState::new(settings.clone(), store, hub, metrics));
        let new_admin_token = state
            .auth
            .ensure_admin_token(settings.admin_token.as_deref())
            .await?;

        let data = state.clone();
        let counted = metrics_of(&state);
        let json_limit = settings.json_limit;
        let send_buffer = settings.socket_send_buffer;
        let addr = listener.local_addr()?;
        // actix-web's `HttpServer`, spelled out, for one reason: `HttpService::upgrade`, which
        // hands the socket of an accepted WebSocket upgrade to the `direct` engine (see
        // `live/upgrade.rs`).
        let builder = actix_server::Server::build()
            .workers(settings.http_workers())
            .disable_signals()
            .shutdown_timeout(settings.shutdown_grace_secs);
        let config = |_: ()| AppConfig::default();
        // HTTP/1.1 with actix-web's `HttpServer` defaults, and bounded kernel send buffers.
        macro_rules! http_service {
            () => {
                HttpService::build()
                    .keep_alive(KeepAlive::default())
                    .client_request_timeout(Duration::from_secs(5))
                    .client_disconnect_timeout(Duration::from_secs(1))
                    .local_addr(addr)
                    .on_connect_ext(move |io: &GuardedIo, ext: &mut Extensions| {
                        bound_send_buffer(io.tcp(), send_buffer);
                        // For the SSE watchdog (`live/sse.rs`): it may have to cut this one.
                        ext.insert(io.kill_switch());
                    })
            };
        }
        let limits = crate::http::net::ConnectionLimits::new(
            settings.max_connections_per_ip,
            settings.trusted_proxies.clone(),
        );
        // Each accepted socket is counted per address and wrapped (`http/net.rs`), then served.
        macro_rules! guarded {
            ($service:expr) => {{
                let limits = limits.clone();
                actix_service::fn_service(move |io: TcpStream| {
                    let admitted = limits
                        .admit(io)
                        .map(|io| {
                            let peer = io.tcp().peer_addr().ok();
                            (io, actix_http::Protocol::Http1, peer)
                        })
                        .map_err(actix_http::error::DispatchError::Io);
                    std::future::ready(admitted)
                })
                .and_then($service)
            }};
        }

        let builder = match settings.ws_engine {
            WsEngine::Direct => builder.listen("borgermode-http", listener, move || {
                let app = http_app(data.clone(), counted.clone(), json_limit);
                let upgrades = http_app(data.clone(), counted.clone(), json_limit);
                guarded!(http_service!()
                    .upgrade(live::upgrade::factory(map_config(
                        upgrades.into_factory(),
                        config,
                    )))
                    .finish(map_config(
                        app.into_factory()
                            .map_err(|err: actix_web::Error| err.error_response()),
                        config,
                    )))
            })?,
            WsEngine::ActixWs => builder.listen("borgermode-http", listener, move || {
                let app = http_app(data.clone(), counted.clone(), json_limit);
                guarded!(http_service!().finish(map_config(
                    app.into_factory()
                        .map_err(|err: actix_web::Error| err.error_response()),
                    config,
                )))
            })?,
        };
        let server = builder.run();
        Ok(Application {
            server,
            port,
            state,
            new_admin_token,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    pub fn handle(&self) -> ShutdownHandle {
        ShutdownHandle {
            server: self.server.handle(),
            state: self.state.clone(),
        }
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// The application: every route and middleware. Built twice per worker: once for ordinary
/// requests, once for connection upgrades (`live/upgrade.rs`).
fn http_app(
    data: web::Data<AppState>,
    counted: Arc<Metrics>,
    json_limit: usize,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(data)
        .app_data(
            web::JsonConfig::default()
                .limit(json_limit)
                .error_handler(errors::json_error),
        )
        .app_data(web::PathConfig::default().error_handler(errors::path_error))
        .app_data(web::QueryConfig::default().error_handler(errors::query_error))
        .wrap(
            DefaultHeaders::new()
                .add(("Content-Security-Policy", client::CSP))
                .add(("X-Content-Type-Options", "nosniff"))
                .add(("Referrer-Policy", "no-referrer"))
                .add(("X-Frame-Options", "DENY")),
        )
        .wrap_fn(|mut req, srv| {
            // Every request body has `--body-read-timeout-ms` to arrive (`net::deadline_payload`).
            let timeout = req
                .app_data::<web::Data<AppState>>()
                .map(|s| Duration::from_millis(s.settings.body_read_timeout_ms))
                .unwrap_or(Duration::from_secs(10));
            let timed_out = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let payload = actix_web::HttpMessage::take_payload(&mut req);
            req.set_payload(crate::http::net::deadline_payload(
                payload,
                timeout,
                timed_out.clone(),
            ));
            let fut = actix_web::dev::Service::call(srv, req);
            async move {
                let res = fut.await?;
                if timed_out.load(Ordering::Acquire) {
                    let (req, _) = res.into_parts();
                    let mut answer =
                        actix_web::ResponseError::error_response(&errors::ApiError::BodyTimeout);
                    answer
                        .head_mut()
                        .set_connection_type(actix_http::ConnectionType::Close);
                    return Ok(ServiceResponse::new(req, answer));
                }
                Ok(res)
            }
        })
        .wrap_fn(|req, srv| {
            // Failed authentications (bearer header or credential cookie) are counted per
            // address (`auth::AuthFailures`).
            let bearer = crate::security::auth::presents_credential(req.request());
            let state = req.app_data::<web::Data<AppState>>().cloned();
            let ip = state
                .as_ref()
                .filter(|_| bearer)
                .map(|s| s.client_ip(req.request()));
            let blocked = match (&state, ip) {
                (Some(s), Some(ip)) => s.auth_failures.blocked(ip),
                _ => None,
            };
            let call = blocked
                .is_none()
                .then(|| actix_web::dev::Service::call(srv, req));
            async move {
                let Some(fut) = call else {
                    let retry_after_secs = blocked.unwrap_or(1);
                    return Err(errors::ApiError::RateLimited { retry_after_secs }.into());
                };
                let res = fut.await?;
                if let (Some(s), Some(ip)) = (&state, ip) {
                    if res.status() == actix_web::http::StatusCode::UNAUTHORIZED {
                        s.auth_failures.failed(ip);
                    }
                }
                Ok(res)
            }
        })
        .wrap(NormalizePath::new(TrailingSlash::Trim))
        .wrap(api::metrics::CountResponses(counted))
        .wrap(tracing_actix_web_lite::RequestSpan)
        .configure(api::configure)
        .configure(client::routes)
        .default_service(web::to(not_found))
}

fn metrics_of(state: &web::Data<AppState>) -> Arc<Metrics> {
    state.metrics.clone()
}

async fn not_found() -> Result<actix_web::HttpResponse, errors::ApiError> {
    Err(errors::ApiError::NotFound("page"))
}

/// Graceful shutdown: refuse new work, tell every live client to reconnect (1012), let
/// in-flight commands finish, stop.
#[derive(Clone)]
pub struct ShutdownHandle {
    server: ServerHandle,
    state: web::Data<AppState>,
}

impl ShutdownHandle {
    pub async fn shutdown(&self) {
        self.state.shutting_down.store(true, Ordering::Relaxed);
        self.state.hub.shutdown();
        // Give connection tasks a moment to send their close frames.
        tokio::time::sleep(Duration::from_millis(200)).await;
        self.server.stop(true).await;
    }
}

/// Per-request span (method, path, status) without logging query strings, headers or bodies,
/// so no token, secret or post text reaches the log at info level.
mod tracing_actix_web_lite {
    use std::future::{ready, Ready};

    use actix_web::dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform};
    use futures_util::future::LocalBoxFuture;
    use tracing::Instrument;

    pub struct RequestSpan;

    impl<S, B> Transform<S, ServiceRequest> for RequestSpan
    where
        S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>
            + 'static,
        B: 'static,
    {
        type Response = ServiceResponse<B>;
        type Error = actix_web::Error;
        type Transform = RequestSpanMiddleware<S>;
        type InitError = ();
        type Future = Ready<Result<Self::Transform, Self::InitError>>;

        fn new_transform(&self, service: S) -> Self::Future {
            ready(Ok(RequestSpanMiddleware { service }))
        }
    }

    pub struct RequestSpanMiddleware<S> {
        service: S,
    }

    impl<S, B> Service<ServiceRequest> for RequestSpanMiddleware<S>
    where
        S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>
            + 'static,
        B: 'static,
    {
        type Response = ServiceResponse<B>;
        type Error = actix_web::Error;
        type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

        forward_ready!(service);

        fn call(&self, req: ServiceRequest) -> Self::Future {
            let span = tracing::info_span!("request", method = %req.method(), path = %req.path(), status = tracing::field::Empty);
            let fut = self.service.call(req);
            Box::pin(
                async move {
                    let res = fut.await;
                    if let Ok(r) = &res {
                        tracing::Span::current().record("status", r.status().as_u16());
                        tracing::debug!("done");
                    }
                    res
                }
                .instrument(span),
            )
        }
    }
}

/// Bound the kernel's send buffer of an accepted connection (see `--socket-send-buffer`): with
/// autotuning a stalled client can park megabytes in the kernel before the server notices.
fn bound_send_buffer(stream: &TcpStream, bytes: usize) {
    if bytes == 0 {
        return;
    }
    if let Err(e) = socket2::SockRef::from(stream).set_send_buffer_size(bytes) {
        tracing::debug!(error = %e, "could not set SO_SNDBUF");
    }
}
