//! Per-client stream checking: every client must see every seq after its starting point once,
//! in order. Out-of-order arrivals are remembered (not counted as lost) so that peers without
//! ordering guarantees are judged fairly; borgermode promises strict order, so any
//! `out_of_order` there is a bug.

use std::collections::BTreeSet;

#[derive(Debug, Default, Clone)]
pub struct SeqCheck {
    /// The next seq this client must see.
    next: u64,
    /// Seqs received ahead of `next`.
    ahead: BTreeSet<u64>,
    pub received: u64,
    pub duplicates: u64,
    pub out_of_order: u64,
    /// Times the server sent a fresh snapshot instead of the missed events (a client that was
    /// away longer than the server keeps history); the snapshot holds the state, so this is not
    /// a loss, but it is reported.
    pub resyncs: u64,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Seen {
    New,
    Duplicate,
}

impl SeqCheck {
    /// The client's state is complete up to `seq` (a snapshot, or a peer's start at 0).
    pub fn start_after(&mut self, seq: u64) {
        if self.received > 0 || !self.ahead.is_empty() {
            self.resyncs += 1;
        }
        if seq + 1 > self.next {
            self.next = seq + 1;
            self.ahead = self.ahead.split_off(&self.next);
        }
    }

    pub fn see(&mut self, seq: u64) -> Seen {
        if seq < self.next || self.ahead.contains(&seq) {
            self.duplicates += 1;
            return Seen::Duplicate;
        }
        self.received += 1;
        if seq == self.next {
            self.next += 1;
            while self.ahead.remove(&self.next) {
                self.next += 1;
            }
        } else {
            self.out_of_order += 1;
            self.ahead.insert(seq);
        }
        Seen::New
    }

    /// The highest seq such that everything up to it has been seen.
    pub fn contiguous(&self) -> u64 {
        self.next.saturating_sub(1)
    }

    /// Seqs in (start, final_seq] this client never saw.
    pub fn missing_until(&self, final_seq: u64) -> u64 {
        if final_seq < self.next {
            return 0;
        }
        let span = final_seq - self.next + 1;
        span - self.ahead.range(self.next..=final_seq).count() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_order_stream_has_nothing_missing() {
        let mut c = SeqCheck::default();
        c.start_after(10);
        for s in 11..=20 {
            assert_eq!(c.see(s), Seen::New);
        }
        assert_eq!(c.contiguous(), 20);
        assert_eq!(c.missing_until(20), 0);
        assert_eq!(c.missing_until(22), 2);
        assert_eq!(c.out_of_order, 0);
    }

    #[test]
    fn duplicates_and_reordering_are_counted_not_lost() {
        let mut c = SeqCheck::default();
        c.start_after(0);
        c.see(1);
        c.see(3);
        assert_eq!(c.see(3), Seen::Duplicate);
        assert_eq!(c.see(1), Seen::Duplicate);
        assert_eq!(c.contiguous(), 1);
        assert_eq!(c.missing_until(3), 1);
        c.see(2);
        assert_eq!(c.contiguous(), 3);
        assert_eq!(c.missing_until(3), 0);
        assert_eq!(c.duplicates, 2);
        assert_eq!(c.out_of_order, 1);
        assert_eq!(c.received, 3);
    }

    #[test]
    fn a_second_snapshot_is_a_resync() {
        let mut c = SeqCheck::default();
        c.start_after(5);
        c.see(6);
        c.see(9);
        c.start_after(20);
        assert_eq!(c.resyncs, 1);
        assert_eq!(c.contiguous(), 20);
        assert_eq!(c.missing_until(20), 0);
        assert_eq!(c.see(21), Seen::New);
    }
}
