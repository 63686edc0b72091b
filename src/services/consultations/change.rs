//! Changes after booking: the patient's agreement (art. 12), documents complete (art. 13),
//! cancellation and rescheduling with a reason (art. 15).

use chrono::{DateTime, SubsecRound, Utc};
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::super::documents::{self, NewDocument, document_time};
use super::super::slots::Calendar;
use super::super::{Actor, Context};
use super::{ConsultationView, load, may_see, notices, record_event, status_of, view};
use crate::db::models::ConsultationRow;
use crate::db::schema::{consultations, organizations};
use crate::db::{DbConnection, write_tx};
use crate::domain::account::Role;
use crate::domain::canonical::sha256_hex;
use crate::domain::consultation::{Mode, REASON_CODES, Status, Urgency, deadline};
use crate::error::{AppError, AppResult};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelInput {
    /// One of `patient_request`, `doctor_unavailable`, `patient_unwell`, `technical_problem`,
    /// `duplicate`, `other`.
    pub reason_code: String,
    pub reason_text: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleInput {
    pub slot_start: DateTime<Utc>,
    pub reason_code: String,
    pub reason_text: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmInput {
    /// The token from the agreement e-mail's link.
    pub token: String,
}

fn reason(code: &str, text: &str) -> AppResult<String> {
    if !REASON_CODES.contains(&code) {
        return Err(AppError::unprocessable(
            "invalid_reason_code",
            format!("reason_code must be one of {}", REASON_CODES.join(", ")),
        ));
    }
    if text.trim().is_empty() {
        return Err(AppError::unprocessable(
            "reason_required",
            "explain the reason (art. 15)",
        ));
    }
    super::super::optional_text(text, "reason_text", 1000)
}

/// Which side acts: the patient's (patient, representative) or the organisation's.
fn side(actor: &Actor) -> &'static str {
    match actor.role {
        Role::Patient => "patient",
        Role::Representative => "representative",
        Role::Doctor => "doctor",
        _ => "organization",
    }
}

/// Loads a consultation the actor may see and change, still open to change.
fn load_changeable(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<ConsultationRow> {
    let row = load(conn, id)?;
    if !may_see(conn, actor, &row)? {
        return Err(AppError::not_found("consultation"));
    }
    if !status_of(&row)?.can_change() {
        return Err(AppError::conflict(
            "consultation_closed",
            "a consultation that has taken place or was cancelled cannot be changed",
        ));
    }
    Ok(row)
}

fn save(conn: &mut DbConnection, row: &ConsultationRow) -> AppResult<()> {
    match diesel::update(consultations::table.find(&row.id))
        .set(row)
        .execute(conn)
    {
        Ok(_) => Ok(()),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Err(super::book::slot_taken()),
        Err(e) => Err(e.into()),
    }
}

pub async fn cancel(
    ctx: &Context,
    actor: &Actor,
    id: String,
    input: CancelInput,
) -> AppResult<ConsultationView> {
    let text = reason(&input.reason_code, &input.reason_text)?;
    let now = ctx.clock.now().trunc_subsecs(6);
    let (actor, public_url) = (actor.clone(), ctx.public_url.clone());
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let mut row = load_changeable(conn, &actor, &id)?;
                let by = side(&actor);
                row.status = Status::Cancelled.as_str().to_owned();
                row.cancelled_at = Some(now.naive_utc());
                row.updated_at = now.naive_utc();
                row.ics_sequence += 1;
                save(conn, &row)?;
                let doc = documents::record(
                    conn,
                    now,
                    NewDocument {
                        kind: "cancellation",
                        organization_id: &row.organization_id,
                        patient_id: &row.patient_id,
                        actor_id: &actor.user_id,
                        consultation_id: Some(&row.id),
                        content: json!({
                            "type": "cancellation",
                            "rule": "Rules ҚР ДСМ-12 art. 15",
                            "consultation": row.id,
                            "slot_start": row.slot_start.map(|t| document_time(t.and_utc())),
                            "cancelled_by": {"id": actor.user_id, "side": by},
                            "reason_code": input.reason_code,
                            "reason_text": text,
                            "at": document_time(now),
                            "ip": actor.ip,
                        }),
                    },
                )?;
                record_event(
                    conn,
                    &row.id,
                    now,
                    Some(&actor.user_id),
                    "cancelled",
                    json!({"by": by, "reason_code": input.reason_code, "reason_text": text, "document": doc.id, "sha256": doc.sha256}),
                )?;
                let parties = notices::Parties::load(conn, &row, &public_url)?;
                notices::cancelled(conn, now, &row, &parties, by, &input.reason_code, &text)?;
                actor.audit_change(conn, now, "consultation.cancel", "consultation", &row.id)?;
                view(conn, row, now, true)
            })
        })
        .await
}

