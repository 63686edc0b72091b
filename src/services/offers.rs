//! The public offer's versions (art. 34.3; the acceptances name them, art. 33.1) and the list of
//! specialties the directory and the licences use.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::accounts::now_naive;
use super::organizations::ensure_exists;
use super::{Actor, Context, required_text};
use crate::db::models::OfferVersionRow;
use crate::db::schema::{offer_versions, specialties as sp};
use crate::db::{new_id, write_tx};
use crate::error::AppResult;

#[derive(Debug, Serialize, ToSchema)]
pub struct OfferView {
    pub version: i32,
    pub body: String,
    /// SHA-256 of the UTF-8 text, so an acceptance can name exactly what was accepted.
    pub sha256: String,
    pub published_at: DateTime<Utc>,
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
            Ok(sp::table
                .order(sp::code.asc())
                .select((sp::code, sp::name_ru, sp::name_kk, sp::name_en))
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
