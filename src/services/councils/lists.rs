//! Art. 24: the head of an organisation decides which of its doctors take part in councils, per
//! profile; the order of a list is the order of its simple queue (art. 23). Kept here by the
//! organisation's administrator.

use std::collections::HashSet;

use chrono::SubsecRound;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::{
    consultant_lists, practitioner_specialties, practitioners, specialties, users,
};
use crate::db::{DbConnection, write_tx};
use crate::error::{AppError, AppResult};
use crate::services::{Actor, Context};

/// The most doctors one list holds.
const MAX_LIST: usize = 200;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListedConsultant {
    pub id: String,
    pub full_name: String,
    /// 1-based place in the queue.
    pub position: i32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsultantList {
    pub specialty: String,
    pub practitioners: Vec<ListedConsultant>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListInput {
    /// Practitioner ids of the organisation, in queue order.
    pub practitioner_ids: Vec<String>,
}

fn lists_of(conn: &mut DbConnection, organization: &str) -> AppResult<Vec<ConsultantList>> {
    let rows: Vec<(String, String, String, i32)> = consultant_lists::table
        .inner_join(practitioners::table.inner_join(users::table))
        .filter(consultant_lists::organization_id.eq(organization))
        .order((
            consultant_lists::specialty.asc(),
            consultant_lists::position.asc(),
        ))
        .select((
            consultant_lists::specialty,
            consultant_lists::practitioner_id,
            users::full_name,
            consultant_lists::position,
        ))
        .load(conn)?;
    let mut out: Vec<ConsultantList> = Vec::new();
    for (specialty, id, full_name, position) in rows {
        if out.last().is_none_or(|l| l.specialty != specialty) {
            out.push(ConsultantList {
                specialty: specialty.clone(),
                practitioners: Vec::new(),
            });
        }
        if let Some(list) = out.last_mut() {
            list.practitioners.push(ListedConsultant {
                id,
                full_name,
                position,
            });
        }
    }
    Ok(out)
}

/// The organisation's lists, per specialty, in queue order.
pub async fn get(
    ctx: &Context,
    actor: &Actor,
    organization: &str,
) -> AppResult<Vec<ConsultantList>> {
    actor.require_manager_of(organization)?;
    let organization = organization.to_owned();
    ctx.db.run(move |conn| lists_of(conn, &organization)).await
}

/// Replaces the list of one specialty: each practitioner must be of the organisation and of the
/// specialty, each once. An empty list removes it.
pub async fn put(
    ctx: &Context,
    actor: &Actor,
    organization: &str,
    specialty: &str,
    input: ListInput,
) -> AppResult<ConsultantList> {
    actor.require_manager_of(organization)?;
    if input.practitioner_ids.len() > MAX_LIST {
        return Err(AppError::unprocessable(
            "too_many_listed",
            format!("a list holds at most {MAX_LIST} doctors"),
        ));
    }
    crate::services::input::ids(&input.practitioner_ids, "practitioner_ids")?;
    let (actor, organization, specialty) =
        (actor.clone(), organization.to_owned(), specialty.to_owned());
    let now = ctx.clock.now().trunc_subsecs(6);
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let known: i64 = specialties::table
                    .filter(specialties::code.eq(&specialty))
                    .count()
                    .get_result(conn)?;
                if known == 0 {
                    return Err(AppError::unprocessable(
                        "unknown_specialty",
                        format!("no specialty {specialty}"),
                    ));
                }
                let mut seen = HashSet::new();
                for id in &input.practitioner_ids {
                    if !seen.insert(id) {
                        return Err(AppError::unprocessable(
                            "duplicate_practitioner",
                            "a doctor is listed twice",
                        ));
                    }
                    let ours: i64 = practitioners::table
                        .filter(practitioners::id.eq(id))
                        .filter(practitioners::organization_id.eq(&organization))
                        .count()
                        .get_result(conn)?;
                    if ours == 0 {
                        return Err(AppError::unprocessable(
                            "practitioner_not_in_organization",
                            format!("{id} is not a practitioner of this organisation"),
                        ));
                    }
                    let of_specialty: i64 = practitioner_specialties::table
                        .filter(practitioner_specialties::practitioner_id.eq(id))
                        .filter(practitioner_specialties::specialty_code.eq(&specialty))
                        .count()
                        .get_result(conn)?;
                    if of_specialty == 0 {
                        return Err(AppError::unprocessable(
                            "practitioner_lacks_specialty",
                            format!("{id} is not a doctor of {specialty}"),
                        ));
                    }
                }
                replace(conn, &organization, &specialty, &input.practitioner_ids)?;
                actor.audit_change(
                    conn,
                    now,
                    "consultant_list.update",
                    "organization",
                    &organization,
                )?;
                Ok(lists_of(conn, &organization)?
                    .into_iter()
                    .find(|l| l.specialty == specialty)
                    .unwrap_or(ConsultantList {
                        specialty,
                        practitioners: Vec::new(),
                    }))
            })
        })
        .await
}

/// Writes a list as given (already checked), replacing the one there was.
pub(crate) fn replace(
    conn: &mut DbConnection,
    organization: &str,
    specialty: &str,
    practitioner_ids: &[String],
) -> AppResult<()> {
    diesel::delete(
        consultant_lists::table
            .filter(consultant_lists::organization_id.eq(organization))
            .filter(consultant_lists::specialty.eq(specialty)),
    )
    .execute(conn)?;
    for (i, id) in practitioner_ids.iter().enumerate() {
        diesel::insert_into(consultant_lists::table)
            .values((
                consultant_lists::organization_id.eq(organization),
                consultant_lists::specialty.eq(specialty),
                consultant_lists::practitioner_id.eq(id),
                consultant_lists::position.eq(i as i32 + 1),
            ))
            .execute(conn)?;
    }
    Ok(())
}
