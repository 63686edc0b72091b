//! Practitioners (consultants) in the public directory (Rules art. 34.2): position, specialties
//! with years of experience, qualification category, academic degree and the work schedule.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::accounts::now_naive;
use super::input::{self, optional_line, required_line};
use super::texts::{self, Translatable, Translations, one_line};
use super::{Actor, Context};
use crate::db::models::{PractitionerRow, PractitionerSpecialtyRow};
use crate::db::schema::{
    organizations, practitioner_specialties, practitioners, specialties, users,
};
use crate::db::{DbConnection, new_id, write_tx};
use crate::domain::account::Language;
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
    /// The position, category and degree in Kazakh and English (`{"kk": {"position": "…"}}`);
    /// the fields above are the Russian ones. Absent: the stored translations stay.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub translations: Option<Translations>,
}

/// The practitioner's texts written per language: job titles read in the reader's language.
pub const TRANSLATABLE: [Translatable; 3] = [
    one_line("position", 200),
    one_line("qualification_category", 100),
    one_line("academic_degree", 100),
];

/// A profile that passed validation (specialty codes are checked against the database later).
#[derive(Debug, Clone)]
pub struct ValidProfile {
    position: String,
    specialties: Vec<SpecialtyExperience>,
    qualification_category: String,
    academic_degree: String,
    translations: Option<Translations>,
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
            translations: self
                .translations
                .as_ref()
                .map(|t| texts::validate(t, &TRANSLATABLE))
                .transpose()?,
            specialties: self.specialties,
        })
    }
}

pub use super::schedules::{DayOffView, IntervalView, ScheduleView, insert_schedule, set_schedule};

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
    /// Every stored Kazakh and English text, for the administrator's form; the position,
    /// category and degree above are already in the reader's language.
    #[schema(value_type = Object)]
    pub translations: Translations,
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
    if let Some(t) = &profile.translations {
        texts::replace(conn, "practitioner", &row.id, t)?;
    }
    Ok(row.id)
}

type Joined = (PractitionerRow, String, String, String);

/// Whose views to load: the public directory shows only doctors whose accounts are active.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Accounts {
    Active,
    All,
}

/// [`load_views_in`] with Russian texts.
pub fn load_views(
    conn: &mut DbConnection,
    specialty: Option<&str>,
    organization: Option<&str>,
) -> AppResult<Vec<PractitionerView>> {
    load_views_in(conn, specialty, organization, Language::Ru)
}

/// Loads the directory's views (active accounts), optionally filtered, with texts in `lang`.
pub fn load_views_in(
    conn: &mut DbConnection,
    specialty: Option<&str>,
    organization: Option<&str>,
    lang: Language,
) -> AppResult<Vec<PractitionerView>> {
    load(conn, specialty, organization, lang, Accounts::Active)
}

/// Loads views with specialties, schedules and texts in a few queries rather than a few per
/// practitioner.
fn load(
    conn: &mut DbConnection,
    specialty: Option<&str>,
    organization: Option<&str>,
    lang: Language,
    accounts: Accounts,
) -> AppResult<Vec<PractitionerView>> {
    load_filtered(conn, None, specialty, organization, lang, accounts)
}

/// [`load`], optionally of one practitioner only (a profile page reads one, not its clinic's).
fn load_filtered(
    conn: &mut DbConnection,
    only: Option<&str>,
    specialty: Option<&str>,
    organization: Option<&str>,
    lang: Language,
    accounts: Accounts,
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
    if let Some(id) = only {
        query = query.filter(practitioners::id.eq(id.to_owned()));
    }
    if accounts == Accounts::Active {
        query = query.filter(users::deactivated_at.is_null());
    }
    if let Some(code) = specialty {
        let with_code = practitioner_specialties::table
            .filter(practitioner_specialties::specialty_code.eq(code.to_owned()))
            .select(practitioner_specialties::practitioner_id);
        query = query.filter(practitioners::id.eq_any(with_code));
    }
    let rows: Vec<Joined> = query.load(conn)?;
    let ids: Vec<&String> = rows.iter().map(|r| &r.0.id).collect();
    let mut translated = texts::load(conn, "practitioner", &ids)?;
    let org_ids: Vec<&String> = rows.iter().map(|r| &r.0.organization_id).collect();
    let org_texts = texts::load(conn, "organization", &org_ids)?;
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
    let mut schedules = super::schedules::load(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|(p, full_name, organization_name, time_zone)| {
            let t = translated.remove(&p.id).unwrap_or_default();
            let pick = |field: &str, russian: String| texts::pick(Some(&t), lang, field, russian);
            PractitionerView {
                specialties: specs.remove(&p.id).unwrap_or_default(),
                schedule: schedules.remove(&p.id).unwrap_or_default(),
                position: pick("position", p.position),
                qualification_category: pick("qualification_category", p.qualification_category),
                academic_degree: pick("academic_degree", p.academic_degree),
                organization_name: texts::pick(
                    org_texts.get(&p.organization_id),
                    lang,
                    "name",
                    organization_name,
                ),
                id: p.id,
                full_name,
                organization_id: p.organization_id,
                time_zone,
                translations: t,
            }
        })
        .collect())
}

pub async fn list(
    ctx: &Context,
    specialty: Option<String>,
    organization: Option<String>,
    lang: Language,
) -> AppResult<Vec<PractitionerView>> {
    let specialty = specialty.filter(|s| !s.is_empty());
    let organization = organization.filter(|s| !s.is_empty());
    input::optional_code(specialty.as_deref(), "specialty")?;
    input::optional_id(organization.as_deref(), "organization")?;
    ctx.db
        .read(move |conn| {
            load_views_in(
                conn,
                specialty.as_deref().filter(|s| !s.is_empty()),
                organization.as_deref().filter(|s| !s.is_empty()),
                lang,
            )
        })
        .await
}

/// One practitioner's view; `Accounts::All` for their administrators, who still manage the
/// profile and schedule of a deactivated doctor.
pub(super) fn find_view(
    conn: &mut DbConnection,
    id: &str,
    lang: Language,
    accounts: Accounts,
) -> AppResult<PractitionerView> {
    load_filtered(conn, Some(id), None, None, lang, accounts)?
        .pop()
        .ok_or_else(|| AppError::not_found("practitioner"))
}

/// A practitioner of the public directory (an active account), with texts in `lang`.
pub async fn get(ctx: &Context, id: String, lang: Language) -> AppResult<PractitionerView> {
    ctx.db
        .read(move |conn| find_view(conn, &id, lang, Accounts::Active))
        .await
}

/// Loads the practitioner's organisation and checks the actor administers it.
pub(super) fn authorize(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<()> {
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
                if let Some(t) = &profile.translations {
                    texts::replace(conn, "practitioner", &id, t)?;
                }
                actor.audit_change(
                    conn,
                    ctx2.clock.now(),
                    "practitioner.update",
                    "practitioner",
                    &id,
                )?;
                find_view(conn, &id, Language::Ru, Accounts::All)
            })
        })
        .await
}
