//! Who an organisation sends to a council for a specialty: a consultant available in its
//! schedule when the request names the organisation (art. 22), or else the next consultant on the
//! organisation's list for that profile, in a simple queue (art. 23). The queue's pointer is a
//! database row advanced inside the assigning transaction, so any number of concurrent requests,
//! on any number of nodes, take turns.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{
    consultant_lists, consultant_queues, consultations, council_members, organizations,
    practitioner_specialties, practitioners, users,
};
use crate::domain::consultation::Status;
use crate::domain::council::{MemberSource, MemberStatus, queue_pick};
use crate::error::AppResult;
use crate::services::slots::Calendar;

/// A consultant an organisation assigned.
#[derive(Debug, Clone)]
pub(crate) struct Pick {
    pub practitioner_id: String,
    pub user_id: String,
    pub organization_id: String,
    pub specialty: String,
    pub source: MemberSource,
}

/// When the council needs the consultant: at its hour (real time) or before its deadline.
#[derive(Debug, Clone, Copy)]
pub(crate) enum When {
    At(DateTime<Utc>),
    Within(DateTime<Utc>, DateTime<Utc>),
}

/// A practitioner of `organization` with `specialty`: (practitioner id, user id), by name.
fn staff_of(
    conn: &mut DbConnection,
    organization: &str,
    specialty: &str,
) -> AppResult<Vec<(String, String)>> {
    Ok(practitioners::table
        .inner_join(practitioner_specialties::table)
        .inner_join(users::table)
        .filter(practitioners::organization_id.eq(organization))
        .filter(practitioner_specialties::specialty_code.eq(specialty))
        .filter(users::deactivated_at.is_null())
        .order((users::full_name.asc(), practitioners::id.asc()))
        .select((practitioners::id, practitioners::user_id))
        .load(conn)?)
}

