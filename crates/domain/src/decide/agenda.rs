//! The agenda: add, edit, remove and move items, set the current one, file a question under an
//! item.
//!
//! Rules:
//! - The organizer and moderators keep the agenda, before the meeting and during it; a closed
//!   meeting's agenda is the record and does not change.
//! - At most [`AGENDA_MAX_ITEMS`] items; a title on one line, a description within bounds.
//! - Filing a post: staff (panelists too: they sort the questions they take), top-level posts
//!   only (a reply follows its parent), also after the close (the follow-up sorts questions).
//!   Filing a post where it already is changes nothing.
//! - Setting the item that is already current, or moving an item to where it is, changes nothing.
//!
//! Questions asked under an item are filed in `participation::create_post`.
//!
//! Tests: `crates/domain/tests/it/agenda.rs`.

use super::rules::{find_post, move_target, require_organizer_or, ALL_STAFF};
use super::Decision;
use crate::agenda::{AgendaItemDetails, AGENDA_MAX_ITEMS};
use crate::error::DomainError;
use crate::event::{Actor, EventKind};
use crate::ids::{AgendaItemId, PostId};
use crate::projection::MeetingState;
use crate::types::*;

/// The organizer or a moderator, on a meeting that is not closed.
fn keeper(state: &MeetingState, actor: &Actor) -> Result<(), DomainError> {
    require_organizer_or(state, actor, &[Role::Moderator])?;
    if state.status == MeetingStatus::Closed {
        return Err(DomainError::MeetingClosed);
    }
    Ok(())
}

fn item_exists(state: &MeetingState, item: AgendaItemId) -> Result<(), DomainError> {
    state
        .agenda
        .get(item)
        .map(|_| ())
        .ok_or(DomainError::NotFound("agenda item"))
}

pub(super) fn add_item(
    state: &MeetingState,
    actor: &Actor,
    details: AgendaItemDetails,
    position: Option<u32>,
) -> Decision {
    keeper(state, actor)?;
    if state.agenda.items.len() >= AGENDA_MAX_ITEMS {
        return Err(DomainError::validation(
            "agenda",
            format!("an agenda holds at most {AGENDA_MAX_ITEMS} items"),
        ));
    }
    Ok(vec![EventKind::AgendaItemAdded {
        details: details.normalized()?,
        position,
    }])
}

pub(super) fn edit_item(
    state: &MeetingState,
    actor: &Actor,
    item: AgendaItemId,
    details: AgendaItemDetails,
) -> Decision {
    keeper(state, actor)?;
    item_exists(state, item)?;
    let details = details.normalized()?;
    if state.agenda.get(item).is_some_and(|i| i.details == details) {
        return Ok(vec![]);
    }
    Ok(vec![EventKind::AgendaItemEdited { item, details }])
}

pub(super) fn remove_item(state: &MeetingState, actor: &Actor, item: AgendaItemId) -> Decision {
    keeper(state, actor)?;
    item_exists(state, item)?;
    Ok(vec![EventKind::AgendaItemRemoved { item }])
}

pub(super) fn move_item(
    state: &MeetingState,
    actor: &Actor,
    item: AgendaItemId,
    position: u32,
) -> Decision {
    keeper(state, actor)?;
    item_exists(state, item)?;
    let from = state.agenda.position(item);
    Ok(move_target(state.agenda.items.len(), from, position)
        .map(|position| EventKind::AgendaItemMoved { item, position })
        .into_iter()
        .collect())
}

pub(super) fn set_current(
    state: &MeetingState,
    actor: &Actor,
    item: Option<AgendaItemId>,
) -> Decision {
    keeper(state, actor)?;
    if let Some(i) = item {
        item_exists(state, i)?;
    }
    if state.agenda.current == item {
        return Ok(vec![]);
    }
    Ok(vec![EventKind::CurrentAgendaItemSet { item }])
}

pub(super) fn file_post(
    state: &MeetingState,
    actor: &Actor,
    post: PostId,
    item: Option<AgendaItemId>,
) -> Decision {
    require_organizer_or(state, actor, ALL_STAFF)?;
    let p = find_post(state, post)?;
    if p.parent.is_some() {
        return Err(DomainError::validation(
            "post",
            "a reply follows its parent: file the parent",
        ));
    }
    if p.kind == PostKind::Notice {
        return Err(DomainError::validation(
            "post",
            "notices are not filed under agenda items",
        ));
    }
    if let Some(i) = item {
        item_exists(state, i)?;
    }
    if p.agenda_item == item {
        return Ok(vec![]);
    }
    Ok(vec![EventKind::PostFiled { post, item }])
}
