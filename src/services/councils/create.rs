//! Art. 20: a medical worker asks for a council on the patient's initiative, or on their own
//! with the patient's agreement (then the council waits for it). The request names consultants,
//! or specialties (optionally with the organisations whose staff should take part); the
//! organisations assign consultants for specialties nobody named covers (art. 22, 23). With the
//! initiator there must be at least three doctors (art. 2.6).

use std::collections::HashSet;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::ToSchema;

use super::assign::{self, Pick, When};
use super::notices::Notices;
use super::{CouncilView, Part, access, view};
use crate::db::models::{ConsultationRow, CouncilMemberRow, CouncilRow, OrganizationRow, UserRow};
use crate::db::schema::{
    consultations, council_members, councils, organizations, practitioner_specialties,
    practitioners, specialties, users,
};
use crate::db::{DbConnection, new_id, write_tx};
use crate::domain::account::Role;
use crate::domain::consultation::{Funding, Initiative, Mode, Status, Urgency, deadline};
use crate::domain::council::{
    CouncilInitiative, CouncilMode, CouncilStatus, MemberSource, MemberStatus, enough_doctors,
};
use crate::error::{AppError, AppResult};
use crate::notify::templates::CouncilNotice;
use crate::services::{Actor, Context, optional_text, patients};

/// The most consultants, specialties or organisations one request may list.
const MAX_LISTED: usize = 12;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CouncilInput {
    /// The patient's platform id, or their 12-digit IIN.
    pub patient_id: String,
    /// What the council is to decide.
    pub question: String,
    pub urgency: Urgency,
    pub mode: CouncilMode,
    pub initiative: CouncilInitiative,
    /// Real time: when the council meets (RFC 3339).
    pub scheduled_at: Option<DateTime<Utc>>,
    /// Practitioner ids of consultants named in the request.
    #[serde(default)]
    pub consultants: Vec<String>,
    /// Specialty codes the organisations assign consultants for.
    #[serde(default)]
    pub specialties: Vec<String>,
    /// Organisations whose staff should take part (art. 22); none: each specialty goes to an
    /// organisation's simple queue (art. 23).
    #[serde(default)]
    pub organizations: Vec<String>,
}

pub(crate) fn unprocessable(code: &'static str, message: impl std::fmt::Display) -> AppError {
    AppError::unprocessable(code, message)
}

fn check_lengths(input: &CouncilInput) -> AppResult<()> {
    for (list, what) in [
        (&input.consultants, "consultants"),
        (&input.specialties, "specialties"),
        (&input.organizations, "organizations"),
    ] {
        if list.len() > MAX_LISTED {
            return Err(unprocessable(
                "too_many_listed",
                format!("at most {MAX_LISTED} {what} in one request"),
            ));
        }
    }
    if input.consultants.is_empty() && input.specialties.is_empty() {
        return Err(unprocessable(
            "consultants_or_specialties",
            "name consultants or choose specialties",
        ));
    }
    Ok(())
}

/// The patient, by their platform id or by their IIN (what a clinic asks a patient for).
fn patient(conn: &mut DbConnection, id_or_iin: &str) -> AppResult<UserRow> {
    let key = id_or_iin.trim();
    let found = if key.len() == 12 && key.chars().all(|c| c.is_ascii_digit()) {
        users::table
            .filter(users::iin.eq(key))
            .select(UserRow::as_select())
            .first(conn)
            .optional()?
    } else if crate::domain::text::is_id(key) {
        patients::user(conn, key).ok()
    } else {
        // Neither an IIN nor an id: nobody, without asking the database.
        None
    };
    let user =
        found.ok_or_else(|| unprocessable("patient_not_found", "no patient has this id or IIN"))?;
    if user.role.parse::<Role>().ok() != Some(Role::Patient) {
        return Err(unprocessable(
            "not_a_patient",
            "the person named is not a patient",
        ));
    }
    Ok(user)
}

