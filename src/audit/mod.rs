//! The audit log: append-only, chained with a key the database does not hold, and checkpointed to
//! a file the database cannot reach, so that whoever can write to the database still cannot
//! rewrite the log without [`verify`] noticing.
//!
//! - **The chain** (`chain`): each row carries the previous row's hash and its own
//!   HMAC-SHA256 over every field under the audit key (`algo = 'hmac1'`). Rows written before the
//!   key existed stay plain SHA-256 (`algo = 'sha256'`) and verify as before, but only up to
//!   `audit_head.legacy_until`, the last row when the migration ran: a plain row after it is a
//!   forgery.
//! - **The counter**: `audit_head` is one row `(last_seq, last_hash, legacy_until, key_id, mac)`
//!   that each append bumps first and rewrites last, in the caller's transaction. Sequence
//!   numbers therefore never come back: deleting the tail and appending leaves a gap. The head's
//!   own MAC stops it being wound back to an earlier row without the key, so a truncated tail
//!   shows even before a checkpoint covers it.
//! - **Checkpoints** (`checkpoint`): signed `(seq, hash, at)` lines appended to
//!   `audit.checkpoint_file` — at every start, at `telemed audit verify`, and by a task that
//!   looks at the committed head every few seconds and writes one when `checkpoint_every` rows
//!   were added. Not from [`record`]: it runs inside the caller's transaction, which may still
//!   roll back, and a checkpoint of a row that never committed would condemn an intact log.
//!   [`verify`] holds every checkpoint against the table, which catches what the head alone
//!   cannot: a tail cut together with a head replayed from an old backup.
//! - **The key** (`key`): 32 bytes in `audit.key_file`, made on a first start unless the
//!   profile forbids it (production). Each process loads it at start, registers it by its public
//!   id, and seals the log with that id (`audit_head.key_id`); [`record`] finds the key through
//!   the head it has to read anyway, so its signature needs no key and no call site changed.
//!   This keeps apart the many apps the test suites start in one process, each with a database
//!   and a key file of its own, and `telemed audit verify` reads the same file by configuration
//!   (`--config`, or `TELEMED__AUDIT__KEY_FILE`). A start on a log sealed with another key fails.
//!
//! What stays undetectable: someone holding both the database and the key file can rewrite the
//! rows, the head and, if they reach it, the checkpoint file; and rows added after the last
//! checkpoint can be cut by someone who also kept an older head row (a backup). Keep the key and
//! the checkpoints on storage the database's users (and backups) cannot read or write.

mod chain;
pub mod checkpoint;
mod key;
#[cfg(test)]
mod tests;

use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use diesel::Connection;

pub use chain::{KEYED, LEGACY, append_dated, append_many, head_mac, keyed_hash, legacy_hash};
pub use checkpoint::Checkpoint;
pub use key::AuditKey;

use crate::config::AuditSettings;
use crate::db::{Db, DbConnection, write_tx};
use crate::error::AppResult;

/// How often the checkpoint task looks at the committed head.
const CHECKPOINT_POLL: Duration = Duration::from_secs(10);

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
/// and the change land together or not at all (alone, it takes a transaction of its own).
pub fn record(conn: &mut DbConnection, at: DateTime<Utc>, event: &Event<'_>) -> AppResult<()> {
    conn.transaction(|conn| chain::append(conn, at, event))
}

