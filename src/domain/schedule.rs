//! A practitioner's weekly work schedule (график работы, art. 34), in the organisation's local time.

use chrono::{NaiveDate, NaiveTime};

/// One working interval on a weekday (1 = Monday … 7 = Sunday), local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeeklyInterval {
    pub weekday: i32,
    pub starts: NaiveTime,
    pub ends: NaiveTime,
}

/// A day without appointments (day off, holiday, leave).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayOff {
    pub day: NaiveDate,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("weekday must be 1 (Monday) to 7 (Sunday)")]
    Weekday,
    #[error("time must be HH:MM")]
    TimeFormat,
    #[error("an interval must end after it starts")]
    EmptyInterval,
    #[error("intervals on the same weekday overlap")]
    Overlap,
    #[error("a day off is listed twice")]
    DuplicateDayOff,
}

pub fn parse_hhmm(s: &str) -> Result<NaiveTime, ScheduleError> {
    if s.len() != 5 {
        return Err(ScheduleError::TimeFormat);
    }
    NaiveTime::parse_from_str(s, "%H:%M").map_err(|_| ScheduleError::TimeFormat)
}

pub fn format_hhmm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

/// Checks a whole week: valid weekdays, non-empty intervals, no overlaps, unique days off.
pub fn validate(intervals: &[WeeklyInterval], days_off: &[DayOff]) -> Result<(), ScheduleError> {
    for i in intervals {
        if !(1..=7).contains(&i.weekday) {
            return Err(ScheduleError::Weekday);
        }
        if i.ends <= i.starts {
            return Err(ScheduleError::EmptyInterval);
        }
    }
    let mut sorted: Vec<_> = intervals.to_vec();
    sorted.sort_by_key(|i| (i.weekday, i.starts));
    if sorted
        .windows(2)
        .any(|w| w[0].weekday == w[1].weekday && w[1].starts < w[0].ends)
    {
        return Err(ScheduleError::Overlap);
    }
    let mut days: Vec<_> = days_off.iter().map(|d| d.day).collect();
    days.sort();
    if days.windows(2).any(|w| w[0] == w[1]) {
        return Err(ScheduleError::DuplicateDayOff);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iv(weekday: i32, a: &str, b: &str) -> WeeklyInterval {
        WeeklyInterval {
            weekday,
            starts: parse_hhmm(a).unwrap(),
            ends: parse_hhmm(b).unwrap(),
        }
    }

    #[test]
    fn accepts_split_shifts() {
        assert!(validate(&[iv(1, "09:00", "13:00"), iv(1, "14:00", "18:00")], &[]).is_ok());
    }

    #[test]
    fn refuses_overlaps_empty_intervals_and_bad_weekdays() {
        assert_eq!(
            validate(&[iv(2, "09:00", "13:00"), iv(2, "12:00", "15:00")], &[]),
            Err(ScheduleError::Overlap)
        );
        assert_eq!(
            validate(&[iv(2, "13:00", "09:00")], &[]),
            Err(ScheduleError::EmptyInterval)
        );
        assert_eq!(
            validate(&[iv(8, "09:00", "10:00")], &[]),
            Err(ScheduleError::Weekday)
        );
    }

    #[test]
    fn times_are_strict_hh_mm() {
        assert!(parse_hhmm("9:00").is_err());
        assert!(parse_hhmm("24:00").is_err());
        assert!(parse_hhmm("09:60").is_err());
        assert_eq!(format_hhmm(parse_hhmm("08:30").unwrap()), "08:30");
    }

    #[test]
    fn refuses_duplicate_days_off() {
        let d = DayOff {
            day: NaiveDate::from_ymd_opt(2026, 12, 16).unwrap(),
            reason: "Independence Day".into(),
        };
        assert_eq!(
            validate(&[], &[d.clone(), d]),
            Err(ScheduleError::DuplicateDayOff)
        );
    }
}
