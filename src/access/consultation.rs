//! A consultation and the people around it (art. 35): each one's part, and what each part may
//! do. Scheduling (seeing and changing the booking) reaches the organisation's staff; the
//! consultation's documents reach only the patient's side and the doctors who treat; the call
//! reaches its guests, and nothing else does.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::{Access, Actor, people};
use crate::db::DbConnection;
use crate::db::models::{ConsultationGuestRow, ConsultationRow};
use crate::db::schema::{
    consultation_guests, council_members, councils, deferred_requests, practitioner_specialties,
    practitioners,
};
use crate::domain::account::Role;
use crate::domain::consultation::CallRole;
use crate::error::{AppError, AppResult};

/// The actor's part in a consultation, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Patient,
    Representative,
    /// The consultation's own doctor.
    Doctor,
    /// The doctor who sent the deferred request.
    Requester,
    /// The initiator or a consultant of the council the consultation belongs to.
    CouncilDoctor,
    /// A doctor of the receiving organisation whose specialties the unassigned request needs.
    QueueDoctor,
    /// Support or an administrator of the organisation.
    Staff,
    /// Invited to the call: a second doctor, an interpreter or a relative.
    Guest,
}

/// What is asked of a consultation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsultationAct {
    /// Its scheduling data and history.
    View,
    /// Cancel or reschedule (art. 15), mark documents complete (art. 13).
    Change,
    /// The patient's own agreement (art. 12).
    Agree,
    /// Join its call, read and write its chat.
    Call,
    /// Upload, list and download its documents and call materials.
    Files,
    /// Lead the call: admit, end, record it as held by telephone, invite guests.
    Lead,
    /// Take, decline or ask for documents on a deferred request.
    Answer,
}

impl ConsultationAct {
    fn allows(self, part: Part) -> bool {
        use Part::*;
        match self {
            ConsultationAct::View => true,
            ConsultationAct::Change => {
                matches!(part, Patient | Representative | Doctor | Requester | Staff)
            }
            ConsultationAct::Agree => matches!(part, Patient | Representative),
            ConsultationAct::Call => matches!(part, Patient | Representative | Doctor | Guest),
            ConsultationAct::Files => {
                matches!(
                    part,
                    Patient | Representative | Doctor | Requester | CouncilDoctor
                )
            }
            ConsultationAct::Lead => part == Doctor,
            ConsultationAct::Answer => matches!(part, Doctor | QueueDoctor),
        }
    }

    fn action(self) -> &'static str {
        match self {
            ConsultationAct::View => "consultation.read",
            ConsultationAct::Change => "consultation.change",
            ConsultationAct::Agree => "consultation.agree",
            ConsultationAct::Call => "consultation.call",
            ConsultationAct::Files => "consultation.files",
            ConsultationAct::Lead => "consultation.lead",
            ConsultationAct::Answer => "consultation.answer",
        }
    }
}

/// Every part the actor has in the consultation, strongest first (empty: none).
pub fn parts(
    conn: &mut DbConnection,
    actor: &Actor,
    row: &ConsultationRow,
) -> AppResult<Vec<Part>> {
    let mut out = Vec::new();
    match actor.role {
        Role::Patient if row.patient_id == actor.user_id => out.push(Part::Patient),
        Role::Representative if people::represents(conn, &actor.user_id, &row.patient_id)? => {
            out.push(Part::Representative)
        }
        Role::Doctor => doctor_parts(conn, actor, row, &mut out)?,
        Role::Support | Role::OrgAdmin
            if actor.organization_id.as_deref() == Some(row.organization_id.as_str()) =>
        {
            out.push(Part::Staff)
        }
        _ => {}
    }
    let guest: i64 = consultation_guests::table
        .filter(consultation_guests::consultation_id.eq(&row.id))
        .filter(consultation_guests::user_id.eq(&actor.user_id))
        .count()
        .get_result(conn)?;
    if guest > 0 {
        out.push(Part::Guest);
    }
    Ok(out)
}

fn doctor_parts(
    conn: &mut DbConnection,
    actor: &Actor,
    row: &ConsultationRow,
    out: &mut Vec<Part>,
) -> AppResult<()> {
    if let Some(p) = &row.practitioner_id {
        let user: Option<String> = practitioners::table
            .find(p)
            .select(practitioners::user_id)
            .first(conn)
            .optional()?;
        if user.as_deref() == Some(actor.user_id.as_str()) {
            out.push(Part::Doctor);
        }
    }
    let requester: Option<String> = deferred_requests::table
        .find(&row.id)
        .select(deferred_requests::requester_id)
        .first(conn)
        .optional()?;
    if requester.as_deref() == Some(actor.user_id.as_str()) {
        out.push(Part::Requester);
    }
    let member_of = council_members::table
        .filter(council_members::user_id.eq(&actor.user_id))
        .filter(council_members::status.ne("declined"))
        .select(council_members::council_id);
    let council: i64 = councils::table
        .filter(councils::consultation_id.eq(&row.id))
        .filter(
            councils::initiator_id
                .eq(&actor.user_id)
                .or(councils::id.eq_any(member_of)),
        )
        .count()
        .get_result(conn)?;
    if council > 0 {
        out.push(Part::CouncilDoctor);
    }
    if row.practitioner_id.is_none()
        && requester.is_some()
        && actor.organization_id.as_deref() == Some(row.organization_id.as_str())
    {
        // The request names the specialty it needs; one that names none is for any doctor of
        // the organisation, as the queue shows it.
        if serves(
            conn,
            &actor.user_id,
            &row.organization_id,
            row.specialty.as_deref(),
        )? {
            out.push(Part::QueueDoctor);
        }
    }
    Ok(())
}

