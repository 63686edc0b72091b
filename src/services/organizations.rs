//! Medical organisations and what they must disclose (Rules art. 34): licence, services,
//! GOBMP/OSMS, internal rules (art. 8), terms and the versioned public offer.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::accounts::now_naive;
use super::input::{checked_characters, optional_code, required_line};
use super::practitioners::{self, PractitionerView};
use super::{Actor, Context, optional_text, required_text};
use crate::db::models::{OfferVersionRow, OrganizationRow};
use crate::db::schema::{
    offer_versions, organizations, practitioner_specialties, practitioners as pr, specialties,
};
use crate::db::{DbConnection, new_id, write_tx};
use crate::domain::account::Role;
use crate::domain::organization::{
    InternalRules, PriceItem, ServiceKind, parse_time_zone, validate_price_list,
};
use crate::domain::text::Lines;
use crate::error::{AppError, AppResult};

/// Everything an administrator sets about an organisation. Terms are free text shown as written.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationInput {
    pub name: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub licence_number: String,
    /// Profiles the medical licence covers, as specialty codes.
    pub licensed_profiles: Vec<String>,
    pub service_kinds: Vec<ServiceKind>,
    /// Provides care within the guaranteed free volume (ГОБМП).
    pub gobmp: bool,
    /// Provides care within compulsory social health insurance (ОСМС).
    pub osms: bool,
    /// IANA time zone, e.g. `Asia/Almaty`.
    pub time_zone: String,
    pub consultation_minutes: i32,
    /// Accepted only within 3–24 hours (Rules art. 8).
    pub urgent_deadline_hours: i32,
    pub planned_deadline_hours: i32,
    pub paid: bool,
    #[serde(default)]
    pub price_list: Vec<PriceItem>,
    #[serde(default)]
    pub payment_procedure: String,
    #[serde(default)]
    pub consent_procedure: String,
    #[serde(default)]
    pub anonymous_consultation: String,
    #[serde(default)]
    pub identification_procedure: String,
    #[serde(default)]
    pub conclusion_procedure: String,
    #[serde(default)]
    pub document_requirements: String,
    /// How the public offer is accepted (click, code by e-mail, …).
    #[serde(default)]
    pub offer_acceptance: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OfferView {
    pub version: i32,
    pub body: String,
    /// SHA-256 of the UTF-8 text, so an acceptance can name exactly what was accepted.
    pub sha256: String,
    pub published_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationSummary {
    pub id: String,
    pub name: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub time_zone: String,
    pub service_kinds: Vec<ServiceKind>,
    /// The licence's profiles: which studies the organisation may interpret (Order No. 5 of 2025).
    pub licensed_profiles: Vec<String>,
    pub gobmp: bool,
    pub osms: bool,
    pub paid: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationView {
    pub id: String,
    pub name: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub licence_number: String,
    pub licensed_profiles: Vec<String>,
    pub service_kinds: Vec<ServiceKind>,
    pub gobmp: bool,
    pub osms: bool,
    pub time_zone: String,
    pub consultation_minutes: i32,
    pub urgent_deadline_hours: i32,
    pub planned_deadline_hours: i32,
    pub paid: bool,
    pub price_list: Vec<PriceItem>,
    pub payment_procedure: String,
    pub consent_procedure: String,
    pub anonymous_consultation: String,
    pub identification_procedure: String,
    pub conclusion_procedure: String,
    pub document_requirements: String,
    pub offer_acceptance: String,
    /// The public offer in force (art. 34.3), if published.
    pub offer: Option<OfferView>,
    pub practitioners: Vec<PractitionerView>,
}

fn from_json<T: serde::de::DeserializeOwned + Default>(text: &str) -> T {
    serde_json::from_str(text).unwrap_or_default()
}

fn summary(row: OrganizationRow) -> OrganizationSummary {
    OrganizationSummary {
        service_kinds: from_json(&row.service_kinds),
        licensed_profiles: from_json(&row.licensed_profiles),
        id: row.id,
        name: row.name,
        address: row.address,
        phone: row.phone,
        email: row.email,
        time_zone: row.time_zone,
        gobmp: row.gobmp,
        osms: row.osms,
        paid: row.paid,
    }
}

pub fn ensure_exists(conn: &mut DbConnection, id: &str) -> AppResult<()> {
    let n: i64 = organizations::table
        .filter(organizations::id.eq(id))
        .count()
        .get_result(conn)?;
    if n == 0 {
        return Err(AppError::not_found("organization"));
    }
    Ok(())
}

/// Checks the input against the rules and the specialty list; returns the row fields.
fn validated(conn: &mut DbConnection, input: OrganizationInput) -> AppResult<OrganizationRow> {
    InternalRules {
        consultation_minutes: input.consultation_minutes,
        urgent_deadline_hours: input.urgent_deadline_hours,
        planned_deadline_hours: input.planned_deadline_hours,
    }
    .validate()
    .map_err(|e| AppError::unprocessable(e.code(), e))?;
    parse_time_zone(input.time_zone.trim()).map_err(|e| AppError::unprocessable(e.code(), e))?;
    validate_price_list(&input.price_list).map_err(|e| AppError::unprocessable(e.code(), e))?;
    for item in &input.price_list {
        checked_characters(&item.service, "price_list.service", Lines::One)?;
    }
    checked_characters(input.email.trim(), "email", Lines::One)?;
    if input.paid && input.price_list.is_empty() {
        return Err(AppError::unprocessable(
            "price_list_required",
            "a paid service needs a price list (art. 34)",
        ));
    }
    super::practitioners::ensure_specialties(conn, input.licensed_profiles.iter())?;
    let mut kinds: Vec<ServiceKind> = Vec::new();
    for k in &input.service_kinds {
        if !kinds.contains(k) {
            kinds.push(*k);
        }
    }
    let t = |v: &str, f: &'static str| optional_text(v, f, 5000);
    Ok(OrganizationRow {
        id: String::new(),
        name: required_line(&input.name, "name", 300)?,
        address: required_line(&input.address, "address", 500)?,
        phone: required_line(&input.phone, "phone", 50)?,
        email: crate::domain::account::Email::parse(&input.email)
            .ok_or_else(|| {
                AppError::unprocessable("invalid_email", "the e-mail address is not valid")
            })?
            .as_str()
            .to_owned(),
        licence_number: required_line(&input.licence_number, "licence_number", 100)?,
        licensed_profiles: serde_json::to_string(&input.licensed_profiles)
            .map_err(anyhow::Error::from)?,
        service_kinds: serde_json::to_string(&kinds).map_err(anyhow::Error::from)?,
        gobmp: input.gobmp,
        osms: input.osms,
        time_zone: input.time_zone.trim().to_owned(),
        consultation_minutes: input.consultation_minutes,
        urgent_deadline_hours: input.urgent_deadline_hours,
        planned_deadline_hours: input.planned_deadline_hours,
        paid: input.paid,
        price_list: serde_json::to_string(&input.price_list).map_err(anyhow::Error::from)?,
        payment_procedure: t(&input.payment_procedure, "payment_procedure")?,
        consent_procedure: t(&input.consent_procedure, "consent_procedure")?,
        anonymous_consultation: t(&input.anonymous_consultation, "anonymous_consultation")?,
        identification_procedure: t(&input.identification_procedure, "identification_procedure")?,
        conclusion_procedure: t(&input.conclusion_procedure, "conclusion_procedure")?,
        document_requirements: t(&input.document_requirements, "document_requirements")?,
        offer_acceptance: t(&input.offer_acceptance, "offer_acceptance")?,
        created_at: Default::default(),
        updated_at: Default::default(),
    })
}

pub async fn list(ctx: &Context, specialty: Option<String>) -> AppResult<Vec<OrganizationSummary>> {
    let specialty = specialty.filter(|s| !s.is_empty());
    optional_code(specialty.as_deref(), "specialty")?;
    ctx.db
        .run(move |conn| {
            let mut query = organizations::table
                .select(OrganizationRow::as_select())
                .order(organizations::name.asc())
                .into_boxed();
            if let Some(code) = specialty {
                let with_specialty = pr::table
                    .inner_join(practitioner_specialties::table)
                    .filter(practitioner_specialties::specialty_code.eq(code))
                    .select(pr::organization_id);
                query = query.filter(organizations::id.eq_any(with_specialty));
            }
            Ok(query.load(conn)?.into_iter().map(summary).collect())
        })
        .await
}

pub async fn get(ctx: &Context, id: String) -> AppResult<OrganizationView> {
    ctx.db
        .run(move |conn| {
            let row: OrganizationRow = organizations::table
                .find(&id)
                .select(OrganizationRow::as_select())
                .first(conn)
                .optional()?
                .ok_or_else(|| AppError::not_found("organization"))?;
            let offer = offer_versions::table
                .filter(offer_versions::organization_id.eq(&id))
                .order(offer_versions::version.desc())
                .select(OfferVersionRow::as_select())
                .first(conn)
                .optional()?
                .map(|o| OfferView {
                    version: o.version,
                    body: o.body,
                    sha256: o.sha256,
                    published_at: o.published_at.and_utc(),
                });
            let practitioners = practitioners::load_views(conn, None, Some(&id))?;
            Ok(OrganizationView {
                licensed_profiles: from_json(&row.licensed_profiles),
                service_kinds: from_json(&row.service_kinds),
                price_list: from_json(&row.price_list),
                id: row.id,
                name: row.name,
                address: row.address,
                phone: row.phone,
                email: row.email,
                licence_number: row.licence_number,
                gobmp: row.gobmp,
                osms: row.osms,
                time_zone: row.time_zone,
                consultation_minutes: row.consultation_minutes,
                urgent_deadline_hours: row.urgent_deadline_hours,
                planned_deadline_hours: row.planned_deadline_hours,
                paid: row.paid,
                payment_procedure: row.payment_procedure,
                consent_procedure: row.consent_procedure,
                anonymous_consultation: row.anonymous_consultation,
                identification_procedure: row.identification_procedure,
                conclusion_procedure: row.conclusion_procedure,
                document_requirements: row.document_requirements,
                offer_acceptance: row.offer_acceptance,
                offer,
                practitioners,
            })
        })
        .await
}

/// Registering an organisation is the platform operator's act; its administrators take over.
pub async fn create(
    ctx: &Context,
    actor: &Actor,
    input: OrganizationInput,
) -> AppResult<OrganizationView> {
    if actor.role != Role::PlatformAdmin {
        return Err(AppError::forbidden());
    }
    let now = now_naive(ctx);
    let id = {
        let (ctx2, actor) = (ctx.clone(), actor.clone());
        ctx.db
            .run(move |conn| {
                write_tx(conn, |conn| {
                    let mut row = validated(conn, input)?;
                    row.id = new_id();
                    row.created_at = now;
                    row.updated_at = now;
                    diesel::insert_into(organizations::table)
                        .values(&row)
                        .execute(conn)?;
                    actor.audit_change(
                        conn,
                        ctx2.clock.now(),
                        "organization.create",
                        "organization",
                        &row.id,
                    )?;
                    Ok(row.id)
                })
            })
            .await?
    };
    get(ctx, id).await
}

pub async fn update(
    ctx: &Context,
    actor: &Actor,
    id: String,
    input: OrganizationInput,
) -> AppResult<OrganizationView> {
    actor.require_manager_of(&id)?;
    let now = now_naive(ctx);
    {
        let (ctx2, actor, id) = (ctx.clone(), actor.clone(), id.clone());
        ctx.db
            .run(move |conn| {
                write_tx(conn, |conn| {
                    let existing: OrganizationRow = organizations::table
                        .find(&id)
                        .select(OrganizationRow::as_select())
                        .first(conn)
                        .optional()?
                        .ok_or_else(|| AppError::not_found("organization"))?;
                    let mut row = validated(conn, input)?;
                    row.id = existing.id;
                    row.created_at = existing.created_at;
                    row.updated_at = now;
                    diesel::update(organizations::table.find(&id))
                        .set(&row)
                        .execute(conn)?;
                    actor.audit_change(
                        conn,
                        ctx2.clock.now(),
                        "organization.update",
                        "organization",
                        &id,
                    )
                })
            })
            .await?;
    }
    get(ctx, id).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferInput {
    pub body: String,
}

/// Publishes a new version of the public offer; earlier versions stay, since acceptances name them.
pub async fn publish_offer(
    ctx: &Context,
    actor: &Actor,
    id: String,
    input: OfferInput,
) -> AppResult<OfferView> {
    actor.require_manager_of(&id)?;
    let body = required_text(&input.body, "body", 100_000)?;
    let now = now_naive(ctx);
    let (ctx2, actor) = (ctx.clone(), actor.clone());
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                ensure_exists(conn, &id)?;
                let last: Option<i32> = offer_versions::table
                    .filter(offer_versions::organization_id.eq(&id))
                    .select(diesel::dsl::max(offer_versions::version))
                    .first(conn)?;
                let row = OfferVersionRow {
                    id: new_id(),
                    organization_id: id.clone(),
                    version: last.unwrap_or(0) + 1,
                    sha256: hex::encode(Sha256::digest(body.as_bytes())),
                    body,
                    published_at: now,
                };
                diesel::insert_into(offer_versions::table)
                    .values(&row)
                    .execute(conn)?;
                actor.audit_change(
                    conn,
                    ctx2.clock.now(),
                    "organization.offer.publish",
                    "organization",
                    &id,
                )?;
                Ok(OfferView {
                    version: row.version,
                    body: row.body,
                    sha256: row.sha256,
                    published_at: row.published_at.and_utc(),
                })
            })
        })
        .await
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SpecialtyView {
    pub code: String,
    pub name_ru: String,
    pub name_kk: String,
    pub name_en: String,
}

pub async fn specialties(ctx: &Context) -> AppResult<Vec<SpecialtyView>> {
    ctx.db
        .run(|conn| {
            Ok(specialties::table
                .order(specialties::code.asc())
                .select((
                    specialties::code,
                    specialties::name_ru,
                    specialties::name_kk,
                    specialties::name_en,
                ))
                .load::<(String, String, String, String)>(conn)?
                .into_iter()
                .map(|(code, name_ru, name_kk, name_en)| SpecialtyView {
                    code,
                    name_ru,
                    name_kk,
                    name_en,
                })
                .collect())
        })
        .await
}
