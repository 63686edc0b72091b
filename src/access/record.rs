//! One medical record (art. 35–38): who may read it and who may work on it.

use chrono::{DateTime, Utc};

use super::patient::{Grant, PatientAct, decide};
use super::{Access, Actor, Rules};
use crate::db::DbConnection;
use crate::db::models::MedicalRecordRow;
use crate::domain::account::Role;
use crate::domain::records::RecordStatus;
use crate::error::{AppError, AppResult};

/// Access was granted; `purpose` is what links the reader to the patient.
#[derive(Debug, Clone)]
pub struct Granted {
    pub purpose: Option<String>,
}

fn signed(row: &MedicalRecordRow) -> bool {
    row.status == RecordStatus::Signed.as_str()
}

/// Reading a record's content: the patient and their representative (signed records only),
/// its author, and a doctor in a care relationship with the patient (or with the glass broken).
/// Organisation staff and guests see no content. A patient's own draft is not theirs to see
/// yet: it is "not found", not "forbidden".
pub fn may_read(
    conn: &mut DbConnection,
    actor: &Actor,
    row: &MedicalRecordRow,
    at: DateTime<Utc>,
    rules: Rules,
) -> AppResult<Option<Granted>> {
    if actor.role == Role::Doctor {
        return may_work_on(conn, actor, row, at, rules);
    }
    match decide(
        conn,
        actor,
        &row.patient_id,
        PatientAct::ReadRecords,
        at,
        rules,
        None,
    )? {
        Some(Grant::Own | Grant::Representative) if !signed(row) => {
            Err(AppError::not_found("record"))
        }
        Some(grant) => Ok(Some(Granted {
            purpose: grant.purpose(),
        })),
        None => Ok(None),
    }
}

/// A doctor working on a patient's record: within a care relationship (the record's own
/// consultation named first), or its author.
pub fn may_work_on(
    conn: &mut DbConnection,
    actor: &Actor,
    row: &MedicalRecordRow,
    at: DateTime<Utc>,
    rules: Rules,
) -> AppResult<Option<Granted>> {
    if actor.role != Role::Doctor {
        return Ok(None);
    }
    let grant = decide(
        conn,
        actor,
        &row.patient_id,
        PatientAct::WriteRecords,
        at,
        rules,
        row.consultation_id.as_deref(),
    )?;
    Ok(match grant {
        Some(grant) => Some(Granted {
            purpose: grant.purpose(),
        }),
        None if row.author_id == actor.user_id => Some(Granted {
            purpose: row.consultation_id.clone(),
        }),
        None => None,
    })
}

/// The audit row about an existing record.
pub fn on_record<'a>(
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
