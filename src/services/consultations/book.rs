//! Booking (art. 6, 9, 12): by the patient, their representative, or staff on the patient's
//! behalf; staff's own initiative waits for the patient's agreement. The database makes a slot
//! bookable once (a unique index), so the rule holds across processes and nodes.

use base64::Engine;
use chrono::{DateTime, Duration, SubsecRound, Utc};
use diesel::prelude::*;
use rand::RngCore;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::super::patients::Relation;
use super::super::slots::Calendar;
use super::super::{Actor, Context, consent};
use super::{ConsultationView, notices, record_event, view};
use crate::access::care_basis;
use crate::db::models::{ConsultationRow, OrganizationRow};
use crate::db::schema::{consultations, organizations, specialties};
use crate::db::{DbConnection, new_id, write_tx};
use crate::domain::account::Role;
use crate::domain::canonical::sha256_hex;
use crate::domain::consultation::{
    Funding, Initiative, Mode, RequestKind, Status, Urgency, deadline,
};
use crate::domain::organization::PriceItem;
use crate::domain::text::Lines;
use crate::error::{AppError, AppResult};
use crate::services::input;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingInput {
    pub mode: Mode,
    pub urgency: Urgency,
    /// Real time: the practitioner and the start of one of their free slots.
    #[serde(default)]
    pub practitioner_id: Option<String>,
    #[serde(default)]
    pub slot_start: Option<DateTime<Utc>>,
    /// Deferred: the organisation, optionally a specialty.
    #[serde(default)]
    pub organization_id: Option<String>,
    #[serde(default)]
    pub specialty: Option<String>,
    pub reason: String,
    pub funding: Funding,
    /// Paid: which line of the price list; the first one by default.
    #[serde(default)]
    pub price_service: Option<String>,
    /// Representative or staff: the patient this is for.
    #[serde(default)]
    pub patient_id: Option<String>,
    /// Staff: `staff_on_patient_request` (default) or `staff_own` (needs the patient's agreement).
    #[serde(default)]
    pub initiative: Option<Initiative>,
    /// Deferred: the request already carries every document it needs (art. 13).
    #[serde(default)]
    pub documents_complete: bool,
    /// Deferred: a consultation (default), the interpretation of a study, or a second opinion.
    #[serde(default)]
    pub request_kind: Option<RequestKind>,
    /// Deferred interpretation: the licensed profile of the study (Order No. 5 of 2025).
    #[serde(default)]
    pub study_profile: Option<String>,
}

