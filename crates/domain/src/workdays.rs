//! Working-day arithmetic for the follow-up deadline.
//!
//! Why this exists: a municipality promises answers "within 5 working days" of the meeting. The
//! deadline is computed once, in `decide`, from the close command's `now`, and stored in the
//! log, so it never shifts when the setting changes later. The domain has no calendar or time
//! zone database, so working days are Monday to Friday in UTC; public holidays are not known.

use chrono::{DateTime, Datelike, Duration, Utc, Weekday};

/// Whether `d` falls on Monday to Friday.
pub fn is_working_day(d: Weekday) -> bool {
    !matches!(d, Weekday::Sat | Weekday::Sun)
}

/// The moment `days` working days after `start`: step forward one calendar day at a time,
/// counting only Monday to Friday, and keep the time of day. Closing on a Friday evening with
/// 5 days gives the next Friday evening; closing on a Saturday with 1 day gives Monday.
/// `days == 0` returns `start` unchanged.
pub fn add_working_days(start: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    let mut t = start;
    let mut left = days;
    while left > 0 {
        t += Duration::days(1);
        if is_working_day(t.weekday()) {
            left -= 1;
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    #[test]
    fn friday_evening_plus_five_is_next_friday() {
        // 2026-11-27 is a Friday.
        assert_eq!(
            add_working_days(at(2026, 11, 27, 20), 5),
            at(2026, 12, 4, 20)
        );
    }

    #[test]
    fn weekend_start_counts_from_monday() {
        // Saturday 2026-11-28 + 1 working day = Monday 2026-11-30.
        assert_eq!(
            add_working_days(at(2026, 11, 28, 10), 1),
            at(2026, 11, 30, 10)
        );
        // Sunday + 5 = next Friday.
        assert_eq!(
            add_working_days(at(2026, 11, 29, 10), 5),
            at(2026, 12, 4, 10)
        );
    }

    #[test]
    fn midweek_crosses_weekend() {
        // Wednesday 2026-11-25 + 3 = Monday 2026-11-30.
        assert_eq!(
            add_working_days(at(2026, 11, 25, 19), 3),
            at(2026, 11, 30, 19)
        );
        assert_eq!(
            add_working_days(at(2026, 11, 25, 19), 0),
            at(2026, 11, 25, 19)
        );
        // + 10 = two calendar weeks.
        assert_eq!(
            add_working_days(at(2026, 11, 25, 19), 10),
            at(2026, 12, 9, 19)
        );
    }
}
