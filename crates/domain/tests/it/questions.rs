//! The questions family (`decide/questions.rs`), the panel's work: notices and pins, claiming,
//! answering, dismissing, merging, hall questions, on-air (pending questions stay out of all of
//! them), and the notices the askers get.

use crate::common::*;
use borgermode_domain::event::Actor;
use borgermode_domain::*;

fn notice_cmd(body: &str, pin: bool) -> Command {
    Command::PostNotice {
        body: body.to_string(),
        pin,
    }
}

fn answer_written(post: PostId, body: &str) -> Command {
    Command::AnswerWritten {
        post,
        body: body.to_string(),
    }
}

fn answer_live(post: PostId) -> Command {
    Command::AnswerLive {
        post,
        note: None,
        panelist: None,
    }
}

fn dismiss(post: PostId, reason: &str) -> Command {
    Command::Dismiss {
        post,
        reason: reason.to_string(),
    }
}

fn merge(post: PostId, into: PostId) -> Command {
    Command::Merge { post, into }
}

fn answered_by(h: &Harness, q: PostId) -> Option<ParticipantId> {
    match h.qstate(q) {
        QuestionState::Answered { by, .. } => Some(*by),
        _ => None,
    }
}

fn answer_notices(notices: &[Notice]) -> Vec<(ParticipantId, Option<PostId>)> {
    let mut v: Vec<_> = notices
        .iter()
        .filter(|n| n.kind == NoticeKind::QuestionAnswered)
        .map(|n| (n.to, n.post))
        .collect();
    v.sort();
    v
}

// ---------------------------------------------------------------------------------------------
// PostNotice / PinNotice / UnpinNotice

#[test]
fn post_notice_by_staff() {
    let mut t = Town::open_with(MeetingSettings {
        premoderation: true,
        keywords: vec!["skat".into()],
        ..Default::default()
    });
    for actor in [t.panelist, t.moderator] {
        let events = t.h.ok(actor, notice_cmd("Skatten stiger ikke.", false));
        assert_eq!(names(&events), ["post_created"]);
        let id = PostId(events[0].seq);
        let p = t.h.post_of(id);
        assert_eq!(p.kind, PostKind::Notice);
        assert_eq!(p.author, actor.participant());
        assert_eq!(
            p.visibility,
            Visibility::Visible,
            "notices skip premoderation and keywords"
        );
        assert!(p.question.is_none());
    }
    assert_eq!(t.h.state.pinned_notice, None);
    let c = t.h.state.counters();
    assert_eq!(
        (c.comments, c.questions),
        (0, 0),
        "notices are not comments"
    );
}

#[test]
fn post_notice_rejections() {
    let mut t = Town::open();
    assert_eq!(t.h.code(t.anne, notice_cmd("x", false)), "forbidden");
    assert_eq!(t.h.code(ORG, notice_cmd("x", false)), "forbidden");
    t.h.ok(
        ORG,
        Command::RevokeStaff {
            participant: id_of(t.panelist2),
        },
    );
    assert_eq!(
        t.h.code(t.panelist2, notice_cmd("x", false)),
        "unauthorized"
    );
    assert_eq!(
        t.h.code(t.panelist, notice_cmd("  ", false)),
        "validation_failed"
    );
    t.h.ok(ORG, Command::Close);
    assert_eq!(
        t.h.code(t.panelist, notice_cmd("x", false)),
        "meeting_closed"
    );

    let mut h = Harness::created(MeetingSettings::default());
    let p = h.add_staff(StaffRole::Panelist, "Ida", "");
    assert_eq!(h.code(p, notice_cmd("x", false)), "meeting_not_open");
    h.ok(ORG, Command::Schedule);
    h.ok(p, notice_cmd("Mødet starter kl. 19", false));
}

#[test]
fn notice_length_is_at_least_the_answer_limit() {
    let mut t = Town::open_with(MeetingSettings {
        max_body_chars: 10,
        ..Default::default()
    });
    t.h.ok(t.panelist, notice_cmd(&"n".repeat(5000), false));
    assert_eq!(
        t.h.err(t.panelist, notice_cmd(&"n".repeat(5001), false)),
        DomainError::BodyTooLong {
            field: "body",
            max: 5000
        }
    );
    t.h.set_settings(MeetingSettings {
        max_body_chars: 6000,
        ..Default::default()
    });
    t.h.ok(t.panelist, notice_cmd(&"n".repeat(6000), false));
}

