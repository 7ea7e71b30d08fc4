//! The panel's work: notices (`PostNotice`, `PinNotice`, `UnpinNotice`) and the question queue
//! (`Claim`, `Release`, `AnswerWritten`, `AnswerLive`, `RoomQuestion`, `Dismiss`, `Merge`,
//! `SetOnAir`). Notices are here and not with the citizens' posts because panelists and
//! moderators post them, with the answer's length limit, and their tests are with the queue's.
//!
//! Rules:
//! - Panelists and moderators post and pin notices and claim, release and answer questions;
//!   hall questions, dismissals, merges and the on-air question are the moderators' alone.
//! - Notices and hall questions need a writable meeting (not a draft, not closed); a notice may
//!   be as long as an answer whatever the citizens' limit.
//! - A pending or rejected question must be approved before it is claimed, answered, put on air
//!   or merged into (`rules::public_question_state`).
//! - One claimer at a time: another panelist gets `already_claimed`; a moderator may answer or
//!   release anybody's claim.
//! - A closed meeting's questions can still be claimed and answered until the follow-up closes.
//! - A live answer credits an active panelist of the meeting: the one named, else the claimer,
//!   else the one pressing (`default_live_panelist`).
//! - A dismissal tells the asker why (a reason is required) and never counts as answered; a
//!   question cannot be merged into itself or into a merged question, and a merged question
//!   cannot go on air.
//! - Answering or dismissing the question on air takes it off air in the same command (done in
//!   `decide::decide` over the events, so it holds for every command that settles a question).
//!
//! Tests: `crates/domain/tests/it/questions.rs`.

use super::rules::{
    active_staff, check_follow_up_open, find_post, public_question_state, question_state,
    ALL_STAFF, REASON_MAX,
};
use super::Decision;
use crate::error::DomainError;
use crate::event::{Actor, Content, EventKind};
use crate::ids::{ParticipantId, PostId};
use crate::projection::{MeetingState, Participant};
use crate::text::{normalize_body, normalize_name, normalize_note};
use crate::types::*;

/// The longest written answer, and the least a notice may hold whatever the meeting's limit.
const ANSWER_MAX: u32 = 5_000;

pub(super) fn post_notice(
    state: &MeetingState,
    actor: &Actor,
    body: String,
    pin: bool,
) -> Decision {
    active_staff(state, actor, ALL_STAFF)?;
    check_meeting_writable(state)?;
    let body = normalize_body(&body, "body", state.settings.max_body_chars.max(ANSWER_MAX))?;
    let mut events = vec![EventKind::PostCreated {
        post_kind: PostKind::Notice,
        parent: None,
        body: Content::new(body),
        source: Source::Online,
        held: None,
    }];
    if pin {
        // The pin refers to the post created just before it: its seq is state.seq + 1.
        events.push(EventKind::NoticePinned {
            post: PostId(state.seq + 1),
        });
    }
    Ok(events)
}

pub(super) fn pin_notice(state: &MeetingState, actor: &Actor, post: PostId) -> Decision {
    active_staff(state, actor, ALL_STAFF)?;
    let p = find_post(state, post)?;
    if p.kind != PostKind::Notice {
        return Err(DomainError::validation(
            "post",
            "only notices can be pinned",
        ));
    }
    if state.pinned_notice == Some(post) {
        return Ok(vec![]);
    }
    Ok(vec![EventKind::NoticePinned { post }])
}

pub(super) fn unpin_notice(state: &MeetingState, actor: &Actor) -> Decision {
    active_staff(state, actor, ALL_STAFF)?;
    Ok(if state.pinned_notice.is_some() {
        vec![EventKind::NoticeUnpinned]
    } else {
        vec![]
    })
}

pub(super) fn claim(state: &MeetingState, actor: &Actor, post: PostId) -> Decision {
    let me = active_staff(state, actor, ALL_STAFF)?;
    check_follow_up_open(state)?;
    match public_question_state(state, post)? {
        QuestionState::Open => Ok(vec![EventKind::QuestionClaimed { post }]),
        QuestionState::Claimed { by } if *by == me.id => Ok(vec![]),
        QuestionState::Claimed { .. } => Err(DomainError::AlreadyClaimed),
        _ => Err(DomainError::InvalidState(
            "only an open question can be claimed",
        )),
    }
}

pub(super) fn release(state: &MeetingState, actor: &Actor, post: PostId) -> Decision {
    let me = active_staff(state, actor, ALL_STAFF)?;
    match question_state(state, post)? {
        QuestionState::Claimed { by } if *by == me.id || me.role == Role::Moderator => {
            Ok(vec![EventKind::QuestionReleased { post }])
        }
        QuestionState::Claimed { .. } => Err(DomainError::Forbidden),
        QuestionState::Open => Ok(vec![]),
        _ => Err(DomainError::InvalidState("the question is not claimed")),
    }
}

pub(super) fn answer_written(
    state: &MeetingState,
    actor: &Actor,
    post: PostId,
    body: String,
) -> Decision {
    let me = active_staff(state, actor, ALL_STAFF)?;
    check_answerable(state, me, post)?;
    let body = normalize_body(&body, "body", ANSWER_MAX)?;
    Ok(vec![EventKind::QuestionAnswered {
        post,
        answer: Answer::Written {
            body: Content::new(body),
        },
    }])
}

