//! Passwords: changed by the signed-in owner (the current one checked, counted by the sign-in
//! throttle like a sign-in), or reset through a link e-mailed on request. A reset ends every
//! session, since whoever had the old password may hold one; a change keeps only the session
//! it was made from.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::email::Letter;
use super::throttle::{self, Verdict};
use super::tokens::{self, Purpose};
use super::{now_naive, token_hash};
use crate::audit::{self, Event};
use crate::db::models::UserRow;
use crate::db::schema::{account_tokens, sessions, users};
use crate::db::{DbConnection, write_tx};
use crate::domain::account::{Email, check_password};
use crate::error::{AppError, AppResult, ErrorKind};
use crate::notify::templates::{AccountLink, account_link};
use crate::services::input::optional_line;
use crate::services::{Actor, Context};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordInput {
    pub current_password: String,
    pub new_password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequestInput {
    pub email: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetInput {
    /// The token from the e-mailed link.
    pub token: String,
    pub new_password: String,
}

/// The same answer whether or not the address has an account.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResetRequestedView {
    pub message: String,
}

const RESET_ANSWER: &str = "If an account uses this address, a link to set a new password has \
                            been sent to it.";

/// A second request within this time sends no second letter: the first is on its way, and the
/// form must not become a way to flood someone's mailbox.
const RESET_QUIET_MINUTES: i64 = 2;

/// Checks the signed-in user's current password, counted by the sign-in throttle. Returns the
/// account.
pub(super) async fn check_current(
    ctx: &Context,
    actor: &Actor,
    password: String,
) -> AppResult<UserRow> {
    let (auth, now) = (ctx.settings.auth.clone(), ctx.clock.now());
    let (id, ip) = (actor.user_id.clone(), actor.ip.clone());
    let (user, verdict) = ctx
        .db
        .run(move |conn| {
            let user: UserRow = users::table
                .find(&id)
                .select(UserRow::as_select())
                .first(conn)?;
            let verdict = throttle::admit(conn, &auth, &user.email, &ip, now)?;
            Ok((user, verdict))
        })
        .await?;
    let attempt = match verdict {
        Verdict::Admitted(attempt) => attempt,
        Verdict::Refused { retry_after } => {
            return Err(AppError::Client {
                kind: ErrorKind::TooManyRequests,
                code: "too_many_attempts",
                message: "too many wrong passwords; try again later".into(),
                retry_after: Some(retry_after),
            });
        }
    };
    let checked = ctx
        .hashing
        .verify(password, Some(user.password_hash.clone()))
        .await;
    match checked {
        Ok(true) => {
            ctx.db
                .run(move |conn| throttle::succeeded(conn, &attempt))
                .await?;
            Ok(user)
        }
        Ok(false) => Err(AppError::client(
            ErrorKind::Forbidden,
            "wrong_password",
            "the current password is not right",
        )),
        Err(e) => {
            ctx.db
                .run(move |conn| throttle::take_back(conn, &attempt))
                .await?;
            Err(e)
        }
    }
}

/// Changes the password; every other session of the account ends.
pub async fn change(
    ctx: &Context,
    actor: &Actor,
    session_token: Option<String>,
    input: ChangePasswordInput,
) -> AppResult<()> {
    check_password(&input.new_password)
        .map_err(|why| AppError::unprocessable("weak_password", why))?;
    let user = check_current(ctx, actor, input.current_password).await?;
    let hash = ctx.hashing.hash(input.new_password).await?;
    let keep = session_token.map(|t| token_hash(&t));
    let public_url = ctx.public_url.clone();
    let at = ctx.clock.now();
    let ip = actor.ip.clone();
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let letter = Letter {
                    at,
                    public_url: &public_url,
                };
                set_password(conn, &letter, &user, &hash, keep.as_deref())?;
                audit_account(conn, &letter, &user.id, "account.password_change", &ip)
            })
        })
        .await
}

