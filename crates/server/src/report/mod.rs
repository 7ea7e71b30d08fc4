//! What the organizer and the municipality's records get after a meeting: the report and the
//! public archive page as server-rendered HTML/CSV (`render.rs`, figures from the pure
//! `borgermode_domain::report`), the exports of the whole log (`export.rs`, shared by the API
//! and `borgermode export`), the archive's search (`archive_search.rs`), and the audit-chain
//! check (`audit.rs`, `borgermode audit verify`).

pub mod archive_search;
pub mod audit;
pub mod export;
pub mod render;
