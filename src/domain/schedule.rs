//! A practitioner's weekly work schedule (график работы, art. 34), in the organisation's local time.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime};

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

/// The Monday of the week `day` falls in (weeks run Monday to Sunday, as in Kazakhstan).
pub fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// One day of a concrete week: the weekly pattern's hours, unless the day is off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayPlan {
    pub date: NaiveDate,
    /// 1 = Monday … 7 = Sunday.
    pub weekday: i32,
    /// The reason, when the day is off (an empty reason is still a day off).
    pub day_off: Option<String>,
    /// Working intervals in local time, earliest first; none on a day off.
    pub hours: Vec<(NaiveTime, NaiveTime)>,
}

/// The seven days from `monday` as the weekly pattern and the days off make them.
pub fn week(monday: NaiveDate, intervals: &[WeeklyInterval], days_off: &[DayOff]) -> Vec<DayPlan> {
    (0..7)
        .map(|i| {
            let date = monday + Duration::days(i);
            let weekday = date.weekday().number_from_monday() as i32;
            let day_off = days_off
                .iter()
                .find(|d| d.day == date)
                .map(|d| d.reason.clone());
            let mut hours: Vec<(NaiveTime, NaiveTime)> = if day_off.is_some() {
                Vec::new()
            } else {
                intervals
                    .iter()
                    .filter(|i| i.weekday == weekday)
                    .map(|i| (i.starts, i.ends))
                    .collect()
            };
            hours.sort();
            DayPlan {
                date,
                weekday,
                day_off,
                hours,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_week_runs_from_monday_and_days_off_have_no_hours() {
        assert_eq!(monday_of(day("2026-12-16")), day("2026-12-14"));
        assert_eq!(monday_of(day("2026-12-14")), day("2026-12-14"));
        assert_eq!(monday_of(day("2026-12-20")), day("2026-12-14"));
        let pattern = [
            iv(3, "14:00", "18:00"),
            iv(3, "09:00", "13:00"),
            iv(1, "09:00", "12:00"),
        ];
        let off = [DayOff {
            day: day("2026-12-14"),
            reason: "Отгул".into(),
        }];
        let w = week(day("2026-12-14"), &pattern, &off);
        assert_eq!(w.len(), 7);
        assert_eq!(w[0].day_off.as_deref(), Some("Отгул"));
        assert!(w[0].hours.is_empty(), "a day off has no working hours");
        assert_eq!(w[2].weekday, 3);
        assert_eq!(
            w[2].hours
                .iter()
                .map(|h| format_hhmm(h.0))
                .collect::<Vec<_>>(),
            ["09:00", "14:00"]
        );
        assert_eq!(w[6].date, day("2026-12-20"));
        assert!(w[6].hours.is_empty() && w[6].day_off.is_none());
    }

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
