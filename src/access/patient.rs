//! Acts on a patient's data as a whole: their records and health passport (art. 35–38), their
//! consent documents (art. 33.1) and their access log (art. 40).

use chrono::{DateTime, Utc};

use super::{Access, Actor, Basis, Rules, care, people};
use crate::db::DbConnection;
use crate::domain::account::Role;
use crate::error::AppResult;

/// What is asked of a patient's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatientAct<'a> {
    /// Their medical records and health passport.
    ReadRecords,
    /// Write a record into their chart.
    WriteRecords,
    /// Their consent to an organisation's offer, and its documents: the patient's side, and the
    /// staff of that organisation who book for them.
    ReadConsent { organization: &'a str },
    /// Their slice of the audit log.
    ReadAccessLog,
}

/// Why an act was granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    /// The patient's own data.
    Own,
    /// Their legal representative.
    Representative,
    /// A doctor in a care relationship, or with the glass broken.
    Care(Basis),
    /// Staff of the organisation, for scheduling.
    Staff,
}

impl Grant {
    /// The purpose for the audit row.
    pub fn purpose(&self) -> Option<String> {
        match self {
            Grant::Care(basis) => Some(basis.purpose()),
            _ => None,
        }
    }
}

/// The audit row a refusal leaves: what was tried, on which object.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: &'a str,
}

/// Asks the policy without auditing a refusal (`None`): for lists that skip what they may not
/// show, and for callers that refuse with their own answer.
pub fn decide(
    conn: &mut DbConnection,
    actor: &Actor,
    patient: &str,
    act: PatientAct<'_>,
    at: DateTime<Utc>,
    rules: Rules,
    preferred: Option<&str>,
) -> AppResult<Option<Grant>> {
    let patient_side = match actor.role {
        Role::Patient if actor.user_id == patient => Some(Grant::Own),
        Role::Representative if people::represents(conn, &actor.user_id, patient)? => {
            Some(Grant::Representative)
        }
        _ => None,
    };
    if let Some(grant) = patient_side {
        return Ok(Some(grant));
    }
    Ok(match act {
        PatientAct::ReadRecords | PatientAct::WriteRecords if actor.role == Role::Doctor => {
            care::care_basis(conn, &actor.user_id, patient, at, rules, preferred)?.map(Grant::Care)
        }
        PatientAct::ReadConsent { organization }
            if actor.role.is_staff() && actor.organization_id.as_deref() == Some(organization) =>
        {
            Some(Grant::Staff)
        }
        _ => None,
    })
}

/// Asks the policy; a refusal is audited with the patient as subject and answered with 403.
#[allow(clippy::too_many_arguments)]
pub fn check(
    conn: &mut DbConnection,
    actor: &Actor,
    patient: &str,
    act: PatientAct<'_>,
    at: DateTime<Utc>,
    rules: Rules,
    preferred: Option<&str>,
    target: Target<'_>,
) -> AppResult<Grant> {
    match decide(conn, actor, patient, act, at, rules, preferred)? {
        Some(grant) => Ok(grant),
        None => Err(Access {
            actor,
            at,
            subject: patient,
            action: target.action,
            object_type: target.object_type,
            object_id: target.object_id,
            purpose: None,
        }
        .deny(conn)),
    }
}
