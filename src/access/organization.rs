//! What an organisation's people read about its patients outside one consultation: who
//! accepted its public offer (art. 33.1), and a doctor's week with its bookings. Each listed
//! patient's slice of the log records the read once (art. 40).

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::Actor;
use crate::db::DbConnection;
use crate::db::schema::practitioners;
use crate::domain::account::Role;
use crate::error::{AppError, AppResult};

/// Who accepted or refused the organisation's offer is its administrators' business only: not
/// the platform operator's, who runs the installation but is no party to the patient's consent.
pub fn may_read_acceptances(actor: &Actor, organization_id: &str) -> AppResult<()> {
    let own = actor.organization_id.as_deref() == Some(organization_id);
    if actor.role == Role::OrgAdmin && own {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

/// Whose week it is to the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeekReader {
    /// The practitioner themselves.
    Own,
    /// An administrator or support of the practitioner's organisation: they schedule
    /// (see [`super::consultation`]), never read records.
    Staff,
}

/// A practitioner's week with the patients booked in it: the practitioner, and the staff who
/// schedule for their organisation. Returns the practitioner's organisation too.
pub fn week_reader(
    conn: &mut DbConnection,
    actor: &Actor,
    practitioner_id: &str,
) -> AppResult<(WeekReader, String)> {
    let (user, organization): (String, String) = practitioners::table
        .find(practitioner_id)
        .select((practitioners::user_id, practitioners::organization_id))
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("practitioner"))?;
    let own_org = actor.organization_id.as_deref() == Some(organization.as_str());
    match actor.role {
        Role::Doctor if user == actor.user_id => Ok((WeekReader::Own, organization)),
        Role::OrgAdmin | Role::Support if own_org => Ok((WeekReader::Staff, organization)),
        _ => Err(AppError::forbidden()),
    }
}

/// Records, once per patient, that the actor read a list naming them.
pub fn audit_listed(
    conn: &mut DbConnection,
    actor: &Actor,
    at: DateTime<Utc>,
    action: &str,
    patients: &[&str],
) -> AppResult<()> {
    let mut patients = patients.to_vec();
    patients.sort_unstable();
    patients.dedup();
    // One append for the whole page, however many patients it shows.
    let events: Vec<crate::audit::Event> = patients
        .into_iter()
        .map(|patient| crate::audit::Event {
            actor_id: Some(&actor.user_id),
            subject_id: Some(patient),
            action,
            object_type: "patient",
            object_id: patient,
            outcome: "ok",
            ip: &actor.ip,
            purpose: None,
        })
        .collect();
    crate::audit::record_many(conn, at, &events)
}
