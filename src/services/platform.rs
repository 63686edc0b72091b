//! The platform operator's view of the installation: the organisations with their
//! administrators, and the counts that say whether it is healthy (accounts, the mail outbox,
//! the audit log's head). No patient data: the operator runs the platform, not the care.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::{count_star, min};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::accounts::invite;
use super::{Actor, Context};
use crate::db::schema::{audit_events, audit_head, organizations, outbox, practitioners, users};
use crate::domain::account::Role;
use crate::error::{AppError, AppResult};
use crate::notify::status;

/// Organisation, id, name, e-mail, password hash (an invitation pending?), deactivated.
type AdminRow = (
    Option<String>,
    String,
    String,
    String,
    String,
    Option<NaiveDateTime>,
);

fn operator_only(actor: &Actor) -> AppResult<()> {
    if actor.role == Role::PlatformAdmin {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdministratorView {
    pub id: String,
    pub full_name: String,
    pub email: String,
    /// Invited, the password not chosen yet.
    pub invitation_pending: bool,
    pub deactivated: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlatformOrganization {
    pub id: String,
    pub name: String,
    pub address: String,
    pub time_zone: String,
    pub created_at: DateTime<Utc>,
    /// Accounts of the organisation, active or not.
    pub staff: i64,
    pub practitioners: i64,
    pub administrators: Vec<AdministratorView>,
}

/// Every organisation with its administrators, by name.
pub async fn organizations(ctx: &Context, actor: &Actor) -> AppResult<Vec<PlatformOrganization>> {
    operator_only(actor)?;
    ctx.db
        .run(|conn| {
            let orgs: Vec<(String, String, String, String, NaiveDateTime)> = organizations::table
                .order(organizations::name.asc())
                .select((
                    organizations::id,
                    organizations::name,
                    organizations::address,
                    organizations::time_zone,
                    organizations::created_at,
                ))
                .load(conn)?;
            let staff: BTreeMap<Option<String>, i64> = users::table
                .filter(users::organization_id.is_not_null())
                .group_by(users::organization_id)
                .select((users::organization_id, count_star()))
                .load::<(Option<String>, i64)>(conn)?
                .into_iter()
                .collect();
            let doctors: BTreeMap<String, i64> = practitioners::table
                .group_by(practitioners::organization_id)
                .select((practitioners::organization_id, count_star()))
                .load::<(String, i64)>(conn)?
                .into_iter()
                .collect();
            let admins: Vec<AdminRow> = users::table
                .filter(users::role.eq(Role::OrgAdmin.as_str()))
                .order(users::full_name.asc())
                .select((
                    users::organization_id,
                    users::id,
                    users::full_name,
                    users::email,
                    users::password_hash,
                    users::deactivated_at,
                ))
                .load(conn)?;
            Ok(orgs
                .into_iter()
                .map(|(id, name, address, time_zone, created_at)| {
                    let administrators = admins
                        .iter()
                        .filter(|a| a.0.as_deref() == Some(id.as_str()))
                        .map(|(_, uid, full_name, email, hash, off)| AdministratorView {
                            id: uid.clone(),
                            full_name: full_name.clone(),
                            email: email.clone(),
                            invitation_pending: invite::pending(hash),
                            deactivated: off.is_some(),
                        })
                        .collect();
                    PlatformOrganization {
                        staff: staff.get(&Some(id.clone())).copied().unwrap_or(0),
                        practitioners: doctors.get(&id).copied().unwrap_or(0),
                        created_at: created_at.and_utc(),
                        id,
                        name,
                        address,
                        time_zone,
                        administrators,
                    }
                })
                .collect())
        })
        .await
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxCounts {
    /// Waiting to be sent (due or not yet due).
    pub pending: i64,
    /// Pending after a failed attempt: the relay refused or could not be reached.
    pub failing: i64,
    pub sent: i64,
    /// When the oldest message still waiting was due.
    pub oldest_pending_due_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditHead {
    /// The number of the last row of the audit log.
    pub last_seq: i64,
    pub last_hash: String,
    pub last_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlatformHealth {
    /// `postgresql` or `sqlite`.
    pub database: &'static str,
    pub version: &'static str,
    pub checked_at: DateTime<Utc>,
    pub organizations: i64,
    pub users: i64,
    /// Accounts per role.
    pub users_by_role: BTreeMap<String, i64>,
    pub deactivated_users: i64,
    pub outbox: OutboxCounts,
    pub audit: Option<AuditHead>,
}

/// The installation's counts: accounts, the outbox, the audit log's head.
pub async fn health(ctx: &Context, actor: &Actor) -> AppResult<PlatformHealth> {
    operator_only(actor)?;
    let database = ctx.db.backend().name();
    let checked_at = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            let organizations: i64 = organizations::table.count().get_result(conn)?;
            let by_role: Vec<(String, i64)> = users::table
                .group_by(users::role)
                .select((users::role, count_star()))
                .load(conn)?;
            let deactivated_users: i64 = users::table
                .filter(users::deactivated_at.is_not_null())
                .count()
                .get_result(conn)?;
            let pending = outbox::table.filter(outbox::status.eq(status::PENDING));
            let outbox = OutboxCounts {
                pending: pending.count().get_result(conn)?,
                failing: pending
                    .filter(outbox::last_error.is_not_null())
                    .count()
                    .get_result(conn)?,
                sent: outbox::table
                    .filter(outbox::status.eq(status::SENT))
                    .count()
                    .get_result(conn)?,
                oldest_pending_due_at: pending
                    .select(min(outbox::due_at))
                    .first::<Option<NaiveDateTime>>(conn)?
                    .map(|t| t.and_utc()),
            };
            let head: Option<(i64, String)> = audit_head::table
                .select((audit_head::last_seq, audit_head::last_hash))
                .first(conn)
                .optional()?;
            let audit = match head {
                Some((last_seq, last_hash)) => {
                    let last_at: Option<NaiveDateTime> = audit_events::table
                        .find(last_seq)
                        .select(audit_events::at)
                        .first(conn)
                        .optional()?;
                    Some(AuditHead {
                        last_seq,
                        last_hash,
                        last_at: last_at.map(|t| t.and_utc()),
                    })
                }
                None => None,
            };
            Ok(PlatformHealth {
                database,
                version: env!("CARGO_PKG_VERSION"),
                checked_at,
                organizations,
                users: by_role.iter().map(|(_, n)| n).sum(),
                users_by_role: by_role.into_iter().collect(),
                deactivated_users,
                outbox,
                audit,
            })
        })
        .await
}
