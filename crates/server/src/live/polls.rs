//! Poll answers in a room. Why it exists: answers are rows, not log events (see
//! `store/polls.rs`), yet every connection needs the results live, a few times a second, and
//! the same numbers on every instance. The room keeps every answer of its meeting in memory
//! (one small entry per citizen and poll), counts a poll again whenever one of its answers
//! changed, and sends the result with the next coalesced tick.
//!
//! How the numbers converge across instances: an instance that commits an answer applies it
//! here and sends the whole record on the bus; the others apply it too (a record replaces the
//! participant's earlier one, so a repeat is harmless); a periodic resync reads every answer from
//! the store and repairs what a lost bus message left behind. Erasure and retention change the
//! store in the event's transaction; the room mirrors it when it ingests the event, so an
//! erased person's open answer leaves the results at once on every instance.

use std::collections::{BTreeSet, HashMap};

use borgermode_domain::poll_results::{count, PollResults};
use borgermode_domain::{ParticipantId, Poll, PollAnswer, PollId};
use uuid::Uuid;

use crate::store::PollAnswerRecord;

#[derive(Default)]
pub struct PollTally {
    by_poll: HashMap<PollId, HashMap<ParticipantId, PollAnswerRecord>>,
    /// Polls whose results changed since the last tick.
    dirty: BTreeSet<PollId>,
}

impl PollTally {
    pub fn from_records(records: Vec<PollAnswerRecord>) -> Self {
        let mut t = Self::default();
        for r in records {
            t.by_poll
                .entry(r.poll)
                .or_default()
                .insert(r.participant, r);
        }
        t
    }

    /// Apply one committed answer (from this instance or another); true when it changed
    /// anything.
    pub fn apply(&mut self, r: PollAnswerRecord) -> bool {
        let answers = self.by_poll.entry(r.poll).or_default();
        if answers.get(&r.participant) == Some(&r) {
            return false;
        }
        self.dirty.insert(r.poll);
        answers.insert(r.participant, r);
        true
    }

    /// Replace everything with the store's answers; only polls whose answers differ count
    /// again.
    pub fn resync(&mut self, records: Vec<PollAnswerRecord>) {
        let fresh = Self::from_records(records);
        let polls: BTreeSet<PollId> = self
            .by_poll
            .keys()
            .chain(fresh.by_poll.keys())
            .copied()
            .collect();
        for p in polls {
            if self.by_poll.get(&p) != fresh.by_poll.get(&p) {
                self.dirty.insert(p);
            }
        }
        self.by_poll = fresh.by_poll;
    }

    /// The results of `poll` now. Answers are counted oldest first, so "newest first" in the
    /// list of open answers is the order they came in.
    pub fn results(&self, poll: &Poll) -> PollResults {
        let mut answers: Vec<&PollAnswerRecord> = self
            .by_poll
            .get(&poll.id)
            .map(|m| m.values().collect())
            .unwrap_or_default();
        answers.sort_by(|a, b| {
            a.answered_at
                .cmp(&b.answered_at)
                .then(a.participant.cmp(&b.participant))
        });
        count(
            &poll.definition.kind,
            answers
                .into_iter()
                .map(|r| (&r.answer, r.held.is_none() && !r.hidden)),
        )
    }

    /// One participant's answers, by poll.
    pub fn answers_of(&self, participant: ParticipantId) -> Vec<(PollId, PollAnswer)> {
        let mut v: Vec<(PollId, PollAnswer)> = self
            .by_poll
            .iter()
            .filter_map(|(p, m)| m.get(&participant).map(|r| (*p, r.answer.clone())))
            .collect();
        v.sort_by_key(|(p, _)| *p);
        v
    }

    /// Every answer of `poll` (staff moderate open answers from this list).
    pub fn answers(&self, poll: PollId) -> Vec<PollAnswerRecord> {
        let mut v: Vec<PollAnswerRecord> = self
            .by_poll
            .get(&poll)
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default();
        v.sort_by_key(|r| std::cmp::Reverse(r.answered_at));
        v
    }

    /// Mirror of the store's erasure: the person's open answers go, the rest are no longer
    /// theirs (one fresh id), counts stay.
    pub fn erase(&mut self, participant: ParticipantId) {
        let fresh = ParticipantId(Uuid::new_v4());
        for (poll, answers) in &mut self.by_poll {
            if let Some(mut r) = answers.remove(&participant) {
                self.dirty.insert(*poll);
                if !matches!(r.answer, PollAnswer::Text { .. }) {
                    r.participant = fresh;
                    answers.insert(fresh, r);
                }
            }
        }
    }

    /// Mirror of retention: every answer re-keyed, one fresh id per person.
    pub fn pseudonymize(&mut self) {
        let mut fresh: HashMap<ParticipantId, ParticipantId> = HashMap::new();
        for answers in self.by_poll.values_mut() {
            *answers = std::mem::take(answers)
                .into_values()
                .map(|mut r| {
                    r.participant = *fresh
                        .entry(r.participant)
                        .or_insert_with(|| ParticipantId(Uuid::new_v4()));
                    (r.participant, r)
                })
                .collect();
        }
    }

    /// Count `poll` again at the next tick (its results became visible to more people).
    pub fn touch(&mut self, poll: PollId) {
        self.dirty.insert(poll);
    }

    pub fn take_dirty(&mut self) -> BTreeSet<PollId> {
        std::mem::take(&mut self.dirty)
    }
}
