//! The moderation family (`decide/moderation.rs`): moderator commands on posts (hide, restore,
//! approve, reject) and on citizens (mute, unmute, ban, unban), with the notices their targets
//! get.

use crate::common::*;
use borgermode_domain::*;
use chrono::Duration;

fn hide(post: PostId) -> Command {
    Command::Hide {
        post,
        reason: HideReason::OffTopic,
        note: None,
    }
}

fn reject(post: PostId) -> Command {
    Command::Reject { post, reason: None }
}

fn mute(p: ParticipantId, minutes: u32) -> Command {
    Command::Mute {
        participant: p,
        minutes,
    }
}

fn premod_town() -> Town {
    Town::open_with(MeetingSettings {
        premoderation: true,
        ..Default::default()
    })
}

/// Moderator-only commands that a panelist, citizen or the organizer may not run.
fn assert_moderators_only(t: &mut Town, cmd: Command) {
    for actor in [t.panelist, t.anne, ORG] {
        assert_eq!(t.h.code(actor, cmd.clone()), "forbidden", "{actor:?}");
    }
    t.h.ok(
        ORG,
        Command::RevokeStaff {
            participant: id_of(t.moderator2),
        },
    );
    assert_eq!(
        t.h.code(t.moderator2, cmd),
        "unauthorized",
        "revoked moderator: the session is over"
    );
}

// ---------------------------------------------------------------------------------------------
// Hide / Restore

#[test]
fn hide_and_restore() {
    let mut t = Town::open();
    let p = t.h.comment(t.anne, "Grimt sagt");
    let (events, notices) =
        t.h.run_with_notices(
            t.moderator,
            Command::Hide {
                post: p,
                reason: HideReason::Abusive,
                note: Some("  sprogbrug ".into()),
            },
        )
        .unwrap();
    assert_eq!(names(&events), ["post_hidden"]);
    assert_eq!(
        t.h.post_of(p).visibility,
        Visibility::Hidden {
            reason: HideReason::Abusive,
            note: Some("sprogbrug".into())
        }
    );
    assert_eq!(
        notices,
        vec![Notice {
            to: id_of(t.anne),
            kind: NoticeKind::PostHidden,
            post: Some(p)
        }]
    );
    // A hidden post keeps its place (tombstone) and still counts.
    assert_eq!(t.h.state.counters().comments, 1);
    t.h.noop(t.moderator, hide(p));

    let (events, notices) =
        t.h.run_with_notices(t.moderator, Command::Restore { post: p })
            .unwrap();
    assert_eq!(names(&events), ["post_restored"]);
    assert_eq!(t.h.post_of(p).visibility, Visibility::Visible);
    assert_eq!(notices[0].kind, NoticeKind::PostRestored);
    assert_eq!(notices[0].to, id_of(t.anne));
    t.h.noop(t.moderator, Command::Restore { post: p });
}

#[test]
fn hide_rejections() {
    let mut t = premod_town();
    let pending = t.h.comment(t.anne, "venter");
    let rejected = t.h.comment(t.anne, "afvist");
    t.h.ok(t.moderator, reject(rejected));
    // A pending post can be hidden straight away.
    t.h.ok(t.moderator, hide(pending));
    assert!(matches!(
        t.h.post_of(pending).visibility,
        Visibility::Hidden { .. }
    ));
    assert_eq!(t.h.code(t.moderator, hide(rejected)), "invalid_state");
    assert_eq!(t.h.code(t.moderator, hide(PostId(9999))), "not_found");
    let v = t.h.comment(t.panelist, "synlig");
    assert_eq!(
        t.h.code(
            t.moderator,
            Command::Hide {
                post: v,
                reason: HideReason::Other,
                note: Some("n".repeat(501))
            }
        ),
        "validation_failed"
    );
    assert_moderators_only(&mut t, hide(v));
    assert_eq!(t.h.post_of(v).visibility, Visibility::Visible);
}