struct Target {
    organization: OrganizationRow,
    practitioner_id: Option<String>,
    slot: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

fn organization(conn: &mut DbConnection, id: &str) -> AppResult<OrganizationRow> {
    organizations::table
        .find(id)
        .select(OrganizationRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("organization"))
}

fn target(
    conn: &mut DbConnection,
    input: &BookingInput,
    now: DateTime<Utc>,
    horizon_days: i64,
) -> AppResult<Target> {
    match input.mode {
        Mode::Realtime => {
            let (Some(practitioner), Some(start)) = (&input.practitioner_id, input.slot_start)
            else {
                return Err(AppError::unprocessable(
                    "slot_required",
                    "a real-time consultation needs practitioner_id and slot_start",
                ));
            };
            let start = start.trunc_subsecs(0);
            let cal = Calendar::load(conn, practitioner)?;
            if start <= now {
                return Err(AppError::unprocessable(
                    "slot_in_past",
                    "this slot has already begun",
                ));
            }
            if start > now + Duration::days(horizon_days) {
                return Err(AppError::unprocessable(
                    "slot_beyond_horizon",
                    format!("slots can be booked up to {horizon_days} days ahead"),
                ));
            }
            let slot = cal.slot_at(start)?.ok_or_else(|| {
                AppError::unprocessable("not_a_slot", "the practitioner has no slot starting then")
            })?;
            Ok(Target {
                organization: cal.organization,
                practitioner_id: Some(cal.practitioner.id),
                slot: Some((slot.start, slot.end)),
            })
        }
        Mode::Deferred => {
            let org = input.organization_id.as_deref().ok_or_else(|| {
                AppError::unprocessable(
                    "organization_required",
                    "a deferred consultation needs organization_id",
                )
            })?;
            let organization = organization(conn, org)?;
            if let Some(code) = &input.specialty {
                let n: i64 = specialties::table
                    .filter(specialties::code.eq(code))
                    .count()
                    .get_result(conn)?;
                if n == 0 {
                    return Err(AppError::unprocessable(
                        "unknown_specialty",
                        "unknown specialty code",
                    ));
                }
            }
            Ok(Target {
                organization,
                practitioner_id: None,
                slot: None,
            })
        }
    }
}

/// Art. 41–43: the funding must be one the organisation offers; a paid consultation takes its
/// price from the published price list.
fn price(org: &OrganizationRow, funding: Funding, service: Option<&str>) -> AppResult<Option<i64>> {
    let not_offered = |what: &str| {
        AppError::unprocessable(
            "funding_not_offered",
            format!("the organisation does not provide {what} services"),
        )
    };
    match funding {
        Funding::Gobmp if !org.gobmp => Err(not_offered("GOBMP")),
        Funding::Osms if !org.osms => Err(not_offered("OSMS")),
        Funding::Paid => {
            if !org.paid {
                return Err(not_offered("paid"));
            }
            let list: Vec<PriceItem> = serde_json::from_str(&org.price_list).unwrap_or_default();
            let item = match service {
                Some(name) => list.iter().find(|i| i.service == name),
                None => list.first(),
            };
            item.map(|i| Some(i.price_kzt)).ok_or_else(|| {
                AppError::unprocessable("unknown_price_item", "no such line in the price list")
            })
        }
        _ => Ok(None),
    }
}

fn initiative(
    actor: &Actor,
    relation: Relation,
    asked: Option<Initiative>,
) -> AppResult<Initiative> {
    Ok(match relation {
        Relation::Themself => Initiative::Patient,
        Relation::Representative => Initiative::Representative,
        Relation::Staff => match asked.unwrap_or(Initiative::StaffOnPatientRequest) {
            i @ (Initiative::StaffOnPatientRequest | Initiative::StaffOwn) => i,
            _ => {
                return Err(AppError::unprocessable(
                    "invalid_initiative",
                    format!(
                        "staff ({}) book on the patient's request or their own",
                        actor.role
                    ),
                ));
            }
        },
    })
}

pub async fn book(
    ctx: &Context,
    actor: &Actor,
    input: BookingInput,
) -> AppResult<ConsultationView> {
    let reason = super::super::required_text(&input.reason, "reason", 2000)?;
    if input.mode == Mode::Realtime
        && (input.request_kind.is_some() || input.study_profile.is_some())
    {
        return Err(AppError::unprocessable(
            "deferred_only",
            "request_kind and study_profile belong to deferred requests",
        ));
    }
    input::optional_time(input.slot_start, "slot_start")?;
    input::optional_id(input.practitioner_id.as_deref(), "practitioner_id")?;
    input::optional_id(input.organization_id.as_deref(), "organization_id")?;
    input::optional_id(input.patient_id.as_deref(), "patient_id")?;
    input::optional_code(input.specialty.as_deref(), "specialty")?;
    let study_profile = input.study_profile.as_deref().map(str::trim);
    input::optional_code(study_profile.filter(|p| !p.is_empty()), "study_profile")?;
    if let Some(service) = &input.price_service {
        input::checked_characters(service, "price_service", Lines::One)?;
    }
    let now = ctx.clock.now().trunc_subsecs(6);
    let actor = actor.clone();
    let settings = ctx.settings.clone();
    let rules = ctx.access_rules();
    let public_url = ctx.public_url.clone();
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let (patient, relation) = crate::access::resolve_audited(
                    conn,
                    &actor,
                    input.patient_id.as_deref(),
                    now,
                    "consultation.book",
                )?;
                // After the patient is resolved, so a refusal about someone else's data is
                // audited as such first.
                crate::services::accounts::email::require_verified(conn, &actor)?;
                let initiative = initiative(&actor, relation, input.initiative)?;
                let target = target(conn, &input, now, settings.booking.horizon_days)?;
                let org = &target.organization;
                // Staff book in their own organisation; a treating doctor may also send a
                // deferred request to another one (art. 17: a consultation, an interpretation, a
                // second opinion from colleagues elsewhere).
                let doctor_sends_elsewhere =
                    input.mode == Mode::Deferred && actor.role == Role::Doctor;
                if relation == Relation::Staff
                    && actor.organization_id.as_deref() != Some(org.id.as_str())
                    && !doctor_sends_elsewhere
                {
                    return Err(crate::access::refuse_for(
                        conn,
                        &actor,
                        &patient.id,
                        now,
                        "consultation.book",
                        AppError::forbidden(),
                    ));
                }
                // Art. 12, 35: what the patient (or representative) books, they agree to; a
                // treating doctor's request counts as the patient's too. Other staff bookings
                // reach no records until the patient agrees or turns up to the call.
                let treating = actor.role == Role::Doctor
                    && care_basis(conn, &actor.user_id, &patient.id, now, rules, None)?.is_some();
                if doctor_sends_elsewhere && !treating && relation == Relation::Staff {
                    return Err(crate::access::refuse_for(
                        conn,
                        &actor,
                        &patient.id,
                        now,
                        "consultation.book",
                        AppError::client(
                            crate::error::ErrorKind::Forbidden,
                            "no_care_relationship",
                            "only the patient's treating doctor sends their documents elsewhere",
                        ),
                    ));
                }
                let agreed = relation != Relation::Staff || treating;
                let kind = (input.mode == Mode::Deferred)
                    .then(|| input.request_kind.unwrap_or(RequestKind::Consultation));
                if let Some(kind) = kind {
                    super::request::check_licence(
                        &org.licensed_profiles,
                        kind,
                        input.study_profile.as_deref(),
                    )?;
                }
                let price_kzt = price(org, input.funding, input.price_service.as_deref())?;
                if !consent::is_valid(conn, &org.id, &patient.id)? {
                    return Err(AppError::conflict(
                        "consent_required",
                        "the patient has not accepted the organisation's current offer (art. 33.1)",
                    ));
                }
                // Art. 8: an urgent real-time consultation must start within the urgent deadline.
                if let (Urgency::Urgent, Some((start, _))) = (input.urgency, target.slot)
                    && start > now + Duration::hours(i64::from(org.urgent_deadline_hours))
                {
                    return Err(AppError::unprocessable(
                        "slot_beyond_urgent_deadline",
                        format!(
                            "an urgent consultation must take place within {} hours (art. 8)",
                            org.urgent_deadline_hours
                        ),
                    ));
                }
                // Art. 13: the clock runs once the request and its documents are in.
                let clock_started = match input.mode {
                    Mode::Realtime => Some(now),
                    Mode::Deferred => input.documents_complete.then_some(now),
                };
                let (status, confirm_token) = if initiative == Initiative::StaffOwn {
                    let mut raw = [0u8; 32];
                    rand::rngs::OsRng.fill_bytes(&mut raw);
                    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
                    (Status::AwaitingAgreement, Some(token))
                } else {
                    (Status::Booked, None)
                };
                // Art. 9: a real-time consultation is due at its slot. Only an urgent one also
                // has art. 8's deadline, which its slot lies within; a planned one's would pass
                // before a slot booked further ahead.
                let has_deadline = input.mode == Mode::Deferred || input.urgency == Urgency::Urgent;
                let deadline_at = clock_started.filter(|_| has_deadline).map(|t| {
                    let (urgent, planned) = (org.urgent_deadline_hours, org.planned_deadline_hours);
                    deadline(t, input.urgency, urgent, planned).naive_utc()
                });
                let id = new_id();
                let row = ConsultationRow {
                    ics_uid: format!("{id}@telemed"),
                    id: id.clone(),
                    organization_id: org.id.clone(),
                    practitioner_id: target.practitioner_id.clone(),
                    patient_id: patient.id.clone(),
                    booked_by: actor.user_id.clone(),
                    initiative: initiative.as_str().to_owned(),
                    status: status.as_str().to_owned(),
                    mode: input.mode.as_str().to_owned(),
                    urgency: input.urgency.as_str().to_owned(),
                    specialty: input.specialty.clone(),
                    slot_start: target.slot.map(|s| s.0.naive_utc()),
                    slot_end: target.slot.map(|s| s.1.naive_utc()),
                    reason,
                    funding: input.funding.as_str().to_owned(),
                    price_kzt,
                    requested_at: now.naive_utc(),
                    clock_started_at: clock_started.map(|t| t.naive_utc()),
                    deadline_at,
                    breached_at: None,
                    confirm_token_hash: confirm_token.as_deref().map(|t| sha256_hex(t.as_bytes())),
                    ics_sequence: 0,
                    cancelled_at: None,
                    completed_at: None,
                    started_at: None,
                    ended_at: None,
                    held_by: None,
                    patient_agreed_at: agreed.then(|| now.naive_utc()),
                    created_at: now.naive_utc(),
                    updated_at: now.naive_utc(),
                };
                insert(conn, &row)?;
                if let Some(kind) = kind {
                    super::request::create(
                        conn,
                        &id,
                        kind,
                        input.study_profile.clone(),
                        &actor,
                        relation == Relation::Staff,
                    )?;
                }
                record_event(
                    conn,
                    &id,
                    now,
                    Some(&actor.user_id),
                    "booked",
                    json!({"initiative": row.initiative, "status": row.status, "slot_start": target.slot.map(|s| s.0)}),
                )?;
                let parties = notices::Parties::load(conn, &row, &public_url)?;
                match &confirm_token {
                    Some(token) => notices::agreement_requested(conn, now, &row, &parties, token)?,
                    None => notices::booked(conn, now, &row, &parties, &settings.booking.reminder_hours)?,
                }
                crate::audit::record(
                    conn,
                    now,
                    &crate::audit::Event {
                        actor_id: Some(&actor.user_id),
                        subject_id: Some(&patient.id),
                        action: "consultation.book",
                        object_type: "consultation",
                        object_id: &id,
                        outcome: "ok",
                        ip: &actor.ip,
                        purpose: Some(&id),
                    },
                )?;
                view(conn, row, now, false)
            })
        })
        .await
}

/// Inserts the row; a slot already held is `slot_taken`, whichever node or process holds it.
pub(crate) fn insert(conn: &mut DbConnection, row: &ConsultationRow) -> AppResult<()> {
    match diesel::insert_into(consultations::table)
        .values(row)
        .execute(conn)
    {
        Ok(_) => Ok(()),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Err(slot_taken()),
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn slot_taken() -> AppError {
    AppError::conflict(
        "slot_taken",
        "this slot has just been booked by someone else",
    )
}
