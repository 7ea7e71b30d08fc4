//! What both stores share: seq and post ids to and from SQL integers, JSON columns, folding
//! the events/contents join back into events with their personal text restored, the checks and
//! mapping of query results into the trait's types, and ending a write transaction. One copy,
//! so the two stores cannot drift apart.

use std::collections::HashMap;

use borgermode_domain::event::Actor;
use borgermode_domain::report::PresenceSample;
use borgermode_domain::{
    ContentRef, DemographicCount, Event, EventKind, ParticipantId, PostId, Seq,
};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{ChainLog, ChainRow, StoreError};

pub(super) fn seq_to_db(seq: Seq) -> Result<i64, StoreError> {
    i64::try_from(seq).map_err(|_| StoreError::Corrupt(format!("seq {seq} out of range")))
}

pub(super) fn seq_from_db(seq: i64) -> Result<Seq, StoreError> {
    Seq::try_from(seq).map_err(|_| StoreError::Corrupt(format!("negative seq {seq}")))
}

pub(super) fn post_to_db(post: PostId) -> Result<i64, StoreError> {
    i64::try_from(post.0).map_err(|_| StoreError::Corrupt(format!("post id {post} out of range")))
}

pub(super) fn post_from_db(post: i64) -> Result<PostId, StoreError> {
    u64::try_from(post)
        .map(PostId)
        .map_err(|_| StoreError::Corrupt(format!("negative post id {post}")))
}

pub(super) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(format!("encode: {e}")))
}

