//! Invitations: an organisation's administrator creates a staff account without choosing its
//! password. The account exists at once (so a doctor's schedule and prices can be set up before
//! they first sign in) but cannot be signed in to: its password field holds a marker no
//! password matches. The e-mailed link lets the employee choose their password, which also
//! proves the address. An expired link is replaced by sending the invitation again.

use chrono::Duration;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::email::Letter;
use super::new_staff::{checked_staff, insert_staff};
use super::password::audit_account;
use super::tokens::{self, Purpose};
use super::{UserView, now_naive, validate_identity};
use crate::db::models::UserRow;
use crate::db::schema::{organizations, users};
use crate::db::{DbConnection, write_tx};
use crate::domain::account::{Role, check_password};
use crate::error::{AppError, AppResult};
use crate::notify::templates::{AccountLink, account_link};
use crate::services::{Actor, Context, practitioners};

/// Stored instead of a password hash until the invitation is accepted: not a PHC string, so
/// no password verifies against it.
const NOT_YET_CHOSEN: &str = "!invited";

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteInput {
    pub full_name: String,
    pub iin: String,
    pub email: String,
    /// `doctor`, `support` or `org_admin`.
    pub role: Role,
    /// The language of the invitation and of the account: `ru`, `kk` or `en`.
    #[serde(default)]
    pub language: Option<String>,
    /// Required for doctors: their public directory profile (art. 34).
    #[serde(default)]
    pub practitioner: Option<practitioners::ProfileInput>,
}

/// What the invitation page shows before the employee chooses a password.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationView {
    pub full_name: String,
    pub email: String,
    pub role: Role,
    pub organization_name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInput {
    pub password: String,
}

/// Creates the staff account and e-mails the invitation.
pub async fn invite(
    ctx: &Context,
    actor: &Actor,
    organization_id: String,
    input: InviteInput,
) -> AppResult<UserView> {
    let profile = checked_staff(actor, &organization_id, input.role, input.practitioner)?;
    let person = validate_identity(
        &input.full_name,
        &input.iin,
        &input.email,
        input.language.as_deref(),
    )?;
    let now = now_naive(ctx);
    let at = ctx.clock.now();
    let days = ctx.settings.auth.invite_days;
    let public_url = ctx.public_url.clone();
    let actor = actor.clone();
    let role = input.role;
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let row = insert_staff(
                    conn,
                    &organization_id,
                    person,
                    NOT_YET_CHOSEN.to_owned(),
                    role,
                    profile.as_ref(),
                    now,
                )?;
                let letter = Letter {
                    at,
                    public_url: &public_url,
                };
                send(conn, &letter, &row, days)?;
                actor.audit_change(conn, at, "staff.invite", "user", &row.id)?;
                Ok(UserView::from(row))
            })
        })
        .await
}

/// Sends the invitation again (a new link; the earlier one stops working), for an account
/// whose password has not been chosen yet.
pub async fn resend(
    ctx: &Context,
    actor: &Actor,
    organization_id: String,
    user_id: String,
) -> AppResult<()> {
    actor.require_manager_of(&organization_id)?;
    let at = ctx.clock.now();
    let days = ctx.settings.auth.invite_days;
    let public_url = ctx.public_url.clone();
    let actor = actor.clone();
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let user: UserRow = users::table
                    .find(&user_id)
                    .filter(users::organization_id.eq(&organization_id))
                    .select(UserRow::as_select())
                    .first(conn)
                    .optional()?
                    .ok_or_else(|| AppError::not_found("staff account"))?;
                if user.password_hash != NOT_YET_CHOSEN {
                    return Err(AppError::conflict(
                        "invitation_accepted",
                        "this employee has already chosen a password",
                    ));
                }
                let letter = Letter {
                    at,
                    public_url: &public_url,
                };
                send(conn, &letter, &user, days)?;
                actor.audit_change(conn, at, "staff.invite_resend", "user", &user.id)
            })
        })
        .await
}

/// The invitation behind a link, for the page that accepts it.
pub async fn show(ctx: &Context, token: String) -> AppResult<InvitationView> {
    let token = tokens::well_formed(&token)?.to_owned();
    let now = now_naive(ctx);
    ctx.db
        .run(move |conn| {
            let spent = tokens::peek(conn, &token, Purpose::Invite, now)?;
            view(conn, &spent.user_id)
        })
        .await
}

/// Chooses the password: the account becomes usable and its address verified.
pub async fn accept(
    ctx: &Context,
    token: String,
    input: AcceptInput,
    ip: String,
) -> AppResult<InvitationView> {
    let token = tokens::well_formed(&token)?.to_owned();
    check_password(&input.password).map_err(|why| AppError::unprocessable("weak_password", why))?;
    let now = now_naive(ctx);
    {
        let token = token.clone();
        ctx.db
            .run(move |conn| tokens::peek(conn, &token, Purpose::Invite, now))
            .await?;
    }
    let hash = ctx.hashing.hash(input.password).await?;
    let at = ctx.clock.now();
    let public_url = ctx.public_url.clone();
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let spent = tokens::spend(conn, &token, Purpose::Invite, now)?;
                let updated = diesel::update(
                    users::table
                        .find(&spent.user_id)
                        .filter(users::password_hash.eq(NOT_YET_CHOSEN))
                        .filter(users::deactivated_at.is_null()),
                )
                .set((
                    users::password_hash.eq(&hash),
                    users::email_verified_at.eq(Some(now)),
                ))
                .execute(conn)?;
                if updated == 0 {
                    return Err(AppError::conflict(
                        "invitation_accepted",
                        "this invitation can no longer be accepted",
                    ));
                }
                let letter = Letter {
                    at,
                    public_url: &public_url,
                };
                audit_account(conn, &letter, &spent.user_id, "account.invite_accept", &ip)?;
                view(conn, &spent.user_id)
            })
        })
        .await
}

fn send(conn: &mut DbConnection, letter: &Letter<'_>, user: &UserRow, days: i64) -> AppResult<()> {
    let token = tokens::issue(
        conn,
        &user.id,
        Purpose::Invite,
        Some(&user.email),
        letter.now(),
        Duration::days(days),
    )?;
    let organization: String = organizations::table
        .find(user.organization_id.as_deref().unwrap_or_default())
        .select(organizations::name)
        .first(conn)?;
    let url = format!("{}/#/invite/{token}", letter.public_url);
    let text = account_link(
        &user.language,
        AccountLink::Invite {
            organization: &organization,
            role: &user.role,
            days,
        },
        &user.full_name,
        &url,
    )?;
    letter.send(conn, &format!("invite:{}", user.id), &user.email, text)
}

fn view(conn: &mut DbConnection, user_id: &str) -> AppResult<InvitationView> {
    let (user, organization): (UserRow, Option<String>) = users::table
        .find(user_id)
        .left_join(organizations::table)
        .select((UserRow::as_select(), organizations::name.nullable()))
        .first(conn)?;
    Ok(InvitationView {
        role: user.role.parse().unwrap_or(Role::Doctor),
        full_name: user.full_name,
        email: user.email,
        organization_name: organization.unwrap_or_default(),
    })
}

/// True while an invited account has not chosen its password.
pub fn pending(password_hash: &str) -> bool {
    password_hash == NOT_YET_CHOSEN
}
