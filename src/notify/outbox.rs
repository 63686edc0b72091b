//! Writing to the outbox, always inside the caller's transaction.

use chrono::{DateTime, SubsecRound, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::status;
use crate::db::models::OutboxRow;
use crate::db::schema::outbox;
use crate::db::{DbConnection, new_id};
use crate::error::{AppError, AppResult};

/// A message to queue; rendered fully at enqueue time (same transaction as the change).
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    /// Unique; a second enqueue with the same key is a no-op.
    pub dedupe_key: String,
    pub consultation_id: Option<&'a str>,
    /// E-mail address.
    pub recipient: &'a str,
    pub subject: String,
    /// Plain text, UTF-8.
    pub body: String,
    /// A full VCALENDAR text; sent as a `text/calendar` part with its METHOD.
    pub ics: Option<String>,
    /// Now, or later for reminders.
    pub due_at: DateTime<Utc>,
}

/// Writes one outbox row inside the caller's transaction. `Ok(false)` when the key was already
/// queued. A recipient that is not an e-mail address is refused here, since such a message
/// could never be delivered.
pub fn enqueue(conn: &mut DbConnection, now: DateTime<Utc>, msg: &Outgoing<'_>) -> AppResult<bool> {
    if msg.recipient.trim().parse::<lettre::Address>().is_err() {
        return Err(AppError::unprocessable(
            "invalid_recipient",
            "the recipient of a notification is not an e-mail address",
        ));
    }
    let queued: i64 = outbox::table
        .filter(outbox::dedupe_key.eq(&msg.dedupe_key))
        .count()
        .get_result(conn)?;
    if queued > 0 {
        return Ok(false);
    }
    let row = row_of(now, msg);
    // A savepoint: on PostgreSQL a failed statement spoils the whole transaction, and the
    // caller's change must still commit when a concurrent transaction queued the same key.
    let inserted = conn.transaction::<_, DieselError, _>(|conn| {
        diesel::insert_into(outbox::table)
            .values(&row)
            .execute(conn)
    });
    match inserted {
        Ok(_) => Ok(true),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Writes several outbox rows inside the caller's transaction in three statements, whatever
/// their number (a booking queues each party's confirmation and reminders): the keys already
/// queued are looked up at once and skipped, the rest inserted in one statement. Returns how
/// many were queued. A key a concurrent transaction queued in between fails the insert as a
/// whole under its savepoint, and the messages then go one by one through [`enqueue`].
pub fn enqueue_many(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    msgs: &[Outgoing<'_>],
) -> AppResult<usize> {
    if msgs.is_empty() {
        return Ok(0);
    }
    if msgs
        .iter()
        .any(|m| m.recipient.trim().parse::<lettre::Address>().is_err())
    {
        return Err(AppError::unprocessable(
            "invalid_recipient",
            "the recipient of a notification is not an e-mail address",
        ));
    }
    let keys: Vec<&str> = msgs.iter().map(|m| m.dedupe_key.as_str()).collect();
    let queued: std::collections::HashSet<String> = outbox::table
        .filter(outbox::dedupe_key.eq_any(&keys))
        .select(outbox::dedupe_key)
        .load(conn)?
        .into_iter()
        .collect();
    let mut seen = std::collections::HashSet::new();
    let fresh: Vec<&Outgoing> = msgs
        .iter()
        .filter(|m| !queued.contains(&m.dedupe_key) && seen.insert(m.dedupe_key.as_str()))
        .collect();
    if fresh.is_empty() {
        return Ok(0);
    }
    let rows: Vec<OutboxRow> = fresh.iter().map(|m| row_of(now, m)).collect();
    let inserted = conn.transaction::<_, DieselError, _>(|conn| {
        crate::insert_rows!(&mut *conn, outbox::table, &rows)
    });
    match inserted {
        Ok(n) => Ok(n),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
            let mut n = 0;
            for m in fresh {
                n += usize::from(enqueue(conn, now, m)?);
            }
            Ok(n)
        }
        Err(e) => Err(e.into()),
    }
}

fn row_of(now: DateTime<Utc>, msg: &Outgoing<'_>) -> OutboxRow {
    OutboxRow {
        id: new_id(),
        dedupe_key: msg.dedupe_key.clone(),
        consultation_id: msg.consultation_id.map(str::to_owned),
        recipient: msg.recipient.trim().to_owned(),
        subject: msg.subject.clone(),
        body: msg.body.clone(),
        ics: msg.ics.clone(),
        status: status::PENDING.to_owned(),
        attempts: 0,
        due_at: msg.due_at.naive_utc().trunc_subsecs(6),
        lease_until: None,
        last_error: None,
        provider_id: None,
        created_at: now.naive_utc().trunc_subsecs(6),
        sent_at: None,
    }
}

/// Withdraws not-yet-sent messages of a consultation whose `dedupe_key` starts with
/// `key_prefix` (pending reminders on cancel or reschedule): their status becomes `withdrawn`.
/// Returns how many. A message a node is sending at this very moment is no longer withdrawable.
pub fn withdraw_pending(
    conn: &mut DbConnection,
    consultation_id: &str,
    key_prefix: &str,
) -> AppResult<usize> {
    // The prefix is matched here rather than with LIKE, whose case rules and wildcards differ
    // between SQLite and PostgreSQL.
    let pending: Vec<(String, String)> = outbox::table
        .filter(outbox::consultation_id.eq(consultation_id))
        .filter(outbox::status.eq(status::PENDING))
        .select((outbox::id, outbox::dedupe_key))
        .load(conn)?;
    let mut withdrawn = 0;
    for (id, key) in pending {
        if !key.starts_with(key_prefix) {
            continue;
        }
        withdrawn += diesel::update(
            outbox::table
                .filter(outbox::id.eq(&id))
                .filter(outbox::status.eq(status::PENDING)),
        )
        .set((
            outbox::status.eq(status::WITHDRAWN),
            outbox::lease_until.eq(None::<chrono::NaiveDateTime>),
        ))
        .execute(conn)?;
    }
    Ok(withdrawn)
}
