//! Care relationships (art. 35): what links a doctor to a patient's records, from when the
//! relationship is established until it ends plus the configured tail.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::Rules;
use crate::db::DbConnection;
use crate::db::schema::{
    consultations, council_members, councils, deferred_requests, practitioners,
};
use crate::error::AppResult;

/// Why a doctor may work with a patient's records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// The doctor of a consultation the patient agreed to.
    Consultation(String),
    /// The treating doctor who sent a deferred request (its consultation).
    Requester(String),
    /// The initiator or a consultant of a council the patient agreed to; the council's
    /// consultation, where its documents are.
    Council {
        council: String,
        consultation: Option<String>,
    },
    /// Break-the-glass: the grant's id.
    BreakGlass(String),
}

impl Basis {
    /// What goes into the audit row's purpose: the consultation, as the access log has always
    /// shown it, or the council or grant named with a prefix.
    pub fn purpose(&self) -> String {
        match self {
            Basis::Consultation(id) | Basis::Requester(id) => id.clone(),
            Basis::Council {
                consultation: Some(id),
                ..
            } => id.clone(),
            Basis::Council { council, .. } => format!("council:{council}"),
            Basis::BreakGlass(grant) => format!("break_glass:{grant}"),
        }
    }

    /// The consultation the relationship runs through, if any.
    pub fn consultation(&self) -> Option<&str> {
        match self {
            Basis::Consultation(id) | Basis::Requester(id) => Some(id),
            Basis::Council { consultation, .. } => consultation.as_deref(),
            Basis::BreakGlass(_) => None,
        }
    }
}

const CLOSED: [&str; 2] = ["cancelled", "declined"];

/// Callers ask it about doctors only: a patient's representative who sent a request on their
/// behalf is its requester too, and that is no care relationship.
///
/// The doctor's current care relationship with the patient: `preferred` (a consultation) wins
/// when it is one of them; then consultations, deferred requests and councils, newest first;
/// a break-the-glass grant last, so an ordinary relationship is named when there is one.
pub fn care_basis(
    conn: &mut DbConnection,
    doctor: &str,
    patient: &str,
    now: DateTime<Utc>,
    rules: Rules,
    preferred: Option<&str>,
) -> AppResult<Option<Basis>> {
    let mut found = relationships(conn, doctor, patient, now, rules)?;
    if let Some(p) = preferred
        && let Some(i) = found.iter().position(|b| b.consultation() == Some(p))
    {
        return Ok(Some(found.swap_remove(i)));
    }
    if let Some(first) = found.into_iter().next() {
        return Ok(Some(first));
    }
    Ok(super::glass::active(conn, doctor, patient, now)?.map(Basis::BreakGlass))
}

/// Every ordinary (not break-the-glass) relationship in force, newest first.
fn relationships(
    conn: &mut DbConnection,
    doctor: &str,
    patient: &str,
    now: DateTime<Utc>,
    rules: Rules,
) -> AppResult<Vec<Basis>> {
    let cutoff = (now - rules.care_tail).naive_utc();
    let mut out: Vec<Basis> = consultations::table
        .inner_join(practitioners::table)
        .filter(consultations::patient_id.eq(patient))
        .filter(practitioners::user_id.eq(doctor))
        .filter(consultations::patient_agreed_at.is_not_null())
        .filter(consultations::status.ne_all(CLOSED))
        .filter(
            consultations::completed_at
                .is_null()
                .or(consultations::completed_at.gt(cutoff)),
        )
        .order(consultations::requested_at.desc())
        .select(consultations::id)
        .load::<String>(conn)?
        .into_iter()
        .map(Basis::Consultation)
        .collect();
    out.extend(
        deferred_requests::table
            .inner_join(consultations::table)
            .filter(consultations::patient_id.eq(patient))
            .filter(deferred_requests::requester_id.eq(doctor))
            .filter(consultations::patient_agreed_at.is_not_null())
            .filter(consultations::status.ne_all(CLOSED))
            .filter(
                consultations::completed_at
                    .is_null()
                    .or(consultations::completed_at.gt(cutoff)),
            )
            .order(consultations::requested_at.desc())
            .select(consultations::id)
            .load::<String>(conn)?
            .into_iter()
            .map(Basis::Requester),
    );
    let member_of = council_members::table
        .filter(council_members::user_id.eq(doctor))
        .filter(council_members::status.ne("declined"))
        .select(council_members::council_id);
    // A council counts once the patient agreed (or it was called at their request by their
    // treating doctor, who needed a relationship to call it), while it works and for the tail
    // after it is final.
    out.extend(
        councils::table
            .filter(councils::patient_id.eq(patient))
            .filter(
                councils::initiator_id
                    .eq(doctor)
                    .or(councils::id.eq_any(member_of)),
            )
            .filter(
                councils::status.eq("assembling").or(councils::status
                    .eq("final")
                    .and(councils::updated_at.gt(cutoff))),
            )
            .order(councils::created_at.desc())
            .select((councils::id, councils::consultation_id))
            .load::<(String, Option<String>)>(conn)?
            .into_iter()
            .map(|(council, consultation)| Basis::Council {
                council,
                consultation,
            }),
    );
    Ok(out)
}