fn no_care_relationship() -> AppError {
    AppError::client(
        crate::error::ErrorKind::Forbidden,
        "no_care_relationship",
        "only a doctor who treats the patient calls a council on their case",
    )
}

/// Art. 20, 35: the patient of the council, whom its initiator must already treat (a
/// consultation, council or request the patient agreed to; breaking the glass opens a chart,
/// not a council). An unknown id or IIN is answered like a patient the doctor does not treat,
/// so the form cannot turn IINs into names.
fn treated_patient(
    conn: &mut DbConnection,
    actor: &Actor,
    id_or_iin: &str,
    now: DateTime<Utc>,
    rules: crate::access::Rules,
) -> AppResult<UserRow> {
    let user = match patient(conn, id_or_iin) {
        Ok(user) => user,
        Err(e) if matches!(e.code(), "patient_not_found" | "not_a_patient") => {
            return Err(no_care_relationship());
        }
        Err(e) => return Err(e),
    };
    let basis = match actor.role {
        Role::Doctor => {
            crate::access::care_basis(conn, &actor.user_id, &user.id, now, rules, None)?
        }
        _ => None,
    };
    match basis {
        Some(crate::access::Basis::BreakGlass(_)) | None => Err(crate::access::refuse_for(
            conn,
            actor,
            &user.id,
            now,
            "council.create",
            no_care_relationship(),
        )),
        Some(_) => Ok(user),
    }
}

/// The consultants named in the request, as assignments.
pub(crate) fn named(
    conn: &mut DbConnection,
    ids: &[String],
    initiator: &str,
    taken: &mut HashSet<String>,
) -> AppResult<Vec<Pick>> {
    let mut picks = Vec::new();
    for id in ids {
        if !crate::domain::text::is_id(id) {
            return Err(unprocessable(
                "unknown_practitioner",
                "no such practitioner",
            ));
        }
        let (user_id, organization_id): (String, String) = practitioners::table
            .find(id)
            .select((practitioners::user_id, practitioners::organization_id))
            .first(conn)
            .optional()?
            .ok_or_else(|| {
                unprocessable("unknown_practitioner", format!("no practitioner {id}"))
            })?;
        if user_id == initiator {
            return Err(unprocessable(
                "initiator_not_consultant",
                "the initiator takes part already; name other doctors",
            ));
        }
        if !taken.insert(user_id.clone()) {
            return Err(unprocessable(
                "duplicate_consultant",
                "a consultant is named twice",
            ));
        }
        picks.push(Pick {
            practitioner_id: id.clone(),
            user_id,
            organization_id,
            specialty: String::new(),
            source: MemberSource::Named,
        });
    }
    Ok(picks)
}

/// The specialties of the named consultants: a specialty they cover needs no assignment.
fn covered(conn: &mut DbConnection, picks: &[Pick]) -> AppResult<HashSet<String>> {
    let ids: Vec<&String> = picks.iter().map(|p| &p.practitioner_id).collect();
    Ok(practitioner_specialties::table
        .filter(practitioner_specialties::practitioner_id.eq_any(ids))
        .select(practitioner_specialties::specialty_code)
        .load::<String>(conn)?
        .into_iter()
        .collect())
}

fn nobody(specialty: &str) -> AppError {
    unprocessable(
        "no_consultant_available",
        format!("no consultant of {specialty} can be assigned"),
    )
}

pub(crate) fn check_organizations(conn: &mut DbConnection, ids: &[String]) -> AppResult<()> {
    for org in ids {
        if !crate::domain::text::is_id(org) {
            return Err(unprocessable(
                "unknown_organization",
                "no such organisation",
            ));
        }
        let n: i64 = organizations::table
            .filter(organizations::id.eq(org))
            .count()
            .get_result(conn)?;
        if n == 0 {
            return Err(unprocessable(
                "unknown_organization",
                format!("no organisation {org}"),
            ));
        }
    }
    Ok(())
}

