//! Patient self-registration. The answer is the same whether or not the e-mail address or the
//! IIN already has an account — otherwise anyone could learn who is a patient here — and takes
//! about as long: the password is hashed either way, and either way one row is written and one
//! audit event recorded. The owner of an existing account learns of the attempt by e-mail.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;
use utoipa::ToSchema;

use super::email::{Letter, send_verification};
use super::{NewPerson, RegisterInput, now_naive, validate_person};
use crate::audit::{self, Event};
use crate::db::models::UserRow;
use crate::db::schema::users;
use crate::db::{DbConnection, new_id, write_tx};
use crate::domain::account::Role;
use crate::error::{AppError, AppResult};
use crate::notify::{self, Outgoing, templates};
use crate::services::Context;

const ANSWER: &str = "If this e-mail address and IIN were new, the account is ready: sign in \
                      with the password you chose and confirm the address by the link we sent \
                      to it (booking needs a confirmed address). If either already had an \
                      account, nothing was changed and the owner of that account has been told \
                      by e-mail.";

/// The answer to every well-formed registration, whatever happened.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationView {
    /// The address given, normalised (lower case).
    pub email: String,
    pub message: String,
}

pub async fn register(
    ctx: &Context,
    input: RegisterInput,
    ip: String,
) -> AppResult<RegistrationView> {
    let person = validate_person(
        &input.full_name,
        &input.iin,
        &input.email,
        &input.password,
        input.language.as_deref(),
    )?;
    let password_hash = ctx.hashing.hash(input.password).await?;
    let email = person.email.as_str().to_owned();
    let now = now_naive(ctx);
    let at = ctx.clock.now();
    let login_url = format!("{}/#/login", ctx.public_url);
    let public_url = ctx.public_url.clone();
    let verify_hours = ctx.settings.auth.verify_link_hours;
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let row = UserRow {
                    id: new_id(),
                    email: person.email.as_str().to_owned(),
                    password_hash,
                    full_name: person.full_name.clone(),
                    iin: person.iin.as_str().to_owned(),
                    role: Role::Patient.as_str().to_owned(),
                    organization_id: None,
                    language: person.language.as_str().to_owned(),
                    created_at: now,
                };
                let mut owners = owners_of(conn, &person)?;
                if owners.is_empty() {
                    if insert_if_free(conn, &row)? {
                        let letter = Letter {
                            at,
                            public_url: &public_url,
                        };
                        send_verification(conn, &letter, &row, verify_hours)?;
                        return audit_registration(conn, at, &row.id, true, &ip);
                    }
                    // A registration that committed a moment ago took the e-mail or the IIN.
                    owners = owners_of(conn, &person)?;
                }
                for owner in owners {
                    tell_owner(conn, at, &owner, &login_url)?;
                    audit_registration(conn, at, &owner.id, false, &ip)?;
                }
                Ok(())
            })
        })
        .await?;
    Ok(RegistrationView {
        email,
        message: ANSWER.to_owned(),
    })
}

/// The accounts holding the e-mail address or the IIN: none, one, or two different ones.
fn owners_of(conn: &mut DbConnection, person: &NewPerson) -> AppResult<Vec<UserRow>> {
    Ok(users::table
        .filter(
            users::email
                .eq(person.email.as_str())
                .or(users::iin.eq(person.iin.as_str())),
        )
        .select(UserRow::as_select())
        .load(conn)?)
}

/// Inserts the account unless a concurrent registration took its e-mail or IIN first; in a
/// savepoint, since on PostgreSQL a failed statement would spoil the whole transaction.
fn insert_if_free(conn: &mut DbConnection, row: &UserRow) -> AppResult<bool> {
    let inserted = conn.transaction::<_, DieselError, _>(|conn| {
        diesel::insert_into(users::table).values(row).execute(conn)
    });
    match inserted {
        Ok(_) => Ok(true),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// One letter per account and day at most, however often its details are tried: the attempt
/// must not become a way to flood someone's mailbox.
fn tell_owner(
    conn: &mut DbConnection,
    at: DateTime<Utc>,
    owner: &UserRow,
    login_url: &str,
) -> AppResult<()> {
    let (subject, body) =
        templates::registration_attempt(&owner.language, &owner.full_name, login_url)?;
    let queued = notify::enqueue(
        conn,
        at,
        &Outgoing {
            dedupe_key: format!("registration-attempt:{}:{}", owner.id, at.date_naive()),
            consultation_id: None,
            recipient: &owner.email,
            subject,
            body,
            ics: None,
            due_at: at,
        },
    );
    match queued {
        Ok(_) => Ok(()),
        // An address the relay would refuse must not change the answer, which would tell.
        Err(AppError::Client { code, .. }) => {
            tracing::warn!(user = %owner.id, code, "no registration-attempt mail for this account");
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// `created`: the new account (its own act); otherwise an attempt on an existing one.
fn audit_registration(
    conn: &mut DbConnection,
    at: DateTime<Utc>,
    user_id: &str,
    created: bool,
    ip: &str,
) -> AppResult<()> {
    audit::record(
        conn,
        at,
        &Event {
            actor_id: created.then_some(user_id),
            subject_id: created.then_some(user_id),
            action: "account.register",
            object_type: "user",
            object_id: user_id,
            outcome: if created { "ok" } else { "exists" },
            ip,
            purpose: None,
        },
    )
}
