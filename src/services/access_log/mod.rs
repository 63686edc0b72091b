//! The patient's access log (art. 40): who touched their data, what, when and why — their slice
//! of the audit log, with names, roles and organisations resolved. A page at a time, grouped by
//! who accessed (with counts) and filterable by person and kind; the patient's own views are
//! left out unless asked for, since they flood the log and hide the accesses that matter.
//! Break-the-glass stays loud whatever the filter: its grants are counted for every page.

mod filter;
mod people;

use chrono::{DateTime, Utc};
use diesel::dsl::{count_star, max};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::{Actor, Context};
use crate::access::patient::{self as policy, PatientAct, Target};
use crate::db::DbConnection;
use crate::db::models::AuditEventRow;
use crate::db::schema::audit_events;
use crate::domain::account::Role;
use crate::error::{AppError, AppResult};
pub use filter::{AccessLogQuery, Kind};
use filter::{Cond, Filter};
pub use people::Accessor;

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessEntry {
    pub at: DateTime<Utc>,
    /// Who; absent for the platform's own background work (e.g. the deadline watcher).
    pub actor: Option<Accessor>,
    /// What was done, e.g. `consultation.read`, `consultation.book`.
    pub action: String,
    /// `read` (only looked) or `change`.
    pub kind: Kind,
    pub object_type: String,
    pub object_id: String,
    /// Why: the consultation that gave the reader access, or `council:…` / `break_glass:…`.
    pub purpose: Option<String>,
    pub outcome: String,
    /// A doctor opened the chart without a care relationship (break-the-glass), or read it
    /// under such a grant: the page shows these first and loud.
    pub break_glass: bool,
}

/// One person's accesses (or the platform's, without an actor), for the "who" filter.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessGroup {
    pub actor: Option<Accessor>,
    pub count: i64,
    pub last_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KindCount {
    pub kind: Kind,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessLogPage {
    /// Newest first.
    pub entries: Vec<AccessEntry>,
    /// Rows matching the filter, over all pages.
    pub total: i64,
    pub page: i64,
    pub limit: i64,
    /// Everyone who accessed (whatever `who` and `kind`), most accesses first.
    pub groups: Vec<AccessGroup>,
    /// Rows of each kind (whatever `who` and `kind`).
    pub kinds: Vec<KindCount>,
    /// Break-the-glass grants on the patient, whatever the filter: the page warns of them.
    pub break_glass_grants: i64,
    /// The patient's and the reader's own views left out (0 with `include_own`).
    pub own_hidden: i64,
}

/// The patient reads their own log; a legal representative the represented patient's; nobody
/// else (staff use the audit tools, not this view).
pub async fn for_patient(
    ctx: &Context,
    actor: &Actor,
    query: AccessLogQuery,
) -> AppResult<AccessLogPage> {
    crate::services::input::optional_id(query.patient_id.as_deref(), "patient_id")?;
    let filter = Filter::parse(&query)?;
    // Staff read the audit through the audit tools; naming a patient, their attempt is audited.
    if !matches!(actor.role, Role::Patient | Role::Representative) && query.patient_id.is_none() {
        return Err(AppError::forbidden());
    }
    let actor = actor.clone();
    let (now, rules) = (ctx.clock.now(), ctx.access_rules());
    ctx.db
        .run(move |conn| {
            let (patient, _) = crate::access::resolve_audited(
                conn,
                &actor,
                query.patient_id.as_deref(),
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
            let mut own = vec![patient.id.clone(), actor.user_id.clone()];
            own.dedup();
            page(conn, &patient.id, &own, &filter)
        })
        .await
}

fn count(conn: &mut DbConnection, cond: Cond) -> AppResult<i64> {
    Ok(audit_events::table
        .filter(cond)
        .select(count_star())
        .first(conn)?)
}

fn page(
    conn: &mut DbConnection,
    patient: &str,
    own: &[String],
    f: &Filter,
) -> AppResult<AccessLogPage> {
    let base = || filter::base(patient, own, f.include_own);
    let total = count(conn, filter::rows(base(), f))?;
    let events: Vec<AuditEventRow> = audit_events::table
        .filter(filter::rows(base(), f))
        .order(audit_events::seq.desc())
        .limit(f.limit)
        .offset(f.offset())
        .select(AuditEventRow::as_select())
        .load(conn)?;
    let grouped: Vec<(Option<String>, i64, Option<chrono::NaiveDateTime>)> = audit_events::table
        .filter(base())
        .group_by(audit_events::actor_id)
        .select((audit_events::actor_id, count_star(), max(audit_events::at)))
        .load(conn)?;
    let mut kinds = Vec::with_capacity(Kind::ALL.len());
    for kind in Kind::ALL {
        let n = count(conn, filter::and(base(), filter::kind_cond(kind)))?;
        kinds.push(KindCount { kind, count: n });
    }
    let break_glass_grants = count(
        conn,
        filter::and(
            Box::new(audit_events::subject_id.eq(patient.to_owned())),
            Box::new(
                audit_events::action
                    .eq(crate::access::glass::ACTION)
                    .and(audit_events::outcome.eq("ok"))
                    .nullable(),
            ),
        ),
    )?;
    let own_hidden = if f.include_own {
        0
    } else {
        count(conn, filter::own_reads(patient, own))?
    };

    let mut ids: Vec<&String> = events.iter().filter_map(|e| e.actor_id.as_ref()).collect();
    ids.extend(grouped.iter().filter_map(|g| g.0.as_ref()));
    let people = people::resolve(conn, ids)?;
    let mut groups: Vec<AccessGroup> = grouped
        .into_iter()
        .map(|(id, count, last)| AccessGroup {
            actor: id.and_then(|id| people.get(&id).cloned()),
            count,
            last_at: last.unwrap_or_default().and_utc(),
        })
        .collect();
    groups.sort_by(|a, b| b.count.cmp(&a.count).then(b.last_at.cmp(&a.last_at)));
    let entries = events
        .into_iter()
        .map(|e| AccessEntry {
            break_glass: e.action == crate::access::glass::ACTION
                || e.purpose
                    .as_deref()
                    .is_some_and(|p| p.starts_with("break_glass:")),
            kind: if filter::is_read(&e.action) {
                Kind::Read
            } else {
                Kind::Change
            },
            at: e.at.and_utc(),
            actor: e.actor_id.and_then(|id| people.get(&id).cloned()),
            action: e.action,
            object_type: e.object_type,
            object_id: e.object_id,
            purpose: e.purpose,
            outcome: e.outcome,
        })
        .collect();
    Ok(AccessLogPage {
        entries,
        total,
        page: f.page,
        limit: f.limit,
        groups,
        kinds,
        break_glass_grants,
        own_hidden,
    })
}
