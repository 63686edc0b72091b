//! Accounts: patient self-registration, login with throttling, sessions, staff accounts.

use base64::Engine;
use chrono::{Duration, NaiveDateTime, SubsecRound};
use diesel::prelude::*;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::{Actor, Context, passwords, practitioners};
use crate::audit::{self, Event};
use crate::db::models::{LoginFailureRow, SessionRow, UserRow};
use crate::db::schema::{login_failures, representations, sessions, users};
use crate::db::{DbConnection, new_id, write_tx};
use crate::domain::account::{Email, Language, Role, full_name_acceptable, password_acceptable};
use crate::domain::iin::{Iin, IinError};
use crate::error::{AppError, AppResult, ErrorKind};

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
        };
        AppError::unprocessable("invalid_iin", why)
    })?;
    let email = Email::parse(email).ok_or_else(|| {
        AppError::unprocessable("invalid_email", "the e-mail address is not valid")
    })?;
    if !password_acceptable(password) {
        return Err(AppError::unprocessable(
            "weak_password",
            "the password needs 8 to 128 characters",
        ));
    }
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

/// Refuses an e-mail or IIN that already has an account, with a code that says which.
pub(crate) fn ensure_unique(conn: &mut DbConnection, person: &NewPerson) -> AppResult<()> {
    let email_taken: i64 = users::table
        .filter(users::email.eq(person.email.as_str()))
        .count()
        .get_result(conn)?;
    if email_taken > 0 {
        return Err(AppError::conflict(
            "email_taken",
            "an account with this e-mail already exists",
        ));
    }
    let iin_taken: i64 = users::table
        .filter(users::iin.eq(person.iin.as_str()))
        .count()
        .get_result(conn)?;
    if iin_taken > 0 {
        return Err(AppError::conflict(
            "iin_taken",
            "an account with this IIN already exists",
        ));
    }
    Ok(())
}

pub(crate) fn now_naive(ctx: &Context) -> NaiveDateTime {
    ctx.clock.now().naive_utc().trunc_subsecs(6)
}

pub async fn register(ctx: &Context, input: RegisterInput, ip: String) -> AppResult<UserView> {
    let person = validate_person(
        &input.full_name,
        &input.iin,
        &input.email,
        &input.password,
        input.language.as_deref(),
    )?;
    let password_hash = passwords::hash(input.password).await?;
    let now = now_naive(ctx);
    let at = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                ensure_unique(conn, &person)?;
                let row = UserRow {
                    id: new_id(),
                    email: person.email.as_str().to_owned(),
                    password_hash,
                    full_name: person.full_name,
                    iin: person.iin.as_str().to_owned(),
                    role: Role::Patient.as_str().to_owned(),
                    organization_id: None,
                    language: person.language.as_str().to_owned(),
                    created_at: now,
                };
                diesel::insert_into(users::table)
                    .values(&row)
                    .execute(conn)?;
                audit::record(
                    conn,
                    at,
                    &Event {
                        actor_id: Some(&row.id),
                        subject_id: Some(&row.id),
                        action: "account.register",
                        object_type: "user",
                        object_id: &row.id,
                        outcome: "ok",
                        ip: &ip,
                        purpose: None,
                    },
                )?;
                Ok(UserView::from(row))
            })
        })
        .await
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A real hash to verify against when the e-mail is unknown, so the answer takes as long either
/// way and does not reveal which addresses have accounts.
fn dummy_hash() -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| passwords::hash_blocking("not a password").unwrap_or_default())
        .clone()
}

