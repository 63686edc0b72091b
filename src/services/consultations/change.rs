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
use super::{ConsultationView, load, notices, record_event, status_of, view};
use crate::access::consultation::{ConsultationAct, audit_act, check};
use crate::db::models::ConsultationRow;
use crate::db::schema::{consultations, organizations};
use crate::db::{DbConnection, write_tx};
use crate::domain::account::Role;
use crate::domain::canonical::sha256_hex;
use crate::domain::consultation::{Mode, REASON_CODES, Status, Urgency, deadline};
use crate::error::{AppError, AppResult};
use crate::services::councils::cancel as councils;

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
fn load_changeable(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    now: DateTime<Utc>,
) -> AppResult<ConsultationRow> {
    let row = load(conn, id)?;
    check(conn, actor, &row, ConsultationAct::Change, now)?;
    if !status_of(&row)?.can_change() {
        return Err(AppError::conflict(
            "consultation_closed",
            "a consultation that has taken place or was cancelled cannot be changed",
        ));
    }
    Ok(row)
}

/// A council's consultation keeps the council's hour and follows its agreement (art. 20): it is
/// moved or agreed to on the council, never on its own.
fn not_a_councils(conn: &mut DbConnection, row: &ConsultationRow) -> AppResult<()> {
    match councils::of_consultation(conn, &row.id)? {
        Some(council) => Err(AppError::conflict(
            "council_consultation",
            format!(
                "this consultation belongs to council {}: act on the council",
                council.id
            ),
        )),
        None => Ok(()),
    }
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
                let mut row = load_changeable(conn, &actor, &id, now)?;
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
                // A council's consultation ends its council with it, and the council's letters
                // tell everyone (its consultants too) instead of the consultation's.
                match councils::of_consultation(conn, &row.id)? {
                    Some(council) if councils::is_open(&council) => {
                        let by = if actor.user_id == council.initiator_id { "initiator" } else { by };
                        councils::end(conn, &council, by, &actor.user_id, &text, now, &public_url)?;
                    }
                    _ => {
                        let parties = notices::Parties::load(conn, &row, &public_url)?;
                        notices::cancelled(conn, now, &row, &parties, by, &input.reason_code)?;
                    }
                }
                audit_act(conn, &actor, &row, "consultation.cancel", now)?;
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
    crate::services::input::time(input.slot_start, "slot_start")?;
    let now = ctx.clock.now().trunc_subsecs(6);
    let (actor, public_url, settings) =
        (actor.clone(), ctx.public_url.clone(), ctx.settings.clone());
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let mut row = load_changeable(conn, &actor, &id, now)?;
                not_a_councils(conn, &row)?;
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
                // The booking horizon holds for the new slot as for the first one.
                let horizon_days = settings.booking.horizon_days;
                if start > now + chrono::Duration::days(horizon_days) {
                    return Err(AppError::unprocessable(
                        "slot_beyond_horizon",
                        format!("slots can be booked up to {horizon_days} days ahead"),
                    ));
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
                    notices::rescheduled(conn, now, &row, &parties, old_start.and_utc(), &settings.booking.reminder_hours)?;
                }
                audit_act(conn, &actor, &row, "consultation.reschedule", now)?;
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
                let row = load(conn, &id)?;
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
                let patient = row.patient_id.clone();
                // Whoever holds the link sees the booking, not its history.
                let agreement = Agreement {
                    by: &patient,
                    ip: &ip,
                    now,
                    history: false,
                };
                settle(
                    conn,
                    row,
                    &agreement,
                    &public_url,
                    &settings.booking.reminder_hours,
                )
            })
        })
        .await
}

/// Art. 12, 35: the signed-in patient (or representative) agrees to a booking staff made for
/// them, on their own initiative or on the patient's request; only from then does its doctor
/// reach the patient's records.
pub async fn agree(ctx: &Context, actor: &Actor, id: String) -> AppResult<ConsultationView> {
    let now = ctx.clock.now().trunc_subsecs(6);
    let (actor, public_url, settings) =
        (actor.clone(), ctx.public_url.clone(), ctx.settings.clone());
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let row = load(conn, &id)?;
                check(conn, &actor, &row, ConsultationAct::Agree, now)?;
                not_a_councils(conn, &row)?;
                if row.patient_agreed_at.is_some() {
                    return Err(AppError::conflict(
                        "already_confirmed",
                        "this booking is already settled",
                    ));
                }
                if !status_of(&row)?.can_change() {
                    return Err(AppError::conflict(
                        "consultation_closed",
                        "a consultation that has taken place or was cancelled cannot be agreed to",
                    ));
                }
                let agreement = Agreement {
                    by: &actor.user_id,
                    ip: &actor.ip,
                    now,
                    history: true,
                };
                settle(
                    conn,
                    row,
                    &agreement,
                    &public_url,
                    &settings.booking.reminder_hours,
                )
            })
        })
        .await
}

struct Agreement<'a> {
    by: &'a str,
    ip: &'a str,
    now: DateTime<Utc>,
    history: bool,
}

/// Records the agreement; a booking that waited for it becomes firm and is announced.
fn settle(
    conn: &mut DbConnection,
    mut row: ConsultationRow,
    agreement: &Agreement<'_>,
    public_url: &str,
    reminder_hours: &[i64],
) -> AppResult<ConsultationView> {
    let now = agreement.now;
    let was_waiting = status_of(&row)? == Status::AwaitingAgreement;
    row.status = Status::Booked.as_str().to_owned();
    row.confirm_token_hash = None;
    row.patient_agreed_at = Some(now.naive_utc());
    row.updated_at = now.naive_utc();
    save(conn, &row)?;
    record_event(
        conn,
        &row.id,
        now,
        Some(agreement.by),
        "agreed",
        json!({"ip": agreement.ip}),
    )?;
    if was_waiting {
        let parties = notices::Parties::load(conn, &row, public_url)?;
        notices::booked(conn, now, &row, &parties, reminder_hours)?;
    }
    crate::audit::record(
        conn,
        now,
        &crate::audit::Event {
            actor_id: Some(agreement.by),
            subject_id: Some(&row.patient_id),
            action: "consultation.agree",
            object_type: "consultation",
            object_id: &row.id,
            outcome: "ok",
            ip: agreement.ip,
            purpose: Some(&row.id),
        },
    )?;
    view(conn, row, now, agreement.history)
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
                let mut row = load_changeable(conn, &actor, &id, now)?;
                if Mode::parse(&row.mode) != Some(Mode::Deferred) {
                    return Err(AppError::unprocessable(
                        "not_deferred",
                        "a real-time consultation's clock starts at booking",
                    ));
                }
                // After the consultant asked for more documents, the clock runs again with the
                // time it had left (art. 13).
                if let Some(deadline) = super::request::resume(conn, &row, now)? {
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
                    audit_act(conn, &actor, &row, "consultation.documents_complete", now)?;
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
                audit_act(conn, &actor, &row, "consultation.documents_complete", now)?;
                view(conn, row, now, true)
            })
        })
        .await
}
