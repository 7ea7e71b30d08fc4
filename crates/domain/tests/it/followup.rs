//! The follow-up family (`decide/followup.rs`): routing (assign / unassign), the follow-up
//! after the close, panelist figures, and the working-day deadline arithmetic (unit tests live
//! next to it; properties here).

use crate::common::*;
use borgermode_domain::workdays::{add_working_days, is_working_day};
use borgermode_domain::*;
use chrono::{Datelike, Duration, TimeZone, Utc};
use proptest::prelude::*;

fn to_panelist(t: &Town, who: borgermode_domain::event::Actor) -> Assignee {
    let _ = t;
    Assignee::Panelist {
        participant: id_of(who),
    }
}

fn dept(name: &str) -> Assignee {
    Assignee::Department {
        name: name.to_string(),
    }
}

fn assignee(h: &Harness, q: PostId) -> Option<Assignee> {
    h.post_of(q).question.as_ref().unwrap().assignee.clone()
}

#[test]
fn moderator_and_organizer_route_to_panelist_or_department() {
    let mut t = Town::open();
    let q = t.h.question(t.anne, "Hvornår åbner skolen?");
    let to = to_panelist(&t, t.panelist);
    assert_eq!(
        names(&t.h.ok(
            t.moderator,
            Command::Assign {
                post: q,
                to: to.clone()
            }
        )),
        ["question_assigned"]
    );
    assert_eq!(assignee(&t.h, q), Some(to.clone()));
    // Same assignee again: acknowledged, nothing written.
    t.h.noop(ORG, Command::Assign { post: q, to });
    t.h.ok(
        ORG,
        Command::Assign {
            post: q,
            to: dept("  Teknik og Miljø "),
        },
    );
    assert_eq!(assignee(&t.h, q), Some(dept("Teknik og Miljø")));
    assert_eq!(
        t.h.code(
            ORG,
            Command::Assign {
                post: q,
                to: dept("   ")
            }
        ),
        "validation_failed"
    );
    assert_eq!(
        t.h.code(
            ORG,
            Command::Assign {
                post: q,
                to: dept(&"x".repeat(81))
            }
        ),
        "validation_failed"
    );
    t.h.ok(t.moderator, Command::Unassign { post: q });
    assert_eq!(assignee(&t.h, q), None);
    t.h.noop(t.moderator, Command::Unassign { post: q });
}

#[test]
fn only_panelists_can_be_assignees_and_citizens_cannot_route() {
    let mut t = Town::open();
    let q = t.h.question(t.anne, "Hvad koster det?");
    for target in [t.moderator, t.anne] {
        let to = to_panelist(&t, target);
        assert_eq!(t.h.code(ORG, Command::Assign { post: q, to }), "not_found");
    }
    let to = to_panelist(&t, t.panelist);
    assert_eq!(
        t.h.code(
            t.bo,
            Command::Assign {
                post: q,
                to: to.clone()
            }
        ),
        "forbidden"
    );
    // A revoked panelist gets nothing new.
    t.h.ok(
        ORG,
        Command::RevokeStaff {
            participant: id_of(t.panelist2),
        },
    );
    let gone = to_panelist(&t, t.panelist2);
    assert_eq!(
        t.h.code(ORG, Command::Assign { post: q, to: gone }),
        "not_found"
    );
    // Comments are not questions.
    let c = t.h.comment(t.bo, "Godt møde");
    assert_eq!(
        t.h.code(ORG, Command::Assign { post: c, to }),
        "validation_failed"
    );
}

