//! Polls: prepare (create, edit, delete, reorder), launch, close, publish results, put one on
//! the big screen. Who may answer, and what an answer is, is `poll::check_answer` (answers are
//! not log events).
//!
//! Rules:
//! - The organizer and moderators run polls. Drafts can be prepared before the meeting (any
//!   status but closed); a poll is launched only while the meeting is open, and closing the
//!   meeting closes its open polls (`lifecycle::close`).
//! - A poll is edited or deleted only as a draft (`poll_launched` after): its answers refer to
//!   what it asked. Reordering is allowed at any time.
//! - Launch: draft -> open (several may be open at once); again: no-op; closed: `poll_closed`.
//!   Close: open -> closed; again: no-op; draft: `poll_not_open`.
//! - Publishing results makes them public whatever the poll's `results` said; a draft has
//!   none (`poll_not_open`); already public: no-op.
//! - On screen: a launched poll (open or closed), or none.
//! - The agenda item a poll names must exist.
//!
//! Tests: `crates/domain/tests/it/polls.rs`.

use super::rules::{move_target, require_organizer_or};
use super::Decision;
use crate::error::DomainError;
use crate::event::{Actor, EventKind};
use crate::ids::PollId;
use crate::poll::{Poll, PollDefinition, PollStatus, POLLS_MAX};
use crate::projection::MeetingState;
use crate::types::*;

fn runner(state: &MeetingState, actor: &Actor) -> Result<(), DomainError> {
    require_organizer_or(state, actor, &[Role::Moderator])
}

fn find(state: &MeetingState, poll: PollId) -> Result<&Poll, DomainError> {
    state.polls.get(poll).ok_or(DomainError::NotFound("poll"))
}

fn not_closed(state: &MeetingState) -> Result<(), DomainError> {
    if state.status == MeetingStatus::Closed {
        return Err(DomainError::MeetingClosed);
    }
    Ok(())
}

fn checked(
    state: &MeetingState,
    definition: PollDefinition,
) -> Result<PollDefinition, DomainError> {
    let definition = definition.normalized()?;
    if let Some(item) = definition.agenda_item {
        if state.agenda.get(item).is_none() {
            return Err(DomainError::NotFound("agenda item"));
        }
    }
    Ok(definition)
}

pub(super) fn create(state: &MeetingState, actor: &Actor, definition: PollDefinition) -> Decision {
    runner(state, actor)?;
    not_closed(state)?;
    if state.polls.items.len() >= POLLS_MAX {
        return Err(DomainError::validation(
            "polls",
            format!("a meeting holds at most {POLLS_MAX} polls"),
        ));
    }
    Ok(vec![EventKind::PollCreated {
        definition: checked(state, definition)?,
    }])
}

pub(super) fn edit(
    state: &MeetingState,
    actor: &Actor,
    poll: PollId,
    definition: PollDefinition,
) -> Decision {
    runner(state, actor)?;
    not_closed(state)?;
    let p = find(state, poll)?;
    if p.status != PollStatus::Draft {
        return Err(DomainError::PollLaunched);
    }
    let definition = checked(state, definition)?;
    if p.definition == definition {
        return Ok(vec![]);
    }
    Ok(vec![EventKind::PollEdited { poll, definition }])
}

pub(super) fn delete(state: &MeetingState, actor: &Actor, poll: PollId) -> Decision {
    runner(state, actor)?;
    if find(state, poll)?.status != PollStatus::Draft {
        return Err(DomainError::PollLaunched);
    }
    Ok(vec![EventKind::PollDeleted { poll }])
}

pub(super) fn move_to(
    state: &MeetingState,
    actor: &Actor,
    poll: PollId,
    position: u32,
) -> Decision {
    runner(state, actor)?;
    find(state, poll)?;
    let from = state.polls.items.iter().position(|p| p.id == poll);
    Ok(move_target(state.polls.items.len(), from, position)
        .map(|position| EventKind::PollMoved { poll, position })
        .into_iter()
        .collect())
}

pub(super) fn launch(state: &MeetingState, actor: &Actor, poll: PollId) -> Decision {
    runner(state, actor)?;
    let p = find(state, poll)?;
    match p.status {
        PollStatus::Open => return Ok(vec![]),
        PollStatus::Closed => return Err(DomainError::PollClosed),
        PollStatus::Draft => {}
    }
    match state.status {
        MeetingStatus::Open => Ok(vec![EventKind::PollLaunched { poll }]),
        MeetingStatus::Closed => Err(DomainError::MeetingClosed),
        _ => Err(DomainError::MeetingNotOpen),
    }
}

pub(super) fn close(state: &MeetingState, actor: &Actor, poll: PollId) -> Decision {
    runner(state, actor)?;
    match find(state, poll)?.status {
        PollStatus::Draft => Err(DomainError::PollNotOpen),
        PollStatus::Open => Ok(vec![EventKind::PollClosed { poll }]),
        PollStatus::Closed => Ok(vec![]),
    }
}

pub(super) fn publish_results(state: &MeetingState, actor: &Actor, poll: PollId) -> Decision {
    runner(state, actor)?;
    let p = find(state, poll)?;
    if p.status == PollStatus::Draft {
        return Err(DomainError::PollNotOpen);
    }
    if p.results_public() {
        return Ok(vec![]);
    }
    Ok(vec![EventKind::PollResultsPublished { poll }])
}

pub(super) fn set_on_screen(state: &MeetingState, actor: &Actor, poll: Option<PollId>) -> Decision {
    runner(state, actor)?;
    if let Some(id) = poll {
        if find(state, id)?.status == PollStatus::Draft {
            return Err(DomainError::PollNotOpen);
        }
    }
    if state.polls.on_screen == poll {
        return Ok(vec![]);
    }
    Ok(vec![EventKind::PollOnScreenSet { poll }])
}

/// Closing the meeting closes its open polls, in the same command.
pub(super) fn close_all_open(state: &MeetingState) -> impl Iterator<Item = EventKind> + '_ {
    state
        .polls
        .open()
        .map(|p| EventKind::PollClosed { poll: p.id })
}
