//! What both stores' [`PollStore`](super::polls::PollStore) share: the columns of a
//! `poll_answers` row and their mapping to and from [`PollAnswerRecord`] (the answer as the
//! JSON of the domain type, its kind in a column of its own so erasure can find open answers,
//! the hold reason as a stable word), how a batch splits into the first record of each answer
//! (decided against the database) and the later ones (decided within the batch), the
//! moderation's column changes, and the fresh participant ids of erasure and retention.
//! Generic over how a dialect decodes an id and a time (see `org_rows.rs`); the dialects
//! (`sqlite/polls.rs`, `postgres/polls.rs`) keep only SQL.

use std::collections::HashMap;

use borgermode_domain::{HoldReason, MeetingId, ParticipantId, PollAnswer, PollId};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::codec::{from_json, to_json};
use super::polls::{AnswerModeration, PollAnswerRecord};
use super::StoreError;

pub(super) const ANSWER_COLUMNS: &str =
    "meeting_id, poll_id, participant_id, answer_json, held, hidden, answered_at";

/// [`ANSWER_COLUMNS`]: meeting, poll, participant, answer, hold reason, hidden, answered.
pub(super) type AnswerRow<Id, Time> = (Id, i64, Id, String, Option<String>, bool, Time);

/// The `kind` column of an open answer (`PollAnswer::Text`), the only kind that is moderated
/// and that erasure deletes.
pub(super) const OPEN_ANSWER: &str = "text";

/// The key of one answer row.
pub(super) type AnswerKey = (MeetingId, PollId, ParticipantId);

pub(super) fn key(record: &PollAnswerRecord) -> AnswerKey {
    (record.meeting, record.poll, record.participant)
}

pub(super) fn poll_to_db(poll: PollId) -> Result<i64, StoreError> {
    i64::try_from(poll.0).map_err(|_| StoreError::Corrupt(format!("poll id {poll} out of range")))
}

pub(super) fn poll_from_db(poll: i64) -> Result<PollId, StoreError> {
    u64::try_from(poll)
        .map(PollId)
        .map_err(|_| StoreError::Corrupt(format!("negative poll id {poll}")))
}

fn answer_kind(answer: &PollAnswer) -> &'static str {
    match answer {
        PollAnswer::Choice { .. } => "choice",
        PollAnswer::Scale { .. } => "scale",
        PollAnswer::Words { .. } => "words",
        PollAnswer::Text { .. } => OPEN_ANSWER,
    }
}

fn hold_to_db(held: Option<HoldReason>) -> Option<&'static str> {
    held.map(|reason| match reason {
        HoldReason::Premoderation => "premoderation",
        HoldReason::Keyword => "keyword",
        HoldReason::Reports => "reports",
    })
}

fn hold_from_db(held: Option<String>) -> Result<Option<HoldReason>, StoreError> {
    held.map(|text| match text.as_str() {
        "premoderation" => Ok(HoldReason::Premoderation),
        "keyword" => Ok(HoldReason::Keyword),
        "reports" => Ok(HoldReason::Reports),
        other => Err(StoreError::Corrupt(format!(
            "poll answer hold reason {other:?}"
        ))),
    })
    .transpose()
}

/// A record's columns besides its ids and time, as both dialects bind them.
pub(super) struct AnswerColumns {
    pub poll: i64,
    pub kind: &'static str,
    /// Compared as text to tell the same answer again from a new one: serde writes a value's
    /// fields in one order, so equal answers have equal JSON.
    pub answer_json: String,
    pub held: Option<&'static str>,
    pub hidden: bool,
}

pub(super) fn columns(record: &PollAnswerRecord) -> Result<AnswerColumns, StoreError> {
    Ok(AnswerColumns {
        poll: poll_to_db(record.poll)?,
        kind: answer_kind(&record.answer),
        answer_json: to_json(&record.answer)?,
        held: hold_to_db(record.held),
        hidden: record.hidden,
    })
}

pub(super) fn record<Id: Into<Uuid>, Time: Into<DateTime<Utc>>>(
    (meeting, poll, participant, answer_json, held, hidden, answered_at): AnswerRow<Id, Time>,
) -> Result<PollAnswerRecord, StoreError> {
    Ok(PollAnswerRecord {
        meeting: MeetingId(meeting.into()),
        poll: poll_from_db(poll)?,
        participant: ParticipantId(participant.into()),
        answer: from_json(&answer_json, "poll answer")?,
        held: hold_from_db(held)?,
        hidden,
        answered_at: answered_at.into(),
    })
}

pub(super) fn records<Id: Into<Uuid>, Time: Into<DateTime<Utc>>>(
    rows: Vec<AnswerRow<Id, Time>>,
) -> Result<Vec<PollAnswerRecord>, StoreError> {
    rows.into_iter().map(record).collect()
}