pub(crate) fn check_specialty(conn: &mut DbConnection, code: &str) -> AppResult<()> {
    if !crate::domain::text::is_code(code) {
        return Err(unprocessable("unknown_specialty", "no such specialty"));
    }
    let known: i64 = specialties::table
        .filter(specialties::code.eq(code))
        .count()
        .get_result(conn)?;
    if known == 0 {
        return Err(unprocessable(
            "unknown_specialty",
            format!("no specialty {code}"),
        ));
    }
    Ok(())
}

/// Art. 22, 23: the consultants one specialty brings: one from each named organisation that
/// has the specialty, by its schedule; or, with none named, the next in a simple queue.
/// Those assigned join `taken`; nobody at all is 422 `no_consultant_available`.
pub(crate) fn for_specialty(
    conn: &mut DbConnection,
    specialty: &str,
    organizations: &[String],
    initiator_org: &str,
    when: When,
    taken: &mut HashSet<String>,
) -> AppResult<Vec<Pick>> {
    let mut picks = Vec::new();
    if organizations.is_empty() {
        for org in assign::queue_organizations(conn, specialty, initiator_org)? {
            if let Some(pick) = assign::by_queue(conn, &org, specialty, taken)? {
                taken.insert(pick.user_id.clone());
                picks.push(pick);
                break;
            }
        }
    } else {
        for org in organizations {
            if !assign::has_specialty(conn, org, specialty)? {
                continue;
            }
            if let Some(pick) = assign::by_schedule(conn, org, specialty, when, taken)? {
                taken.insert(pick.user_id.clone());
                picks.push(pick);
            }
        }
    }
    if picks.is_empty() {
        return Err(nobody(specialty));
    }
    Ok(picks)
}

/// Art. 22, 23: consultants for the specialties nobody named covers.
fn assigned(
    conn: &mut DbConnection,
    input: &CouncilInput,
    initiator_org: &str,
    when: When,
    covered: &HashSet<String>,
    taken: &mut HashSet<String>,
) -> AppResult<Vec<Pick>> {
    check_organizations(conn, &input.organizations)?;
    // Sorted, so that concurrent requests lock the queues in one order.
    let mut wanted: Vec<&String> = input.specialties.iter().collect();
    wanted.sort();
    wanted.dedup();
    let mut picks = Vec::new();
    for specialty in wanted {
        check_specialty(conn, specialty)?;
        if covered.contains(specialty) {
            continue;
        }
        picks.extend(for_specialty(
            conn,
            specialty,
            &input.organizations,
            initiator_org,
            when,
            taken,
        )?);
    }
    // Every organisation named must send someone when there was a specialty to assign.
    if !picks.is_empty()
        && let Some(idle) = input
            .organizations
            .iter()
            .find(|o| picks.iter().all(|p| &p.organization_id != *o))
    {
        return Err(unprocessable(
            "organization_lacks_specialty",
            format!("organisation {idle} has no available consultant of the specialties asked for"),
        ));
    }
    Ok(picks)
}

/// The initiator's practitioner record in their organisation, and the organisation.
fn initiator(conn: &mut DbConnection, actor: &Actor) -> AppResult<(String, OrganizationRow)> {
    let org = actor
        .organization_id
        .as_deref()
        .ok_or_else(AppError::forbidden)?;
    let practitioner: String = practitioners::table
        .filter(practitioners::user_id.eq(&actor.user_id))
        .filter(practitioners::organization_id.eq(org))
        .select(practitioners::id)
        .first(conn)
        .optional()?
        .ok_or_else(AppError::forbidden)?;
    let org = organizations::table
        .find(org)
        .select(OrganizationRow::as_select())
        .first(conn)?;
    Ok((practitioner, org))
}

