//! The pace of a room's coalesced frames (`votes`, `poll_results`, `presence`).
//!
//! Why a pace of its own and not just the hub's tick: the tick is a timer on a busy runtime. A
//! tick delayed by a long sweep followed by an on-time one used to put two frames a few
//! milliseconds apart, so five `poll_results` could reach a client within 763 ms although the
//! contract is "at most one per `coalesce_ms`" (issue 16's 10,000-participant run). The tick
//! now runs a few times per period and asks the room's `Cadence` whether a frame may go: it
//! may once `period` has passed since the last one that went, so the gap between two coalesced
//! frames of a room is never below `period` and at most `period` plus one tick.

use std::time::{Duration, Instant};

#[derive(Debug, Default)]
pub struct Cadence {
    last_sent: Option<Instant>,
}

impl Cadence {
    /// Whether a frame may go at `now`.
    pub fn due(&self, now: Instant, period: Duration) -> bool {
        self.last_sent
            .is_none_or(|last| now.saturating_duration_since(last) >= period)
    }

    /// A frame went at `now` (only frames that went count: a quiet room's first change goes at
    /// the next tick).
    pub fn sent(&mut self, now: Instant) {
        self.last_sent = Some(now);
    }
}

/// How often the hub's tick runs for a coalescing period: four times per period, so a frame
/// that becomes due waits at most a quarter period more.
pub fn tick_for(period: Duration) -> Duration {
    (period / 4).max(Duration::from_millis(10))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PERIOD: Duration = Duration::from_millis(250);

    #[test]
    fn a_quiet_room_may_send_at_once() {
        assert!(Cadence::default().due(Instant::now(), PERIOD));
    }

    #[test]
    fn a_late_tick_followed_by_an_on_time_one_does_not_send_twice_within_a_period() {
        // The hub's ticks at 0, 250 (delayed to 480 by a sweep), 500, 750, ... ms.
        let t0 = Instant::now();
        let at = |ms| t0 + Duration::from_millis(ms);
        let mut c = Cadence::default();
        let mut sent = Vec::new();
        for ms in [0, 480, 500, 562, 625, 687, 750, 812, 875, 937, 1000, 1062] {
            if c.due(at(ms), PERIOD) {
                c.sent(at(ms));
                sent.push(ms);
            }
        }
        assert_eq!(sent, vec![0, 480, 750, 1000]);
        assert!(sent.windows(2).all(|w| w[1] - w[0] >= 250), "{sent:?}");
    }

    #[test]
    fn the_tick_is_a_quarter_period_but_never_below_ten_ms() {
        assert_eq!(tick_for(PERIOD), Duration::from_micros(62_500));
        assert_eq!(
            tick_for(Duration::from_millis(20)),
            Duration::from_millis(10)
        );
    }
}
