//! Consultations: booking (art. 6, 9, 12), agreement, cancellation and rescheduling (art. 15),
//! the documents-complete mark that starts the clock (art. 13), lists and the staff queue.

pub mod book;
pub mod change;
pub mod deadlines;
mod notices;
pub mod queue;
pub mod request;
mod views;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::Actor;
use crate::db::DbConnection;
use crate::db::models::{ConsultationEventRow, ConsultationRow};
use crate::db::schema::{consultation_events, consultations, practitioners};
use crate::domain::consultation::Status;
use crate::error::{AppError, AppResult};

pub use super::refs::PartyRef;

/// Withdraws the reminders not yet sent: a consultation that began, was held, or was cancelled
/// needs none.
pub(crate) fn withdraw_reminders(
    conn: &mut DbConnection,
    consultation_id: &str,
) -> AppResult<usize> {
    crate::notify::withdraw_pending(
        conn,
        consultation_id,
        &notices::reminder_prefix(consultation_id),
    )
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventView {
    pub at: DateTime<Utc>,
    pub kind: String,
    pub actor_id: Option<String>,
    pub details: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsultationView {
    pub id: String,
    pub status: String,
    pub mode: String,
    pub urgency: String,
    pub initiative: String,
    pub organization_id: String,
    pub organization_name: String,
    /// The organisation's zone, for showing times locally.
    pub time_zone: String,
    pub practitioner: Option<PartyRef>,
    pub patient: PartyRef,
    pub booked_by: String,
    pub specialty: Option<String>,
    pub slot_start: Option<DateTime<Utc>>,
    pub slot_end: Option<DateTime<Utc>>,
    pub reason: String,
    pub funding: String,
    pub price_kzt: Option<i64>,
    pub requested_at: DateTime<Utc>,
    /// When the request and its documents were complete (art. 13); the deadline runs from here.
    pub clock_started_at: Option<DateTime<Utc>>,
    pub deadline_at: Option<DateTime<Utc>>,
    /// Seconds until the deadline (negative once breached), at the time of the answer.
    pub time_left_seconds: Option<i64>,
    pub breached_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    /// When the call started (first admission) and ended, or the telephone consultation's span.
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub duration_seconds: Option<i64>,
    /// `video` or `phone` (art. 33.2), once held.
    pub held_by: Option<String>,
    /// When the patient's side agreed to it (art. 12); until then a booking staff made reaches
    /// no records. `POST …/agree` gives it.
    pub patient_agreed_at: Option<DateTime<Utc>>,
    /// From when the call can be joined (real-time consultations; detail view only).
    pub join_opens_at: Option<DateTime<Utc>>,
    /// The caller's part in the call, if any (detail view only): `doctor`, `patient`,
    /// `representative`, `guest_doctor`, `interpreter` or `relative`.
    #[schema(value_type = Option<String>)]
    pub my_call_role: Option<crate::realtime::protocol::CallRole>,
    /// A deferred request's kind, requester, paused clock, refusal and completion.
    pub deferred: Option<request::DeferredView>,
    /// The council this consultation works in, if any: it is cancelled, moved and agreed to as
    /// the council (`#/councils/{id}`), never on its own.
    pub council_id: Option<String>,
    /// The history, in the detail view only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<EventView>>,
}

pub(crate) fn utc(t: Option<chrono::NaiveDateTime>) -> Option<DateTime<Utc>> {
    t.map(|t| t.and_utc())
}

pub(crate) fn status_of(row: &ConsultationRow) -> AppResult<Status> {
    Status::parse(&row.status)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("unknown status {:?}", row.status)))
}

pub(crate) fn load(conn: &mut DbConnection, id: &str) -> AppResult<ConsultationRow> {
    consultations::table
        .find(id)
        .select(ConsultationRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("consultation"))
}

/// The user id of the doctor behind a practitioner profile.
pub(crate) fn doctor_user_id(conn: &mut DbConnection, practitioner: &str) -> AppResult<String> {
    Ok(practitioners::table
        .find(practitioner)
        .select(practitioners::user_id)
        .first(conn)?)
}

/// One consultation's view (with its history when asked): the list form, plus the events.
pub(crate) fn view(
    conn: &mut DbConnection,
    row: ConsultationRow,
    now: DateTime<Utc>,
    with_history: bool,
) -> AppResult<ConsultationView> {
    let id = row.id.clone();
    let mut view = views::views(conn, vec![row], now)?
        .pop()
        .ok_or_else(|| AppError::not_found("consultation"))?;
    if with_history {
        view.history = Some(
            consultation_events::table
                .filter(consultation_events::consultation_id.eq(&id))
                .order(consultation_events::at.asc())
                .select(ConsultationEventRow::as_select())
                .load(conn)?
                .into_iter()
                .map(|e| EventView {
                    at: e.at.and_utc(),
                    kind: e.kind,
                    actor_id: e.actor_id,
                    details: serde_json::from_str(&e.details).unwrap_or_default(),
                })
                .collect(),
        );
    }
    Ok(view)
}

pub(crate) use views::views;

pub(crate) fn record_event(
    conn: &mut DbConnection,
    consultation: &str,
    at: DateTime<Utc>,
    actor: Option<&str>,
    kind: &str,
    details: serde_json::Value,
) -> AppResult<()> {
    diesel::insert_into(consultation_events::table)
        .values(&ConsultationEventRow {
            id: crate::db::new_id(),
            consultation_id: consultation.to_owned(),
            at: at.naive_utc(),
            actor_id: actor.map(str::to_owned),
            kind: kind.to_owned(),
            details: details.to_string(),
        })
        .execute(conn)?;
    Ok(())
}

/// Records a read of a patient's consultation in the audit log (art. 40).
pub(crate) fn audit_read(
    conn: &mut DbConnection,
    actor: &Actor,
    at: DateTime<Utc>,
    row: &ConsultationRow,
) -> AppResult<()> {
    crate::audit::record(
        conn,
        at,
        &crate::audit::Event {
            actor_id: Some(&actor.user_id),
            subject_id: Some(&row.patient_id),
            action: "consultation.read",
            object_type: "consultation",
            object_id: &row.id,
            outcome: "ok",
            ip: &actor.ip,
            purpose: Some(&row.id),
        },
    )
}
