//! The after-meeting report computed from a log: counts, the answered split (live, written
//! during, after the close), time to answer, moderation by reason, the timeline and small-cell
//! suppression of the demographics.

use std::collections::HashMap;

use crate::common::*;
use borgermode_domain::event::Event;
use borgermode_domain::report::{self, Demographics, PresenceSample, ReportInputs, ReportTargets};
use borgermode_domain::*;
use chrono::Duration;
use proptest::prelude::*;

#[test]
fn figures_of_a_small_meeting() {
    let mut t = Town::open();
    let h = &mut t.h;
    let q1 = h.question(t.anne, "Hvornår åbner skolen?");
    h.advance(30);
    let q2 = h.question(t.bo, "Hvad koster det?");
    let q3 = h.question(t.carl, "Og bussen?");
    let q4 = h.question(t.carl, "Og cykelstien?");
    let c1 = h.comment(t.anne, "Godt initiativ");
    h.reply(t.bo, c1, "Enig");
    h.advance(60);
    h.ok(
        t.panelist,
        Command::AnswerLive {
            post: q1,
            note: None,
            panelist: None,
        },
    );
    h.advance(60);
    h.ok(
        t.panelist2,
        Command::AnswerWritten {
            post: q2,
            body: "100 kr.".into(),
        },
    );
    h.ok(
        t.moderator,
        Command::Hide {
            post: c1,
            reason: HideReason::OffTopic,
            note: None,
        },
    );
    h.ok(
        t.moderator,
        Command::Dismiss {
            post: q4,
            reason: "Ikke kommunens område".into(),
        },
    );
    h.advance(60);
    h.ok(ORG, Command::Close);
    // An answer after the close, as the follow-up queue writes them.
    h.advance(3600);
    let seq = h.seq + 1;
    let late = Event {
        seq,
        at: h.now,
        actor: t.panelist,
        kind: EventKind::QuestionAnswered {
            post: q3,
            answer: Answer::Written {
                body: Content::new("Bussen kører fra august."),
            },
        },
    };
    h.log.push(late);

    let (a, b) = (uuid::Uuid::from_u128(1), uuid::Uuid::from_u128(2));
    let inputs = ReportInputs {
        votes: HashMap::from([(q1, 3), (q2, 1)]),
        presence: vec![
            PresenceSample {
                minute: t0(),
                instance: a,
                viewers: 10,
            },
            // The same instance again in that minute: its highest sample counts.
            PresenceSample {
                minute: t0() + Duration::seconds(20),
                instance: a,
                viewers: 8,
            },
            // A second instance in the same minute: summed.
            PresenceSample {
                minute: t0() + Duration::seconds(30),
                instance: b,
                viewers: 4,
            },
            PresenceSample {
                minute: t0() + Duration::minutes(1),
                instance: a,
                viewers: 6,
            },
        ],
        demographics: Demographics::from_events(&h.log),
        targets: ReportTargets::default(),
    };
    let r = report::build(&h.log, &inputs);
    assert_eq!(r.participants, 3);
    assert_eq!((r.posts, r.questions, r.comments, r.replies), (6, 4, 1, 1));
    assert_eq!(r.votes, 4);
    assert_eq!(r.peak_viewers, 14);
    assert_eq!(r.average_viewers, 10.0);
    assert_eq!(r.answers.questions, 4);
    assert_eq!(r.answers.answered_live, 1);
    assert_eq!(r.answers.written_during, 1);
    assert_eq!(r.answers.answered_after, 1);
    assert_eq!(r.answers.dismissed, 1);
    assert_eq!(r.answers.unanswered, 0);
    // Times: q1 90 s, q2 120 s (asked 30 s in, answered 150 s in), q3 3780 s.
    assert_eq!(r.answers.median_secs, Some(120));
    assert_eq!(r.answers.p90_secs, Some(3780));
    let soren = r
        .panelists
        .iter()
        .find(|p| p.name == "Søren Ærø")
        .expect("panelist");
    assert_eq!(soren.answered, 2);
    assert!(r
        .moderation
        .iter()
        .any(|m| m.action == "hidden" && m.reason == "off_topic" && m.count == 1));
    assert!(r
        .moderation
        .iter()
        .any(|m| m.action == "dismissed" && m.count == 1));
    // Timeline: minute 0 has 6 posts and 14 viewers; it runs to the last minute with data.
    assert_eq!(r.timeline[0].posts, 6);
    assert_eq!(r.timeline[0].viewers, Some(14));
    assert_eq!(r.timeline[1].viewers, Some(6));
    // Three citizens only: every demographic cell is small and the totals are hidden.
    assert_eq!(r.age.total, None);
    assert!(r.age.cells.iter().all(|c| c.count.is_none()));
}

#[test]
fn erased_content_changes_no_figure() {
    let mut t = Town::open();
    let q = t.h.question(t.anne, "Hvornår?");
    t.h.ok(
        t.panelist,
        Command::AnswerLive {
            post: q,
            note: None,
            panelist: None,
        },
    );
    for e in &mut t.h.log {
        for c in e.kind.contents_mut() {
            c.text = None;
        }
    }
    let r = report::build(&t.h.log, &ReportInputs::default());
    assert_eq!(r.panelists.len(), 1);
    assert_eq!(r.panelists[0].name, "Søren Ærø");
    assert_eq!((r.participants, r.questions), (3, 1));
    assert_eq!(r.answers.answered_live, 1);
}