pub(super) fn from_json<T: serde::de::DeserializeOwned>(
    text: &str,
    what: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

/// A count column as the `u32` the trait returns (`what` names it in the error).
pub(super) fn count_from_db(count: i64, what: &str) -> Result<u32, StoreError> {
    u32::try_from(count).map_err(|_| StoreError::Corrupt(format!("{what} {count}")))
}

/// The seq bounds of [`LogStore::events`](super::LogStore::events) as SQL integers, or None
/// when the range is empty. Seqs beyond i64 cannot be stored, so clamping them changes no
/// answer.
pub(super) fn seq_range(after: Seq, up_to: Option<Seq>) -> Option<(i64, i64)> {
    let after = i64::try_from(after).unwrap_or(i64::MAX);
    let up_to = up_to.map_or(i64::MAX, |u| i64::try_from(u).unwrap_or(i64::MAX));
    (up_to > after).then_some((after, up_to))
}

/// `(post, count)` rows as vote counts per post.
pub(super) fn vote_counts(rows: Vec<(i64, i64)>) -> Result<HashMap<PostId, u32>, StoreError> {
    rows.into_iter()
        .map(|(post, count)| Ok((post_from_db(post)?, count_from_db(count, "vote count")?)))
        .collect()
}

pub(super) fn posts_from_db(posts: Vec<i64>) -> Result<Vec<PostId>, StoreError> {
    posts.into_iter().map(post_from_db).collect()
}

/// One `presence_samples` row.
pub(super) fn presence_sample(
    minute: DateTime<Utc>,
    instance: Uuid,
    viewers: i64,
) -> Result<PresenceSample, StoreError> {
    Ok(PresenceSample {
        minute,
        instance,
        viewers: count_from_db(viewers, "viewers")?,
    })
}

/// One `events` row as the audit verifier reads it: seq, time (or why it does not decode),
/// actor, payload, link.
pub(super) type ChainColumns = (
    i64,
    Result<DateTime<Utc>, StoreError>,
    String,
    String,
    Option<String>,
);

/// A meeting's chain from its meeting row (`last_seq`, `chain_head`) and its event rows.
pub(super) fn chain_log(
    last_seq: i64,
    head: Option<String>,
    rows: impl IntoIterator<Item = ChainColumns>,
) -> ChainLog {
    ChainLog {
        last_seq,
        head,
        rows: rows
            .into_iter()
            .map(|(seq, at, actor, kind, link)| ChainRow {
                seq,
                event: chain_event(seq, at, &actor, &kind),
                link,
            })
            .collect(),
    }
}

/// One row of the events/contents join: the event's columns, then one content slot (absent
/// when the event has no stored text).
pub(super) struct JoinedRow {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_json: String,
    pub kind_json: String,
    pub slot: Option<i64>,
    pub text: Option<String>,
}

/// Fold joined rows (ascending by seq, then slot) into events with their text restored.
pub(super) fn events_from_rows(
    rows: impl IntoIterator<Item = JoinedRow>,
) -> Result<Vec<Event>, StoreError> {
    let mut events: Vec<Event> = Vec::new();
    for row in rows {
        let seq = seq_from_db(row.seq)?;
        if events.last().map(|e| e.seq) != Some(seq) {
            let mut kind: EventKind = from_json(&row.kind_json, "event kind")?;
            // Only a content row makes text visible: what is not there was erased.
            for content in kind.contents_mut() {
                content.text = None;
            }
            events.push(Event {
                seq,
                at: row.at,
                actor: from_json::<Actor>(&row.actor_json, "actor")?,
                kind,
            });
        }
        if let (Some(slot), Some(text), Some(event)) = (row.slot, row.text, events.last_mut()) {
            let index = usize::try_from(slot)
                .map_err(|_| StoreError::Corrupt(format!("event {seq}: content slot {slot}")))?;
            let mut contents = event.kind.contents_mut();
            let content = contents.get_mut(index).ok_or_else(|| {
                StoreError::Corrupt(format!("event {seq}: no content slot {slot}"))
            })?;
            content.text = Some(text);
        }
    }
    Ok(events)
}

/// What a write transaction decided: keep its changes or not. Either way the caller gets `T`.
pub(super) enum Decision<T> {
    Commit(T),
    Rollback(T),
}

/// End a write transaction: commit or roll back as decided, and roll back on any error, so a
/// connection never goes back to its pool inside a transaction. (If the connection is broken
/// the rollback fails too; the pool discards it.) `db_err` is the store's own error mapping.
pub(super) async fn finish<DB: sqlx::Database, T>(
    tx: sqlx::Transaction<'static, DB>,
    result: Result<Decision<T>, StoreError>,
    db_err: fn(sqlx::Error) -> StoreError,
) -> Result<T, StoreError> {
    match result {
        Ok(Decision::Commit(value)) => {
            tx.commit().await.map_err(db_err)?;
            Ok(value)
        }
        Ok(Decision::Rollback(value)) => {
            tx.rollback().await.map_err(db_err)?;
            Ok(value)
        }
        Err(error) => {
            if let Err(rollback) = tx.rollback().await {
                tracing::warn!(%rollback, "rollback after a failed write failed too");
            }
            Err(error)
        }
    }
}

/// What an erasure or retention event asks the store to delete or keep.
pub(super) struct GdprEffects {
    pub contents: Vec<ContentRef>,
    /// Retention only: the counts to keep before per-person demographics are stripped.
    pub aggregates: Option<Vec<DemographicCount>>,
    pub poll_answers: PollAnswerEffect,
}

/// What an erasure or retention does to the `poll_answers` rows (counts stay either way).
pub(super) enum PollAnswerEffect {
    /// Erasure: delete this participant's open answers (their own text) and move their other
    /// answers to one fresh random participant id.
    Unlink(ParticipantId),
    /// Retention: move every answer of the meeting to fresh random ids, one per participant
    /// (a person's answers stay together, unlinkable to them); open answers keep their text,
    /// like post bodies.
    RekeyAll,
}

pub(super) fn gdpr_effects(kind: &EventKind) -> Option<GdprEffects> {
    match kind {
        EventKind::ParticipantErased {
            participant,
            contents,
        } => Some(GdprEffects {
            contents: contents.clone(),
            aggregates: None,
            poll_answers: PollAnswerEffect::Unlink(*participant),
        }),
        EventKind::PersonalDataPseudonymized {
            contents,
            aggregates,
        } => Some(GdprEffects {
            contents: contents.clone(),
            aggregates: Some(aggregates.clone()),
            poll_answers: PollAnswerEffect::RekeyAll,
        }),
        _ => None,
    }
}

/// A stored `participant_joined` payload without age band and gender, or None if it has none.
fn strip_demographics(kind_json: &str) -> Result<Option<String>, StoreError> {
    let mut kind: EventKind = from_json(kind_json, "event kind")?;
    match &mut kind {
        EventKind::ParticipantJoined {
            age_band, gender, ..
        } if age_band.is_some() || gender.is_some() => {
            *age_band = None;
            *gender = None;
            Ok(Some(to_json(&kind)?))
        }
        _ => Ok(None),
    }
}

/// The `participant_joined` rows `(seq, kind_json)` that still carry demographics, with their
/// payloads stripped: what a retention rewrites.
pub(super) fn stripped_joins(joins: Vec<(i64, String)>) -> Result<Vec<(i64, String)>, StoreError> {
    let mut stripped = Vec::new();
    for (seq, kind_json) in joins {
        if let Some(kind_json) = strip_demographics(&kind_json)? {
            stripped.push((seq, kind_json));
        }
    }
    Ok(stripped)
}

/// Decode one event row for the audit verifier (text left out; the chain never hashes it).
fn chain_event(
    seq: i64,
    at: Result<DateTime<Utc>, StoreError>,
    actor_json: &str,
    kind_json: &str,
) -> Result<Event, String> {
    let seq = seq_from_db(seq).map_err(|e| e.to_string())?;
    let at = at.map_err(|e| e.to_string())?;
    let actor: Actor = from_json(actor_json, "actor").map_err(|e| e.to_string())?;
    let kind: EventKind = from_json(kind_json, "event kind").map_err(|e| e.to_string())?;
    Ok(Event {
        seq,
        at,
        actor,
        kind,
    })
}
