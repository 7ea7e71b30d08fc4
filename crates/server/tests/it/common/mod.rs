//! Helpers shared by the server's integration tests. Each test binary uses a different subset.
// Stays while every tests/*.rs is its own binary: each compiles this module anew and uses only
// part of it, so the rest is dead code *in that binary*. It can go once they are one binary.

pub mod abandoned_appends;
pub mod app;
pub mod client;
pub mod client_agenda_polls;
pub mod client_organizations;
pub mod cluster;
pub mod erased_answers;
pub mod failed_append;
pub mod fleet;
pub mod followup_conformance;
pub mod org_conformance;
pub mod pg;
pub mod routes;
pub mod store_conformance;
pub mod store_events;
pub mod stores;
