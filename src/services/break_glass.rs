//! Break-the-glass from the doctor's side: open a patient's chart without a care relationship
//! by stating why. The grant itself, its mail and its audit row belong to the access policy
//! (`crate::access::glass`).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::refs::PartyRef;
use super::{Actor, Context, required_text};
use crate::db::models::UserRow;
use crate::db::schema::users;
use crate::db::write_tx;
use crate::domain::account::Role;
use crate::error::{AppError, AppResult};

/// A reason a reviewer can judge, not a word.
const MIN_REASON_CHARS: usize = 10;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreakGlassInput {
    /// The patient, by platform id or by IIN (what a doctor in an emergency has).
    pub patient: String,
    /// Why the chart must be opened now, for the administrators' review.
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BreakGlassView {
    pub id: String,
    pub patient: PartyRef,
    pub reason: String,
    pub opened_at: DateTime<Utc>,
    /// The chart closes again at this time.
    pub expires_at: DateTime<Utc>,
}

pub async fn open(
    ctx: &Context,
    actor: &Actor,
    input: BreakGlassInput,
) -> AppResult<BreakGlassView> {
    if actor.role != Role::Doctor {
        return Err(AppError::forbidden());
    }
    let reason = required_text(&input.reason, "reason", 1000)?;
    if reason.chars().count() < MIN_REASON_CHARS {
        return Err(AppError::unprocessable(
            "reason_too_short",
            format!("state the reason in at least {MIN_REASON_CHARS} characters"),
        ));
    }
    let key = input.patient.trim().to_owned();
    let is_iin = key.len() == 12 && key.bytes().all(|b| b.is_ascii_digit());
    if !is_iin && !crate::domain::text::is_id(&key) {
        // Neither an IIN nor an id names nobody; it need not reach the database.
        return Err(AppError::unprocessable(
            "patient_not_found",
            "no patient has this id or IIN",
        ));
    }
    let (actor, now, rules) = (actor.clone(), ctx.clock.now(), ctx.access_rules());
    let public_url = ctx.public_url.clone();
    ctx.db
        .run(move |conn| {
            let patient: UserRow = users::table
                .filter(users::id.eq(&key).or(users::iin.eq(&key)))
                .filter(users::role.eq(Role::Patient.as_str()))
                .select(UserRow::as_select())
                .first(conn)
                .optional()?
                .ok_or_else(|| {
                    AppError::unprocessable("patient_not_found", "no patient has this id or IIN")
                })?;
            let grant = write_tx(conn, |conn| {
                crate::access::glass::open(
                    conn,
                    &actor,
                    &patient.id,
                    &reason,
                    now,
                    rules,
                    &public_url,
                )
            })?;
            Ok(BreakGlassView {
                id: grant.id,
                patient: PartyRef {
                    id: patient.id,
                    full_name: patient.full_name,
                },
                reason: grant.reason,
                opened_at: grant.created_at.and_utc(),
                expires_at: grant.expires_at.and_utc(),
            })
        })
        .await
}

/// A grant as the organisation's administrators review it.
#[derive(Debug, Serialize, ToSchema)]
pub struct BreakGlassReviewView {
    pub id: String,
    /// The doctor who broke the glass.
    pub doctor: PartyRef,
    pub patient: PartyRef,
    /// The reason the doctor stated; it may describe the patient's condition.
    pub reason: String,
    pub opened_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Whether the chart is still open under it.
    pub active: bool,
}

/// The grants doctors of the organisation opened, newest first, for its administrators' review
/// (the mail that tells them links here); each review is in the patient's access log.
pub async fn review(
    ctx: &Context,
    actor: &Actor,
    organization: &str,
) -> AppResult<Vec<BreakGlassReviewView>> {
    crate::services::input::id(organization, "id")?;
    let (actor, organization, now) = (actor.clone(), organization.to_owned(), ctx.clock.now());
    ctx.db
        .run(move |conn| {
            let reviewed = write_tx(conn, |conn| {
                crate::access::glass::review(conn, &actor, &organization, now)
            })?;
            Ok(reviewed
                .into_iter()
                .map(|r| BreakGlassReviewView {
                    active: r.grant.expires_at.and_utc() > now,
                    doctor: PartyRef {
                        id: r.grant.doctor_id,
                        full_name: r.doctor_name,
                    },
                    patient: PartyRef {
                        id: r.grant.patient_id,
                        full_name: r.patient_name,
                    },
                    reason: r.grant.reason,
                    opened_at: r.grant.created_at.and_utc(),
                    expires_at: r.grant.expires_at.and_utc(),
                    id: r.grant.id,
                })
                .collect())
        })
        .await
}