#[test]
fn panelist_takes_a_question_for_themselves_only() {
    let mut t = Town::open();
    let q = t.h.question(t.anne, "Hvor skal bussen køre?");
    let me = to_panelist(&t, t.panelist);
    let other = to_panelist(&t, t.panelist2);
    assert_eq!(
        t.h.code(
            t.panelist,
            Command::Assign {
                post: q,
                to: other.clone()
            }
        ),
        "forbidden"
    );
    assert_eq!(
        t.h.code(
            t.panelist,
            Command::Assign {
                post: q,
                to: dept("Teknik")
            }
        ),
        "forbidden"
    );
    t.h.ok(t.panelist, Command::Assign { post: q, to: me });
    // The other panelist cannot take it off them; the owner and a moderator can.
    assert_eq!(
        t.h.code(t.panelist2, Command::Unassign { post: q }),
        "forbidden"
    );
    t.h.ok(t.panelist, Command::Unassign { post: q });
    t.h.ok(t.moderator, Command::Assign { post: q, to: other });
    assert_eq!(
        t.h.code(t.panelist, Command::Unassign { post: q }),
        "forbidden"
    );
    t.h.ok(t.moderator, Command::Unassign { post: q });
}

#[test]
fn answered_dismissed_and_merged_questions_cannot_be_routed() {
    let mut t = Town::open();
    let a = t.h.question(t.anne, "Spørgsmål et");
    let b = t.h.question(t.bo, "Spørgsmål to");
    let c = t.h.question(t.carl, "Spørgsmål tre");
    t.h.ok(
        t.panelist,
        Command::AnswerLive {
            post: a,
            note: None,
            panelist: None,
        },
    );
    t.h.ok(
        t.moderator,
        Command::Dismiss {
            post: b,
            reason: "uden for emnet".into(),
        },
    );
    t.h.ok(t.moderator, Command::Merge { post: c, into: a });
    for q in [a, b, c] {
        assert_eq!(
            t.h.code(
                ORG,
                Command::Assign {
                    post: q,
                    to: dept("Skole")
                }
            ),
            "invalid_state"
        );
    }
}

#[test]
fn close_starts_follow_up_with_working_day_deadline() {
    let mut t = Town::open();
    let q = t.h.question(t.anne, "Hvornår kommer svaret?");
    // t0 is Tuesday 2025-03-04 19:00; advance to Friday 20:00.
    t.h.now = Utc.with_ymd_and_hms(2025, 3, 7, 20, 0, 0).unwrap();
    t.h.limits.follow_up_working_days = 5;
    let events = t.h.ok(ORG, Command::Close);
    assert_eq!(names(&events), ["meeting_closed", "follow_up_started"]);
    let due = Utc.with_ymd_and_hms(2025, 3, 14, 20, 0, 0).unwrap();
    assert_eq!(t.h.state.follow_up_due, Some(due));
    assert!(!t.h.state.follow_up_overdue(due));
    assert!(t.h.state.follow_up_overdue(due + Duration::seconds(1)));

    // Closed meeting: no new posts, but routing and answers go on.
    assert_eq!(
        t.h.code(
            t.bo,
            Command::CreatePost {
                kind: PostKind::Question,
                body: "Et nyt spørgsmål".into(),
                parent: None,
                agenda_item: None,
            }
        ),
        "meeting_closed"
    );
    let to = to_panelist(&t, t.panelist);
    t.h.ok(ORG, Command::Assign { post: q, to });
    t.h.ok(t.panelist, Command::Claim { post: q });
    t.h.advance(3600);
    t.h.ok(
        t.panelist,
        Command::AnswerWritten {
            post: q,
            body: "Se [selvbetjening](https://kommune.example/selvbetjening)".into(),
        },
    );
    assert!(!t.h.state.follow_up_overdue(due + Duration::days(30)));
    let c = t.h.state.counters();
    assert_eq!((c.answered, c.questions), (1, 1));
}

