//! Events as the store persists them: JSON round trips, wire names, and the personal text
//! (`Content`) each event carries.

use crate::common::*;
use borgermode_domain::event::Actor;
use borgermode_domain::samples::{every_event_kind, kind_index, EVENT_KINDS};
use borgermode_domain::*;
use chrono::Duration;

/// One of every event kind (`borgermode_domain::samples`, shared with the store's conformance
/// suite).
fn samples() -> Vec<EventKind> {
    every_event_kind(pid(42), pid(43), t0())
}

#[test]
fn samples_cover_every_event_kind() {
    let mut seen = [false; EVENT_KINDS];
    for k in samples() {
        seen[kind_index(&k)] = true;
    }
    let missing: Vec<usize> = (0..EVENT_KINDS).filter(|i| !seen[*i]).collect();
    assert!(missing.is_empty(), "no sample for variants {missing:?}");
}

#[test]
fn every_event_kind_round_trips_through_json() {
    for (i, kind) in samples().into_iter().enumerate() {
        let actor = if i % 2 == 0 {
            Actor::Organizer
        } else {
            who(pid(9))
        };
        let e = Event {
            seq: i as u64 + 1,
            at: t0() + Duration::milliseconds(1234 * i as i64),
            actor,
            kind,
        };
        let json = serde_json::to_string(&e).unwrap();
        let back: Event = serde_json::from_str(&json).unwrap();
        assert_eq!(back, e, "{json}");
        // The kind alone round-trips too, and its tag is the stable wire name.
        let v = serde_json::to_value(&e.kind).unwrap();
        assert_eq!(v["type"], e.kind.name(), "{v}");
        let kind_back: EventKind = serde_json::from_value(v).unwrap();
        assert_eq!(kind_back, e.kind);
    }
}

