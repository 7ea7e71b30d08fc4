//! Taking part: `Join`, `CreatePost`, `Report`, and who may vote ([`authorize_vote`], re-exported
//! as `decide::authorize_vote`: votes are not log events, but who may cast one is a rule of
//! taking part).
//!
//! Rules:
//! - A participant acts as themselves only, and only while joined, not banned, and neither
//!   revoked nor erased (`rules::active_participant`).
//! - Joining is open while the meeting is scheduled or open; a banned citizen cannot join again;
//!   a name that a staff member has (or had) or that is reserved is refused, so nobody online
//!   can pass for the panel.
//! - Posting: a scheduled meeting takes questions only (question intake); a draft or closed one
//!   takes nothing. Mutes hold for everybody; slow mode and the posts-per-minute limit for
//!   citizens only. Replies are comments, go one level deep and only under a public post.
//!   Premoderation holds a citizen's post before a keyword does; staff posts are never held.
//! - Reporting: not on a closed meeting, not one's own post, once per post (again is a no-op),
//!   within the reports-per-10-minutes limit. Automatic holds count only reporters who joined
//!   before the post, and never touch official posts (staff, hall questions).
//! - Voting: on a visible post that is not one's own, not a merged question, not after close.
//!
//! Tests: `crates/domain/tests/it/participation.rs`.

use chrono::Duration;

use super::rules::{active_participant, find_post, REASON_MAX};
use super::Decision;
use crate::command::Context;
use crate::error::DomainError;
use crate::event::{Actor, Content, EventKind};
use crate::ids::{AgendaItemId, ParticipantId, PostId};
use crate::projection::{MeetingState, Participant};
use crate::text::{
    fold, is_reserved_name, matches_keyword, normalize_body, normalize_name, normalize_note,
};
use crate::types::*;

pub(super) fn join(
    state: &MeetingState,
    actor: &Actor,
    participant: ParticipantId,
    display_name: String,
    age_band: Option<AgeBand>,
    gender: Option<Gender>,
) -> Decision {
    if actor != &(Actor::Participant { id: participant }) {
        return Err(DomainError::Forbidden);
    }
    match state.participants.get(&participant) {
        Some(p) if p.banned => return Err(DomainError::Banned),
        Some(_) => return Err(DomainError::InvalidState("already joined")),
        None => {}
    }
    match state.status {
        MeetingStatus::Draft => return Err(DomainError::MeetingNotOpen),
        MeetingStatus::Closed => return Err(DomainError::MeetingClosed),
        _ => {}
    }
    let name = normalize_name(&display_name)?;
    let folded = fold(&name);
    if is_reserved_name(&folded)
        || state
            .participants
            .values()
            .any(|p| p.role.is_staff() && fold(p.display_name.as_str()) == folded)
    {
        return Err(DomainError::NameReserved);
    }
    Ok(vec![EventKind::ParticipantJoined {
        participant,
        display_name: Content::new(name),
        age_band,
        gender,
    }])
}

pub(super) fn create_post(
    state: &MeetingState,
    actor: &Actor,
    kind: PostKind,
    body: String,
    parent: Option<PostId>,
    agenda_item: Option<AgendaItemId>,
    ctx: &Context,
) -> Decision {
    let author = active_participant(state, actor)?;
    if kind == PostKind::Notice {
        return Err(DomainError::validation(
            "kind",
            "use the notice command for notices",
        ));
    }
    check_can_post(state, author, kind, ctx)?;
    let body = normalize_body(&body, "body", state.settings.max_body_chars)?;
    if let Some(parent_id) = parent {
        if kind != PostKind::Comment {
            return Err(DomainError::validation("kind", "a reply must be a comment"));
        }
        let p = state
            .posts
            .get(&parent_id)
            .filter(|p| p.is_public())
            .ok_or(DomainError::NotFound("parent post"))?;
        if p.parent.is_some() {
            return Err(DomainError::validation(
                "parent",
                "replies go one level deep: reply to the original post",
            ));
        }
    }
    let held = if author.role.is_staff() {
        None
    } else if state.settings.premoderation {
        Some(HoldReason::Premoderation)
    } else if matches_keyword(&body, &state.settings.keywords) {
        Some(HoldReason::Keyword)
    } else {
        None
    };
    // A question is filed under the item it was asked under, or the current one; a reply
    // follows its parent, and comments are not filed.
    let item = match agenda_item {
        Some(_) if parent.is_some() || kind != PostKind::Question => {
            return Err(DomainError::validation(
                "agenda_item",
                "only questions are filed under an agenda item",
            ))
        }
        Some(i) if state.agenda.get(i).is_none() => {
            return Err(DomainError::NotFound("agenda item"))
        }
        Some(i) => Some(i),
        None if kind == PostKind::Question => state.agenda.current,
        None => None,
    };
    let mut events = vec![EventKind::PostCreated {
        post_kind: kind,
        parent,
        body: Content::new(body),
        source: Source::Online,
        held,
    }];
    if let Some(item) = item {
        events.push(EventKind::PostFiled {
            post: PostId(state.seq + 1),
            item: Some(item),
        });
    }
    Ok(events)
}

