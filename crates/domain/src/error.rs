//! Typed rejections. Every variant has a stable snake_case [`DomainError::code`] that clients
//! can rely on; the server maps it to an HTTP status and problem+json.

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
    #[error("the text is longer than {max} characters")]
    BodyTooLong { max: u32 },
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
}

impl DomainError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::Forbidden => "forbidden",
            DomainError::NotFound(_) => "not_found",
            DomainError::Validation { .. } => "validation_failed",
            DomainError::BodyTooLong { .. } => "body_too_long",
            DomainError::NameReserved => "name_reserved",
            DomainError::MeetingNotOpen => "meeting_not_open",
            DomainError::MeetingClosed => "meeting_closed",
            DomainError::Muted { .. } => "muted",
            DomainError::Banned => "banned",
            DomainError::SlowMode { .. } => "slow_mode",
            DomainError::RateLimited { .. } => "rate_limited",
            DomainError::InvalidState(_) => "invalid_state",
            DomainError::AlreadyClaimed => "already_claimed",
            DomainError::SessionEnded => "unauthorized",
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