#[test]
fn wire_names_are_distinct_snake_case() {
    let names: Vec<&str> = samples().iter().map(EventKind::name).collect();
    let mut dedup = names.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(dedup.len(), EVENT_KINDS);
    for n in names {
        assert!(n.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{n}");
    }
}

#[test]
fn json_shape_of_an_event() {
    let e = Event {
        seq: 5,
        at: t0(),
        actor: who(pid(1)),
        kind: EventKind::PostCreated {
            post_kind: PostKind::Comment,
            parent: Some(PostId(3)),
            body: Content::new("hej"),
            source: Source::Online,
            held: None,
        },
    };
    let v = serde_json::to_value(&e).unwrap();
    assert_eq!(v["seq"], 5);
    assert_eq!(v["actor"]["type"], "participant");
    assert_eq!(v["actor"]["id"], "00000000-0000-0000-0000-000000000001");
    assert_eq!(v["kind"]["type"], "post_created");
    assert_eq!(v["kind"]["post_kind"], "comment");
    assert_eq!(v["kind"]["parent"], 3);
    assert_eq!(v["kind"]["source"]["type"], "online");
    assert_eq!(v["kind"]["body"]["text"], "hej");
    let org = serde_json::to_value(Actor::Organizer).unwrap();
    assert_eq!(org, serde_json::json!({"type": "organizer"}));
}

#[test]
fn content_hash_is_sha256_of_the_text() {
    assert_eq!(
        Content::new("").hash,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        Content::new("abc").hash,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    let c = Content::new("Søren");
    assert_eq!(c.as_str(), "Søren");
    assert_ne!(c.hash, Content::new("Soren").hash);
}

#[test]
fn erased_content_round_trips_without_text() {
    let mut c = Content::new("Anne Jensen");
    let hash = c.hash.clone();
    c.text = None;
    assert_eq!(c.as_str(), "");
    let v = serde_json::to_value(&c).unwrap();
    assert_eq!(
        v,
        serde_json::json!({ "hash": hash }),
        "no text field once erased"
    );
    let back: Content = serde_json::from_value(v).unwrap();
    assert_eq!(back, c);
}

fn content_texts(kind: &mut EventKind) -> Vec<String> {
    kind.contents_mut()
        .into_iter()
        .map(|c| c.as_str().to_string())
        .collect()
}

#[test]
fn contents_mut_returns_the_personal_text_in_order() {
    let mut joined = EventKind::ParticipantJoined {
        participant: pid(1),
        display_name: Content::new("Anne"),
        age_band: None,
        gender: None,
    };
    assert_eq!(content_texts(&mut joined), ["Anne"]);

    let mut online = EventKind::PostCreated {
        post_kind: PostKind::Comment,
        parent: None,
        body: Content::new("krop"),
        source: Source::Online,
        held: None,
    };
    assert_eq!(content_texts(&mut online), ["krop"]);

    let mut room = EventKind::PostCreated {
        post_kind: PostKind::Question,
        parent: None,
        body: Content::new("spørgsmål"),
        source: Source::Room {
            name: Some(Content::new("Hans")),
        },
        held: None,
    };
    assert_eq!(content_texts(&mut room), ["spørgsmål", "Hans"]);

    let mut room_anon = EventKind::PostCreated {
        post_kind: PostKind::Question,
        parent: None,
        body: Content::new("anonym"),
        source: Source::Room { name: None },
        held: None,
    };
    assert_eq!(content_texts(&mut room_anon), ["anonym"]);

    let mut written = EventKind::QuestionAnswered {
        post: PostId(1),
        answer: Answer::Written {
            body: Content::new("svar"),
        },
    };
    assert_eq!(content_texts(&mut written), ["svar"]);

    let mut live = EventKind::QuestionAnswered {
        post: PostId(1),
        answer: Answer::Live {
            note: Some("note".into()),
            panelist: None,
        },
    };
    assert!(content_texts(&mut live).is_empty());

    // Every other kind carries no personal text.
    for mut k in samples() {
        let expected = match &k {
            EventKind::ParticipantJoined { .. } => 1,
            EventKind::PostCreated {
                source: Source::Room { name: Some(_) },
                ..
            } => 2,
            EventKind::PostCreated { .. } => 1,
            // A report's reason.
            EventKind::PostReported {
                reason_text: Some(_),
                ..
            } => 1,
            EventKind::QuestionAnswered {
                answer: Answer::Written { .. },
                ..
            } => 1,
            _ => 0,
        };
        assert_eq!(k.contents_mut().len(), expected, "{}", k.name());
    }
}

#[test]
fn erasing_through_contents_mut_keeps_hashes_and_replay() {
    // Build a small meeting, erase every piece of text in the log, and replay it.
    let mut t = Town::open();
    let q = t.h.question(t.anne, "Mit navn er Anne Jensen");
    t.h.ok(
        t.moderator,
        Command::RoomQuestion {
            body: "fra salen".into(),
            name: Some("Hans".into()),
        },
    );
    t.h.ok(
        t.panelist,
        Command::AnswerWritten {
            post: q,
            body: "Tak Anne".into(),
        },
    );
    let mut log = t.h.log.clone();
    let mut erased = 0;
    for e in &mut log {
        for c in e.kind.contents_mut() {
            let hash = c.hash.clone();
            c.text = None;
            assert_eq!(c.hash, hash);
            erased += 1;
        }
    }
    // 3 joins + question + room question (body, name) + written answer.
    assert_eq!(erased, 3 + 1 + 2 + 1);
    let json = serde_json::to_string(&log).unwrap();
    assert!(!json.contains("Anne"), "names and bodies are gone: {json}");
    assert!(!json.contains("Hans"));
    let back: Vec<Event> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, log);
    let replayed = MeetingState::replay(t.h.state.id, &back);
    assert_eq!(replayed.seq, t.h.state.seq);
    assert_eq!(replayed.counters(), t.h.state.counters());
    assert_eq!(replayed.posts[&q].body.as_str(), "");
    assert_eq!(
        replayed.posts[&q].body.hash, t.h.state.posts[&q].body.hash,
        "the hash survives erasure"
    );
}
