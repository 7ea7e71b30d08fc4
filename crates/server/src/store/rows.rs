//! What an append writes, computed before any SQL runs, the same for both databases: the
//! expected-seq check, each event's seq, its payload with the personal text taken out, the
//! texts with their slots, and the audit chain's links.
//!
//! Why it exists: this is the part of `append` that decides what the log looks like, so it
//! must not differ between SQLite and PostgreSQL; the dialects only write the rows it returns
//! (one statement per row, or one per table) inside their own transaction.

use borgermode_domain::{audit, Event, EventKind, PostId, Seq};
use chrono::{DateTime, Utc};

use super::codec::{seq_from_db, seq_to_db, to_json};
use super::{AppendOutcome, PendingEvent, StoreError};

/// The conflict to answer if the meeting's stored last seq (None: no meeting row yet) is not
/// the one the command was decided against.
pub(super) fn conflict(
    stored: Option<i64>,
    expected_seq: Seq,
) -> Result<Option<AppendOutcome>, StoreError> {
    let latest = match stored {
        Some(last) => seq_from_db(last)?,
        None => 0,
    };
    Ok((latest != expected_seq).then_some(AppendOutcome::Conflict { latest }))
}

/// One `events` row and its `contents` rows.
pub(super) struct EventRow {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_json: String,
    /// The payload with every content's text removed (its hash kept).
    pub kind_json: String,
    /// Hex of the chain link up to and including this event.
    pub link: String,
    /// `(slot, text)` for every content that has a text, slot being its position in
    /// [`EventKind::contents_mut`].
    pub texts: Vec<(i64, String)>,
}

/// An append turned into rows.
pub(super) struct Prepared {
    pub rows: Vec<EventRow>,
    /// The events as committed (with their texts), returned to the caller.
    pub events: Vec<Event>,
    /// The meeting row's new `last_seq` and `chain_head`, None for an empty append.
    pub head: Option<(i64, String)>,
}

/// The previous link for the next append: the stored chain head, or the genesis link for a new
/// meeting (and for one whose events predate the chain).
pub(super) fn chain_start(head: Option<&str>) -> Result<[u8; 32], StoreError> {
    match head {
        None => Ok(audit::GENESIS),
        Some(text) => audit::parse_link(text)
            .ok_or_else(|| StoreError::Corrupt(format!("chain head {text:?}"))),
    }
}

/// Number `events` from `expected_seq + 1`, link them onto the chain after `link` (from
/// [`chain_start`]), with each time as `keep_time` says the database keeps it.
pub(super) fn prepare(
    expected_seq: Seq,
    mut link: [u8; 32],
    events: Vec<PendingEvent>,
    keep_time: fn(DateTime<Utc>) -> Result<DateTime<Utc>, StoreError>,
) -> Result<Prepared, StoreError> {
    let mut rows = Vec::with_capacity(events.len());
    let mut committed = Vec::with_capacity(events.len());
    let mut seq = expected_seq;
    for pending in events {
        seq += 1;
        let at = keep_time(pending.at)?;
        let mut stripped = pending.kind.clone();
        let mut texts = Vec::new();
        for (slot, content) in stripped.contents_mut().into_iter().enumerate() {
            if let Some(text) = content.text.take() {
                let slot = i64::try_from(slot)
                    .map_err(|_| StoreError::Corrupt(format!("content slot {slot} too large")))?;
                texts.push((slot, text));
            }
        }
        let event = Event {
            seq,
            at,
            actor: pending.actor,
            kind: pending.kind,
        };
        link = audit::link(&link, &event);
        rows.push(EventRow {
            seq: seq_to_db(seq)?,
            at,
            actor_json: to_json(&event.actor)?,
            kind_json: to_json(&stripped)?,
            link: hex::encode(link),
            texts,
        });
        committed.push(event);
    }
    let head = rows.last().map(|last| (last.seq, last.link.clone()));
    Ok(Prepared {
        rows,
        events: committed,
        head,
    })
}

/// The question whose votes an event moves, and where to: `(from, into)`.
pub(super) fn merge(kind: &EventKind) -> Option<(PostId, PostId)> {
    match kind {
        EventKind::QuestionMerged { post, into } => Some((*post, *into)),
        _ => None,
    }
}
