//! Group commit: how a room's commands reach the store.
//!
//! Why: every command that changes a meeting is one durable commit (`synchronous=FULL` on
//! SQLite, a WAL flush on PostgreSQL: about 1 ms each here), and a room decides against the
//! state its last commit left, so its commands commit one at a time. Under a burst (thousands
//! of citizens joining as the meeting opens, a wave of questions after a speech) one commit per
//! command caps a meeting at a few hundred commands a second, and each request waits for every
//! commit queued before it. So commands wait in the room's queue, and whoever holds the room's
//! `write_lock` commits the waiting ones as one group: decided together against one state
//! (`borgermode_domain::decide_group`, which says which commands may share a group), appended
//! in one transaction with each command's idempotency record, then applied and broadcast in
//! order. Acknowledged still means durable: nobody is answered before the group's commit.
//!
//! Invariants:
//! - A command's owner holds the lock until its own command is answered: it commits groups
//!   from the front of the queue until its command has been in one. Nobody waits for a command
//!   that nobody will commit.
//! - A group is a prefix of the queue: it ends at the first command it cannot take (`None`
//!   from `decide_group`, or a second command with the same idempotency key), which goes back
//!   to the front of the queue with everything after it, in order, for the next group. No
//!   command overtakes another.
//! - The replay check runs before a command queues (outside the lock, in parallel with other
//!   commands) and again where a command could be answered differently: the append checks
//!   every key inside its transaction (`AppendOutcome::Duplicate` names the command), and a
//!   refusal or a no-op with a key is checked against the store before it is given.
//! - When another instance got the next seq first (`Conflict`), the room catches up and the
//!   whole group is decided again, for up to `CONTENTION_BUDGET`.

use std::collections::VecDeque;

use borgermode_domain::event::Actor;
use borgermode_domain::{decide_group, Command, Context, Decision, EventKind};
use tokio::sync::oneshot;

use super::{
    ack_for, forgets_personal_data, Arrival, ExecuteError, Executed, Room, CONTENTION_BUDGET,
};
use crate::bus::BusMessage;
use crate::ops::metrics::StoreOp;
use crate::store::{AppendOutcome, IdempotencyRecord, PendingEvent, StoreError};
use borgermode_domain::PostId;
use borgermode_protocol::http::CommandAck;

/// One command waiting in a room's queue.
pub(super) struct Job {
    actor: Actor,
    cmd: Command,
    idempotency: Option<(String, String)>,
    received: std::time::Instant,
    reply: oneshot::Sender<Result<Executed, ExecuteError>>,
}

impl Job {
    fn answer(self, result: Result<Executed, ExecuteError>) {
        // The owner waits for its answer while it holds the lock (or ran off after a panic).
        let _ = self.reply.send(result);
    }
}

/// A command the group decided to commit.
struct Accepted {
    job: Job,
    kinds: Vec<EventKind>,
    ack: CommandAck,
}

/// How one try of a group ended.
enum Round {
    /// Every command in it is answered.
    Done,
    /// The log moved, or a command left the group: decide the rest again.
    Again,
}

/// The owner's answer when its command's group ended without answering it (a panic in the
/// room, or the runtime shutting down): the commit may or may not have happened.
fn lost() -> ExecuteError {
    ExecuteError::Store(StoreError::Unavailable(
        "the command's outcome is unknown; retry with the same Idempotency-Key".into(),
    ))
}

pub(super) type Queue = parking_lot::Mutex<VecDeque<Job>>;

impl Room {
    /// Queue a command and commit groups until it is answered; see the module docs.
    pub(super) async fn execute_here(
        &self,
        actor: Actor,
        cmd: Command,
        idempotency: Option<(String, String)>,
        received: std::time::Instant,
    ) -> Result<Executed, ExecuteError> {
        self.touch();
        if let Some((scope, key)) = &idempotency {
            if let Some(response) = self.store.idempotent_response(self.id, scope, key).await? {
                return Ok(Executed::Replayed(response));
            }
        }
        let (reply, mut answer) = oneshot::channel();
        self.commands.lock().push_back(Job {
            actor,
            cmd,
            idempotency,
            received,
            reply,
        });
        let _guard = self.write_lock.lock().await;
        loop {
            match answer.try_recv() {
                Ok(result) => return result,
                Err(oneshot::error::TryRecvError::Closed) => return Err(lost()),
                Err(oneshot::error::TryRecvError::Empty) => {}
            }
            // Not answered, so it is still queued: commit the group at the front.
            let group: Vec<Job> = {
                let mut queue = self.commands.lock();
                let n = queue.len().min(self.settings.group_commit_max);
                queue.drain(..n).collect()
            };
            if group.is_empty() {
                return Err(lost());
            }
            self.commit_group(group).await;
        }
    }

