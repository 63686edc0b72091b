//! Medical organisations and what they must disclose (Rules art. 34): licence, services,
//! GOBMP/OSMS, internal rules (art. 8), terms and the versioned public offer.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::accounts::now_naive;
use super::input::{checked_characters, optional_code, required_line};
use super::practitioners::{self, PractitionerView};
use super::texts::{self, Translatable, Translations, many_lines, one_line};
use super::{Actor, Context, optional_text};
use crate::db::models::{OfferVersionRow, OrganizationRow};
use crate::db::schema::{
    offer_versions, organizations, practitioner_specialties, practitioners as pr,
};
use crate::db::{DbConnection, new_id, write_tx};
use crate::domain::account::{Language, Role};
use crate::domain::organization::{
    InternalRules, PriceItem, ServiceKind, parse_time_zone, validate_price_list,
};
use crate::domain::text::Lines;

/// The offer's versions and the specialty list live in `offers`; named here as before.
pub use super::offers::{OfferInput, OfferView, SpecialtyView, publish_offer, specialties};
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
    /// The organisation's texts in Kazakh and English (`{"kk": {"address": "…"}}`); the fields
    /// above are the Russian ones. Absent: the stored translations stay; given: they are
    /// replaced, and a blank text removes its translation.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub translations: Option<Translations>,
    /// The largest file accepted in the organisation's consultations, in bytes; at most the
    /// platform's limit. Absent or null: the platform's limit.
    #[serde(default)]
    pub max_file_bytes: Option<u64>,
}

/// The organisation's texts that are written per language (ru required, kk and en optional).
pub const TRANSLATABLE: [Translatable; 9] = [
    one_line("name", 300),
    one_line("address", 500),
    many_lines("payment_procedure", 5000),
    many_lines("consent_procedure", 5000),
    many_lines("anonymous_consultation", 5000),
    many_lines("identification_procedure", 5000),
    many_lines("conclusion_procedure", 5000),
    many_lines("document_requirements", 5000),
    many_lines("offer_acceptance", 5000),
];

/// One line of the price list as a reader sees it: `title` is the service's name in the
/// reader's language (Russian where not translated); `service` stays the Russian name a
/// booking refers to.
#[derive(Debug, Serialize, ToSchema)]
pub struct PriceLine {
    #[serde(flatten)]
    pub item: PriceItem,
    pub title: String,
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
    pub price_list: Vec<PriceLine>,
    pub payment_procedure: String,
    pub consent_procedure: String,
    pub anonymous_consultation: String,
    pub identification_procedure: String,
    pub conclusion_procedure: String,
    pub document_requirements: String,
    pub offer_acceptance: String,
    /// The largest file (bytes) the organisation's consultations accept: its own setting, at
    /// most the platform's limit (the platform's where it set none). Sent back unchanged in an
    /// update, it keeps the limit; a value above the platform's is refused with its limit named.
    pub max_file_bytes: u64,
    /// The public offer in force (art. 34.3), if published.
    pub offer: Option<OfferView>,
    pub practitioners: Vec<PractitionerView>,
    /// Every stored Kazakh and English text, for the administrator's form; the text fields
    /// above are already in the reader's language.
    #[schema(value_type = Object)]
    pub translations: Translations,
}

fn from_json<T: serde::de::DeserializeOwned + Default>(text: &str) -> T {
    serde_json::from_str(text).unwrap_or_default()
}

fn summary(row: OrganizationRow, t: Option<&Translations>, lang: Language) -> OrganizationSummary {
    OrganizationSummary {
        service_kinds: from_json(&row.service_kinds),
        licensed_profiles: from_json(&row.licensed_profiles),
        name: texts::pick(t, lang, "name", row.name),
        address: texts::pick(t, lang, "address", row.address),
        id: row.id,
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
        checked_characters(&item.service_kk, "price_list.service_kk", Lines::One)?;
        checked_characters(&item.service_en, "price_list.service_en", Lines::One)?;
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

pub async fn list(
    ctx: &Context,
    specialty: Option<String>,
    lang: Language,
) -> AppResult<Vec<OrganizationSummary>> {
    let specialty = specialty.filter(|s| !s.is_empty());
    optional_code(specialty.as_deref(), "specialty")?;
    ctx.db
        .read(move |conn| {
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
            let rows: Vec<OrganizationRow> = query.load(conn)?;
            let ids: Vec<&String> = rows.iter().map(|r| &r.id).collect();
            let translated = texts::load(conn, "organization", &ids)?;
            Ok(rows
                .into_iter()
                .map(|r| {
                    let t = translated.get(&r.id);
                    summary(r, t, lang)
                })
                .collect())
        })
        .await
}

pub async fn get(ctx: &Context, id: String, lang: Language) -> AppResult<OrganizationView> {
    let platform_limit = ctx.settings.calls.max_file_bytes;
    ctx.db
        .read(move |conn| {
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
            let practitioners = practitioners::load_views_in(conn, None, Some(&id), lang)?;
            let max_file_bytes = super::file_limit::for_organization(conn, &id, platform_limit)?;
            let translations = texts::load(conn, "organization", &[&id])?
                .remove(&id)
                .unwrap_or_default();
            let t = Some(&translations);
            let pick = |field: &str, russian: String| texts::pick(t, lang, field, russian);
            let price_list: Vec<PriceItem> = from_json(&row.price_list);
            Ok(OrganizationView {
                licensed_profiles: from_json(&row.licensed_profiles),
                service_kinds: from_json(&row.service_kinds),
                price_list: price_list
                    .into_iter()
                    .map(|item| PriceLine {
                        title: item.name_in(lang.as_str()).to_owned(),
                        item,
                    })
                    .collect(),
                name: pick("name", row.name),
                address: pick("address", row.address),
                id: row.id,
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
                payment_procedure: pick("payment_procedure", row.payment_procedure),
                consent_procedure: pick("consent_procedure", row.consent_procedure),
                anonymous_consultation: pick("anonymous_consultation", row.anonymous_consultation),
                identification_procedure: pick(
                    "identification_procedure",
                    row.identification_procedure,
                ),
                conclusion_procedure: pick("conclusion_procedure", row.conclusion_procedure),
                document_requirements: pick("document_requirements", row.document_requirements),
                offer_acceptance: pick("offer_acceptance", row.offer_acceptance),
                max_file_bytes,
                offer,
                practitioners,
                translations,
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
    let translations = input
        .translations
        .as_ref()
        .map(|t| texts::validate(t, &TRANSLATABLE))
        .transpose()?;
    let file_limit =
        super::file_limit::validate(input.max_file_bytes, ctx.settings.calls.max_file_bytes)?;
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
                    if let Some(t) = &translations {
                        texts::replace(conn, "organization", &row.id, t)?;
                    }
                    super::file_limit::store(conn, &row.id, file_limit)?;
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
    get(ctx, id, Language::Ru).await
}

pub async fn update(
    ctx: &Context,
    actor: &Actor,
    id: String,
    input: OrganizationInput,
) -> AppResult<OrganizationView> {
    actor.require_manager_of(&id)?;
    let now = now_naive(ctx);
    let translations = input
        .translations
        .as_ref()
        .map(|t| texts::validate(t, &TRANSLATABLE))
        .transpose()?;
    let file_limit =
        super::file_limit::validate(input.max_file_bytes, ctx.settings.calls.max_file_bytes)?;
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
                    if let Some(t) = &translations {
                        texts::replace(conn, "organization", &id, t)?;
                    }
                    super::file_limit::store(conn, &id, file_limit)?;
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
    get(ctx, id, Language::Ru).await
}