#[test]
fn post_notice_with_pin_pins_the_new_notice() {
    let mut t = Town::open();
    t.h.comment(t.anne, "før");
    let old = PostId(t.h.ok(t.panelist, notice_cmd("gammel", true))[0].seq);
    assert_eq!(t.h.state.pinned_notice, Some(old));

    let events = t.h.ok(t.moderator, notice_cmd("Ny officiel besked", true));
    assert_eq!(names(&events), ["post_created", "notice_pinned"]);
    let created = PostId(events[0].seq);
    assert_eq!(
        events[1].kind,
        EventKind::NoticePinned { post: created },
        "the pin refers to the post created just before it"
    );
    assert_eq!(t.h.state.pinned_notice, Some(created));
    let pinned = t.h.post_of(t.h.state.pinned_notice.unwrap());
    assert_eq!(pinned.kind, PostKind::Notice);
    assert_eq!(pinned.body.as_str(), "Ny officiel besked");
}

#[test]
fn pin_and_unpin_notice() {
    let mut t = Town::open();
    let n = PostId(t.h.ok(t.panelist, notice_cmd("Fakta", false))[0].seq);
    let c = t.h.comment(t.anne, "kommentar");
    let q = t.h.question(t.anne, "spørgsmål");

    assert_eq!(
        t.h.code(t.anne, Command::PinNotice { post: n }),
        "forbidden"
    );
    assert_eq!(t.h.code(ORG, Command::PinNotice { post: n }), "forbidden");
    for p in [c, q] {
        assert_eq!(
            t.h.code(t.panelist, Command::PinNotice { post: p }),
            "validation_failed"
        );
    }
    assert_eq!(
        t.h.code(t.panelist, Command::PinNotice { post: PostId(9999) }),
        "not_found"
    );
    assert_eq!(
        names(&t.h.ok(t.panelist2, Command::PinNotice { post: n })),
        ["notice_pinned"]
    );
    assert_eq!(t.h.state.pinned_notice, Some(n));
    t.h.noop(t.moderator, Command::PinNotice { post: n });

    assert_eq!(t.h.code(t.anne, Command::UnpinNotice), "forbidden");
    assert_eq!(
        names(&t.h.ok(t.moderator, Command::UnpinNotice)),
        ["notice_unpinned"]
    );
    assert_eq!(t.h.state.pinned_notice, None);
    t.h.noop(t.panelist, Command::UnpinNotice);
}

// ---------------------------------------------------------------------------------------------
// Claim / Release

#[test]
fn claim_a_question() {
    let mut t = Town::open();
    let q = t.h.question(t.anne, "Hvornår?");
    let events = t.h.ok(t.panelist, Command::Claim { post: q });
    assert_eq!(names(&events), ["question_claimed"]);
    assert_eq!(
        t.h.qstate(q),
        &QuestionState::Claimed {
            by: id_of(t.panelist)
        }
    );
    // Claiming what you hold already is a no-op.
    t.h.noop(t.panelist, Command::Claim { post: q });
    // Somebody else holds it.
    assert_eq!(
        t.h.err(t.panelist2, Command::Claim { post: q }),
        DomainError::AlreadyClaimed
    );
    assert_eq!(
        t.h.code(t.moderator, Command::Claim { post: q }),
        "already_claimed"
    );
    // A claimed question still counts and is still in the queue.
    assert_eq!(t.h.state.counters().questions, 1);
    let queue = t.h.state.queue(QueueSort::Age, &|_| 0);
    assert_eq!(queue.iter().map(|p| p.id).collect::<Vec<_>>(), vec![q]);
}

#[test]
fn claim_rejections() {
    let mut t = Town::open();
    let q = t.h.question(t.anne, "Hvornår?");
    let c = t.h.comment(t.anne, "Kommentar");
    assert_eq!(t.h.code(t.anne, Command::Claim { post: q }), "forbidden");
    assert_eq!(t.h.code(ORG, Command::Claim { post: q }), "forbidden");
    assert_eq!(
        t.h.code(t.panelist, Command::Claim { post: c }),
        "validation_failed",
        "not a question"
    );
    assert_eq!(
        t.h.code(t.panelist, Command::Claim { post: PostId(9999) }),
        "not_found"
    );
    t.h.ok(t.panelist, answer_live(q));
    assert_eq!(
        t.h.code(t.panelist2, Command::Claim { post: q }),
        "invalid_state"
    );
    let d = t.h.question(t.bo, "Hvorfor?");
    t.h.ok(t.moderator, dismiss(d, "udenfor emnet"));
    assert_eq!(
        t.h.code(t.panelist2, Command::Claim { post: d }),
        "invalid_state"
    );
}