    /// Decide, append and apply one group, retrying while other instances win the next seq.
    async fn commit_group(&self, mut jobs: Vec<Job>) {
        // Another instance may win the race for the next seq many times in a row while it
        // writes heavily; keep catching up and re-deciding for a while (with a little jittered
        // back-off after the first few losses) rather than failing after a fixed count.
        let deadline = tokio::time::Instant::now() + CONTENTION_BUDGET;
        for attempt in 0u32.. {
            if jobs.is_empty() {
                return;
            }
            if attempt > 0 && tokio::time::Instant::now() > deadline {
                break;
            }
            if attempt > 2 {
                let jitter = rand::random::<u64>() % (u64::from(attempt.min(20)) * 2);
                tokio::time::sleep(std::time::Duration::from_millis(jitter)).await;
            }
            match self.try_group(&mut jobs).await {
                Ok(Round::Done) => return,
                Ok(Round::Again) => {}
                Err(error) => {
                    for job in jobs.drain(..) {
                        job.answer(Err(ExecuteError::Store(error.clone())));
                    }
                    return;
                }
            }
        }
        for job in jobs {
            job.answer(Err(ExecuteError::Contended));
        }
    }

    /// One try: decide the group against the projection, answer what needs no write, append
    /// the rest in one transaction. `jobs` keeps the commands still unanswered.
    async fn try_group(&self, jobs: &mut Vec<Job>) -> Result<Round, StoreError> {
        let now = chrono::Utc::now();
        let ctx = Context {
            now,
            limits: self.settings.limits(),
        };
        // A key may appear once in a group: the append would refuse the pair, and the second
        // must get the first one's answer. (Keys are scoped by actor, and `decide_group` ends
        // a group at a second command from the same actor, so this is a guard, not a path.)
        let mut keys: Vec<&(String, String)> = Vec::new();
        let distinct = jobs
            .iter()
            .take_while(|j| match &j.idempotency {
                Some(key) if keys.contains(&key) => false,
                Some(key) => {
                    keys.push(key);
                    true
                }
                None => true,
            })
            .count();
        let commands: Vec<(Actor, Command)> = jobs[..distinct]
            .iter()
            .map(|j| (j.actor, j.cmd.clone()))
            .collect();
        let (mut decisions, expected) = {
            let st = self.state.read();
            (
                decide_group(&st.projection, &commands, &ctx),
                st.projection.seq,
            )
        };
        decisions.resize_with(jobs.len(), || None);
        // A refusal (or a no-op) is final only against the latest state: with other
        // instances writing, this projection may lag the store (a citizen who just joined
        // there, a post just created there), and the optimistic append below never runs to
        // reveal it. Catch up and decide again; when nothing was missing, refuse.
        let refused_or_noop = decisions
            .iter()
            .flatten()
            .any(|d| d.as_ref().map_or(true, Vec::is_empty));
        if refused_or_noop && self.catch_up().await? {
            return Ok(Round::Again);
        }

        // What waits for the next group goes back first, before anything here can fail.
        let mut decided = Vec::new();
        {
            let mut queue = self.commands.lock();
            for (job, decision) in std::mem::take(jobs).into_iter().zip(decisions).rev() {
                match decision {
                    None => queue.push_front(job),
                    Some(decision) => decided.push((job, decision)),
                }
            }
        }
        decided.reverse();
        let mut accepted: Vec<Accepted> = Vec::new();
        let mut next = expected;
        for (job, decision) in decided {
            if let Some(a) = self.settle(job, decision, &mut next).await {
                accepted.push(a);
            }
        }
        if accepted.is_empty() {
            return Ok(Round::Done);
        }

        let mut pending = Vec::new();
        let mut records = Vec::new();
        // For each record, which accepted command wrote it.
        let mut record_of = Vec::new();
        for (i, a) in accepted.iter().enumerate() {
            pending.extend(a.kinds.iter().map(|kind| PendingEvent {
                at: now,
                actor: a.job.actor,
                kind: kind.clone(),
            }));
            if let Some((scope, key)) = &a.job.idempotency {
                records.push(IdempotencyRecord {
                    scope: scope.clone(),
                    key: key.clone(),
                    response: serde_json::to_string(&a.ack).unwrap_or_default(),
                });
                record_of.push(i);
            }
        }
        let outcome = self
            .metrics
            .time_store(
                StoreOp::Append,
                self.store.append_group(self.id, expected, pending, records),
            )
            .await;
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(error) => {
                *jobs = accepted.into_iter().map(|a| a.job).collect();
                return Err(error);
            }
        };
        match outcome {
            AppendOutcome::Committed(events) => {
                self.apply_committed(accepted, events).await;
                Ok(Round::Done)
            }
            AppendOutcome::Duplicate { response, index } => {
                // That command committed before (on another instance, or in an earlier
                // group): it gets its first answer, and the others are decided again
                // without it.
                let duplicate = record_of.get(index).copied();
                for (i, a) in accepted.into_iter().enumerate() {
                    if Some(i) == duplicate {
                        a.job.answer(Ok(Executed::Replayed(response.clone())));
                    } else {
                        jobs.push(a.job);
                    }
                }
                Ok(Round::Again)
            }
            AppendOutcome::Conflict { latest } => {
                *jobs = accepted.into_iter().map(|a| a.job).collect();
                let have = self.seq();
                if latest > have {
                    // Read everything there is now, not just up to `latest`: the other
                    // writer may already be further on.
                    let missing = self.read_events(have, None).await?;
                    self.ingest(missing);
                }
                Ok(Round::Again)
            }
        }
    }

    /// Answer a decided command that writes nothing (a refusal, a no-op), or keep it for the
    /// append with its acknowledgement (its events follow seq `next`, which moves past them).
    async fn settle(&self, job: Job, decision: Decision, next: &mut u64) -> Option<Accepted> {
        let mut kinds = match decision {
            Ok(kinds) if !kinds.is_empty() => kinds,
            writes_nothing => {
                // A retry of a command that committed meanwhile gets its first answer, not the
                // answer to the repeat: slow mode refuses a repeated post, and a repeated hide
                // changes nothing.
                if let Some((scope, key)) = &job.idempotency {
                    match self.store.idempotent_response(self.id, scope, key).await {
                        Ok(Some(response)) => {
                            job.answer(Ok(Executed::Replayed(response)));
                            return None;
                        }
                        Ok(None) => {}
                        Err(error) => {
                            job.answer(Err(ExecuteError::Store(error)));
                            return None;
                        }
                    }
                }
                job.answer(match writes_nothing {
                    Err(refusal) => Err(ExecuteError::Domain(refusal)),
                    Ok(_) => Ok(Executed::Done(CommandAck {
                        seq: None,
                        meeting_id: None,
                        post_id: None,
                        status: None,
                    })),
                });
                return None;
            }
        };
        if let Some(key) = &self.settings.content_hash_key {
            crate::security::content_key::key_contents(key, &mut kinds);
        }
        let ack = ack_for(self.id, *next, &kinds);
        *next += kinds.len() as u64;
        Some(Accepted { job, kinds, ack })
    }

    /// After the group's commit: tell the other instances, apply and broadcast each command's
    /// events in order (each with its own request's start for the latency breakdown), then
    /// answer.
    async fn apply_committed(
        &self,
        accepted: Vec<Accepted>,
        events: Vec<borgermode_domain::Event>,
    ) {
        let committed = std::time::Instant::now();
        self.metrics.events_committed(events.len());
        self.metrics.group_committed(accepted.len());
        let merged = events
            .iter()
            .any(|e| matches!(e.kind, EventKind::QuestionMerged { .. }));
        let scrub = events.iter().any(|e| forgets_personal_data(&e.kind));
        self.bus.publish_in_background(BusMessage::Events {
            instance: self.bus.instance,
            meeting: self.id,
            events: events.clone(),
        });
        let mut events = events.into_iter();
        let mut answers = Vec::with_capacity(accepted.len());
        for a in accepted {
            let own: Vec<_> = events.by_ref().take(a.kinds.len()).collect();
            let first = own.first().map_or(0, |e| e.seq);
            let last = own.last().map_or(0, |e| e.seq);
            self.ingest_as(
                own,
                Arrival::Committed {
                    received: a.job.received,
                    committed,
                    seqs: first..=last,
                },
            );
            answers.push((a.job, a.ack));
        }
        if scrub {
            // Off the request path: VACUUM FULL may take a while on a big database.
            let store = self.store.clone();
            tokio::spawn(async move {
                if let Err(error) = store.scrub().await {
                    tracing::warn!(%error, "scrub after erasure failed; the next retention run retries");
                }
            });
        }
        if merged {
            self.reload_votes_after_merge().await;
        }
        for (job, ack) in answers {
            job.answer(Ok(Executed::Done(ack)));
        }
    }

    /// The store moved the vote rows inside the merge's transaction: read the counts again.
    /// The merge is committed whatever happens here: if the read fails, the counts stay as
    /// they were until the room is loaded again or (several instances) the vote resync runs.
    async fn reload_votes_after_merge(&self) {
        let mut counts = match self.store.vote_counts(self.id).await {
            Ok(counts) => counts,
            Err(error) => {
                tracing::warn!(meeting = %self.id, %error, "vote counts after a merge could not be read");
                return;
            }
        };
        let mut st = self.state.write();
        let changed: Vec<PostId> = counts.keys().chain(st.votes.keys()).copied().collect();
        // Keep the posts that lost their votes, at 0, so a resume's counts still name them.
        for p in &changed {
            counts.entry(*p).or_insert(0);
        }
        st.votes = counts;
        st.dirty_votes.extend(changed);
    }
}
