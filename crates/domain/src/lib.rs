//! The pure domain of a borgermode town meeting.
//!
//! Why this crate exists: every rule about who may do what in a meeting, and every state change,
//! lives here as plain functions over plain data, so that the HTTP handlers (where commands
//! arrive), the rooms and hub (which apply events and send them out over WebSocket and SSE), the
//! stores and the tests all share one rule set and one projection. Nothing here does I/O, awaits,
//! reads a clock or draws randomness: the caller passes `now` and fresh ids in.
//!
//! The flow is always the same:
//! 1. [`decide()`] checks a [`Command`] from an [`Actor`](event::Actor) against the current
//!    [`MeetingState`] and returns the [`EventKind`]s it would cause (or a typed
//!    [`DomainError`]). The rules are grouped by command family under `decide/`, one module and
//!    one test file (`tests/<family>.rs`) per family; see the [`decide`](mod@decide) module.
//! 2. The store appends them to the meeting's log, assigning gapless `seq` numbers.
//! 3. [`MeetingState::apply`] folds each stored [`Event`] into the projection, on every instance.

pub mod agenda;
pub mod audit;
pub mod code;
pub mod command;
pub mod decide;
pub mod error;
pub mod event;
pub mod ids;
pub mod notices;
pub mod poll;
pub mod poll_results;
pub mod projection;
pub mod report;
#[cfg(feature = "test-support")]
pub mod samples;
pub mod similar;
pub mod text;
pub mod types;
pub mod workdays;

pub use agenda::{Agenda, AgendaItem, AgendaItemDetails};
pub use code::Code;
pub use command::{Command, Context, Limits};
pub use decide::{authorize_vote, decide, decide_group, groupable, Decision};
pub use error::DomainError;
pub use event::{Content, ContentRef, DemographicCount, Event, EventKind};
pub use ids::{AgendaItemId, MeetingId, ParticipantId, PollId, PostId, Seq};
pub use notices::{notices_for, Notice, NoticeKind};
pub use poll::{
    check_answer, CheckedAnswer, Poll, PollAnswer, PollDefinition, PollKind, PollStatus, Polls,
    ResultsShown,
};
pub use poll_results::PollResults;
pub use projection::{
    Counters, MeetingState, PanelistFigures, Participant, Post, Question, QueueSort,
};
pub use types::*;
