//! The catalogue of error codes: every stable, machine-readable `code` the server can answer
//! with, in a problem+json body or a live stream's `error` frame. Clients branch on these, so
//! they are part of the wire format (re-exported as `borgermode_protocol::Code`) and change
//! only with a protocol version.
//!
//! Why one enum, in the pure crate: domain errors, HTTP-level errors and stream frames used to
//! spell their codes as loose strings in a dozen places, and one of them was never documented.
//! Now every producer names a variant; `Code::ALL` lists them all (the macro below keeps the
//! list and the enum in step), and a server test checks each against docs/protocol.md and the
//! OpenAPI document.

macro_rules! codes {
    ($($(#[doc = $doc:literal])* $variant:ident => $text:literal,)*) => {
        /// A stable error code; `as_str` is its wire form.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Code {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Code {
            /// Every code, in the order of the catalogue.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)*
                }
            }
        }
    };
}

codes! {
    /// No usable credentials, or a session that ended (revoked, erased).
    Unauthorized => "unauthorized",
    /// Organizer sign-in: wrong e-mail address or password.
    InvalidCredentials => "invalid_credentials",
    InviteUsed => "invite_used",
    InviteExpired => "invite_expired",
    EmailTaken => "email_taken",
    Forbidden => "forbidden",
    OriginForbidden => "origin_forbidden",
    Muted => "muted",
    Banned => "banned",
    NotFound => "not_found",
    ValidationFailed => "validation_failed",
    BodyTooLong => "body_too_long",
    NameReserved => "name_reserved",
    MeetingNotOpen => "meeting_not_open",
    MeetingClosed => "meeting_closed",
    /// The archive of a meeting that is not closed yet.
    MeetingNotClosed => "meeting_not_closed",
    /// Announcement texts for a meeting without a start time.
    MeetingHasNoTime => "meeting_has_no_time",
    InvalidState => "invalid_state",
    AlreadyClaimed => "already_claimed",
    PollNotOpen => "poll_not_open",
    PollClosed => "poll_closed",
    PollLaunched => "poll_launched",
    TooManyChoices => "too_many_choices",
    MailOff => "mail_off",
    SlowMode => "slow_mode",
    RateLimited => "rate_limited",
    BodyTimeout => "body_timeout",
    /// The request body broke off before it was complete.
    InvalidBody => "invalid_body",
    InvalidJson => "invalid_json",
    UnsupportedMediaType => "unsupported_media_type",
    InvalidIdempotencyKey => "invalid_idempotency_key",
    WebsocketRequired => "websocket_required",
    PayloadTooLarge => "payload_too_large",
    Busy => "busy",
    StoreUnavailable => "store_unavailable",
    ShuttingDown => "shutting_down",
    /// Live stream only: a message other than `{"t":"ping"}` (commands go over HTTP).
    UnknownFrame => "unknown_frame",
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for c in Code::ALL {
            let s = c.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert!(
                !s.is_empty() && s.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'),
                "{s}"
            );
        }
        assert_eq!(seen.len(), Code::ALL.len());
    }
}
