//! The after-meeting report computed from a log: counts, the answered split (live, written
//! during, after the close), time to answer, moderation by reason, the timeline and small-cell
//! suppression of the demographics; the agenda and poll sections (breakdowns under the same rule).

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
        poll_answers: Vec::new(),
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

// ---- The agenda and poll sections ----

fn agenda_item(t: &mut Town, title: &str) -> AgendaItemId {
    let events = t.h.ok(
        ORG,
        Command::AddAgendaItem {
            details: AgendaItemDetails {
                title: title.into(),
                description: String::new(),
                planned_start: None,
            },
            position: None,
        },
    );
    AgendaItemId(events[0].seq)
}

fn ask_under(t: &mut Town, who: event::Actor, body: &str, item: Option<AgendaItemId>) -> PostId {
    let events = t.h.ok(
        who,
        Command::CreatePost {
            kind: PostKind::Question,
            body: body.into(),
            parent: None,
            agenda_item: item,
        },
    );
    PostId(events[0].seq)
}

fn citizen(t: &mut Town, age: Option<AgeBand>, gender: Option<Gender>) -> ParticipantId {
    let id = t.h.fresh_id();
    t.h.ok(
        event::Actor::Participant { id },
        Command::Join {
            participant: id,
            display_name: format!("Borger {}", id.0.as_u128()),
            age_band: age,
            gender,
        },
    );
    id
}

fn poll_of(t: &mut Town, kind: PollKind) -> PollId {
    let events = t.h.ok(
        ORG,
        Command::CreatePoll {
            definition: PollDefinition {
                question: "Hvilket forslag?".into(),
                kind,
                results: ResultsShown::AfterClose,
                agenda_item: None,
            },
        },
    );
    let poll = PollId(events[0].seq);
    t.h.ok(ORG, Command::LaunchPoll { poll });
    poll
}

fn three_options() -> PollKind {
    PollKind::SingleChoice {
        options: vec!["A".into(), "B".into(), "C".into()],
    }
}

fn choice(poll: PollId, participant: ParticipantId, pick: u8) -> report::ReportPollAnswer {
    report::ReportPollAnswer {
        poll,
        participant,
        answer: PollAnswer::Choice { picks: vec![pick] },
        shown: true,
    }
}

