//! Where the time of one live event goes on this instance: request received → committed (the
//! store append returned) → ingested (the room applied it and handed it to the broadcast) →
//! first and last socket write (the first and the last of this instance's connections that
//! wrote its frame). Issue 17 asks for it: p50 and p99 publish→receive say *that* an audience
//! waits, not whether the store, the room or the sweep over the sockets is the cause.
//!
//! Every stage is measured from the same start, so the four histograms of one event are
//! cumulative and ordered (commit ≤ ingest ≤ first_write ≤ last_write): the stage's own share
//! is the difference. The start is the moment the HTTP request reached the server
//! (`origin="local"`); an event committed by another instance has no such moment here, so its
//! start is its ingest on this instance, and only `first_write` and `last_write` are recorded
//! (`origin="bus"` for events from the bus, `origin="store"` for events read from the store by
//! a gap fill or a catch-up).
//!
//! The cost per delivery is one atomic read-modify-write ([`EventClock::written`]): a counter
//! per event, set at broadcast time to the number of receivers, is decremented by each
//! connection once it wrote the frame (or gave it up); the same atomic counts the writes in its
//! upper half, so the write that finds no earlier write is the first and the one that brings the
//! counter to zero is the last. Only those two read the clock. An event that some connection
//! received but never wrote (it left, was cut as too slow, or its access was revoked) has no
//! `last_write`: the `last_write` count trails the `first_write` count by exactly those events.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::ops::metrics::{Histogram, FINE_BOUNDS};

/// Where an event applied here came from (a label on the stage histograms).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Committed by a command this instance received over HTTP.
    Local = 0,
    /// Committed by another instance, arrived on the bus.
    Bus = 1,
    /// Read from the store (gap fill, catch-up before a command or a resume, room load).
    Store = 2,
}

impl Origin {
    pub const ALL: [Origin; 3] = [Origin::Local, Origin::Bus, Origin::Store];
    pub fn label(self) -> &'static str {
        match self {
            Origin::Local => "local",
            Origin::Bus => "bus",
            Origin::Store => "store",
        }
    }
}

/// A stage of an event's way to the sockets (a label on the stage histograms).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Commit = 0,
    Ingest = 1,
    FirstWrite = 2,
    LastWrite = 3,
}

impl Stage {
    pub const ALL: [Stage; 4] = [
        Stage::Commit,
        Stage::Ingest,
        Stage::FirstWrite,
        Stage::LastWrite,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Stage::Commit => "commit",
            Stage::Ingest => "ingest",
            Stage::FirstWrite => "first_write",
            Stage::LastWrite => "last_write",
        }
    }
    /// Whether an event of `origin` has this stage (remote events start at their ingest).
    pub fn applies_to(self, origin: Origin) -> bool {
        origin == Origin::Local || matches!(self, Stage::FirstWrite | Stage::LastWrite)
    }
}

/// `borgermode_event_stage_seconds{origin, stage}`: one histogram per (origin, stage), with
/// buckets from 50 µs (an ingest follows its commit by microseconds).
#[derive(Debug)]
pub struct StageHistograms {
    by: [[Histogram; Stage::ALL.len()]; Origin::ALL.len()],
}

impl Default for StageHistograms {
    fn default() -> Self {
        StageHistograms {
            by: std::array::from_fn(|_| std::array::from_fn(|_| Histogram::new(&FINE_BOUNDS))),
        }
    }
}

impl StageHistograms {
    pub fn observe(&self, origin: Origin, stage: Stage, d: Duration) {
        self.by[origin as usize][stage as usize].observe(d);
    }

    pub fn get(&self, origin: Origin, stage: Stage) -> &Histogram {
        &self.by[origin as usize][stage as usize]
    }

    /// A connection wrote `clock`'s event to its socket: record the first and the last write.
    /// One atomic add for every other connection.
    #[inline]
    pub fn written(&self, clock: &EventClock) {
        let (first, last) = clock.written();
        if first || last {
            let d = clock.start.elapsed();
            if first {
                self.observe(clock.origin, Stage::FirstWrite, d);
            }
            if last {
                self.observe(clock.origin, Stage::LastWrite, d);
            }
        }
    }
}