/// Appends several events in a constant number of statements, in the order given, as
/// [`record`] would one by one (a list read records each patient it shows).
pub fn record_many(
    conn: &mut DbConnection,
    at: DateTime<Utc>,
    events: &[Event<'_>],
) -> AppResult<()> {
    conn.transaction(|conn| chain::append_many(conn, at, events))
}

#[derive(Debug, PartialEq, Eq)]
pub enum Verification {
    Intact { rows: usize },
    Broken { seq: i64, reason: &'static str },
}

/// Checks every row, the head and every checkpoint with `key`.
pub fn verify(
    conn: &mut DbConnection,
    key: &AuditKey,
    checkpoints: &[Checkpoint],
) -> AppResult<Verification> {
    chain::verify(conn, key, checkpoints)
}

/// `telemed audit verify`: reads the configured key (never makes one) and checkpoints, checks,
/// and on an intact sealed log writes a checkpoint of it.
pub fn verify_configured(
    conn: &mut DbConnection,
    settings: &AuditSettings,
) -> anyhow::Result<Verification> {
    let key = AuditKey::read(&settings.key_file).context(
        "the audit key the log was written with is needed (audit.key_file, \
         TELEMED__AUDIT__KEY_FILE)",
    )?;
    let checkpoints = checkpoint::read(&settings.checkpoint_file)?;
    let outcome = chain::verify(conn, &key, &checkpoints)?;
    if let Verification::Intact { .. } = outcome {
        key::register(key);
        checkpoint_due(conn, &settings.checkpoint_file, checkpoints.last(), 1)?;
    }
    Ok(outcome)
}

/// Loads or (where allowed) makes the key, seals the log with it and registers it for appends.
/// Fails when the log is sealed with another key or its head was tampered with.
pub async fn start(settings: &AuditSettings, db: &Db) -> anyhow::Result<()> {
    let path = &settings.key_file;
    let key = if path.exists() || !settings.create_key {
        AuditKey::read(path).with_context(|| {
            format!(
                "the audit key {} is missing or unreadable: create it once with \
                 `telemed audit init-key` and keep it apart from the database",
                path.display()
            )
        })?
    } else {
        let key = AuditKey::create(path)?;
        tracing::info!(file = %path.display(), "audit key created");
        key
    };
    db.run(move |conn| Ok(seal(conn, key)?))
        .await
        .map_err(anyhow::Error::from)
        .with_context(|| format!("sealing the audit log with {}", path.display()))
}

/// Seals the log with `key` (unless it already is) and registers the key for appends, for a
/// process that opens the database itself (a tool, a benchmark) rather than through [`start`].
pub fn seal(conn: &mut DbConnection, key: AuditKey) -> anyhow::Result<()> {
    let seal = write_tx(conn, |conn| chain::seal(conn, &key))
        .context("sealing the audit log (have the migrations run?)")?;
    match seal {
        chain::Seal::New => tracing::info!(key = key.id(), "audit log sealed with its key"),
        chain::Seal::Kept => {}
        chain::Seal::OtherKey => {
            anyhow::bail!("the audit log is sealed with another key: restore that key file")
        }
        chain::Seal::Tampered => anyhow::bail!(
            "the audit log's head row is missing or lost its seal: it was tampered with; \
             run `telemed audit verify`"
        ),
    }
    key::register(key);
    Ok(())
}

/// Writes a checkpoint of the committed head if anything was added since the last one (at start).
pub async fn checkpoint_now(db: &Db, settings: &AuditSettings) -> anyhow::Result<()> {
    let path = settings.checkpoint_file.clone();
    let due = db
        .run(move |conn| {
            let checkpoints = checkpoint::read(&path)?;
            Ok(checkpoint_due(conn, &path, checkpoints.last(), 1)?)
        })
        .await?;
    if let Due::Refused(why) = due {
        tracing::error!("{why}: no checkpoint written; run `telemed audit verify`");
    }
    Ok(())
}

/// Writes a checkpoint every `checkpoint_every` rows, from the committed head (see the module doc).
pub fn spawn_checkpointer(db: Db, settings: AuditSettings) {
    let Ok(every) = i64::try_from(settings.checkpoint_every) else {
        return;
    };
    if every == 0 {
        return;
    }
    tokio::spawn(async move {
        let path = settings.checkpoint_file;
        let mut last = {
            let path = path.clone();
            tokio::task::spawn_blocking(move || checkpoint::read(&path))
                .await
                .ok()
                .and_then(Result::ok)
                .and_then(|all| all.last().cloned())
        };
        let mut tick = tokio::time::interval(CHECKPOINT_POLL);
        // Said once, not every few seconds while it lasts.
        let mut refused = None;
        loop {
            tick.tick().await;
            let (path, previous) = (path.clone(), last.clone());
            let due = db
                .run(move |conn| Ok(checkpoint_due(conn, &path, previous.as_ref(), every)?))
                .await;
            match due {
                Ok(Due::Written(cp)) => {
                    last = Some(cp);
                    refused = None;
                }
                Ok(Due::NotYet) => {}
                Ok(Due::Refused(why)) => {
                    if refused != Some(why) {
                        tracing::error!("{why}: no checkpoint written; run `telemed audit verify`");
                    }
                    refused = Some(why);
                }
                Err(e) => tracing::warn!(error = %e, "audit checkpoint not written"),
            }
        }
    });
}

/// What [`checkpoint_due`] did.
#[derive(Debug, PartialEq, Eq)]
enum Due {
    Written(Checkpoint),
    /// Too few rows since the last checkpoint, or a log no key of this process sealed.
    NotYet,
    /// The head does not deserve a signature: it was altered, or is behind the last checkpoint.
    Refused(&'static str),
}

/// A checkpoint of the committed head when it is at least `min_rows` past `last`, the head
/// verifies with a key this process loaded, and it has not fallen behind `last`.
fn checkpoint_due(
    conn: &mut DbConnection,
    path: &Path,
    last: Option<&Checkpoint>,
    min_rows: i64,
) -> anyhow::Result<Due> {
    let Some(head) = chain::head(conn)? else {
        return Ok(Due::Refused("the audit head row is missing"));
    };
    let Some(key) = head.key_id.as_deref().and_then(key::registered) else {
        return Ok(Due::NotYet);
    };
    if head.mac
        != Some(head_mac(
            &key,
            head.last_seq,
            &head.last_hash,
            head.legacy_until,
        ))
    {
        return Ok(Due::Refused("the audit head was altered"));
    }
    if let Some(last) = last {
        if head.last_seq < last.seq {
            return Ok(Due::Refused("the audit log is behind its last checkpoint"));
        }
        if head.last_seq < last.seq + min_rows {
            return Ok(Due::NotYet);
        }
    }
    let cp = Checkpoint::new(&key, head.last_seq, &head.last_hash);
    checkpoint::append(path, &cp)?;
    Ok(Due::Written(cp))
}

/// `telemed audit init-key`: writes a new key to `path`; refuses to replace one.
pub fn init_key(path: &Path) -> anyhow::Result<AuditKey> {
    anyhow::ensure!(
        !path.exists(),
        "{} already exists: a new key would make the log unverifiable",
        path.display()
    );
    AuditKey::create(path)
}
