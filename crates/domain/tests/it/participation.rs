//! The participation family (`decide/participation.rs`): joining, posting, replying, reporting
//! and who may vote, with every limit that applies (meeting status, mutes, bans, slow mode, rate
//! limits, holds).

use crate::common::*;
use borgermode_domain::event::Actor;
use borgermode_domain::*;

fn post_cmd(kind: PostKind, body: &str) -> Command {
    Command::CreatePost {
        kind,
        body: body.to_string(),
        parent: None,
        agenda_item: None,
    }
}

fn reply_cmd(parent: PostId, kind: PostKind, body: &str) -> Command {
    Command::CreatePost {
        kind,
        body: body.to_string(),
        parent: Some(parent),
        agenda_item: None,
    }
}

fn report(post: PostId) -> Command {
    Command::Report { post, reason: None }
}

// ---------------------------------------------------------------------------------------------
// Join

#[test]
fn join_while_scheduled_and_open() {
    let mut t = Town::scheduled_with(MeetingSettings::default());
    let id = t.h.fresh_id();
    let events = t.h.ok(
        who(id),
        Command::Join {
            participant: id,
            display_name: "  Dorte  ".into(),
            age_band: Some(AgeBand::From60To74),
            gender: Some(Gender::Woman),
        },
    );
    assert_eq!(names(&events), ["participant_joined"]);
    let p = t.h.state.participant(id).unwrap();
    assert_eq!(p.role, Role::Citizen);
    assert_eq!(p.display_name.as_str(), "Dorte");
    assert_eq!(p.age_band, Some(AgeBand::From60To74));
    assert_eq!(p.gender, Some(Gender::Woman));
    assert_eq!(p.joined_seq, events[0].seq);
    assert_eq!(t.h.state.counters().participants, 4);

    t.h.ok(ORG, Command::Open);
    t.h.join("Erik");
    assert_eq!(t.h.state.counters().participants, 5);
    // Two citizens may share a name; only staff names are reserved.
    t.h.join("Anne");
    assert_eq!(t.h.state.counters().participants, 6);
}

#[test]
fn join_rejections_by_status() {
    let mut h = Harness::created(MeetingSettings::default());
    let id = pid(77);
    assert_eq!(h.code(who(id), join_cmd(id, "Anne")), "meeting_not_open");
    h.ok(ORG, Command::Open);
    h.ok(ORG, Command::Close);
    assert_eq!(h.code(who(id), join_cmd(id, "Anne")), "meeting_closed");
}

#[test]
fn join_must_be_by_the_joiner() {
    let mut t = Town::open();
    let id = pid(77);
    assert_eq!(t.h.code(ORG, join_cmd(id, "Anne")), "forbidden");
    assert_eq!(t.h.code(t.anne, join_cmd(id, "Dorte")), "forbidden");
    assert_eq!(
        t.h.code(t.anne, join_cmd(id_of(t.anne), "Anne 2")),
        "invalid_state"
    );
    assert_eq!(
        t.h.code(t.panelist, join_cmd(id_of(t.panelist), "Hacker")),
        "invalid_state"
    );
}

#[test]
fn banned_citizen_cannot_rejoin() {
    let mut t = Town::open();
    t.h.ok(
        t.moderator,
        Command::Ban {
            participant: id_of(t.anne),
            reason: None,
        },
    );
    assert_eq!(
        t.h.code(t.anne, join_cmd(id_of(t.anne), "Anne igen")),
        "banned"
    );
}

#[test]
fn join_name_rules() {
    let mut t = Town::open();
    // Staff are "Søren Ærø" (panelist), "Mette Mod", "Lars Mod", "Ida Holm".
    for name in [
        "soren aero",
        "SØREN ÆRØ",
        "Soren-Aero",
        "  søren   ærø ",
        "Sören Aerö",
        "mette mod",
        "IDA.HOLM",
        "Moderator",
        "ordstyrer",
        "Arrangør",
        "Admin",
        "Borgermøde",
        "PANELIST",
    ] {
        let id = t.h.fresh_id();
        assert_eq!(
            t.h.code(who(id), join_cmd(id, name)),
            "name_reserved",
            "{name:?}"
        );
    }
    for name in [
        "",
        "   ",
        "x".repeat(41).as_str(),
        "tab\tname",
        "bidi\u{202E}name",
        "new\nline",
    ] {
        let id = t.h.fresh_id();
        assert_eq!(
            t.h.code(who(id), join_cmd(id, name)),
            "validation_failed",
            "{name:?}"
        );
    }
    // Close but different names are fine.
    t.h.join("Søren Ærøe");
    t.h.join("Moderatoren");
    t.h.join(&"æ".repeat(40));
}

