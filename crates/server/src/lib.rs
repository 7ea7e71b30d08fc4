//! borgermode server library: everything `main.rs` and the integration tests share.
//!
//! Data flow of one comment: `http::api::posts` (HTTP command) -> `live::room::Room::execute`
//! (domain `decide` under the room's write lock) -> `store::Store::append` (seq assigned,
//! committed) -> `bus::Bus::publish` (other instances) and `Room::ingest` (projection applied in
//! seq order, frames rendered once per audience, broadcast) -> `live::socket` / `live::sse`
//! tasks (one per connection) -> clients.

// The top: building and running an instance, and the binary's other jobs.
pub mod app;
pub mod cli;
pub mod settings;

// HTTP: commands and queries, pages, the meeting kit, the connection wrapper.
pub mod http;

// Live meetings: rooms, the hub, WebSocket and SSE streams; the bus between instances.
pub mod bus;
pub mod live;

// Below the live layer: shared state, storage, and what is rendered or sent from it.
pub mod content;
pub mod locales;
pub mod mail;
pub mod ops;
pub mod report;
pub mod security;
pub mod state;
pub mod store;

pub use app::Application;
pub use settings::Settings;