/// The consultation the council works in: its documents, and in real time its call, which
/// the initiator leads as its doctor (the consultants join as second doctors, art. 18).
fn consultation_row(
    row: &CouncilRow,
    practitioner: &str,
    org: &OrganizationRow,
    now: DateTime<Utc>,
) -> ConsultationRow {
    let n = now.naive_utc();
    let slot_start = row.scheduled_at;
    let realtime = CouncilMode::parse(&row.mode) == Some(CouncilMode::Realtime);
    let id = new_id();
    ConsultationRow {
        ics_uid: format!("{id}@telemed"),
        id,
        organization_id: org.id.clone(),
        practitioner_id: Some(practitioner.to_owned()),
        patient_id: row.patient_id.clone(),
        booked_by: row.initiator_id.clone(),
        initiative: match CouncilInitiative::parse(&row.initiative) {
            Some(CouncilInitiative::Own) => Initiative::StaffOwn,
            _ => Initiative::StaffOnPatientRequest,
        }
        .as_str()
        .to_owned(),
        status: match CouncilStatus::parse(&row.status) {
            Some(CouncilStatus::AwaitingAgreement) => Status::AwaitingAgreement,
            _ => Status::Booked,
        }
        .as_str()
        .to_owned(),
        mode: if realtime {
            Mode::Realtime
        } else {
            Mode::Deferred
        }
        .as_str()
        .to_owned(),
        urgency: row.urgency.clone(),
        specialty: None,
        slot_start,
        slot_end: slot_start.map(|s| s + Duration::minutes(i64::from(org.consultation_minutes))),
        reason: row.question.clone(),
        funding: Funding::Gobmp.as_str().to_owned(),
        price_kzt: None,
        requested_at: n,
        clock_started_at: (!realtime).then_some(n),
        deadline_at: row.deadline_at,
        breached_at: None,
        confirm_token_hash: None,
        ics_sequence: 0,
        cancelled_at: None,
        completed_at: None,
        created_at: n,
        updated_at: n,
        started_at: None,
        ended_at: None,
        held_by: None,
        // The council row carries the patient's agreement (art. 20); its consultation follows it.
        patient_agreed_at: (CouncilStatus::parse(&row.status) == Some(CouncilStatus::Assembling))
            .then_some(n),
    }
}

pub(crate) fn member_row(council: &str, pick: &Pick, at: DateTime<Utc>) -> CouncilMemberRow {
    CouncilMemberRow {
        id: new_id(),
        council_id: council.to_owned(),
        user_id: pick.user_id.clone(),
        practitioner_id: pick.practitioner_id.clone(),
        organization_id: pick.organization_id.clone(),
        specialty: (!pick.specialty.is_empty()).then(|| pick.specialty.clone()),
        source: pick.source.as_str().to_owned(),
        status: MemberStatus::Invited.as_str().to_owned(),
        decline_reason: None,
        opinion: None,
        opinion_at: None,
        assigned_at: at.naive_utc(),
    }
}

