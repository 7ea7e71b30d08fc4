//! The checks more than one command family makes: who is acting, which post or question a
//! command names, and whether the follow-up still takes work. A check used by one family only
//! lives in that family's module instead, next to the commands that need it.

use crate::error::DomainError;
use crate::event::Actor;
use crate::ids::PostId;
use crate::projection::{MeetingState, Participant, Post};
use crate::types::*;

/// The longest free-text note on a command (a report reason, a hide or reject reason, a
/// dismissal, a live answer's note): long enough for a sentence or two, short enough for a
/// console line.
pub(super) const REASON_MAX: usize = 500;

/// Both staff roles: panelists and moderators share the panel's work on notices and questions.
pub(super) const ALL_STAFF: &[Role] = &[Role::Moderator, Role::Panelist];

/// The organizer alone (creating, editing and scheduling a meeting, staff, erasure).
pub(super) fn require_organizer(actor: &Actor) -> Result<(), DomainError> {
    match actor {
        Actor::Organizer => Ok(()),
        Actor::Participant { .. } => Err(DomainError::Forbidden),
    }
}

/// The organizer, or an active staff member with one of `roles` (a moderator runs the evening
/// without the organizer at hand).
pub(super) fn require_organizer_or(
    state: &MeetingState,
    actor: &Actor,
    roles: &[Role],
) -> Result<(), DomainError> {
    match actor {
        Actor::Organizer => Ok(()),
        Actor::Participant { .. } => active_staff(state, actor, roles).map(|_| ()),
    }
}

/// The acting participant, if they may act at all (joined, not banned, link not revoked, not
/// erased). A revoked or erased participant's session is over: this check is what makes that
/// hold on an instance whose session cache has not heard of it yet, because every command is
/// decided again against the latest log before it commits.
pub(crate) fn active_participant<'a>(
    state: &'a MeetingState,
    actor: &Actor,
) -> Result<&'a Participant, DomainError> {
    let id = actor.participant().ok_or(DomainError::Forbidden)?;
    let p = state.participants.get(&id).ok_or(DomainError::Forbidden)?;
    if p.revoked || p.erased {
        return Err(DomainError::SessionEnded);
    }
    if p.banned {
        return Err(DomainError::Banned);
    }
    Ok(p)
}

/// An active participant whose role is one of `roles`. The organizer is no staff member: a
/// command the organizer may run too checks `require_organizer_or` instead.
pub(super) fn active_staff<'a>(
    state: &'a MeetingState,
    actor: &Actor,
    roles: &[Role],
) -> Result<&'a Participant, DomainError> {
    let p = active_participant(state, actor)?;
    if roles.contains(&p.role) {
        Ok(p)
    } else {
        Err(DomainError::Forbidden)
    }
}

/// The post a command names, in any visibility (staff act on pending and hidden posts too).
pub(super) fn find_post(state: &MeetingState, post: PostId) -> Result<&Post, DomainError> {
    state.posts.get(&post).ok_or(DomainError::NotFound("post"))
}

/// Where the question a command names stands; a post that is no question is a validation
/// error, not a missing post.
pub(super) fn question_state(
    state: &MeetingState,
    post: PostId,
) -> Result<&QuestionState, DomainError> {
    let p = find_post(state, post)?;
    p.question
        .as_ref()
        .map(|q| &q.state)
        .ok_or_else(|| DomainError::validation("post", "not a question"))
}

/// Like `question_state`, for actions that put a question in front of the public (claim,
/// answer, on air, merge target, routing): a pending or rejected question must be approved
/// first.
pub(super) fn public_question_state(
    state: &MeetingState,
    post: PostId,
) -> Result<&QuestionState, DomainError> {
    let qs = question_state(state, post)?;
    if !find_post(state, post)?.is_public() {
        return Err(DomainError::InvalidState("approve the question first"));
    }
    Ok(qs)
}

/// Questions of a closed meeting can still be claimed, routed and answered (the follow-up)
/// until the organizer closes the follow-up.
pub(super) fn check_follow_up_open(state: &MeetingState) -> Result<(), DomainError> {
    if state.follow_up_closed_at.is_some() {
        return Err(DomainError::InvalidState("the follow-up is closed"));
    }
    Ok(())
}

/// Where a move in a list of `len` entries puts an entry asked to go to `position` (past the
/// end: the last place), or `None` when the entry is already there (`from`): a no-op.
pub(super) fn move_target(len: usize, from: Option<usize>, position: u32) -> Option<u32> {
    let to = (position as usize).min(len.saturating_sub(1));
    (from != Some(to)).then_some(to as u32)
}
