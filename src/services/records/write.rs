//! Writing records: a draft, its changes and materials while it is a draft, and a correction of
//! a signed record as a new version (art. 37). A signed record is never changed.

use chrono::{DateTime, SubsecRound, Utc};
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::{RecordView, is_signed, load, view};
use crate::access::patient::{self as policy, Grant, PatientAct, Target};
use crate::access::record::{may_work_on, on_record};
use crate::db::models::{MedicalRecordRow, RecordMaterialRow};
use crate::db::schema::{consultations, medical_records, record_materials};
use crate::db::{DbConnection, new_id, write_tx};
use crate::domain::account::Role;
use crate::domain::canonical::to_canonical;
use crate::domain::records::{
    MaterialKind, RecordKind, RecordStatus, parse_sha256, validate_content,
};
use crate::error::{AppError, AppResult};
use crate::services::icd10::Titles;
use crate::services::{Actor, Context, patients};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRecordInput {
    pub kind: RecordKind,
    /// The consultation the record belongs to; it must link the doctor to the patient.
    pub consultation_id: Option<String>,
    /// By kind: note `{text}`; conclusion `{findings, diagnoses: [{icd10, text}],
    /// recommendations}` (the server adds each diagnosis's classifier `title`); referral `{studies: [..], reason}`; prescription
    /// `{items: [{drug, dose, frequency, duration}]}`.
    #[schema(value_type = Object)]
    pub content: Value,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContentInput {
    #[schema(value_type = Object)]
    pub content: Value,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MaterialInput {
    pub kind: MaterialKind,
    pub name: String,
    /// SHA-256 of the material, hex.
    pub sha256: String,
    pub size: i64,
}

/// The content checked and stored as canonical JSON; a conclusion's codes are titled in the
/// language of the doctor writing this version (see `icd10::Titles::of_author`).
fn body_of(
    conn: &mut DbConnection,
    actor: &Actor,
    kind: RecordKind,
    content: &Value,
) -> AppResult<String> {
    let titles = Titles::of_author(conn, &actor.user_id)?;
    let content = validate_content(kind, content, &titles.catalogue())
        .map_err(|e| AppError::unprocessable(e.code, e.message))?;
    Ok(to_canonical(&content))
}

fn stored_now(now: DateTime<Utc>) -> chrono::NaiveDateTime {
    now.naive_utc().trunc_subsecs(6)
}

/// A new version before its author signs it: the signature fields are empty until then.
struct Draft {
    id: String,
    chain_id: String,
    patient_id: String,
    organization_id: String,
    author_id: String,
    consultation_id: Option<String>,
    kind: String,
    version: i32,
    replaces_id: Option<String>,
    body: String,
}

impl Draft {
    fn into_row(self, now: DateTime<Utc>) -> MedicalRecordRow {
        MedicalRecordRow {
            id: self.id,
            chain_id: self.chain_id,
            patient_id: self.patient_id,
            organization_id: self.organization_id,
            author_id: self.author_id,
            consultation_id: self.consultation_id,
            kind: self.kind,
            version: self.version,
            replaces_id: self.replaces_id,
            status: RecordStatus::Draft.as_str().to_owned(),
            body: self.body,
            canonical: None,
            sha256: None,
            signature: None,
            signature_form: None,
            signature_algorithm: None,
            signer_certificate: None,
            signer_name: None,
            signer_subject: None,
            signer_iin: None,
            cert_serial: None,
            cert_issuer: None,
            cert_not_before: None,
            cert_not_after: None,
            signed_at: None,
            created_at: stored_now(now),
            updated_at: stored_now(now),
        }
    }
}

fn kind_of(row: &MedicalRecordRow) -> AppResult<RecordKind> {
    RecordKind::parse(&row.kind)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("unknown record kind {:?}", row.kind)))
}

fn signed_conflict() -> AppError {
    AppError::conflict(
        "record_signed",
        "the record is signed and cannot be changed; amend it instead",
    )
}

