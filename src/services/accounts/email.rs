//! The account's e-mail address: verified by a link after registration (a patient cannot book
//! until then, see `require_verified`), and changed only through a link sent to the new address,
//! with the previous address told. Until the new address is confirmed, nothing changes.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::now_naive;
use super::tokens::{self, Purpose};
use crate::audit::{self, Event};
use crate::db::models::UserRow;
use crate::db::schema::users;
use crate::db::{DbConnection, write_tx};
use crate::domain::account::{Email, Role};
use crate::error::{AppError, AppResult, ErrorKind};
use crate::notify::templates::{AccountLink, account_link};
use crate::notify::{self, Outgoing};
use crate::services::{Actor, Context};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenInput {
    /// The token from the e-mailed link.
    pub token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeEmailInput {
    pub new_email: String,
    /// The current password: a session left open must not be enough to take the account.
    pub password: String,
}

/// The address now verified (after a change of address: the new one).
#[derive(Debug, Serialize, ToSchema)]
pub struct VerifiedView {
    pub email: String,
}

/// What a letter with a link needs from the request that sends it.
pub(super) struct Letter<'a> {
    pub at: DateTime<Utc>,
    pub public_url: &'a str,
}

impl Letter<'_> {
    pub(super) fn now(&self) -> NaiveDateTime {
        self.at.naive_utc()
    }

    /// Queues `(subject, body)` to `recipient`. `key` makes a repeated request within the
    /// same minute one letter, not many.
    pub(super) fn send(
        &self,
        conn: &mut DbConnection,
        key: &str,
        recipient: &str,
        (subject, body): (String, String),
    ) -> AppResult<()> {
        notify::enqueue(
            conn,
            self.at,
            &Outgoing {
                dedupe_key: format!("{key}:{}", self.at.timestamp_micros()),
                consultation_id: None,
                recipient,
                subject,
                body,
                ics: None,
                due_at: self.at,
            },
        )?;
        Ok(())
    }
}

/// Sends the verification link for the user's current address.
pub(super) fn send_verification(
    conn: &mut DbConnection,
    letter: &Letter<'_>,
    user: &UserRow,
    hours: i64,
) -> AppResult<()> {
    let token = tokens::issue(
        conn,
        &user.id,
        Purpose::VerifyEmail,
        Some(&user.email),
        letter.now(),
        Duration::hours(hours),
    )?;
    let url = format!("{}/#/verify-email/{token}", letter.public_url);
    let text = account_link(
        &user.language,
        AccountLink::VerifyEmail { hours },
        &user.full_name,
        &url,
    )?;
    letter.send(
        conn,
        &format!("verify-email:{}", user.id),
        &user.email,
        text,
    )
}

/// Opens a verification or change-of-address link: the address it names becomes the account's,
/// verified. Works without a session (the link is the proof), and only once.
pub async fn verify(ctx: &Context, input: TokenInput, ip: String) -> AppResult<VerifiedView> {
    let token = tokens::well_formed(&input.token)?.to_owned();
    let now = now_naive(ctx);
    let at = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let (spent, purpose) = match tokens::spend(conn, &token, Purpose::VerifyEmail, now)
                {
                    Ok(spent) => (spent, Purpose::VerifyEmail),
                    Err(_) => (
                        tokens::spend(conn, &token, Purpose::ChangeEmail, now)?,
                        Purpose::ChangeEmail,
                    ),
                };
                let email = spent.email.unwrap_or_default();
                let user: UserRow = users::table
                    .find(&spent.user_id)
                    .select(UserRow::as_select())
                    .first(conn)?;
                if purpose == Purpose::VerifyEmail && user.email != email {
                    // The address changed since the letter was sent: it proves nothing now.
                    return Err(link_invalid());
                }
                if purpose == Purpose::ChangeEmail && email_taken_by_other(conn, &email, &user.id)?
                {
                    return Err(AppError::conflict(
                        "email_taken",
                        "another account uses this e-mail address",
                    ));
                }
                diesel::update(users::table.find(&user.id))
                    .set((
                        users::email.eq(&email),
                        users::email_verified_at.eq(Some(now)),
                    ))
                    .execute(conn)?;
                // A verification letter sent to the previous address must not confirm it later.
                tokens::spend_all(conn, &user.id, Purpose::VerifyEmail, now)?;
                audit::record(
                    conn,
                    at,
                    &Event {
                        actor_id: Some(&user.id),
                        subject_id: None,
                        action: match purpose {
                            Purpose::ChangeEmail => "account.email_change",
                            _ => "account.email_verify",
                        },
                        object_type: "user",
                        object_id: &user.id,
                        outcome: "ok",
                        ip: &ip,
                        purpose: None,
                    },
                )?;
                Ok(VerifiedView { email })
            })
        })
        .await
}

