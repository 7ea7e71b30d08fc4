//! Events to append in the store tests that look behind one store's back (`store_sqlite.rs`,
//! `store_postgres.rs`, `abandoned_appends.rs`): a plain meeting, its posts, and an append that
//! must commit. (The conformance suite has its own richer samples.)

use borgermode_domain::event::Actor;
use borgermode_domain::{Content, EventKind, MeetingDetails, MeetingSettings, PostKind, Source};
use borgermode_server::store::PendingEvent;

pub use super::store_conformance::commit as committed;
use super::store_conformance::now;

/// `kind` by the organizer, now (whole microseconds, as PostgreSQL keeps them).
pub fn organizer(kind: EventKind) -> PendingEvent {
    PendingEvent {
        at: now(),
        actor: Actor::Organizer,
        kind,
    }
}

/// A meeting with default settings.
pub fn created() -> EventKind {
    EventKind::MeetingCreated {
        details: MeetingDetails {
            title: "Borgermøde".to_owned(),
            description: String::new(),
            starts_at: None,
            ends_at: None,
            language: borgermode_domain::Language::Da,
            video_url: None,
        },
        settings: MeetingSettings::default(),
    }
}

fn post(post_kind: PostKind, body: &str) -> EventKind {
    EventKind::PostCreated {
        post_kind,
        parent: None,
        body: Content::new(body),
        source: Source::Online,
        held: None,
    }
}

pub fn comment(body: &str) -> EventKind {
    post(PostKind::Comment, body)
}

pub fn question(body: &str) -> EventKind {
    post(PostKind::Question, body)
}
