//! Data protection: `EraseParticipant` (a citizen's request) and `Pseudonymize` (retention).
//! Both only name the content rows to delete; the store deletes them in the append's
//! transaction, and the log keeps every event and seq (docs/ARCHITECTURE.md, "Erasure" and
//! "Retention").
//!
//! Rules:
//! - The organizer alone (the retention task acts as the organizer).
//! - Erasure is for citizens only: staff act in office, their answers are the municipality's
//!   record (revoke the link instead). It names the display name, every report reason and every
//!   post and reply of the citizen, and nothing of anybody else; erasing twice is a no-op.
//! - Pseudonymizing needs a closed meeting and happens once; it names every citizen's display
//!   name and every hall question's name, and keeps the demographic counts in the event.
//!
//! Tests: `crates/domain/tests/it/privacy.rs`.

use std::collections::BTreeMap;

use super::rules::require_organizer;
use super::Decision;
use crate::error::DomainError;
use crate::event::{Actor, ContentRef, DemographicCount, EventKind};
use crate::ids::ParticipantId;
use crate::projection::MeetingState;
use crate::types::*;

pub(super) fn erase_participant(
    state: &MeetingState,
    actor: &Actor,
    participant: ParticipantId,
) -> Decision {
    require_organizer(actor)?;
    let p = state
        .participants
        .get(&participant)
        .ok_or(DomainError::NotFound("participant"))?;
    // A citizen's request concerns their own name and posts. Staff act in office:
    // their answers are the municipality's record (revoke the link instead).
    if p.role != Role::Citizen {
        return Err(DomainError::InvalidState(
            "only a citizen's name and posts can be erased",
        ));
    }
    if p.erased {
        return Ok(vec![]);
    }
    let mut contents = vec![ContentRef {
        seq: p.joined_seq,
        slot: 0,
    }];
    contents.extend(
        p.report_reasons
            .iter()
            .map(|seq| ContentRef { seq: *seq, slot: 0 }),
    );
    contents.extend(
        state
            .posts
            .values()
            .filter(|post| post.author == Some(participant))
            .map(|post| ContentRef {
                seq: post.id.0,
                slot: 0,
            }),
    );
    Ok(vec![EventKind::ParticipantErased {
        participant,
        contents,
    }])
}

pub(super) fn pseudonymize(state: &MeetingState, actor: &Actor) -> Decision {
    require_organizer(actor)?;
    if state.status != MeetingStatus::Closed {
        return Err(DomainError::InvalidState(
            "only a closed meeting is pseudonymized",
        ));
    }
    if state.pseudonymized {
        return Ok(vec![]);
    }
    Ok(vec![retention_event(state)])
}

/// The retention event: every citizen's name and every room question's name go, and the
/// demographic counts are kept (per value, only values somebody gave).
fn retention_event(state: &MeetingState) -> EventKind {
    let mut contents = Vec::new();
    let mut counts: BTreeMap<(&'static str, String), u32> = BTreeMap::new();
    for p in state.participants.values() {
        if p.role != Role::Citizen {
            continue;
        }
        if p.display_name.text.is_some() {
            contents.push(ContentRef {
                seq: p.joined_seq,
                slot: 0,
            });
        }
        if let Some(a) = p.age_band {
            *counts.entry(("age_band", serde_name(&a))).or_default() += 1;
        }
        if let Some(g) = p.gender {
            *counts.entry(("gender", serde_name(&g))).or_default() += 1;
        }
    }
    for post in state.posts.values() {
        if let Source::Room { name: Some(name) } = &post.source {
            if name.text.is_some() {
                contents.push(ContentRef {
                    seq: post.id.0,
                    slot: 1,
                });
            }
        }
    }
    contents.sort();
    EventKind::PersonalDataPseudonymized {
        contents,
        aggregates: counts
            .into_iter()
            .map(|((dimension, value), count)| DemographicCount {
                dimension: dimension.to_string(),
                value,
                count,
            })
            .collect(),
    }
}

/// The wire name of a unit enum value (`18_29`, `woman`).
fn serde_name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}
