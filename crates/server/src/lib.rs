//! borgermode server library: everything `main.rs` and the integration tests share.
//!
//! Data flow of one comment: `api::posts` (HTTP command) -> `live::room::Room::execute`
//! (domain `decide` under the room's write lock) -> `store::Store::append` (seq assigned,
//! committed) -> `Room::ingest` (projection applied in seq order, frames rendered once per
//! audience, broadcast) -> `live::socket` tasks (one per connection) -> clients; and
//! `bus::Bus::publish` so other instances ingest it too.

pub mod store;
