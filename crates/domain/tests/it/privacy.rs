//! The privacy family (`decide/privacy.rs`): erasure (GDPR request) and retention in the
//! domain: who may erase whom, what the events name for the store to delete, what the
//! projection forgets, and that the audit chain's canonical bytes do not change when the text or
//! the demographics go.

use crate::common::*;
use borgermode_domain::event::{Actor, Content};
use borgermode_domain::*;

fn erase(who: Actor) -> Command {
    Command::EraseParticipant {
        participant: id_of(who),
    }
}

#[test]
fn the_organizer_erases_a_citizens_name_and_posts_and_only_theirs() {
    let mut t = Town::open();
    let q = t.h.question(t.anne, "Hvad med skolen?");
    let c = t.h.comment(t.bo, "Enig");
    let r = t.h.reply(t.anne, c, "Tak, Bo");
    let joined = t.h.participant(t.anne).joined_seq;

    // Nobody but the organizer.
    for actor in [t.moderator, t.panelist, t.anne, t.bo] {
        assert_eq!(t.h.code(actor, erase(t.anne)), "forbidden");
    }
    // Staff are not erased this way (their answers are the municipality's record).
    assert_eq!(t.h.code(ORG, erase(t.panelist)), "invalid_state");
    assert_eq!(
        t.h.code(
            ORG,
            Command::EraseParticipant {
                participant: pid(999)
            }
        ),
        "not_found"
    );

    let events = t.h.ok(ORG, erase(t.anne));
    let EventKind::ParticipantErased {
        contents,
        participant,
    } = &events[0].kind
    else {
        panic!("{events:?}");
    };
    assert_eq!(*participant, id_of(t.anne));
    let mut seqs: Vec<(Seq, u32)> = contents.iter().map(|r| (r.seq, r.slot)).collect();
    seqs.sort();
    assert_eq!(seqs, vec![(joined, 0), (q.0, 0), (r.0, 0)]);

    assert!(t.h.participant(t.anne).display_name.text.is_none());
    assert!(t.h.participant(t.anne).erased);
    for id in [q, r] {
        assert!(t.h.post_of(id).erased && t.h.post_of(id).body.text.is_none());
    }
    assert_eq!(
        t.h.post_of(c).body.text.as_deref(),
        Some("Enig"),
        "Bo's post stays"
    );
    assert!(!t.h.post_of(c).erased);
    assert_eq!(
        t.h.participant(t.bo).display_name.text.as_deref(),
        Some("Bo")
    );

    // A second request has nothing left to do.
    t.h.noop(ORG, erase(t.anne));
}

#[test]
fn hiding_is_not_erasing() {
    let mut t = Town::open();
    let c = t.h.comment(t.bo, "Noget grimt");
    t.h.ok(
        t.moderator,
        Command::Hide {
            post: c,
            reason: HideReason::Abusive,
            note: None,
        },
    );
    assert_eq!(t.h.post_of(c).body.text.as_deref(), Some("Noget grimt"));
    assert!(!t.h.post_of(c).erased);
}

