//! Unit tests of the chain, the head and the checkpoints on an SQLite database in memory: each way
//! someone with write access to the database could rewrite the log, and what catches it.

use chrono::Utc;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel_migrations::MigrationHarness;

use super::chain::{self, Seal};
use super::checkpoint::{self, Checkpoint};
use super::key::{self, AuditKey};
use super::{Due, Event, Verification, checkpoint_due, record, record_many, verify};
use crate::db::models::AuditEventRow;
use crate::db::schema::{audit_events, audit_head};
use crate::db::{DbConnection, SQLITE_MIGRATIONS, run_migrations};

fn memory() -> DbConnection {
    DbConnection::Sqlite(SqliteConnection::establish(":memory:").unwrap())
}

/// A migrated database whose log is sealed with a fresh key this process registered.
fn sealed_log() -> (DbConnection, AuditKey) {
    let mut conn = memory();
    run_migrations(&mut conn).unwrap();
    let key = AuditKey::generate();
    assert_eq!(chain::seal(&mut conn, &key).unwrap(), Seal::New);
    key::register(key.clone());
    (conn, key)
}

fn append(conn: &mut DbConnection, n: usize) {
    for i in 0..n {
        let object_id = format!("object-{i}");
        let event = Event {
            actor_id: Some("actor"),
            subject_id: Some("patient"),
            action: "record.read",
            object_type: "record",
            object_id: &object_id,
            outcome: "ok",
            ip: "192.0.2.1",
            purpose: (i % 2 == 0).then_some("consultation-1"),
        };
        record(conn, Utc::now(), &event).unwrap();
    }
}

fn check(conn: &mut DbConnection, key: &AuditKey, checkpoints: &[Checkpoint]) -> Verification {
    verify(conn, key, checkpoints).unwrap()
}

fn written(due: Due) -> Checkpoint {
    match due {
        Due::Written(cp) => cp,
        other => panic!("no checkpoint: {other:?}"),
    }
}

fn broken(seq: i64, reason: &'static str) -> Verification {
    Verification::Broken { seq, reason }
}

/// What an attacker does first: the triggers are in their way.
fn drop_triggers(conn: &mut DbConnection) {
    conn.batch_execute("DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;")
        .unwrap();
}

fn rows(conn: &mut DbConnection) -> Vec<AuditEventRow> {
    audit_events::table
        .select(AuditEventRow::as_select())
        .order(audit_events::seq.asc())
        .load(conn)
        .unwrap()
}

fn delete_from(conn: &mut DbConnection, seq: i64) {
    diesel::delete(audit_events::table.filter(audit_events::seq.ge(seq)))
        .execute(conn)
        .unwrap();
}

/// Rewrites every row from `from` on with `rehash`, linked, and points the head at the result.
fn recompute_from(
    conn: &mut DbConnection,
    from: i64,
    rehash: impl Fn(&mut AuditEventRow) -> String,
) {
    let all = rows(conn);
    let mut prev = all[usize::try_from(from).unwrap() - 2].hash.clone();
    for mut row in all.into_iter().filter(|r| r.seq >= from) {
        row.prev_hash = prev;
        row.hash = rehash(&mut row);
        diesel::update(audit_events::table.find(row.seq))
            .set((
                audit_events::prev_hash.eq(&row.prev_hash),
                audit_events::hash.eq(&row.hash),
                audit_events::algo.eq(&row.algo),
                audit_events::outcome.eq(&row.outcome),
            ))
            .execute(conn)
            .unwrap();
        prev = row.hash;
    }
    diesel::update(audit_head::table)
        .set(audit_head::last_hash.eq(prev))
        .execute(conn)
        .unwrap();
}

#[test]
fn appends_are_keyed_numbered_and_linked() {
    let (mut conn, key) = sealed_log();
    append(&mut conn, 5);
    assert_eq!(
        check(&mut conn, &key, &[]),
        Verification::Intact { rows: 5 }
    );
    let all = rows(&mut conn);
    assert!(all.iter().all(|r| r.algo == chain::KEYED));
    assert_eq!(all[0].prev_hash, chain::GENESIS);
    assert_eq!(all[3].prev_hash, all[2].hash);
    let head = chain::head(&mut conn).unwrap().unwrap();
    assert_eq!((head.last_seq, head.last_hash), (5, all[4].hash.clone()));
}

