//! The agenda family (`decide/agenda.rs`): items, the current item, and questions filed under
//! them.

use crate::common::*;
use borgermode_domain::event::Actor;
use borgermode_domain::*;
use chrono::Duration;

fn item(title: &str) -> AgendaItemDetails {
    AgendaItemDetails {
        title: title.to_string(),
        description: String::new(),
        planned_start: None,
    }
}

fn add(t: &mut Town, title: &str) -> AgendaItemId {
    let events = t.h.ok(
        ORG,
        Command::AddAgendaItem {
            details: item(title),
            position: None,
        },
    );
    assert_eq!(names(&events), ["agenda_item_added"]);
    AgendaItemId(events[0].seq)
}

fn titles(t: &Town) -> Vec<String> {
    t.h.state
        .agenda
        .items
        .iter()
        .map(|i| i.details.title.clone())
        .collect()
}

fn ask(t: &mut Town, who: Actor, body: &str, item: Option<AgendaItemId>) -> Vec<Event> {
    t.h.ok(
        who,
        Command::CreatePost {
            kind: PostKind::Question,
            body: body.into(),
            parent: None,
            agenda_item: item,
        },
    )
}

#[test]
fn organizer_and_moderators_keep_the_agenda_in_order() {
    let mut t = Town::open();
    let harbour = add(&mut t, "Havneplanen");
    let schools = add(&mut t, "Skolerne");
    let (moderator, panelist, anne) = (t.moderator, t.panelist, t.anne);
    t.h.ok(
        moderator,
        Command::AddAgendaItem {
            details: AgendaItemDetails {
                title: "  Velkomst  ".into(),
                description: "Borgmesteren **byder velkommen**".into(),
                planned_start: Some(t0() + Duration::hours(1)),
            },
            position: Some(0),
        },
    );
    assert_eq!(titles(&t), ["Velkomst", "Havneplanen", "Skolerne"]);
    for actor in [panelist, anne] {
        assert_eq!(
            t.h.code(
                actor,
                Command::AddAgendaItem {
                    details: item("Nej"),
                    position: None
                }
            ),
            "forbidden"
        );
        assert_eq!(
            t.h.code(
                actor,
                Command::SetCurrentAgendaItem {
                    item: Some(harbour)
                }
            ),
            "forbidden"
        );
    }
    t.h.ok(
        moderator,
        Command::MoveAgendaItem {
            item: schools,
            position: 0,
        },
    );
    assert_eq!(titles(&t), ["Skolerne", "Velkomst", "Havneplanen"]);
    // A position past the end is the last place; where it already is: nothing happens.
    t.h.ok(
        ORG,
        Command::MoveAgendaItem {
            item: schools,
            position: 99,
        },
    );
    assert_eq!(titles(&t), ["Velkomst", "Havneplanen", "Skolerne"]);
    t.h.noop(
        ORG,
        Command::MoveAgendaItem {
            item: schools,
            position: 2,
        },
    );
    t.h.ok(
        ORG,
        Command::EditAgendaItem {
            item: harbour,
            details: item("Havneplanen: tre forslag"),
        },
    );
    t.h.noop(
        ORG,
        Command::EditAgendaItem {
            item: harbour,
            details: item("Havneplanen: tre forslag"),
        },
    );
    assert_eq!(titles(&t)[1], "Havneplanen: tre forslag");
}

#[test]
fn item_text_is_checked() {
    let mut t = Town::open();
    let cmd = |d: AgendaItemDetails| Command::AddAgendaItem {
        details: d,
        position: None,
    };
    assert_eq!(t.h.code(ORG, cmd(item("   "))), "validation_failed");
    assert_eq!(t.h.code(ORG, cmd(item("To\nlinjer"))), "validation_failed");
    assert_eq!(t.h.code(ORG, cmd(item(&"x".repeat(201)))), "body_too_long");
    assert_eq!(
        t.h.code(
            ORG,
            cmd(AgendaItemDetails {
                description: "y".repeat(2001),
                ..item("Ok")
            })
        ),
        "body_too_long"
    );
    for n in 0..50 {
        add(&mut t, &format!("Punkt {n}"));
    }
    assert_eq!(
        t.h.code(ORG, cmd(item("Et for meget"))),
        "validation_failed"
    );
    let missing = AgendaItemId(9999);
    assert_eq!(
        t.h.code(
            ORG,
            Command::SetCurrentAgendaItem {
                item: Some(missing)
            }
        ),
        "not_found"
    );
    assert_eq!(
        t.h.code(ORG, Command::RemoveAgendaItem { item: missing }),
        "not_found"
    );
}