#[test]
fn the_agenda_section_has_a_row_per_item_and_one_for_questions_without_an_item() {
    let mut t = Town::open();
    let harbour = agenda_item(&mut t, "Havneplanen");
    let schools = agenda_item(&mut t, "Skolerne");
    let _empty = agenda_item(&mut t, "Eventuelt");
    let (anne, bo, carl, panelist) = (t.anne, t.bo, t.carl, t.panelist);
    let h1 = ask_under(&mut t, anne, "Hvor høje huse?", Some(harbour));
    let h2 = ask_under(&mut t, bo, "Hvad med badet?", Some(harbour));
    let _h3 = ask_under(&mut t, carl, "Og parkering?", Some(harbour));
    let s1 = ask_under(&mut t, anne, "Hvornår åbner skolen?", Some(schools));
    let n1 = ask_under(&mut t, bo, "Hvad koster det?", None);
    // A comment is not a question (and is never filed under an item).
    t.h.comment(carl, "Godt");
    t.h.advance(60);
    t.h.ok(
        panelist,
        Command::AnswerLive {
            post: h1,
            note: None,
            panelist: None,
        },
    );
    t.h.advance(120);
    t.h.ok(
        panelist,
        Command::AnswerWritten {
            post: h2,
            body: "Ja.".into(),
        },
    );
    t.h.ok(
        panelist,
        Command::AnswerWritten {
            post: n1,
            body: "100 kr.".into(),
        },
    );
    let _ = s1;
    let r = report::build(&t.h.log, &ReportInputs::default());
    let rows: Vec<_> = r
        .agenda
        .iter()
        .map(|a| {
            (
                a.title.clone(),
                a.questions,
                a.answered,
                a.answered_pct,
                a.median_secs,
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            // h1 after 60 s, h2 after 180 s: nearest-rank median of two is the first.
            (Some("Havneplanen".into()), 3, 2, Some(66.7), Some(60)),
            (Some("Skolerne".into()), 1, 0, Some(0.0), None),
            (Some("Eventuelt".into()), 0, 0, None, None),
            (None, 1, 1, Some(100.0), Some(180)),
        ]
    );
    assert_eq!(r.agenda[0].item, Some(harbour));
    assert_eq!(r.agenda[3].item, None);
    // Without an agenda there is no section at all.
    let plain = Town::open();
    assert!(report::build(&plain.h.log, &ReportInputs::default())
        .agenda
        .is_empty());
}

#[test]
fn a_removed_item_moves_its_questions_to_the_row_without_an_item() {
    let mut t = Town::open();
    let harbour = agenda_item(&mut t, "Havneplanen");
    let anne = t.anne;
    ask_under(&mut t, anne, "Hvor høje huse?", Some(harbour));
    let _keep = agenda_item(&mut t, "Skolerne");
    t.h.ok(ORG, Command::RemoveAgendaItem { item: harbour });
    let r = report::build(&t.h.log, &ReportInputs::default());
    let rows: Vec<_> = r
        .agenda
        .iter()
        .map(|a| (a.title.clone(), a.questions))
        .collect();
    assert_eq!(rows, vec![(Some("Skolerne".into()), 0), (None, 1)]);
}

#[test]
fn poll_results_count_every_answer_and_drafts_stay_out() {
    let mut t = Town::open();
    let (anne, bo, carl) = (id_of(t.anne), id_of(t.bo), id_of(t.carl));
    let open = poll_of(&mut t, three_options());
    // A draft nobody saw.
    t.h.ok(
        ORG,
        Command::CreatePoll {
            definition: PollDefinition {
                question: "Kladde".into(),
                kind: three_options(),
                results: ResultsShown::Live,
                agenda_item: None,
            },
        },
    );
    let words = poll_of(&mut t, PollKind::WordCloud);
    let inputs = ReportInputs {
        poll_answers: vec![
            choice(open, anne, 0),
            choice(open, bo, 2),
            choice(open, carl, 2),
            report::ReportPollAnswer {
                poll: words,
                participant: anne,
                answer: PollAnswer::Words {
                    words: vec!["havn".into(), "bad".into()],
                },
                shown: true,
            },
            report::ReportPollAnswer {
                poll: words,
                participant: bo,
                answer: PollAnswer::Words {
                    words: vec!["havn".into()],
                },
                shown: true,
            },
        ],
        ..ReportInputs::default()
    };
    let r = report::build(&t.h.log, &inputs);
    assert_eq!(r.polls.len(), 2, "the draft is left out");
    let p = &r.polls[0];
    assert_eq!((p.poll, p.status), (open, PollStatus::Open));
    assert_eq!(p.results.respondents, 3);
    assert_eq!(p.results.counts, vec![1, 0, 2]);
    assert_eq!(p.breakdown, None);
    assert_eq!(
        p.breakdown_missing,
        Some(report::BreakdownMissing::NotClosed)
    );
    assert!(!p.results_public, "after_close and still open");
    let w = &r.polls[1];
    assert_eq!(w.results.respondents, 2);
    let words: Vec<(&str, u32)> = w
        .results
        .words
        .iter()
        .map(|x| (x.word.as_str(), x.count))
        .collect();
    assert_eq!(words, vec![("havn", 2), ("bad", 1)]);
}

/// 12 women 30-44 who picked A, 6 men 18-29 who picked B, 2 men under 18 who picked C, and
/// one citizen who said nothing about themselves (picked A).
fn closed_poll_scene() -> (Town, PollId, Vec<report::ReportPollAnswer>) {
    let mut t = Town::open();
    let poll = poll_of(&mut t, three_options());
    let mut answers = Vec::new();
    for _ in 0..12 {
        let id = citizen(&mut t, Some(AgeBand::From30To44), Some(Gender::Woman));
        answers.push(choice(poll, id, 0));
    }
    for _ in 0..6 {
        let id = citizen(&mut t, Some(AgeBand::From18To29), Some(Gender::Man));
        answers.push(choice(poll, id, 1));
    }
    for _ in 0..2 {
        let id = citizen(&mut t, Some(AgeBand::Under18), Some(Gender::Man));
        answers.push(choice(poll, id, 2));
    }
    let silent = citizen(&mut t, None, None);
    answers.push(choice(poll, silent, 0));
    t.h.ok(ORG, Command::ClosePoll { poll });
    (t, poll, answers)
}

fn group<'a>(g: &'a report::PollGroups, name: &str) -> &'a report::PollGroup {
    g.groups.iter().find(|c| c.group == name).expect("group")
}