/// Sends a reset link when the address has an active account; answers the same either way.
pub async fn request_reset(
    ctx: &Context,
    input: ResetRequestInput,
    ip: String,
) -> AppResult<ResetRequestedView> {
    let given = optional_line(&input.email, "email", 254)?;
    let email = Email::parse(&given)
        .ok_or_else(|| AppError::unprocessable("invalid_email", "the e-mail address is not valid"))?
        .as_str()
        .to_owned();
    let minutes = ctx.settings.auth.reset_link_minutes;
    let public_url = ctx.public_url.clone();
    let at = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let user: Option<UserRow> = users::table
                    .filter(users::email.eq(&email))
                    .filter(users::deactivated_at.is_null())
                    .select(UserRow::as_select())
                    .first(conn)
                    .optional()?;
                let Some(user) = user else {
                    return Ok(());
                };
                let now = at.naive_utc();
                if recently_sent(conn, &user.id, now)? {
                    return Ok(());
                }
                let letter = Letter {
                    at,
                    public_url: &public_url,
                };
                let token = tokens::issue(
                    conn,
                    &user.id,
                    Purpose::ResetPassword,
                    None,
                    now,
                    Duration::minutes(minutes),
                )?;
                let url = format!("{public_url}/#/reset-password/{token}");
                let text = account_link(
                    &user.language,
                    AccountLink::ResetPassword { minutes },
                    &user.full_name,
                    &url,
                )?;
                letter.send(
                    conn,
                    &format!("reset-password:{}", user.id),
                    &user.email,
                    text,
                )?;
                audit_account(
                    conn,
                    &letter,
                    &user.id,
                    "account.password_reset_request",
                    &ip,
                )
            })
        })
        .await?;
    Ok(ResetRequestedView {
        message: RESET_ANSWER.to_owned(),
    })
}

/// Sets a new password through a reset link: once, within its lifetime; every session ends.
/// Opening the link also proves the address, so it counts as verified.
pub async fn reset(ctx: &Context, input: ResetInput, ip: String) -> AppResult<()> {
    let token = tokens::well_formed(&input.token)?.to_owned();
    check_password(&input.new_password)
        .map_err(|why| AppError::unprocessable("weak_password", why))?;
    // Checked before hashing, so a spent link costs no hash.
    let now = now_naive(ctx);
    {
        let token = token.clone();
        ctx.db
            .run(move |conn| tokens::peek(conn, &token, Purpose::ResetPassword, now))
            .await?;
    }
    let hash = ctx.hashing.hash(input.new_password).await?;
    let public_url = ctx.public_url.clone();
    let at = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let spent = tokens::spend(conn, &token, Purpose::ResetPassword, now)?;
                let user: UserRow = users::table
                    .find(&spent.user_id)
                    .filter(users::deactivated_at.is_null())
                    .select(UserRow::as_select())
                    .first(conn)
                    .optional()?
                    .ok_or_else(|| {
                        AppError::client(
                            ErrorKind::Gone,
                            "link_invalid",
                            "this link is not valid or has already been used",
                        )
                    })?;
                let letter = Letter {
                    at,
                    public_url: &public_url,
                };
                set_password(conn, &letter, &user, &hash, None)?;
                diesel::update(
                    users::table
                        .find(&user.id)
                        .filter(users::email_verified_at.is_null()),
                )
                .set(users::email_verified_at.eq(Some(now)))
                .execute(conn)?;
                audit_account(conn, &letter, &user.id, "account.password_reset", &ip)
            })
        })
        .await
}

/// Stores the new hash, ends the sessions (all but `keep`), spends open reset links and tells
/// the owner.
pub(super) fn set_password(
    conn: &mut DbConnection,
    letter: &Letter<'_>,
    user: &UserRow,
    hash: &str,
    keep: Option<&str>,
) -> AppResult<()> {
    diesel::update(users::table.find(&user.id))
        .set(users::password_hash.eq(hash))
        .execute(conn)?;
    let sessions_of_user = sessions::table.filter(sessions::user_id.eq(&user.id));
    match keep {
        Some(keep) => {
            diesel::delete(sessions_of_user.filter(sessions::token_hash.ne(keep))).execute(conn)?
        }
        None => diesel::delete(sessions_of_user).execute(conn)?,
    };
    tokens::spend_all(conn, &user.id, Purpose::ResetPassword, letter.now())?;
    let text = account_link(
        &user.language,
        AccountLink::PasswordChanged,
        &user.full_name,
        &format!("{}/#/forgot-password", letter.public_url),
    )?;
    letter.send(
        conn,
        &format!("password-changed:{}", user.id),
        &user.email,
        text,
    )
}

fn recently_sent(conn: &mut DbConnection, user_id: &str, now: NaiveDateTime) -> AppResult<bool> {
    let recent: i64 = account_tokens::table
        .filter(account_tokens::user_id.eq(user_id))
        .filter(account_tokens::purpose.eq(Purpose::ResetPassword.as_str()))
        .filter(account_tokens::used_at.is_null())
        .filter(account_tokens::created_at.gt(now - Duration::minutes(RESET_QUIET_MINUTES)))
        .count()
        .get_result(conn)?;
    Ok(recent > 0)
}

pub(super) fn audit_account(
    conn: &mut DbConnection,
    letter: &Letter<'_>,
    user_id: &str,
    action: &str,
    ip: &str,
) -> AppResult<()> {
    audit::record(
        conn,
        letter.at,
        &Event {
            actor_id: Some(user_id),
            subject_id: None,
            action,
            object_type: "user",
            object_id: user_id,
            outcome: "ok",
            ip,
            purpose: None,
        },
    )
}
