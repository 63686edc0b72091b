//! A practitioner's work schedule (график работы, art. 34): the weekly pattern in the
//! organisation's local time and the days off, as the directory shows them and the
//! administrator replaces them.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::input::{self, optional_line};
use super::practitioners::{Accounts, PractitionerView, authorize, find_view};
use super::{Actor, Context};
use crate::db::models::{ScheduleExceptionRow, ScheduleIntervalRow};
use crate::db::schema::{schedule_exceptions, schedule_intervals};
use crate::db::{DbConnection, new_id, write_tx};
use crate::domain::account::Language;
use crate::domain::schedule::{self, DayOff, WeeklyInterval, format_hhmm, parse_hhmm};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntervalView {
    /// 1 = Monday … 7 = Sunday.
    pub weekday: i32,
    /// Local time of the organisation, `HH:MM`.
    pub start: String,
    pub end: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayOffView {
    pub date: NaiveDate,
    #[serde(default)]
    pub reason: String,
}

/// The weekly schedule in the organisation's local time, with its exceptions.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleView {
    pub weekly: Vec<IntervalView>,
    #[serde(default)]
    pub days_off: Vec<DayOffView>,
}

/// The schedules of many practitioners in two queries, by practitioner id.
pub fn load(conn: &mut DbConnection, ids: &[&String]) -> AppResult<HashMap<String, ScheduleView>> {
    let mut weekly: HashMap<String, Vec<IntervalView>> = HashMap::new();
    for i in schedule_intervals::table
        .filter(schedule_intervals::practitioner_id.eq_any(ids))
        .order((
            schedule_intervals::weekday.asc(),
            schedule_intervals::starts_at.asc(),
        ))
        .select(ScheduleIntervalRow::as_select())
        .load(conn)?
    {
        weekly
            .entry(i.practitioner_id)
            .or_default()
            .push(IntervalView {
                weekday: i.weekday,
                start: i.starts_at,
                end: i.ends_at,
            });
    }
    let mut days_off: HashMap<String, Vec<DayOffView>> = HashMap::new();
    for d in schedule_exceptions::table
        .filter(schedule_exceptions::practitioner_id.eq_any(ids))
        .order(schedule_exceptions::day.asc())
        .select(ScheduleExceptionRow::as_select())
        .load(conn)?
    {
        days_off
            .entry(d.practitioner_id)
            .or_default()
            .push(DayOffView {
                date: d.day,
                reason: d.reason,
            });
    }
    let mut out: HashMap<String, ScheduleView> = HashMap::new();
    for (id, list) in weekly {
        out.entry(id).or_default().weekly = list;
    }
    for (id, list) in days_off {
        out.entry(id).or_default().days_off = list;
    }
    Ok(out)
}

/// Writes a schedule row by row (the multi-backend connection has no batch insert).
pub fn insert_schedule(
    conn: &mut DbConnection,
    practitioner_id: &str,
    intervals: &[WeeklyInterval],
    days_off: &[DayOff],
) -> AppResult<()> {
    for i in intervals {
        diesel::insert_into(schedule_intervals::table)
            .values(&ScheduleIntervalRow {
                id: new_id(),
                practitioner_id: practitioner_id.to_owned(),
                weekday: i.weekday,
                starts_at: format_hhmm(i.starts),
                ends_at: format_hhmm(i.ends),
            })
            .execute(conn)?;
    }
    for d in days_off {
        diesel::insert_into(schedule_exceptions::table)
            .values(&ScheduleExceptionRow {
                id: new_id(),
                practitioner_id: practitioner_id.to_owned(),
                day: d.day,
                reason: d.reason.clone(),
            })
            .execute(conn)?;
    }
    Ok(())
}

/// Replaces the weekly schedule and days off as one unit, so readers never see half of it.
pub async fn set_schedule(
    ctx: &Context,
    actor: &Actor,
    id: String,
    input: ScheduleView,
) -> AppResult<PractitionerView> {
    let mut intervals = Vec::with_capacity(input.weekly.len());
    for i in &input.weekly {
        let parse =
            |s: &str| parse_hhmm(s).map_err(|e| AppError::unprocessable("invalid_schedule", e));
        intervals.push(WeeklyInterval {
            weekday: i.weekday,
            starts: parse(&i.start)?,
            ends: parse(&i.end)?,
        });
    }
    let mut days_off = Vec::with_capacity(input.days_off.len());
    for d in &input.days_off {
        days_off.push(DayOff {
            day: input::day(d.date, "days_off.date")?,
            reason: optional_line(&d.reason, "days_off.reason", 200)?,
        });
    }
    schedule::validate(&intervals, &days_off)
        .map_err(|e| AppError::unprocessable("invalid_schedule", e))?;
    let (ctx2, actor) = (ctx.clone(), actor.clone());
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                authorize(conn, &actor, &id)?;
                diesel::delete(
                    schedule_intervals::table.filter(schedule_intervals::practitioner_id.eq(&id)),
                )
                .execute(conn)?;
                diesel::delete(
                    schedule_exceptions::table.filter(schedule_exceptions::practitioner_id.eq(&id)),
                )
                .execute(conn)?;
                insert_schedule(conn, &id, &intervals, &days_off)?;
                actor.audit_change(
                    conn,
                    ctx2.clock.now(),
                    "practitioner.schedule",
                    "practitioner",
                    &id,
                )?;
                find_view(conn, &id, Language::Ru, Accounts::All)
            })
        })
        .await
}
