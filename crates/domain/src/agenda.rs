//! The agenda: the evening's points in order ("1. Havneplanen, 2. Skolerne, 3. Eventuelt"),
//! one of them current. Why it exists: in a hybrid meeting the hall follows the points of the
//! evening, and questions asked online must follow them too, so the queue, the stream and the
//! archive can be read point by point and the report can say how each point went.
//!
//! Items are staff text (like staff names), not personal data: they live in the events as plain
//! strings. An item's id is the seq of the event that added it; its position is its index in
//! [`Agenda::items`]. Removing an item unties its questions (they stay, without an item) and
//! clears `current` if it was current.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::AgendaItemId;
use crate::text::normalize_body;

/// Most items one agenda holds: an evening has a handful; the bound keeps every view small.
pub const AGENDA_MAX_ITEMS: usize = 50;
pub const AGENDA_TITLE_MAX: u32 = 200;
pub const AGENDA_DESCRIPTION_MAX: u32 = 2000;

/// What staff write for one point; replaced as a whole on every edit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgendaItemDetails {
    /// 1–200 characters.
    pub title: String,
    /// Markdown (rendered and sanitized by the server), up to 2,000 characters; may be empty.
    #[serde(default)]
    pub description: String,
    /// When the point is planned to start, if the organizer gave a time.
    #[serde(default)]
    pub planned_start: Option<DateTime<Utc>>,
}

impl AgendaItemDetails {
    /// Trimmed and checked: a title, a description within bounds, no control characters.
    pub fn normalized(self) -> Result<Self, DomainError> {
        let title = normalize_body(&self.title, "title", AGENDA_TITLE_MAX)?;
        if title.contains(['\n', '\r', '\t']) {
            return Err(DomainError::validation("title", "must be one line"));
        }
        let description = if self.description.trim().is_empty() {
            String::new()
        } else {
            normalize_body(&self.description, "description", AGENDA_DESCRIPTION_MAX)?
        };
        Ok(Self {
            title,
            description,
            planned_start: self.planned_start,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgendaItem {
    pub id: AgendaItemId,
    pub details: AgendaItemDetails,
}

/// The agenda as the log has made it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Agenda {
    /// In agenda order.
    pub items: Vec<AgendaItem>,
    /// The point the meeting is on (staff set it; new questions default to it).
    pub current: Option<AgendaItemId>,
}

impl Agenda {
    pub fn get(&self, id: AgendaItemId) -> Option<&AgendaItem> {
        self.items.iter().find(|i| i.id == id)
    }

    pub fn position(&self, id: AgendaItemId) -> Option<usize> {
        self.items.iter().position(|i| i.id == id)
    }

    /// Insert at `position` (clamped; absent: at the end).
    pub(crate) fn add(
        &mut self,
        id: AgendaItemId,
        details: AgendaItemDetails,
        position: Option<u32>,
    ) {
        let at = position
            .map(|p| (p as usize).min(self.items.len()))
            .unwrap_or(self.items.len());
        self.items.insert(at, AgendaItem { id, details });
    }

    pub(crate) fn edit(&mut self, id: AgendaItemId, details: AgendaItemDetails) {
        if let Some(item) = self.items.iter_mut().find(|i| i.id == id) {
            item.details = details;
        }
    }

    pub(crate) fn remove(&mut self, id: AgendaItemId) {
        self.items.retain(|i| i.id != id);
        if self.current == Some(id) {
            self.current = None;
        }
    }

    /// Move to `position` (clamped to the last place).
    pub(crate) fn move_to(&mut self, id: AgendaItemId, position: u32) {
        if let Some(from) = self.position(id) {
            let item = self.items.remove(from);
            let to = (position as usize).min(self.items.len());
            self.items.insert(to, item);
        }
    }

    pub(crate) fn set_current(&mut self, id: Option<AgendaItemId>) {
        self.current = id.filter(|i| self.get(*i).is_some());
    }
}
