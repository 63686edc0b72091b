//! The audit log: append-only and hash-chained. Each row stores the hash of the previous row, so
//! deleting or editing a row breaks the chain that [`verify`] recomputes.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::DbConnection;
use crate::db::models::AuditEventRow;
use crate::db::schema::audit_events;
use crate::error::AppResult;

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// Serialises appends on PostgreSQL (SQLite's write transaction already does).
const APPEND_LOCK_KEY: i64 = 0x7e1e_a0d1;

/// What happened, by whom, to whose data.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub actor_id: Option<&'a str>,
    /// The patient whose data this touches, when there is one: their access log reads by it.
    pub subject_id: Option<&'a str>,
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: &'a str,
    pub outcome: &'a str,
    pub ip: &'a str,
    /// Why: the consultation that links the actor to the patient, when there is one.
    pub purpose: Option<&'a str>,
}

/// Appends one event. Call inside the write transaction of the change it records, so the event
/// and the change land together or not at all.
pub fn record(conn: &mut DbConnection, at: DateTime<Utc>, event: &Event<'_>) -> AppResult<()> {
    if let DbConnection::Postgresql(_) = conn {
        diesel::sql_query(format!("SELECT pg_advisory_xact_lock({APPEND_LOCK_KEY})"))
            .execute(conn)?;
    }
    let last: Option<(i64, String)> = audit_events::table
        .select((audit_events::seq, audit_events::hash))
        .order(audit_events::seq.desc())
        .first(conn)
        .optional()?;
    let (seq, prev_hash) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_owned()),
    };
    // Stored precision is microseconds on both backends; hash what is stored.
    let at = at.naive_utc().trunc_subsecs(6);
    let mut row = AuditEventRow {
        seq,
        at,
        actor_id: event.actor_id.map(str::to_owned),
        subject_id: event.subject_id.map(str::to_owned),
        action: event.action.to_owned(),
        object_type: event.object_type.to_owned(),
        object_id: event.object_id.to_owned(),
        outcome: event.outcome.to_owned(),
        ip: event.ip.to_owned(),
        prev_hash,
        hash: String::new(),
        purpose: event.purpose.map(str::to_owned),
    };
    row.hash = row_hash(&row);
    diesel::insert_into(audit_events::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
}

fn row_hash(row: &AuditEventRow) -> String {
    let mut canonical = serde_json::json!([
        row.prev_hash,
        row.seq,
        format_time(row.at),
        row.actor_id,
        row.subject_id,
        row.action,
        row.object_type,
        row.object_id,
        row.outcome,
        row.ip,
    ]);
    // Rows written before purposes were recorded hash without the field, and stay valid.
    if let (Some(purpose), Some(items)) = (&row.purpose, canonical.as_array_mut()) {
        items.push(serde_json::Value::String(purpose.clone()));
    }
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

fn format_time(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}

#[derive(Debug, PartialEq, Eq)]
pub enum Verification {
    Intact { rows: usize },
    Broken { seq: i64, reason: &'static str },
}

/// Recomputes the chain from the first row.
pub fn verify(conn: &mut DbConnection) -> AppResult<Verification> {
    let rows: Vec<AuditEventRow> = audit_events::table
        .select(AuditEventRow::as_select())
        .order(audit_events::seq.asc())
        .load(conn)?;
    let mut prev = GENESIS.to_owned();
    for (i, row) in rows.iter().enumerate() {
        if row.seq != i as i64 + 1 {
            return Ok(Verification::Broken {
                seq: row.seq,
                reason: "a row is missing",
            });
        }
        if row.prev_hash != prev {
            return Ok(Verification::Broken {
                seq: row.seq,
                reason: "the link to the previous row is broken",
            });
        }
        if row_hash(row) != row.hash {
            return Ok(Verification::Broken {
                seq: row.seq,
                reason: "the row was altered",
            });
        }
        prev = row.hash.clone();
    }
    Ok(Verification::Intact { rows: rows.len() })
}
