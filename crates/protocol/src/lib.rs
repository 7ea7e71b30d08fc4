//! The borgermode wire format, in one place.
//!
//! Why this crate exists: the server, the load generator, the tests and any third-party Rust
//! client must agree byte for byte on what travels over HTTP and the live stream. Defining every
//! body and frame here once (and nowhere else) makes a wire change a compile error everywhere.
//!
//! - [`http`]: request and response bodies of the `/api` commands and queries.
//! - [`frames`]: server-to-client and client-to-server frames of the WebSocket and SSE streams.
//! - [`organizations`]: organizations, branding and organizer accounts.
//! - [`views`]: the shapes of meetings, posts and people as a given audience sees them.
//! - [`lean`]: protocol version 2's lean `event` frame (`?v=2` on the stream URL).
//!
//! Versioning: [`PROTOCOL_VERSION`] is sent in the `hello` frame. Adding an optional field is
//! not a version change; renaming, removing or changing the meaning of one is. A stream is
//! version 1 unless the client asks for version 2 ([`lean::LEAN_PROTOCOL_VERSION`]) with
//! `?v=2`; both are served side by side.

pub mod close_codes;
pub mod frames;
pub mod http;
pub mod lean;
pub mod organizations;
pub mod views;

/// Version of the live-stream and HTTP body format.
pub const PROTOCOL_VERSION: u32 = 1;

/// Re-exported so that clients need only this crate.
pub use borgermode_domain::{
    AgeBand, Code, Counters, Gender, HideReason, HoldReason, Language, MeetingId, MeetingSettings,
    MeetingStatus, NoticeKind, ParticipantId, PollAnswer, PollDefinition, PollKind, PollResults,
    PollStatus, PostId, PostKind, QueueSort, ResultsShown, Role, Seq, StaffRole,
};
