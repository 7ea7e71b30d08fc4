//! The polls family (`decide/polls.rs`), who may answer and what an answer is
//! (`poll::check_answer`), and how answers are counted (`poll_results::count`).

use crate::common::*;
use borgermode_domain::event::Actor;
use borgermode_domain::poll_results::count;
use borgermode_domain::*;
use chrono::Duration;

fn single(question: &str, options: &[&str], results: ResultsShown) -> PollDefinition {
    PollDefinition {
        question: question.into(),
        kind: PollKind::SingleChoice {
            options: options.iter().map(|o| o.to_string()).collect(),
        },
        results,
        agenda_item: None,
    }
}

fn harbour() -> PollDefinition {
    single(
        "Hvilket forslag foretrækker du?",
        &["A: parken", "B: boligerne", "C: havnebadet"],
        ResultsShown::Live,
    )
}

fn create(t: &mut Town, who: Actor, definition: PollDefinition) -> PollId {
    let events = t.h.ok(who, Command::CreatePoll { definition });
    assert_eq!(names(&events), ["poll_created"]);
    PollId(events[0].seq)
}

fn status(t: &Town, poll: PollId) -> PollStatus {
    t.h.state.polls.get(poll).expect("poll exists").status
}

fn answer(t: &Town, who: Actor, poll: PollId, a: PollAnswer) -> Result<CheckedAnswer, String> {
    check_answer(&t.h.state, &who, poll, a, t.h.now).map_err(|e| e.code().to_string())
}

fn pick(picks: &[u8]) -> PollAnswer {
    PollAnswer::Choice {
        picks: picks.to_vec(),
    }
}

#[test]
fn staff_prepare_drafts_before_the_meeting_and_launch_them_when_it_is_open() {
    let mut t = Town::scheduled_with(MeetingSettings::default());
    let (moderator, panelist, anne) = (t.moderator, t.panelist, t.anne);
    let a = create(&mut t, ORG, harbour());
    let b = create(
        &mut t,
        moderator,
        single(
            "Er mødet nyttigt?",
            &["Ja", "Nej"],
            ResultsShown::AfterClose,
        ),
    );
    for actor in [panelist, anne] {
        assert_eq!(
            t.h.code(
                actor,
                Command::CreatePoll {
                    definition: harbour()
                }
            ),
            "forbidden"
        );
        assert_eq!(
            t.h.code(actor, Command::LaunchPoll { poll: a }),
            "forbidden"
        );
    }
    // Drafts are edited and reordered freely; launching waits for the meeting to open.
    t.h.ok(
        moderator,
        Command::EditPoll {
            poll: a,
            definition: single("Hvilket forslag?", &["A", "B"], ResultsShown::Live),
        },
    );
    t.h.ok(
        ORG,
        Command::MovePoll {
            poll: b,
            position: 0,
        },
    );
    let order: Vec<PollId> = t.h.state.polls.items.iter().map(|p| p.id).collect();
    assert_eq!(order, [b, a]);
    assert_eq!(
        t.h.code(ORG, Command::LaunchPoll { poll: a }),
        "meeting_not_open"
    );
    assert_eq!(
        answer(&t, anne, a, pick(&[0])),
        Err("not_found".into()),
        "a draft is not there for citizens"
    );
    t.h.ok(ORG, Command::Open);
    t.h.ok(moderator, Command::LaunchPoll { poll: a });
    t.h.ok(moderator, Command::LaunchPoll { poll: b });
    t.h.noop(moderator, Command::LaunchPoll { poll: a });
    assert_eq!(status(&t, a), PollStatus::Open);
    assert_eq!(
        t.h.state.polls.open().count(),
        2,
        "several polls run at once"
    );
    // Launched: no more edits or deletion (answers refer to what it asked).
    assert_eq!(
        t.h.code(
            ORG,
            Command::EditPoll {
                poll: a,
                definition: harbour()
            }
        ),
        "poll_launched"
    );
    assert_eq!(
        t.h.code(ORG, Command::DeletePoll { poll: a }),
        "poll_launched"
    );
    t.h.ok(moderator, Command::ClosePoll { poll: a });
    t.h.noop(moderator, Command::ClosePoll { poll: a });
    assert_eq!(
        t.h.code(ORG, Command::LaunchPoll { poll: a }),
        "poll_closed"
    );
    assert_eq!(status(&t, a), PollStatus::Closed);
}