#[test]
fn hiding_a_post_never_approved_does_not_publish_a_tombstone() {
    let mut t = Town::open_with(MeetingSettings {
        premoderation: true,
        ..Default::default()
    });
    let p = t.h.comment(t.anne, "Held and then hidden");
    t.h.ok(
        t.moderator,
        Command::Hide {
            post: p,
            reason: HideReason::Abusive,
            note: None,
        },
    );
    let post = t.h.post_of(p);
    assert!(matches!(post.visibility, Visibility::Hidden { .. }));
    assert!(
        !post.published && !post.is_public(),
        "the public never saw it, so no tombstone"
    );
    // Once seen, a hidden post is a public tombstone.
    let q = t.h.comment(t.anne, "Seen first");
    t.h.ok(t.moderator, Command::Approve { post: q });
    t.h.ok(
        t.moderator,
        Command::Hide {
            post: q,
            reason: HideReason::Spam,
            note: None,
        },
    );
    assert!(t.h.post_of(q).is_public());
}

#[test]
fn restore_rejections() {
    let mut t = premod_town();
    let pending = t.h.comment(t.anne, "venter");
    let rejected = t.h.comment(t.anne, "afvist");
    t.h.ok(t.moderator, reject(rejected));
    assert_eq!(
        t.h.code(t.moderator, Command::Restore { post: pending }),
        "invalid_state"
    );
    assert_eq!(
        t.h.code(t.moderator, Command::Restore { post: rejected }),
        "invalid_state"
    );
    assert_eq!(
        t.h.code(t.moderator, Command::Restore { post: PostId(9999) }),
        "not_found"
    );
    let v = t.h.comment(t.panelist, "synlig");
    t.h.ok(t.moderator, hide(v));
    assert_moderators_only(&mut t, Command::Restore { post: v });
}

// ---------------------------------------------------------------------------------------------
// Approve / Reject

#[test]
fn approve_a_pending_post() {
    let mut t = premod_town();
    let q = t.h.question(t.anne, "Hvad?");
    assert_eq!(t.h.state.counters().questions, 0);
    let (events, notices) =
        t.h.run_with_notices(t.moderator, Command::Approve { post: q })
            .unwrap();
    assert_eq!(names(&events), ["post_approved"]);
    assert_eq!(t.h.post_of(q).visibility, Visibility::Visible);
    assert_eq!(
        notices,
        vec![Notice {
            to: id_of(t.anne),
            kind: NoticeKind::PostApproved,
            post: Some(q)
        }]
    );
    assert_eq!(t.h.state.counters().questions, 1);
    t.h.noop(t.moderator, Command::Approve { post: q });
}

#[test]
fn approve_rejections() {
    let mut t = premod_town();
    let rejected = t.h.comment(t.anne, "afvist");
    t.h.ok(t.moderator, reject(rejected));
    let hidden = t.h.comment(t.panelist, "skjult");
    t.h.ok(t.moderator, hide(hidden));
    assert_eq!(
        t.h.code(t.moderator, Command::Approve { post: rejected }),
        "invalid_state"
    );
    assert_eq!(
        t.h.code(t.moderator, Command::Approve { post: hidden }),
        "invalid_state"
    );
    assert_eq!(
        t.h.code(t.moderator, Command::Approve { post: PostId(9999) }),
        "not_found"
    );
    let pending = t.h.comment(t.bo, "venter");
    assert_moderators_only(&mut t, Command::Approve { post: pending });
    assert!(matches!(
        t.h.post_of(pending).visibility,
        Visibility::Pending { .. }
    ));
}

#[test]
fn approval_settles_earlier_reports() {
    let mut t = Town::open_with(MeetingSettings {
        report_threshold: 2,
        ..Default::default()
    });
    let p = t.h.comment(t.anne, "Controversial but fine");
    t.h.ok(
        t.bo,
        Command::Report {
            post: p,
            reason: None,
        },
    );
    let held = t.h.ok(
        t.carl,
        Command::Report {
            post: p,
            reason: None,
        },
    );
    assert_eq!(names(&held), ["post_reported", "post_held"]);
    t.h.ok(t.moderator, Command::Approve { post: p });
    // One new report after a moderator's approval does not hold it again.
    let again = t.h.ok(
        t.bo,
        Command::Report {
            post: p,
            reason: None,
        },
    );
    assert_eq!(names(&again), ["post_reported"]);
    assert!(matches!(t.h.post_of(p).visibility, Visibility::Visible));
}