/// A draft by a doctor whom a consultation links to the patient (art. 35).
pub async fn create(
    ctx: &Context,
    actor: &Actor,
    patient_id: String,
    input: NewRecordInput,
) -> AppResult<RecordView> {
    crate::services::input::optional_id(input.consultation_id.as_deref(), "consultation_id")?;
    let actor = actor.clone();
    let now = ctx.clock.now();
    let rules = ctx.access_rules();
    ctx.db
        .run(move |conn| {
            let patient = patients::user(conn, &patient_id)?;
            if patient.role != Role::Patient.as_str() {
                return Err(AppError::unprocessable(
                    "not_a_patient",
                    "the named user is not a patient",
                ));
            }
            let target = Target {
                action: "record.create",
                object_type: "patient",
                object_id: &patient.id,
            };
            let grant = policy::check(
                conn,
                &actor,
                &patient.id,
                PatientAct::WriteRecords,
                now,
                rules,
                input.consultation_id.as_deref(),
                target,
            )?;
            // Only a doctor in a care relationship writes into the chart, never its owner.
            let Grant::Care(basis) = grant else {
                return Err(crate::access::refuse_for(
                    conn,
                    &actor,
                    &patient.id,
                    now,
                    target.action,
                    AppError::forbidden(),
                ));
            };
            if input.consultation_id.is_some()
                && input.consultation_id.as_deref() != basis.consultation()
            {
                return Err(AppError::unprocessable(
                    "consultation_not_linked",
                    "the consultation is not one of yours with this patient",
                ));
            }
            let purpose = basis.purpose();
            let body = body_of(conn, &actor, input.kind, &input.content)?;
            write_tx(conn, |conn| {
                // The record belongs to the organisation of the consultation that links the
                // doctor to the patient; with the glass broken, to the doctor's own.
                let organization_id: String = match basis.consultation() {
                    Some(c) => consultations::table
                        .find(c)
                        .select(consultations::organization_id)
                        .first(conn)?,
                    None => actor
                        .organization_id
                        .clone()
                        .ok_or_else(AppError::forbidden)?,
                };
                let id = new_id();
                let row = Draft {
                    chain_id: id.clone(),
                    id,
                    patient_id: patient.id.clone(),
                    organization_id,
                    author_id: actor.user_id.clone(),
                    consultation_id: input.consultation_id.clone(),
                    kind: input.kind.as_str().to_owned(),
                    version: 1,
                    replaces_id: None,
                    body,
                }
                .into_row(now);
                diesel::insert_into(medical_records::table)
                    .values(&row)
                    .execute(conn)?;
                on_record(&actor, now, &row, "record.create", Some(&purpose)).record(conn, "ok")?;
                view(conn, row)
            })
        })
        .await
}

/// Loads a draft its author is changing: others get an audited 403, a signed record 409.
fn author_draft(
    conn: &mut DbConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: &str,
    action: &str,
) -> AppResult<MedicalRecordRow> {
    let row = load(conn, id)?;
    if row.author_id != actor.user_id {
        return Err(on_record(actor, now, &row, action, None).deny(conn));
    }
    if is_signed(&row) {
        return Err(signed_conflict());
    }
    Ok(row)
}

/// Replaces a draft's content (its author only).
pub async fn update(
    ctx: &Context,
    actor: &Actor,
    id: String,
    input: ContentInput,
) -> AppResult<RecordView> {
    let actor = actor.clone();
    let now = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            let row = author_draft(conn, &actor, now, &id, "record.update")?;
            let body = body_of(conn, &actor, kind_of(&row)?, &input.content)?;
            write_tx(conn, |conn| {
                // Checked again under the write lock: a signature may have landed meanwhile.
                let mut row = load(conn, &id)?;
                if is_signed(&row) {
                    return Err(signed_conflict());
                }
                row.body = body;
                row.updated_at = stored_now(now);
                diesel::update(medical_records::table.find(&row.id))
                    .set((
                        medical_records::body.eq(&row.body),
                        medical_records::updated_at.eq(row.updated_at),
                    ))
                    .execute(conn)?;
                let purpose = row.consultation_id.clone();
                on_record(&actor, now, &row, "record.update", purpose.as_deref())
                    .record(conn, "ok")?;
                view(conn, row)
            })
        })
        .await
}