#[test]
fn revoked_staff_name_stays_reserved() {
    let mut t = Town::open();
    t.h.ok(
        ORG,
        Command::RevokeStaff {
            participant: id_of(t.panelist),
        },
    );
    let id = t.h.fresh_id();
    assert_eq!(
        t.h.code(who(id), join_cmd(id, "soren aero")),
        "name_reserved"
    );
}

// ---------------------------------------------------------------------------------------------
// CreatePost

#[test]
fn citizen_posts_comment_and_question() {
    let mut t = Town::open();
    t.h.advance(5);
    let events = t.h.ok(t.anne, post_cmd(PostKind::Comment, "  God idé!  "));
    assert_eq!(names(&events), ["post_created"]);
    let c = PostId(events[0].seq);
    let p = t.h.post_of(c);
    assert_eq!(p.id, c);
    assert_eq!(p.kind, PostKind::Comment);
    assert_eq!(p.author, Some(id_of(t.anne)));
    assert_eq!(p.body.as_str(), "God idé!");
    assert_eq!(p.source, Source::Online);
    assert_eq!(p.visibility, Visibility::Visible);
    assert_eq!(p.created_at, t.h.now);
    assert!(p.question.is_none());

    let q = t.h.question(t.bo, "Hvad koster det?");
    assert_eq!(t.h.qstate(q), &QuestionState::Open);
    let c2 = t.h.state.counters();
    assert_eq!((c2.comments, c2.questions, c2.answered), (1, 1, 0));
    assert_eq!(
        t.h.participant(t.anne).recent_posts.back(),
        Some(&t.h.now),
        "post time is kept for slow mode"
    );
}

#[test]
fn staff_may_post_too() {
    let mut t = Town::open();
    let c = t.h.comment(t.panelist, "Tak for spørgsmålene");
    assert_eq!(t.h.post_of(c).author, Some(id_of(t.panelist)));
    let q = t.h.question(t.moderator, "Et spørgsmål fra salen?");
    assert!(t.h.post_of(q).question.is_some());
}

#[test]
fn create_post_rejections_by_actor() {
    let mut t = Town::open();
    assert_eq!(
        t.h.code(ORG, post_cmd(PostKind::Comment, "hej")),
        "forbidden"
    );
    assert_eq!(
        t.h.code(who(pid(4242)), post_cmd(PostKind::Comment, "hej")),
        "forbidden",
        "not joined"
    );
    t.h.ok(
        t.moderator,
        Command::Ban {
            participant: id_of(t.bo),
            reason: None,
        },
    );
    assert_eq!(t.h.code(t.bo, post_cmd(PostKind::Comment, "hej")), "banned");
    t.h.ok(
        ORG,
        Command::RevokeStaff {
            participant: id_of(t.panelist2),
        },
    );
    assert_eq!(
        t.h.code(t.panelist2, post_cmd(PostKind::Comment, "hej")),
        "unauthorized"
    );
    assert_eq!(
        t.h.code(t.anne, post_cmd(PostKind::Notice, "Officielt")),
        "validation_failed",
        "notices go through PostNotice"
    );
    assert_eq!(
        t.h.code(t.panelist, post_cmd(PostKind::Notice, "Officielt")),
        "validation_failed"
    );
}

#[test]
fn posting_in_draft_is_not_open() {
    let mut h = Harness::created(MeetingSettings::default());
    // Citizens cannot join a draft, but staff exist from the start.
    let p = h.add_staff(StaffRole::Panelist, "Ida", "");
    for kind in [PostKind::Comment, PostKind::Question] {
        assert_eq!(h.code(p, post_cmd(kind, "hej")), "meeting_not_open");
    }
}

