//! The chain itself: how a row is hashed, how an append numbers and links it, how the head is
//! sealed, and the check that walks it all.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::checkpoint::Checkpoint;
use super::key::{self, AuditKey};
use super::{Event, Verification};
use crate::db::DbConnection;
use crate::db::models::AuditEventRow;
use crate::db::schema::{audit_events, audit_head};
use crate::error::{AppError, AppResult};

pub(crate) const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// Rows before the keyed chain: plain SHA-256, anyone can recompute them.
pub const LEGACY: &str = "sha256";
/// HMAC-SHA256 under the audit key.
pub const KEYED: &str = "hmac1";
/// Serialises appends on PostgreSQL (the head row's lock does too; SQLite's write lock does).
const APPEND_LOCK_KEY: i64 = 0x7e1e_a0d1;
const HEAD_ID: i32 = 1;

/// The one row that numbers the log (`audit_head`).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_head)]
pub struct Head {
    pub last_seq: i64,
    pub last_hash: String,
    /// The last row written before the keyed chain: rows up to here may be plain SHA-256.
    pub legacy_until: i64,
    /// The key the log is sealed with; none until a process first starts on it.
    pub key_id: Option<String>,
    /// HMAC over the head's fields, so it cannot be wound back without the key.
    pub mac: Option<String>,
}

pub fn head(conn: &mut DbConnection) -> AppResult<Option<Head>> {
    Ok(audit_head::table
        .find(HEAD_ID)
        .select(Head::as_select())
        .first(conn)
        .optional()?)
}

/// The MAC a head with these fields carries.
pub fn head_mac(key: &AuditKey, last_seq: i64, last_hash: &str, legacy_until: i64) -> String {
    let fields = serde_json::json!(["audit_head", last_seq, last_hash, legacy_until]);
    key.mac(fields.to_string().as_bytes())
}

