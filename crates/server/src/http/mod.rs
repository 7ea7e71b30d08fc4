//! Everything that speaks HTTP: the `/api` commands and queries (`api/`), the browser client's
//! pages and files (`pages.rs`), the meeting kit for the organizer's communication (`kit/`:
//! calendar file, link previews, poster), and the wrapper around every accepted connection
//! (`net.rs`), and `errors.rs`, what every part answers when it refuses (problem+json). The
//! live streams' HTTP ends (WebSocket upgrade, SSE) are in `crate::live`.
//!
//! Layering: this floor reads the shared state (`crate::state`), the live rooms, the store and
//! the renderers below it; nothing below imports from here. Within it, `pages.rs` and `kit/`
//! use only `errors.rs` and `crate::state`, and `api/` may use them: no cycle.

pub mod api;
pub mod errors;
pub mod kit;
pub mod net;
pub mod pages;
