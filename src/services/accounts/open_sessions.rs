//! The owner's open sessions: where and when each was opened, so that one they do not
//! recognise can be ended. A session is named by a digest of its token's digest, never by the
//! token or the stored digest itself.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::{now_naive, token_hash};
use crate::audit::{self, Event};
use crate::db::schema::sessions;
use crate::db::write_tx;
use crate::error::{AppError, AppResult};
use crate::services::{Actor, Context};

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The session this request came with.
    pub current: bool,
}

/// The public name of a session: a digest of its stored digest (32 hex characters).
fn public_id(stored: &str) -> String {
    hex::encode(&Sha256::digest(stored.as_bytes())[..16])
}

/// The user's sessions that have not expired, newest first.
pub async fn list(
    ctx: &Context,
    actor: &Actor,
    current_token: Option<String>,
) -> AppResult<Vec<SessionView>> {
    let current = current_token.map(|t| token_hash(&t));
    let id = actor.user_id.clone();
    let now = now_naive(ctx);
    type Row = (
        String,
        NaiveDateTime,
        NaiveDateTime,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = ctx
        .db
        .run(move |conn| {
            Ok(sessions::table
                .filter(sessions::user_id.eq(&id))
                .filter(sessions::expires_at.gt(now))
                .order(sessions::created_at.desc())
                .select((
                    sessions::token_hash,
                    sessions::created_at,
                    sessions::expires_at,
                    sessions::ip,
                    sessions::user_agent,
                ))
                .load(conn)?)
        })
        .await?;
    Ok(rows
        .into_iter()
        .map(|(stored, created, expires, ip, user_agent)| SessionView {
            id: public_id(&stored),
            current: current.as_deref() == Some(stored.as_str()),
            created_at: created.and_utc(),
            expires_at: expires.and_utc(),
            ip,
            user_agent,
        })
        .collect())
}

/// Ends one of the user's own sessions by its public id.
pub async fn revoke(ctx: &Context, actor: &Actor, session_id: String) -> AppResult<()> {
    let id = actor.user_id.clone();
    let ip = actor.ip.clone();
    let at = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let stored: Vec<String> = sessions::table
                    .filter(sessions::user_id.eq(&id))
                    .select(sessions::token_hash)
                    .load(conn)?;
                let Some(target) = stored.into_iter().find(|s| public_id(s) == session_id) else {
                    return Err(AppError::not_found("session"));
                };
                diesel::delete(sessions::table.find(&target)).execute(conn)?;
                audit::record(
                    conn,
                    at,
                    &Event {
                        actor_id: Some(&id),
                        subject_id: None,
                        action: "auth.session_revoke",
                        object_type: "session",
                        object_id: &session_id,
                        outcome: "ok",
                        ip: &ip,
                        purpose: None,
                    },
                )
            })
        })
        .await
}
