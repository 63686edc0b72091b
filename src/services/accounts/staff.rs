//! Staff accounts: an organisation's administrator creates its doctors, support and
//! administrators. Unlike self-registration, a taken e-mail or IIN is named here (409): the
//! administrator is signed in, acts for the organisation and is audited.

use diesel::prelude::*;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{NewPerson, UserView, now_naive, validate_person};
use crate::db::models::UserRow;
use crate::db::schema::users;
use crate::db::{DbConnection, new_id, write_tx};
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
    let password_hash = ctx.hashing.hash(input.password).await?;
    let now = now_naive(ctx);
    let at = ctx.clock.now();
    let actor = actor.clone();
    let role = input.role;
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                organizations::ensure_exists(conn, &organization_id)?;
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
            organizations::ensure_exists(conn, &organization_id)?;
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

/// Refuses an e-mail or IIN that already has an account, with a code that says which.
fn ensure_unique(conn: &mut DbConnection, person: &NewPerson) -> AppResult<()> {
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
