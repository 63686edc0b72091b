//! Consultation views for many rows in a constant number of queries: the organisations, people,
//! practitioners, deferred requests and councils they name are each loaded once with `IN`,
//! whatever the number of rows (a list of 1,000 costs what a list of 10 does).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::{ConsultationView, PartyRef, request, utc};
use crate::db::DbConnection;
use crate::db::models::{ConsultationRow, DeferredRequestRow};
use crate::db::schema::{councils, deferred_requests, organizations, practitioners, users};
use crate::domain::consultation::Status;
use crate::error::{AppError, AppResult};
use crate::services::refs::OrganizationRef;

/// The views of `rows`, in their order, without history.
pub(crate) fn views(
    conn: &mut DbConnection,
    rows: Vec<ConsultationRow>,
    now: DateTime<Utc>,
) -> AppResult<Vec<ConsultationView>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let mut deferred: HashMap<String, DeferredRequestRow> = deferred_requests::table
        .filter(deferred_requests::consultation_id.eq_any(&ids))
        .select(DeferredRequestRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|d| (d.consultation_id.clone(), d))
        .collect();
    let council_of: HashMap<String, String> = councils::table
        .filter(councils::consultation_id.eq_any(&ids))
        .select((councils::consultation_id.assume_not_null(), councils::id))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();

    let mut org_ids: Vec<&str> = rows.iter().map(|r| r.organization_id.as_str()).collect();
    org_ids.extend(
        deferred
            .values()
            .filter_map(|d| d.requester_org_id.as_deref()),
    );
    let orgs: HashMap<String, (String, String)> = organizations::table
        .filter(organizations::id.eq_any(dedup(org_ids)))
        .select((
            organizations::id,
            organizations::name,
            organizations::time_zone,
        ))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .map(|(id, name, zone)| (id, (name, zone)))
        .collect();

    let mut people: Vec<&str> = rows.iter().map(|r| r.patient_id.as_str()).collect();
    people.extend(deferred.values().map(|d| d.requester_id.as_str()));
    let names: HashMap<String, String> = users::table
        .filter(users::id.eq_any(dedup(people)))
        .select((users::id, users::full_name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();

    let practitioner_ids: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.practitioner_id.as_deref())
        .collect();
    let doctors: HashMap<String, String> = if practitioner_ids.is_empty() {
        HashMap::new()
    } else {
        practitioners::table
            .inner_join(users::table)
            .filter(practitioners::id.eq_any(dedup(practitioner_ids)))
            .select((practitioners::id, users::full_name))
            .load::<(String, String)>(conn)?
            .into_iter()
            .collect()
    };

    let party = |id: &str| -> AppResult<PartyRef> {
        let full_name = names.get(id).ok_or_else(|| missing("user", id))?.clone();
        Ok(PartyRef {
            id: id.to_owned(),
            full_name,
        })
    };
    rows.into_iter()
        .map(|row| {
            let (org_name, zone) = orgs
                .get(&row.organization_id)
                .ok_or_else(|| missing("organization", &row.organization_id))?
                .clone();
            let practitioner = match &row.practitioner_id {
                Some(p) => Some(PartyRef {
                    id: p.clone(),
                    full_name: doctors
                        .get(p)
                        .ok_or_else(|| missing("practitioner", p))?
                        .clone(),
                }),
                None => None,
            };
            let deferred = match deferred.remove(&row.id) {
                Some(d) => {
                    let requester = party(&d.requester_id)?;
                    let organization = d.requester_org_id.as_ref().and_then(|id| {
                        orgs.get(id).map(|(name, _)| OrganizationRef {
                            id: id.clone(),
                            name: name.clone(),
                        })
                    });
                    Some(request::assemble(d, requester, organization))
                }
                None => None,
            };
            let patient = party(&row.patient_id)?;
            let council_id = council_of.get(&row.id).cloned();
            Ok(assemble(
                row,
                now,
                (org_name, zone),
                patient,
                practitioner,
                deferred,
                council_id,
            ))
        })
        .collect()
}

fn dedup(mut ids: Vec<&str>) -> Vec<&str> {
    ids.sort_unstable();
    ids.dedup();
    ids
}

fn missing(what: &str, id: &str) -> AppError {
    AppError::Internal(anyhow::anyhow!("consultation names a missing {what} {id}"))
}

fn assemble(
    row: ConsultationRow,
    now: DateTime<Utc>,
    (organization_name, time_zone): (String, String),
    patient: PartyRef,
    practitioner: Option<PartyRef>,
    deferred: Option<request::DeferredView>,
    council_id: Option<String>,
) -> ConsultationView {
    let open = Status::parse(&row.status).is_some_and(Status::is_open);
    ConsultationView {
        time_left_seconds: row
            .deadline_at
            .filter(|_| open)
            .map(|d| (d.and_utc() - now).num_seconds()),
        id: row.id,
        status: row.status,
        mode: row.mode,
        urgency: row.urgency,
        initiative: row.initiative,
        organization_id: row.organization_id,
        organization_name,
        time_zone,
        practitioner,
        patient,
        booked_by: row.booked_by,
        specialty: row.specialty,
        slot_start: utc(row.slot_start),
        slot_end: utc(row.slot_end),
        reason: row.reason,
        funding: row.funding,
        price_kzt: row.price_kzt,
        requested_at: row.requested_at.and_utc(),
        clock_started_at: utc(row.clock_started_at),
        deadline_at: utc(row.deadline_at),
        breached_at: utc(row.breached_at),
        cancelled_at: utc(row.cancelled_at),
        completed_at: utc(row.completed_at),
        duration_seconds: row
            .started_at
            .zip(row.ended_at)
            .map(|(s, e)| (e - s).num_seconds()),
        started_at: utc(row.started_at),
        ended_at: utc(row.ended_at),
        held_by: row.held_by,
        patient_agreed_at: utc(row.patient_agreed_at),
        join_opens_at: None,
        my_call_role: None,
        deferred,
        council_id,
        history: None,
    }
}