/// Only a doctor who treats the patient asks for a council; anyone else is refused, audited,
/// once the patient is known ([`treated_patient`]).
pub async fn create(ctx: &Context, actor: &Actor, input: CouncilInput) -> AppResult<CouncilView> {
    check_lengths(&input)?;
    let question = optional_text(&input.question, "question", 2000)?;
    if question.is_empty() {
        return Err(unprocessable(
            "question_required",
            "say what the council is to decide",
        ));
    }
    crate::services::input::optional_time(input.scheduled_at, "scheduled_at")?;
    let now = ctx.clock.now().trunc_subsecs(6);
    let scheduled_at = match input.mode {
        CouncilMode::Realtime => {
            let at = input
                .scheduled_at
                .ok_or_else(|| {
                    unprocessable(
                        "scheduled_at_required",
                        "a real-time council needs its time",
                    )
                })?
                .trunc_subsecs(0);
            if at <= now {
                return Err(unprocessable(
                    "scheduled_at_past",
                    "the council's time has passed",
                ));
            }
            // A council meets within the horizon a consultation may be booked in.
            let horizon_days = ctx.settings.booking.horizon_days;
            if at > now + Duration::days(horizon_days) {
                return Err(unprocessable(
                    "scheduled_at_beyond_horizon",
                    format!("a council can be scheduled up to {horizon_days} days ahead"),
                ));
            }
            Some(at)
        }
        CouncilMode::Deferred => None,
    };
    let actor = actor.clone();
    let public_url = ctx.public_url.clone();
    let reminder_hours = ctx.settings.booking.reminder_hours.clone();
    let rules = ctx.access_rules();
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let patient = treated_patient(conn, &actor, &input.patient_id, now, rules)?;
                let (practitioner, org) = initiator(conn, &actor)?;
                let deadline_at = match input.mode {
                    CouncilMode::Deferred => Some(deadline(
                        now,
                        input.urgency,
                        org.urgent_deadline_hours,
                        org.planned_deadline_hours,
                    )),
                    CouncilMode::Realtime => None,
                };
                let when = match (scheduled_at, deadline_at) {
                    (Some(at), _) => When::At(at),
                    (None, Some(until)) => When::Within(now, until),
                    (None, None) => When::Within(now, now + Duration::days(1)),
                };
                let mut taken = HashSet::from([actor.user_id.clone()]);
                let mut picks = named(conn, &input.consultants, &actor.user_id, &mut taken)?;
                let covered = covered(conn, &picks)?;
                picks.extend(assigned(conn, &input, &org.id, when, &covered, &mut taken)?);
                if !enough_doctors(picks.len()) {
                    return Err(unprocessable(
                        "council_too_small",
                        "a council needs at least three doctors, the initiator included (art. 2.6)",
                    ));
                }
                let status = match input.initiative {
                    CouncilInitiative::Patient => CouncilStatus::Assembling,
                    CouncilInitiative::Own => CouncilStatus::AwaitingAgreement,
                };
                let mut row = CouncilRow {
                    id: new_id(),
                    patient_id: patient.id.clone(),
                    initiator_id: actor.user_id.clone(),
                    initiator_org_id: org.id.clone(),
                    question: question.clone(),
                    urgency: input.urgency.as_str().to_owned(),
                    mode: input.mode.as_str().to_owned(),
                    initiative: input.initiative.as_str().to_owned(),
                    status: status.as_str().to_owned(),
                    scheduled_at: scheduled_at.map(|t| t.naive_utc()),
                    deadline_at: deadline_at.map(|t| t.naive_utc()),
                    patient_agreed_at: None,
                    cancel_reason: None,
                    consultation_id: None,
                    created_at: now.naive_utc(),
                    updated_at: now.naive_utc(),
                };
                let consultation = consultation_row(&row, &practitioner, &org, now);
                diesel::insert_into(consultations::table)
                    .values(&consultation)
                    .execute(conn)?;
                row.consultation_id = Some(consultation.id);
                diesel::insert_into(councils::table)
                    .values(&row)
                    .execute(conn)?;
                let members: Vec<CouncilMemberRow> =
                    picks.iter().map(|p| member_row(&row.id, p, now)).collect();
                for member in &members {
                    diesel::insert_into(council_members::table)
                        .values(member)
                        .execute(conn)?;
                }
                access(&actor, now, &row, "council.create").record(conn, "ok")?;
                let notices = Notices::load(conn, &row, &public_url)?;
                match status {
                    CouncilStatus::AwaitingAgreement => {
                        notices.to_patient(conn, now, CouncilNotice::AgreementRequested)?
                    }
                    _ => {
                        let doctors: Vec<String> =
                            picks.iter().map(|p| p.user_id.clone()).collect();
                        assembled(conn, now, &notices, &doctors, &reminder_hours)?;
                    }
                }
                view(conn, row, Some(Part::Initiator))
            })
        })
        .await
}

/// The council is going ahead: the patient is told of it, each consultant of their
/// assignment, and everyone will be reminded before a real-time council (art. 25).
pub(crate) fn assembled(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    notices: &Notices<'_>,
    consultants: &[String],
    reminder_hours: &[i64],
) -> AppResult<()> {
    notices.to_patient(conn, now, CouncilNotice::Planned)?;
    for user in consultants {
        notices.assigned(conn, now, user)?;
    }
    notices.everyone_reminded(conn, now, consultants, reminder_hours)
}
