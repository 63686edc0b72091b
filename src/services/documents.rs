//! Electronic documents of acts (consent, refusal, revocation, cancellation): canonical JSON,
//! stored exactly as hashed, never rewritten.

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::db::models::EDocumentRow;
use crate::db::schema::e_documents;
use crate::db::{DbConnection, new_id};
use crate::domain::canonical::{sha256_hex, to_canonical};
use crate::error::AppResult;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentView {
    pub id: String,
    pub kind: String,
    /// The document exactly as stored and hashed.
    pub canonical: String,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

impl From<EDocumentRow> for DocumentView {
    fn from(r: EDocumentRow) -> Self {
        DocumentView {
            id: r.id,
            kind: r.kind,
            canonical: r.canonical,
            sha256: r.sha256,
            created_at: r.created_at.and_utc(),
        }
    }
}

pub struct NewDocument<'a> {
    pub kind: &'a str,
    pub organization_id: &'a str,
    pub patient_id: &'a str,
    pub actor_id: &'a str,
    pub consultation_id: Option<&'a str>,
    pub content: Value,
}

/// The time format inside documents: RFC 3339, UTC, microseconds, as stored.
pub fn document_time(t: DateTime<Utc>) -> String {
    t.trunc_subsecs(6)
        .to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn record(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    doc: NewDocument<'_>,
) -> AppResult<EDocumentRow> {
    let canonical = to_canonical(&doc.content);
    let last: Option<i32> = e_documents::table
        .filter(e_documents::organization_id.eq(doc.organization_id))
        .filter(e_documents::patient_id.eq(doc.patient_id))
        .select(diesel::dsl::max(e_documents::seq))
        .first(conn)?;
    let row = EDocumentRow {
        seq: last.unwrap_or(0) + 1,
        id: new_id(),
        kind: doc.kind.to_owned(),
        organization_id: doc.organization_id.to_owned(),
        patient_id: doc.patient_id.to_owned(),
        actor_id: doc.actor_id.to_owned(),
        consultation_id: doc.consultation_id.map(str::to_owned),
        sha256: sha256_hex(canonical.as_bytes()),
        canonical,
        created_at: now.naive_utc().trunc_subsecs(6),
    };
    diesel::insert_into(e_documents::table)
        .values(&row)
        .execute(conn)?;
    Ok(row)
}