#[test]
fn new_questions_go_under_the_current_item_unless_the_citizen_picks_another() {
    let mut t = Town::open();
    let harbour = add(&mut t, "Havneplanen");
    let schools = add(&mut t, "Skolerne");
    let anne = t.anne;
    // No current item: the question is filed nowhere.
    let events = ask(&mut t, anne, "Hvornår starter byggeriet?", None);
    assert_eq!(names(&events), ["post_created"]);
    t.h.ok(
        t.moderator,
        Command::SetCurrentAgendaItem {
            item: Some(harbour),
        },
    );
    t.h.noop(
        ORG,
        Command::SetCurrentAgendaItem {
            item: Some(harbour),
        },
    );
    let events = ask(&mut t, anne, "Hvad koster det?", None);
    assert_eq!(names(&events), ["post_created", "post_filed"]);
    let q = PostId(events[0].seq);
    assert_eq!(t.h.post_of(q).agenda_item, Some(harbour));
    let events = ask(&mut t, anne, "Hvor mange lærere?", Some(schools));
    assert_eq!(
        t.h.post_of(PostId(events[0].seq)).agenda_item,
        Some(schools)
    );
    // Comments and replies are not filed, and may not name an item.
    let c = t.h.comment(anne, "Godt møde");
    assert_eq!(t.h.post_of(c).agenda_item, None);
    let bad = t.h.code(
        anne,
        Command::CreatePost {
            kind: PostKind::Comment,
            body: "Hej".into(),
            parent: None,
            agenda_item: Some(schools),
        },
    );
    assert_eq!(bad, "validation_failed");
    assert_eq!(
        t.h.code(
            anne,
            Command::CreatePost {
                kind: PostKind::Question,
                body: "Findes punktet?".into(),
                parent: None,
                agenda_item: Some(AgendaItemId(9999)),
            }
        ),
        "not_found"
    );
}

#[test]
fn staff_move_questions_between_items() {
    let mut t = Town::open();
    let harbour = add(&mut t, "Havneplanen");
    let schools = add(&mut t, "Skolerne");
    let (anne, panelist) = (t.anne, t.panelist);
    let q = t.h.question(anne, "Hvornår starter byggeriet?");
    t.h.ok(
        panelist,
        Command::FilePost {
            post: q,
            item: Some(harbour),
        },
    );
    assert_eq!(t.h.post_of(q).agenda_item, Some(harbour));
    t.h.noop(
        panelist,
        Command::FilePost {
            post: q,
            item: Some(harbour),
        },
    );
    assert_eq!(
        t.h.code(
            anne,
            Command::FilePost {
                post: q,
                item: Some(schools)
            }
        ),
        "forbidden"
    );
    let r = t.h.reply(anne, q, "Også mig");
    assert_eq!(
        t.h.code(
            panelist,
            Command::FilePost {
                post: r,
                item: Some(schools)
            }
        ),
        "validation_failed"
    );
    // Filing still works in the follow-up, but the agenda itself is the record once closed.
    t.h.ok(ORG, Command::Close);
    t.h.ok(
        panelist,
        Command::FilePost {
            post: q,
            item: Some(schools),
        },
    );
    assert_eq!(
        t.h.code(
            ORG,
            Command::AddAgendaItem {
                details: item("For sent"),
                position: None
            }
        ),
        "meeting_closed"
    );
}

#[test]
fn removing_an_item_unties_its_questions_and_polls_and_clears_current() {
    let mut t = Town::open();
    let harbour = add(&mut t, "Havneplanen");
    t.h.ok(
        ORG,
        Command::SetCurrentAgendaItem {
            item: Some(harbour),
        },
    );
    let anne = t.anne;
    let events = ask(&mut t, anne, "Hvad koster det?", None);
    let q = PostId(events[0].seq);
    let events = t.h.ok(
        ORG,
        Command::CreatePoll {
            definition: PollDefinition {
                question: "Hvilket forslag?".into(),
                kind: PollKind::SingleChoice {
                    options: vec!["A".into(), "B".into()],
                },
                results: ResultsShown::Live,
                agenda_item: Some(harbour),
            },
        },
    );
    let poll = PollId(events[0].seq);
    t.h.ok(ORG, Command::RemoveAgendaItem { item: harbour });
    assert!(t.h.state.agenda.items.is_empty());
    assert_eq!(t.h.state.agenda.current, None);
    assert_eq!(t.h.post_of(q).agenda_item, None);
    assert_eq!(
        t.h.state.polls.get(poll).unwrap().definition.agenda_item,
        None
    );
    // Replaying the log gives the same state.
    let replayed = MeetingState::replay(t.h.state.id, &t.h.log);
    assert_eq!(replayed, t.h.state);
}
