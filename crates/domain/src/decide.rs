//! `decide`: the one rule set. Given the state at seq S, an actor and a command, either the
//! events to append after S, or a typed error. HTTP and WebSocket paths both end here.
//!
//! An empty event list means "allowed, and nothing changes" (claiming a question you already
//! hold, reporting a post twice); callers acknowledge it without writing.

use chrono::Duration;

use crate::command::{Command, Context};
use crate::error::DomainError;
use crate::event::{Actor, Content, ContentRef, DemographicCount, EventKind};
use crate::ids::{ParticipantId, PostId};
use crate::projection::{MeetingState, Participant, Post};
use crate::text::{
    fold, is_bidi_control, is_reserved_name, matches_keyword, normalize_body, normalize_name,
    normalize_note,
};
use crate::types::*;
use crate::workdays::add_working_days;

const REASON_MAX: usize = 500;
const ROLE_LINE_MAX: usize = 80;
const TITLE_MAX: usize = 200;
const DESCRIPTION_MAX: usize = 20_000;
const ANSWER_MAX: u32 = 5_000;
const DEPARTMENT_MAX: usize = 80;

type Decision = Result<Vec<EventKind>, DomainError>;

/// Check `cmd` from `actor` against `state` and return the events it causes.
pub fn decide(state: &MeetingState, actor: &Actor, cmd: Command, ctx: &Context) -> Decision {
    let mut events = decide_command(state, actor, cmd, ctx)?;
    // A question that is answered or dismissed while on air leaves the screen in the same
    // command: "Nu på skærmen" on an answered question told the hall something false.
    if let Some(on_air) = state.on_air {
        let settled = events.iter().any(|e| {
            matches!(e, EventKind::QuestionAnswered { post, .. }
                | EventKind::QuestionDismissed { post, .. } if *post == on_air)
        });
        let sets_on_air = events
            .iter()
            .any(|e| matches!(e, EventKind::OnAirSet { .. }));
        if settled && !sets_on_air {
            events.push(EventKind::OnAirSet { post: None });
        }
    }
    Ok(events)
}