#[test]
fn release_a_claim() {
    let mut t = Town::open();
    let q = t.h.question(t.anne, "Hvornår?");
    t.h.noop(t.panelist, Command::Release { post: q });
    t.h.ok(t.panelist, Command::Claim { post: q });
    assert_eq!(
        t.h.code(t.panelist2, Command::Release { post: q }),
        "forbidden",
        "a panelist cannot release someone else's claim"
    );
    assert_eq!(t.h.code(t.anne, Command::Release { post: q }), "forbidden");
    assert_eq!(
        names(&t.h.ok(t.panelist, Command::Release { post: q })),
        ["question_released"]
    );
    assert_eq!(t.h.qstate(q), &QuestionState::Open);

    // A moderator may release anyone's claim.
    t.h.ok(t.panelist2, Command::Claim { post: q });
    assert_eq!(
        names(&t.h.ok(t.moderator, Command::Release { post: q })),
        ["question_released"]
    );
    assert_eq!(t.h.qstate(q), &QuestionState::Open);

    t.h.ok(t.panelist, answer_live(q));
    assert_eq!(
        t.h.code(t.panelist, Command::Release { post: q }),
        "invalid_state"
    );
}

// ---------------------------------------------------------------------------------------------
// AnswerWritten / AnswerLive

#[test]
fn answer_in_writing() {
    let mut t = Town::open();
    let q = t.h.question(t.anne, "Hvad koster det?");
    t.h.advance(120);
    let (events, notices) =
        t.h.run_with_notices(t.panelist, answer_written(q, "  Det koster **10 mio.**  "))
            .unwrap();
    assert_eq!(names(&events), ["question_answered"]);
    match t.h.qstate(q) {
        QuestionState::Answered { by, at, answer } => {
            assert_eq!(*by, id_of(t.panelist));
            assert_eq!(*at, t.h.now);
            match answer {
                Answer::Written { body } => assert_eq!(body.as_str(), "Det koster **10 mio.**"),
                other => panic!("expected a written answer, got {other:?}"),
            }
        }
        other => panic!("expected answered, got {other:?}"),
    }
    assert_eq!(
        notices,
        vec![Notice {
            to: id_of(t.anne),
            kind: NoticeKind::QuestionAnswered,
            post: Some(q)
        }]
    );
    let c = t.h.state.counters();
    assert_eq!((c.questions, c.answered, c.dismissed), (1, 1, 0));
    assert!(t.h.state.queue(QueueSort::Votes, &|_| 0).is_empty());
}

#[test]
fn answer_live_with_and_without_note() {
    let mut t = Town::open();
    let q1 = t.h.question(t.anne, "Et");
    let q2 = t.h.question(t.bo, "To");
    let q3 = t.h.question(t.carl, "Tre");
    t.h.ok(
        t.panelist,
        Command::AnswerLive {
            post: q1,
            note: Some(" besvaret ved 19:30 ".into()),
            panelist: None,
        },
    );
    t.h.ok(
        t.panelist,
        Command::AnswerLive {
            post: q2,
            note: Some("   ".into()),
            panelist: None,
        },
    );
    t.h.ok(t.moderator, answer_live(q3));
    let live_note = |q| match t.h.qstate(q) {
        QuestionState::Answered {
            answer: Answer::Live { note, .. },
            ..
        } => note.clone(),
        other => panic!("expected a live answer, got {other:?}"),
    };
    assert_eq!(live_note(q1).as_deref(), Some("besvaret ved 19:30"));
    assert_eq!(live_note(q2), None);
    assert_eq!(live_note(q3), None);
    assert_eq!(answered_by(&t.h, q3), Some(id_of(t.moderator)));
    assert_eq!(t.h.state.counters().answered, 3);
}

