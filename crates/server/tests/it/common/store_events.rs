//! Events to append in the store tests that look behind one store's back (`store_sqlite.rs`,
//! `store_postgres.rs`, `abandoned_appends.rs`): a plain meeting, its posts, an append that
//! must commit, and a log with personal text whose rows each dialect reads raw. (The
//! conformance suite has its own richer samples.)

use borgermode_domain::event::Actor;
use borgermode_domain::{
    Content, Event, EventKind, Gender, MeetingDetails, MeetingId, MeetingSettings, ParticipantId,
    PostKind, Source,
};
use borgermode_server::store::{PendingEvent, Store};

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

/// The personal texts of [`personal_text`]: a citizen's name (seq 2) and a comment (seq 3).
pub const NAME: &str = "Karen Kløvermark";
pub const BODY: &str = "Mit hemmelige spørgsmål";

/// A new meeting whose log holds a citizen's name and a comment; returns it and its events.
pub async fn personal_text(store: &dyn Store) -> (MeetingId, Vec<Event>) {
    let meeting = MeetingId(uuid::Uuid::new_v4());
    let citizen = ParticipantId(uuid::Uuid::new_v4());
    let joined = PendingEvent {
        at: now(),
        actor: Actor::Participant { id: citizen },
        kind: EventKind::ParticipantJoined {
            participant: citizen,
            display_name: Content::new(NAME),
            age_band: None,
            gender: Some(Gender::Other),
        },
    };
    let events = vec![organizer(created()), joined, organizer(comment(BODY))];
    (meeting, committed(store, meeting, 0, events).await)
}

/// The rows of [`personal_text`] as the dialect read them raw: the events' payloads hold no
/// text (the name's hash is kept), the texts are in their own rows.
pub fn assert_stored_apart(payloads: &[String], texts: &[String]) {
    assert_eq!(payloads.len(), 3);
    for payload in payloads {
        assert!(
            !payload.contains(NAME) && !payload.contains(BODY),
            "{payload}"
        );
    }
    assert!(payloads[1].contains(&Content::new(NAME).hash), "hash kept");
    assert_eq!(texts, [NAME.to_owned(), BODY.to_owned()]);
}

/// After the name's row was deleted behind the store's back: the event stays, with its hash,
/// and reads as erased; the other text is untouched.
pub async fn assert_name_reads_as_erased(store: &dyn Store, meeting: MeetingId, events: &[Event]) {
    let read = store.events(meeting, 0, None).await.expect("events");
    assert_eq!(read.len(), 3);
    match &read[1].kind {
        EventKind::ParticipantJoined { display_name, .. } => {
            assert_eq!(display_name.text, None);
            assert_eq!(display_name.hash, Content::new(NAME).hash);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(read[2], events[2], "other text untouched");
}