/// The hash of a row written before the keyed chain, exactly as it was computed then.
pub fn legacy_hash(row: &AuditEventRow) -> String {
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

/// The MAC of a keyed row: every field, the algorithm and the link included.
pub fn keyed_hash(row: &AuditEventRow, key: &AuditKey) -> String {
    let canonical = serde_json::json!([
        KEYED,
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
        row.purpose,
    ]);
    key.mac(canonical.to_string().as_bytes())
}

fn format_time(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}

/// Numbers, links and MACs one row. The caller holds a transaction; the head is updated before it
/// is read, so on SQLite the write lock is taken first and on PostgreSQL its row lock queues
/// concurrent appends.
pub fn append(conn: &mut DbConnection, at: DateTime<Utc>, event: &Event<'_>) -> AppResult<()> {
    append_many(conn, at, std::slice::from_ref(event))
}

/// SQLite allows 32,766 bound variables per statement; a row binds 13.
const ROWS_PER_INSERT: usize = 2_000;

/// Numbers, links and MACs several rows in a constant number of round trips: the head is
/// bumped by their count in one statement (taking the lock as [`append`] does), the rows are
/// linked in memory in the order given, inserted in one statement (per 2,000 rows), and the
/// head rewritten once. A list read that shows many patients records each in one go.
pub fn append_many(
    conn: &mut DbConnection,
    at: DateTime<Utc>,
    events: &[Event<'_>],
) -> AppResult<()> {
    append_each(conn, events.len(), events.iter().map(|e| (at, e)))
}

/// [`append_many`] with a time per event: history written after the fact (`telemed demo
/// --scale` records each act at the hour it happened), linked in the order given.
pub fn append_dated(
    conn: &mut DbConnection,
    events: &[(DateTime<Utc>, Event<'_>)],
) -> AppResult<()> {
    append_each(conn, events.len(), events.iter().map(|(at, e)| (*at, e)))
}

fn append_each<'e>(
    conn: &mut DbConnection,
    len: usize,
    events: impl Iterator<Item = (DateTime<Utc>, &'e Event<'e>)>,
) -> AppResult<()> {
    if len == 0 {
        return Ok(());
    }
    let count = i64::try_from(len).map_err(|_| internal("too many audit events"))?;
    if let DbConnection::Postgresql(_) = conn {
        diesel::sql_query(format!("SELECT pg_advisory_xact_lock({APPEND_LOCK_KEY})"))
            .execute(conn)?;
    }
    let bumped = diesel::update(audit_head::table.find(HEAD_ID))
        .set(audit_head::last_seq.eq(audit_head::last_seq + count))
        .execute(conn)?;
    let head = match head(conn)? {
        Some(head) if bumped == 1 => head,
        _ => return Err(internal("the audit log has no head row")),
    };
    let key = head
        .key_id
        .as_deref()
        .and_then(key::registered)
        .ok_or_else(|| internal("the audit log is not sealed with a key this process loaded"))?;
    let mut prev_hash = head.last_hash;
    let mut seq = head.last_seq - count;
    let mut rows = Vec::with_capacity(len);
    for (at, event) in events.take(len) {
        seq += 1;
        let mut row = AuditEventRow {
            seq,
            // Stored precision is microseconds on both backends; hash what is stored.
            at: at.naive_utc().trunc_subsecs(6),
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
            algo: KEYED.to_owned(),
        };
        row.hash = keyed_hash(&row, &key);
        prev_hash = row.hash.clone();
        rows.push(row);
    }
    if rows.len() != len {
        return Err(internal("fewer audit events than counted"));
    }
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        crate::insert_rows!(&mut *conn, audit_events::table, chunk)?;
    }
    diesel::update(audit_head::table.find(HEAD_ID))
        .set((
            audit_head::last_hash.eq(&prev_hash),
            audit_head::mac.eq(head_mac(&key, seq, &prev_hash, head.legacy_until)),
        ))
        .execute(conn)?;
    Ok(())
}

fn internal(message: &'static str) -> AppError {
    AppError::Internal(anyhow::anyhow!(message))
}

/// What sealing found.
#[derive(Debug, PartialEq, Eq)]
pub enum Seal {
    /// Sealed now: a new database, or one from before the keyed chain.
    New,
    /// Already sealed with this key.
    Kept,
    /// Sealed with another key.
    OtherKey,
    /// No seal although keyed rows exist, or no head row: someone changed the database.
    Tampered,
}

/// Binds an unsealed log to `key`, so appends find it and verify knows the legacy boundary.
pub fn seal(conn: &mut DbConnection, key: &AuditKey) -> AppResult<Seal> {
    let Some(head) = head(conn)? else {
        return Ok(Seal::Tampered);
    };
    match head.key_id.as_deref() {
        Some(id) if id == key.id() => return Ok(Seal::Kept),
        Some(_) => return Ok(Seal::OtherKey),
        None => {}
    }
    let keyed: i64 = audit_events::table
        .filter(
            audit_events::seq
                .gt(head.legacy_until)
                .or(audit_events::algo.ne(LEGACY)),
        )
        .count()
        .get_result(conn)?;
    if keyed > 0 {
        return Ok(Seal::Tampered);
    }
    let mac = head_mac(key, head.last_seq, &head.last_hash, head.legacy_until);
    diesel::update(audit_head::table.find(HEAD_ID))
        .set((audit_head::key_id.eq(key.id()), audit_head::mac.eq(mac)))
        .execute(conn)?;
    Ok(Seal::New)
}

fn broken(seq: i64, reason: &'static str) -> Verification {
    Verification::Broken { seq, reason }
}

/// Walks the rows, then holds the head and every checkpoint against them, in one snapshot: the
/// service may be appending meanwhile, and a head read before a row it then counted would look
/// like a forgery. Runs in a transaction of its own.
pub fn verify(
    conn: &mut DbConnection,
    key: &AuditKey,
    checkpoints: &[Checkpoint],
) -> AppResult<Verification> {
    conn.transaction(|conn| {
        if let DbConnection::Postgresql(_) = conn {
            diesel::sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(conn)?;
        }
        verify_snapshot(conn, key, checkpoints)
    })
}

fn verify_snapshot(
    conn: &mut DbConnection,
    key: &AuditKey,
    checkpoints: &[Checkpoint],
) -> AppResult<Verification> {
    let Some(head) = head(conn)? else {
        return Ok(broken(0, "the head row is missing"));
    };
    let rows: Vec<AuditEventRow> = audit_events::table
        .select(AuditEventRow::as_select())
        .order(audit_events::seq.asc())
        .load(conn)?;
    let sealed = match head.key_id.as_deref() {
        Some(id) if id == key.id() => true,
        Some(_) => return Ok(broken(head.last_seq, "the log is sealed with another key")),
        // Migrated but never started since: legal only while nothing was ever keyed.
        None if checkpoints.is_empty() => false,
        None => return Ok(broken(0, "the log is not sealed")),
    };
    let mut prev = GENESIS;
    for (i, row) in rows.iter().enumerate() {
        let expected = i as i64 + 1;
        if row.seq != expected {
            return Ok(broken(expected, "a row is missing"));
        }
        if row.prev_hash != prev {
            return Ok(broken(row.seq, "the link to the previous row is broken"));
        }
        let recomputed = match row.algo.as_str() {
            LEGACY if row.seq > head.legacy_until => {
                return Ok(broken(row.seq, "an unkeyed row after the keyed ones"));
            }
            LEGACY => legacy_hash(row),
            KEYED if sealed => keyed_hash(row, key),
            KEYED => return Ok(broken(0, "the log is not sealed")),
            _ => return Ok(broken(row.seq, "unknown hash algorithm")),
        };
        if recomputed != row.hash {
            return Ok(broken(row.seq, "the row was altered"));
        }
        prev = &row.hash;
    }
    let last = rows.last().map_or(0, |r| r.seq);
    if sealed
        && head.mac
            != Some(head_mac(
                key,
                head.last_seq,
                &head.last_hash,
                head.legacy_until,
            ))
    {
        return Ok(broken(head.last_seq, "the head was altered"));
    }
    if head.last_seq > last {
        return Ok(broken(last + 1, "rows are missing at the end"));
    }
    if head.last_seq < last {
        return Ok(broken(head.last_seq + 1, "a row was added outside the log"));
    }
    if head.last_hash != prev {
        return Ok(broken(last, "the head does not match the last row"));
    }
    for cp in checkpoints {
        if !cp.is_signed_by(key) {
            return Ok(broken(cp.seq, "a checkpoint was forged"));
        }
        if cp.seq > last {
            return Ok(broken(last + 1, "rows are missing at the end"));
        }
        let at_checkpoint = match usize::try_from(cp.seq) {
            Ok(0) => GENESIS,
            Ok(n) => rows[n - 1].hash.as_str(),
            Err(_) => return Ok(broken(cp.seq, "a checkpoint was forged")),
        };
        if at_checkpoint != cp.hash {
            return Ok(broken(cp.seq, "the row differs from its checkpoint"));
        }
    }
    Ok(Verification::Intact { rows: rows.len() })
}