pub async fn login(ctx: &Context, input: LoginInput, ip: String) -> AppResult<LoginView> {
    let email = input.email.trim().to_lowercase();
    let auth = ctx.settings.auth.clone();
    let window_start = now_naive(ctx) - Duration::minutes(auth.failed_login_window_minutes);
    let (user, throttled) = {
        let (email, ip) = (email.clone(), ip.clone());
        ctx.db
            .run(move |conn| {
                let by_email: i64 = login_failures::table
                    .filter(login_failures::email.eq(&email))
                    .filter(login_failures::at.gt(window_start))
                    .count()
                    .get_result(conn)?;
                let by_ip: i64 = login_failures::table
                    .filter(login_failures::ip.eq(&ip))
                    .filter(login_failures::at.gt(window_start))
                    .count()
                    .get_result(conn)?;
                let user: Option<UserRow> = users::table
                    .filter(users::email.eq(&email))
                    .select(UserRow::as_select())
                    .first(conn)
                    .optional()?;
                Ok((
                    user,
                    by_email >= auth.max_failed_logins || by_ip >= auth.max_failed_logins_per_ip,
                ))
            })
            .await?
    };
    if throttled {
        return Err(AppError::Client {
            kind: ErrorKind::TooManyRequests,
            code: "too_many_attempts",
            message: "too many failed sign-in attempts; try again later".into(),
            retry_after: Some(ctx.settings.auth.failed_login_window_minutes as u64 * 60),
        });
    }
    let stored = match &user {
        Some(u) => u.password_hash.clone(),
        None => tokio::task::spawn_blocking(dummy_hash)
            .await
            .unwrap_or_default(),
    };
    let ok = passwords::verify(input.password, stored).await && user.is_some();
    let now = now_naive(ctx);
    let at = ctx.clock.now();
    let session_hours = ctx.settings.auth.session_hours;
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let user = match (ok, user) {
                    (true, Some(user)) => user,
                    (_, user) => {
                        diesel::insert_into(login_failures::table)
                            .values(&LoginFailureRow {
                                id: new_id(),
                                email: email.clone(),
                                ip: ip.clone(),
                                at: now,
                            })
                            .execute(conn)?;
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
                diesel::delete(login_failures::table.filter(login_failures::email.eq(&email)))
                    .execute(conn)?;
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
        // The failure row must be committed, so the refusal is returned only after the commit.
        .map_err(|()| {
            AppError::client(
                ErrorKind::Unauthorized,
                "invalid_credentials",
                "wrong e-mail or password",
            )
        })
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
            let user: UserRow = users::table
                .find(&id)
                .select(UserRow::as_select())
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
            })
        })
        .await
}

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
    actor.require_manager_of(&organization_id)?;
    if !input.role.is_staff() {
        return Err(AppError::unprocessable(
            "invalid_role",
            "staff accounts are doctor, support or org_admin",
        ));
    }
    let person = validate_person(
        &input.full_name,
        &input.iin,
        &input.email,
        &input.password,
        input.language.as_deref(),
    )?;
    let profile = match (input.role, input.practitioner) {
        (Role::Doctor, Some(p)) => Some(p.validate()?),
        (Role::Doctor, None) => {
            return Err(AppError::unprocessable(
                "practitioner_profile_required",
                "a doctor account needs a practitioner profile",
            ));
        }
        _ => None,
    };
    let password_hash = passwords::hash(input.password).await?;
    let now = now_naive(ctx);
    let at = ctx.clock.now();
    let actor = actor.clone();
    let role = input.role;
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                super::organizations::ensure_exists(conn, &organization_id)?;
                ensure_unique(conn, &person)?;
                let row = UserRow {
                    id: new_id(),
                    email: person.email.as_str().to_owned(),
                    password_hash,
                    full_name: person.full_name,
                    iin: person.iin.as_str().to_owned(),
                    role: role.as_str().to_owned(),
                    organization_id: Some(organization_id.clone()),
                    language: person.language.as_str().to_owned(),
                    created_at: now,
                };
                diesel::insert_into(users::table)
                    .values(&row)
                    .execute(conn)?;
                if let Some(profile) = profile {
                    practitioners::insert_profile(conn, &row.id, &organization_id, &profile, now)?;
                }
                actor.audit_change(conn, at, "staff.create", "user", &row.id)?;
                Ok(UserView::from(row))
            })
        })
        .await
}

pub async fn list_staff(
    ctx: &Context,
    actor: &Actor,
    organization_id: String,
) -> AppResult<Vec<UserView>> {
    actor.require_manager_of(&organization_id)?;
    ctx.db
        .run(move |conn| {
            super::organizations::ensure_exists(conn, &organization_id)?;
            Ok(users::table
                .filter(users::organization_id.eq(&organization_id))
                .select(UserRow::as_select())
                .order(users::full_name.asc())
                .load(conn)?
                .into_iter()
                .map(UserView::from)
                .collect())
        })
        .await
}