pub(super) fn answer_live(
    state: &MeetingState,
    actor: &Actor,
    post: PostId,
    note: Option<String>,
    panelist: Option<ParticipantId>,
) -> Decision {
    let me = active_staff(state, actor, ALL_STAFF)?;
    check_answerable(state, me, post)?;
    let note = normalize_note(note.as_deref(), "note", REASON_MAX)?;
    let panelist = match panelist {
        Some(id) => match state.participants.get(&id) {
            Some(p) if p.role == Role::Panelist && !p.revoked && !p.banned => Some(id),
            _ => {
                return Err(DomainError::validation(
                    "panelist",
                    "must be an active panelist of this meeting",
                ))
            }
        },
        None => default_live_panelist(state, me, post),
    };
    Ok(vec![EventKind::QuestionAnswered {
        post,
        answer: Answer::Live { note, panelist },
    }])
}

pub(super) fn room_question(
    state: &MeetingState,
    actor: &Actor,
    body: String,
    name: Option<String>,
) -> Decision {
    active_staff(state, actor, &[Role::Moderator])?;
    check_meeting_writable(state)?;
    let body = normalize_body(&body, "body", state.settings.max_body_chars)?;
    let name = match name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => Some(Content::new(normalize_name(n)?)),
        None => None,
    };
    Ok(vec![EventKind::PostCreated {
        post_kind: PostKind::Question,
        parent: None,
        body: Content::new(body),
        source: Source::Room { name },
        held: None,
    }])
}

pub(super) fn dismiss(
    state: &MeetingState,
    actor: &Actor,
    post: PostId,
    reason: String,
) -> Decision {
    active_staff(state, actor, &[Role::Moderator])?;
    let reason = normalize_note(Some(&reason), "reason", REASON_MAX)?
        .ok_or_else(|| DomainError::validation("reason", "tell the asker why"))?;
    match question_state(state, post)? {
        QuestionState::Open | QuestionState::Claimed { .. } => {
            Ok(vec![EventKind::QuestionDismissed { post, reason }])
        }
        _ => Err(DomainError::InvalidState(
            "only an open or claimed question can be dismissed",
        )),
    }
}

pub(super) fn merge(state: &MeetingState, actor: &Actor, post: PostId, into: PostId) -> Decision {
    active_staff(state, actor, &[Role::Moderator])?;
    if post == into {
        return Err(DomainError::validation(
            "into",
            "a question cannot be merged into itself",
        ));
    }
    match question_state(state, post)? {
        QuestionState::Open | QuestionState::Claimed { .. } | QuestionState::Dismissed { .. } => {}
        _ => {
            return Err(DomainError::InvalidState(
                "this question can no longer be merged",
            ))
        }
    }
    if matches!(
        public_question_state(state, into)?,
        QuestionState::Merged { .. }
    ) {
        return Err(DomainError::InvalidState(
            "the target question was itself merged",
        ));
    }
    Ok(vec![EventKind::QuestionMerged { post, into }])
}

pub(super) fn set_on_air(state: &MeetingState, actor: &Actor, post: Option<PostId>) -> Decision {
    active_staff(state, actor, &[Role::Moderator])?;
    if let Some(p) = post {
        if matches!(
            public_question_state(state, p)?,
            QuestionState::Merged { .. }
        ) {
            return Err(DomainError::InvalidState(
                "a merged question cannot go on air",
            ));
        }
    }
    if state.on_air == post {
        return Ok(vec![]);
    }
    Ok(vec![EventKind::OnAirSet { post }])
}

/// Notices and hall questions go into the meeting's stream, which takes nothing before it is
/// scheduled or after it closed.
fn check_meeting_writable(state: &MeetingState) -> Result<(), DomainError> {
    match state.status {
        MeetingStatus::Draft => Err(DomainError::MeetingNotOpen),
        MeetingStatus::Closed => Err(DomainError::MeetingClosed),
        _ => Ok(()),
    }
}

/// Who answered live when the command does not say: the claimer if an active panelist, else
/// the one pressing if a panelist; else nobody named (the event's actor is credited).
fn default_live_panelist(
    state: &MeetingState,
    me: &Participant,
    post: PostId,
) -> Option<ParticipantId> {
    let active_panelist = |id: &ParticipantId| {
        state
            .participants
            .get(id)
            .is_some_and(|p| p.role == Role::Panelist && !p.revoked && !p.banned)
    };
    let claimer = match state.posts.get(&post).and_then(|p| p.question.as_ref()) {
        Some(q) => match &q.state {
            QuestionState::Claimed { by } => Some(*by),
            _ => None,
        },
        None => None,
    };
    claimer
        .filter(active_panelist)
        .or_else(|| Some(me.id).filter(active_panelist))
}

/// Whether `me` may answer `post` now: not before the meeting is scheduled, not after the
/// follow-up closed, and only an open question or one that `me` (or, for a moderator, anybody)
/// has claimed.
fn check_answerable(
    state: &MeetingState,
    me: &Participant,
    post: PostId,
) -> Result<(), DomainError> {
    if state.status == MeetingStatus::Draft {
        return Err(DomainError::MeetingNotOpen);
    }
    check_follow_up_open(state)?;
    match public_question_state(state, post)? {
        QuestionState::Open => Ok(()),
        QuestionState::Claimed { by } if *by == me.id || me.role == Role::Moderator => Ok(()),
        QuestionState::Claimed { .. } => Err(DomainError::AlreadyClaimed),
        QuestionState::Answered { .. } => Err(DomainError::InvalidState(
            "the question is already answered",
        )),
        _ => Err(DomainError::InvalidState(
            "only an open or claimed question can be answered",
        )),
    }
}