#[test]
fn art_40_a_batch_of_events_links_into_the_chain_like_single_appends() {
    let (mut conn, key) = sealed_log();
    append(&mut conn, 2);
    let ids: Vec<String> = (0..2_500).map(|i| format!("patient-{i}")).collect();
    let events: Vec<Event> = ids
        .iter()
        .map(|id| Event {
            actor_id: Some("admin"),
            subject_id: Some(id),
            action: "consultation.list",
            object_type: "patient",
            object_id: id,
            outcome: "ok",
            ip: "192.0.2.1",
            purpose: None,
        })
        .collect();
    // More than one insert's worth, so the chunks must link across their boundary.
    record_many(&mut conn, Utc::now(), &events).unwrap();
    record_many(&mut conn, Utc::now(), &[]).unwrap();
    append(&mut conn, 1);
    assert_eq!(
        check(&mut conn, &key, &[]),
        Verification::Intact { rows: 2_503 }
    );
    let all = rows(&mut conn);
    assert_eq!(all[2].subject_id.as_deref(), Some("patient-0"));
    assert_eq!(all[2].prev_hash, all[1].hash);
    assert_eq!(all[2_501].subject_id.as_deref(), Some("patient-2499"));
    assert_eq!(all[2_502].prev_hash, all[2_501].hash);
    let head = chain::head(&mut conn).unwrap().unwrap();
    assert_eq!(head.last_seq, 2_503);
}

#[test]
fn art_40_the_table_refuses_updates_and_deletes() {
    let (mut conn, _) = sealed_log();
    append(&mut conn, 2);
    let update = diesel::update(audit_events::table.find(1))
        .set(audit_events::outcome.eq("denied"))
        .execute(&mut conn);
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = diesel::delete(audit_events::table.find(2)).execute(&mut conn);
    assert!(delete.is_err());
}

#[test]
fn art_40_an_edited_row_is_detected() {
    let (mut conn, key) = sealed_log();
    append(&mut conn, 6);
    drop_triggers(&mut conn);
    diesel::update(audit_events::table.find(3))
        .set(audit_events::outcome.eq("denied"))
        .execute(&mut conn)
        .unwrap();
    assert_eq!(
        check(&mut conn, &key, &[]),
        broken(3, "the row was altered")
    );
}

#[test]
fn art_40_a_row_deleted_in_the_middle_is_detected() {
    let (mut conn, key) = sealed_log();
    append(&mut conn, 6);
    drop_triggers(&mut conn);
    diesel::delete(audit_events::table.find(4))
        .execute(&mut conn)
        .unwrap();
    assert_eq!(check(&mut conn, &key, &[]), broken(4, "a row is missing"));
}

#[test]
fn art_40_a_truncated_tail_is_detected_and_its_numbers_never_reused() {
    let (mut conn, key) = sealed_log();
    append(&mut conn, 15);
    drop_triggers(&mut conn);
    delete_from(&mut conn, 15);
    assert_eq!(
        check(&mut conn, &key, &[]),
        broken(15, "rows are missing at the end")
    );
    delete_from(&mut conn, 5);
    assert_eq!(
        check(&mut conn, &key, &[]),
        broken(5, "rows are missing at the end")
    );
    delete_from(&mut conn, 1);
    assert_eq!(
        check(&mut conn, &key, &[]),
        broken(1, "rows are missing at the end")
    );
    append(&mut conn, 1);
    assert_eq!(rows(&mut conn)[0].seq, 16);
    assert_eq!(check(&mut conn, &key, &[]), broken(1, "a row is missing"));
}

