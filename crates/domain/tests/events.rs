//! Events as the store persists them: JSON round trips, wire names, and the personal text
//! (`Content`) each event carries.

mod common;

use borgermode_domain::event::Actor;
use borgermode_domain::*;
use chrono::Duration;
use common::*;

/// Exhaustive on purpose: a new event kind does not compile until it has a sample below.
fn variant_index(k: &EventKind) -> usize {
    match k {
        EventKind::MeetingCreated { .. } => 0,
        EventKind::MeetingEdited { .. } => 1,
        EventKind::MeetingScheduled => 2,
        EventKind::MeetingOpened => 3,
        EventKind::MeetingClosed => 4,
        EventKind::SettingsChanged { .. } => 5,
        EventKind::StaffAdded { .. } => 6,
        EventKind::StaffRevoked { .. } => 7,
        EventKind::ParticipantJoined { .. } => 8,
        EventKind::PostCreated { .. } => 9,
        EventKind::PostReported { .. } => 10,
        EventKind::PostHeld { .. } => 11,
        EventKind::PostApproved { .. } => 12,
        EventKind::PostRejected { .. } => 13,
        EventKind::PostHidden { .. } => 14,
        EventKind::PostRestored { .. } => 15,
        EventKind::NoticePinned { .. } => 16,
        EventKind::NoticeUnpinned => 17,
        EventKind::QuestionClaimed { .. } => 18,
        EventKind::QuestionReleased { .. } => 19,
        EventKind::QuestionAnswered { .. } => 20,
        EventKind::QuestionDismissed { .. } => 21,
        EventKind::QuestionMerged { .. } => 22,
        EventKind::OnAirSet { .. } => 23,
        EventKind::ParticipantMuted { .. } => 24,
        EventKind::ParticipantUnmuted { .. } => 25,
        EventKind::ParticipantBanned { .. } => 26,
        EventKind::ParticipantUnbanned { .. } => 27,
        EventKind::QuestionAssigned { .. } => 28,
        EventKind::QuestionUnassigned { .. } => 29,
        EventKind::FollowUpStarted { .. } => 30,
        EventKind::FollowUpClosed => 31,
        EventKind::ParticipantErased { .. } => 32,
        EventKind::PersonalDataPseudonymized { .. } => 33,
    }
}
const VARIANTS: usize = 34;

fn samples() -> Vec<EventKind> {
    let p = pid(42);
    let post = PostId(7);
    let settings = MeetingSettings {
        keywords: vec!["idiot".into()],
        premoderation: true,
        ..Default::default()
    };
    vec![
        EventKind::MeetingCreated {
            details: details("Møde"),
            settings: settings.clone(),
        },
        EventKind::MeetingEdited {
            details: MeetingDetails {
                starts_at: None,
                ends_at: None,
                video_url: None,
                language: Language::En,
                ..details("Edited")
            },
        },
        EventKind::MeetingScheduled,
        EventKind::MeetingOpened,
        EventKind::MeetingClosed,
        EventKind::SettingsChanged { settings },
        EventKind::StaffAdded {
            participant: p,
            role: StaffRole::Panelist,
            name: "Søren Ærø".into(),
            role_line: "Borgmester".into(),
        },
        EventKind::StaffRevoked { participant: p },
        EventKind::ParticipantJoined {
            participant: p,
            display_name: Content::new("Anne"),
            age_band: Some(AgeBand::Under18),
            gender: Some(Gender::PreferNotToSay),
        },
        EventKind::PostCreated {
            post_kind: PostKind::Question,
            parent: None,
            body: Content::new("Hvad med \"cykelstien\"?\n— æøå"),
            source: Source::Room {
                name: Some(Content::new("Hans")),
            },
            held: Some(HoldReason::Keyword),
        },
        EventKind::PostReported {
            post,
            reason: None,
            reason_text: Some(Content::new("spam")),
        },
        EventKind::PostHeld {
            post,
            reason: HoldReason::Reports,
        },
        EventKind::PostApproved { post },
        EventKind::PostRejected { post, reason: None },
        EventKind::PostHidden {
            post,
            reason: HideReason::PersonalData,
            note: Some("cpr".into()),
        },
        EventKind::PostRestored { post },
        EventKind::NoticePinned { post },
        EventKind::NoticeUnpinned,
        EventKind::QuestionClaimed { post },
        EventKind::QuestionReleased { post },
        EventKind::QuestionAnswered {
            post,
            answer: Answer::Written {
                body: Content::new("Svar med [link](https://kommune.dk)"),
            },
        },
        EventKind::QuestionDismissed {
            post,
            reason: "dublet".into(),
        },
        EventKind::QuestionMerged {
            post,
            into: PostId(3),
        },
        EventKind::OnAirSet { post: Some(post) },
        EventKind::ParticipantMuted {
            participant: p,
            until: t0() + Duration::minutes(5),
        },
        EventKind::ParticipantUnmuted { participant: p },
        EventKind::ParticipantBanned {
            participant: p,
            reason: None,
        },
        EventKind::ParticipantUnbanned { participant: p },
        EventKind::QuestionAssigned {
            post,
            to: Assignee::Panelist { participant: p },
        },
        EventKind::QuestionAssigned {
            post,
            to: Assignee::Department {
                name: "Teknik og Miljø".into(),
            },
        },
        EventKind::QuestionUnassigned { post },
        EventKind::FollowUpStarted {
            due: t0() + Duration::days(7),
        },
        EventKind::FollowUpClosed,
        EventKind::ParticipantErased {
            participant: p,
            contents: vec![borgermode_domain::ContentRef { seq: 4, slot: 0 }],
        },
        EventKind::PersonalDataPseudonymized {
            contents: vec![borgermode_domain::ContentRef { seq: 4, slot: 0 }],
            aggregates: vec![borgermode_domain::DemographicCount {
                dimension: "gender".into(),
                value: "woman".into(),
                count: 3,
            }],
        },
    ]
}

#[test]
fn samples_cover_every_event_kind() {
    let mut seen = [false; VARIANTS];
    for k in samples() {
        seen[variant_index(&k)] = true;
    }
    let missing: Vec<usize> = (0..VARIANTS).filter(|i| !seen[*i]).collect();
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
    assert_eq!(dedup.len(), VARIANTS);
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
        let expected = match variant_index(&k) {
            8 => 1,
            9 => 2,
            10 => 1, // a report's reason
            20 => 1,
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
