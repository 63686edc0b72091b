//! A real-time consultation's course: it starts when a doctor first admits someone into the
//! call, and the consultation's doctor ends it (end time and duration), or records instead that
//! it was held by telephone (art. 33.2).

use chrono::{DateTime, Duration, SubsecRound, Utc};
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::{audit_call, require_doctor};
use crate::db::models::ConsultationRow;
use crate::db::schema::consultations;
use crate::db::{DbConnection, write_tx};
use crate::domain::consultation::Status;
use crate::error::{AppError, AppResult};
use crate::services::consultations::{
    ConsultationView, load, record_event, status_of, view, withdraw_reminders,
};
use crate::services::{Actor, Context, optional_text};

/// How a consultation was held.
pub const HELD_BY_VIDEO: &str = "video";
pub const HELD_BY_PHONE: &str = "phone";

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneInput {
    /// How long the telephone consultation took, 1–240 minutes.
    pub minutes: i64,
    #[serde(default)]
    pub note: String,
}

/// The first admission into the call starts the consultation: in progress from now.
pub async fn start(ctx: &Context, actor: &Actor, id: &str) -> AppResult<()> {
    let (actor, id) = (actor.clone(), id.to_owned());
    let now = ctx.clock.now().trunc_subsecs(6);
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let row = load(conn, &id)?;
                if status_of(&row)? != Status::Booked {
                    return Ok(());
                }
                diesel::update(consultations::table.find(&id))
                    .filter(consultations::status.eq(Status::Booked.as_str()))
                    .set((
                        consultations::status.eq(Status::InProgress.as_str()),
                        consultations::started_at.eq(now.naive_utc()),
                        consultations::held_by.eq(HELD_BY_VIDEO),
                        consultations::updated_at.eq(now.naive_utc()),
                    ))
                    .execute(conn)?;
                // "Starts in an hour" is wrong once it has started.
                withdraw_reminders(conn, &id)?;
                record_event(
                    conn,
                    &id,
                    now,
                    Some(&actor.user_id),
                    "call_started",
                    json!({}),
                )?;
                audit_call(conn, &actor, now, &id, &row.patient_id, "call.start")
            })
        })
        .await
}

fn closed(status: Status) -> AppError {
    match status {
        Status::Cancelled | Status::Declined => {
            AppError::conflict("consultation_cancelled", "the consultation was cancelled")
        }
        _ => AppError::conflict("consultation_ended", "the consultation is over"),
    }
}

/// The consultation's doctor ends the call: completed, with its end time and duration.
pub async fn end(ctx: &Context, actor: &Actor, id: &str) -> AppResult<ConsultationView> {
    let (actor, id) = (actor.clone(), id.to_owned());
    let now = ctx.clock.now().trunc_subsecs(6);
    let view = ctx
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let row = load(conn, &id)?;
                require_doctor(conn, &actor, &row, now)?;
                match status_of(&row)? {
                    Status::InProgress => {}
                    Status::Booked | Status::AwaitingAgreement => {
                        return Err(AppError::conflict(
                            "consultation_not_started",
                            "nobody was admitted to the call yet: cancel the consultation instead",
                        ));
                    }
                    other => return Err(closed(other)),
                }
                let started = row.started_at.map(|t| t.and_utc()).unwrap_or(now);
                let how = Completion {
                    started,
                    held_by: HELD_BY_VIDEO,
                    event: "call_ended",
                    details: json!({"duration_seconds": (now - started).num_seconds()}),
                    action: "call.end",
                };
                complete(conn, &actor, &row, now, how)
            })
        })
        .await?;
    super::materials::store_transcript(ctx, &view.id).await;
    Ok(view)
}

/// Art. 33.2: the consultation took place by telephone instead of video.
pub async fn held_by_phone(
    ctx: &Context,
    actor: &Actor,
    id: &str,
    input: PhoneInput,
) -> AppResult<ConsultationView> {
    if !(1..=240).contains(&input.minutes) {
        return Err(AppError::unprocessable(
            "invalid_duration",
            "minutes must be between 1 and 240",
        ));
    }
    let note = optional_text(&input.note, "note", 2000)?;
    let (actor, id) = (actor.clone(), id.to_owned());
    let now = ctx.clock.now().trunc_subsecs(6);
    let view = ctx
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let row = load(conn, &id)?;
                require_doctor(conn, &actor, &row, now)?;
                let status = status_of(&row)?;
                if !matches!(status, Status::Booked | Status::InProgress) {
                    return Err(AppError::conflict(
                        "consultation_closed",
                        "only a booked or running consultation can be recorded as held by telephone",
                    ));
                }
                let how = Completion {
                    started: now - Duration::minutes(input.minutes),
                    held_by: HELD_BY_PHONE,
                    event: "held_by_phone",
                    details: json!({"minutes": input.minutes, "note": note}),
                    action: "call.phone",
                };
                complete(conn, &actor, &row, now, how)
            })
        })
        .await?;
    super::materials::store_transcript(ctx, &view.id).await;
    Ok(view)
}

/// How a consultation came to an end, for its row, its history and the audit log.
struct Completion {
    started: DateTime<Utc>,
    held_by: &'static str,
    event: &'static str,
    details: serde_json::Value,
    action: &'static str,
}

/// Marks the consultation completed, with its span and how it was held, in its history and in
/// the audit log; returns its new view.
fn complete(
    conn: &mut DbConnection,
    actor: &Actor,
    row: &ConsultationRow,
    now: DateTime<Utc>,
    how: Completion,
) -> AppResult<ConsultationView> {
    diesel::update(consultations::table.find(&row.id))
        .set((
            consultations::status.eq(Status::Completed.as_str()),
            consultations::started_at.eq(how.started.naive_utc()),
            consultations::ended_at.eq(now.naive_utc()),
            consultations::completed_at.eq(now.naive_utc()),
            consultations::held_by.eq(how.held_by),
            consultations::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    // Held (perhaps by telephone before its slot): no reminder of it may still go out.
    withdraw_reminders(conn, &row.id)?;
    record_event(
        conn,
        &row.id,
        now,
        Some(&actor.user_id),
        how.event,
        how.details,
    )?;
    audit_call(conn, actor, now, &row.id, &row.patient_id, how.action)?;
    let fresh = load(conn, &row.id)?;
    view(conn, fresh, now, true)
}
