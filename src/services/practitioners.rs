//! Practitioners (consultants) in the public directory (Rules art. 34.2): position, specialties
//! with years of experience, qualification category, academic degree and the work schedule.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::accounts::now_naive;
use super::input::{self, optional_line, required_line};
use super::{Actor, Context};
use crate::db::models::{
    PractitionerRow, PractitionerSpecialtyRow, ScheduleExceptionRow, ScheduleIntervalRow,
};
use crate::db::schema::{
    organizations, practitioner_specialties, practitioners, schedule_exceptions,
    schedule_intervals, specialties, users,
};
use crate::db::{DbConnection, new_id, write_tx};
use crate::domain::schedule::{self, DayOff, WeeklyInterval, format_hhmm, parse_hhmm};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpecialtyExperience {
    /// A code from `GET /api/specialties`.
    pub code: String,
    /// Years of experience in this specialty (стаж по специальности).
    pub experience_years: i32,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileInput {
    pub position: String,
    pub specialties: Vec<SpecialtyExperience>,
    #[serde(default)]
    pub qualification_category: String,
    #[serde(default)]
    pub academic_degree: String,
}

/// A profile that passed validation (specialty codes are checked against the database later).
#[derive(Debug, Clone)]
pub struct ValidProfile {
    position: String,
    specialties: Vec<SpecialtyExperience>,
    qualification_category: String,
    academic_degree: String,
}

impl ProfileInput {
    pub fn validate(self) -> AppResult<ValidProfile> {
        if self.specialties.is_empty() {
            return Err(AppError::unprocessable(
                "specialty_required",
                "a practitioner has at least one specialty",
            ));
        }
        if self
            .specialties
            .iter()
            .any(|s| !(0..=70).contains(&s.experience_years))
        {
            return Err(AppError::unprocessable(
                "invalid_experience",
                "years of experience must be between 0 and 70",
            ));
        }
        let mut codes: Vec<_> = self.specialties.iter().map(|s| &s.code).collect();
        codes.sort();
        if codes.windows(2).any(|w| w[0] == w[1]) {
            return Err(AppError::unprocessable(
                "duplicate_specialty",
                "a specialty is listed twice",
            ));
        }
        Ok(ValidProfile {
            position: required_line(&self.position, "position", 200)?,
            qualification_category: optional_line(
                &self.qualification_category,
                "qualification_category",
                100,
            )?,
            academic_degree: optional_line(&self.academic_degree, "academic_degree", 100)?,
            specialties: self.specialties,
        })
    }
}

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
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleView {
    pub weekly: Vec<IntervalView>,
    #[serde(default)]
    pub days_off: Vec<DayOffView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PractitionerView {
    pub id: String,
    pub full_name: String,
    pub position: String,
    pub organization_id: String,
    pub organization_name: String,
    /// The zone the schedule is written in.
    pub time_zone: String,
    pub specialties: Vec<SpecialtyExperience>,
    pub qualification_category: String,
    pub academic_degree: String,
    pub schedule: ScheduleView,
}

pub fn ensure_specialties<'a>(
    conn: &mut DbConnection,
    codes: impl Iterator<Item = &'a String>,
) -> AppResult<()> {
    for code in codes {
        // A value of another shape is no code of the list; it need not reach the database.
        if !crate::domain::text::is_code(code) {
            return Err(AppError::unprocessable(
                "unknown_specialty",
                format!("unknown specialty code {code:?}"),
            ));
        }
        let n: i64 = specialties::table
            .filter(specialties::code.eq(code))
            .count()
            .get_result(conn)?;
        if n == 0 {
            return Err(AppError::unprocessable(
                "unknown_specialty",
                format!("unknown specialty code {code:?}"),
            ));
        }
    }
    Ok(())
}

fn replace_specialties(
    conn: &mut DbConnection,
    practitioner_id: &str,
    list: &[SpecialtyExperience],
) -> AppResult<()> {
    ensure_specialties(conn, list.iter().map(|s| &s.code))?;
    diesel::delete(
        practitioner_specialties::table
            .filter(practitioner_specialties::practitioner_id.eq(practitioner_id)),
    )
    .execute(conn)?;
    // Row by row: diesel's multi-backend connection has no batch insert.
    for s in list {
        diesel::insert_into(practitioner_specialties::table)
            .values(&PractitionerSpecialtyRow {
                practitioner_id: practitioner_id.to_owned(),
                specialty_code: s.code.clone(),
                experience_years: s.experience_years,
            })
            .execute(conn)?;
    }
    Ok(())
}

/// Creates the directory profile of a new doctor account; returns the practitioner id.
pub fn insert_profile(
    conn: &mut DbConnection,
    user_id: &str,
    organization_id: &str,
    profile: &ValidProfile,
    now: NaiveDateTime,
) -> AppResult<String> {
    let row = PractitionerRow {
        id: new_id(),
        user_id: user_id.to_owned(),
        organization_id: organization_id.to_owned(),
        position: profile.position.clone(),
        qualification_category: profile.qualification_category.clone(),
        academic_degree: profile.academic_degree.clone(),
        created_at: now,
        updated_at: now,
    };
    diesel::insert_into(practitioners::table)
        .values(&row)
        .execute(conn)?;
    replace_specialties(conn, &row.id, &profile.specialties)?;
    Ok(row.id)
}

type Joined = (PractitionerRow, String, String, String);

/// Loads directory views, optionally filtered, with specialties and schedules in three queries
/// rather than three per practitioner.
pub fn load_views(
    conn: &mut DbConnection,
    specialty: Option<&str>,
    organization: Option<&str>,
) -> AppResult<Vec<PractitionerView>> {
    let mut query = practitioners::table
        .inner_join(users::table)
        .inner_join(organizations::table)
        .select((
            PractitionerRow::as_select(),
            users::full_name,
            organizations::name,
            organizations::time_zone,
        ))
        .order(users::full_name.asc())
        .into_boxed();
    if let Some(org) = organization {
        query = query.filter(practitioners::organization_id.eq(org.to_owned()));
    }
    if let Some(code) = specialty {
        let with_code = practitioner_specialties::table
            .filter(practitioner_specialties::specialty_code.eq(code.to_owned()))
            .select(practitioner_specialties::practitioner_id);
        query = query.filter(practitioners::id.eq_any(with_code));
    }
    let rows: Vec<Joined> = query.load(conn)?;
    let ids: Vec<&String> = rows.iter().map(|r| &r.0.id).collect();
    let mut specs: HashMap<String, Vec<SpecialtyExperience>> = HashMap::new();
    for s in practitioner_specialties::table
        .filter(practitioner_specialties::practitioner_id.eq_any(&ids))
        .order(practitioner_specialties::specialty_code.asc())
        .select(PractitionerSpecialtyRow::as_select())
        .load(conn)?
    {
        specs
            .entry(s.practitioner_id)
            .or_default()
            .push(SpecialtyExperience {
                code: s.specialty_code,
                experience_years: s.experience_years,
            });
    }
    let mut weekly: HashMap<String, Vec<IntervalView>> = HashMap::new();
    for i in schedule_intervals::table
        .filter(schedule_intervals::practitioner_id.eq_any(&ids))
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
        .filter(schedule_exceptions::practitioner_id.eq_any(&ids))
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
    Ok(rows
        .into_iter()
        .map(
            |(p, full_name, organization_name, time_zone)| PractitionerView {
                specialties: specs.remove(&p.id).unwrap_or_default(),
                schedule: ScheduleView {
                    weekly: weekly.remove(&p.id).unwrap_or_default(),
                    days_off: days_off.remove(&p.id).unwrap_or_default(),
                },
                id: p.id,
                full_name,
                position: p.position,
                organization_id: p.organization_id,
                organization_name,
                time_zone,
                qualification_category: p.qualification_category,
                academic_degree: p.academic_degree,
            },
        )
        .collect())
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

pub async fn list(
    ctx: &Context,
    specialty: Option<String>,
    organization: Option<String>,
) -> AppResult<Vec<PractitionerView>> {
    let specialty = specialty.filter(|s| !s.is_empty());
    let organization = organization.filter(|s| !s.is_empty());
    input::optional_code(specialty.as_deref(), "specialty")?;
    input::optional_id(organization.as_deref(), "organization")?;
    ctx.db
        .run(move |conn| {
            load_views(
                conn,
                specialty.as_deref().filter(|s| !s.is_empty()),
                organization.as_deref().filter(|s| !s.is_empty()),
            )
        })
        .await
}

fn find_view(conn: &mut DbConnection, id: &str) -> AppResult<PractitionerView> {
    let org: String = practitioners::table
        .find(id)
        .select(practitioners::organization_id)
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("practitioner"))?;
    load_views(conn, None, Some(&org))?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| AppError::not_found("practitioner"))
}