#[test]
fn reject_a_pending_post() {
    let mut t = premod_town();
    let q = t.h.question(t.anne, "Hvad?");
    let (events, notices) =
        t.h.run_with_notices(
            t.moderator,
            Command::Reject {
                post: q,
                reason: Some(" personoplysninger ".into()),
            },
        )
        .unwrap();
    assert_eq!(names(&events), ["post_rejected"]);
    assert_eq!(
        t.h.post_of(q).visibility,
        Visibility::Rejected {
            reason: Some("personoplysninger".into())
        }
    );
    assert_eq!(notices[0].kind, NoticeKind::PostRejected);
    assert_eq!(notices[0].to, id_of(t.anne));
    assert_eq!(
        t.h.state.counters().questions,
        0,
        "rejected posts never count"
    );
    t.h.noop(t.moderator, reject(q));
}

#[test]
fn reject_rejections() {
    let mut t = premod_town();
    let visible = t.h.comment(t.panelist, "synlig");
    assert_eq!(t.h.code(t.moderator, reject(visible)), "invalid_state");
    t.h.ok(t.moderator, hide(visible));
    assert_eq!(t.h.code(t.moderator, reject(visible)), "invalid_state");
    assert_eq!(t.h.code(t.moderator, reject(PostId(9999))), "not_found");
    let pending = t.h.comment(t.bo, "venter");
    assert_eq!(
        t.h.code(
            t.moderator,
            Command::Reject {
                post: pending,
                reason: Some("r".repeat(501))
            }
        ),
        "validation_failed"
    );
    assert_moderators_only(&mut t, reject(pending));
}

// ---------------------------------------------------------------------------------------------
// Mute / Unmute

#[test]
fn mute_and_unmute() {
    let mut t = Town::open();
    t.h.advance(100);
    let (events, notices) =
        t.h.run_with_notices(t.moderator, mute(id_of(t.anne), 15))
            .unwrap();
    assert_eq!(names(&events), ["participant_muted"]);
    let until = t.h.now + Duration::minutes(15);
    assert_eq!(
        events[0].kind,
        EventKind::ParticipantMuted {
            participant: id_of(t.anne),
            until
        }
    );
    assert_eq!(t.h.participant(t.anne).muted_until, Some(until));
    assert_eq!(
        notices,
        vec![Notice {
            to: id_of(t.anne),
            kind: NoticeKind::Muted,
            post: None
        }]
    );
    assert_eq!(
        t.h.code(
            t.anne,
            Command::CreatePost {
                kind: PostKind::Comment,
                body: "hej".into(),
                parent: None,
                agenda_item: None,
            }
        ),
        "muted"
    );
    assert_eq!(
        names(&t.h.ok(
            t.moderator2,
            Command::Unmute {
                participant: id_of(t.anne)
            }
        )),
        ["participant_unmuted"]
    );
    assert_eq!(t.h.participant(t.anne).muted_until, None);
    t.h.comment(t.anne, "tilbage");
    t.h.noop(
        t.moderator,
        Command::Unmute {
            participant: id_of(t.anne),
        },
    );
}

#[test]
fn unmute_after_expiry_still_clears_the_record() {
    let mut t = Town::open();
    t.h.ok(t.moderator, mute(id_of(t.bo), 1));
    t.h.advance(120);
    assert_eq!(
        names(&t.h.ok(
            t.moderator,
            Command::Unmute {
                participant: id_of(t.bo)
            }
        )),
        ["participant_unmuted"]
    );
}

#[test]
fn mute_rejections() {
    let mut t = Town::open();
    let max = t.h.limits.max_mute_minutes;
    let anne = id_of(t.anne);
    assert_eq!(t.h.code(t.moderator, mute(anne, 0)), "validation_failed");
    assert_eq!(
        t.h.code(t.moderator, mute(anne, max + 1)),
        "validation_failed"
    );
    t.h.ok(t.moderator, mute(anne, max));
    assert_eq!(
        t.h.participant(t.anne).muted_until,
        Some(t.h.now + Duration::minutes(i64::from(max)))
    );
    for staff in [t.panelist, t.moderator2] {
        let e = t.h.err(t.moderator, mute(id_of(staff), 5));
        assert!(matches!(
            e,
            DomainError::Validation {
                field: "participant",
                ..
            }
        ));
    }
    assert_eq!(t.h.code(t.moderator, mute(pid(4242), 5)), "not_found");
    let bo = id_of(t.bo);
    assert_moderators_only(&mut t, mute(bo, 5));
    assert_eq!(t.h.participant(t.bo).muted_until, None);
    assert_eq!(
        t.h.code(t.panelist, Command::Unmute { participant: anne }),
        "forbidden"
    );
    assert_eq!(
        t.h.code(
            t.moderator,
            Command::Unmute {
                participant: pid(4242)
            }
        ),
        "not_found"
    );
}

