//! Sign-in. The throttle counts the attempt before anything else, the password is checked
//! behind the hash gate, and a session is opened.

use base64::Engine;
use chrono::Duration;
use diesel::prelude::*;
use rand::RngCore;

use super::throttle::{self, Verdict};
use super::{LoginInput, LoginView, now_naive, token_hash};
use crate::audit::{self, Event};
use crate::db::models::{SessionRow, UserRow};
use crate::db::schema::{sessions, users};
use crate::db::write_tx;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::services::Context;
use crate::services::input::optional_line;

/// Signs in from `ip` with the browser `user_agent` (kept with the session, so its owner can
/// recognise it in the list of sessions).
pub async fn login(
    ctx: &Context,
    input: LoginInput,
    ip: String,
    user_agent: Option<String>,
) -> AppResult<LoginView> {
    // Checked before the throttle stores it: PostgreSQL text cannot hold NUL.
    let email = optional_line(&input.email, "email", 254)?.to_lowercase();
    let (verdict, user) = {
        let (auth, now) = (ctx.settings.auth.clone(), ctx.clock.now());
        let (email, ip) = (email.clone(), ip.clone());
        ctx.db
            .run(move |conn| {
                let verdict = throttle::admit(conn, &auth, &email, &ip, now)?;
                let user: Option<UserRow> = match verdict {
                    Verdict::Admitted(_) => users::table
                        .filter(users::email.eq(&email))
                        // A deactivated account signs in no more, and says no more than a
                        // wrong password would.
                        .filter(users::deactivated_at.is_null())
                        .select(UserRow::as_select())
                        .first(conn)
                        .optional()?,
                    Verdict::Refused { .. } => None,
                };
                Ok((verdict, user))
            })
            .await?
    };
    let attempt = match verdict {
        Verdict::Admitted(attempt) => attempt,
        Verdict::Refused { retry_after } => {
            return Err(AppError::Client {
                kind: ErrorKind::TooManyRequests,
                code: "too_many_attempts",
                message: "too many failed sign-in attempts; try again later".into(),
                retry_after: Some(retry_after),
            });
        }
    };
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let checked = ctx.hashing.verify(input.password, stored).await;
    let ok = match checked {
        Ok(ok) => ok && user.is_some(),
        // No password was checked (`busy`, or the task failed): the attempt does not count.
        Err(e) => {
            ctx.db
                .run(move |conn| throttle::take_back(conn, &attempt))
                .await?;
            return Err(e);
        }
    };
    let now = now_naive(ctx);
    let at = ctx.clock.now();
    let session_hours = ctx.settings.auth.session_hours;
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let user = match (ok, user) {
                    (true, Some(user)) => user,
                    (_, user) => {
                        let user_id = user.map(|u| u.id);
                        audit::record(
                            conn,
                            at,
                            &Event {
                                actor_id: user_id.as_deref(),
                                subject_id: None,
                                action: "auth.login",
                                object_type: "session",
                                object_id: "",
                                outcome: "denied",
                                ip: &ip,
                                purpose: None,
                            },
                        )?;
                        return Ok(Err(()));
                    }
                };
                throttle::succeeded(conn, &attempt)?;
                let mut raw = [0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut raw);
                let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
                let expires = now + Duration::hours(session_hours);
                diesel::insert_into(sessions::table)
                    .values(&SessionRow {
                        token_hash: token_hash(&token),
                        user_id: user.id.clone(),
                        created_at: now,
                        expires_at: expires,
                        ip: Some(ip.clone()).filter(|ip| !ip.is_empty()),
                        user_agent: user_agent.clone(),
                    })
                    .execute(conn)?;
                audit::record(
                    conn,
                    at,
                    &Event {
                        actor_id: Some(&user.id),
                        subject_id: None,
                        action: "auth.login",
                        object_type: "session",
                        object_id: "",
                        outcome: "ok",
                        ip: &ip,
                        purpose: None,
                    },
                )?;
                Ok(Ok(LoginView {
                    token,
                    expires_at: expires.and_utc(),
                    user: user.into(),
                }))
            })
        })
        .await?
        .map_err(|()| {
            AppError::client(
                ErrorKind::Unauthorized,
                "invalid_credentials",
                "wrong e-mail or password",
            )
        })
}
