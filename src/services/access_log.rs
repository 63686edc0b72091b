//! The patient's access log (art. 40): who touched their data, what, when and why — their slice
//! of the audit log, with names, roles and organisations resolved.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::{Actor, Context};
use crate::access::patient::{self as policy, PatientAct, Target};
use crate::db::models::AuditEventRow;
use crate::db::schema::{audit_events, organizations, users};
use crate::domain::account::Role;
use crate::error::{AppError, AppResult};

const LIMIT: i64 = 1000;

#[derive(Debug, Serialize, ToSchema)]
pub struct Accessor {
    pub id: String,
    pub full_name: String,
    pub role: String,
    pub organization_name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessEntry {
    pub at: DateTime<Utc>,
    /// Who; absent for the platform's own background work (e.g. the deadline watcher).
    pub actor: Option<Accessor>,
    /// What was done, e.g. `consultation.read`, `consultation.book`.
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    /// Why: the consultation that gave the reader access, or `council:…` / `break_glass:…`.
    pub purpose: Option<String>,
    pub outcome: String,
    /// A doctor opened the chart without a care relationship (break-the-glass), or read it
    /// under such a grant: the page shows these first and loud.
    pub break_glass: bool,
}

/// Newest first. The patient reads their own log; a legal representative the represented
/// patient's; nobody else (staff use the audit tools, not this view).
pub async fn for_patient(
    ctx: &Context,
    actor: &Actor,
    patient_id: Option<String>,
) -> AppResult<Vec<AccessEntry>> {
    crate::services::input::optional_id(patient_id.as_deref(), "patient_id")?;
    // Staff read the audit through the audit tools; naming a patient, their attempt is audited.
    if !matches!(actor.role, Role::Patient | Role::Representative) && patient_id.is_none() {
        return Err(AppError::forbidden());
    }
    let actor = actor.clone();
    let (now, rules) = (ctx.clock.now(), ctx.access_rules());
    ctx.db
        .run(move |conn| {
            let (patient, _) = crate::access::resolve_audited(
                conn,
                &actor,
                patient_id.as_deref(),
                now,
                "access_log.read",
            )?;
            policy::check(
                conn,
                &actor,
                &patient.id,
                PatientAct::ReadAccessLog,
                now,
                rules,
                None,
                Target {
                    action: "access_log.read",
                    object_type: "patient",
                    object_id: &patient.id,
                },
            )?;
            let events: Vec<AuditEventRow> = audit_events::table
                .filter(audit_events::subject_id.eq(&patient.id))
                .order(audit_events::seq.desc())
                .limit(LIMIT)
                .select(AuditEventRow::as_select())
                .load(conn)?;
            let mut ids: Vec<&String> = events.iter().filter_map(|e| e.actor_id.as_ref()).collect();
            ids.sort();
            ids.dedup();
            let people: Vec<(String, String, String, Option<String>)> = users::table
                .filter(users::id.eq_any(&ids))
                .select((
                    users::id,
                    users::full_name,
                    users::role,
                    users::organization_id,
                ))
                .load(conn)?;
            let org_ids: Vec<&String> = people.iter().filter_map(|p| p.3.as_ref()).collect();
            let org_names: HashMap<String, String> = organizations::table
                .filter(organizations::id.eq_any(&org_ids))
                .select((organizations::id, organizations::name))
                .load::<(String, String)>(conn)?
                .into_iter()
                .collect();
            let people: HashMap<String, Accessor> = people
                .into_iter()
                .map(|(id, full_name, role, org)| {
                    let organization_name = org.and_then(|o| org_names.get(&o).cloned());
                    (
                        id.clone(),
                        Accessor {
                            id,
                            full_name,
                            role,
                            organization_name,
                        },
                    )
                })
                .collect();
            Ok(events
                .into_iter()
                .map(|e| AccessEntry {
                    break_glass: e.action == crate::access::glass::ACTION
                        || e.purpose
                            .as_deref()
                            .is_some_and(|p| p.starts_with("break_glass:")),
                    at: e.at.and_utc(),
                    actor: e.actor_id.and_then(|id| {
                        people.get(&id).map(|p| Accessor {
                            id: p.id.clone(),
                            full_name: p.full_name.clone(),
                            role: p.role.clone(),
                            organization_name: p.organization_name.clone(),
                        })
                    }),
                    action: e.action,
                    object_type: e.object_type,
                    object_id: e.object_id,
                    purpose: e.purpose,
                    outcome: e.outcome,
                })
                .collect())
        })
        .await
}
