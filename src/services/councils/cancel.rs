//! Calling a council off. A council is one thing to the patient: refused or cancelled from its
//! own page or through its consultation, it ends everywhere — the council cancelled with the
//! reason, its consultation cancelled, the reminders not yet sent withdrawn — and the patient's
//! side, the initiator and every consultant still in it are told.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::json;

use super::members::{ReasonInput, act, reason};
use super::notices::Notices;
use super::{CouncilView, Part, members};
use crate::db::DbConnection;
use crate::db::models::CouncilRow;
use crate::db::schema::{consultations, councils};
use crate::domain::consultation::Status;
use crate::domain::council::{CouncilStatus, MemberStatus};
use crate::error::{AppError, AppResult};
use crate::notify;
use crate::services::consultations::{load as load_consultation, record_event, status_of};
use crate::services::{Actor, Context};

/// The initiator calls the council off before its conclusion is final; the patient's side
/// refuses it, whether it still waits for their agreement (art. 20) or was agreed to before.
pub async fn cancel(
    ctx: &Context,
    actor: &Actor,
    id: &str,
    input: ReasonInput,
) -> AppResult<CouncilView> {
    let reason = reason(&input.reason)?;
    let (user, public_url) = (actor.user_id.clone(), ctx.public_url.clone());
    act(
        ctx,
        actor,
        id,
        "council.cancel",
        move |conn, row, part, now| {
            let by = match part {
                Part::Initiator => "initiator",
                Part::Patient => "patient",
                Part::Representative => "representative",
                Part::Consultant => return Err(AppError::forbidden()),
            };
            if !is_open(row) {
                return Err(super::closed());
            }
            end(conn, row, by, &user, &reason, now, &public_url)
        },
    )
    .await
}

/// Neither final nor cancelled.
pub(crate) fn is_open(row: &CouncilRow) -> bool {
    matches!(
        CouncilStatus::parse(&row.status),
        Some(CouncilStatus::AwaitingAgreement | CouncilStatus::Assembling)
    )
}

/// The council whose consultation this is, if any.
pub(crate) fn of_consultation(
    conn: &mut DbConnection,
    consultation: &str,
) -> AppResult<Option<CouncilRow>> {
    Ok(councils::table
        .filter(councils::consultation_id.eq(consultation))
        .select(CouncilRow::as_select())
        .first(conn)
        .optional()?)
}

/// Ends an open council everywhere, inside the caller's transaction: `by` (`initiator`,
/// `patient`, `representative`, `doctor`, `organization`) is the side of `actor`, who gave
/// `reason`. Its consultation is cancelled too unless it is already over (a caller that
/// cancelled it first finds it so).
pub(crate) fn end(
    conn: &mut DbConnection,
    row: &CouncilRow,
    by: &'static str,
    actor: &str,
    reason: &str,
    now: DateTime<Utc>,
    public_url: &str,
) -> AppResult<()> {
    let at = now.naive_utc();
    diesel::update(councils::table.find(&row.id))
        .set((
            councils::status.eq(CouncilStatus::Cancelled.as_str()),
            councils::cancel_reason.eq(reason),
            councils::updated_at.eq(at),
        ))
        .execute(conn)?;
    if let Some(c) = &row.consultation_id {
        let consultation = load_consultation(conn, c)?;
        if status_of(&consultation)?.can_change() {
            diesel::update(consultations::table.find(c))
                .set((
                    consultations::status.eq(Status::Cancelled.as_str()),
                    consultations::cancelled_at.eq(at),
                    consultations::updated_at.eq(at),
                ))
                .execute(conn)?;
            record_event(
                conn,
                c,
                now,
                Some(actor),
                "cancelled",
                json!({"by": by, "council": row.id}),
            )?;
        }
        notify::withdraw_pending(conn, c, &format!("council:{}:reminder:", row.id))?;
    }
    let consultants: Vec<String> = members(conn, &row.id)?
        .into_iter()
        .filter(|m| m.status != MemberStatus::Declined.as_str())
        .map(|m| m.user_id)
        .collect();
    Notices::load(conn, row, public_url)?.cancelled(conn, now, by, &consultants)
}
