//! The final conclusions of a patient's councils, as the health passport shows them: the exact
//! document everyone signed and each signature's certificate, organisation and verification
//! (art. 27, 36).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbConnection;
use crate::db::models::{CouncilConclusionRow, CouncilSignatureRow};
use crate::db::schema::{council_conclusions, council_signatures, councils, organizations, users};
use crate::domain::council::ConclusionStatus;
use crate::error::AppResult;
use crate::services::passport::verify::{self, SignatureCheck};
use crate::signing::Verifier;

#[derive(Debug, Serialize, ToSchema)]
pub struct PassportSignature {
    pub full_name: String,
    pub iin: String,
    pub signed_at: DateTime<Utc>,
    pub certificate_serial: String,
    pub certificate_issuer: String,
    pub certificate_subject: String,
    /// The signer's organisation (the consultant's, not the patient's clinic).
    pub organization_name: Option<String>,
    /// The signature checked again as the passport is read.
    pub check: SignatureCheck,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PassportCouncil {
    pub council_id: String,
    pub question: String,
    pub final_at: Option<DateTime<Utc>>,
    pub version: i32,
    /// The canonical JSON every participant signed.
    pub document: String,
    pub sha256: String,
    pub signatures: Vec<PassportSignature>,
}

/// A signature and the signer's organisation.
type Signed = (CouncilSignatureRow, Option<String>);

/// The patient's final council conclusions, newest first.
pub(crate) fn of_patient(
    conn: &mut DbConnection,
    patient: &str,
    verifier: &dyn Verifier,
) -> AppResult<Vec<PassportCouncil>> {
    let rows: Vec<(String, CouncilConclusionRow)> = council_conclusions::table
        .inner_join(councils::table)
        .filter(councils::patient_id.eq(patient))
        .filter(council_conclusions::status.eq(ConclusionStatus::Final.as_str()))
        .order(council_conclusions::final_at.desc())
        .select((councils::question, CouncilConclusionRow::as_select()))
        .load(conn)?;
    // Every final conclusion's signatures in one query (the versions are sorted out here).
    let council_ids: Vec<&str> = rows.iter().map(|(_, c)| c.council_id.as_str()).collect();
    let mut signed: HashMap<(String, i32), Vec<Signed>> = HashMap::new();
    if !council_ids.is_empty() {
        let all: Vec<Signed> = council_signatures::table
            .inner_join(users::table.on(users::id.eq(council_signatures::user_id)))
            .left_join(
                organizations::table.on(users::organization_id.eq(organizations::id.nullable())),
            )
            .filter(council_signatures::council_id.eq_any(&council_ids))
            .filter(council_signatures::status.eq("signed"))
            .order(council_signatures::at.asc())
            .select((
                CouncilSignatureRow::as_select(),
                organizations::name.nullable(),
            ))
            .load(conn)?;
        for (s, org) in all {
            signed
                .entry((s.council_id.clone(), s.version))
                .or_default()
                .push((s, org));
        }
    }
    let mut out = Vec::with_capacity(rows.len());
    for (question, c) in rows {
        let (council_id, version) = (c.council_id, c.version);
        let document = c.canonical.unwrap_or_default();
        let signatures = signed
            .remove(&(council_id.clone(), version))
            .unwrap_or_default()
            .into_iter()
            .map(|(s, organization_name)| {
                let check = verify::check(
                    verifier,
                    &verify::Stored {
                        form: s.signature_form.as_deref(),
                        signature: s.signature.as_deref(),
                        certificate: s.signer_certificate.as_deref(),
                        document: Some(&document),
                        signer_iin: s.signer_iin.as_deref(),
                        signed_at: Some(s.at.and_utc()),
                    },
                );
                PassportSignature {
                    full_name: s.signer_name.unwrap_or_default(),
                    iin: s.signer_iin.unwrap_or_default(),
                    signed_at: s.at.and_utc(),
                    certificate_serial: s.cert_serial.unwrap_or_default(),
                    certificate_issuer: s.cert_issuer.unwrap_or_default(),
                    certificate_subject: s.signer_subject.unwrap_or_default(),
                    organization_name,
                    check,
                }
            })
            .collect();
        out.push(PassportCouncil {
            council_id,
            question,
            final_at: c.final_at.map(|t| t.and_utc()),
            version,
            document,
            sha256: c.sha256.unwrap_or_default(),
            signatures,
        });
    }
    Ok(out)
}
