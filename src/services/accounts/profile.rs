//! What the owner changes about their own account besides the password and the address: the
//! name shown to doctors and in letters, and the language the interface and the mail use.

use diesel::prelude::*;
use serde::Deserialize;
use utoipa::ToSchema;

use super::email::Letter;
use super::password::audit_account;
use super::{MeView, me};
use crate::db::schema::users;
use crate::db::write_tx;
use crate::domain::account::{Language, full_name_acceptable};
use crate::domain::text::Lines;
use crate::error::{AppError, AppResult};
use crate::services::input::checked_characters;
use crate::services::{Actor, Context};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileInput {
    #[serde(default)]
    pub full_name: Option<String>,
    /// `ru`, `kk` or `en`.
    #[serde(default)]
    pub language: Option<String>,
}

pub async fn update(ctx: &Context, actor: &Actor, input: ProfileInput) -> AppResult<MeView> {
    let full_name = match input.full_name {
        Some(name) => {
            let name = name.trim().to_owned();
            checked_characters(&name, "full_name", Lines::One)?;
            if !full_name_acceptable(&name) {
                return Err(AppError::unprocessable(
                    "invalid_full_name",
                    "full name is required (up to 200 characters)",
                ));
            }
            Some(name)
        }
        None => None,
    };
    let language = match input.language.as_deref() {
        Some(l) => Some(l.parse::<Language>().map_err(|_| {
            AppError::unprocessable("invalid_language", "language must be ru, kk or en")
        })?),
        None => None,
    };
    let id = actor.user_id.clone();
    let ip = actor.ip.clone();
    let at = ctx.clock.now();
    let public_url = ctx.public_url.clone();
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                if let Some(name) = &full_name {
                    diesel::update(users::table.find(&id))
                        .set(users::full_name.eq(name))
                        .execute(conn)?;
                }
                if let Some(language) = language {
                    diesel::update(users::table.find(&id))
                        .set(users::language.eq(language.as_str()))
                        .execute(conn)?;
                }
                let letter = Letter {
                    at,
                    public_url: &public_url,
                };
                audit_account(conn, &letter, &id, "account.profile_update", &ip)
            })
        })
        .await?;
    me(ctx, actor).await
}