#[test]
fn drafts_can_be_deleted_and_not_closed() {
    let mut t = Town::open();
    let a = create(&mut t, ORG, harbour());
    assert_eq!(
        t.h.code(ORG, Command::ClosePoll { poll: a }),
        "poll_not_open"
    );
    assert_eq!(
        t.h.code(ORG, Command::PublishPollResults { poll: a }),
        "poll_not_open"
    );
    assert_eq!(
        t.h.code(ORG, Command::SetPollOnScreen { poll: Some(a) }),
        "poll_not_open"
    );
    t.h.ok(ORG, Command::DeletePoll { poll: a });
    assert!(t.h.state.polls.items.is_empty());
    assert_eq!(t.h.code(ORG, Command::LaunchPoll { poll: a }), "not_found");
}

#[test]
fn definitions_are_checked() {
    let mut t = Town::open();
    let code =
        |t: &mut Town, d: PollDefinition| t.h.code(ORG, Command::CreatePoll { definition: d });
    assert_eq!(
        code(&mut t, single("", &["A", "B"], ResultsShown::Live)),
        "validation_failed"
    );
    assert_eq!(
        code(&mut t, single("Q?", &["A"], ResultsShown::Live)),
        "validation_failed"
    );
    let eleven: Vec<String> = (0..11).map(|i| format!("O{i}")).collect();
    let eleven: Vec<&str> = eleven.iter().map(String::as_str).collect();
    assert_eq!(
        code(&mut t, single("Q?", &eleven, ResultsShown::Live)),
        "validation_failed"
    );
    assert_eq!(
        code(&mut t, single("Q?", &["Ja", " ja "], ResultsShown::Live)),
        "validation_failed",
        "the same option twice"
    );
    assert_eq!(
        code(&mut t, single("Q?", &["A\nB", "C"], ResultsShown::Live)),
        "validation_failed"
    );
    let multi = |max_picks| PollDefinition {
        kind: PollKind::MultipleChoice {
            options: vec!["A".into(), "B".into(), "C".into()],
            max_picks,
        },
        ..harbour()
    };
    assert_eq!(code(&mut t, multi(0)), "validation_failed");
    assert_eq!(code(&mut t, multi(4)), "validation_failed");
    let scale = |max| PollDefinition {
        kind: PollKind::Scale {
            max,
            low_label: "Slet ikke".into(),
            high_label: "Helt".into(),
        },
        ..harbour()
    };
    assert_eq!(code(&mut t, scale(7)), "validation_failed");
    create(&mut t, ORG, scale(10));
    assert_eq!(
        code(
            &mut t,
            PollDefinition {
                agenda_item: Some(AgendaItemId(9999)),
                ..harbour()
            }
        ),
        "not_found"
    );
    // Stored trimmed.
    let p = create(
        &mut t,
        ORG,
        single("  Hvad nu?  ", &[" A ", "B"], ResultsShown::Live),
    );
    let d = &t.h.state.polls.get(p).unwrap().definition;
    assert_eq!(d.question, "Hvad nu?");
    assert_eq!(
        d.kind,
        PollKind::SingleChoice {
            options: vec!["A".into(), "B".into()]
        }
    );
}

