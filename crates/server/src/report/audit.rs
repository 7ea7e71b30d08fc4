//! `borgermode audit verify <meeting>`: recompute a meeting's audit chain from the stored rows
//! and compare it with the stored links.
//!
//! Why a separate check: the chain is written by the stores on every append (see
//! `borgermode_domain::audit` for the canonical bytes); it is only worth something if somebody
//! can recompute it, from the database alone, without the server running.

use std::fmt;

use borgermode_domain::{audit, MeetingId};

use crate::store::{Store, StoreError};

/// The outcome of a verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every event from the first linked one to the head links up.
    Intact {
        /// Events checked (linked).
        events: u64,
        /// Events written before the chain existed (a prefix of the log, not checked).
        unlinked: u64,
        /// The last link, hex (write it down somewhere else to anchor the chain).
        head: String,
    },
    /// The first place where the stored chain does not match the recomputed one.
    Broken {
        seq: u64,
        expected: String,
        stored: String,
    },
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Intact {
                events,
                unlinked,
                head,
            } => {
                write!(f, "OK: {events} events verified, chain head {head}")?;
                if *unlinked > 0 {
                    write!(f, " ({unlinked} earlier events predate the audit chain)")?;
                }
                Ok(())
            }
            Verdict::Broken {
                seq,
                expected,
                stored,
            } => write!(
                f,
                "BROKEN at seq {seq}: expected {expected}, stored {stored}"
            ),
        }
    }
}

/// Verify one meeting's chain; None if the meeting does not exist.
pub async fn verify(store: &dyn Store, meeting: MeetingId) -> Result<Option<Verdict>, StoreError> {
    let Some(log) = store.chain(meeting).await? else {
        return Ok(None);
    };
    let mut prev = audit::GENESIS;
    let mut started = false;
    let (mut events, mut unlinked) = (0u64, 0u64);
    let mut next_seq: u64 = 1;
    for row in &log.rows {
        let broken = |expected: String, stored: String| {
            Ok(Some(Verdict::Broken {
                seq: next_seq,
                expected,
                stored,
            }))
        };
        if u64::try_from(row.seq).ok() != Some(next_seq) {
            // A row was removed, or seqs were rewritten.
            return broken(
                format!("an event with seq {next_seq}"),
                format!("the next row has seq {}", row.seq),
            );
        }
        let event = match &row.event {
            Ok(event) => event,
            Err(why) => return broken("a decodable event".into(), format!("undecodable: {why}")),
        };
        match (&row.link, started) {
            (None, false) => {
                unlinked += 1;
            }
            (None, true) => {
                return broken(hex::encode(audit::link(&prev, event)), "no link".into())
            }
            (Some(stored), _) => {
                let computed = audit::link(&prev, event);
                if audit::parse_link(stored) != Some(computed) {
                    return broken(hex::encode(computed), stored.clone());
                }
                started = true;
                events += 1;
                prev = computed;
            }
        }
        next_seq += 1;
    }
    let last = u64::try_from(log.last_seq).unwrap_or(0);
    if next_seq <= last {
        // The last rows were removed (the meeting row still counts them).
        return Ok(Some(Verdict::Broken {
            seq: next_seq,
            expected: format!("an event with seq {next_seq} (the log ends at {last})"),
            stored: "no row".into(),
        }));
    }
    let head = hex::encode(prev);
    if started && log.head.as_deref() != Some(head.as_str()) {
        return Ok(Some(Verdict::Broken {
            seq: last,
            expected: format!("chain head {head}"),
            stored: format!("chain head {}", log.head.as_deref().unwrap_or("none")),
        }));
    }
    Ok(Some(Verdict::Intact {
        events,
        unlinked,
        head,
    }))
}
