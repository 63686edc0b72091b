//! Audit appends per second: `telemed::audit::record` in a write transaction per event, as the
//! services append, and 100 per transaction, on a fresh SQLite file or PostgreSQL schema.

use std::time::Instant;

use anyhow::Context;
use chrono::Utc;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use telemed::audit::{self, Event, Verification};
use telemed::db::{Db, write_tx};

pub const BATCH: usize = 100;

pub struct Appends {
    pub backend: String,
    pub events: usize,
    pub per_event_tx: f64,
    pub batched: f64,
    /// Rows per second of `telemed audit verify` over everything appended.
    pub verify: f64,
}

fn event(i: usize) -> (String, String) {
    (format!("record-{i}"), format!("patient-{}", i % 97))
}

/// Appends `events` events one transaction each, then `events` more in batches of [`BATCH`].
pub fn measure(url: &str, backend: &str, events: usize) -> anyhow::Result<Appends> {
    let db = Db::connect(url, 4)?;
    db.migrate()?;
    let mut conn = db.get().map_err(|e| anyhow::anyhow!("{e}"))?;
    let key = audit::AuditKey::generate();
    audit::seal(&mut conn, key.clone())?;
    let append = |conn: &mut _, i: usize| {
        let (object, subject) = event(i);
        audit::record(
            conn,
            Utc::now(),
            &Event {
                actor_id: Some("bench-doctor"),
                subject_id: Some(&subject),
                action: "record.read",
                object_type: "medical_record",
                object_id: &object,
                outcome: "ok",
                ip: "127.0.0.1",
                purpose: Some("bench-consultation"),
            },
        )
    };

    let started = Instant::now();
    for i in 0..events {
        write_tx(&mut conn, |c| append(c, i)).map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let per_event_tx = events as f64 / started.elapsed().as_secs_f64();

    let started = Instant::now();
    for batch in (0..events).collect::<Vec<_>>().chunks(BATCH) {
        write_tx(&mut conn, |c| {
            batch.iter().try_for_each(|&i| append(c, events + i))
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let batched = events as f64 / started.elapsed().as_secs_f64();

    let started = Instant::now();
    let rows = match audit::verify(&mut conn, &key, &[]).map_err(|e| anyhow::anyhow!("{e}"))? {
        Verification::Intact { rows } => rows,
        Verification::Broken { seq, reason } => anyhow::bail!("chain broken at {seq}: {reason}"),
    };
    let verify = rows as f64 / started.elapsed().as_secs_f64();
    anyhow::ensure!(
        rows as usize == 2 * events,
        "expected {} rows, found {rows}",
        2 * events
    );
    Ok(Appends {
        backend: backend.to_owned(),
        events,
        per_event_tx,
        batched,
        verify,
    })
}

pub fn sqlite(events: usize) -> anyhow::Result<Appends> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("audit.sqlite3").display());
    measure(&url, "SQLite", events)
}

/// On a fresh schema of `base`, dropped afterwards whatever happened.
pub fn postgres(base: &str, events: usize) -> anyhow::Result<Appends> {
    let schema = format!("bench_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::establish(base).context("connecting to --postgres")?;
    admin.batch_execute(&format!("CREATE SCHEMA {schema}"))?;
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-csearch_path%3D{schema}");
    let result = measure(&url, "PostgreSQL", events);
    let dropped = admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
    if let Err(e) = dropped {
        eprintln!("could not drop schema {schema}: {e}");
    }
    result
}
