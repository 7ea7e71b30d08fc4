//! Rules tightened after review: who hears about hall questions, pending questions stay out of
//! the queue's actions, approval settles reports, and reports stop when the meeting closes.

mod common;

use borgermode_domain::*;
use common::*;

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
