//! Who may read or change a patient's records (Rules art. 35, 38), and the audit rows that every
//! access and every refusal leaves (art. 40).

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::is_signed;
use crate::audit::{self, Event};
use crate::db::models::MedicalRecordRow;
use crate::db::schema::{consultations, practitioners};
use crate::db::{DbConnection, write_tx};
use crate::domain::account::Role;
use crate::domain::consultation::Status;
use crate::error::{AppError, AppResult};
use crate::services::{Actor, patients};

/// Access was granted; `purpose` is the consultation that links the reader to the patient.
#[derive(Debug, Clone)]
pub(crate) struct Granted {
    pub purpose: Option<String>,
}

/// The consultations linking a doctor to a patient (art. 35): of that patient, not cancelled,
/// with the doctor as the practitioner. `preferred` wins when it is one of them; otherwise the
/// latest requested.
pub(crate) fn linking_consultation(
    conn: &mut DbConnection,
    doctor_user_id: &str,
    patient_id: &str,
    preferred: Option<&str>,
) -> AppResult<Option<String>> {
    let ids: Vec<String> = consultations::table
        .inner_join(practitioners::table)
        .filter(consultations::patient_id.eq(patient_id))
        .filter(practitioners::user_id.eq(doctor_user_id))
        .filter(consultations::status.ne(Status::Cancelled.as_str()))
        .filter(consultations::status.ne(Status::Declined.as_str()))
        .order(consultations::requested_at.desc())
        .select(consultations::id)
        .load(conn)?;
    Ok(match preferred {
        Some(p) if ids.iter().any(|i| i == p) => Some(p.to_owned()),
        _ => ids.into_iter().next(),
    })
}

/// Reading a record's content: its patient and their representative (signed records only), its
/// author, and a doctor a consultation links to the patient. Organisation staff see no content.
/// A patient's own draft is not theirs to see yet: it is "not found", not "forbidden".
pub(crate) fn may_read(
    conn: &mut DbConnection,
    actor: &Actor,
    row: &MedicalRecordRow,
) -> AppResult<Option<Granted>> {
    let owner = match actor.role {
        Role::Patient => row.patient_id == actor.user_id,
        Role::Representative => patients::represents(conn, &actor.user_id, &row.patient_id)?,
        Role::Doctor => return may_work_on(conn, actor, row),
        _ => false,
    };
    if !owner {
        return Ok(None);
    }
    if !is_signed(row) {
        return Err(AppError::not_found("record"));
    }
    Ok(Some(Granted { purpose: None }))
}

/// A doctor working on a patient's record: its author, or linked to the patient.
pub(crate) fn may_work_on(
    conn: &mut DbConnection,
    actor: &Actor,
    row: &MedicalRecordRow,
) -> AppResult<Option<Granted>> {
    if actor.role != Role::Doctor {
        return Ok(None);
    }
    let link = linking_consultation(
        conn,
        &actor.user_id,
        &row.patient_id,
        row.consultation_id.as_deref(),
    )?;
    if link.is_none() && row.author_id != actor.user_id {
        return Ok(None);
    }
    Ok(Some(Granted {
        purpose: link.or_else(|| row.consultation_id.clone()),
    }))
}

/// One audit row about a patient's data.
pub(crate) struct Access<'a> {
    pub actor: &'a Actor,
    pub at: DateTime<Utc>,
    pub subject: &'a str,
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: &'a str,
    pub purpose: Option<&'a str>,
}

impl Access<'_> {
    /// Appends the row with `outcome`, inside the caller's transaction.
    pub(crate) fn record(&self, conn: &mut DbConnection, outcome: &str) -> AppResult<()> {
        audit::record(
            conn,
            self.at,
            &Event {
                actor_id: Some(&self.actor.user_id),
                subject_id: Some(self.subject),
                action: self.action,
                object_type: self.object_type,
                object_id: self.object_id,
                outcome,
                ip: &self.actor.ip,
                purpose: self.purpose,
            },
        )
    }

    /// Records a refusal in a transaction of its own, so it stays although the request fails,
    /// and returns the error to answer with.
    pub(crate) fn refuse(
        &self,
        conn: &mut DbConnection,
        outcome: &str,
        error: AppError,
    ) -> AppError {
        match write_tx(conn, |conn| self.record(conn, outcome)) {
            Ok(()) => error,
            Err(e) => e,
        }
    }

    /// A 403, audited as `denied`.
    pub(crate) fn deny(&self, conn: &mut DbConnection) -> AppError {
        self.refuse(conn, "denied", AppError::forbidden())
    }
}

/// The audit row about an existing record.
pub(crate) fn on_record<'a>(
    actor: &'a Actor,
    at: DateTime<Utc>,
    row: &'a MedicalRecordRow,
    action: &'a str,
    purpose: Option<&'a str>,
) -> Access<'a> {
    Access {
        actor,
        at,
        subject: &row.patient_id,
        action,
        object_type: "medical_record",
        object_id: &row.id,
        purpose,
    }
}