#[test]
fn answer_rejections() {
    let mut t = Town::open();
    let q = t.h.question(t.anne, "Hvad?");
    let c = t.h.comment(t.anne, "Kommentar");
    for cmd in [answer_written(q, "svar"), answer_live(q)] {
        assert_eq!(t.h.code(t.anne, cmd.clone()), "forbidden");
        assert_eq!(t.h.code(ORG, cmd), "forbidden");
    }
    assert_eq!(
        t.h.code(t.panelist, answer_written(c, "svar")),
        "validation_failed"
    );
    assert_eq!(
        t.h.code(t.panelist, answer_written(PostId(9999), "svar")),
        "not_found"
    );
    assert_eq!(
        t.h.code(t.panelist, answer_written(q, " ")),
        "validation_failed"
    );
    assert_eq!(
        t.h.err(t.panelist, answer_written(q, &"a".repeat(5001))),
        DomainError::BodyTooLong {
            field: "body",
            max: 5000
        }
    );
    assert_eq!(
        t.h.code(
            t.panelist,
            Command::AnswerLive {
                post: q,
                note: Some("n".repeat(501)),
                panelist: None
            }
        ),
        "validation_failed"
    );
    // Claimed by another panelist: hands off, unless you are a moderator.
    t.h.ok(t.panelist2, Command::Claim { post: q });
    assert_eq!(
        t.h.code(t.panelist, answer_written(q, "svar")),
        "already_claimed"
    );
    t.h.ok(t.moderator, answer_written(q, "svar fra ordstyreren"));
    assert_eq!(answered_by(&t.h, q), Some(id_of(t.moderator)));
    // Answered once is answered.
    assert_eq!(
        t.h.code(t.panelist2, answer_written(q, "igen")),
        "invalid_state"
    );
    assert_eq!(t.h.code(t.panelist2, answer_live(q)), "invalid_state");
}

#[test]
fn the_claimer_answers_their_own_claim() {
    let mut t = Town::open();
    let q = t.h.question(t.anne, "Hvad?");
    t.h.ok(t.panelist, Command::Claim { post: q });
    t.h.ok(t.panelist, answer_written(q, &"a".repeat(5000)));
    assert_eq!(answered_by(&t.h, q), Some(id_of(t.panelist)));
}

#[test]
fn questions_can_be_answered_after_the_meeting_closed() {
    // Every question must get an answer, also after the live part.
    let mut t = Town::open();
    let q = t.h.question(t.anne, "Hvad?");
    t.h.ok(ORG, Command::Close);
    t.h.ok(t.panelist, answer_written(q, "Svar bagefter"));
    assert_eq!(t.h.state.counters().answered, 1);
}

#[test]
fn intake_questions_can_be_answered_before_opening() {
    let mut t = Town::scheduled_with(MeetingSettings::default());
    let q = t.h.question(t.anne, "Forhånd?");
    t.h.ok(t.panelist, Command::Claim { post: q });
    t.h.ok(t.panelist, answer_written(q, "Svar før mødet"));
    assert_eq!(t.h.state.counters().answered, 1);
}

#[test]
fn pending_questions_cannot_be_claimed_answered_or_put_on_air() {
    let mut t = Town::open_with(MeetingSettings {
        premoderation: true,
        ..Default::default()
    });
    let q = t.h.question(t.anne, "Held question");
    assert!(matches!(
        t.h.post_of(q).visibility,
        Visibility::Pending { .. }
    ));
    assert_eq!(
        t.h.code(t.panelist, Command::Claim { post: q }),
        "invalid_state"
    );
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
        t.h.code(t.moderator, Command::SetOnAir { post: Some(q) }),
        "invalid_state"
    );
    t.h.ok(t.moderator, Command::Approve { post: q });
    t.h.ok(t.panelist, Command::Claim { post: q });
}

// ---------------------------------------------------------------------------------------------
// RoomQuestion

#[test]
fn room_question_by_moderator() {
    let mut t = Town::open_with(MeetingSettings {
        premoderation: true,
        ..Default::default()
    });
    let events = t.h.ok(
        t.moderator,
        Command::RoomQuestion {
            body: " Spørgsmål fra salen ".into(),
            name: Some("  Hans fra 3. række ".into()),
        },
    );
    assert_eq!(names(&events), ["post_created"]);
    let q = PostId(events[0].seq);
    let p = t.h.post_of(q);
    assert_eq!(p.kind, PostKind::Question);
    assert_eq!(p.body.as_str(), "Spørgsmål fra salen");
    assert_eq!(p.visibility, Visibility::Visible, "not premoderated");
    match &p.source {
        Source::Room { name: Some(n) } => assert_eq!(n.as_str(), "Hans fra 3. række"),
        other => panic!("expected a named room source, got {other:?}"),
    }
    assert_eq!(t.h.qstate(q), &QuestionState::Open);
    assert_eq!(t.h.state.counters().questions, 1);

    let events = t.h.ok(
        t.moderator2,
        Command::RoomQuestion {
            body: "Anonym".into(),
            name: Some("   ".into()),
        },
    );
    assert_eq!(
        t.h.post_of(PostId(events[0].seq)).source,
        Source::Room { name: None }
    );
}