#[test]
fn question_intake_while_scheduled() {
    let mut t = Town::scheduled_with(MeetingSettings::default());
    // Questions are taken in before the meeting opens ...
    let q = t.h.question(t.anne, "Må jeg spørge på forhånd?");
    assert_eq!(t.h.state.counters().questions, 1);
    // ... but comments and replies wait for the opening, for staff too.
    assert_eq!(
        t.h.code(t.bo, post_cmd(PostKind::Comment, "hej")),
        "meeting_not_open"
    );
    assert_eq!(
        t.h.code(t.bo, reply_cmd(q, PostKind::Comment, "hej")),
        "meeting_not_open"
    );
    assert_eq!(
        t.h.code(t.panelist, post_cmd(PostKind::Comment, "hej")),
        "meeting_not_open"
    );
    t.h.ok(ORG, Command::Open);
    t.h.comment(t.bo, "hej");
    t.h.reply(t.bo, q, "godt spørgsmål");
}

#[test]
fn posting_after_close_is_rejected() {
    let mut t = Town::open();
    t.h.ok(ORG, Command::Close);
    for kind in [PostKind::Comment, PostKind::Question] {
        assert_eq!(t.h.code(t.anne, post_cmd(kind, "hej")), "meeting_closed");
        assert_eq!(
            t.h.code(t.panelist, post_cmd(kind, "hej")),
            "meeting_closed"
        );
    }
}

#[test]
fn body_limits() {
    let mut t = Town::open_with(MeetingSettings {
        max_body_chars: 10,
        ..Default::default()
    });
    let err = t.h.err(t.anne, post_cmd(PostKind::Comment, "12345678901"));
    assert_eq!(
        err,
        DomainError::BodyTooLong {
            field: "body",
            max: 10
        }
    );
    assert_eq!(err.code(), "body_too_long");
    // Ten characters (twenty bytes) fit: the limit counts characters, after trimming.
    t.h.comment(t.anne, "  æøåæøåæøå  ");
    t.h.advance(1);
    // Staff posts obey the same limit.
    assert_eq!(
        t.h.code(t.panelist, post_cmd(PostKind::Comment, &"x".repeat(11))),
        "body_too_long"
    );
    for body in ["", "   ", "\n\t", "bidi\u{202E}text", "bell\u{7}"] {
        assert_eq!(
            t.h.code(t.bo, post_cmd(PostKind::Comment, body)),
            "validation_failed",
            "{body:?}"
        );
    }
    t.h.comment(t.bo, "to\nlinjer");
}

#[test]
fn replies_go_one_level_deep() {
    let mut t = Town::open();
    let root = t.h.comment(t.anne, "Rod");
    let q = t.h.question(t.anne, "Spørgsmål");
    let r = t.h.reply(t.bo, root, "Svar");
    assert_eq!(t.h.post_of(r).parent, Some(root));
    assert_eq!(t.h.post_of(root).replies, vec![r]);
    // Replies to questions are comments too.
    let rq = t.h.reply(t.carl, q, "Enig");
    assert_eq!(t.h.post_of(q).replies, vec![rq]);

    let e =
        t.h.err(t.carl, reply_cmd(r, PostKind::Comment, "Svar på svar"));
    assert_eq!(e.code(), "validation_failed");
    assert!(matches!(
        e,
        DomainError::Validation {
            field: "parent",
            ..
        }
    ));
    let e = t.h.err(t.carl, reply_cmd(root, PostKind::Question, "?"));
    assert!(matches!(e, DomainError::Validation { field: "kind", .. }));
    assert_eq!(
        t.h.code(t.carl, reply_cmd(PostId(9999), PostKind::Comment, "?")),
        "not_found"
    );
    let c = t.h.state.counters();
    assert_eq!(
        (c.comments, c.questions),
        (3, 1),
        "replies count as comments"
    );
}

#[test]
fn reply_to_a_held_post_is_not_found() {
    let mut t = Town::open_with(MeetingSettings {
        premoderation: true,
        ..Default::default()
    });
    let held = t.h.comment(t.anne, "Venter");
    assert_eq!(
        t.h.code(t.bo, reply_cmd(held, PostKind::Comment, "svar")),
        "not_found"
    );
    t.h.ok(t.moderator, Command::Approve { post: held });
    t.h.reply(t.bo, held, "svar");
}

