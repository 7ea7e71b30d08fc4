//! The live side: rooms (one per active meeting), the hub that owns them, and the two stream
//! transports (WebSocket, SSE) that carry their frames to clients.

pub mod cadence;
pub mod hub;
pub mod polls;
pub mod render;
pub mod room;
pub mod shards;
pub mod socket;
pub mod sse;
pub mod upgrade;
pub mod votes;
pub mod wire_actix;
pub mod wire_direct;
pub mod ws_frame;