/// Sends a fresh verification link to the signed-in user's address (the previous link stops
/// working). Nothing is sent when the address is already verified.
pub async fn resend_verification(ctx: &Context, actor: &Actor) -> AppResult<()> {
    let id = actor.user_id.clone();
    let hours = ctx.settings.auth.verify_link_hours;
    let public_url = ctx.public_url.clone();
    let at = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let (user, verified): (UserRow, Option<NaiveDateTime>) = users::table
                    .find(&id)
                    .select((UserRow::as_select(), users::email_verified_at))
                    .first(conn)?;
                if verified.is_some() {
                    return Err(AppError::conflict(
                        "email_already_verified",
                        "this e-mail address is already verified",
                    ));
                }
                let letter = Letter {
                    at,
                    public_url: &public_url,
                };
                send_verification(conn, &letter, &user, hours)
            })
        })
        .await
}

/// Asks to move the account to `new_email`: a link goes to the new address and a notice to the
/// current one. The password is checked first.
pub async fn change(ctx: &Context, actor: &Actor, input: ChangeEmailInput) -> AppResult<()> {
    let new_email = Email::parse(&input.new_email)
        .ok_or_else(|| AppError::unprocessable("invalid_email", "the e-mail address is not valid"))?
        .as_str()
        .to_owned();
    let user = super::password::check_current(ctx, actor, input.password).await?;
    if user.email == new_email {
        return Err(AppError::unprocessable(
            "email_unchanged",
            "this is already the account's address",
        ));
    }
    let hours = ctx.settings.auth.verify_link_hours;
    let public_url = ctx.public_url.clone();
    let at = ctx.clock.now();
    let ip = actor.ip.clone();
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                if email_taken_by_other(conn, &new_email, &user.id)? {
                    return Err(AppError::conflict(
                        "email_taken",
                        "another account uses this e-mail address",
                    ));
                }
                let letter = Letter {
                    at,
                    public_url: &public_url,
                };
                let token = tokens::issue(
                    conn,
                    &user.id,
                    Purpose::ChangeEmail,
                    Some(&new_email),
                    letter.now(),
                    Duration::hours(hours),
                )?;
                let url = format!("{public_url}/#/verify-email/{token}");
                let to_new = account_link(
                    &user.language,
                    AccountLink::ChangeEmail { hours },
                    &user.full_name,
                    &url,
                )?;
                letter.send(
                    conn,
                    &format!("change-email:{}", user.id),
                    &new_email,
                    to_new,
                )?;
                let to_old = account_link(
                    &user.language,
                    AccountLink::EmailChanging,
                    &user.full_name,
                    &format!("{public_url}/#/me"),
                )?;
                letter.send(
                    conn,
                    &format!("email-changing:{}", user.id),
                    &user.email,
                    to_old,
                )?;
                audit::record(
                    conn,
                    at,
                    &Event {
                        actor_id: Some(&user.id),
                        subject_id: None,
                        action: "account.email_change_request",
                        object_type: "user",
                        object_id: &user.id,
                        outcome: "ok",
                        ip: &ip,
                        purpose: None,
                    },
                )
            })
        })
        .await
}

/// Patients and representatives book only from a verified address: the confirmation, the
/// reminders and the link to the call go there (art. 14), and an address nobody reads would
/// lose them. Staff book for patients and are not held to it.
pub fn require_verified(conn: &mut DbConnection, actor: &Actor) -> AppResult<()> {
    if !matches!(actor.role, Role::Patient | Role::Representative) {
        return Ok(());
    }
    let verified: Option<NaiveDateTime> = users::table
        .find(&actor.user_id)
        .select(users::email_verified_at)
        .first(conn)?;
    match verified {
        Some(_) => Ok(()),
        None => Err(AppError::client(
            ErrorKind::Forbidden,
            "email_unverified",
            "confirm your e-mail address (the link in the letter we sent) before booking",
        )),
    }
}

fn email_taken_by_other(conn: &mut DbConnection, email: &str, user_id: &str) -> AppResult<bool> {
    let taken: i64 = users::table
        .filter(users::email.eq(email))
        .filter(users::id.ne(user_id))
        .count()
        .get_result(conn)?;
    Ok(taken > 0)
}

fn link_invalid() -> AppError {
    AppError::client(
        ErrorKind::Gone,
        "link_invalid",
        "this link is not valid or has already been used",
    )
}