#[test]
fn a_closed_poll_is_broken_down_by_age_and_gender_with_small_groups_suppressed() {
    let (t, _poll, answers) = closed_poll_scene();
    let inputs = ReportInputs {
        poll_answers: answers,
        targets: ReportTargets {
            under_30_min_pct: Some(25),
            women_min_pct: Some(50),
        },
        ..ReportInputs::default()
    };
    let r = report::build(&t.h.log, &inputs);
    let p = &r.polls[0];
    assert_eq!(p.results.counts, vec![13, 6, 2]);
    assert_eq!(p.breakdown_missing, None);
    let b = p.breakdown.as_ref().expect("breakdown of a closed poll");
    // Age: 30_44 = 12 and 18_29 = 6 are large; under_18 = 2 and not_stated = 1 are small.
    // Two small cells are hidden, but their sum (3) must not be all there is to hide: the
    // smallest large cell (18_29) goes with them, so B and C cannot be read off the total.
    assert_eq!(group(&b.age, "30_44").respondents, Some(12));
    assert_eq!(group(&b.age, "30_44").counts, Some(vec![12, 0, 0]));
    for hidden in ["under_18", "18_29", "not_stated"] {
        assert_eq!(group(&b.age, hidden).respondents, None, "{hidden}");
        assert_eq!(group(&b.age, hidden).counts, None, "{hidden}");
    }
    // Empty groups (0) are "small" too and hidden: nothing shown is under 5.
    for g in b.age.groups.iter().chain(&b.gender.groups) {
        if let Some(n) = g.respondents {
            assert!(n >= report::MIN_CELL, "{} shows {n}", g.group);
        }
    }
    assert_eq!(b.age.total, Some(21));
    // Gender: woman 12, man 8 shown; not_stated 1 hidden with... the smallest large cell.
    assert_eq!(group(&b.gender, "woman").respondents, Some(12));
    assert_eq!(group(&b.gender, "woman").counts, Some(vec![12, 0, 0]));
    assert_eq!(group(&b.gender, "man").respondents, None);
    assert_eq!(group(&b.gender, "not_stated").respondents, None);
    // Targets against the respondents: under 30 is 8 of 21 but 18_29 and under_18 are both
    // hidden with not_stated: the range is 0..9 of 21, the verdict open.
    let under_30 = b
        .targets
        .iter()
        .find(|x| x.target == "under_30")
        .expect("target");
    assert_eq!(under_30.share_low_pct, Some(0.0));
    assert_eq!(under_30.share_high_pct, Some(42.9));
    assert_eq!(under_30.met, None);
    let women = b
        .targets
        .iter()
        .find(|x| x.target == "women")
        .expect("target");
    assert_eq!(women.share_low_pct, Some(57.1));
    assert_eq!(women.met, Some(true));
}

#[test]
fn after_retention_a_closed_poll_has_no_breakdown_and_says_why() {
    let (mut t, _poll, answers) = closed_poll_scene();
    t.h.ok(ORG, Command::Close);
    t.h.ok(ORG, Command::Pseudonymize);
    let r = report::build(
        &t.h.log,
        &ReportInputs {
            poll_answers: answers,
            ..ReportInputs::default()
        },
    );
    let p = &r.polls[0];
    assert_eq!(p.results.counts, vec![13, 6, 2], "counts stay");
    assert_eq!(p.breakdown, None);
    assert_eq!(
        p.breakdown_missing,
        Some(report::BreakdownMissing::Pseudonymized)
    );
}

