//! Typed rejections. Every variant has a stable snake_case [`DomainError::code`] that clients
//! can rely on; the server maps it to an HTTP status and problem+json.

use crate::code::Code;
use chrono::{DateTime, Utc};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("you are not allowed to do this")]
    Forbidden,
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("invalid {field}: {message}")]
    Validation {
        field: &'static str,
        message: String,
    },
    /// `field`: the text that is too long, named as in the request body (`body` for posts,
    /// notices and answers; `question`, `options`, `text`, `title`, ... for polls and the
    /// agenda), so that a client shows the message next to it.
    #[error("the text is longer than {max} characters")]
    BodyTooLong { field: &'static str, max: u32 },
    #[error("this name is reserved for the meeting's panel and moderators")]
    NameReserved,
    #[error("the meeting has not opened yet")]
    MeetingNotOpen,
    #[error("the meeting is closed")]
    MeetingClosed,
    #[error("you are muted until {until}")]
    Muted { until: DateTime<Utc> },
    #[error("you have been removed from this meeting")]
    Banned,
    #[error("slow mode is on: wait {retry_after_secs} s before posting again")]
    SlowMode { retry_after_secs: u64 },
    #[error("too many requests: wait {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("{0}")]
    InvalidState(&'static str),
    #[error("this question is already claimed by someone else")]
    AlreadyClaimed,
    /// The acting participant's session is over: they were erased on request, or their staff
    /// link was revoked. Code `unauthorized`, the same answer an instance gives whose session
    /// store no longer knows the token, so every instance answers alike.
    #[error("your session has ended; sign in again")]
    SessionEnded,
    #[error("the poll has not been launched")]
    PollNotOpen,
    #[error("the poll is closed")]
    PollClosed,
    /// Editing or deleting a poll that has been launched: its answers refer to what it asked.
    #[error("the poll has been launched and can no longer be changed")]
    PollLaunched,
    #[error("pick at most {max}")]
    TooManyChoices { max: u32 },
}

impl DomainError {
    /// Stable machine-readable code, as it goes on the wire.
    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
    }

    /// The code in the catalogue ([`Code`]).
    pub fn error_code(&self) -> Code {
        match self {
            DomainError::Forbidden => Code::Forbidden,
            DomainError::NotFound(_) => Code::NotFound,
            DomainError::Validation { .. } => Code::ValidationFailed,
            DomainError::BodyTooLong { .. } => Code::BodyTooLong,
            DomainError::NameReserved => Code::NameReserved,
            DomainError::MeetingNotOpen => Code::MeetingNotOpen,
            DomainError::MeetingClosed => Code::MeetingClosed,
            DomainError::Muted { .. } => Code::Muted,
            DomainError::Banned => Code::Banned,
            DomainError::SlowMode { .. } => Code::SlowMode,
            DomainError::RateLimited { .. } => Code::RateLimited,
            DomainError::InvalidState(_) => Code::InvalidState,
            DomainError::AlreadyClaimed => Code::AlreadyClaimed,
            DomainError::SessionEnded => Code::Unauthorized,
            DomainError::PollNotOpen => Code::PollNotOpen,
            DomainError::PollClosed => Code::PollClosed,
            DomainError::PollLaunched => Code::PollLaunched,
            DomainError::TooManyChoices { .. } => Code::TooManyChoices,
        }
    }

    pub fn validation(field: &'static str, message: impl Into<String>) -> Self {
        DomainError::Validation {
            field,
            message: message.into(),
        }
    }

    /// Seconds after which a retry may succeed, for `Retry-After`.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            DomainError::SlowMode { retry_after_secs }
            | DomainError::RateLimited { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }
}