pub async fn get(ctx: &Context, id: String) -> AppResult<PractitionerView> {
    ctx.db.run(move |conn| find_view(conn, &id)).await
}

/// Loads the practitioner's organisation and checks the actor administers it.
fn authorize(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<()> {
    let org: String = practitioners::table
        .find(id)
        .select(practitioners::organization_id)
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("practitioner"))?;
    actor.require_manager_of(&org)
}

pub async fn update_profile(
    ctx: &Context,
    actor: &Actor,
    id: String,
    input: ProfileInput,
) -> AppResult<PractitionerView> {
    let profile = input.validate()?;
    let now = now_naive(ctx);
    let (ctx2, actor) = (ctx.clone(), actor.clone());
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                authorize(conn, &actor, &id)?;
                diesel::update(practitioners::table.find(&id))
                    .set((
                        practitioners::position.eq(&profile.position),
                        practitioners::qualification_category.eq(&profile.qualification_category),
                        practitioners::academic_degree.eq(&profile.academic_degree),
                        practitioners::updated_at.eq(now),
                    ))
                    .execute(conn)?;
                replace_specialties(conn, &id, &profile.specialties)?;
                actor.audit_change(
                    conn,
                    ctx2.clock.now(),
                    "practitioner.update",
                    "practitioner",
                    &id,
                )?;
                find_view(conn, &id)
            })
        })
        .await
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
                find_view(conn, &id)
            })
        })
        .await
}