pub async fn reschedule(
    ctx: &Context,
    actor: &Actor,
    id: String,
    input: RescheduleInput,
) -> AppResult<ConsultationView> {
    let text = reason(&input.reason_code, &input.reason_text)?;
    let now = ctx.clock.now().trunc_subsecs(6);
    let (actor, public_url, settings) =
        (actor.clone(), ctx.public_url.clone(), ctx.settings.clone());
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let mut row = load_changeable(conn, &actor, &id)?;
                let (Some(practitioner), Some(old_start)) = (row.practitioner_id.clone(), row.slot_start) else {
                    return Err(AppError::unprocessable(
                        "not_realtime",
                        "only a real-time consultation has a slot to move",
                    ));
                };
                let start = input.slot_start.trunc_subsecs(0);
                if start <= now {
                    return Err(AppError::unprocessable("slot_in_past", "this slot has already begun"));
                }
                let slot = Calendar::load(conn, &practitioner)?.slot_at(start)?.ok_or_else(|| {
                    AppError::unprocessable("not_a_slot", "the practitioner has no slot starting then")
                })?;
                if Urgency::parse(&row.urgency) == Some(Urgency::Urgent)
                    && row.deadline_at.is_some_and(|d| slot.start.naive_utc() > d)
                {
                    return Err(AppError::unprocessable(
                        "slot_beyond_urgent_deadline",
                        "an urgent consultation must take place within its deadline (art. 8)",
                    ));
                }
                row.slot_start = Some(slot.start.naive_utc());
                row.slot_end = Some(slot.end.naive_utc());
                row.ics_sequence += 1;
                row.updated_at = now.naive_utc();
                save(conn, &row)?;
                record_event(
                    conn,
                    &row.id,
                    now,
                    Some(&actor.user_id),
                    "rescheduled",
                    json!({"by": side(&actor), "from": old_start.and_utc(), "to": slot.start, "reason_code": input.reason_code, "reason_text": text}),
                )?;
                if status_of(&row)? == Status::Booked {
                    let parties = notices::Parties::load(conn, &row, &public_url)?;
                    notices::rescheduled(conn, now, &row, &parties, old_start.and_utc(), &text, &settings.booking.reminder_hours)?;
                }
                actor.audit_change(conn, now, "consultation.reschedule", "consultation", &row.id)?;
                view(conn, row, now, true)
            })
        })
        .await
}

/// Art. 12: the patient agrees to a booking staff made on their own initiative. The token from
/// the e-mail proves the mailbox; no sign-in is needed to follow the link.
pub async fn confirm(
    ctx: &Context,
    id: String,
    input: ConfirmInput,
    ip: String,
) -> AppResult<ConsultationView> {
    let now = ctx.clock.now().trunc_subsecs(6);
    let (public_url, settings) = (ctx.public_url.clone(), ctx.settings.clone());
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let mut row = load(conn, &id)?;
                let matches = row
                    .confirm_token_hash
                    .as_deref()
                    .is_some_and(|h| h == sha256_hex(input.token.trim().as_bytes()));
                if !matches {
                    return Err(AppError::not_found("consultation"));
                }
                if status_of(&row)? != Status::AwaitingAgreement {
                    return Err(AppError::conflict(
                        "already_confirmed",
                        "this booking is already settled",
                    ));
                }
                row.status = Status::Booked.as_str().to_owned();
                row.confirm_token_hash = None;
                row.updated_at = now.naive_utc();
                save(conn, &row)?;
                record_event(
                    conn,
                    &row.id,
                    now,
                    Some(&row.patient_id),
                    "agreed",
                    json!({"ip": ip}),
                )?;
                let parties = notices::Parties::load(conn, &row, &public_url)?;
                notices::booked(conn, now, &row, &parties, &settings.booking.reminder_hours)?;
                crate::audit::record(
                    conn,
                    now,
                    &crate::audit::Event {
                        actor_id: Some(&row.patient_id),
                        subject_id: Some(&row.patient_id),
                        action: "consultation.agree",
                        object_type: "consultation",
                        object_id: &row.id,
                        outcome: "ok",
                        ip: &ip,
                        purpose: Some(&row.id),
                    },
                )?;
                view(conn, row, now, false)
            })
        })
        .await
}

/// Art. 13: the request's documents are all in; the deadline clock starts now.
pub async fn documents_complete(
    ctx: &Context,
    actor: &Actor,
    id: String,
) -> AppResult<ConsultationView> {
    let now = ctx.clock.now().trunc_subsecs(6);
    let actor = actor.clone();
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let mut row = load_changeable(conn, &actor, &id)?;
                if Mode::parse(&row.mode) != Some(Mode::Deferred) {
                    return Err(AppError::unprocessable(
                        "not_deferred",
                        "a real-time consultation's clock starts at booking",
                    ));
                }
                // After the consultant asked for more documents, the clock runs again with the
                // time it had left (art. 13).
                if let Some(deadline) = crate::services::deferred::flow::resume(conn, &row, now)? {
                    row.deadline_at = Some(deadline.naive_utc());
                    row.updated_at = now.naive_utc();
                    save(conn, &row)?;
                    record_event(
                        conn,
                        &row.id,
                        now,
                        Some(&actor.user_id),
                        "documents_complete",
                        json!({"resumed": true}),
                    )?;
                    actor.audit_change(
                        conn,
                        now,
                        "consultation.documents_complete",
                        "consultation",
                        &row.id,
                    )?;
                    return view(conn, row, now, true);
                }
                if row.clock_started_at.is_some() {
                    return Err(AppError::conflict(
                        "clock_already_started",
                        "the documents were already marked complete",
                    ));
                }
                let (urgent, planned): (i32, i32) = organizations::table
                    .find(&row.organization_id)
                    .select((
                        organizations::urgent_deadline_hours,
                        organizations::planned_deadline_hours,
                    ))
                    .first(conn)?;
                let urgency = Urgency::parse(&row.urgency).unwrap_or(Urgency::Planned);
                row.clock_started_at = Some(now.naive_utc());
                row.deadline_at = Some(deadline(now, urgency, urgent, planned).naive_utc());
                row.updated_at = now.naive_utc();
                save(conn, &row)?;
                record_event(
                    conn,
                    &row.id,
                    now,
                    Some(&actor.user_id),
                    "documents_complete",
                    json!({}),
                )?;
                actor.audit_change(
                    conn,
                    now,
                    "consultation.documents_complete",
                    "consultation",
                    &row.id,
                )?;
                view(conn, row, now, true)
            })
        })
        .await
}
