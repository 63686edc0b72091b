//! Accounts: patient self-registration (`register`), sign-in with its throttle (`login`,
//! `throttle`), sessions, and staff accounts (`staff`).

pub mod email;
pub mod invite;
mod login;
mod new_staff;
pub mod open_sessions;
pub mod password;
pub mod profile;
mod register;
mod staff;
mod throttle;
mod tokens;

use chrono::{NaiveDateTime, SubsecRound};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::input::checked_characters;
use super::{Actor, Context};
use crate::db::models::UserRow;
use crate::db::schema::{representations, sessions, users};
use crate::domain::account::{Email, Language, Role, check_password, full_name_acceptable};
use crate::domain::iin::{Iin, IinError};
use crate::domain::text::Lines;
use crate::error::{AppError, AppResult};

pub use login::login;
pub use register::{RegistrationView, register};
pub use staff::{StaffInput, StaffView, create_staff, deactivate, list_staff, reactivate};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterInput {
    pub full_name: String,
    pub iin: String,
    pub email: String,
    pub password: String,
    #[serde(default)]
    pub language: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginInput {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub full_name: String,
    pub email: String,
    pub iin: String,
    pub role: Role,
    pub organization_id: Option<String>,
    pub language: String,
}

impl From<UserRow> for UserView {
    fn from(u: UserRow) -> Self {
        UserView {
            role: u.role.parse().unwrap_or(Role::Patient),
            id: u.id,
            full_name: u.full_name,
            email: u.email,
            iin: u.iin,
            organization_id: u.organization_id,
            language: u.language,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonRef {
    pub id: String,
    pub full_name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeView {
    #[serde(flatten)]
    pub user: UserView,
    /// Patients this user legally represents.
    pub represented_patients: Vec<PersonRef>,
    /// Whether the address was confirmed by its link (patients book only then).
    pub email_verified: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginView {
    pub token: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub user: UserView,
}

/// Validated identity fields shared by self-registration and staff creation.
pub(crate) struct NewPerson {
    pub full_name: String,
    pub iin: Iin,
    pub email: Email,
    pub language: Language,
}

pub(crate) fn validate_person(
    full_name: &str,
    iin: &str,
    email: &str,
    password: &str,
    language: Option<&str>,
) -> AppResult<NewPerson> {
    let person = validate_identity(full_name, iin, email, language)?;
    check_password(password).map_err(|why| AppError::unprocessable("weak_password", why))?;
    Ok(person)
}

/// The identity fields alone: an invited employee chooses their password later.
pub(crate) fn validate_identity(
    full_name: &str,
    iin: &str,
    email: &str,
    language: Option<&str>,
) -> AppResult<NewPerson> {
    // Refused characters are named first, so the answer says what to fix.
    checked_characters(full_name.trim(), "full_name", Lines::One)?;
    checked_characters(email.trim(), "email", Lines::One)?;
    if !full_name_acceptable(full_name) {
        return Err(AppError::unprocessable(
            "invalid_full_name",
            "full name is required (up to 200 characters)",
        ));
    }
    let iin = Iin::parse(iin).map_err(|e| {
        let why = match e {
            IinError::WrongLength => "an IIN has exactly 12 digits",
            IinError::NotDigits => "an IIN consists of digits only",
            IinError::CheckDigit | IinError::NoCheckDigit => "the IIN check digit is wrong",
            IinError::NotADate | IinError::CenturyDigit => "this number is not an IIN",
        };
        AppError::unprocessable("invalid_iin", why)
    })?;
    let email = Email::parse(email).ok_or_else(|| {
        AppError::unprocessable("invalid_email", "the e-mail address is not valid")
    })?;
    let language = match language {
        None | Some("") => Language::Ru,
        Some(l) => l.parse().map_err(|_| {
            AppError::unprocessable("invalid_language", "language must be ru, kk or en")
        })?,
    };
    Ok(NewPerson {
        full_name: full_name.trim().to_owned(),
        iin,
        email,
        language,
    })
}

pub(crate) fn now_naive(ctx: &Context) -> NaiveDateTime {
    ctx.clock.now().naive_utc().trunc_subsecs(6)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub async fn logout(ctx: &Context, token: String) -> AppResult<()> {
    let hash = token_hash(&token);
    ctx.db
        .run(move |conn| {
            diesel::delete(sessions::table.find(hash)).execute(conn)?;
            Ok(())
        })
        .await
}

/// Resolves a session token to the acting user; an unknown or expired token is unauthenticated.
pub async fn authenticate(ctx: &Context, token: String, ip: String) -> AppResult<Actor> {
    let hash = token_hash(&token);
    let now = now_naive(ctx);
    let user: Option<UserRow> = ctx
        .db
        .run(move |conn| {
            Ok(sessions::table
                .inner_join(users::table)
                .filter(sessions::token_hash.eq(hash))
                .filter(sessions::expires_at.gt(now))
                .filter(users::deactivated_at.is_null())
                .select(UserRow::as_select())
                .first(conn)
                .optional()?)
        })
        .await?;
    let user = user.ok_or_else(AppError::unauthenticated)?;
    Ok(Actor {
        role: user
            .role
            .parse()
            .map_err(|_| AppError::Internal(anyhow::anyhow!("unknown role {:?}", user.role)))?,
        user_id: user.id,
        organization_id: user.organization_id,
        ip,
    })
}

pub async fn me(ctx: &Context, actor: &Actor) -> AppResult<MeView> {
    let id = actor.user_id.clone();
    ctx.db
        .run(move |conn| {
            let (user, verified): (UserRow, Option<NaiveDateTime>) = users::table
                .find(&id)
                .select((UserRow::as_select(), users::email_verified_at))
                .first(conn)?;
            let represented = representations::table
                .inner_join(users::table.on(users::id.eq(representations::patient_id)))
                .filter(representations::representative_id.eq(&id))
                .select((users::id, users::full_name))
                .order(users::full_name.asc())
                .load::<(String, String)>(conn)?
                .into_iter()
                .map(|(id, full_name)| PersonRef { id, full_name })
                .collect();
            Ok(MeView {
                user: user.into(),
                represented_patients: represented,
                email_verified: verified.is_some(),
            })
        })
        .await
}