#[test]
fn art_40_a_tail_cut_with_an_old_head_put_back_is_caught_by_the_checkpoint() {
    let (mut conn, key) = sealed_log();
    append(&mut conn, 5);
    let old_head: (i64, String, Option<String>) = audit_head::table
        .select((audit_head::last_seq, audit_head::last_hash, audit_head::mac))
        .first(&mut conn)
        .unwrap();
    append(&mut conn, 5);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("audit.checkpoints");
    let cp = written(checkpoint_due(&mut conn, &file, None, 1).unwrap());
    assert_eq!(cp.seq, 10);
    let checkpoints = checkpoint::read(&file).unwrap();
    assert_eq!(checkpoints, vec![cp]);
    drop_triggers(&mut conn);
    delete_from(&mut conn, 6);
    diesel::update(audit_head::table)
        .set((
            audit_head::last_seq.eq(old_head.0),
            audit_head::last_hash.eq(old_head.1),
            audit_head::mac.eq(old_head.2),
        ))
        .execute(&mut conn)
        .unwrap();
    // Without the checkpoint the replayed head is consistent; with it, the cut shows.
    assert_eq!(
        check(&mut conn, &key, &[]),
        Verification::Intact { rows: 5 }
    );
    assert_eq!(
        check(&mut conn, &key, &checkpoints),
        broken(6, "rows are missing at the end")
    );
    // And the process does not sign the shorter log.
    assert_eq!(
        checkpoint_due(&mut conn, &file, checkpoints.last(), 1).unwrap(),
        Due::Refused("the audit log is behind its last checkpoint")
    );
}

#[test]
fn art_40_a_chain_recomputed_with_plain_sha256_or_another_key_is_detected() {
    let (mut conn, key) = sealed_log();
    append(&mut conn, 8);
    drop_triggers(&mut conn);
    let edit = |row: &mut AuditEventRow| {
        if row.seq == 4 {
            row.outcome = "denied".into();
        }
    };
    recompute_from(&mut conn, 4, |row| {
        edit(row);
        row.algo = chain::LEGACY.into();
        chain::legacy_hash(row)
    });
    assert_eq!(
        check(&mut conn, &key, &[]),
        broken(4, "an unkeyed row after the keyed ones")
    );
    recompute_from(&mut conn, 4, |row| {
        edit(row);
        row.algo = chain::KEYED.into();
        chain::legacy_hash(row)
    });
    assert_eq!(
        check(&mut conn, &key, &[]),
        broken(4, "the row was altered")
    );
    let other = AuditKey::generate();
    recompute_from(&mut conn, 4, |row| {
        edit(row);
        chain::keyed_hash(row, &other)
    });
    assert_eq!(
        check(&mut conn, &key, &[]),
        broken(4, "the row was altered")
    );
    // Verifying with the other key does not help the forger either.
    assert_eq!(
        check(&mut conn, &other, &[]),
        broken(8, "the log is sealed with another key")
    );
}

#[test]
fn art_40_a_forged_appended_row_is_detected() {
    let (mut conn, key) = sealed_log();
    append(&mut conn, 3);
    let mut row = rows(&mut conn).pop().unwrap();
    row.prev_hash = row.hash.clone();
    row.seq = 4;
    row.hash = chain::keyed_hash(&row, &AuditKey::generate());
    diesel::insert_into(audit_events::table)
        .values(&row)
        .execute(&mut conn)
        .unwrap();
    assert_eq!(
        check(&mut conn, &key, &[]),
        broken(4, "the row was altered")
    );
    // Even a row that hashes right is outside the log until the head, which needs the key, says so.
    let mut conn2 = sealed_log().0;
    let key2 = key::registered(&chain::head(&mut conn2).unwrap().unwrap().key_id.unwrap()).unwrap();
    append(&mut conn2, 2);
    let mut row = rows(&mut conn2).pop().unwrap();
    row.prev_hash = row.hash.clone();
    row.seq = 3;
    row.hash = chain::keyed_hash(&row, &key2);
    diesel::insert_into(audit_events::table)
        .values(&row)
        .execute(&mut conn2)
        .unwrap();
    assert_eq!(
        check(&mut conn2, &key2, &[]),
        broken(3, "a row was added outside the log")
    );
}

#[test]
fn art_40_a_head_rewritten_without_the_key_or_unsealed_is_detected() {
    let (mut conn, key) = sealed_log();
    append(&mut conn, 4);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("audit.checkpoints");
    written(checkpoint_due(&mut conn, &file, None, 1).unwrap());
    let checkpoints = checkpoint::read(&file).unwrap();
    drop_triggers(&mut conn);
    delete_from(&mut conn, 4);
    let third = rows(&mut conn).pop().unwrap().hash;
    diesel::update(audit_head::table)
        .set((audit_head::last_seq.eq(3), audit_head::last_hash.eq(third)))
        .execute(&mut conn)
        .unwrap();
    assert_eq!(
        check(&mut conn, &key, &[]),
        broken(3, "the head was altered")
    );
    // Dropping the seal to pass the log off as one from before the key: the checkpoint says no.
    diesel::update(audit_head::table)
        .set((
            audit_head::key_id.eq(None::<String>),
            audit_head::mac.eq(None::<String>),
        ))
        .execute(&mut conn)
        .unwrap();
    assert_eq!(
        check(&mut conn, &key, &checkpoints),
        broken(0, "the log is not sealed")
    );
    assert_eq!(chain::seal(&mut conn, &key).unwrap(), Seal::Tampered);
    diesel::delete(audit_head::table)
        .execute(&mut conn)
        .unwrap();
    assert_eq!(
        check(&mut conn, &key, &[]),
        broken(0, "the head row is missing")
    );
}

