//! Single-use links sent by e-mail: verification of an address, a change of address, a
//! password reset, an invitation. The link carries 32 random bytes; the database keeps only
//! their SHA-256, so a copy of the database opens no account. A link is spent when used, and a
//! new link of the same purpose spends the earlier ones, so only the latest letter works.

use base64::Engine;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use rand::RngCore;

use super::token_hash;
use crate::db::DbConnection;
use crate::db::schema::account_tokens;
use crate::error::{AppError, AppResult, ErrorKind};

/// What a link is for; stored as its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    VerifyEmail,
    ChangeEmail,
    ResetPassword,
    Invite,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::VerifyEmail => "verify_email",
            Purpose::ChangeEmail => "change_email",
            Purpose::ResetPassword => "reset_password",
            Purpose::Invite => "invite",
        }
    }
}

/// A link that was opened and is valid.
#[derive(Debug, Clone, Queryable)]
pub struct Spent {
    pub user_id: String,
    /// The address being confirmed (verification, change of address).
    pub email: Option<String>,
}

/// Issues a new link for `user_id`, spending the unused ones of the same purpose.
pub fn issue(
    conn: &mut DbConnection,
    user_id: &str,
    purpose: Purpose,
    email: Option<&str>,
    now: NaiveDateTime,
    lifetime: Duration,
) -> AppResult<String> {
    spend_all(conn, user_id, purpose, now)?;
    let mut raw = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
    diesel::insert_into(account_tokens::table)
        .values((
            account_tokens::token_hash.eq(token_hash(&token)),
            account_tokens::user_id.eq(user_id),
            account_tokens::purpose.eq(purpose.as_str()),
            account_tokens::email.eq(email),
            account_tokens::created_at.eq(now),
            account_tokens::expires_at.eq(now + lifetime),
        ))
        .execute(conn)?;
    Ok(token)
}

/// Marks every unused link of `purpose` for the user as spent (a newer one replaces them, or
/// what they were for has happened another way).
pub fn spend_all(
    conn: &mut DbConnection,
    user_id: &str,
    purpose: Purpose,
    now: NaiveDateTime,
) -> AppResult<()> {
    diesel::update(
        account_tokens::table
            .filter(account_tokens::user_id.eq(user_id))
            .filter(account_tokens::purpose.eq(purpose.as_str()))
            .filter(account_tokens::used_at.is_null()),
    )
    .set(account_tokens::used_at.eq(now))
    .execute(conn)?;
    Ok(())
}

/// Looks a link up without spending it (a page shows what it is for before the person acts).
pub fn peek(
    conn: &mut DbConnection,
    token: &str,
    purpose: Purpose,
    now: NaiveDateTime,
) -> AppResult<Spent> {
    let row: Option<(String, Option<String>, NaiveDateTime, Option<NaiveDateTime>)> =
        account_tokens::table
            .find(token_hash(token))
            .filter(account_tokens::purpose.eq(purpose.as_str()))
            .select((
                account_tokens::user_id,
                account_tokens::email,
                account_tokens::expires_at,
                account_tokens::used_at,
            ))
            .first(conn)
            .optional()?;
    match row {
        None | Some((_, _, _, Some(_))) => Err(AppError::client(
            ErrorKind::Gone,
            "link_invalid",
            "this link is not valid or has already been used",
        )),
        Some((_, _, expires, None)) if expires <= now => Err(AppError::client(
            ErrorKind::Gone,
            "link_expired",
            "this link has expired; ask for a new one",
        )),
        Some((user_id, email, _, None)) => Ok(Spent { user_id, email }),
    }
}

/// Spends a link: valid once. Two requests racing with one link: only one update matches.
pub fn spend(
    conn: &mut DbConnection,
    token: &str,
    purpose: Purpose,
    now: NaiveDateTime,
) -> AppResult<Spent> {
    let spent = peek(conn, token, purpose, now)?;
    let updated = diesel::update(
        account_tokens::table
            .find(token_hash(token))
            .filter(account_tokens::used_at.is_null()),
    )
    .set(account_tokens::used_at.eq(now))
    .execute(conn)?;
    if updated == 0 {
        return Err(AppError::client(
            ErrorKind::Gone,
            "link_invalid",
            "this link is not valid or has already been used",
        ));
    }
    Ok(spent)
}

/// A token as it arrives in a request: refused before any lookup when it cannot be one.
pub fn well_formed(token: &str) -> AppResult<&str> {
    let token = token.trim();
    if token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        Ok(token)
    } else {
        Err(AppError::client(
            ErrorKind::Gone,
            "link_invalid",
            "this link is not valid or has already been used",
        ))
    }
}
