//! The audit chain: every event of a meeting's log is linked to the one before it by
//! SHA-256, so that a row changed, removed or reordered in the database after the fact is
//! found by `borgermode audit verify`.
//!
//! Why here: the canonical bytes of an event are a property of the event, not of a store; both
//! stores write the same links and the verifier recomputes them with this one function.
//!
//! Personal data is never inside the hashed bytes, only its content hash: each [`Content`]
//! counts by its `hash` (its text is left out), and the per-person age band and gender of
//! `participant_joined` are left out altogether. Erasure and retention delete exactly that
//! data, so they leave every link valid. (Demographics are self-reported, anonymous and not
//! a staff action; a content hash of six age bands would not hide anything anyway.)
//!
//! [`Content`]: crate::event::Content

use chrono::SecondsFormat;
use sha2::{Digest, Sha256};

use crate::event::{Event, EventKind};

/// The link "before" seq 1.
pub const GENESIS: [u8; 32] = [0; 32];

/// Version tag at the start of the canonical bytes, so the form can change later.
const FORM: &str = "borgermode-audit-v1";

/// The canonical bytes of one event (see docs/ARCHITECTURE.md, "The audit chain"):
/// `borgermode-audit-v1 \n seq \n time \n actor \n type \n payload`, where time is RFC 3339
/// UTC with nine fractional digits, actor and payload are compact JSON (serde field order),
/// and the payload has every content's text removed and no per-person demographics.
pub fn canonical_bytes(event: &Event) -> Vec<u8> {
    let mut kind = event.kind.clone();
    for content in kind.contents_mut() {
        content.text = None;
    }
    if let EventKind::ParticipantJoined {
        age_band, gender, ..
    } = &mut kind
    {
        *age_band = None;
        *gender = None;
    }
    // Serializing our own plain types cannot fail.
    let actor = serde_json::to_string(&event.actor).unwrap_or_default();
    let payload = serde_json::to_string(&kind).unwrap_or_default();
    format!(
        "{FORM}\n{}\n{}\n{actor}\n{}\n{payload}",
        event.seq,
        event.at.to_rfc3339_opts(SecondsFormat::Nanos, true),
        event.kind.name()
    )
    .into_bytes()
}

/// `SHA-256(previous link || canonical bytes of the event)`.
pub fn link(previous: &[u8; 32], event: &Event) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(previous);
    h.update(canonical_bytes(event));
    h.finalize().into()
}

/// Parse a stored link (64 hex digits).
pub fn parse_link(text: &str) -> Option<[u8; 32]> {
    let bytes = hex::decode(text).ok()?;
    bytes.try_into().ok()
}