#[test]
fn citizens_answer_open_polls_within_the_poll_kind() {
    let mut t = Town::open();
    let (anne, bo, moderator) = (t.anne, t.bo, t.moderator);
    let one = create(&mut t, ORG, harbour());
    let many = create(
        &mut t,
        ORG,
        PollDefinition {
            kind: PollKind::MultipleChoice {
                options: vec!["Grønt".into(), "Boliger".into(), "Bad".into()],
                max_picks: 2,
            },
            ..harbour()
        },
    );
    let scale = create(
        &mut t,
        ORG,
        PollDefinition {
            kind: PollKind::Scale {
                max: 5,
                low_label: String::new(),
                high_label: String::new(),
            },
            ..harbour()
        },
    );
    let cloud = create(
        &mut t,
        ORG,
        PollDefinition {
            kind: PollKind::WordCloud,
            ..harbour()
        },
    );
    for p in [one, many, scale, cloud] {
        t.h.ok(ORG, Command::LaunchPoll { poll: p });
    }
    assert_eq!(
        answer(&t, anne, one, pick(&[2])).unwrap().answer,
        pick(&[2])
    );
    assert_eq!(
        answer(&t, anne, one, pick(&[0, 1])),
        Err("too_many_choices".into())
    );
    assert_eq!(
        answer(&t, anne, one, pick(&[3])),
        Err("validation_failed".into())
    );
    assert_eq!(
        answer(&t, anne, one, pick(&[])),
        Err("validation_failed".into())
    );
    // Multiple choice: distinct picks, sorted, at most max_picks.
    assert_eq!(
        answer(&t, anne, many, pick(&[2, 0, 2])).unwrap().answer,
        pick(&[0, 2])
    );
    assert_eq!(
        answer(&t, anne, many, pick(&[0, 1, 2])),
        Err("too_many_choices".into())
    );
    assert_eq!(
        answer(&t, anne, scale, PollAnswer::Scale { value: 5 })
            .unwrap()
            .answer,
        PollAnswer::Scale { value: 5 }
    );
    for bad in [0, 6] {
        assert_eq!(
            answer(&t, anne, scale, PollAnswer::Scale { value: bad }),
            Err("validation_failed".into())
        );
    }
    assert_eq!(
        answer(&t, anne, scale, pick(&[0])),
        Err("validation_failed".into()),
        "an answer of another kind"
    );
    // Words: case, whitespace and end punctuation folded; æøå kept; duplicates merged.
    let words = |ws: &[&str]| PollAnswer::Words {
        words: ws.iter().map(|w| w.to_string()).collect(),
    };
    assert_eq!(
        answer(
            &t,
            anne,
            cloud,
            words(&["  Grøn   Havn! ", "grøn havn", "ÅEN"])
        )
        .unwrap()
        .answer,
        words(&["grøn havn", "åen"])
    );
    assert_eq!(
        answer(&t, anne, cloud, words(&["a", "b", "c", "d"])),
        Err("too_many_choices".into())
    );
    assert_eq!(
        answer(&t, anne, cloud, words(&[&"x".repeat(31)])),
        Err("validation_failed".into())
    );
    assert_eq!(
        answer(&t, anne, cloud, words(&["  "])),
        Err("validation_failed".into())
    );
    assert_eq!(
        answer(&t, anne, cloud, words(&[])),
        Err("validation_failed".into())
    );
    // Staff run polls; they do not answer them.
    assert_eq!(
        answer(&t, moderator, one, pick(&[0])),
        Err("forbidden".into())
    );
    // Muted and banned citizens cannot answer.
    t.h.ok(
        moderator,
        Command::Mute {
            participant: id_of(bo),
            minutes: 10,
        },
    );
    assert_eq!(answer(&t, bo, one, pick(&[0])), Err("muted".into()));
    t.h.advance(11 * 60);
    assert!(answer(&t, bo, one, pick(&[0])).is_ok());
    t.h.ok(
        moderator,
        Command::Ban {
            participant: id_of(bo),
            reason: None,
        },
    );
    assert_eq!(answer(&t, bo, one, pick(&[0])), Err("banned".into()));
    // Closed poll, closed meeting.
    t.h.ok(ORG, Command::ClosePoll { poll: one });
    assert_eq!(answer(&t, anne, one, pick(&[0])), Err("poll_closed".into()));
    t.h.ok(ORG, Command::Close);
    assert_eq!(
        answer(&t, anne, many, pick(&[0])),
        Err("meeting_closed".into())
    );
}

#[test]
fn open_answers_follow_the_meetings_moderation_rules() {
    let mut t = Town::open_with(MeetingSettings {
        keywords: vec!["idiot".into()],
        ..Default::default()
    });
    let anne = t.anne;
    let open = create(
        &mut t,
        ORG,
        PollDefinition {
            kind: PollKind::OpenAnswer,
            ..harbour()
        },
    );
    t.h.ok(ORG, Command::LaunchPoll { poll: open });
    let text = |s: &str| PollAnswer::Text { text: s.into() };
    let ok = answer(&t, anne, open, text("  Flere cykelstier  ")).unwrap();
    assert_eq!(ok.answer, text("Flere cykelstier"));
    assert_eq!(ok.held, None);
    assert_eq!(
        answer(&t, anne, open, text("Borgmesteren er en IDIOT"))
            .unwrap()
            .held,
        Some(HoldReason::Keyword)
    );
    assert_eq!(
        answer(&t, anne, open, text(&"x".repeat(281))),
        Err("body_too_long".into())
    );
    assert_eq!(
        answer(&t, anne, open, text("   ")),
        Err("validation_failed".into())
    );
    t.h.set_settings(MeetingSettings {
        premoderation: true,
        ..Default::default()
    });
    assert_eq!(
        answer(&t, anne, open, text("Flere cykelstier"))
            .unwrap()
            .held,
        Some(HoldReason::Premoderation)
    );
}

