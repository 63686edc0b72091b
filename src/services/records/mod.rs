//! Medical records (Rules art. 35–38): drafts, the canonical document a doctor signs, signing
//! with an electronic digital signature, corrections as new versions, materials linked by hash,
//! and the patient's health passport. Who may see or change what is decided in [`access`]; every
//! read and change, and every refusal, lands in the audit log (art. 40).

pub mod read;
pub mod sign;
pub mod write;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::documents::document_time;
use super::patients;
use super::refs::PartyRef;
use crate::db::DbConnection;
use crate::db::models::{MedicalRecordRow, RecordMaterialRow};
use crate::db::schema::{medical_records, organizations, record_materials, users};
use crate::domain::canonical::to_canonical;
use crate::error::{AppError, AppResult};

pub use super::refs::OrganizationRef;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MaterialView {
    pub kind: String,
    pub name: String,
    pub sha256: String,
    pub size: i64,
}

/// Who signed, with which certificate: what the health passport shows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SignatureView {
    /// `cms` or `raw_p256`.
    pub form: String,
    pub algorithm: Option<String>,
    pub signer_name: Option<String>,
    pub signer_iin: Option<String>,
    pub certificate_subject: Option<String>,
    /// Upper-case hex.
    pub certificate_serial: Option<String>,
    pub certificate_issuer: Option<String>,
    pub certificate_not_before: Option<DateTime<Utc>>,
    pub certificate_not_after: Option<DateTime<Utc>>,
    /// The signer certificate, DER in base64.
    pub certificate: Option<String>,
    pub signed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordView {
    pub id: String,
    /// The first version's id, shared by every version of the record.
    pub chain_id: String,
    pub kind: String,
    pub version: i32,
    /// The version this one corrects.
    pub replaces_id: Option<String>,
    /// `draft` or `signed`.
    pub status: String,
    pub patient: PartyRef,
    pub author: PartyRef,
    pub organization: OrganizationRef,
    pub consultation_id: Option<String>,
    #[schema(value_type = Object)]
    pub content: Value,
    /// The signed document, exactly the bytes that were signed (signed records only).
    pub document: Option<String>,
    /// SHA-256 (hex) of `document`.
    pub sha256: Option<String>,
    pub signature: Option<SignatureView>,
    pub materials: Vec<MaterialView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub(crate) fn load(conn: &mut DbConnection, id: &str) -> AppResult<MedicalRecordRow> {
    medical_records::table
        .find(id)
        .select(MedicalRecordRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("record"))
}

fn materials(conn: &mut DbConnection, record: &str) -> AppResult<Vec<MaterialView>> {
    Ok(record_materials::table
        .filter(record_materials::record_id.eq(record))
        .select(RecordMaterialRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|m| MaterialView {
            kind: m.kind,
            name: m.name,
            sha256: m.sha256,
            size: m.size,
        })
        .collect())
}

fn organization(conn: &mut DbConnection, id: &str) -> AppResult<OrganizationRef> {
    let (id, name) = organizations::table
        .find(id)
        .select((organizations::id, organizations::name))
        .first::<(String, String)>(conn)?;
    Ok(OrganizationRef { id, name })
}

pub(crate) fn is_signed(row: &MedicalRecordRow) -> bool {
    row.status == crate::domain::records::RecordStatus::Signed.as_str()
}

/// The document a record's author signs (art. 37): computed from the stored fields, so the
/// client fetches these bytes, signs them, and the server recomputes and compares. Once signed,
/// the stored bytes are the document and nothing is re-serialised.
pub(crate) fn document(conn: &mut DbConnection, row: &MedicalRecordRow) -> AppResult<String> {
    if let Some(frozen) = &row.canonical {
        return Ok(frozen.clone());
    }
    let patient = patients::user(conn, &row.patient_id)?;
    let author = patients::user(conn, &row.author_id)?;
    let org = organization(conn, &row.organization_id)?;
    let mut materials = materials(conn, &row.id)?;
    materials.sort_by(|a, b| (&a.sha256, &a.name).cmp(&(&b.sha256, &b.name)));
    let content: Value = serde_json::from_str(&row.body)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("record body: {e}")))?;
    let doc = json!({
        "document": "telemed.medical_record",
        "record_id": row.id,
        "version": row.version,
        "replaces": row.replaces_id,
        "kind": row.kind,
        "patient": {"id": patient.id, "full_name": patient.full_name, "iin": patient.iin},
        "author": {"id": author.id, "full_name": author.full_name, "iin": author.iin},
        "organization": {"id": org.id, "name": org.name},
        "consultation_id": row.consultation_id,
        "content": content,
        "materials": materials.iter().map(|m| json!({
            "kind": m.kind, "name": m.name, "sha256": m.sha256, "size": m.size,
        })).collect::<Vec<_>>(),
        "created_at": document_time(row.created_at.and_utc()),
    });
    Ok(to_canonical(&doc))
}

