//! What creating a staff account checks, whether the administrator sets a first password or
//! sends an invitation: the right to manage the organisation, a staff role, a doctor's
//! profile, and an e-mail and IIN nobody has yet.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::NewPerson;
use crate::db::models::UserRow;
use crate::db::schema::users;
use crate::db::{DbConnection, new_id};
use crate::domain::account::Role;
use crate::error::{AppError, AppResult};
use crate::services::Actor;
use crate::services::organizations;
use crate::services::practitioners::{self, ProfileInput, ValidProfile};

/// The actor manages the organisation and the role is a staff one; a doctor comes with a valid
/// practitioner profile, which is returned.
pub(super) fn checked_staff(
    actor: &Actor,
    organization_id: &str,
    role: Role,
    practitioner: Option<ProfileInput>,
) -> AppResult<Option<ValidProfile>> {
    actor.require_manager_of(organization_id)?;
    if !role.is_staff() {
        return Err(AppError::unprocessable(
            "invalid_role",
            "staff accounts are doctor, support or org_admin",
        ));
    }
    match (role, practitioner) {
        (Role::Doctor, Some(p)) => Ok(Some(p.validate()?)),
        (Role::Doctor, None) => Err(AppError::unprocessable(
            "practitioner_profile_required",
            "a doctor account needs a practitioner profile",
        )),
        _ => Ok(None),
    }
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

/// Writes the staff account (and a doctor's practitioner profile) of an organisation that
/// exists, once nobody holds its e-mail or IIN. Inside the caller's transaction.
pub(super) fn insert_staff(
    conn: &mut DbConnection,
    organization_id: &str,
    person: NewPerson,
    password_hash: String,
    role: Role,
    profile: Option<&ValidProfile>,
    now: NaiveDateTime,
) -> AppResult<UserRow> {
    organizations::ensure_exists(conn, organization_id)?;
    ensure_unique(conn, &person)?;
    let row = UserRow {
        id: new_id(),
        email: person.email.as_str().to_owned(),
        password_hash,
        full_name: person.full_name,
        iin: person.iin.as_str().to_owned(),
        role: role.as_str().to_owned(),
        organization_id: Some(organization_id.to_owned()),
        language: person.language.as_str().to_owned(),
        created_at: now,
    };
    diesel::insert_into(users::table)
        .values(&row)
        .execute(conn)?;
    if let Some(profile) = profile {
        practitioners::insert_profile(conn, &row.id, organization_id, profile, now)?;
    }
    Ok(row)
}
