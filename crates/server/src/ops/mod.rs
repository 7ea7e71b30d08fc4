//! What operators watch: Prometheus metrics (`metrics.rs`, served at `/metrics`) and the log
//! setup (`telemetry.rs`).

pub mod metrics;
pub mod telemetry;
