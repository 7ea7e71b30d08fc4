//! borgermode server library: everything `main.rs` and the integration tests share.
//!
//! Data flow of one comment: `api::posts` (HTTP command) -> `live::room::Room::execute`
//! (domain `decide` under the room's write lock) -> `store::Store::append` (seq assigned,
//! committed) -> `bus::Bus::publish` (other instances) and `Room::ingest` (projection applied in
//! seq order, frames rendered once per audience, broadcast) -> `live::socket` / `live::sse`
//! tasks (one per connection) -> clients.

pub mod api;
pub mod app;
pub mod audit;
pub mod auth;
pub mod branding;
pub mod bus;
pub mod content_key;
pub mod demo;
pub mod export;
pub mod healthcheck;
pub mod kit;
pub mod live;
pub mod mail;
pub mod markdown;
pub mod metrics;
pub mod net;
pub mod passwords;
pub mod report_render;
pub mod settings;
pub mod store;
pub mod telemetry;
pub mod web;

pub use app::Application;
pub use settings::Settings;
