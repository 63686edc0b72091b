//! Who accepted which version of an organisation's public offer (art. 33.1, 34.3), for its
//! administrators: every consent act (acceptance, refusal, revocation) as the electronic
//! document records it, newest first, and per version how many patients stand on it now.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::{Actor, Context};
use crate::access::organization::{audit_listed, may_read_acceptances};
use crate::db::models::{EDocumentRow, OfferVersionRow};
use crate::db::schema::{e_documents, offer_versions};
use crate::db::write_tx;
use crate::error::{AppError, AppResult};

const KINDS: [&str; 3] = ["consent_accept", "consent_refuse", "consent_revoke"];

#[derive(Debug, Deserialize, IntoParams)]
pub struct AcceptanceQuery {
    /// Only the acts on this offer version.
    pub version: Option<i32>,
    /// 1-based page number (default 1).
    pub page: Option<i64>,
    /// Acts per page, 1–200 (default 50).
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Person {
    pub id: String,
    pub full_name: String,
}

/// One consent act as its document records it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptanceView {
    pub document_id: String,
    /// `accept`, `refuse` or `revoke`.
    pub act: String,
    pub offer_version: Option<i64>,
    pub at: DateTime<Utc>,
    pub patient: Person,
    /// Who did it: the patient, or their legal representative (`on_behalf`).
    pub actor: Person,
    pub on_behalf: bool,
    /// `click` or `email_code`.
    pub method: String,
    /// The document's SHA-256, which names exactly what was accepted.
    pub sha256: String,
    /// The patient's latest act: the one in force.
    pub latest: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VersionSummary {
    pub version: i32,
    pub published_at: DateTime<Utc>,
    pub sha256: String,
    /// Patients whose latest act accepts this version.
    pub accepted_now: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptancesPage {
    pub versions: Vec<VersionSummary>,
    pub acts: Vec<AcceptanceView>,
    /// Acts matching the filter, over all pages.
    pub total: i64,
    pub page: i64,
    pub limit: i64,
}

fn bounds(q: &AcceptanceQuery) -> AppResult<(i64, i64)> {
    let page = q.page.unwrap_or(1);
    if !(1..=100_000).contains(&page) {
        return Err(AppError::unprocessable("invalid_page", "page starts at 1"));
    }
    let limit = crate::services::paging::checked_limit(q.limit)?;
    Ok((page, limit))
}

fn person(doc: &Value, key: &str, fallback_id: &str) -> Person {
    Person {
        id: doc[key]["id"].as_str().unwrap_or(fallback_id).to_owned(),
        full_name: doc[key]["full_name"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    }
}

fn act_view(row: EDocumentRow, latest: bool) -> AcceptanceView {
    let doc: Value = serde_json::from_str(&row.canonical).unwrap_or(Value::Null);
    AcceptanceView {
        act: row.kind.trim_start_matches("consent_").to_owned(),
        offer_version: doc.pointer("/offer/version").and_then(Value::as_i64),
        at: row.created_at.and_utc(),
        patient: person(&doc, "patient", &row.patient_id),
        actor: person(&doc, "actor", &row.actor_id),
        on_behalf: doc["on_behalf"].as_bool().unwrap_or(false),
        method: doc["method"].as_str().unwrap_or_default().to_owned(),
        document_id: row.id,
        sha256: row.sha256,
        latest,
    }
}

/// The organisation's consent acts, for its administrators; each patient on the page is
/// recorded in their access log.
pub async fn list(
    ctx: &Context,
    actor: &Actor,
    organization_id: String,
    q: AcceptanceQuery,
) -> AppResult<AcceptancesPage> {
    may_read_acceptances(actor, &organization_id)?;
    let (page, limit) = bounds(&q)?;
    let actor = actor.clone();
    let at = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            super::organizations::ensure_exists(conn, &organization_id)?;
            let offers: Vec<OfferVersionRow> = offer_versions::table
                .filter(offer_versions::organization_id.eq(&organization_id))
                .order(offer_versions::version.desc())
                .select(OfferVersionRow::as_select())
                .load(conn)?;
            // Newest first: the first act met of each patient is the one in force.
            let rows: Vec<EDocumentRow> = e_documents::table
                .filter(e_documents::organization_id.eq(&organization_id))
                .filter(e_documents::kind.eq_any(KINDS))
                .order((e_documents::created_at.desc(), e_documents::seq.desc()))
                .select(EDocumentRow::as_select())
                .load(conn)?;
            let mut seen = HashSet::new();
            let mut acts: Vec<AcceptanceView> = rows
                .into_iter()
                .map(|r| {
                    let latest = seen.insert(r.patient_id.clone());
                    act_view(r, latest)
                })
                .collect();
            let mut standing: BTreeMap<i64, i64> = BTreeMap::new();
            for a in acts.iter().filter(|a| a.latest && a.act == "accept") {
                if let Some(v) = a.offer_version {
                    *standing.entry(v).or_default() += 1;
                }
            }
            if let Some(v) = q.version {
                acts.retain(|a| a.offer_version == Some(i64::from(v)));
            }
            let total = acts.len() as i64;
            let acts: Vec<AcceptanceView> = acts
                .into_iter()
                .skip(((page - 1) * limit) as usize)
                .take(limit as usize)
                .collect();
            let patients: Vec<&str> = acts.iter().map(|a| a.patient.id.as_str()).collect();
            write_tx(conn, |conn| {
                audit_listed(conn, &actor, at, "offer.acceptances.read", &patients)
            })?;
            Ok(AcceptancesPage {
                versions: offers
                    .into_iter()
                    .map(|o| VersionSummary {
                        accepted_now: standing.get(&i64::from(o.version)).copied().unwrap_or(0),
                        version: o.version,
                        published_at: o.published_at.and_utc(),
                        sha256: o.sha256,
                    })
                    .collect(),
                acts,
                total,
                page,
                limit,
            })
        })
        .await
}
