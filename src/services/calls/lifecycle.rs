//! A real-time consultation's course: it starts when a doctor first admits someone into the
//! call, and the consultation's doctor ends it (end time and duration), or records instead that
//! it was held by telephone (art. 33.2).

use chrono::{DateTime, Duration, SubsecRound, Utc};
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::{audit_call, require_doctor};
use crate::db::schema::consultations;
use crate::db::{DbConnection, write_tx};
use crate::domain::consultation::Status;
use crate::error::{AppError, AppResult};
use crate::services::consultations::{ConsultationView, load, record_event, status_of, view};
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
        Status::Cancelled => {
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
                require_doctor(conn, &actor, &row)?;
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
                complete(conn, &id, now, started, HELD_BY_VIDEO)?;
                record_event(
                    conn,
                    &id,
                    now,
                    Some(&actor.user_id),
                    "call_ended",
                    json!({"duration_seconds": (now - started).num_seconds()}),
                )?;
                audit_call(conn, &actor, now, &id, &row.patient_id, "call.end")?;
                let row = load(conn, &id)?;
                view(conn, row, now, true)
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
                require_doctor(conn, &actor, &row)?;
                let status = status_of(&row)?;
                if !matches!(status, Status::Booked | Status::InProgress) {
                    return Err(AppError::conflict(
                        "consultation_closed",
                        "only a booked or running consultation can be recorded as held by telephone",
                    ));
                }
                let started = now - Duration::minutes(input.minutes);
                complete(conn, &id, now, started, HELD_BY_PHONE)?;
                record_event(
                    conn,
                    &id,
                    now,
                    Some(&actor.user_id),
                    "held_by_phone",
                    json!({"minutes": input.minutes, "note": note}),
                )?;
                audit_call(conn, &actor, now, &id, &row.patient_id, "call.phone")?;
                let row = load(conn, &id)?;
                view(conn, row, now, true)
            })
        })
        .await?;
    super::materials::store_transcript(ctx, &view.id).await;
    Ok(view)
}

fn complete(
    conn: &mut DbConnection,
    id: &str,
    now: DateTime<Utc>,
    started: DateTime<Utc>,
    held_by: &str,
) -> AppResult<()> {
    diesel::update(consultations::table.find(id))
        .set((
            consultations::status.eq(Status::Completed.as_str()),
            consultations::started_at.eq(started.naive_utc()),
            consultations::ended_at.eq(now.naive_utc()),
            consultations::completed_at.eq(now.naive_utc()),
            consultations::held_by.eq(held_by),
            consultations::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}