#[test]
fn targets_against_demographics() {
    let mut t = Town::open();
    let h = &mut t.h;
    let mut n = 0u128;
    let mut join = |h: &mut Harness, age: AgeBand, gender: Gender| {
        n += 1;
        let id = pid(0x9000 + n);
        h.ok(
            who(id),
            Command::Join {
                participant: id,
                display_name: format!("Borger {n}"),
                age_band: Some(age),
                gender: Some(gender),
            },
        );
    };
    for _ in 0..6 {
        join(h, AgeBand::From18To29, Gender::Woman);
    }
    for _ in 0..10 {
        join(h, AgeBand::From45To59, Gender::Man);
    }
    for _ in 0..2 {
        join(h, AgeBand::Under18, Gender::Woman);
    }
    let inputs = ReportInputs {
        demographics: Demographics::from_events(&h.log),
        targets: ReportTargets {
            under_30_min_pct: Some(30),
            women_min_pct: Some(50),
        },
        ..ReportInputs::default()
    };
    let r = report::build(&h.log, &inputs);
    // 21 citizens: 3 from the Town (30-44, no gender) + 18 here.
    assert_eq!(r.participants, 21);
    assert_eq!(r.age.total, Some(21));
    let count = |d: &report::Distribution, g: &str| {
        d.cells.iter().find(|c| c.group == g).expect("group").count
    };
    // under_18 = 2 and 30_44 = 3 are small; at least one large cell goes with them.
    assert_eq!(count(&r.age, "under_18"), None);
    assert_eq!(count(&r.age, "30_44"), None);
    assert_eq!(count(&r.age, "45_59"), Some(10));
    let under30 = &r.targets[0];
    // 18_29 (6) is hidden as the secondary cell: the under-30 share is 0..11 of 21.
    assert_eq!(count(&r.age, "18_29"), None);
    assert_eq!(under30.share_low_pct, Some(0.0));
    assert_eq!(under30.share_high_pct, Some(52.4));
    assert_eq!(under30.met, None);
    let women = &r.targets[1];
    // gender: woman 8, man 10, not_stated 3 (hidden) and a large one with it (woman, 8).
    assert_eq!(count(&r.gender, "not_stated"), None);
    assert_eq!(count(&r.gender, "woman"), None);
    assert_eq!(women.share_high_pct, Some(52.4));
    assert_eq!(women.met, None);
}

proptest! {
    /// No shown cell is small, and a hidden small cell is never alone with the total: either the
    /// total is hidden too or a large cell is hidden with it (so subtraction recovers nothing).
    #[test]
    fn suppression_never_reveals_a_small_group(counts in proptest::collection::vec(0u32..40, 1..8)) {
        let cells: Vec<(String, u32)> =
            counts.iter().enumerate().map(|(i, n)| (format!("g{i}"), *n)).collect();
        let d = report::suppress(&cells);
        let hidden: Vec<u32> = cells.iter().zip(&d.cells)
            .filter(|(_, c)| c.count.is_none()).map(|((_, n), _)| *n).collect();
        for c in &d.cells {
            if let Some(n) = c.count { prop_assert!(n >= report::MIN_CELL); }
        }
        if hidden.iter().any(|n| *n > 0) && d.total.is_some() {
            prop_assert!(hidden.len() >= 2);
            prop_assert!(hidden.iter().any(|n| *n >= report::MIN_CELL));
        }
        if let Some(total) = d.total {
            prop_assert_eq!(total, counts.iter().sum::<u32>());
        }
    }

    /// Posts are counted per kind and add up, whatever the mix, and answered <= questions.
    #[test]
    fn post_counts_add_up(kinds in proptest::collection::vec(0u8..3, 0..40)) {
        let mut t = Town::open();
        let mut last = None;
        let (mut q, mut c, mut r) = (0, 0, 0);
        for (i, k) in kinds.iter().enumerate() {
            t.h.advance(7);
            let who = t.citizens()[i % 3];
            match (k, last) {
                (0, _) => { let id = t.h.question(who, "Spørgsmål?"); q += 1;
                    if i % 2 == 0 { t.h.ok(t.panelist, Command::AnswerLive { post: id, note: None, panelist: None }); } }
                (2, Some(p)) => { t.h.reply(who, p, "Svar"); r += 1; }
                _ => { last = Some(t.h.comment(who, "Kommentar")); c += 1; }
            }
        }
        let rep = report::build(&t.h.log, &ReportInputs::default());
        prop_assert_eq!((rep.questions, rep.comments, rep.replies), (q, c, r));
        prop_assert_eq!(rep.posts, q + c + r);
        prop_assert_eq!(rep.timeline.iter().map(|p| p.posts).sum::<u32>(), rep.posts);
        prop_assert!(rep.answers.answered() <= rep.answers.questions);
    }
}

#[test]
fn the_per_panelist_table_credits_live_answers_to_the_panelist_and_lists_panelists_only() {
    let mut t = Town::open();
    let q1 = t.h.question(t.anne, "Et");
    let q2 = t.h.question(t.bo, "To");
    let q3 = t.h.question(t.carl, "Tre");
    t.h.advance(60);
    // The moderator at the desk presses "answered live" for Ida, twice; and writes one answer
    // herself; and records one without naming anyone (as every old event).
    for q in [q1, q2] {
        t.h.ok(
            t.moderator,
            Command::AnswerLive {
                post: q,
                note: None,
                panelist: Some(id_of(t.panelist2)),
            },
        );
    }
    t.h.ok(
        t.moderator,
        Command::AnswerWritten {
            post: q3,
            body: "Svar fra sekretariatet".into(),
        },
    );
    let r = report::build(&t.h.log, &ReportInputs::default());
    assert_eq!(r.answers.answered_live, 2);
    assert_eq!(r.answers.written_during, 1);
    let names: Vec<(&str, u32)> = r
        .panelists
        .iter()
        .map(|p| (p.name.as_str(), p.answered))
        .collect();
    assert_eq!(names, vec![("Ida Holm", 2)]);
}