#[test]
fn muted_citizen_cannot_post_until_the_mute_expires() {
    let mut t = Town::open();
    t.h.ok(
        t.moderator,
        Command::Mute {
            participant: id_of(t.anne),
            minutes: 10,
        },
    );
    let until = t0() + chrono::Duration::minutes(10);
    assert_eq!(t.h.participant(t.anne).muted_until, Some(until));
    t.h.advance(9 * 60 + 59);
    let e = t.h.err(t.anne, post_cmd(PostKind::Question, "hej"));
    assert_eq!(e, DomainError::Muted { until });
    assert_eq!(e.code(), "muted");
    assert!(t.h.participant(t.anne).is_muted(t.h.now));
    // Others are unaffected.
    t.h.comment(t.bo, "hej");
    // At `until` the mute is over, without any event.
    t.h.advance(1);
    let seq = t.h.seq;
    t.h.question(t.anne, "Nu igen");
    assert_eq!(t.h.seq, seq + 1);
    assert!(!t.h.participant(t.anne).is_muted(t.h.now));
    assert_eq!(
        t.h.participant(t.anne).muted_until,
        Some(until),
        "an expired mute stays recorded but no longer applies"
    );
}

#[test]
fn slow_mode_tells_how_long_to_wait() {
    let mut t = Town::open_with(MeetingSettings {
        slow_mode_secs: 30,
        ..Default::default()
    });
    t.h.comment(t.anne, "første");
    t.h.advance(10);
    let e = t.h.err(t.anne, post_cmd(PostKind::Comment, "anden"));
    assert_eq!(
        e,
        DomainError::SlowMode {
            retry_after_secs: 20
        }
    );
    assert_eq!(e.code(), "slow_mode");
    assert_eq!(e.retry_after_secs(), Some(20));
    // Slow mode is per citizen.
    t.h.comment(t.bo, "hej");
    // Staff are exempt.
    t.h.comment(t.panelist, "a");
    t.h.comment(t.panelist, "b");
    t.h.advance(19);
    assert_eq!(
        t.h.code(t.anne, post_cmd(PostKind::Question, "anden")),
        "slow_mode"
    );
    t.h.advance(1);
    t.h.question(t.anne, "anden");
}

#[test]
fn posts_per_minute_limit() {
    let mut t = Town::open();
    t.h.limits.posts_per_minute = 3;
    for i in 0..3 {
        t.h.comment(t.anne, &format!("post {i}"));
        t.h.advance(1);
    }
    // t0+3: three posts at t0, t0+1, t0+2 are inside the window.
    let e = t.h.err(t.anne, post_cmd(PostKind::Comment, "en for meget"));
    assert_eq!(
        e,
        DomainError::RateLimited {
            retry_after_secs: 57
        }
    );
    assert_eq!(e.code(), "rate_limited");
    // Staff are exempt from the per-minute limit.
    for i in 0..5 {
        t.h.comment(t.moderator, &format!("staff {i}"));
    }
    // Other citizens have their own budget.
    t.h.comment(t.bo, "hej");
    t.h.advance(56);
    assert_eq!(
        t.h.code(t.anne, post_cmd(PostKind::Comment, "stadig for tidligt")),
        "rate_limited"
    );
    // At t0+60 the first post has left the 60-second window.
    t.h.advance(1);
    t.h.comment(t.anne, "nu");
    assert_eq!(
        t.h.code(t.anne, post_cmd(PostKind::Comment, "igen")),
        "rate_limited"
    );
}

#[test]
fn premoderation_holds_citizen_posts() {
    let mut t = Town::open_with(MeetingSettings {
        premoderation: true,
        ..Default::default()
    });
    let (events, notices) =
        t.h.run_with_notices(t.anne, post_cmd(PostKind::Question, "Hvorfor?"))
            .unwrap();
    let q = PostId(events[0].seq);
    assert!(matches!(
        events[0].kind,
        EventKind::PostCreated {
            held: Some(HoldReason::Premoderation),
            ..
        }
    ));
    assert_eq!(
        t.h.post_of(q).visibility,
        Visibility::Pending {
            reason: HoldReason::Premoderation
        }
    );
    assert_eq!(
        notices,
        vec![Notice {
            to: id_of(t.anne),
            kind: NoticeKind::PostHeld,
            post: Some(q)
        }]
    );
    let c = t.h.comment(t.bo, "Også en kommentar");
    assert_eq!(
        t.h.state.counters(),
        Counters {
            participants: 3,
            ..Counters::default()
        },
        "held posts are not counted"
    );
    // Staff posts are never held.
    let s = t.h.comment(t.panelist, "Velkommen");
    assert_eq!(t.h.post_of(s).visibility, Visibility::Visible);
    assert_eq!(t.h.state.counters().comments, 1);
    // Held posts cannot be voted on.
    assert_eq!(
        authorize_vote(&t.h.state, &t.carl, q).unwrap_err().code(),
        "not_found"
    );
    // Approval makes them count.
    t.h.ok(t.moderator, Command::Approve { post: q });
    t.h.ok(t.moderator, Command::Approve { post: c });
    let counters = t.h.state.counters();
    assert_eq!((counters.questions, counters.comments), (1, 2));
}

