//! Deciding several commands against one state: the domain's half of group commit.
//!
//! Why: every command that changes a meeting costs the store one durable commit (an fsync,
//! about 1 ms here). Under a burst (thousands of citizens joining as the meeting opens, a wave
//! of questions after a speech) one commit per command caps a meeting at a few hundred commands
//! a second, and every request waits behind all the commits before it. The room therefore
//! commits the commands that are waiting as one group, in one transaction. For that it must
//! decide each of them as if it ran after the ones before it, without committing those first.
//! Copying the state to apply them in turn is no answer: a copy of a meeting of 10,000
//! participants and 5,000 posts took 10–20 ms, more than the commits it would save.
//!
//! So a group is decided against the one state it follows, and holds only commands that cannot
//! change each other's outcome:
//! - a join (`Join`) or a post (`CreatePost`) by a participant, each from a different actor.
//!   A join reads the joiner's own entry and the staff's names; a post reads its author, the
//!   meeting's status and settings, its parent and the agenda. No join or post by somebody else
//!   changes any of these: a post changes only its author's recent posts, a join adds a
//!   participant who is neither of the others.
//! - One exception inside that: a reply whose parent does not exist yet in the state (a client
//!   guessing the next post's id) may name a post made earlier in the same group. It waits for
//!   the next group, which sees that post.
//!
//! Any other command is decided alone. A group is a prefix of the waiting commands: it ends at
//! the first command it cannot take, so no command overtakes another. A decision names the seqs of its own new events
//! (`PostFiled` files the post it creates, `state.seq + 1`); inside a group each decision is
//! moved to the seqs it will really get (`rebase`).
//!
//! Tests: `groups_decide_as_in_turn` in `crates/domain/tests/it/properties.rs` decides random
//! groups both ways, in one group and one after another on a state that follows them, and
//! requires the same answers.

use super::{decide, Decision};
use crate::command::{Command, Context};
use crate::event::{Actor, EventKind};
use crate::ids::Seq;
use crate::projection::MeetingState;

/// Whether `cmd` from `actor` may share a group with other such commands from other actors.
pub fn groupable(actor: &Actor, cmd: &Command) -> bool {
    matches!(actor, Actor::Participant { .. })
        && matches!(cmd, Command::Join { .. } | Command::CreatePost { .. })
}

/// Decide `commands` in order as one group against `state`: entry `i` is what `decide` answers
/// for command `i` on the state that follows the events accepted for the commands before it.
/// `None` means command `i` does not fit this group, or comes after one that does not; decide
/// it in a later one, after this group's events are applied. The first command always gets its
/// decision, and the decided ones are a prefix of `commands`: commands commit in the order
/// they came.
pub fn decide_group(
    state: &MeetingState,
    commands: &[(Actor, Command)],
    ctx: &Context,
) -> Vec<Option<Decision>> {
    let mut out = Vec::with_capacity(commands.len());
    let Some((first_actor, first)) = commands.first() else {
        return out;
    };
    let grouping = groupable(first_actor, first);
    let mut actors: Vec<&Actor> = Vec::with_capacity(commands.len());
    // How many events the decisions so far add after `state.seq`.
    let mut offset: Seq = 0;
    for (i, (actor, cmd)) in commands.iter().enumerate() {
        let fits = i == 0
            || (grouping
                && groupable(actor, cmd)
                && !actors.contains(&actor)
                && !replies_to_the_future(state, cmd));
        if !fits {
            // The group ends at the first command it cannot take: nothing overtakes a command
            // that waits (a ban, a settings change, a second post by the same person).
            out.resize_with(commands.len(), || None);
            break;
        }
        actors.push(actor);
        let mut decision = decide(state, actor, cmd.clone(), ctx);
        if let Ok(kinds) = &mut decision {
            for kind in kinds.iter_mut() {
                rebase(kind, state.seq, offset);
            }
            offset += kinds.len() as Seq;
        }
        out.push(Some(decision));
    }
    out
}

/// A reply whose parent is not in `state` yet: in turn, it could name a post made earlier in
/// the same group.
fn replies_to_the_future(state: &MeetingState, cmd: &Command) -> bool {
    matches!(cmd, Command::CreatePost { parent: Some(p), .. } if p.0 > state.seq)
}

/// Move a decision made on `state` (seq `base`) to follow `offset` more events: what it names
/// after `base` are its own new events. Only the kinds a groupable command causes need it.
fn rebase(kind: &mut EventKind, base: Seq, offset: Seq) {
    if let EventKind::PostFiled { post, .. } = kind {
        if post.0 > base {
            post.0 += offset;
        }
    }
}
