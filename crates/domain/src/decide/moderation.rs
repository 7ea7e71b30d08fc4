//! Moderation: on posts `Hide`, `Restore`, `Approve`, `Reject`; on citizens `Mute`, `Unmute`,
//! `Ban`, `Unban`.
//!
//! Rules:
//! - Moderators only: not panelists, not citizens, and not the organizer (the tests'
//!   `assert_moderators_only` pins all three, and a revoked moderator).
//! - A post moves between visibilities one way each: hide a visible or pending post (a rejected
//!   one stays rejected), restore a hidden one, approve or reject a pending one; repeating the
//!   state a post is already in is a no-op.
//! - Mutes and bans are for citizens only: a staff member's link is revoked instead
//!   (`RevokeStaff`). A mute lasts 1 minute to `Limits::max_mute_minutes`, counted from the
//!   command's `now`.
//!
//! Tests: `crates/domain/tests/it/moderation.rs`.

use chrono::Duration;

use super::rules::{active_staff, find_post, REASON_MAX};
use super::Decision;
use crate::command::Context;
use crate::error::DomainError;
use crate::event::{Actor, EventKind};
use crate::ids::{ParticipantId, PostId};
use crate::projection::{MeetingState, Participant};
use crate::text::normalize_note;
use crate::types::*;

pub(super) fn hide(
    state: &MeetingState,
    actor: &Actor,
    post: PostId,
    reason: HideReason,
    note: Option<String>,
) -> Decision {
    moderator(state, actor)?;
    let note = normalize_note(note.as_deref(), "note", REASON_MAX)?;
    let p = find_post(state, post)?;
    match p.visibility {
        Visibility::Visible | Visibility::Pending { .. } => {
            Ok(vec![EventKind::PostHidden { post, reason, note }])
        }
        Visibility::Hidden { .. } => Ok(vec![]),
        Visibility::Rejected { .. } => Err(DomainError::InvalidState("the post was rejected")),
    }
}

pub(super) fn restore(state: &MeetingState, actor: &Actor, post: PostId) -> Decision {
    moderator(state, actor)?;
    match find_post(state, post)?.visibility {
        Visibility::Hidden { .. } => Ok(vec![EventKind::PostRestored { post }]),
        Visibility::Visible => Ok(vec![]),
        _ => Err(DomainError::InvalidState(
            "only a hidden post can be restored",
        )),
    }
}

pub(super) fn approve(state: &MeetingState, actor: &Actor, post: PostId) -> Decision {
    moderator(state, actor)?;
    match find_post(state, post)?.visibility {
        Visibility::Pending { .. } => Ok(vec![EventKind::PostApproved { post }]),
        Visibility::Visible => Ok(vec![]),
        _ => Err(DomainError::InvalidState(
            "only a pending post can be approved",
        )),
    }
}

pub(super) fn reject(
    state: &MeetingState,
    actor: &Actor,
    post: PostId,
    reason: Option<String>,
) -> Decision {
    moderator(state, actor)?;
    let reason = normalize_note(reason.as_deref(), "reason", REASON_MAX)?;
    match find_post(state, post)?.visibility {
        Visibility::Pending { .. } => Ok(vec![EventKind::PostRejected { post, reason }]),
        Visibility::Rejected { .. } => Ok(vec![]),
        _ => Err(DomainError::InvalidState(
            "only a pending post can be rejected",
        )),
    }
}

pub(super) fn mute(
    state: &MeetingState,
    actor: &Actor,
    participant: ParticipantId,
    minutes: u32,
    ctx: &Context,
) -> Decision {
    moderator(state, actor)?;
    citizen(state, participant)?;
    if minutes == 0 || minutes > ctx.limits.max_mute_minutes {
        return Err(DomainError::validation(
            "minutes",
            format!("must be between 1 and {}", ctx.limits.max_mute_minutes),
        ));
    }
    Ok(vec![EventKind::ParticipantMuted {
        participant,
        until: ctx.now + Duration::minutes(i64::from(minutes)),
    }])
}

pub(super) fn unmute(state: &MeetingState, actor: &Actor, participant: ParticipantId) -> Decision {
    moderator(state, actor)?;
    let p = citizen(state, participant)?;
    Ok(if p.muted_until.is_some() {
        vec![EventKind::ParticipantUnmuted { participant }]
    } else {
        vec![]
    })
}

pub(super) fn ban(
    state: &MeetingState,
    actor: &Actor,
    participant: ParticipantId,
    reason: Option<HideReason>,
) -> Decision {
    moderator(state, actor)?;
    let p = citizen(state, participant)?;
    Ok(if p.banned {
        vec![]
    } else {
        vec![EventKind::ParticipantBanned {
            participant,
            reason,
        }]
    })
}

pub(super) fn unban(state: &MeetingState, actor: &Actor, participant: ParticipantId) -> Decision {
    moderator(state, actor)?;
    let p = citizen(state, participant)?;
    Ok(if p.banned {
        vec![EventKind::ParticipantUnbanned { participant }]
    } else {
        vec![]
    })
}

/// Every command of this family is a moderator's.
fn moderator(state: &MeetingState, actor: &Actor) -> Result<(), DomainError> {
    active_staff(state, actor, &[Role::Moderator]).map(|_| ())
}

/// The citizen a mute or ban names: staff are not muted or banned but revoked.
fn citizen(state: &MeetingState, id: ParticipantId) -> Result<&Participant, DomainError> {
    match state.participants.get(&id) {
        Some(p) if p.role == Role::Citizen => Ok(p),
        Some(_) => Err(DomainError::validation(
            "participant",
            "staff cannot be muted or banned; revoke their link instead",
        )),
        None => Err(DomainError::NotFound("participant")),
    }
}