#[test]
fn checkpoints_are_signed_and_written_every_n_rows() {
    let (mut conn, key) = sealed_log();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("audit.checkpoints");
    // The seal's own checkpoint, at seq 0, records that the log was keyed.
    let first = written(checkpoint_due(&mut conn, &file, None, 3).unwrap());
    assert_eq!(first.seq, 0);
    append(&mut conn, 2);
    assert_eq!(
        checkpoint_due(&mut conn, &file, Some(&first), 3).unwrap(),
        Due::NotYet
    );
    append(&mut conn, 1);
    let second = written(checkpoint_due(&mut conn, &file, Some(&first), 3).unwrap());
    assert_eq!(second.seq, 3);
    let all = checkpoint::read(&file).unwrap();
    assert_eq!(all, vec![first, second.clone()]);
    assert_eq!(
        check(&mut conn, &key, &all),
        Verification::Intact { rows: 3 }
    );
    let mut forged = second.clone();
    forged.hash = chain::GENESIS.into();
    assert_eq!(
        check(&mut conn, &key, &[forged]),
        broken(3, "a checkpoint was forged")
    );
    let other = Checkpoint::new(&key, 2, &second.hash);
    assert_eq!(
        check(&mut conn, &key, &[other]),
        broken(2, "the row differs from its checkpoint")
    );
    // A line cut short at the end is skipped; garbage in the middle is refused.
    std::fs::write(
        &file,
        format!("{}\n{{\"seq\":", serde_json::to_string(&second).unwrap()),
    )
    .unwrap();
    assert_eq!(checkpoint::read(&file).unwrap(), vec![second.clone()]);
    std::fs::write(&file, "nonsense\n").unwrap();
    assert!(checkpoint::read(&file).is_err());
}

#[test]
fn rows_from_before_the_key_stay_verifiable() {
    let mut sqlite = SqliteConnection::establish(":memory:").unwrap();
    loop {
        let pending = sqlite.pending_migrations(SQLITE_MIGRATIONS).unwrap();
        let next = &pending[0];
        if next.name().to_string().ends_with("_audit_key") {
            break;
        }
        sqlite.run_migration(next.as_ref()).unwrap();
    }
    let mut prev = chain::GENESIS.to_owned();
    for seq in 1..=3 {
        let mut row = AuditEventRow {
            seq,
            at: chrono::NaiveDate::from_ymd_opt(2026, 11, 1)
                .unwrap()
                .and_hms_opt(10, 0, u32::try_from(seq).unwrap())
                .unwrap(),
            actor_id: Some("actor".into()),
            subject_id: None,
            action: "account.login".into(),
            object_type: "user".into(),
            object_id: "actor".into(),
            outcome: "ok".into(),
            ip: "192.0.2.1".into(),
            prev_hash: prev.clone(),
            hash: String::new(),
            purpose: (seq == 2).then(|| "consultation-1".to_owned()),
            algo: chain::LEGACY.into(),
        };
        row.hash = chain::legacy_hash(&row);
        let purpose = row
            .purpose
            .as_deref()
            .map_or("NULL".to_owned(), |p| format!("'{p}'"));
        sqlite
            .batch_execute(&format!(
                "INSERT INTO audit_events (seq, at, actor_id, action, object_type, object_id, \
                 outcome, ip, prev_hash, hash, purpose) VALUES ({seq}, '{}', 'actor', \
                 'account.login', 'user', 'actor', 'ok', '192.0.2.1', '{}', '{}', {purpose})",
                row.at.format("%Y-%m-%d %H:%M:%S"),
                row.prev_hash,
                row.hash
            ))
            .unwrap();
        prev = row.hash;
    }
    let mut conn = DbConnection::Sqlite(sqlite);
    run_migrations(&mut conn).unwrap();
    let head = chain::head(&mut conn).unwrap().unwrap();
    assert_eq!((head.last_seq, head.legacy_until), (3, 3));
    assert_eq!(head.last_hash, prev);
    // Before any start: legacy, intact. Then sealed, keyed rows follow the plain ones.
    let key = AuditKey::generate();
    assert_eq!(
        check(&mut conn, &key, &[]),
        Verification::Intact { rows: 3 }
    );
    assert_eq!(chain::seal(&mut conn, &key).unwrap(), Seal::New);
    key::register(key.clone());
    append(&mut conn, 2);
    assert_eq!(
        check(&mut conn, &key, &[]),
        Verification::Intact { rows: 5 }
    );
    assert_eq!(rows(&mut conn)[3].algo, chain::KEYED);
    assert_eq!(chain::seal(&mut conn, &key).unwrap(), Seal::Kept);
    assert_eq!(
        chain::seal(&mut conn, &AuditKey::generate()).unwrap(),
        Seal::OtherKey
    );
    // An edit of a plain row is still caught: by the keyed row that links to it.
    drop_triggers(&mut conn);
    recompute_from(&mut conn, 2, |row| {
        if row.seq == 2 {
            row.outcome = "denied".into();
        }
        if row.algo == chain::LEGACY {
            chain::legacy_hash(row)
        } else {
            row.hash.clone()
        }
    });
    assert_eq!(
        check(&mut conn, &key, &[]),
        broken(4, "the row was altered")
    );
}

