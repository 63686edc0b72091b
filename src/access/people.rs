//! On whose behalf an act is done: the patient themself, their legal representative, or staff.

use diesel::prelude::*;

use super::Actor;
use crate::db::DbConnection;
use crate::db::models::UserRow;
use crate::db::schema::{representations, users};
use crate::domain::account::Role;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    Themself,
    Representative,
    Staff,
}

pub fn user(conn: &mut DbConnection, id: &str) -> AppResult<UserRow> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("user"))
}

/// Законный представитель: whether `representative` is the patient's legal representative.
pub fn represents(conn: &mut DbConnection, representative: &str, patient: &str) -> AppResult<bool> {
    let n: i64 = representations::table
        .filter(representations::representative_id.eq(representative))
        .filter(representations::patient_id.eq(patient))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Resolves the patient an act is for and how the actor relates to them. Staff get
/// [`Relation::Staff`], which reaches scheduling only: what else they may do with the
/// patient's data the policy's other questions decide.
pub fn resolve(
    conn: &mut DbConnection,
    actor: &Actor,
    patient_id: Option<&str>,
) -> AppResult<(UserRow, Relation)> {
    let required = || {
        AppError::unprocessable(
            "patient_required",
            "name the patient (patient_id) this is for",
        )
    };
    match actor.role {
        Role::Patient => match patient_id {
            None => Ok((user(conn, &actor.user_id)?, Relation::Themself)),
            Some(id) if id == actor.user_id => Ok((user(conn, id)?, Relation::Themself)),
            Some(_) => Err(AppError::forbidden()),
        },
        Role::Representative => {
            let id = patient_id.ok_or_else(required)?;
            if !represents(conn, &actor.user_id, id)? {
                return Err(AppError::forbidden());
            }
            Ok((user(conn, id)?, Relation::Representative))
        }
        Role::Doctor | Role::Support | Role::OrgAdmin => {
            let id = patient_id.ok_or_else(required)?;
            let patient = user(conn, id)?;
            if patient.role != Role::Patient.as_str() {
                return Err(AppError::unprocessable(
                    "not_a_patient",
                    "the named user is not a patient",
                ));
            }
            Ok((patient, Relation::Staff))
        }
        Role::Relative | Role::PlatformAdmin => Err(AppError::forbidden()),
    }
}

/// [`resolve`], with a refusal about a named patient audited in their access log (art. 40):
/// someone else's patient, or a patient the caller's role cannot act for.
pub fn resolve_audited(
    conn: &mut DbConnection,
    actor: &Actor,
    patient_id: Option<&str>,
    at: chrono::DateTime<chrono::Utc>,
    action: &str,
) -> AppResult<(UserRow, Relation)> {
    match resolve(conn, actor, patient_id) {
        Err(e) if e.is_forbidden() => match patient_id {
            Some(id) if user(conn, id).is_ok() => Err(refuse_for(conn, actor, id, at, action, e)),
            _ => Err(e),
        },
        other => other,
    }
}

/// An audited refusal of an act on the patient as a whole.
pub fn refuse_for(
    conn: &mut DbConnection,
    actor: &Actor,
    patient: &str,
    at: chrono::DateTime<chrono::Utc>,
    action: &str,
    error: AppError,
) -> AppError {
    super::Access {
        actor,
        at,
        subject: patient,
        action,
        object_type: "patient",
        object_id: patient,
        purpose: None,
    }
    .refuse(conn, "denied", error)
}
