//! Free slots of practitioners, from their weekly schedules, in UTC (the page shows them in the
//! patient's zone).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Context, input};
use crate::db::DbConnection;
use crate::db::models::{OrganizationRow, PractitionerRow, ScheduleIntervalRow};
use crate::db::schema::{
    consultations, organizations, practitioner_specialties, practitioners, schedule_exceptions,
    schedule_intervals, users,
};
use crate::domain::organization::parse_time_zone;
use crate::domain::schedule::{WeeklyInterval, parse_hhmm};
use crate::domain::slots::{self, Expansion, MAX_RANGE_DAYS, Slot};
use crate::error::{AppError, AppResult};

#[derive(Debug, Deserialize, IntoParams)]
pub struct SlotQuery {
    pub practitioner: Option<String>,
    pub specialty: Option<String>,
    pub organization: Option<String>,
    /// Start of the range (RFC 3339); now by default.
    pub from: Option<DateTime<Utc>>,
    /// End of the range (RFC 3339); a week after `from` by default, at most 31 days. Slots
    /// beyond the booking horizon are never listed, since they could not be booked.
    pub to: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlotView {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PractitionerSlots {
    pub practitioner_id: String,
    pub full_name: String,
    pub organization_id: String,
    pub organization_name: String,
    pub time_zone: String,
    pub slots: Vec<SlotView>,
    /// The end of the booking horizon (`booking.horizon_days` from now): the page offers no
    /// week that starts after it.
    pub bookable_until: DateTime<Utc>,
}

/// Everything needed to expand one practitioner's schedule.
pub(crate) struct Calendar {
    pub practitioner: PractitionerRow,
    pub full_name: String,
    pub organization: OrganizationRow,
    weekly: Vec<WeeklyInterval>,
    days_off: Vec<NaiveDate>,
}

impl Calendar {
    pub fn load(conn: &mut DbConnection, practitioner_id: &str) -> AppResult<Calendar> {
        Calendar::load_many(conn, &[practitioner_id.to_owned()])?
            .pop()
            .ok_or_else(|| AppError::not_found("practitioner"))
    }

    /// The calendars of active practitioners among `ids`, in three queries whatever their
    /// number (a specialty's free slots list every doctor of it). Missing or deactivated ones
    /// are left out.
    pub fn load_many(conn: &mut DbConnection, ids: &[String]) -> AppResult<Vec<Calendar>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let found: Vec<(PractitionerRow, String, OrganizationRow)> = practitioners::table
            .inner_join(users::table)
            .inner_join(organizations::table)
            .filter(practitioners::id.eq_any(ids))
            // A deactivated doctor has no calendar: nobody books, moves onto or assigns them.
            .filter(users::deactivated_at.is_null())
            .select((
                PractitionerRow::as_select(),
                users::full_name,
                OrganizationRow::as_select(),
            ))
            .load(conn)?;
        let mut weekly: HashMap<String, Vec<WeeklyInterval>> = HashMap::new();
        for r in schedule_intervals::table
            .filter(schedule_intervals::practitioner_id.eq_any(ids))
            .select(ScheduleIntervalRow::as_select())
            .load(conn)?
        {
            let (Ok(starts), Ok(ends)) = (parse_hhmm(&r.starts_at), parse_hhmm(&r.ends_at)) else {
                continue;
            };
            weekly
                .entry(r.practitioner_id)
                .or_default()
                .push(WeeklyInterval {
                    weekday: r.weekday,
                    starts,
                    ends,
                });
        }
        let mut days_off: HashMap<String, Vec<NaiveDate>> = HashMap::new();
        for (practitioner, day) in schedule_exceptions::table
            .filter(schedule_exceptions::practitioner_id.eq_any(ids))
            .select((
                schedule_exceptions::practitioner_id,
                schedule_exceptions::day,
            ))
            .load::<(String, NaiveDate)>(conn)?
        {
            days_off.entry(practitioner).or_default().push(day);
        }
        Ok(found
            .into_iter()
            .map(|(practitioner, full_name, organization)| Calendar {
                weekly: weekly.remove(&practitioner.id).unwrap_or_default(),
                days_off: days_off.remove(&practitioner.id).unwrap_or_default(),
                practitioner,
                full_name,
                organization,
            })
            .collect())
    }

    fn expansion(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> AppResult<Expansion<'_>> {
        let zone = parse_time_zone(&self.organization.time_zone)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
        Ok(Expansion {
            zone,
            weekly: &self.weekly,
            days_off: &self.days_off,
            minutes: i64::from(self.organization.consultation_minutes),
            from,
            to,
        })
    }

    /// Art. 22: whether the schedule has the practitioner at work at `at` (inside one of their
    /// slots, not on a day off).
    pub fn works_at(&self, at: DateTime<Utc>) -> AppResult<bool> {
        let e = self.expansion(at - Duration::days(1), at + Duration::days(1))?;
        Ok(slots::expand(&e)
            .into_iter()
            .any(|s| s.start <= at && at < s.end))
    }

    /// Whether the schedule has the practitioner at work at some time in `[from, to)`.
    pub fn works_within(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> AppResult<bool> {
        let to = to.min(from + Duration::days(MAX_RANGE_DAYS));
        Ok(!slots::expand(&self.expansion(from, to)?).is_empty())
    }

    /// The slot that starts at `start`, if the schedule has one.
    pub fn slot_at(&self, start: DateTime<Utc>) -> AppResult<Option<Slot>> {
        let e = self.expansion(start - Duration::days(1), start + Duration::days(1))?;
        Ok(slots::expand(&e).into_iter().find(|s| s.start == start))
    }

    fn free(
        &self,
        taken: &HashSet<DateTime<Utc>>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> AppResult<Vec<Slot>> {
        Ok(slots::free(
            slots::expand(&self.expansion(from, to)?),
            taken,
            now,
        ))
    }
}

/// The slots of `practitioners` that are booked (not cancelled) in `[from, to)`, in one query.
fn taken(
    conn: &mut DbConnection,
    practitioners: &[String],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<HashMap<String, HashSet<DateTime<Utc>>>> {
    let mut taken: HashMap<String, HashSet<DateTime<Utc>>> = HashMap::new();
    for (practitioner, start) in consultations::table
        .filter(consultations::practitioner_id.eq_any(practitioners))
        .filter(consultations::status.ne("cancelled"))
        .filter(consultations::slot_start.ge(from.naive_utc()))
        .filter(consultations::slot_start.lt(to.naive_utc()))
        .select((
            consultations::practitioner_id.assume_not_null(),
            consultations::slot_start.assume_not_null(),
        ))
        .load::<(String, chrono::NaiveDateTime)>(conn)?
    {
        taken
            .entry(practitioner)
            .or_default()
            .insert(start.and_utc());
    }
    Ok(taken)
}

pub async fn list(ctx: &Context, q: SlotQuery) -> AppResult<Vec<PractitionerSlots>> {
    input::optional_time(q.from, "from")?;
    input::optional_time(q.to, "to")?;
    input::optional_id(q.practitioner.as_deref(), "practitioner")?;
    input::optional_id(q.organization.as_deref(), "organization")?;
    input::optional_code(q.specialty.as_deref(), "specialty")?;
    let now = ctx.clock.now();
    let bookable_until = now + Duration::days(ctx.settings.booking.horizon_days);
    let from = q.from.unwrap_or(now).max(now);
    let to = q.to.unwrap_or(from + Duration::days(7));
    if to <= from {
        return Err(AppError::bad_request(
            "invalid_range",
            "`to` must be after `from`",
        ));
    }
    if to - from > Duration::days(MAX_RANGE_DAYS) {
        return Err(AppError::bad_request(
            "range_too_long",
            format!("ask for at most {MAX_RANGE_DAYS} days at a time"),
        ));
    }
    if q.practitioner.is_none() && q.specialty.is_none() {
        return Err(AppError::bad_request(
            "practitioner_or_specialty_required",
            "give a practitioner or a specialty",
        ));
    }
    // A range past the horizon is no error (the page may ask for a week it ends in): it is
    // cut there, and one wholly beyond it lists nothing.
    let to = to.min(bookable_until);
    ctx.db
        .read(move |conn| {
            let mut ids = practitioners::table
                .inner_join(users::table)
                .filter(users::deactivated_at.is_null())
                .select(practitioners::id)
                .into_boxed();
            if let Some(p) = &q.practitioner {
                ids = ids.filter(practitioners::id.eq(p.clone()));
            }
            if let Some(o) = &q.organization {
                ids = ids.filter(practitioners::organization_id.eq(o.clone()));
            }
            if let Some(code) = &q.specialty {
                let with_code = practitioner_specialties::table
                    .filter(practitioner_specialties::specialty_code.eq(code.clone()))
                    .select(practitioner_specialties::practitioner_id);
                ids = ids.filter(practitioners::id.eq_any(with_code));
            }
            let ids: Vec<String> = ids.load(conn)?;
            if ids.is_empty() && q.practitioner.is_some() {
                return Err(AppError::not_found("practitioner"));
            }
            let calendars = Calendar::load_many(conn, &ids)?;
            let booked = if to > from {
                taken(conn, &ids, from, to)?
            } else {
                HashMap::new()
            };
            let none = HashSet::new();
            let mut out = Vec::with_capacity(calendars.len());
            for cal in calendars {
                let free = if to > from {
                    cal.free(
                        booked.get(&cal.practitioner.id).unwrap_or(&none),
                        from,
                        to,
                        now,
                    )?
                } else {
                    Vec::new()
                };
                out.push(PractitionerSlots {
                    practitioner_id: cal.practitioner.id,
                    full_name: cal.full_name,
                    organization_id: cal.organization.id,
                    organization_name: cal.organization.name,
                    time_zone: cal.organization.time_zone,
                    slots: free
                        .into_iter()
                        .map(|s| SlotView {
                            start: s.start,
                            end: s.end,
                        })
                        .collect(),
                    bookable_until,
                });
            }
            out.sort_by(|a, b| a.full_name.cmp(&b.full_name));
            Ok(out)
        })
        .await
}