#[test]
fn key_files_are_private_shared_by_concurrent_starts_and_read_as_hex_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys/audit.key");
    let keys: Vec<AuditKey> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| AuditKey::create(&path).unwrap()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(keys.iter().all(|k| k.id() == keys[0].id()));
    assert_eq!(std::fs::read(&path).unwrap().len(), 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert_eq!(
        std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
        1
    );
    let hex_file = dir.path().join("hex.key");
    std::fs::write(
        &hex_file,
        format!("{}\n", hex::encode(std::fs::read(&path).unwrap())),
    )
    .unwrap();
    assert_eq!(AuditKey::read(&hex_file).unwrap().id(), keys[0].id());
    std::fs::write(&hex_file, "short").unwrap();
    assert!(AuditKey::read(&hex_file).is_err());
    assert!(!format!("{:?}", keys[0]).contains(&hex::encode(std::fs::read(&path).unwrap())));
}

#[test]
fn art_40_dated_events_keep_their_own_times_and_verify() {
    use chrono::SubsecRound;
    let (mut conn, key) = sealed_log();
    append(&mut conn, 1);
    let start = Utc::now() - chrono::Duration::days(30);
    let ids: Vec<String> = (0..2_100).map(|i| format!("consultation-{i}")).collect();
    let events: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let at = start + chrono::Duration::minutes(i as i64);
            let event = Event {
                actor_id: Some("doctor"),
                subject_id: Some("patient"),
                action: "call.end",
                object_type: "consultation",
                object_id: id,
                outcome: "ok",
                ip: "192.0.2.7",
                purpose: Some(id),
            };
            (at, event)
        })
        .collect();
    conn.transaction(|conn| super::append_dated(conn, &events))
        .unwrap();
    append(&mut conn, 1);
    assert_eq!(
        check(&mut conn, &key, &[]),
        Verification::Intact { rows: 2_102 }
    );
    let all = rows(&mut conn);
    // Each row has the time it was given, and the batch links across its insert chunks.
    assert_eq!(all[1].at, events[0].0.naive_utc().trunc_subsecs(6));
    assert_eq!(all[2_100].at, events[2_099].0.naive_utc().trunc_subsecs(6));
    assert_ne!(all[1].at, all[2].at);
    assert_eq!(all[2_001].prev_hash, all[2_000].hash);
    // A row whose time is changed afterwards no longer verifies.
    drop_triggers(&mut conn);
    diesel::update(audit_events::table.filter(audit_events::seq.eq(500)))
        .set(audit_events::at.eq(all[0].at))
        .execute(&mut conn)
        .unwrap();
    assert_eq!(
        check(&mut conn, &key, &[]),
        broken(500, "the row was altered")
    );
}