// ---------------------------------------------------------------------------------------------
// Ban / Unban

#[test]
fn ban_and_unban() {
    let mut t = Town::open();
    let p = t.h.comment(t.bo, "før");
    let (events, notices) =
        t.h.run_with_notices(
            t.moderator,
            Command::Ban {
                participant: id_of(t.anne),
                reason: None,
            },
        )
        .unwrap();
    assert_eq!(names(&events), ["participant_banned"]);
    assert!(t.h.participant(t.anne).banned);
    assert_eq!(
        notices,
        vec![Notice {
            to: id_of(t.anne),
            kind: NoticeKind::Banned,
            post: None
        }]
    );
    // A banned citizen can do nothing any more.
    for cmd in [
        Command::CreatePost {
            kind: PostKind::Question,
            body: "hej".into(),
            parent: None,
            agenda_item: None,
        },
        Command::Report {
            post: p,
            reason: None,
        },
        join_cmd(id_of(t.anne), "Anne"),
    ] {
        assert_eq!(t.h.code(t.anne, cmd), "banned");
    }
    assert_eq!(
        authorize_vote(&t.h.state, &t.anne, p).unwrap_err(),
        DomainError::Banned
    );
    // Still counted as a participant of the meeting.
    assert_eq!(t.h.state.counters().participants, 3);
    t.h.noop(
        t.moderator,
        Command::Ban {
            participant: id_of(t.anne),
            reason: None,
        },
    );

    assert_eq!(
        names(&t.h.ok(
            t.moderator,
            Command::Unban {
                participant: id_of(t.anne)
            }
        )),
        ["participant_unbanned"]
    );
    assert!(!t.h.participant(t.anne).banned);
    t.h.comment(t.anne, "tilbage");
    t.h.noop(
        t.moderator,
        Command::Unban {
            participant: id_of(t.anne),
        },
    );
}

#[test]
fn ban_rejections() {
    let mut t = Town::open();
    for staff in [t.panelist, t.moderator2] {
        assert_eq!(
            t.h.code(
                t.moderator,
                Command::Ban {
                    participant: id_of(staff),
                    reason: None
                }
            ),
            "validation_failed"
        );
    }
    assert_eq!(
        t.h.code(
            t.moderator,
            Command::Ban {
                participant: pid(4242),
                reason: None
            }
        ),
        "not_found"
    );
    assert_eq!(
        t.h.code(
            t.moderator,
            Command::Unban {
                participant: pid(4242)
            }
        ),
        "not_found"
    );
    assert_eq!(
        t.h.code(
            t.panelist,
            Command::Unban {
                participant: id_of(t.bo)
            }
        ),
        "forbidden"
    );
    let bo = id_of(t.bo);
    assert_moderators_only(
        &mut t,
        Command::Ban {
            participant: bo,
            reason: None,
        },
    );
    assert!(!t.h.participant(t.bo).banned);
}

/// The console asks why a person is banned; the reason travels in the event (the report
/// counts bans by reason), and events from before the reason existed still read.
#[test]
fn ban_reason_is_kept_in_the_event_and_old_events_still_read() {
    let mut t = Town::open();
    let events = t.h.ok(
        t.moderator,
        Command::Ban {
            participant: id_of(t.anne),
            reason: Some(HideReason::Abusive),
        },
    );
    let json = serde_json::to_value(&events[0].kind).unwrap();
    assert_eq!(json["reason"], "abusive", "{json}");
    let old: EventKind = serde_json::from_value(serde_json::json!({
        "type": json["type"].clone(),
        "participant": json["participant"].clone(),
    }))
    .unwrap();
    assert!(matches!(
        old,
        EventKind::ParticipantBanned { reason: None, .. }
    ));
}
