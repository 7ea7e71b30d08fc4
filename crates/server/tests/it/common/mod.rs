//! Helpers shared by the server's integration tests (one binary, `tests/it`): the app and
//! cluster spawners, the typed client and its routes, the store conformance suites and the
//! fixtures several modules share. docs/ARCHITECTURE.md's Testing section says which is which.

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
