//! Routing and the follow-up: `Assign`, `Unassign`, `CloseFollowUp`. A family of its own, not
//! part of `questions`, because it keeps its own promise (every question gets an answer, also
//! after the meeting, and somebody is named to give it) and has its own test file.
//!
//! Rules:
//! - Moderators and the organizer route any question to a panelist or a department; a panelist
//!   may take a question for themselves only, and take back only their own assignment.
//! - An assignee is an active panelist of the meeting (a revoked link is not) or a named
//!   department.
//! - Only an open or claimed public question is routed, and nothing after the follow-up
//!   closed; routing to the current assignee again is a no-op.
//! - The organizer closes the follow-up, once, and only after the meeting closed; then claims,
//!   answers and routing stop (`rules::check_follow_up_open`).
//!
//! Tests: `crates/domain/tests/it/followup.rs`.

use super::rules::{
    active_staff, check_follow_up_open, find_post, public_question_state, question_state,
    require_organizer, ALL_STAFF,
};
use super::Decision;
use crate::error::DomainError;
use crate::event::{Actor, EventKind};
use crate::ids::{ParticipantId, PostId};
use crate::projection::MeetingState;
use crate::text::normalize_note;
use crate::types::*;

const DEPARTMENT_MAX: usize = 80;

pub(super) fn assign(state: &MeetingState, actor: &Actor, post: PostId, to: Assignee) -> Decision {
    let panelist_self = routing_panelist(state, actor)?;
    check_follow_up_open(state)?;
    let to = match to {
        Assignee::Panelist { participant } => {
            if panelist_self.is_some_and(|me| me != participant) {
                return Err(DomainError::Forbidden);
            }
            match state.participants.get(&participant) {
                Some(p) if p.role == Role::Panelist && !p.revoked => {}
                _ => return Err(DomainError::NotFound("panelist")),
            }
            Assignee::Panelist { participant }
        }
        Assignee::Department { name } => {
            if panelist_self.is_some() {
                return Err(DomainError::Forbidden);
            }
            let name = normalize_note(Some(&name), "name", DEPARTMENT_MAX)?
                .ok_or_else(|| DomainError::validation("name", "name the department"))?;
            Assignee::Department { name }
        }
    };
    let q = find_post(state, post)?.question.as_ref();
    match public_question_state(state, post)? {
        QuestionState::Open | QuestionState::Claimed { .. } => {}
        _ => {
            return Err(DomainError::InvalidState(
                "only an open or claimed question can be assigned",
            ))
        }
    }
    if q.and_then(|q| q.assignee.as_ref()) == Some(&to) {
        return Ok(vec![]);
    }
    Ok(vec![EventKind::QuestionAssigned { post, to }])
}

pub(super) fn unassign(state: &MeetingState, actor: &Actor, post: PostId) -> Decision {
    let panelist_self = routing_panelist(state, actor)?;
    question_state(state, post)?;
    let current = find_post(state, post)?
        .question
        .as_ref()
        .and_then(|q| q.assignee.as_ref());
    match (current, panelist_self) {
        (None, _) => Ok(vec![]),
        (Some(Assignee::Panelist { participant }), Some(me)) if *participant == me => {
            Ok(vec![EventKind::QuestionUnassigned { post }])
        }
        (Some(_), Some(_)) => Err(DomainError::Forbidden),
        (Some(_), None) => Ok(vec![EventKind::QuestionUnassigned { post }]),
    }
}

pub(super) fn close_follow_up(state: &MeetingState, actor: &Actor) -> Decision {
    require_organizer(actor)?;
    if state.status != MeetingStatus::Closed {
        return Err(DomainError::InvalidState("close the meeting first"));
    }
    Ok(if state.follow_up_closed_at.is_some() {
        vec![]
    } else {
        vec![EventKind::FollowUpClosed]
    })
}

/// Who routes: `None` for the organizer or a moderator (any question, anywhere), `Some(me)` for
/// a panelist, who may route only to themselves; anybody else is refused.
fn routing_panelist(
    state: &MeetingState,
    actor: &Actor,
) -> Result<Option<ParticipantId>, DomainError> {
    match actor {
        Actor::Organizer => Ok(None),
        Actor::Participant { .. } => {
            let me = active_staff(state, actor, ALL_STAFF)?;
            Ok((me.role == Role::Panelist).then_some(me.id))
        }
    }
}