pub(crate) fn view(conn: &mut DbConnection, row: MedicalRecordRow) -> AppResult<RecordView> {
    views(conn, vec![row])?
        .pop()
        .ok_or_else(|| AppError::not_found("record"))
}

/// The views of `rows` in their order, in four queries whatever their number (people,
/// organisations, materials, each loaded once with `IN`): the health passport lists hundreds.
pub(crate) fn views(
    conn: &mut DbConnection,
    rows: Vec<MedicalRecordRow>,
) -> AppResult<Vec<RecordView>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut people: Vec<&str> = rows
        .iter()
        .flat_map(|r| [r.patient_id.as_str(), r.author_id.as_str()])
        .collect();
    people.sort_unstable();
    people.dedup();
    let names: HashMap<String, String> = users::table
        .filter(users::id.eq_any(&people))
        .select((users::id, users::full_name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let mut org_ids: Vec<&str> = rows.iter().map(|r| r.organization_id.as_str()).collect();
    org_ids.sort_unstable();
    org_ids.dedup();
    let orgs: HashMap<String, String> = organizations::table
        .filter(organizations::id.eq_any(&org_ids))
        .select((organizations::id, organizations::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let mut materials: HashMap<String, Vec<MaterialView>> = HashMap::new();
    for m in record_materials::table
        .filter(record_materials::record_id.eq_any(&ids))
        .select(RecordMaterialRow::as_select())
        .load(conn)?
    {
        materials
            .entry(m.record_id)
            .or_default()
            .push(MaterialView {
                kind: m.kind,
                name: m.name,
                sha256: m.sha256,
                size: m.size,
            });
    }
    let party = |id: &str| -> AppResult<PartyRef> {
        let full_name = names.get(id).cloned().ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("a record names a missing user {id}"))
        })?;
        Ok(PartyRef {
            id: id.to_owned(),
            full_name,
        })
    };
    rows.into_iter()
        .map(|row| {
            let patient = party(&row.patient_id)?;
            let author = party(&row.author_id)?;
            let organization = OrganizationRef {
                name: orgs.get(&row.organization_id).cloned().ok_or_else(|| {
                    AppError::Internal(anyhow::anyhow!("a record names a missing organisation"))
                })?,
                id: row.organization_id.clone(),
            };
            let materials = materials.remove(&row.id).unwrap_or_default();
            assemble(row, patient, author, organization, materials)
        })
        .collect()
}

fn assemble(
    row: MedicalRecordRow,
    patient: PartyRef,
    author: PartyRef,
    organization: OrganizationRef,
    materials: Vec<MaterialView>,
) -> AppResult<RecordView> {
    // A signed record shows the content it was signed with, read from the signed bytes.
    let content = match &row.canonical {
        Some(doc) => serde_json::from_str::<Value>(doc)
            .map(|d| d["content"].clone())
            .map_err(|e| AppError::Internal(anyhow::anyhow!("signed document: {e}")))?,
        None => serde_json::from_str(&row.body)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("record body: {e}")))?,
    };
    let utc = |t: Option<chrono::NaiveDateTime>| t.map(|t| t.and_utc());
    let signature = row.signature_form.clone().map(|form| SignatureView {
        form,
        algorithm: row.signature_algorithm.clone(),
        signer_name: row.signer_name.clone(),
        signer_iin: row.signer_iin.clone(),
        certificate_subject: row.signer_subject.clone(),
        certificate_serial: row.cert_serial.clone(),
        certificate_issuer: row.cert_issuer.clone(),
        certificate_not_before: utc(row.cert_not_before),
        certificate_not_after: utc(row.cert_not_after),
        certificate: row.signer_certificate.clone(),
        signed_at: utc(row.signed_at),
    });
    Ok(RecordView {
        id: row.id,
        chain_id: row.chain_id,
        kind: row.kind,
        version: row.version,
        replaces_id: row.replaces_id,
        status: row.status,
        patient,
        author,
        organization,
        consultation_id: row.consultation_id,
        content,
        document: row.canonical,
        sha256: row.sha256,
        signature,
        materials,
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
    })
}
