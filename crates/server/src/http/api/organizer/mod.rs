//! The organizer's side that is not a meeting command: accounts and sign-in (`accounts.rs`),
//! organizations with their branding and invites (`organizations.rs`), ready-to-paste
//! announcement texts (`announcements.rs`), and after the meeting the report, exports and the
//! public archive (`report.rs`). Every organizer query is scoped by organization
//! (`crate::http::api::scope`). Tests: `crates/server/tests/it/organizations.rs`, `report.rs`,
//! `kit.rs`.

pub mod accounts;
pub mod announcements;
pub mod organizations;
pub mod report;
