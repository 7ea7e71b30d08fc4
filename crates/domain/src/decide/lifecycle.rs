//! The meeting's lifecycle: `CreateMeeting`, `EditMeeting`, `Schedule`, `Open`, `Close`,
//! `ChangeSettings`, `AddStaff`, `RevokeStaff`.
//!
//! Rules:
//! - The organizer creates, edits and schedules a meeting and adds and revokes staff; opening,
//!   closing and changing the settings a moderator may do too (the evening runs without the
//!   organizer at the desk).
//! - The status only moves forward: draft -> scheduled -> open -> closed (a draft may open
//!   directly); a closed meeting never opens again. Asking for the state the meeting is already
//!   in is an acknowledged no-op, so a retried click writes nothing.
//! - Closing appends `meeting_closed` and `follow_up_started {due}`; the deadline is computed
//!   here from the command's `now` (working days) and kept in the log, so changing the setting
//!   later never moves it.
//! - Details and settings are validated here and nowhere else (one-line title, https video,
//!   the settings' ranges), so every path into the log stores the same normalized values.
//!
//! Tests: `crates/domain/tests/it/lifecycle.rs`.

use super::rules::{require_organizer, require_organizer_or};
use super::Decision;
use crate::command::Context;
use crate::error::DomainError;
use crate::event::{Actor, EventKind};
use crate::ids::ParticipantId;
use crate::projection::MeetingState;
use crate::text::{is_bidi_control, normalize_name, normalize_note};
use crate::types::*;
use crate::workdays::add_working_days;

const ROLE_LINE_MAX: usize = 80;
const TITLE_MAX: usize = 200;
const DESCRIPTION_MAX: usize = 20_000;

pub(super) fn create_meeting(
    state: &MeetingState,
    actor: &Actor,
    details: MeetingDetails,
    settings: MeetingSettings,
) -> Decision {
    require_organizer(actor)?;
    if state.exists {
        return Err(DomainError::InvalidState("meeting already exists"));
    }
    Ok(vec![EventKind::MeetingCreated {
        details: validate_details(details)?,
        settings: validate_settings(settings)?,
    }])
}

pub(super) fn edit_meeting(actor: &Actor, details: MeetingDetails) -> Decision {
    require_organizer(actor)?;
    Ok(vec![EventKind::MeetingEdited {
        details: validate_details(details)?,
    }])
}

pub(super) fn schedule(state: &MeetingState, actor: &Actor) -> Decision {
    require_organizer(actor)?;
    match state.status {
        MeetingStatus::Draft => Ok(vec![EventKind::MeetingScheduled]),
        MeetingStatus::Scheduled => Ok(vec![]),
        _ => Err(DomainError::InvalidState(
            "only a draft meeting can be scheduled",
        )),
    }
}

pub(super) fn open(state: &MeetingState, actor: &Actor) -> Decision {
    require_organizer_or(state, actor, &[Role::Moderator])?;
    match state.status {
        MeetingStatus::Draft | MeetingStatus::Scheduled => Ok(vec![EventKind::MeetingOpened]),
        MeetingStatus::Open => Ok(vec![]),
        MeetingStatus::Closed => Err(DomainError::MeetingClosed),
    }
}

pub(super) fn close(state: &MeetingState, actor: &Actor, ctx: &Context) -> Decision {
    require_organizer_or(state, actor, &[Role::Moderator])?;
    match state.status {
        MeetingStatus::Closed => Ok(vec![]),
        _ => Ok(super::polls::close_all_open(state)
            .chain([
                EventKind::MeetingClosed,
                EventKind::FollowUpStarted {
                    due: add_working_days(ctx.now, ctx.limits.follow_up_working_days),
                },
            ])
            .collect()),
    }
}

pub(super) fn change_settings(
    state: &MeetingState,
    actor: &Actor,
    settings: MeetingSettings,
) -> Decision {
    require_organizer_or(state, actor, &[Role::Moderator])?;
    let settings = validate_settings(settings)?;
    if settings == state.settings {
        return Ok(vec![]);
    }
    Ok(vec![EventKind::SettingsChanged { settings }])
}