#[test]
fn room_question_rejections() {
    let mut t = Town::open_with(MeetingSettings {
        max_body_chars: 20,
        ..Default::default()
    });
    let cmd = |body: &str, name: Option<&str>| Command::RoomQuestion {
        body: body.into(),
        name: name.map(Into::into),
    };
    for actor in [t.panelist, t.anne, ORG] {
        assert_eq!(t.h.code(actor, cmd("Hvad?", None)), "forbidden");
    }
    assert_eq!(
        t.h.code(t.moderator, cmd(&"x".repeat(21), None)),
        "body_too_long"
    );
    assert_eq!(t.h.code(t.moderator, cmd("", None)), "validation_failed");
    assert_eq!(
        t.h.code(t.moderator, cmd("Hvad?", Some(&"n".repeat(41)))),
        "validation_failed"
    );
    t.h.ok(ORG, Command::Close);
    assert_eq!(t.h.code(t.moderator, cmd("Hvad?", None)), "meeting_closed");

    let mut h = Harness::created(MeetingSettings::default());
    let m = h.add_staff(StaffRole::Moderator, "Mette", "");
    assert_eq!(h.code(m, cmd("Hvad?", None)), "meeting_not_open");
    h.ok(ORG, Command::Schedule);
    h.ok(m, cmd("Indsendt på papir", None));
}

