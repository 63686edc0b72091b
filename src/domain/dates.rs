//! The one range of dates the platform accepts from outside: from 1900-01-01 up to (not
//! including) 2200-01-01, for every date and time a request carries (slot ranges, bookings,
//! reschedules, councils, days off).
//!
//! chrono parses years up to ±262,143, where adding a day or a week overflows and panics.
//! Inside this range any arithmetic the platform does (horizons, deadlines, schedule
//! expansion) stays far from that edge, and both databases store every value of it.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

pub const EARLIEST: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(d) => d,
    None => panic!("a valid date"),
};

/// The first day no longer accepted.
pub const END: NaiveDate = match NaiveDate::from_ymd_opt(2200, 1, 1) {
    Some(d) => d,
    None => panic!("a valid date"),
};

pub fn day_in_range(day: NaiveDate) -> bool {
    (EARLIEST..END).contains(&day)
}

pub fn time_in_range(at: DateTime<Utc>) -> bool {
    let start = NaiveDateTime::from(EARLIEST).and_utc();
    let end = NaiveDateTime::from(END).and_utc();
    (start..end).contains(&at)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parsed as serde parses request bodies and queries.
    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn the_range_is_1900_to_2200() {
        assert!(time_in_range(at("1900-01-01T00:00:00Z")));
        assert!(time_in_range(at("2026-12-03T10:00:00+05:00")));
        assert!(time_in_range(at("2199-12-31T23:59:59Z")));
        assert!(!time_in_range(at("2200-01-01T00:00:00Z")));
        assert!(!time_in_range(at("1899-12-31T23:59:59Z")));
        assert!(!time_in_range(at("9999-12-31T00:00:00Z")));
        assert!(!time_in_range(at("+262142-12-31T23:59:59Z")));
        assert!(!time_in_range(DateTime::<Utc>::MIN_UTC));
        assert!(!time_in_range(DateTime::<Utc>::MAX_UTC));
        assert!(day_in_range(NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()));
        assert!(!day_in_range(NaiveDate::from_ymd_opt(0, 1, 1).unwrap()));
        assert!(!day_in_range(NaiveDate::MAX));
    }
}
