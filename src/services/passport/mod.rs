//! The health passport (art. 36–37), assembled from records and councils above both: a patient's
//! signed records, newest first, each record with all its signed versions, and each signature
//! verified again as it is read (`verify`). Drafts never appear. Read by the patient or their
//! representative, and by a doctor the access policy lets into the chart.

pub mod verify;

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::records::{RecordView, views};
use crate::access::Access;
use crate::access::patient::{self as policy, PatientAct, Target};
use crate::db::models::MedicalRecordRow;
use crate::db::schema::medical_records;
use crate::db::write_tx;
use crate::domain::account::Role;
use crate::domain::records::RecordStatus;
use crate::error::{AppError, AppResult};
use crate::services::patients;
use crate::services::refs::PartyRef;
use crate::services::{Actor, Context};

#[derive(Debug, Deserialize, IntoParams)]
pub struct PassportQuery {
    /// For a legal representative or a doctor: the patient.
    pub patient_id: Option<String>,
}

/// A signed version, and whether its signature holds today.
#[derive(Debug, Serialize, ToSchema)]
pub struct PassportVersion {
    #[serde(flatten)]
    pub record: RecordView,
    pub check: verify::SignatureCheck,
}

/// One record and its versions.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordChain {
    pub chain_id: String,
    pub kind: String,
    /// The newest signed version's number.
    pub latest_version: i32,
    /// Newest first.
    pub versions: Vec<PassportVersion>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthPassport {
    pub patient: PartyRef,
    /// Newest signature first.
    pub records: Vec<RecordChain>,
    /// The final conclusions of the patient's councils (art. 27), newest first.
    pub councils: Vec<crate::services::councils::passport::PassportCouncil>,
}

pub async fn for_patient(
    ctx: &Context,
    actor: &Actor,
    query: PassportQuery,
) -> AppResult<HealthPassport> {
    crate::services::input::optional_id(query.patient_id.as_deref(), "patient_id")?;
    let actor = actor.clone();
    let now = ctx.clock.now();
    let rules = ctx.access_rules();
    let verifier = ctx.verifier.clone();
    ctx.db
        .run(move |conn| {
            // A patient reads their own; everyone else names the patient, and the policy
            // decides (a doctor in a care relationship, or with the glass broken).
            let patient_id = match (&query.patient_id, actor.role) {
                (Some(id), _) => id.clone(),
                (None, Role::Patient) => actor.user_id.clone(),
                (None, _) => {
                    return Err(AppError::unprocessable(
                        "patient_required",
                        "name the patient (patient_id) this is for",
                    ));
                }
            };
            let patient = patients::user(conn, &patient_id)?;
            let grant = policy::check(
                conn,
                &actor,
                &patient.id,
                PatientAct::ReadRecords,
                now,
                rules,
                None,
                Target {
                    action: "passport.read",
                    object_type: "patient",
                    object_id: &patient.id,
                },
            )?;
            let purpose = grant.purpose();
            // The access is recorded in a short write of its own; the reading below runs
            // outside any write transaction, so a passport of a thousand records never holds
            // the writers (on SQLite, every booking) back while it is assembled.
            write_tx(conn, |conn| {
                Access {
                    actor: &actor,
                    at: now,
                    subject: &patient.id,
                    action: "passport.read",
                    object_type: "patient",
                    object_id: &patient.id,
                    purpose: purpose.as_deref(),
                }
                .record(conn, "ok")
            })?;
            let rows: Vec<MedicalRecordRow> = medical_records::table
                .filter(medical_records::patient_id.eq(&patient.id))
                .filter(medical_records::status.eq(RecordStatus::Signed.as_str()))
                .order((
                    medical_records::signed_at.desc(),
                    medical_records::version.desc(),
                ))
                .select(MedicalRecordRow::as_select())
                .load(conn)?;
            let checks: Vec<verify::SignatureCheck> = rows
                .iter()
                .map(|row| {
                    verify::check(
                        verifier.as_ref(),
                        &verify::Stored {
                            form: row.signature_form.as_deref(),
                            signature: row.signature.as_deref(),
                            certificate: row.signer_certificate.as_deref(),
                            document: row.canonical.as_deref(),
                            signer_iin: row.signer_iin.as_deref(),
                            signed_at: row.signed_at.map(|t| t.and_utc()),
                        },
                    )
                })
                .collect();
            let mut records: Vec<RecordChain> = Vec::new();
            for (record, check) in views(conn, rows)?.into_iter().zip(checks) {
                let version = PassportVersion { record, check };
                let chain_id = &version.record.chain_id;
                match records.iter_mut().find(|c| &c.chain_id == chain_id) {
                    Some(chain) => chain.versions.push(version),
                    None => records.push(RecordChain {
                        chain_id: chain_id.clone(),
                        kind: version.record.kind.clone(),
                        latest_version: version.record.version,
                        versions: vec![version],
                    }),
                }
            }
            for chain in &mut records {
                chain
                    .versions
                    .sort_by_key(|v| std::cmp::Reverse(v.record.version));
                chain.latest_version = chain.versions.first().map_or(0, |v| v.record.version);
            }
            Ok(HealthPassport {
                patient: PartyRef {
                    id: patient.id.clone(),
                    full_name: patient.full_name.clone(),
                },
                records,
                councils: crate::services::councils::passport::of_patient(
                    conn,
                    &patient.id,
                    verifier.as_ref(),
                )?,
            })
        })
        .await
}