#[test]
fn retention_runs_on_a_closed_meeting_once_and_keeps_the_counts() {
    let mut t = Town::open();
    let mut ages = Vec::new();
    for (name, age, gender) in [
        ("Dorte", Some(AgeBand::From18To29), Some(Gender::Woman)),
        ("Erik", Some(AgeBand::From18To29), None),
        ("Frida", None, Some(Gender::Woman)),
    ] {
        let id = t.h.fresh_id();
        t.h.ok(
            Actor::Participant { id },
            Command::Join {
                participant: id,
                display_name: name.into(),
                age_band: age,
                gender,
            },
        );
        ages.push(id);
    }
    assert_eq!(
        t.h.code(ORG, Command::Pseudonymize),
        "invalid_state",
        "still open"
    );
    t.h.ok(ORG, Command::Close);
    assert_eq!(t.h.code(t.moderator, Command::Pseudonymize), "forbidden");
    let events = t.h.ok(ORG, Command::Pseudonymize);
    let EventKind::PersonalDataPseudonymized {
        contents,
        aggregates,
    } = &events[0].kind
    else {
        panic!("{events:?}");
    };
    // Six citizens (three from the town), every one's name; staff names stay.
    assert_eq!(contents.len(), 6);
    let counts: Vec<(&str, &str, u32)> = aggregates
        .iter()
        .map(|a| (a.dimension.as_str(), a.value.as_str(), a.count))
        .collect();
    // The town's three citizens joined as 30-44 (see `Harness::join`).
    assert_eq!(
        counts,
        vec![
            ("age_band", "18_29", 2),
            ("age_band", "30_44", 3),
            ("gender", "woman", 2)
        ]
    );
    for id in ages {
        let p = t.h.state.participant(id).expect("participant");
        assert!(p.display_name.text.is_none() && p.age_band.is_none() && p.gender.is_none());
    }
    assert_eq!(
        t.h.participant(t.panelist).display_name.text.as_deref(),
        Some("Søren Ærø")
    );
    t.h.noop(ORG, Command::Pseudonymize);
}

#[test]
fn the_chain_ignores_text_and_demographics_but_not_the_rest() {
    let joined = |name: Option<&str>, age: Option<AgeBand>| Event {
        seq: 7,
        at: t0(),
        actor: Actor::Participant { id: pid(1) },
        kind: EventKind::ParticipantJoined {
            participant: pid(1),
            display_name: {
                let mut c = Content::new("Anne");
                c.text = name.map(str::to_string);
                c
            },
            age_band: age,
            gender: None,
        },
    };
    let full = joined(Some("Anne"), Some(AgeBand::From30To44));
    let erased = joined(None, None);
    assert_eq!(
        audit::canonical_bytes(&full),
        audit::canonical_bytes(&erased)
    );
    assert_eq!(
        audit::link(&audit::GENESIS, &full),
        audit::link(&audit::GENESIS, &erased)
    );
    let text = String::from_utf8(audit::canonical_bytes(&full)).expect("utf-8");
    assert!(!text.contains("Anne") && !text.contains("30_44"), "{text}");
    assert!(text.starts_with("borgermode-audit-v1\n7\n"), "{text}");

    // Anything else changes the link.
    let mut other = full.clone();
    other.seq = 8;
    assert_ne!(
        audit::link(&audit::GENESIS, &full),
        audit::link(&audit::GENESIS, &other)
    );
    let mut other = full.clone();
    other.at += chrono::Duration::nanoseconds(1);
    assert_ne!(
        audit::link(&audit::GENESIS, &full),
        audit::link(&audit::GENESIS, &other)
    );
    let renamed = Event {
        kind: EventKind::ParticipantJoined {
            participant: pid(1),
            display_name: Content::new("Bo"),
            age_band: None,
            gender: None,
        },
        ..full.clone()
    };
    assert_ne!(
        audit::link(&audit::GENESIS, &full),
        audit::link(&audit::GENESIS, &renamed)
    );
    assert_ne!(
        audit::link(&[1; 32], &full),
        audit::link(&audit::GENESIS, &full),
        "the previous link counts"
    );
}

#[test]
fn the_report_counts_the_same_demographics_after_retention() {
    let mut t = Town::open();
    for (i, (age, gender)) in [
        (Some(AgeBand::From18To29), Some(Gender::Woman)),
        (Some(AgeBand::From18To29), None),
        (None, Some(Gender::Man)),
        (None, None),
    ]
    .into_iter()
    .enumerate()
    {
        let id = t.h.fresh_id();
        t.h.ok(
            Actor::Participant { id },
            Command::Join {
                participant: id,
                display_name: format!("Borger {i}"),
                age_band: age,
                gender,
            },
        );
    }
    t.h.ok(ORG, Command::Close);
    let before = borgermode_domain::report::Demographics::from_events(&t.h.log);
    assert!(before.age_not_stated > 0 && before.gender_not_stated > 0);
    t.h.ok(ORG, Command::Pseudonymize);
    // What the store keeps after retention: the joins without age band and gender, and the
    // pseudonymization event with the counts.
    let mut stored = t.h.log.clone();
    for e in &mut stored {
        if let EventKind::ParticipantJoined {
            age_band, gender, ..
        } = &mut e.kind
        {
            *age_band = None;
            *gender = None;
        }
    }
    let after = borgermode_domain::report::Demographics::from_events(&stored);
    assert_eq!(after, before);
}

