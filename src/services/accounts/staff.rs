//! Staff accounts: an organisation's administrator creates its doctors, support and
//! administrators, lists them and deactivates them. Unlike self-registration, a taken e-mail or
//! IIN is named here (409): the administrator is signed in, acts for the organisation and is
//! audited.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::new_staff::{checked_staff, insert_staff};
use super::{UserView, invite, now_naive, validate_person};
use crate::db::models::UserRow;
use crate::db::schema::{practitioners as pr, sessions, users};
use crate::db::{DbConnection, write_tx};
use crate::domain::account::Role;
use crate::error::{AppError, AppResult};
use crate::services::{Actor, Context, organizations, practitioners};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffInput {
    pub full_name: String,
    pub iin: String,
    pub email: String,
    /// Initial password, handed to the employee by the administrator.
    pub password: String,
    /// `doctor`, `support` or `org_admin`.
    pub role: Role,
    #[serde(default)]
    pub language: Option<String>,
    /// Required for doctors: their public directory profile (art. 34).
    #[serde(default)]
    pub practitioner: Option<practitioners::ProfileInput>,
}

/// An organisation's administrator creates doctor and staff accounts for their own organisation.
pub async fn create_staff(
    ctx: &Context,
    actor: &Actor,
    organization_id: String,
    input: StaffInput,
) -> AppResult<UserView> {
    let profile = checked_staff(actor, &organization_id, input.role, input.practitioner)?;
    let person = validate_person(
        &input.full_name,
        &input.iin,
        &input.email,
        &input.password,
        input.language.as_deref(),
    )?;
    let password_hash = ctx.hashing.hash(input.password).await?;
    let now = now_naive(ctx);
    let at = ctx.clock.now();
    let actor = actor.clone();
    let role = input.role;
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let row = insert_staff(
                    conn,
                    &organization_id,
                    person,
                    password_hash,
                    role,
                    profile.as_ref(),
                    now,
                )?;
                actor.audit_change(conn, at, "staff.create", "user", &row.id)?;
                Ok(UserView::from(row))
            })
        })
        .await
}

/// An employee as their administrator sees them: the account, its state, and for a doctor the
/// directory profile their schedule hangs on.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffView {
    #[serde(flatten)]
    pub user: UserView,
    /// Invited, and the password not chosen yet: the invitation can be sent again.
    pub invitation_pending: bool,
    /// Set when the administrator deactivated the account: it cannot sign in.
    pub deactivated_at: Option<DateTime<Utc>>,
    /// A doctor's practitioner id (their profile and schedule).
    pub practitioner_id: Option<String>,
}

type StaffRow = (UserRow, Option<NaiveDateTime>);

fn staff_view(conn: &mut DbConnection, rows: Vec<StaffRow>) -> AppResult<Vec<StaffView>> {
    let ids: Vec<&String> = rows.iter().map(|(u, _)| &u.id).collect();
    let practitioners: HashMap<String, String> = pr::table
        .filter(pr::user_id.eq_any(&ids))
        .select((pr::user_id, pr::id))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|(user, deactivated)| StaffView {
            invitation_pending: invite::pending(&user.password_hash),
            deactivated_at: deactivated.map(|d| d.and_utc()),
            practitioner_id: practitioners.get(&user.id).cloned(),
            user: UserView::from(user),
        })
        .collect())
}

pub async fn list_staff(
    ctx: &Context,
    actor: &Actor,
    organization_id: String,
) -> AppResult<Vec<StaffView>> {
    actor.require_manager_of(&organization_id)?;
    ctx.db
        .run(move |conn| {
            organizations::ensure_exists(conn, &organization_id)?;
            let rows: Vec<StaffRow> = users::table
                .filter(users::organization_id.eq(&organization_id))
                .select((UserRow::as_select(), users::deactivated_at))
                .order(users::full_name.asc())
                .load(conn)?;
            staff_view(conn, rows)
        })
        .await
}

/// Deactivates an employee's account: it cannot sign in (nor accept an invitation or reset its
/// password), and every session it has ends now, in the same transaction. Their records and
/// history stay. An administrator cannot lock themselves out this way.
pub async fn deactivate(
    ctx: &Context,
    actor: &Actor,
    organization_id: String,
    user_id: String,
) -> AppResult<StaffView> {
    set_active(ctx, actor, organization_id, user_id, false).await
}

/// Lets a deactivated employee sign in again (with their password, or a reset link).
pub async fn reactivate(
    ctx: &Context,
    actor: &Actor,
    organization_id: String,
    user_id: String,
) -> AppResult<StaffView> {
    set_active(ctx, actor, organization_id, user_id, true).await
}

async fn set_active(
    ctx: &Context,
    actor: &Actor,
    organization_id: String,
    user_id: String,
    active: bool,
) -> AppResult<StaffView> {
    actor.require_manager_of(&organization_id)?;
    if !active && user_id == actor.user_id {
        return Err(AppError::unprocessable(
            "cannot_deactivate_self",
            "an administrator cannot deactivate their own account",
        ));
    }
    let now = now_naive(ctx);
    let at = ctx.clock.now();
    let actor = actor.clone();
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                organizations::ensure_exists(conn, &organization_id)?;
                let (user, deactivated): StaffRow = users::table
                    .find(&user_id)
                    .filter(users::organization_id.eq(&organization_id))
                    .select((UserRow::as_select(), users::deactivated_at))
                    .first(conn)
                    .optional()?
                    .ok_or_else(|| AppError::not_found("staff account"))?;
                let staff = user.role.parse::<Role>().is_ok_and(Role::is_staff);
                if !staff {
                    return Err(AppError::not_found("staff account"));
                }
                // Asked twice, the second time changes nothing and is not audited again.
                if deactivated.is_none() != active {
                    let stamp = (!active).then_some(now);
                    diesel::update(users::table.find(&user.id))
                        .set(users::deactivated_at.eq(stamp))
                        .execute(conn)?;
                    if !active {
                        diesel::delete(sessions::table.filter(sessions::user_id.eq(&user.id)))
                            .execute(conn)?;
                    }
                    let action = if active {
                        "staff.reactivate"
                    } else {
                        "staff.deactivate"
                    };
                    actor.audit_change(conn, at, action, "user", &user.id)?;
                }
                let stamp = if active {
                    None
                } else {
                    deactivated.or(Some(now))
                };
                Ok(staff_view(conn, vec![(user, stamp)])?.remove(0))
            })
        })
        .await
}