pub(super) fn report(
    state: &MeetingState,
    actor: &Actor,
    post: PostId,
    reason: Option<String>,
    ctx: &Context,
) -> Decision {
    let reporter = active_participant(state, actor)?;
    if state.status == MeetingStatus::Closed {
        return Err(DomainError::MeetingClosed);
    }
    let reason = normalize_note(reason.as_deref(), "reason", REASON_MAX)?;
    let target = state
        .posts
        .get(&post)
        .filter(|p| p.is_public())
        .ok_or(DomainError::NotFound("post"))?;
    if target.author == Some(reporter.id) {
        return Err(DomainError::validation(
            "post",
            "you cannot report your own post",
        ));
    }
    if target.reporters.contains(&reporter.id) {
        return Ok(vec![]);
    }
    if let Some(oldest) = reporter.recent_reports.front() {
        let window = Duration::minutes(10);
        let recent = reporter
            .recent_reports
            .iter()
            .filter(|t| ctx.now - **t < window)
            .count();
        if recent as u32 >= ctx.limits.reports_per_10_minutes {
            let wait = (*oldest + window - ctx.now).num_seconds().max(1) as u64;
            return Err(DomainError::RateLimited {
                retry_after_secs: wait,
            });
        }
    }
    // The reason is the reporter's own text: a content slot, erased with its author.
    let mut events = vec![EventKind::PostReported {
        post,
        reason: None,
        reason_text: reason.map(Content::new),
    }];
    // Official posts (panelists, moderators, hall questions) are never held by reports:
    // a few citizens must not be able to take down a correction.
    let official = matches!(target.source, Source::Room { .. })
        || target
            .author
            .and_then(|a| state.participants.get(&a))
            .is_some_and(|a| a.role.is_staff());
    if state.settings.auto_hold_reports
        && !official
        && matches!(target.visibility, Visibility::Visible)
    {
        // Only reports from people who were already there when the post was made count:
        // a wave of fresh joins cannot silence a post.
        let counted = target
            .reporters
            .iter()
            .chain(std::iter::once(&reporter.id))
            .filter(|r| {
                state
                    .participants
                    .get(r)
                    .is_some_and(|p| p.joined_seq < post.0)
            })
            .count() as u32;
        if counted >= state.settings.report_threshold.max(1) {
            events.push(EventKind::PostHeld {
                post,
                reason: HoldReason::Reports,
            });
        }
    }
    Ok(events)
}

/// Votes are not log events, but who may vote is still a domain rule.
pub fn authorize_vote(
    state: &MeetingState,
    actor: &Actor,
    post: PostId,
) -> Result<(), DomainError> {
    if !state.exists {
        return Err(DomainError::NotFound("meeting"));
    }
    let me = active_participant(state, actor)?;
    if state.status == MeetingStatus::Closed {
        return Err(DomainError::MeetingClosed);
    }
    let p = find_post(state, post)?;
    if !matches!(p.visibility, Visibility::Visible) {
        return Err(DomainError::NotFound("post"));
    }
    // An upvote says "I want this answered too": one's own question already says so, and a
    // self-vote would only inflate the queue's order.
    if p.author == Some(me.id) {
        return Err(DomainError::InvalidState("you cannot upvote your own post"));
    }
    if let Some(q) = &p.question {
        if matches!(q.state, QuestionState::Merged { .. }) {
            return Err(DomainError::InvalidState(
                "this question was merged: vote on the question it was merged into",
            ));
        }
    }
    Ok(())
}

/// Whether `author` may post a `kind` now: the meeting's status, a mute, and (citizens only)
/// slow mode and the posts-per-minute window.
fn check_can_post(
    state: &MeetingState,
    author: &Participant,
    kind: PostKind,
    ctx: &Context,
) -> Result<(), DomainError> {
    match state.status {
        MeetingStatus::Draft => return Err(DomainError::MeetingNotOpen),
        MeetingStatus::Closed => return Err(DomainError::MeetingClosed),
        // Question intake before the meeting opens: questions only.
        MeetingStatus::Scheduled if kind != PostKind::Question => {
            return Err(DomainError::MeetingNotOpen)
        }
        _ => {}
    }
    if let Some(until) = author.muted_until.filter(|u| *u > ctx.now) {
        return Err(DomainError::Muted { until });
    }
    if author.role.is_staff() {
        return Ok(());
    }
    let slow = i64::from(state.settings.slow_mode_secs);
    if slow > 0 {
        if let Some(last) = author.recent_posts.back() {
            let since = (ctx.now - *last).num_seconds();
            if since < slow {
                return Err(DomainError::SlowMode {
                    retry_after_secs: (slow - since).max(1) as u64,
                });
            }
        }
    }
    let window = Duration::seconds(60);
    let in_window: Vec<_> = author
        .recent_posts
        .iter()
        .filter(|t| ctx.now - **t < window)
        .collect();
    if in_window.len() as u32 >= ctx.limits.posts_per_minute {
        let wait = in_window
            .first()
            .map(|t| (**t + window - ctx.now).num_seconds().max(1) as u64)
            .unwrap_or(60);
        return Err(DomainError::RateLimited {
            retry_after_secs: wait,
        });
    }
    Ok(())
}
