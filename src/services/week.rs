//! A practitioner's week: the working hours the weekly pattern and the days off give each day
//! (the organisation's local time), and the consultations booked in it. The doctor reads their
//! own; the organisation's administrators and support read it to schedule.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::input;
use super::practitioners::IntervalView;
use super::{Actor, Context};
use crate::access::organization::{audit_listed, week_reader};
use crate::db::models::{ScheduleExceptionRow, ScheduleIntervalRow};
use crate::db::schema::{
    consultations as c, organizations, practitioners, schedule_exceptions, schedule_intervals,
    users,
};
use crate::db::{DbConnection, write_tx};
use crate::domain::organization::parse_time_zone;
use crate::domain::schedule::{self, DayOff, WeeklyInterval, format_hhmm, parse_hhmm};
use crate::error::{AppError, AppResult};

#[derive(Debug, Deserialize, IntoParams)]
pub struct WeekQuery {
    /// Any day of the wanted week (`YYYY-MM-DD`, the organisation's calendar); today by default.
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DayView {
    pub date: NaiveDate,
    /// 1 = Monday … 7 = Sunday.
    pub weekday: i32,
    pub day_off: bool,
    pub day_off_reason: String,
    /// Working hours, local time.
    pub hours: Vec<IntervalView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PatientRef {
    pub id: String,
    pub full_name: String,
}

/// A consultation of the week: a real-time one at its slot, a deferred one at its deadline.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookingView {
    pub id: String,
    pub status: String,
    pub mode: String,
    pub urgency: String,
    pub slot_start: Option<DateTime<Utc>>,
    pub slot_end: Option<DateTime<Utc>>,
    pub deadline_at: Option<DateTime<Utc>>,
    pub patient: PatientRef,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WeekView {
    pub practitioner_id: String,
    pub full_name: String,
    /// The zone of the hours and of the week's bounds.
    pub time_zone: String,
    /// The Monday the week starts on.
    pub week_start: NaiveDate,
    pub days: Vec<DayView>,
    /// Not cancelled or declined, earliest first.
    pub consultations: Vec<BookingView>,
}

/// The instant a local calendar day starts in the zone (the earlier one across a clock change).
fn day_start(tz: Tz, day: NaiveDate) -> AppResult<DateTime<Utc>> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    tz.from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no midnight on {day} in {tz}")))
}

type Booked = (
    String,
    String,
    String,
    String,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    String,
    String,
);

fn bookings(
    conn: &mut DbConnection,
    practitioner_id: &str,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> AppResult<Vec<BookingView>> {
    let in_week = c::slot_start
        .ge(from)
        .and(c::slot_start.lt(to))
        .or(c::slot_start
            .is_null()
            .and(c::deadline_at.ge(from))
            .and(c::deadline_at.lt(to)));
    let rows: Vec<Booked> = c::table
        .inner_join(users::table.on(users::id.eq(c::patient_id)))
        .filter(c::practitioner_id.eq(practitioner_id))
        .filter(c::status.ne_all(["cancelled", "declined"]))
        .filter(in_week)
        .select((
            c::id,
            c::status,
            c::mode,
            c::urgency,
            c::slot_start,
            c::slot_end,
            c::deadline_at,
            c::patient_id,
            users::full_name,
        ))
        .load(conn)?;
    let mut out: Vec<BookingView> = rows
        .into_iter()
        .map(
            |(id, status, mode, urgency, start, end, deadline, patient, name)| BookingView {
                id,
                status,
                mode,
                urgency,
                slot_start: start.map(|t| t.and_utc()),
                slot_end: end.map(|t| t.and_utc()),
                deadline_at: deadline.map(|t| t.and_utc()),
                patient: PatientRef {
                    id: patient,
                    full_name: name,
                },
            },
        )
        .collect();
    out.sort_by_key(|b| b.slot_start.or(b.deadline_at));
    Ok(out)
}

fn pattern(
    conn: &mut DbConnection,
    practitioner_id: &str,
) -> AppResult<(Vec<WeeklyInterval>, Vec<DayOff>)> {
    let mut intervals = Vec::new();
    for i in schedule_intervals::table
        .filter(schedule_intervals::practitioner_id.eq(practitioner_id))
        .select(ScheduleIntervalRow::as_select())
        .load(conn)?
    {
        // Stored by the checked schedule writer; a row that no longer parses is left out.
        if let (Ok(starts), Ok(ends)) = (parse_hhmm(&i.starts_at), parse_hhmm(&i.ends_at)) {
            intervals.push(WeeklyInterval {
                weekday: i.weekday,
                starts,
                ends,
            });
        }
    }
    let days_off = schedule_exceptions::table
        .filter(schedule_exceptions::practitioner_id.eq(practitioner_id))
        .select(ScheduleExceptionRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|d| DayOff {
            day: d.day,
            reason: d.reason,
        })
        .collect();
    Ok((intervals, days_off))
}

/// The week of `practitioner_id` containing `date` (today in the organisation's zone when none).
pub async fn of_practitioner(
    ctx: &Context,
    actor: &Actor,
    practitioner_id: String,
    date: Option<NaiveDate>,
) -> AppResult<WeekView> {
    if let Some(d) = date {
        input::day(d, "date")?;
    }
    let actor = actor.clone();
    let now = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            let (_, organization) = week_reader(conn, &actor, &practitioner_id)?;
            let (zone, full_name): (String, String) = practitioners::table
                .inner_join(users::table)
                .inner_join(organizations::table)
                .filter(practitioners::id.eq(&practitioner_id))
                .filter(organizations::id.eq(&organization))
                .select((organizations::time_zone, users::full_name))
                .first(conn)?;
            let tz = parse_time_zone(&zone)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("stored zone: {e}")))?;
            let today = now.with_timezone(&tz).date_naive();
            let monday = schedule::monday_of(date.unwrap_or(today));
            let from = day_start(tz, monday)?.naive_utc();
            let to = day_start(tz, monday + Duration::days(7))?.naive_utc();
            let (intervals, days_off) = pattern(conn, &practitioner_id)?;
            let consultations = bookings(conn, &practitioner_id, from, to)?;
            let patients: Vec<&str> = consultations
                .iter()
                .map(|b| b.patient.id.as_str())
                .collect();
            write_tx(conn, |conn| {
                audit_listed(conn, &actor, now, "schedule.week.read", &patients)
            })?;
            Ok(WeekView {
                days: schedule::week(monday, &intervals, &days_off)
                    .into_iter()
                    .map(|d| DayView {
                        date: d.date,
                        weekday: d.weekday,
                        day_off: d.day_off.is_some(),
                        day_off_reason: d.day_off.unwrap_or_default(),
                        hours: d
                            .hours
                            .into_iter()
                            .map(|(s, e)| IntervalView {
                                weekday: d.weekday,
                                start: format_hhmm(s),
                                end: format_hhmm(e),
                            })
                            .collect(),
                    })
                    .collect(),
                practitioner_id,
                full_name,
                time_zone: zone,
                week_start: monday,
                consultations,
            })
        })
        .await
}

/// The signed-in doctor's own week.
pub async fn mine(ctx: &Context, actor: &Actor, date: Option<NaiveDate>) -> AppResult<WeekView> {
    let user = actor.user_id.clone();
    let id: Option<String> = ctx
        .db
        .run(move |conn| {
            Ok(practitioners::table
                .filter(practitioners::user_id.eq(&user))
                .select(practitioners::id)
                .first(conn)
                .optional()?)
        })
        .await?;
    // Only doctors have a directory profile; anyone else has no week to read.
    let id = id.ok_or_else(AppError::forbidden)?;
    of_practitioner(ctx, actor, id, date).await
}
