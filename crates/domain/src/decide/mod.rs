//! `decide`: the one rule set. Given the state at seq S, an actor and a command, either the
//! events to append after S, or a typed error. Commands arrive over HTTP (`http/api/<family>/`
//! in the server, through `Room::execute`) and end here; the events they cause go out over WebSocket
//! and SSE.
//!
//! An empty event list means "allowed, and nothing changes" (claiming a question you already
//! hold, reporting a post twice); callers acknowledge it without writing.
//!
//! The rules are split into command families, one module each, and each family's tests are one
//! file in `crates/domain/tests/` of the same name:
//!
//! | family | commands | tests |
//! | --- | --- | --- |
//! | `lifecycle` | create, edit, schedule, open, close, settings, add and revoke staff | `lifecycle.rs` |
//! | `participation` | join, create post, report; who may vote | `participation.rs` |
//! | `questions` | notices and pins, claim, release, answers, hall question, dismiss, merge, on air | `questions.rs` |
//! | `followup` | assign, unassign, close the follow-up | `followup.rs` |
//! | `moderation` | hide, restore, approve, reject, mute, unmute, ban, unban | `moderation.rs` |
//! | `privacy` | erase a participant, pseudonymize | `privacy.rs` |
//! | `agenda` | add, edit, remove, move items, set the current one, file a post | `agenda.rs` |
//! | `polls` | create, edit, delete, move, launch, close, publish results, on screen | `polls.rs` |
//!
//! Checks more than one family makes are in `rules`. `group` decides several commands against
//! one state for the room's group commit (`decide_group`). `route` sends every [`Command`]
//! variant to exactly one family function by an exhaustive match, so a new variant does not
//! compile until it is routed; the function takes the variant's fields and only the parts of
//! the input it reads (`ctx` only where time or limits matter).

use crate::command::{Command, Context};
use crate::error::DomainError;
use crate::event::{Actor, EventKind};
use crate::projection::MeetingState;

mod agenda;
mod followup;
mod group;
mod lifecycle;
mod moderation;
mod participation;
mod polls;
mod privacy;
mod questions;
mod rules;

pub use group::{decide_group, groupable};
pub use participation::authorize_vote;
pub(crate) use rules::active_participant as active;

/// The events a command causes, or why it is refused.
pub type Decision = Result<Vec<EventKind>, DomainError>;

/// Check `cmd` from `actor` against `state` and return the events it causes.
pub fn decide(state: &MeetingState, actor: &Actor, cmd: Command, ctx: &Context) -> Decision {
    let mut events = route(state, actor, cmd, ctx)?;
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

/// Each command to its family, in the order of [`Command`]'s sections.
fn route(state: &MeetingState, actor: &Actor, cmd: Command, ctx: &Context) -> Decision {
    // Every command but the one that creates it needs the meeting to exist.
    if !state.exists && !matches!(cmd, Command::CreateMeeting { .. }) {
        return Err(DomainError::NotFound("meeting"));
    }
    let (s, a) = (state, actor);
    match cmd {
        // Lifecycle
        Command::CreateMeeting { details, settings } => {
            lifecycle::create_meeting(s, a, details, settings)
        }
        Command::EditMeeting { details } => lifecycle::edit_meeting(a, details),
        Command::Schedule => lifecycle::schedule(s, a),
        Command::Open => lifecycle::open(s, a),
        Command::Close => lifecycle::close(s, a, ctx),
        Command::ChangeSettings { settings } => lifecycle::change_settings(s, a, settings),
        Command::AddStaff {
            participant,
            role,
            name,
            role_line,
        } => lifecycle::add_staff(s, a, participant, role, name, role_line),
        Command::RevokeStaff { participant } => lifecycle::revoke_staff(s, a, participant),

        // Participation
        Command::Join {
            participant,
            display_name,
            age_band,
            gender,
        } => participation::join(s, a, participant, display_name, age_band, gender),
        Command::CreatePost {
            kind,
            body,
            parent,
            agenda_item,
        } => participation::create_post(s, a, kind, body, parent, agenda_item, ctx),
        Command::Report { post, reason } => participation::report(s, a, post, reason, ctx),

        // Questions
        Command::PostNotice { body, pin } => questions::post_notice(s, a, body, pin),
        Command::PinNotice { post } => questions::pin_notice(s, a, post),
        Command::UnpinNotice => questions::unpin_notice(s, a),
        Command::Claim { post } => questions::claim(s, a, post),
        Command::Release { post } => questions::release(s, a, post),
        Command::AnswerWritten { post, body } => questions::answer_written(s, a, post, body),
        Command::AnswerLive {
            post,
            note,
            panelist,
        } => questions::answer_live(s, a, post, note, panelist),
        Command::RoomQuestion { body, name } => questions::room_question(s, a, body, name),
        Command::Dismiss { post, reason } => questions::dismiss(s, a, post, reason),
        Command::Merge { post, into } => questions::merge(s, a, post, into),
        Command::SetOnAir { post } => questions::set_on_air(s, a, post),

        // Follow-up
        Command::Assign { post, to } => followup::assign(s, a, post, to),
        Command::Unassign { post } => followup::unassign(s, a, post),
        Command::CloseFollowUp => followup::close_follow_up(s, a),

        // Moderation
        Command::Hide { post, reason, note } => moderation::hide(s, a, post, reason, note),
        Command::Restore { post } => moderation::restore(s, a, post),
        Command::Approve { post } => moderation::approve(s, a, post),
        Command::Reject { post, reason } => moderation::reject(s, a, post, reason),
        Command::Mute {
            participant,
            minutes,
        } => moderation::mute(s, a, participant, minutes, ctx),
        Command::Unmute { participant } => moderation::unmute(s, a, participant),
        Command::Ban {
            participant,
            reason,
        } => moderation::ban(s, a, participant, reason),
        Command::Unban { participant } => moderation::unban(s, a, participant),

        // Privacy
        Command::EraseParticipant { participant } => privacy::erase_participant(s, a, participant),
        Command::Pseudonymize => privacy::pseudonymize(s, a),

        // Agenda
        Command::AddAgendaItem { details, position } => agenda::add_item(s, a, details, position),
        Command::EditAgendaItem { item, details } => agenda::edit_item(s, a, item, details),
        Command::RemoveAgendaItem { item } => agenda::remove_item(s, a, item),
        Command::MoveAgendaItem { item, position } => agenda::move_item(s, a, item, position),
        Command::SetCurrentAgendaItem { item } => agenda::set_current(s, a, item),
        Command::FilePost { post, item } => agenda::file_post(s, a, post, item),

        // Polls
        Command::CreatePoll { definition } => polls::create(s, a, definition),
        Command::EditPoll { poll, definition } => polls::edit(s, a, poll, definition),
        Command::DeletePoll { poll } => polls::delete(s, a, poll),
        Command::MovePoll { poll, position } => polls::move_to(s, a, poll, position),
        Command::LaunchPoll { poll } => polls::launch(s, a, poll),
        Command::ClosePoll { poll } => polls::close(s, a, poll),
        Command::PublishPollResults { poll } => polls::publish_results(s, a, poll),
        Command::SetPollOnScreen { poll } => polls::set_on_screen(s, a, poll),
    }
}
