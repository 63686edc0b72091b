//! Slots: a practitioner's weekly schedule, written in the organisation's local time, expanded
//! into UTC intervals of the organisation's consultation length.

use std::collections::HashSet;

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use super::schedule::WeeklyInterval;

/// The longest range one request may expand; longer ranges are paged by the client.
pub const MAX_RANGE_DAYS: i64 = 31;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slot {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// What a schedule expands against.
pub struct Expansion<'a> {
    pub zone: Tz,
    pub weekly: &'a [WeeklyInterval],
    pub days_off: &'a [NaiveDate],
    pub minutes: i64,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// All slots starting in `[from, to)`, in time order.
///
/// Slots step through local wall-clock time, as the schedule is written. On a daylight-saving
/// change a local time that does not exist (clocks jump forward) yields no slot, and a local time
/// that occurs twice (clocks fall back) yields one slot, at its first occurrence.
pub fn expand(e: &Expansion<'_>) -> Vec<Slot> {
    let mut slots = Vec::new();
    if e.minutes <= 0 || e.to <= e.from {
        return slots;
    }
    let length = Duration::minutes(e.minutes);
    // A local day may begin before `from` in UTC and end after `to`: widen by a day each side.
    let first = e.from.with_timezone(&e.zone).date_naive() - Duration::days(1);
    let last = e.to.with_timezone(&e.zone).date_naive() + Duration::days(1);
    let mut day = first;
    while day <= last {
        if !e.days_off.contains(&day) {
            let weekday = day.weekday().number_from_monday() as i32;
            for interval in e.weekly.iter().filter(|i| i.weekday == weekday) {
                let mut local = day.and_time(interval.starts);
                let end = day.and_time(interval.ends);
                while local + length <= end {
                    let start = match e.zone.from_local_datetime(&local) {
                        LocalResult::Single(t) => Some(t),
                        LocalResult::Ambiguous(earliest, _) => Some(earliest),
                        LocalResult::None => None,
                    };
                    if let Some(start) = start.map(|t| t.with_timezone(&Utc))
                        && start >= e.from
                        && start < e.to
                    {
                        slots.push(Slot {
                            start,
                            end: start + length,
                        });
                    }
                    local += length;
                }
            }
        }
        day += Duration::days(1);
    }
    slots.sort();
    slots.dedup();
    slots
}

/// Removes slots already taken or already begun.
pub fn free(slots: Vec<Slot>, taken: &HashSet<DateTime<Utc>>, now: DateTime<Utc>) -> Vec<Slot> {
    slots
        .into_iter()
        .filter(|s| s.start > now && !taken.contains(&s.start))
        .collect()
}

/// Whether `start` is exactly one of the schedule's slots (a booking must name a real slot).
pub fn is_slot(e: &Expansion<'_>, start: DateTime<Utc>) -> bool {
    expand(e).iter().any(|s| s.start == start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::schedule::parse_hhmm;

    fn iv(weekday: i32, a: &str, b: &str) -> WeeklyInterval {
        WeeklyInterval {
            weekday,
            starts: parse_hhmm(a).unwrap(),
            ends: parse_hhmm(b).unwrap(),
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn almaty_morning_is_utc_plus_five() {
        // Kazakhstan moved to a single zone, UTC+5, in 2024; Almaty 09:00 is 04:00 UTC.
        let weekly = [iv(1, "09:00", "10:00")];
        let slots = expand(&Expansion {
            zone: chrono_tz::Asia::Almaty,
            weekly: &weekly,
            days_off: &[],
            minutes: 30,
            from: utc("2026-11-23T00:00:00Z"),
            to: utc("2026-11-24T00:00:00Z"),
        });
        assert_eq!(
            slots.iter().map(|s| s.start).collect::<Vec<_>>(),
            vec![utc("2026-11-23T04:00:00Z"), utc("2026-11-23T04:30:00Z")]
        );
        assert_eq!(slots[0].end, utc("2026-11-23T04:30:00Z"));
    }

    #[test]
    fn the_same_local_schedule_gives_different_utc_slots_in_different_zones() {
        let weekly = [iv(3, "09:00", "09:30")];
        let at = |zone| {
            expand(&Expansion {
                zone,
                weekly: &weekly,
                days_off: &[],
                minutes: 30,
                from: utc("2026-11-25T00:00:00Z"),
                to: utc("2026-11-26T00:00:00Z"),
            })[0]
                .start
        };
        assert_eq!(at(chrono_tz::Asia::Aqtobe), utc("2026-11-25T04:00:00Z"));
        assert_eq!(at(chrono_tz::Europe::Moscow), utc("2026-11-25T06:00:00Z"));
        assert_eq!(
            at(chrono_tz::America::New_York),
            utc("2026-11-25T14:00:00Z")
        );
    }

    #[test]
    fn a_daylight_saving_change_moves_utc_slots_and_skips_missing_local_times() {
        // Berlin springs forward on 2026-03-29 at 02:00 local (to 03:00).
        let weekly = [
            iv(7, "01:00", "04:00"),
            iv(1, "09:00", "09:30"),
            iv(5, "09:00", "09:30"),
        ];
        let slots = expand(&Expansion {
            zone: chrono_tz::Europe::Berlin,
            weekly: &weekly,
            days_off: &[],
            minutes: 30,
            from: utc("2026-03-27T00:00:00Z"),
            to: utc("2026-03-31T00:00:00Z"),
        });
        let starts: Vec<_> = slots.iter().map(|s| s.start).collect();
        assert_eq!(
            starts,
            vec![
                utc("2026-03-27T08:00:00Z"), // Friday 09:00 CET (UTC+1)
                utc("2026-03-29T00:00:00Z"), // Sunday 01:00 CET
                utc("2026-03-29T00:30:00Z"), // 01:30 CET; 02:00 and 02:30 do not exist
                utc("2026-03-29T01:00:00Z"), // 03:00 CEST (UTC+2)
                utc("2026-03-29T01:30:00Z"),
                utc("2026-03-30T07:00:00Z"), // Monday 09:00 CEST
            ]
        );
    }

    #[test]
    fn a_repeated_local_hour_gives_one_slot_at_its_first_occurrence() {
        // Berlin falls back on 2026-10-25 at 03:00 CEST (to 02:00 CET).
        let weekly = [iv(7, "02:00", "02:30")];
        let slots = expand(&Expansion {
            zone: chrono_tz::Europe::Berlin,
            weekly: &weekly,
            days_off: &[],
            minutes: 30,
            from: utc("2026-10-24T00:00:00Z"),
            to: utc("2026-10-26T00:00:00Z"),
        });
        assert_eq!(slots.len(), 1);
        assert_eq!(slots[0].start, utc("2026-10-25T00:00:00Z"));
    }

    #[test]
    fn days_off_taken_and_past_slots_are_not_offered() {
        let weekly = [iv(1, "09:00", "11:00"), iv(2, "09:00", "10:00")];
        let monday = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let e = Expansion {
            zone: chrono_tz::Asia::Almaty,
            weekly: &weekly,
            days_off: &[monday],
            minutes: 30,
            from: utc("2026-11-23T00:00:00Z"),
            to: utc("2026-11-25T00:00:00Z"),
        };
        let slots = expand(&e);
        assert_eq!(slots.len(), 2, "only Tuesday");
        let taken = HashSet::from([utc("2026-11-24T04:00:00Z")]);
        let left = free(slots, &taken, utc("2026-11-22T00:00:00Z"));
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].start, utc("2026-11-24T04:30:00Z"));
        assert!(free(left, &HashSet::new(), utc("2026-11-24T05:00:00Z")).is_empty());
        assert!(is_slot(&e, utc("2026-11-24T04:30:00Z")));
        assert!(!is_slot(&e, utc("2026-11-24T04:10:00Z")));
    }
}