/// Links a material to a draft by its hash (its author only); the signed document names it.
pub async fn add_material(
    ctx: &Context,
    actor: &Actor,
    id: String,
    input: MaterialInput,
) -> AppResult<RecordView> {
    let actor = actor.clone();
    let now = ctx.clock.now();
    let name = crate::services::input::required_line(&input.name, "name", 255)?;
    let sha256 = parse_sha256(&input.sha256).ok_or_else(|| {
        AppError::unprocessable("invalid_sha256", "sha256 must be 64 hexadecimal digits")
    })?;
    if input.size < 0 {
        return Err(AppError::unprocessable(
            "invalid_size",
            "size cannot be negative",
        ));
    }
    ctx.db
        .run(move |conn| {
            author_draft(conn, &actor, now, &id, "record.update")?;
            write_tx(conn, |conn| {
                let row = load(conn, &id)?;
                if is_signed(&row) {
                    return Err(signed_conflict());
                }
                diesel::insert_into(record_materials::table)
                    .values(&RecordMaterialRow {
                        id: new_id(),
                        record_id: row.id.clone(),
                        kind: input.kind.as_str().to_owned(),
                        name,
                        sha256,
                        size: input.size,
                        created_at: stored_now(now),
                    })
                    .execute(conn)?;
                let purpose = row.consultation_id.clone();
                on_record(&actor, now, &row, "record.update", purpose.as_deref())
                    .record(conn, "ok")?;
                view(conn, row)
            })
        })
        .await
}

/// A correction (art. 37): a new draft version that points at the signed one it replaces, by
/// the author or another doctor linked to the patient. Chains do not fork: a version is
/// corrected once, and only the latest can be.
pub async fn amend(
    ctx: &Context,
    actor: &Actor,
    id: String,
    input: ContentInput,
) -> AppResult<RecordView> {
    let actor = actor.clone();
    let now = ctx.clock.now();
    let rules = ctx.access_rules();
    ctx.db
        .run(move |conn| {
            let old = load(conn, &id)?;
            let Some(granted) = may_work_on(conn, &actor, &old, now, rules)? else {
                return Err(on_record(&actor, now, &old, "record.amend", None).deny(conn));
            };
            if !is_signed(&old) {
                return Err(AppError::conflict(
                    "record_not_signed",
                    "a draft is changed, not amended",
                ));
            }
            let body = body_of(conn, &actor, kind_of(&old)?, &input.content)?;
            write_tx(conn, |conn| {
                let amended: i64 = medical_records::table
                    .filter(medical_records::replaces_id.eq(&old.id))
                    .count()
                    .get_result(conn)?;
                if amended > 0 {
                    return Err(AppError::conflict(
                        "already_amended",
                        "this version already has a correction; amend the latest version",
                    ));
                }
                let (organization_id, consultation_id) = if old.author_id == actor.user_id {
                    (old.organization_id.clone(), old.consultation_id.clone())
                } else {
                    (
                        actor
                            .organization_id
                            .clone()
                            .unwrap_or_else(|| old.organization_id.clone()),
                        granted.purpose.clone(),
                    )
                };
                let row = Draft {
                    id: new_id(),
                    chain_id: old.chain_id.clone(),
                    patient_id: old.patient_id.clone(),
                    organization_id,
                    author_id: actor.user_id.clone(),
                    consultation_id,
                    kind: old.kind.clone(),
                    version: old.version + 1,
                    replaces_id: Some(old.id.clone()),
                    body,
                }
                .into_row(now);
                diesel::insert_into(medical_records::table)
                    .values(&row)
                    .execute(conn)?;
                on_record(
                    &actor,
                    now,
                    &row,
                    "record.amend",
                    granted.purpose.as_deref(),
                )
                .record(conn, "ok")?;
                view(conn, row)
            })
        })
        .await
}