#[test]
fn answering_a_hall_question_notifies_nobody_online() {
    let mut t = Town::open();
    let events = t.h.ok(
        t.moderator,
        Command::RoomQuestion {
            body: "Fra salen".into(),
            name: None,
        },
    );
    let q = PostId(events[0].seq);
    let (_, notices) =
        t.h.run_with_notices(
            t.panelist,
            Command::AnswerLive {
                post: q,
                note: None,
                panelist: None,
            },
        )
        .expect("answer");
    assert!(
        notices.is_empty(),
        "the moderator who typed it is not the asker: {notices:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Dismiss

#[test]
fn dismiss_never_counts_as_answered() {
    let mut t = Town::open();
    let q = t.h.question(t.anne, "Off topic?");
    t.h.ok(t.panelist, Command::Claim { post: q });
    let (events, notices) =
        t.h.run_with_notices(t.moderator, dismiss(q, "  Udenfor emnet  "))
            .unwrap();
    assert_eq!(names(&events), ["question_dismissed"]);
    assert_eq!(
        t.h.qstate(q),
        &QuestionState::Dismissed {
            by: id_of(t.moderator),
            reason: "Udenfor emnet".into()
        }
    );
    assert_eq!(
        notices,
        vec![Notice {
            to: id_of(t.anne),
            kind: NoticeKind::QuestionDismissed,
            post: Some(q)
        }]
    );
    let c = t.h.state.counters();
    assert_eq!((c.questions, c.answered, c.dismissed), (1, 0, 1));
    // And it cannot become answered or be dismissed again afterwards.
    assert_eq!(
        t.h.code(t.panelist, answer_written(q, "alligevel")),
        "invalid_state"
    );
    assert_eq!(t.h.code(t.moderator, answer_live(q)), "invalid_state");
    assert_eq!(t.h.code(t.moderator, dismiss(q, "igen")), "invalid_state");
    assert_eq!(t.h.state.counters().answered, 0);
}

#[test]
fn dismiss_rejections() {
    let mut t = Town::open();
    let q = t.h.question(t.anne, "Hvad?");
    let c = t.h.comment(t.anne, "Kommentar");
    assert_eq!(t.h.code(t.panelist, dismiss(q, "nej")), "forbidden");
    assert_eq!(t.h.code(t.anne, dismiss(q, "nej")), "forbidden");
    assert_eq!(t.h.code(ORG, dismiss(q, "nej")), "forbidden");
    assert_eq!(
        t.h.code(t.moderator, dismiss(q, "   ")),
        "validation_failed",
        "the asker is told why"
    );
    assert_eq!(
        t.h.code(t.moderator, dismiss(q, &"r".repeat(501))),
        "validation_failed"
    );
    assert_eq!(
        t.h.code(t.moderator, dismiss(c, "nej")),
        "validation_failed"
    );
    assert_eq!(
        t.h.code(t.moderator, dismiss(PostId(9999), "nej")),
        "not_found"
    );
    t.h.ok(t.panelist, answer_live(q));
    assert_eq!(t.h.code(t.moderator, dismiss(q, "nej")), "invalid_state");
    assert_eq!(t.h.state.counters().dismissed, 0);
}

// ---------------------------------------------------------------------------------------------
// Merge

#[test]
fn merge_carries_the_asker_over() {
    let mut t = Town::open();
    let main = t.h.question(t.anne, "Hvad med trafikken?");
    let dup = t.h.question(t.bo, "Trafik ved skolen?");
    let (events, notices) = t.h.run_with_notices(t.moderator, merge(dup, main)).unwrap();
    assert_eq!(names(&events), ["question_merged"]);
    assert_eq!(t.h.qstate(dup), &QuestionState::Merged { into: main });
    assert_eq!(
        t.h.post_of(main).question.as_ref().unwrap().merged_from,
        vec![dup]
    );
    assert_eq!(
        notices,
        vec![Notice {
            to: id_of(t.bo),
            kind: NoticeKind::QuestionMerged,
            post: Some(dup)
        }]
    );
    assert_eq!(
        t.h.state.counters().questions,
        1,
        "merged questions do not count"
    );
    assert_eq!(
        authorize_vote(&t.h.state, &t.carl, dup).unwrap_err().code(),
        "invalid_state"
    );
    authorize_vote(&t.h.state, &t.carl, main).unwrap();
    let queue = t.h.state.queue(QueueSort::Age, &|_| 0);
    assert_eq!(queue.iter().map(|p| p.id).collect::<Vec<_>>(), vec![main]);

    let (_, notices) =
        t.h.run_with_notices(t.panelist, answer_written(main, "Vi bygger en sti"))
            .unwrap();
    assert_eq!(
        answer_notices(&notices),
        {
            let mut v = vec![(id_of(t.anne), Some(main)), (id_of(t.bo), Some(main))];
            v.sort();
            v
        },
        "both askers hear about the answer"
    );
    let c = t.h.state.counters();
    assert_eq!((c.questions, c.answered), (1, 1));
}

#[test]
fn merged_askers_are_told_once() {
    let mut t = Town::open();
    let main = t.h.question(t.anne, "Et");
    let dup1 = t.h.question(t.anne, "Et igen");
    t.h.advance(1);
    let dup2 = t.h.question(t.bo, "Også et");
    t.h.ok(t.moderator, merge(dup1, main));
    t.h.ok(t.moderator, merge(dup2, main));
    let (_, notices) = t.h.run_with_notices(t.panelist, answer_live(main)).unwrap();
    let mut expected = vec![(id_of(t.anne), Some(main)), (id_of(t.bo), Some(main))];
    expected.sort();
    assert_eq!(answer_notices(&notices), expected);
}

#[test]
fn merge_chains_still_reach_the_first_asker() {
    let mut t = Town::open();
    let a = t.h.question(t.anne, "A");
    let b = t.h.question(t.bo, "B");
    let c = t.h.question(t.carl, "C");
    t.h.ok(t.moderator, merge(a, b));
    // b is still open, so it may itself be merged on.
    t.h.ok(t.moderator, merge(b, c));
    assert_eq!(t.h.state.counters().questions, 1);
    let (_, notices) = t.h.run_with_notices(t.panelist, answer_live(c)).unwrap();
    let mut expected = vec![
        (id_of(t.anne), Some(c)),
        (id_of(t.bo), Some(c)),
        (id_of(t.carl), Some(c)),
    ];
    expected.sort();
    assert_eq!(answer_notices(&notices), expected);
}

#[test]
fn a_dismissed_question_may_be_merged() {
    let mut t = Town::open();
    let main = t.h.question(t.anne, "Et");
    let d = t.h.question(t.bo, "To");
    t.h.ok(t.moderator, dismiss(d, "dublet"));
    assert_eq!(t.h.state.counters().dismissed, 1);
    t.h.ok(t.moderator, merge(d, main));
    let c = t.h.state.counters();
    assert_eq!((c.questions, c.dismissed), (1, 0));
}

#[test]
fn merge_rejections() {
    let mut t = Town::open();
    let a = t.h.question(t.anne, "A");
    let b = t.h.question(t.bo, "B");
    let c = t.h.question(t.carl, "C");
    let comment = t.h.comment(t.carl, "kommentar");
    for actor in [t.panelist, t.anne, ORG] {
        assert_eq!(t.h.code(actor, merge(a, b)), "forbidden");
    }
    assert_eq!(t.h.code(t.moderator, merge(a, a)), "validation_failed");
    assert_eq!(
        t.h.code(t.moderator, merge(a, comment)),
        "validation_failed"
    );
    assert_eq!(
        t.h.code(t.moderator, merge(comment, a)),
        "validation_failed"
    );
    assert_eq!(t.h.code(t.moderator, merge(a, PostId(9999))), "not_found");
    assert_eq!(t.h.code(t.moderator, merge(PostId(9999), a)), "not_found");

    t.h.ok(t.moderator, merge(a, b));
    assert_eq!(
        t.h.code(t.moderator, merge(c, a)),
        "invalid_state",
        "into a merged question"
    );
    assert_eq!(
        t.h.code(t.moderator, merge(a, c)),
        "invalid_state",
        "a merged question again"
    );
    assert_eq!(
        t.h.code(t.moderator, merge(b, a)),
        "invalid_state",
        "no cycles"
    );
    t.h.ok(t.panelist, answer_live(c));
    assert_eq!(
        t.h.code(t.moderator, merge(c, b)),
        "invalid_state",
        "an answered question"
    );
    // A merged question is final.
    for cmd in [
        Command::Claim { post: a },
        answer_live(a),
        dismiss(a, "nej"),
        Command::SetOnAir { post: Some(a) },
    ] {
        assert_eq!(t.h.code(t.moderator, cmd), "invalid_state");
    }
}

// ---------------------------------------------------------------------------------------------
// SetOnAir

#[test]
fn on_air() {
    let mut t = Town::open();
    let a = t.h.question(t.anne, "A");
    let b = t.h.question(t.bo, "B");
    let c = t.h.comment(t.carl, "kommentar");
    assert_eq!(
        names(&t.h.ok(t.moderator, Command::SetOnAir { post: Some(a) })),
        ["on_air_set"]
    );
    assert_eq!(t.h.state.on_air, Some(a));
    t.h.noop(t.moderator2, Command::SetOnAir { post: Some(a) });
    for actor in [t.panelist, t.anne, ORG] {
        assert_eq!(
            t.h.code(actor, Command::SetOnAir { post: Some(b) }),
            "forbidden"
        );
    }
    assert_eq!(
        t.h.code(t.moderator, Command::SetOnAir { post: Some(c) }),
        "validation_failed"
    );
    assert_eq!(
        t.h.code(
            t.moderator,
            Command::SetOnAir {
                post: Some(PostId(9999))
            }
        ),
        "not_found"
    );
    // Merging the question on air moves the air to the question it was merged into.
    t.h.ok(t.moderator, merge(a, b));
    assert_eq!(t.h.state.on_air, Some(b));
    assert_eq!(
        names(&t.h.ok(t.moderator, Command::SetOnAir { post: None })),
        ["on_air_set"]
    );
    assert_eq!(t.h.state.on_air, None);
    t.h.noop(t.moderator, Command::SetOnAir { post: None });
    // Answered questions may still be shown.
    t.h.ok(t.panelist, answer_live(b));
    t.h.ok(t.moderator, Command::SetOnAir { post: Some(b) });
    assert_eq!(t.h.state.on_air, Some(b));
}

/// Answering or dismissing the question on air takes it off air in the same command, so no
/// screen shows an answered question as "now on screen"; another question on air stays.
#[test]
fn answering_or_dismissing_the_question_on_air_takes_it_off_air() {
    let mut t = Town::open();
    let a = t.h.question(t.anne, "A");
    let b = t.h.question(t.bo, "B");
    t.h.ok(t.moderator, Command::SetOnAir { post: Some(a) });
    assert_eq!(
        names(&t.h.ok(t.panelist, answer_written(a, "Svar"))),
        ["question_answered", "on_air_set"]
    );
    assert_eq!(t.h.state.on_air, None);
    t.h.ok(t.moderator, Command::SetOnAir { post: Some(b) });
    assert_eq!(
        names(&t.h.ok(t.moderator, dismiss(b, "Uden for emnet"))),
        ["question_dismissed", "on_air_set"]
    );
    assert_eq!(t.h.state.on_air, None);
    // Answering a question that is not on air leaves the one on air alone.
    let c = t.h.question(t.carl, "C");
    let d = t.h.question(t.anne, "D");
    t.h.ok(t.moderator, Command::SetOnAir { post: Some(c) });
    assert_eq!(
        names(&t.h.ok(t.panelist, answer_written(d, "Svar"))),
        ["question_answered"]
    );
    assert_eq!(t.h.state.on_air, Some(c));
}

// Live answers credit the panelist who answered, not whoever pressed the button.

fn live_by(post: PostId, panelist: Option<Actor>) -> Command {
    Command::AnswerLive {
        post,
        note: None,
        panelist: panelist.map(id_of),
    }
}

fn credited(t: &Town, q: PostId) -> ParticipantId {
    match t.h.qstate(q) {
        QuestionState::Answered { by, .. } => *by,
        other => panic!("not answered: {other:?}"),
    }
}

#[test]
fn a_moderator_records_a_live_answer_for_the_panelist_who_gave_it() {
    let mut t = Town::open();
    let q = t.h.question(t.anne, "Hvornår åbner svømmehallen?");
    let events = t.h.ok(t.moderator, live_by(q, Some(t.panelist2)));
    // The log keeps who recorded it (audit) and names the panelist who answered.
    assert_eq!(events[0].actor, t.moderator);
    assert!(matches!(
        &events[0].kind,
        EventKind::QuestionAnswered { answer: Answer::Live { panelist: Some(p), .. }, .. } if *p == id_of(t.panelist2)
    ));
    assert_eq!(credited(&t, q), id_of(t.panelist2));
}

#[test]
fn a_live_answer_defaults_to_the_claiming_panelist_then_the_pressing_panelist() {
    let mut t = Town::open();
    let claimed = t.h.question(t.anne, "Et");
    let open = t.h.question(t.bo, "To");
    let by_mod = t.h.question(t.carl, "Tre");
    t.h.ok(t.panelist2, Command::Claim { post: claimed });
    t.h.ok(t.moderator, live_by(claimed, None));
    assert_eq!(credited(&t, claimed), id_of(t.panelist2));
    t.h.ok(t.panelist, live_by(open, None));
    assert_eq!(credited(&t, open), id_of(t.panelist));
    // A moderator on an unclaimed question without naming anyone: nobody named, the
    // moderator stays the actor (as every event before the field existed).
    let events = t.h.ok(t.moderator, live_by(by_mod, None));
    assert!(matches!(
        &events[0].kind,
        EventKind::QuestionAnswered {
            answer: Answer::Live { panelist: None, .. },
            ..
        }
    ));
    assert_eq!(credited(&t, by_mod), id_of(t.moderator));
}

#[test]
fn a_live_answer_names_an_active_panelist_of_the_meeting() {
    let mut t = Town::open();
    let q = t.h.question(t.anne, "Et");
    let err = t.h.err(t.moderator, live_by(q, Some(t.moderator2)));
    assert_eq!(err.code(), "validation_failed");
    assert!(matches!(err, DomainError::Validation { field, .. } if field == "panelist"));
    assert_eq!(
        t.h.code(t.moderator, live_by(q, Some(t.anne))),
        "validation_failed"
    );
    let stranger = Command::AnswerLive {
        post: q,
        note: None,
        panelist: Some(pid(999_999)),
    };
    assert_eq!(t.h.code(t.moderator, stranger), "validation_failed");
    t.h.ok(
        ORG,
        Command::RevokeStaff {
            participant: id_of(t.panelist2),
        },
    );
    assert_eq!(
        t.h.code(t.moderator, live_by(q, Some(t.panelist2))),
        "validation_failed"
    );
    assert!(matches!(t.h.qstate(q), QuestionState::Open));
}

#[test]
fn an_old_live_answer_without_a_panelist_still_reads_and_credits_its_actor() {
    // The stored JSON of a live answer from before the field: no "panelist" member.
    let old: Answer = serde_json::from_str(r#"{"mode":"live","note":"i salen"}"#).unwrap();
    assert_eq!(
        old,
        Answer::Live {
            note: Some("i salen".into()),
            panelist: None
        }
    );
    // And a new one without a panelist serializes exactly as before (same hash chain).
    assert_eq!(
        serde_json::to_string(&Answer::Live {
            note: None,
            panelist: None
        })
        .unwrap(),
        r#"{"mode":"live","note":null}"#
    );
}