#[test]
fn organizer_closes_the_follow_up_and_answers_stop() {
    let mut t = Town::open();
    let q = t.h.question(t.anne, "Et spørgsmål");
    assert_eq!(t.h.code(ORG, Command::CloseFollowUp), "invalid_state");
    t.h.ok(ORG, Command::Close);
    assert_eq!(t.h.code(t.moderator, Command::CloseFollowUp), "forbidden");
    assert_eq!(
        names(&t.h.ok(ORG, Command::CloseFollowUp)),
        ["follow_up_closed"]
    );
    t.h.noop(ORG, Command::CloseFollowUp);
    assert!(t.h.state.follow_up_closed_at.is_some());
    assert!(!t.h.state.follow_up_overdue(t.h.now + Duration::days(365)));
    assert_eq!(
        t.h.code(
            t.panelist,
            Command::AnswerLive {
                post: q,
                note: None,
                panelist: None
            }
        ),
        "invalid_state"
    );
    assert_eq!(
        t.h.code(t.panelist, Command::Claim { post: q }),
        "invalid_state"
    );
    assert_eq!(
        t.h.code(
            ORG,
            Command::Assign {
                post: q,
                to: dept("Skole")
            }
        ),
        "invalid_state"
    );
}

#[test]
fn panelist_figures_count_assigned_answered_open_and_median() {
    let mut t = Town::open();
    let p1 = to_panelist(&t, t.panelist);
    let q1 = t.h.question(t.anne, "Et");
    let q2 = t.h.question(t.bo, "To");
    let q3 = t.h.question(t.carl, "Tre");
    for q in [q1, q2, q3] {
        t.h.ok(
            ORG,
            Command::Assign {
                post: q,
                to: p1.clone(),
            },
        );
    }
    t.h.advance(60);
    t.h.ok(
        t.panelist,
        Command::AnswerLive {
            post: q1,
            note: None,
            panelist: None,
        },
    );
    t.h.advance(120);
    t.h.ok(
        t.panelist,
        Command::AnswerLive {
            post: q2,
            note: None,
            panelist: None,
        },
    );
    // Answered by the other panelist, not routed to them.
    let q4 = t.h.question(t.anne, "Fire");
    t.h.advance(600);
    t.h.ok(
        t.panelist2,
        Command::AnswerLive {
            post: q4,
            note: None,
            panelist: None,
        },
    );

    let figs = t.h.state.panelist_figures();
    let f1 = figs
        .iter()
        .find(|f| f.participant == id_of(t.panelist))
        .unwrap();
    assert_eq!((f1.assigned, f1.answered, f1.open), (3, 2, 1));
    // 60 s and 180 s: lower middle.
    assert_eq!(f1.median_answer_secs, Some(60));
    let f2 = figs
        .iter()
        .find(|f| f.participant == id_of(t.panelist2))
        .unwrap();
    assert_eq!((f2.assigned, f2.answered, f2.open), (0, 1, 0));
    assert_eq!(f2.median_answer_secs, Some(600));
    assert_eq!(figs.len(), 2);
}

#[test]
fn routing_survives_replay() {
    let mut t = Town::open();
    let q = t.h.question(t.anne, "Et");
    t.h.ok(
        ORG,
        Command::Assign {
            post: q,
            to: dept("Skole"),
        },
    );
    t.h.ok(ORG, Command::Close);
    let replayed = MeetingState::replay(t.h.state.id, &t.h.log);
    assert_eq!(replayed, t.h.state);
}

proptest! {
    #[test]
    fn deadline_is_n_weekdays_later(secs in 0i64..4_000_000_000, days in 0u32..60) {
        let start = Utc.timestamp_opt(secs, 0).unwrap();
        let due = add_working_days(start, days);
        prop_assert_eq!(due.time(), start.time());
        prop_assert!(due >= start);
        // Exactly `days` working days in (start's date, due's date].
        let mut d = start.date_naive();
        let mut counted = 0;
        while d < due.date_naive() {
            d = d.succ_opt().unwrap();
            if is_working_day(d.weekday()) {
                counted += 1;
            }
        }
        prop_assert_eq!(counted, days);
        if days > 0 {
            prop_assert!(is_working_day(due.weekday()));
            // Never more than days + 2 per started week of calendar time.
            prop_assert!((due - start).num_days() <= i64::from(days) + 2 * (i64::from(days) / 5 + 1));
        }
        // Monotonic in days.
        prop_assert!(add_working_days(start, days + 1) > due);
    }
}