#[test]
fn who_sees_the_results_when() {
    let mut t = Town::open();
    let live = create(&mut t, ORG, harbour());
    let after = create(
        &mut t,
        ORG,
        single("Q?", &["A", "B"], ResultsShown::AfterClose),
    );
    let staff = create(
        &mut t,
        ORG,
        single("Q2?", &["A", "B"], ResultsShown::StaffOnly),
    );
    let public = |t: &Town, p: PollId| t.h.state.polls.get(p).unwrap().results_public();
    assert!(!public(&t, live), "a draft shows nothing");
    for p in [live, after, staff] {
        t.h.ok(ORG, Command::LaunchPoll { poll: p });
    }
    assert!(public(&t, live));
    assert!(!public(&t, after));
    assert!(!public(&t, staff));
    t.h.ok(ORG, Command::ClosePoll { poll: after });
    t.h.ok(ORG, Command::ClosePoll { poll: staff });
    assert!(public(&t, after));
    assert!(
        !public(&t, staff),
        "staff-only stays staff-only after the close"
    );
    t.h.ok(t.moderator, Command::PublishPollResults { poll: staff });
    t.h.noop(ORG, Command::PublishPollResults { poll: staff });
    t.h.noop(ORG, Command::PublishPollResults { poll: live });
    assert!(public(&t, staff));
    // The big screen shows a launched poll, or none.
    t.h.ok(ORG, Command::SetPollOnScreen { poll: Some(live) });
    assert_eq!(t.h.state.polls.on_screen, Some(live));
    t.h.noop(ORG, Command::SetPollOnScreen { poll: Some(live) });
    t.h.ok(ORG, Command::SetPollOnScreen { poll: None });
    assert_eq!(t.h.state.polls.on_screen, None);
}

#[test]
fn closing_the_meeting_closes_its_open_polls() {
    let mut t = Town::open();
    let a = create(&mut t, ORG, harbour());
    let b = create(&mut t, ORG, harbour());
    let draft = create(&mut t, ORG, harbour());
    t.h.ok(ORG, Command::LaunchPoll { poll: a });
    t.h.ok(ORG, Command::LaunchPoll { poll: b });
    t.h.advance(60);
    let events = t.h.ok(ORG, Command::Close);
    assert_eq!(
        names(&events),
        [
            "poll_closed",
            "poll_closed",
            "meeting_closed",
            "follow_up_started"
        ]
    );
    assert_eq!(status(&t, a), PollStatus::Closed);
    assert_eq!(status(&t, b), PollStatus::Closed);
    assert_eq!(status(&t, draft), PollStatus::Draft);
    assert_eq!(
        t.h.state.polls.get(a).unwrap().closed_at,
        Some(t0() + Duration::seconds(60))
    );
    assert_eq!(
        t.h.code(
            ORG,
            Command::CreatePoll {
                definition: harbour()
            }
        ),
        "meeting_closed"
    );
    let replayed = MeetingState::replay(t.h.state.id, &t.h.log);
    assert_eq!(replayed, t.h.state);
}

#[test]
fn results_count_people_per_option_value_and_word() {
    let choice = PollKind::MultipleChoice {
        options: vec!["A".into(), "B".into(), "C".into()],
        max_picks: 2,
    };
    let answers = [pick(&[0, 1]), pick(&[1]), pick(&[1, 2])];
    let r = count(&choice, answers.iter().map(|a| (a, true)));
    assert_eq!(r.respondents, 3);
    assert_eq!(r.counts, [1, 3, 1]);

    let scale = PollKind::Scale {
        max: 5,
        low_label: String::new(),
        high_label: String::new(),
    };
    let answers: Vec<PollAnswer> = [1, 5, 5, 4]
        .iter()
        .map(|v| PollAnswer::Scale { value: *v })
        .collect();
    let r = count(&scale, answers.iter().map(|a| (a, true)));
    assert_eq!(r.counts, [1, 0, 0, 1, 2]);
    assert_eq!(count(&scale, std::iter::empty()).counts, [0; 5]);

    let w = |ws: &[&str]| PollAnswer::Words {
        words: ws.iter().map(|s| s.to_string()).collect(),
    };
    let answers = [
        w(&["havn", "grønt"]),
        w(&["havn"]),
        w(&["bad", "grønt"]),
        w(&["åen"]),
    ];
    let r = count(&PollKind::WordCloud, answers.iter().map(|a| (a, true)));
    let words: Vec<(&str, u32)> = r.words.iter().map(|w| (w.word.as_str(), w.count)).collect();
    assert_eq!(words, [("grønt", 2), ("havn", 2), ("bad", 1), ("åen", 1)]);

    let t = |s: &str| PollAnswer::Text { text: s.into() };
    let answers = [(t("først"), true), (t("skjult"), false), (t("sidst"), true)];
    let r = count(&PollKind::OpenAnswer, answers.iter().map(|(a, s)| (a, *s)));
    assert_eq!(r.respondents, 3, "a held answer still counts as an answer");
    assert_eq!(
        r.texts,
        ["sidst", "først"],
        "newest first, held ones not listed"
    );
}
