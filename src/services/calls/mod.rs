//! Real-time consultations (art. 16, 18, 33.2, 36) on the service side: who takes part in a
//! call and when it may be joined, its start and end (or that it was held by telephone), the
//! people invited to it, its chat and the materials it leaves. The media itself is in
//! `crate::realtime`.

pub mod chat;
pub mod guests;
pub mod lifecycle;
pub mod materials;

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::consultations::{load, status_of};
use super::{Actor, Context, patients};
pub(crate) use crate::access::consultation::call_role;
use crate::access::consultation::{ConsultationAct, deny as deny_act, refuse};
use crate::db::DbConnection;
use crate::db::models::ConsultationRow;
use crate::db::schema::consultations;
use crate::domain::consultation::{Mode, Status};
use crate::error::{AppError, AppResult, ErrorKind};
use crate::realtime::protocol::CallRole;

/// Someone allowed into a consultation's call.
#[derive(Debug, Clone)]
pub struct Joiner {
    pub actor: Actor,
    pub name: String,
    pub role: CallRole,
    pub consultation_id: String,
    pub patient_id: String,
}

/// From when a consultation's call may be joined: the configured margin before its slot.
pub fn join_opens_at(row: &ConsultationRow, margin_minutes: i64) -> Option<DateTime<Utc>> {
    crate::domain::consultation::join_opens_at(row.slot_start.map(|s| s.and_utc()), margin_minutes)
}

/// Art. 16: at the appointed time the doctor and the patient meet by video. Refuses a call
/// that is not a real-time consultation, not agreed yet, cancelled, over, or not open yet.
pub(crate) fn check_joinable(
    row: &ConsultationRow,
    now: DateTime<Utc>,
    margin_minutes: i64,
) -> AppResult<()> {
    if Mode::parse(&row.mode) != Some(Mode::Realtime) {
        return Err(AppError::conflict(
            "not_realtime",
            "a deferred consultation has no call",
        ));
    }
    match status_of(row)? {
        Status::Cancelled | Status::Declined => {
            return Err(AppError::conflict(
                "consultation_cancelled",
                "the consultation was cancelled",
            ));
        }
        Status::Completed => {
            return Err(AppError::conflict(
                "consultation_ended",
                "the consultation is over",
            ));
        }
        Status::AwaitingAgreement => {
            return Err(AppError::conflict(
                "consultation_not_confirmed",
                "the patient has not agreed to the booking yet",
            ));
        }
        Status::Booked | Status::InProgress => {}
    }
    if let Some(opens) = join_opens_at(row, margin_minutes)
        && now < opens
    {
        return Err(AppError::conflict(
            "call_not_open",
            format!("the call opens at {}", opens.to_rfc3339()),
        ));
    }
    Ok(())
}

/// Decides, before the socket is upgraded, whether the actor may join the consultation's call.
/// A refusal because the actor takes no part in it is audited (art. 40).
pub async fn authorize_join(ctx: &Context, actor: &Actor, consultation: &str) -> AppResult<Joiner> {
    let actor = actor.clone();
    let id = consultation.to_owned();
    let now = ctx.clock.now();
    let margin = ctx.settings.calls.join_margin_minutes;
    ctx.db
        .run(move |conn| {
            let row = load(conn, &id)?;
            let Some(role) = call_role(conn, &actor, &row)? else {
                return Err(refuse(
                    conn,
                    &actor,
                    &row,
                    "call.join",
                    now,
                    AppError::client(
                        ErrorKind::Forbidden,
                        "not_a_participant",
                        "you take no part in this consultation",
                    ),
                ));
            };
            check_joinable(&row, now, margin)?;
            // The patient who turns up to a call staff booked for them agrees to it (art. 12):
            // from now on its doctor is in a care relationship with them.
            if matches!(role, CallRole::Patient | CallRole::Representative)
                && row.patient_agreed_at.is_none()
            {
                crate::db::write_tx(conn, |conn| {
                    diesel::update(consultations::table.find(&row.id))
                        .set(consultations::patient_agreed_at.eq(Some(now.naive_utc())))
                        .execute(conn)
                })?;
            }
            let name = patients::user(conn, &actor.user_id)?.full_name;
            Ok(Joiner {
                name,
                role,
                consultation_id: row.id,
                patient_id: row.patient_id,
                actor,
            })
        })
        .await
}

/// Records something that happened in a call: on the patient's access log, with the
/// consultation as its purpose.
pub(crate) fn audit_call(
    conn: &mut DbConnection,
    actor: &Actor,
    at: DateTime<Utc>,
    consultation: &str,
    patient: &str,
    action: &str,
) -> AppResult<()> {
    crate::audit::record(
        conn,
        at,
        &crate::audit::Event {
            actor_id: Some(&actor.user_id),
            subject_id: Some(patient),
            action,
            object_type: "consultation",
            object_id: consultation,
            outcome: "ok",
            ip: &actor.ip,
            purpose: Some(consultation),
        },
    )
}

/// A participant may act in the call only while it can be joined; the consultation's doctor
/// only for what is theirs.
pub(crate) fn require_doctor(
    conn: &mut DbConnection,
    actor: &Actor,
    row: &ConsultationRow,
    now: DateTime<Utc>,
) -> AppResult<()> {
    match call_role(conn, actor, row)? {
        Some(CallRole::Doctor) => Ok(()),
        Some(_) => Err(refuse(
            conn,
            actor,
            row,
            "consultation.lead",
            now,
            AppError::client(
                ErrorKind::Forbidden,
                "only_doctor",
                "only the consultation's doctor may do this",
            ),
        )),
        None => Err(deny_act(conn, actor, row, ConsultationAct::Lead, now)),
    }
}

/// Records what happened in a call (join, admission, leaving, recording): in the audit log,
/// where the patient's access log shows it (art. 40), and in the consultation's history.
pub async fn note(
    ctx: &Context,
    actor: &Actor,
    consultation: &str,
    patient: &str,
    action: &'static str,
    details: serde_json::Value,
) {
    let now = ctx.clock.now();
    let (a, c, p) = (actor.clone(), consultation.to_owned(), patient.to_owned());
    let result = ctx
        .db
        .run(move |conn| {
            crate::db::write_tx(conn, |conn| {
                super::consultations::record_event(
                    conn,
                    &c,
                    now,
                    Some(&a.user_id),
                    action,
                    details,
                )?;
                audit_call(conn, &a, now, &c, &p, action)
            })
        })
        .await;
    if let Err(e) = result {
        // The call goes on; the failure is loud in the log.
        tracing::error!(consultation, action, error = %e, "a call event was not recorded");
    }
}
