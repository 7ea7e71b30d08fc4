//! Logging: tracing-subscriber with `RUST_LOG` (default `info`). Spans carry method, path,
//! status and meeting ids; never tokens, secrets or post bodies.

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}