/// The `SET` list of a moderation (the same SQL on both databases).
pub(super) fn moderation_set(action: AnswerModeration) -> &'static str {
    match action {
        AnswerModeration::Approve => "held = NULL, hidden = FALSE",
        AnswerModeration::Hide => "hidden = TRUE",
        AnswerModeration::Restore => "hidden = FALSE",
    }
}

/// A batch of answers split for a store that writes each answer row once.
///
/// The first record of each answer row changes something exactly when it differs from what
/// is stored, which only the database can tell. Each later record of the same row changes
/// something exactly when it differs from the record before it (the row then holds that
/// earlier record's answer, written or already equal), so the batch alone decides those, and
/// the row's final state is its last record that changed something.
pub(super) struct BatchPlan {
    /// The first record of each answer row, sorted by row key (so two instances writing
    /// overlapping batches take row locks in one order).
    pub firsts: Vec<usize>,
    /// For each row whose later records changed something, the last of them, sorted by key:
    /// written over whatever the first record left.
    pub finals: Vec<usize>,
    /// Per record: whether it changed something, None for first records.
    later: Vec<Option<bool>>,
}

pub(super) fn plan(records: &[PollAnswerRecord]) -> Result<BatchPlan, StoreError> {
    let mut first: HashMap<AnswerKey, usize> = HashMap::new();
    // Per row: the JSON of the record before, and the last later record that changed it.
    let mut previous: HashMap<AnswerKey, (String, Option<usize>)> = HashMap::new();
    let mut later = Vec::with_capacity(records.len());
    for (index, record) in records.iter().enumerate() {
        let key = key(record);
        let json = to_json(&record.answer)?;
        match previous.get_mut(&key) {
            None => {
                first.insert(key, index);
                previous.insert(key, (json, None));
                later.push(None);
            }
            Some((before, last_change)) => {
                let changed = *before != json;
                if changed {
                    *last_change = Some(index);
                }
                *before = json;
                later.push(Some(changed));
            }
        }
    }
    let mut firsts: Vec<(AnswerKey, usize)> = first.into_iter().collect();
    firsts.sort_unstable();
    let mut finals: Vec<(AnswerKey, usize)> = previous
        .into_iter()
        .filter_map(|(key, (_, last_change))| last_change.map(|index| (key, index)))
        .collect();
    finals.sort_unstable();
    Ok(BatchPlan {
        firsts: firsts.into_iter().map(|(_, index)| index).collect(),
        finals: finals.into_iter().map(|(_, index)| index).collect(),
        later,
    })
}

impl BatchPlan {
    /// Per record, whether it changed something, given the keys whose first record did.
    pub(super) fn changed(
        self,
        records: &[PollAnswerRecord],
        first_changed: &std::collections::HashSet<AnswerKey>,
    ) -> Vec<bool> {
        self.later
            .into_iter()
            .zip(records)
            .map(|(later, record)| later.unwrap_or_else(|| first_changed.contains(&key(record))))
            .collect()
    }
}

/// One fresh random id per old participant id: how erasure and retention re-key answers (the
/// answers of one person stay together, nobody can link them to the person).
pub(super) fn fresh_ids(old: Vec<Uuid>) -> Vec<(Uuid, Uuid)> {
    old.into_iter().map(|id| (id, Uuid::new_v4())).collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn answer(participant: ParticipantId, poll: u64, pick: u8) -> PollAnswerRecord {
        PollAnswerRecord {
            meeting: MeetingId(Uuid::nil()),
            poll: PollId(poll),
            participant,
            answer: PollAnswer::Choice { picks: vec![pick] },
            held: None,
            hidden: false,
            answered_at: DateTime::<Utc>::UNIX_EPOCH,
        }
    }

    #[test]
    fn later_records_are_decided_within_the_batch() {
        let (a, b) = (ParticipantId(Uuid::new_v4()), ParticipantId(Uuid::new_v4()));
        let batch = vec![
            answer(a, 1, 0), // first of (a, 1): the database decides
            answer(b, 1, 1), // first of (b, 1)
            answer(a, 1, 0), // same again: false
            answer(a, 1, 2), // changed
            answer(a, 1, 2), // same again
            answer(a, 2, 0), // first of (a, 2)
        ];
        let plan = plan(&batch).expect("plan");
        let mut firsts = plan.firsts.clone();
        firsts.sort_unstable();
        assert_eq!(firsts, vec![0, 1, 5]);
        assert_eq!(plan.finals, vec![3], "(a, 1) ends at its last change");
        let first_changed: HashSet<AnswerKey> = [key(&batch[1])].into_iter().collect();
        assert_eq!(
            plan.changed(&batch, &first_changed),
            vec![false, true, false, true, false, false]
        );
    }

    #[test]
    fn hold_reasons_round_trip() {
        for held in [
            None,
            Some(HoldReason::Premoderation),
            Some(HoldReason::Keyword),
            Some(HoldReason::Reports),
        ] {
            let text = hold_to_db(held).map(str::to_owned);
            assert_eq!(hold_from_db(text).expect("decodes"), held);
        }
        assert!(hold_from_db(Some("maybe".into())).is_err());
    }
}
