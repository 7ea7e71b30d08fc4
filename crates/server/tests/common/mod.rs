//! Helpers shared by the server's integration tests. Each test binary uses a different subset.
#![allow(dead_code)]

pub mod app;
pub mod cluster;
pub mod fleet;
pub mod followup_conformance;
pub mod org_conformance;
pub mod pg;
pub mod routes;
pub mod store_conformance;
