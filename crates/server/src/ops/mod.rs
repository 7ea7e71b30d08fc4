//! What operators watch: Prometheus metrics (`metrics.rs`, served at `/metrics`; the per-event
//! latency breakdown in `breakdown.rs`) and the log setup (`telemetry.rs`).

pub mod breakdown;
pub mod metrics;
pub mod telemetry;