/// Whether the doctor practises the specialty in the organisation (any, when none is named).
fn serves(
    conn: &mut DbConnection,
    doctor: &str,
    organization: &str,
    specialty: Option<&str>,
) -> AppResult<bool> {
    let mut query = practitioners::table
        .left_join(practitioner_specialties::table)
        .filter(practitioners::user_id.eq(doctor))
        .filter(practitioners::organization_id.eq(organization))
        .into_boxed();
    if let Some(code) = specialty {
        query = query.filter(practitioner_specialties::specialty_code.eq(code));
    }
    let n: i64 = query.count().get_result(conn)?;
    Ok(n > 0)
}

/// The strongest part that allows the act, if any.
pub fn part_for(
    conn: &mut DbConnection,
    actor: &Actor,
    row: &ConsultationRow,
    act: ConsultationAct,
) -> AppResult<Option<Part>> {
    Ok(parts(conn, actor, row)?
        .into_iter()
        .find(|p| act.allows(*p)))
}

/// Asks the policy; a refusal is audited with the patient as subject and answered with 403.
pub fn check(
    conn: &mut DbConnection,
    actor: &Actor,
    row: &ConsultationRow,
    act: ConsultationAct,
    at: DateTime<Utc>,
) -> AppResult<Part> {
    match part_for(conn, actor, row, act)? {
        Some(part) => Ok(part),
        None => Err(deny(conn, actor, row, act, at)),
    }
}

/// The audited refusal of an act on the consultation.
pub fn deny(
    conn: &mut DbConnection,
    actor: &Actor,
    row: &ConsultationRow,
    act: ConsultationAct,
    at: DateTime<Utc>,
) -> AppError {
    refuse(conn, actor, row, act.action(), at, AppError::forbidden())
}

/// A refusal of `action` on the consultation answered with `error` (a 403 with its own code),
/// audited with the patient as subject (art. 40).
pub fn refuse(
    conn: &mut DbConnection,
    actor: &Actor,
    row: &ConsultationRow,
    action: &str,
    at: DateTime<Utc>,
    error: AppError,
) -> AppError {
    Access {
        actor,
        at,
        subject: &row.patient_id,
        action,
        object_type: "consultation",
        object_id: &row.id,
        purpose: Some(&row.id),
    }
    .refuse(conn, "denied", error)
}

/// The audit row of an act done on the consultation, with the patient as subject, so the
/// patient sees who cancelled, moved or answered it (art. 40).
pub fn audit_act(
    conn: &mut DbConnection,
    actor: &Actor,
    row: &ConsultationRow,
    action: &str,
    at: DateTime<Utc>,
) -> AppResult<()> {
    Access {
        actor,
        at,
        subject: &row.patient_id,
        action,
        object_type: "consultation",
        object_id: &row.id,
        purpose: Some(&row.id),
    }
    .record(conn, "ok")
}

fn guest_row(
    conn: &mut DbConnection,
    consultation: &str,
    user: &str,
) -> AppResult<Option<ConsultationGuestRow>> {
    Ok(consultation_guests::table
        .filter(consultation_guests::consultation_id.eq(consultation))
        .filter(consultation_guests::user_id.eq(user))
        .select(ConsultationGuestRow::as_select())
        .first(conn)
        .optional()?)
}

/// The actor's part in the consultation's call, if the access policy lets them into it.
pub fn call_role(
    conn: &mut DbConnection,
    actor: &Actor,
    row: &ConsultationRow,
) -> AppResult<Option<CallRole>> {
    let Some(part) = part_for(conn, actor, row, ConsultationAct::Call)? else {
        return Ok(None);
    };
    Ok(match part {
        Part::Patient => Some(CallRole::Patient),
        Part::Representative => Some(CallRole::Representative),
        Part::Doctor => Some(CallRole::Doctor),
        Part::Guest => guest_row(conn, &row.id, &actor.user_id)?.map(|g| match g.kind.as_str() {
            "guest_doctor" => CallRole::GuestDoctor,
            "interpreter" => CallRole::Interpreter,
            _ => CallRole::Relative,
        }),
        _ => None,
    })
}