#[test]
fn word_clouds_show_group_sizes_but_not_words_per_group() {
    let mut t = Town::open();
    let poll = poll_of(&mut t, PollKind::WordCloud);
    let mut answers = Vec::new();
    for (n, gender) in [(6, Gender::Woman), (7, Gender::Man)] {
        for _ in 0..n {
            let id = citizen(&mut t, Some(AgeBand::From45To59), Some(gender));
            answers.push(report::ReportPollAnswer {
                poll,
                participant: id,
                answer: PollAnswer::Words {
                    words: vec!["havn".into()],
                },
                shown: true,
            });
        }
    }
    t.h.ok(ORG, Command::ClosePoll { poll });
    let r = report::build(
        &t.h.log,
        &ReportInputs {
            poll_answers: answers,
            ..ReportInputs::default()
        },
    );
    let b = r.polls[0].breakdown.as_ref().expect("breakdown");
    // Every other age group is empty (small) and 45_59 is the only large one: it goes with
    // them, as in the report's own tables; only the total stays.
    assert_eq!(group(&b.age, "45_59").respondents, None);
    assert_eq!(b.age.total, Some(13));
    // The empty gender groups are hidden, and with them the smallest large one (6 women).
    assert_eq!(group(&b.gender, "woman").respondents, None);
    assert_eq!(group(&b.gender, "man").respondents, Some(7));
    assert!(b
        .age
        .groups
        .iter()
        .chain(&b.gender.groups)
        .all(|g| g.counts.is_none()));
}

proptest! {
    /// Whatever the answers, no shown group is under 5, and the hidden groups of a table are
    /// never exactly one, nor only small ones when anything is shown (complementary
    /// suppression): overall results minus the shown groups never reveal a small group.
    #[test]
    fn poll_breakdowns_never_show_or_reveal_a_small_group(
        people in proptest::collection::vec((0usize..7, 0usize..5, 0u8..3), 0..40)
    ) {
        let mut t = Town::open();
        let poll = poll_of(&mut t, three_options());
        let ages = [None, Some(AgeBand::Under18), Some(AgeBand::From18To29), Some(AgeBand::From30To44),
            Some(AgeBand::From45To59), Some(AgeBand::From60To74), Some(AgeBand::From75)];
        let genders = [None, Some(Gender::Woman), Some(Gender::Man), Some(Gender::Other), Some(Gender::PreferNotToSay)];
        let mut answers = Vec::new();
        for (a, g, pick) in &people {
            let id = citizen(&mut t, ages[*a], genders[*g]);
            answers.push(choice(poll, id, *pick));
        }
        t.h.ok(ORG, Command::ClosePoll { poll });
        let r = report::build(&t.h.log, &ReportInputs { poll_answers: answers, ..ReportInputs::default() });
        let b = r.polls[0].breakdown.as_ref().expect("breakdown");
        for table in [&b.age, &b.gender] {
            let mut hidden = 0;
            for g in &table.groups {
                match (g.respondents, &g.counts) {
                    (Some(n), Some(c)) => {
                        prop_assert!(n >= report::MIN_CELL);
                        prop_assert_eq!(c.iter().sum::<u32>(), n);
                    }
                    (None, None) => hidden += 1,
                    other => prop_assert!(false, "respondents and counts disagree: {:?}", other),
                }
            }
            let shown: u32 = table.groups.iter().filter_map(|g| g.respondents).sum();
            if let Some(total) = table.total {
                if hidden > 0 && total > 0 {
                    // One hidden group, or only small ones, would let the hidden sum name them.
                    prop_assert!(hidden >= 2, "{} hidden", hidden);
                    prop_assert!(total - shown >= report::MIN_CELL, "hidden sum {}", total - shown);
                }
            } else {
                prop_assert_eq!(shown, 0, "a hidden total hides every group");
            }
        }
    }
}