/// Low half of [`EventClock::state`]: connections that have not finished with the event yet.
const REMAINING: u64 = 0xFFFF_FFFF;
/// Added by a write: one more write in the upper half, one connection fewer in the lower (no
/// borrow, since a connection that still has to finish keeps the lower half above zero).
const WRITE: u64 = (1 << 32) - 1;

/// The timestamps one event carries to the sockets (in `RenderedEvent`).
#[derive(Debug)]
pub struct EventClock {
    pub origin: Origin,
    /// Request received (local) or ingest (remote): what every stage is measured from.
    pub start: Instant,
    /// Upper 32 bits: writes so far; lower 32: connections still to write or give it up.
    state: AtomicU64,
}

impl EventClock {
    /// A clock no connection reports to (replays, events nobody watches yet).
    pub fn unarmed(origin: Origin, start: Instant) -> EventClock {
        EventClock {
            origin,
            start,
            state: AtomicU64::new(0),
        }
    }

    /// Set at broadcast time, before the event is sent: `receivers` connections will report.
    /// (Under the room's write lock: no receiver can subscribe in between.)
    pub fn arm(&self, receivers: usize) {
        let n = u64::try_from(receivers).unwrap_or(REMAINING).min(REMAINING);
        self.state.store(n, Ordering::Relaxed);
    }

    /// One connection wrote the event: (was it the first write, was it the last connection).
    #[inline]
    pub fn written(&self) -> (bool, bool) {
        let old = self.state.fetch_add(WRITE, Ordering::Relaxed);
        debug_assert!(old & REMAINING > 0, "a write the clock was not armed for");
        (old >> 32 == 0, old & REMAINING == 1)
    }

    /// `n` connections will not write the event (gone, cut, revoked, or never got it): they no
    /// longer count; if they were the last, the event gets no `last_write` (see the module docs).
    pub fn skipped(&self, n: usize) {
        if n > 0 {
            let n = u64::try_from(n).unwrap_or(REMAINING).min(REMAINING);
            self.state.fetch_sub(n, Ordering::Relaxed);
        }
    }

    /// Connections still to report (tests).
    pub fn remaining(&self) -> u64 {
        self.state.load(Ordering::Relaxed) & REMAINING
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_and_last_write_are_found_with_one_add_each() {
        let c = EventClock::unarmed(Origin::Local, Instant::now());
        c.arm(3);
        assert_eq!(c.written(), (true, false));
        assert_eq!(c.written(), (false, false));
        assert_eq!(c.written(), (false, true));
        assert_eq!(c.remaining(), 0);
    }

    #[test]
    fn one_connection_is_first_and_last() {
        let c = EventClock::unarmed(Origin::Bus, Instant::now());
        c.arm(1);
        assert_eq!(c.written(), (true, true));
    }

    #[test]
    fn a_skip_is_no_write_and_a_final_skip_records_no_last_write() {
        let c = EventClock::unarmed(Origin::Local, Instant::now());
        c.arm(3);
        c.skipped(1);
        // The first connection that writes is still the first write.
        assert_eq!(c.written(), (true, false));
        assert_eq!(c.written(), (false, true));

        let c = EventClock::unarmed(Origin::Local, Instant::now());
        c.arm(2);
        assert_eq!(c.written(), (true, false));
        c.skipped(1);
        assert_eq!(c.remaining(), 0);
    }

    #[test]
    fn stage_histograms_record_first_and_last() {
        let h = StageHistograms::default();
        let c = EventClock::unarmed(Origin::Local, Instant::now());
        c.arm(2);
        h.written(&c);
        assert_eq!(h.get(Origin::Local, Stage::FirstWrite).count(), 1);
        assert_eq!(h.get(Origin::Local, Stage::LastWrite).count(), 0);
        h.written(&c);
        assert_eq!(h.get(Origin::Local, Stage::LastWrite).count(), 1);
        assert_eq!(h.get(Origin::Local, Stage::FirstWrite).count(), 1);
    }
}