/// Whether the practitioner has a real-time consultation at `at`.
fn busy_at(conn: &mut DbConnection, practitioner: &str, at: DateTime<Utc>) -> AppResult<bool> {
    let at = at.naive_utc();
    let n: i64 = consultations::table
        .filter(consultations::practitioner_id.eq(practitioner))
        .filter(consultations::status.eq_any([
            Status::AwaitingAgreement.as_str(),
            Status::Booked.as_str(),
            Status::InProgress.as_str(),
        ]))
        .filter(consultations::slot_start.le(at))
        .filter(consultations::slot_end.gt(at))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Art. 22: a named organisation assigns a consultant of the specialty whom its schedule has
/// available when the council needs them (at work at its hour and not booked then, or at work
/// before its deadline). Of several, the one with the fewest councils takes it.
pub(crate) fn by_schedule(
    conn: &mut DbConnection,
    organization: &str,
    specialty: &str,
    when: When,
    skip: &HashSet<String>,
) -> AppResult<Option<Pick>> {
    let mut best: Option<(i64, String, String)> = None;
    for (practitioner, user) in staff_of(conn, organization, specialty)? {
        if skip.contains(&user) {
            continue;
        }
        let calendar = Calendar::load(conn, &practitioner)?;
        let available = match when {
            When::At(at) => calendar.works_at(at)? && !busy_at(conn, &practitioner, at)?,
            When::Within(from, to) => calendar.works_within(from, to)?,
        };
        if !available {
            continue;
        }
        let load: i64 = council_members::table
            .filter(council_members::practitioner_id.eq(&practitioner))
            .filter(council_members::status.ne(MemberStatus::Declined.as_str()))
            .count()
            .get_result(conn)?;
        if best.as_ref().is_none_or(|(l, _, _)| load < *l) {
            best = Some((load, practitioner, user));
        }
    }
    Ok(best.map(|(_, practitioner_id, user_id)| Pick {
        practitioner_id,
        user_id,
        organization_id: organization.to_owned(),
        specialty: specialty.to_owned(),
        source: MemberSource::Schedule,
    }))
}

/// Art. 24: the organisation's list for the profile, in queue order. An organisation whose
/// head has not made a list yet queues every doctor of the specialty, by name.
fn queue_list(
    conn: &mut DbConnection,
    organization: &str,
    specialty: &str,
) -> AppResult<Vec<(String, String)>> {
    let listed: Vec<(String, String)> = consultant_lists::table
        .inner_join(practitioners::table.inner_join(users::table))
        .filter(users::deactivated_at.is_null())
        .filter(consultant_lists::organization_id.eq(organization))
        .filter(consultant_lists::specialty.eq(specialty))
        .order(consultant_lists::position.asc())
        .select((consultant_lists::practitioner_id, practitioners::user_id))
        .load(conn)?;
    if !listed.is_empty() {
        return Ok(listed);
    }
    staff_of(conn, organization, specialty)
}

/// Art. 23: the next consultant in the organisation's simple queue for the profile, passing
/// over those in `skip` (user ids). The pointer moves past the one assigned. Must run inside
/// the caller's write transaction: the row lock taken here holds other assigners back until
/// it commits.
pub(crate) fn by_queue(
    conn: &mut DbConnection,
    organization: &str,
    specialty: &str,
    skip: &HashSet<String>,
) -> AppResult<Option<Pick>> {
    let mut list = queue_list(conn, organization, specialty)?;
    if list.is_empty() {
        return Ok(None);
    }
    let start = (
        consultant_queues::organization_id.eq(organization),
        consultant_queues::specialty.eq(specialty),
        consultant_queues::turns.eq(0i64),
    );
    // The queue's row appears with its first turn; of two first assigners one inserts it.
    match conn {
        DbConnection::Postgresql(pg) => {
            diesel::insert_into(consultant_queues::table)
                .values(start)
                .on_conflict_do_nothing()
                .execute(pg)?;
        }
        DbConnection::Sqlite(lite) => {
            diesel::insert_or_ignore_into(consultant_queues::table)
                .values(start)
                .execute(lite)?;
        }
    }
    let queue = consultant_queues::table
        .filter(consultant_queues::organization_id.eq(organization))
        .filter(consultant_queues::specialty.eq(specialty));
    // A write to the row first: on PostgreSQL it locks the row until commit, so two assigners
    // never read the same turn (SQLite's write transaction already excludes the other).
    diesel::update(queue)
        .set(consultant_queues::turns.eq(consultant_queues::turns))
        .execute(conn)?;
    let turn: i64 = queue.select(consultant_queues::turns).first(conn)?;
    let ids: Vec<String> = list.iter().map(|(p, _)| p.clone()).collect();
    let skipped: HashSet<String> = list
        .iter()
        .filter(|(_, u)| skip.contains(u))
        .map(|(p, _)| p.clone())
        .collect();
    let n = ids.len() as i64;
    let Some(index) = queue_pick(&ids, turn.max(0) as u64, &skipped)
        .and_then(|picked| ids.iter().position(|p| p == picked))
    else {
        return Ok(None);
    };
    let passed = (index as i64 - turn.rem_euclid(n)).rem_euclid(n);
    diesel::update(queue)
        .set(consultant_queues::turns.eq(turn + passed + 1))
        .execute(conn)?;
    let (picked, user_id) = list.swap_remove(index);
    Ok(Some(Pick {
        practitioner_id: picked,
        user_id,
        organization_id: organization.to_owned(),
        specialty: specialty.to_owned(),
        source: MemberSource::RoundRobin,
    }))
}

/// Art. 23: the organisations that could assign the specialty from their queue: those that
/// hold councils and have doctors of it, the initiator's own first, then by name.
pub(crate) fn queue_organizations(
    conn: &mut DbConnection,
    specialty: &str,
    initiator_org: &str,
) -> AppResult<Vec<String>> {
    let rows: Vec<(String, String)> = organizations::table
        .filter(
            organizations::id.eq_any(
                practitioners::table
                    .inner_join(practitioner_specialties::table)
                    .filter(practitioner_specialties::specialty_code.eq(specialty))
                    .select(practitioners::organization_id),
            ),
        )
        .order(organizations::name.asc())
        .select((organizations::id, organizations::service_kinds))
        .load(conn)?;
    let mut ids: Vec<String> = rows
        .into_iter()
        .filter(|(_, kinds)| {
            serde_json::from_str::<Vec<String>>(kinds)
                .map(|k| k.iter().any(|k| k == "council"))
                .unwrap_or(false)
        })
        .map(|(id, _)| id)
        .collect();
    if let Some(i) = ids.iter().position(|id| id == initiator_org) {
        let own = ids.remove(i);
        ids.insert(0, own);
    }
    Ok(ids)
}

/// Whether the organisation has any doctor of the specialty.
pub(crate) fn has_specialty(
    conn: &mut DbConnection,
    organization: &str,
    specialty: &str,
) -> AppResult<bool> {
    Ok(!staff_of(conn, organization, specialty)?.is_empty())
}