#[test]
fn keywords_hold_posts_case_and_accent_insensitively() {
    let mut t = Town::open_with(MeetingSettings {
        keywords: vec!["idiot".into(), "Grøn Snot".into()],
        ..Default::default()
    });
    for body in ["Du er en IDIOT!", "idïøt", "sikke noget GRON-snot"] {
        let events = t.h.ok(t.anne, post_cmd(PostKind::Question, body));
        let id = PostId(events[0].seq);
        assert_eq!(
            t.h.post_of(id).visibility,
            Visibility::Pending {
                reason: HoldReason::Keyword
            },
            "{body:?}"
        );
        t.h.advance(10);
    }
    let fine = t.h.comment(t.bo, "Helt fin tekst");
    assert_eq!(t.h.post_of(fine).visibility, Visibility::Visible);
    let c = t.h.state.counters();
    assert_eq!((c.questions, c.comments), (0, 1));
    // Staff are trusted even with keywords.
    let s = t.h.comment(t.panelist, "Ingen er en idiot her");
    assert_eq!(t.h.post_of(s).visibility, Visibility::Visible);
}

#[test]
fn premoderation_wins_over_keyword_as_reason() {
    let mut t = Town::open_with(MeetingSettings {
        premoderation: true,
        keywords: vec!["idiot".into()],
        ..Default::default()
    });
    let p = t.h.comment(t.anne, "idiot");
    assert_eq!(
        t.h.post_of(p).visibility,
        Visibility::Pending {
            reason: HoldReason::Premoderation
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Report

#[test]
fn report_a_post() {
    let mut t = Town::open();
    let p = t.h.comment(t.anne, "Noget");
    let events = t.h.ok(
        t.bo,
        Command::Report {
            post: p,
            reason: Some("  uhøfligt  ".into()),
        },
    );
    assert_eq!(names(&events), ["post_reported"]);
    assert_eq!(
        events[0].kind,
        EventKind::PostReported {
            post: p,
            reason: None,
            reason_text: Some(borgermode_domain::event::Content::new("uhøfligt")),
        }
    );
    assert!(t.h.post_of(p).reporters.contains(&id_of(t.bo)));
    assert_eq!(t.h.participant(t.bo).recent_reports.len(), 1);
    // Reporting twice is allowed and changes nothing.
    t.h.noop(t.bo, report(p));
    assert_eq!(t.h.post_of(p).reporters.len(), 1);
    // Staff may report as well.
    t.h.ok(t.panelist, report(p));
    assert_eq!(t.h.post_of(p).reporters.len(), 2);
}

#[test]
fn report_rejections() {
    let mut t = Town::open_with(MeetingSettings {
        premoderation: true,
        ..Default::default()
    });
    let held = t.h.comment(t.anne, "Venter");
    let rejected = t.h.comment(t.anne, "Afvises");
    t.h.ok(
        t.moderator,
        Command::Reject {
            post: rejected,
            reason: None,
        },
    );
    let s = t.h.comment(t.panelist, "Synlig");
    let own = t.h.comment(t.moderator, "Min egen");

    let e = t.h.err(t.moderator, report(own));
    assert!(matches!(e, DomainError::Validation { field: "post", .. }));
    assert_eq!(t.h.code(t.bo, report(held)), "not_found", "pending");
    assert_eq!(t.h.code(t.bo, report(rejected)), "not_found", "rejected");
    assert_eq!(t.h.code(t.bo, report(PostId(9999))), "not_found");
    assert_eq!(t.h.code(ORG, report(s)), "forbidden");
    assert_eq!(t.h.code(who(pid(4242)), report(s)), "forbidden");
    assert_eq!(
        t.h.code(
            t.bo,
            Command::Report {
                post: s,
                reason: Some("r".repeat(501))
            }
        ),
        "validation_failed"
    );
    t.h.ok(
        t.moderator,
        Command::Ban {
            participant: id_of(t.carl),
            reason: None,
        },
    );
    assert_eq!(t.h.code(t.carl, report(s)), "banned");
    assert!(t.h.post_of(s).reporters.is_empty());
}

#[test]
fn reports_stop_when_the_meeting_closes() {
    let mut t = Town::open();
    let p = t.h.comment(t.anne, "Hello");
    t.h.ok(ORG, Command::Close);
    assert_eq!(
        t.h.code(
            t.bo,
            Command::Report {
                post: p,
                reason: None
            }
        ),
        "meeting_closed"
    );
}

#[test]
fn report_rate_limit() {
    let mut t = Town::open();
    t.h.limits.reports_per_10_minutes = 2;
    let posts: Vec<PostId> = (0..4)
        .map(|i| t.h.comment(t.anne, &format!("p{i}")))
        .collect();
    t.h.ok(t.bo, report(posts[0]));
    t.h.advance(60);
    t.h.ok(t.bo, report(posts[1]));
    t.h.advance(60);
    let e = t.h.err(t.bo, report(posts[2]));
    assert_eq!(
        e,
        DomainError::RateLimited {
            retry_after_secs: 480
        }
    );
    // A repeated report is still a harmless no-op.
    t.h.noop(t.bo, report(posts[1]));
    // Other reporters have their own budget.
    t.h.ok(t.carl, report(posts[2]));
    t.h.advance(479);
    assert_eq!(
        t.h.err(t.bo, report(posts[2])),
        DomainError::RateLimited {
            retry_after_secs: 1
        }
    );
    // Ten minutes after the first report, it has left the window.
    t.h.advance(1);
    t.h.ok(t.bo, report(posts[2]));
    assert_eq!(t.h.code(t.bo, report(posts[3])), "rate_limited");
}

#[test]
fn reports_hold_a_post_at_the_threshold() {
    let mut t = Town::open_with(MeetingSettings {
        report_threshold: 2,
        ..Default::default()
    });
    let p = t.h.question(t.anne, "Provokerende");
    assert_eq!(names(&t.h.ok(t.bo, report(p))), ["post_reported"]);
    assert_eq!(t.h.post_of(p).visibility, Visibility::Visible);
    assert_eq!(t.h.state.counters().questions, 1);

    let (events, notices) = t.h.run_with_notices(t.carl, report(p)).unwrap();
    assert_eq!(names(&events), ["post_reported", "post_held"]);
    assert_eq!(
        events[1].kind,
        EventKind::PostHeld {
            post: p,
            reason: HoldReason::Reports
        }
    );
    assert_eq!(
        t.h.post_of(p).visibility,
        Visibility::Pending {
            reason: HoldReason::Reports
        }
    );
    assert_eq!(
        notices,
        vec![Notice {
            to: id_of(t.anne),
            kind: NoticeKind::PostHeld,
            post: Some(p)
        }]
    );
    assert_eq!(t.h.state.counters().questions, 0, "held posts do not count");
    assert_eq!(t.h.code(t.panelist, report(p)), "not_found");
    t.h.ok(t.moderator, Command::Approve { post: p });
    assert_eq!(t.h.state.counters().questions, 1);
}

#[test]
fn only_reporters_who_were_there_before_the_post_count() {
    let mut t = Town::open_with(MeetingSettings {
        report_threshold: 2,
        ..Default::default()
    });
    let p = t.h.comment(t.anne, "Upopulær mening");
    // A wave of fresh joins cannot silence a post.
    let late: Vec<_> = ["Dorte", "Erik", "Frida"]
        .into_iter()
        .map(|n| t.h.join(n))
        .collect();
    for r in &late {
        assert_eq!(names(&t.h.ok(*r, report(p))), ["post_reported"]);
    }
    assert_eq!(t.h.post_of(p).reporters.len(), 3);
    assert_eq!(t.h.post_of(p).visibility, Visibility::Visible);
    assert_eq!(names(&t.h.ok(t.bo, report(p))), ["post_reported"]);
    assert_eq!(t.h.post_of(p).visibility, Visibility::Visible);
    // The second reporter who was there already reaches the threshold.
    assert_eq!(
        names(&t.h.ok(t.carl, report(p))),
        ["post_reported", "post_held"]
    );
}

#[test]
fn staff_present_before_the_post_count_as_reporters() {
    let mut t = Town::open_with(MeetingSettings {
        report_threshold: 2,
        ..Default::default()
    });
    let p = t.h.comment(t.anne, "Noget");
    t.h.ok(t.bo, report(p));
    assert_eq!(
        names(&t.h.ok(t.panelist, report(p))),
        ["post_reported", "post_held"]
    );
}

#[test]
fn no_automatic_hold_when_switched_off() {
    let mut t = Town::open_with(MeetingSettings {
        report_threshold: 1,
        auto_hold_reports: false,
        ..Default::default()
    });
    let p = t.h.comment(t.anne, "Noget");
    for r in [t.bo, t.carl, t.panelist, t.moderator] {
        assert_eq!(names(&t.h.ok(r, report(p))), ["post_reported"]);
    }
    assert_eq!(t.h.post_of(p).visibility, Visibility::Visible);
    assert_eq!(t.h.post_of(p).reporters.len(), 4);

    // Switched on again, the next report holds it at once (threshold 1).
    t.h.set_settings(MeetingSettings {
        report_threshold: 1,
        auto_hold_reports: true,
        ..Default::default()
    });
    let q = t.h.comment(t.bo, "Andet");
    assert_eq!(
        names(&t.h.ok(t.anne, report(q))),
        ["post_reported", "post_held"]
    );
}

#[test]
fn reports_on_a_hidden_post_do_not_hold_it() {
    let mut t = Town::open_with(MeetingSettings {
        report_threshold: 1,
        ..Default::default()
    });
    let p = t.h.comment(t.anne, "Skjult");
    t.h.ok(
        t.moderator,
        Command::Hide {
            post: p,
            reason: HideReason::Abusive,
            note: None,
        },
    );
    assert_eq!(names(&t.h.ok(t.bo, report(p))), ["post_reported"]);
    assert!(matches!(
        t.h.post_of(p).visibility,
        Visibility::Hidden {
            reason: HideReason::Abusive,
            ..
        }
    ));
}

#[test]
fn reports_never_hold_official_posts() {
    let mut t = Town::open_with(MeetingSettings {
        report_threshold: 1,
        ..Default::default()
    });
    let notice = PostId(
        t.h.ok(
            t.panelist,
            Command::PostNotice {
                body: "Myte: nej".into(),
                pin: false,
            },
        )[0]
        .seq,
    );
    let events = t.h.ok(
        t.anne,
        Command::Report {
            post: notice,
            reason: None,
        },
    );
    assert_eq!(names(&events), ["post_reported"], "reported but not held");
    let c = t.h.comment(t.bo, "A citizen's comment");
    let events = t.h.ok(
        t.anne,
        Command::Report {
            post: c,
            reason: None,
        },
    );
    assert_eq!(names(&events), ["post_reported", "post_held"]);
}

// ---------------------------------------------------------------------------------------------
// Votes (not log events, but a domain rule: `authorize_vote`)

#[test]
fn a_citizen_cannot_upvote_their_own_question() {
    let mut t = Town::open();
    let q = t.h.question(t.anne, "Hvornår starter byggeriet?");
    assert_eq!(
        authorize_vote(&t.h.state, &t.anne, q).unwrap_err().code(),
        "invalid_state"
    );
    assert!(authorize_vote(&t.h.state, &t.bo, q).is_ok());
}

#[test]
fn who_may_vote() {
    let mut t = Town::open();
    let q = t.h.question(t.anne, "Hvad?");
    authorize_vote(&t.h.state, &t.bo, q).unwrap();
    authorize_vote(&t.h.state, &t.panelist, q).unwrap();
    assert_eq!(
        authorize_vote(&t.h.state, &Actor::Organizer, q)
            .unwrap_err()
            .code(),
        "forbidden"
    );
    assert_eq!(
        authorize_vote(&t.h.state, &t.bo, PostId(9999))
            .unwrap_err()
            .code(),
        "not_found"
    );
    t.h.ok(
        t.moderator,
        Command::Hide {
            post: q,
            reason: HideReason::Spam,
            note: None,
        },
    );
    assert_eq!(
        authorize_vote(&t.h.state, &t.bo, q).unwrap_err().code(),
        "not_found",
        "hidden posts take no votes"
    );
    t.h.ok(t.moderator, Command::Restore { post: q });
    t.h.ok(
        t.moderator,
        Command::Ban {
            participant: id_of(t.bo),
            reason: None,
        },
    );
    assert_eq!(
        authorize_vote(&t.h.state, &t.bo, q).unwrap_err().code(),
        "banned"
    );
    t.h.ok(ORG, Command::Close);
    assert_eq!(
        authorize_vote(&t.h.state, &t.carl, q).unwrap_err().code(),
        "meeting_closed"
    );
}
