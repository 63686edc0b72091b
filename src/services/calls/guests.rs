//! People invited into a consultation's call besides the patient and the doctor (art. 18): a
//! second doctor, an interpreter, a relative. Only the consultation's doctor invites; a guest
//! sees the consultation, and through it the patient, only within it (art. 35).

use chrono::{DateTime, SubsecRound, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::{call_role, require_doctor};
use crate::access::consultation::{ConsultationAct, check};
use crate::db::models::{ConsultationGuestRow, UserRow};
use crate::db::schema::{consultation_guests, users};
use crate::db::{new_id, write_tx};
use crate::domain::account::Role;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::services::consultations::{PartyRef, load, record_event, status_of};
use crate::services::{Actor, Context};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteInput {
    pub email: String,
    /// `guest_doctor`, `interpreter` or `relative`.
    pub kind: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GuestView {
    pub id: String,
    pub user: PartyRef,
    pub kind: String,
    pub invited_at: DateTime<Utc>,
}

const KINDS: [&str; 3] = ["guest_doctor", "interpreter", "relative"];

pub async fn invite(
    ctx: &Context,
    actor: &Actor,
    id: &str,
    input: InviteInput,
) -> AppResult<GuestView> {
    if !KINDS.contains(&input.kind.as_str()) {
        return Err(AppError::unprocessable(
            "invalid_guest_kind",
            "kind must be guest_doctor, interpreter or relative",
        ));
    }
    let now = ctx.clock.now().trunc_subsecs(6);
    let (actor, id) = (actor.clone(), id.to_owned());
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let row = load(conn, &id)?;
                require_doctor(conn, &actor, &row, now)?;
                if !status_of(&row)?.is_open() {
                    return Err(AppError::conflict(
                        "consultation_closed",
                        "guests are invited while the consultation is open",
                    ));
                }
                let email = crate::services::input::optional_line(&input.email, "email", 254)?
                    .to_lowercase();
                let user: UserRow = users::table
                    .filter(users::email.eq(&email))
                    .select(UserRow::as_select())
                    .first(conn)
                    .optional()?
                    .ok_or_else(|| {
                        AppError::client(
                            ErrorKind::NotFound,
                            "user_not_found",
                            "no account has this e-mail",
                        )
                    })?;
                let role = user.role.parse::<Role>().ok();
                if input.kind == "guest_doctor" && role != Some(Role::Doctor) {
                    return Err(AppError::unprocessable(
                        "guest_must_be_doctor",
                        "only a doctor's account can join as a second doctor",
                    ));
                }
                if role == Some(Role::PlatformAdmin) {
                    return Err(AppError::unprocessable(
                        "guest_not_allowed",
                        "this account cannot take part in consultations",
                    ));
                }
                let as_guest = Actor {
                    user_id: user.id.clone(),
                    role: role.unwrap_or(Role::Relative),
                    organization_id: user.organization_id.clone(),
                    ip: String::new(),
                };
                if call_role(conn, &as_guest, &row)?.is_some() {
                    return Err(AppError::conflict(
                        "already_invited",
                        "this person already takes part in the consultation",
                    ));
                }
                let guest = ConsultationGuestRow {
                    id: new_id(),
                    consultation_id: id.clone(),
                    user_id: user.id.clone(),
                    kind: input.kind.clone(),
                    invited_by: actor.user_id.clone(),
                    created_at: now.naive_utc(),
                };
                diesel::insert_into(consultation_guests::table)
                    .values(&guest)
                    .execute(conn)?;
                record_event(
                    conn,
                    &id,
                    now,
                    Some(&actor.user_id),
                    "guest_invited",
                    json!({"user_id": user.id, "kind": input.kind}),
                )?;
                crate::access::consultation::audit_act(
                    conn,
                    &actor,
                    &row,
                    "consultation.invite_guest",
                    now,
                )?;
                Ok(GuestView {
                    id: guest.id,
                    user: PartyRef {
                        id: user.id,
                        full_name: user.full_name,
                    },
                    kind: guest.kind,
                    invited_at: now,
                })
            })
        })
        .await
}

pub async fn list(ctx: &Context, actor: &Actor, id: &str) -> AppResult<Vec<GuestView>> {
    let now = ctx.clock.now();
    let (actor, id) = (actor.clone(), id.to_owned());
    ctx.db
        .run(move |conn| {
            let row = load(conn, &id)?;
            check(conn, &actor, &row, ConsultationAct::Call, now)?;
            let rows: Vec<(ConsultationGuestRow, String)> = consultation_guests::table
                .inner_join(users::table.on(users::id.eq(consultation_guests::user_id)))
                .filter(consultation_guests::consultation_id.eq(&id))
                .order(consultation_guests::created_at.asc())
                .select((ConsultationGuestRow::as_select(), users::full_name))
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(|(g, full_name)| GuestView {
                    id: g.id,
                    user: PartyRef {
                        id: g.user_id,
                        full_name,
                    },
                    kind: g.kind,
                    invited_at: g.created_at.and_utc(),
                })
                .collect())
        })
        .await
}
