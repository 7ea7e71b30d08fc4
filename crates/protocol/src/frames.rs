//! Live-stream frames (WebSocket text messages; SSE `data:` lines carry the same JSON).
//!
//! Ordering rules a client relies on:
//! - `event` frames carry the meeting's gapless `seq`; every seq reaches every audience, as a
//!   `redacted` frame when its content is not for this audience.
//! - A client keeps the last seq it applied, drops frames at or below it, and on reconnect asks
//!   for `since=<that seq>`.
//! - `notice`, `votes`, `presence`, `error`, `pong` and `reconnect` frames carry no seq of
//!   their own (a notice names the event it belongs to).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use borgermode_domain::{Counters, MeetingId, NoticeKind};

use crate::views::{Audience, MeetingView, PostView, StaffView, YouView};

/// Server -> client.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum ServerFrame {
    /// First frame on every connection.
    Hello {
        protocol: u32,
        meeting: MeetingId,
        audience: Audience,
        you: Option<YouView>,
        heartbeat_ms: u64,
        /// The installation's time zone (IANA name, e.g. `Europe/Copenhagen`): pages show
        /// times in it, whatever the device's own zone is.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        time_zone: Option<String>,
    },
    /// Full state at `seq` (sent when the client did not ask for `since`, or asked for a seq
    /// the server no longer has).
    Snapshot {
        seq: u64,
        meeting: MeetingView,
        posts: Vec<PostView>,
        watching: u32,
    },
    /// One log entry, as this audience sees it.
    Event(EventFrame),
    /// After a `since` replay: everything up to `seq` was sent; live frames follow.
    CaughtUp {
        seq: u64,
    },
    /// Coalesced vote counts that changed (post id, count). After a `since` replay, one
    /// `votes` frame with the count of every post that has (or had) votes, as of the
    /// replay's seq, precedes `caught_up`.
    Votes {
        counts: Vec<(u64, u32)>,
    },
    /// A poll's current results, coalesced (at most every `coalesce_ms` per meeting, 250 ms by
    /// default). Sent to the public only while `results_public`; staff always. After a
    /// snapshot or a `since` replay, one per launched poll whose results this audience may
    /// see precedes `caught_up` / follows the snapshot.
    PollResults {
        poll: u64,
        results: borgermode_domain::PollResults,
        /// When the server took this snapshot (ms since the Unix epoch, server clock). Two
        /// coalesced snapshots of a meeting are at least `coalesce_ms` apart by this clock,
        /// however late they arrive; a client that gets two at once can keep the newer one.
        /// Optional: absent from servers before it was added.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_ms: Option<i64>,
    },
    /// How many are watching right now.
    Presence {
        watching: u32,
    },
    /// For one person only: something happened to your post or to you.
    Notice(NoticeFrame),
    /// Something the client sent was refused; the connection stays open.
    Error {
        code: String,
        message: String,
    },
    Pong,
    /// Sent before the server closes a resumable connection: reconnect with `since` after
    /// `retry_after_ms`.
    Reconnect {
        reason: String,
        retry_after_ms: u64,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EventFrame {
    pub seq: u64,
    pub at: DateTime<Utc>,
    /// Event type, e.g. `post_created`, `question_answered` (see docs/protocol.md).
    #[serde(rename = "type")]
    pub kind: String,
    /// True when this audience may not see the content: only seq, type and time are sent.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub redacted: bool,
    /// Posts changed by the event, rendered for this audience: upsert them by id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub posts: Vec<PostView>,
    /// Set when the meeting's details, status, settings or pins changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting: Option<Box<MeetingView>>,
    /// Current counters, on every event that can change them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counters: Option<Counters>,
    /// Staff changes (panelist added or revoked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff: Option<StaffView>,
    /// Participant-related staff-only details (joins, mutes, bans).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant: Option<ParticipantEventView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ParticipantEventView {
    pub participant_id: borgermode_domain::ParticipantId,
    pub name: String,
    pub muted_until: Option<DateTime<Utc>>,
    pub banned: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NoticeFrame {
    /// The event this notice belongs to.
    pub seq: u64,
    pub kind: NoticeKind,
    /// Your post as it is now (with the moderator's reason where there is one).
    pub post: Option<PostView>,
    pub muted_until: Option<DateTime<Utc>>,
}

/// Client -> server. Everything else is refused with an `error` frame (`unknown_frame`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum ClientFrame {
    Ping,
}