fn decide_command(state: &MeetingState, actor: &Actor, cmd: Command, ctx: &Context) -> Decision {
    if let Command::CreateMeeting { details, settings } = cmd {
        require_organizer(actor)?;
        if state.exists {
            return Err(DomainError::InvalidState("meeting already exists"));
        }
        return Ok(vec![EventKind::MeetingCreated {
            details: validate_details(details)?,
            settings: validate_settings(settings)?,
        }]);
    }
    if !state.exists {
        return Err(DomainError::NotFound("meeting"));
    }
    match cmd {
        Command::CreateMeeting { .. } => Err(DomainError::InvalidState("meeting already exists")),
        Command::EraseParticipant { participant } => {
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
        Command::Pseudonymize => {
            require_organizer(actor)?;
            if state.status != MeetingStatus::Closed {
                return Err(DomainError::InvalidState(
                    "only a closed meeting is pseudonymized",
                ));
            }
            if state.pseudonymized {
                return Ok(vec![]);
            }
            Ok(vec![pseudonymize(state)])
        }
        Command::EditMeeting { details } => {
            require_organizer(actor)?;
            Ok(vec![EventKind::MeetingEdited {
                details: validate_details(details)?,
            }])
        }
        Command::Schedule => {
            require_organizer(actor)?;
            match state.status {
                MeetingStatus::Draft => Ok(vec![EventKind::MeetingScheduled]),
                MeetingStatus::Scheduled => Ok(vec![]),
                _ => Err(DomainError::InvalidState(
                    "only a draft meeting can be scheduled",
                )),
            }
        }
        Command::Open => {
            require_organizer_or(state, actor, &[Role::Moderator])?;
            match state.status {
                MeetingStatus::Draft | MeetingStatus::Scheduled => {
                    Ok(vec![EventKind::MeetingOpened])
                }
                MeetingStatus::Open => Ok(vec![]),
                MeetingStatus::Closed => Err(DomainError::MeetingClosed),
            }
        }
        Command::Close => {
            require_organizer_or(state, actor, &[Role::Moderator])?;
            match state.status {
                MeetingStatus::Closed => Ok(vec![]),
                _ => Ok(vec![
                    EventKind::MeetingClosed,
                    EventKind::FollowUpStarted {
                        due: add_working_days(ctx.now, ctx.limits.follow_up_working_days),
                    },
                ]),
            }
        }
        Command::AddStaff {
            participant,
            role,
            name,
            role_line,
        } => {
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
        Command::RevokeStaff { participant } => {
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
        Command::ChangeSettings { settings } => {
            require_organizer_or(state, actor, &[Role::Moderator])?;
            let settings = validate_settings(settings)?;
            if settings == state.settings {
                return Ok(vec![]);
            }
            Ok(vec![EventKind::SettingsChanged { settings }])
        }
        Command::Join {
            participant,
            display_name,
            age_band,
            gender,
        } => {
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
        Command::CreatePost { kind, body, parent } => {
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
            Ok(vec![EventKind::PostCreated {
                post_kind: kind,
                parent,
                body: Content::new(body),
                source: Source::Online,
                held,
            }])
        }
        Command::Report { post, reason } => {
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
        Command::PostNotice { body, pin } => {
            active_staff(state, actor, &[Role::Moderator, Role::Panelist])?;
            check_meeting_writable(state)?;
            let body =
                normalize_body(&body, "body", state.settings.max_body_chars.max(ANSWER_MAX))?;
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
        Command::PinNotice { post } => {
            active_staff(state, actor, &[Role::Moderator, Role::Panelist])?;
            let p = state
                .posts
                .get(&post)
                .ok_or(DomainError::NotFound("post"))?;
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
        Command::UnpinNotice => {
            active_staff(state, actor, &[Role::Moderator, Role::Panelist])?;
            Ok(if state.pinned_notice.is_some() {
                vec![EventKind::NoticeUnpinned]
            } else {
                vec![]
            })
        }
        Command::Claim { post } => {
            let me = active_staff(state, actor, &[Role::Moderator, Role::Panelist])?;
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
        Command::Release { post } => {
            let me = active_staff(state, actor, &[Role::Moderator, Role::Panelist])?;
            match question_state(state, post)? {
                QuestionState::Claimed { by } if *by == me.id || me.role == Role::Moderator => {
                    Ok(vec![EventKind::QuestionReleased { post }])
                }
                QuestionState::Claimed { .. } => Err(DomainError::Forbidden),
                QuestionState::Open => Ok(vec![]),
                _ => Err(DomainError::InvalidState("the question is not claimed")),
            }
        }
        Command::AnswerWritten { post, body } => {
            let me = active_staff(state, actor, &[Role::Moderator, Role::Panelist])?;
            check_answerable(state, me, post)?;
            let body = normalize_body(&body, "body", ANSWER_MAX)?;
            Ok(vec![EventKind::QuestionAnswered {
                post,
                answer: Answer::Written {
                    body: Content::new(body),
                },
            }])
        }
        Command::AnswerLive {
            post,
            note,
            panelist,
        } => {
            let me = active_staff(state, actor, &[Role::Moderator, Role::Panelist])?;
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
        Command::Assign { post, to } => {
            let panelist_self = match actor {
                Actor::Organizer => None,
                Actor::Participant { .. } => {
                    let me = active_staff(state, actor, &[Role::Moderator, Role::Panelist])?;
                    (me.role == Role::Panelist).then_some(me.id)
                }
            };
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
        Command::Unassign { post } => {
            let panelist_self = match actor {
                Actor::Organizer => None,
                Actor::Participant { .. } => {
                    let me = active_staff(state, actor, &[Role::Moderator, Role::Panelist])?;
                    (me.role == Role::Panelist).then_some(me.id)
                }
            };
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
        Command::CloseFollowUp => {
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
        Command::RoomQuestion { body, name } => {
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
        Command::Dismiss { post, reason } => {
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
        Command::Merge { post, into } => {
            active_staff(state, actor, &[Role::Moderator])?;
            if post == into {
                return Err(DomainError::validation(
                    "into",
                    "a question cannot be merged into itself",
                ));
            }
            match question_state(state, post)? {
                QuestionState::Open
                | QuestionState::Claimed { .. }
                | QuestionState::Dismissed { .. } => {}
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
        Command::SetOnAir { post } => {
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
        Command::Hide { post, reason, note } => {
            active_staff(state, actor, &[Role::Moderator])?;
            let note = normalize_note(note.as_deref(), "note", REASON_MAX)?;
            let p = find_post(state, post)?;
            match p.visibility {
                Visibility::Visible | Visibility::Pending { .. } => {
                    Ok(vec![EventKind::PostHidden { post, reason, note }])
                }
                Visibility::Hidden { .. } => Ok(vec![]),
                Visibility::Rejected { .. } => {
                    Err(DomainError::InvalidState("the post was rejected"))
                }
            }
        }
        Command::Restore { post } => {
            active_staff(state, actor, &[Role::Moderator])?;
            match find_post(state, post)?.visibility {
                Visibility::Hidden { .. } => Ok(vec![EventKind::PostRestored { post }]),
                Visibility::Visible => Ok(vec![]),
                _ => Err(DomainError::InvalidState(
                    "only a hidden post can be restored",
                )),
            }
        }
        Command::Approve { post } => {
            active_staff(state, actor, &[Role::Moderator])?;
            match find_post(state, post)?.visibility {
                Visibility::Pending { .. } => Ok(vec![EventKind::PostApproved { post }]),
                Visibility::Visible => Ok(vec![]),
                _ => Err(DomainError::InvalidState(
                    "only a pending post can be approved",
                )),
            }
        }
        Command::Reject { post, reason } => {
            active_staff(state, actor, &[Role::Moderator])?;
            let reason = normalize_note(reason.as_deref(), "reason", REASON_MAX)?;
            match find_post(state, post)?.visibility {
                Visibility::Pending { .. } => Ok(vec![EventKind::PostRejected { post, reason }]),
                Visibility::Rejected { .. } => Ok(vec![]),
                _ => Err(DomainError::InvalidState(
                    "only a pending post can be rejected",
                )),
            }
        }
        Command::Mute {
            participant,
            minutes,
        } => {
            active_staff(state, actor, &[Role::Moderator])?;
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
        Command::Unmute { participant } => {
            active_staff(state, actor, &[Role::Moderator])?;
            let p = citizen(state, participant)?;
            Ok(if p.muted_until.is_some() {
                vec![EventKind::ParticipantUnmuted { participant }]
            } else {
                vec![]
            })
        }
        Command::Ban {
            participant,
            reason,
        } => {
            active_staff(state, actor, &[Role::Moderator])?;
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
        Command::Unban { participant } => {
            active_staff(state, actor, &[Role::Moderator])?;
            let p = citizen(state, participant)?;
            Ok(if p.banned {
                vec![EventKind::ParticipantUnbanned { participant }]
            } else {
                vec![]
            })
        }
    }
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
    let p = state
        .posts
        .get(&post)
        .ok_or(DomainError::NotFound("post"))?;
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

/// The retention event: every citizen's name and every room question's name go, and the
/// demographic counts are kept (per value, only values somebody gave).
fn pseudonymize(state: &MeetingState) -> EventKind {
    use std::collections::BTreeMap;
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

fn require_organizer(actor: &Actor) -> Result<(), DomainError> {
    match actor {
        Actor::Organizer => Ok(()),
        Actor::Participant { .. } => Err(DomainError::Forbidden),
    }
}

fn require_organizer_or(
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
fn active_participant<'a>(
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

fn active_staff<'a>(
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

fn find_post(state: &MeetingState, post: PostId) -> Result<&Post, DomainError> {
    state.posts.get(&post).ok_or(DomainError::NotFound("post"))
}

fn question_state(state: &MeetingState, post: PostId) -> Result<&QuestionState, DomainError> {
    let p = find_post(state, post)?;
    p.question
        .as_ref()
        .map(|q| &q.state)
        .ok_or_else(|| DomainError::validation("post", "not a question"))
}

/// Like `question_state`, for actions that put a question in front of the public (claim,
/// answer, on air, merge target): a pending or rejected question must be approved first.
fn public_question_state(
    state: &MeetingState,
    post: PostId,
) -> Result<&QuestionState, DomainError> {
    let qs = question_state(state, post)?;
    if !find_post(state, post)?.is_public() {
        return Err(DomainError::InvalidState("approve the question first"));
    }
    Ok(qs)
}

fn check_meeting_writable(state: &MeetingState) -> Result<(), DomainError> {
    match state.status {
        MeetingStatus::Draft => Err(DomainError::MeetingNotOpen),
        MeetingStatus::Closed => Err(DomainError::MeetingClosed),
        _ => Ok(()),
    }
}

/// Questions of a closed meeting can still be claimed, routed and answered (the follow-up)
/// until the organizer closes the follow-up.
fn check_follow_up_open(state: &MeetingState) -> Result<(), DomainError> {
    if state.follow_up_closed_at.is_some() {
        return Err(DomainError::InvalidState("the follow-up is closed"));
    }
    Ok(())
}

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
