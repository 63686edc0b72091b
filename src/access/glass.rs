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
use crate::notify::templates::{Addressee, BreakGlassText, Recipient, break_glass, local_time};
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
    public_url: &str,
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
    tell_administrators(conn, &row, &patient.full_name, now, public_url)?;
    Ok(row)
}

/// One mail per administrator of the doctor's organisation, in their language.
fn tell_administrators(
    conn: &mut DbConnection,
    grant: &BreakGlassGrantRow,
    patient_name: &str,
    now: DateTime<Utc>,
    public_url: &str,
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
    let review_url = format!("{public_url}/#/break-glass/review");
    let text = BreakGlassText {
        doctor_name: &doctor.full_name,
        patient_name,
        at: &at,
        until: &until,
        organization_name: &org_name,
        url: &review_url,
    };
    for (name, email, lang) in admins {
        let to = Addressee {
            recipient: Recipient::Administrator,
            name: &name,
        };
        let (subject, body) = break_glass(&lang, &to, &text)?;
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

/// One grant as its reviewers read it.
pub struct Reviewed {
    pub grant: BreakGlassGrantRow,
    pub doctor_name: String,
    pub patient_name: String,
}

/// How many grants one review shows at most, newest first.
const REVIEW_LIMIT: i64 = 200;

/// The grants opened by doctors of the organisation, newest first, for its administrators to
/// review: who, whose chart, when and the reason stated (which the mail to them leaves out, as
/// it can describe the patient's condition). Only the organisation's administrators: the
/// platform operator runs the installation but reviews no reasons. Each patient sees the review
/// in their access log (art. 40).
pub fn review(
    conn: &mut DbConnection,
    actor: &Actor,
    organization_id: &str,
    now: DateTime<Utc>,
) -> AppResult<Vec<Reviewed>> {
    if actor.role != Role::OrgAdmin || actor.organization_id.as_deref() != Some(organization_id) {
        return Err(AppError::forbidden());
    }
    let grants: Vec<BreakGlassGrantRow> = break_glass_grants::table
        .filter(break_glass_grants::organization_id.eq(organization_id))
        .order(break_glass_grants::created_at.desc())
        .limit(REVIEW_LIMIT)
        .select(BreakGlassGrantRow::as_select())
        .load(conn)?;
    let mut out = Vec::with_capacity(grants.len());
    for grant in grants {
        let doctor_name = people::user(conn, &grant.doctor_id)?.full_name;
        let patient_name = people::user(conn, &grant.patient_id)?.full_name;
        Access {
            actor,
            at: now,
            subject: &grant.patient_id,
            action: "break_glass.review",
            object_type: "break_glass",
            object_id: &grant.id,
            purpose: None,
        }
        .record(conn, "ok")?;
        out.push(Reviewed {
            grant,
            doctor_name,
            patient_name,
        });
    }
    Ok(out)
}