/// An erased citizen's session is over on every instance: whatever a stale cache still lets
/// through, the command is refused against the log, as "unauthorized" (the same answer an
/// instance gives whose session store no longer knows the token).
#[test]
fn an_erased_citizen_can_no_longer_act() {
    let mut t = Town::open();
    let c = t.h.comment(t.bo, "Enig");
    let q = t.h.question(t.bo, "Hvornår?");
    t.h.ok(ORG, erase(t.anne));
    for cmd in [
        Command::CreatePost {
            kind: PostKind::Comment,
            body: "efter sletningen".into(),
            parent: None,
            agenda_item: None,
        },
        Command::CreatePost {
            kind: PostKind::Comment,
            body: "svar".into(),
            parent: Some(c),
            agenda_item: None,
        },
        Command::Report {
            post: c,
            reason: Some("grund".into()),
        },
    ] {
        assert_eq!(t.h.code(t.anne, cmd), "unauthorized");
    }
    assert_eq!(
        authorize_vote(&t.h.state, &t.anne, q).unwrap_err().code(),
        "unauthorized"
    );
    // Bo is unaffected.
    t.h.comment(t.bo, "Stadig her");
}

/// A report's reason is the reporter's own text: kept in a content slot (erasable like a
/// post), and named in the erasure's contents.
#[test]
fn a_report_reason_is_personal_text_and_is_erased_with_its_author() {
    let mut t = Town::open();
    let c = t.h.comment(t.bo, "Noget");
    let events = t.h.ok(
        t.anne,
        Command::Report {
            post: c,
            reason: Some("Jeg kender ham privat".into()),
        },
    );
    let report_seq = events[0].seq;
    let mut kind = events[0].kind.clone();
    let texts: Vec<Option<String>> = kind.contents_mut().iter().map(|c| c.text.clone()).collect();
    assert_eq!(texts, vec![Some("Jeg kender ham privat".to_string())]);
    // The reason is not in the payload outside its content slot.
    let mut stripped = events[0].kind.clone();
    for content in stripped.contents_mut() {
        content.text = None;
    }
    let json = serde_json::to_string(&stripped).expect("json");
    assert!(!json.contains("privat"), "{json}");
    // A report without a reason has no slot.
    let d = t.h.comment(t.bo, "Mere");
    let events = t.h.ok(
        t.anne,
        Command::Report {
            post: d,
            reason: None,
        },
    );
    assert!(events[0].kind.clone().contents_mut().is_empty());

    let events = t.h.ok(ORG, erase(t.anne));
    let EventKind::ParticipantErased { contents, .. } = &events[0].kind else {
        panic!("{events:?}");
    };
    assert!(
        contents.contains(&ContentRef {
            seq: report_seq,
            slot: 0
        }),
        "{contents:?}"
    );
}

/// Events stored before report reasons had a content slot keep their exact form (their audit
/// links were computed over it).
#[test]
fn an_old_report_event_keeps_its_canonical_bytes() {
    let old = r#"{"type":"post_reported","post":5,"reason":"gammel grund"}"#;
    let kind: EventKind = serde_json::from_str(old).expect("old form decodes");
    assert_eq!(serde_json::to_string(&kind).expect("json"), old);
    let none = r#"{"type":"post_reported","post":5,"reason":null}"#;
    let kind: EventKind = serde_json::from_str(none).expect("old form decodes");
    assert_eq!(serde_json::to_string(&kind).expect("json"), none);
}
