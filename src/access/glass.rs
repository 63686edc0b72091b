//! Break-the-glass (экстренный доступ): a doctor opens a patient's chart without a care
//! relationship only by stating a reason. The grant runs out after the configured span, is a
//! line of its own in the patient's access log and is mailed to the administrators of the
//! doctor's organisation for review.

use chrono::{DateTime, SubsecRound, Utc};
use diesel::prelude::*;

use super::{Access, Actor, Rules, people};
use crate::db::models::BreakGlassGrantRow;
use crate::db::schema::{break_glass_grants, organizations, users};
use crate::db::{DbConnection, new_id};
use crate::domain::account::Role;
use crate::error::{AppError, AppResult};
use crate::notify::templates::{BreakGlassText, break_glass, local_time};
use crate::notify::{Outgoing, enqueue};

/// The audit action of a grant; the access log marks it.
pub const ACTION: &str = "patient.break_glass";

/// The id of the doctor's grant in force for the patient, if any.
pub fn active(
    conn: &mut DbConnection,
    doctor: &str,
    patient: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<String>> {
    Ok(break_glass_grants::table
        .filter(break_glass_grants::doctor_id.eq(doctor))
        .filter(break_glass_grants::patient_id.eq(patient))
        .filter(break_glass_grants::expires_at.gt(now.naive_utc()))
        .order(break_glass_grants::expires_at.desc())
        .select(break_glass_grants::id)
        .first(conn)
        .optional()?)
}

/// Opens the chart: call inside a write transaction. Only doctors may; the reason is required
/// (the caller bounds its length and characters).
pub fn open(
    conn: &mut DbConnection,
    actor: &Actor,
    patient_id: &str,
    reason: &str,
    now: DateTime<Utc>,
    rules: Rules,
) -> AppResult<BreakGlassGrantRow> {
    let now = now.trunc_subsecs(6);
    let patient = people::user(conn, patient_id)?;
    let audit = Access {
        actor,
        at: now,
        subject: &patient.id,
        action: ACTION,
        object_type: "patient",
        object_id: &patient.id,
        purpose: None,
    };
    if actor.role != Role::Doctor || patient.role != Role::Patient.as_str() {
        return Err(audit.deny(conn));
    }
    let row = BreakGlassGrantRow {
        id: new_id(),
        doctor_id: actor.user_id.clone(),
        patient_id: patient.id.clone(),
        organization_id: actor.organization_id.clone(),
        reason: reason.to_owned(),
        ip: actor.ip.clone(),
        created_at: now.naive_utc(),
        expires_at: (now + rules.break_glass).naive_utc(),
    };
    diesel::insert_into(break_glass_grants::table)
        .values(&row)
        .execute(conn)?;
    let purpose = format!("break_glass:{}", row.id);
    Access {
        purpose: Some(&purpose),
        object_type: "break_glass",
        object_id: &row.id,
        ..audit
    }
    .record(conn, "ok")?;
    tell_administrators(conn, &row, &patient.full_name, now)?;
    Ok(row)
}

/// One mail per administrator of the doctor's organisation, in their language.
fn tell_administrators(
    conn: &mut DbConnection,
    grant: &BreakGlassGrantRow,
    patient_name: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let Some(org_id) = &grant.organization_id else {
        return Ok(());
    };
    let (org_name, zone): (String, String) = organizations::table
        .find(org_id)
        .select((organizations::name, organizations::time_zone))
        .first(conn)?;
    let doctor = people::user(conn, &grant.doctor_id)?;
    let admins: Vec<(String, String, String)> = users::table
        .filter(users::organization_id.eq(org_id))
        .filter(users::role.eq(Role::OrgAdmin.as_str()))
        .select((users::full_name, users::email, users::language))
        .load(conn)?;
    let at = local_time(&zone, grant.created_at.and_utc());
    let until = local_time(&zone, grant.expires_at.and_utc());
    for (name, email, lang) in admins {
        let (subject, body) = break_glass(
            &lang,
            &BreakGlassText {
                addressee: &name,
                doctor_name: &doctor.full_name,
                patient_name,
                at: &at,
                until: &until,
                reason: &grant.reason,
                organization_name: &org_name,
            },
        );
        let queued = enqueue(
            conn,
            now,
            &Outgoing {
                dedupe_key: format!("break_glass:{}:{email}", grant.id),
                consultation_id: None,
                recipient: &email,
                subject,
                body,
                ics: None,
                due_at: now,
            },
        );
        // An administrator's address that cannot receive mail must not keep the doctor out
        // of the chart in an emergency; the access log still shows the grant.
        if let Err(AppError::Client { .. }) = queued {
            tracing::warn!(grant = %grant.id, "an administrator's address cannot receive mail");
        } else {
            queued?;
        }
    }
    Ok(())
}