pub(super) fn add_staff(
    state: &MeetingState,
    actor: &Actor,
    participant: ParticipantId,
    role: StaffRole,
    name: String,
    role_line: String,
) -> Decision {
    require_organizer(actor)?;
    if state.participants.contains_key(&participant) {
        return Err(DomainError::validation("participant", "id already in use"));
    }
    let name = normalize_name(&name)?;
    let role_line =
        normalize_note(Some(&role_line), "role_line", ROLE_LINE_MAX)?.unwrap_or_default();
    Ok(vec![EventKind::StaffAdded {
        participant,
        role,
        name,
        role_line,
    }])
}

pub(super) fn revoke_staff(
    state: &MeetingState,
    actor: &Actor,
    participant: ParticipantId,
) -> Decision {
    require_organizer(actor)?;
    match state.participants.get(&participant) {
        Some(p) if p.role.is_staff() => {
            if p.revoked {
                Ok(vec![])
            } else {
                Ok(vec![EventKind::StaffRevoked { participant }])
            }
        }
        _ => Err(DomainError::NotFound("staff member")),
    }
}

fn validate_details(mut d: MeetingDetails) -> Result<MeetingDetails, DomainError> {
    d.title = d.title.trim().to_string();
    if d.title.is_empty() || d.title.chars().count() > TITLE_MAX {
        return Err(DomainError::validation(
            "title",
            format!("must be 1 to {TITLE_MAX} characters"),
        ));
    }
    // One line, like a display name: a CR/LF would break headers, .ics lines and CSV rows
    // that carry the title.
    if d.title
        .chars()
        .any(|c| c.is_control() || is_bidi_control(c))
    {
        return Err(DomainError::validation(
            "title",
            "must not contain control or text-direction characters",
        ));
    }
    if d.description.chars().count() > DESCRIPTION_MAX {
        return Err(DomainError::validation(
            "description",
            format!("must be at most {DESCRIPTION_MAX} characters"),
        ));
    }
    if let (Some(s), Some(e)) = (d.starts_at, d.ends_at) {
        if e <= s {
            return Err(DomainError::validation(
                "ends_at",
                "must be after starts_at",
            ));
        }
    }
    if let Some(url) = d.video_url.as_deref().map(str::trim) {
        if url.is_empty() {
            d.video_url = None;
        } else if !url.starts_with("https://")
            || url.len() > 2000
            || url.contains(char::is_whitespace)
        {
            // https only: the pages may load media and frames over https alone (their CSP),
            // so an http:// address would be accepted here and then never play.
            return Err(DomainError::validation(
                "video_url",
                "must be an https:// URL (the pages play video over https only)",
            ));
        } else {
            d.video_url = Some(url.to_string());
        }
    }
    Ok(d)
}

fn validate_settings(mut s: MeetingSettings) -> Result<MeetingSettings, DomainError> {
    if !(1..=20_000).contains(&s.max_body_chars) {
        return Err(DomainError::validation(
            "max_body_chars",
            "must be between 1 and 20000",
        ));
    }
    if s.slow_mode_secs > 3600 {
        return Err(DomainError::validation(
            "slow_mode_secs",
            "must be at most 3600",
        ));
    }
    if !(1..=1000).contains(&s.report_threshold) {
        return Err(DomainError::validation(
            "report_threshold",
            "must be between 1 and 1000",
        ));
    }
    s.keywords = s
        .keywords
        .iter()
        .map(|k| k.trim().to_string())
        .filter(|k| !k.is_empty())
        .collect();
    if s.keywords.len() > 500 || s.keywords.iter().any(|k| k.chars().count() > 100) {
        return Err(DomainError::validation(
            "keywords",
            "at most 500 keywords of at most 100 characters",
        ));
    }
    Ok(s)
}
