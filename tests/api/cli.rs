//! The `telemed` binary as a user runs it: embedded defaults, environment overrides, `migrate`,
//! `audit verify` against each way of tampering with the audit log (art. 40).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::Value;
use telemed::audit::{self, AuditKey};
use telemed::db::DbConnection;
use telemed::db::models::AuditEventRow;
use telemed::db::schema::{audit_events, audit_head};

use crate::support::TestApp;

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The database a spawned binary should use: none (embedded default) on SQLite runs, a fresh
/// schema when the suite runs against PostgreSQL.
fn database_env() -> Option<String> {
    let base = std::env::var("TELEMED_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())?;
    let schema = format!("cli_{}", uuid::Uuid::new_v4().simple());
    let mut conn = diesel::PgConnection::establish(&base).expect("PostgreSQL");
    conn.batch_execute(&format!("CREATE SCHEMA {schema}"))
        .expect("schema");
    let sep = if base.contains('?') { '&' } else { '?' };
    Some(format!("{base}{sep}options=-csearch_path%3D{schema}"))
}

fn telemed(dir: &std::path::Path, db: &Option<String>) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_telemed"));
    cmd.current_dir(dir).env("TELEMED_LOG", "warn");
    if let Some(url) = db {
        cmd.env("TELEMED__DATABASE__URL", url);
    }
    cmd
}

#[tokio::test]
async fn serve_with_no_configuration_prints_the_url_and_keeps_its_data_in_the_working_folder() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_env();
    if db.is_some() {
        let out = telemed(dir.path(), &db).arg("migrate").output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("postgresql"));
    }
    let child = telemed(dir.path(), &db)
        // Port 0 through the environment override: the test must not depend on 8080 being free.
        .env("TELEMED__SERVER__LISTEN", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = Running(child);
    let stdout = child.0.stdout.take().unwrap();
    // Read the banner's first line, then keep draining so the pipe stays open.
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        let _ = tx.send(lines.next());
        lines.for_each(drop);
    });
    let first = rx.await.unwrap().expect("a banner line").unwrap();
    let url = first
        .trim()
        .strip_prefix("telemed is running: open ")
        .unwrap_or_else(|| panic!("banner: {first:?}"))
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"));

    let ready: Value = reqwest::get(format!("{url}/ready"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let backend = if db.is_some() { "postgresql" } else { "sqlite" };
    assert_eq!(ready["database"], backend);
    let orgs: Value = reqwest::get(format!("{url}/api/organizations"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        orgs.as_array().unwrap().len(),
        2,
        "demo data on first start"
    );
    let page = reqwest::get(format!("{url}/"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("<html"));

    for folder in ["data/blobs", "data/mail"] {
        assert!(dir.path().join(folder).is_dir(), "{folder}");
    }
    let key = dir.path().join("data/audit.key");
    assert_eq!(std::fs::read(&key).unwrap().len(), 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(dir.path().join("data/audit.checkpoints").is_file());
    if db.is_none() {
        assert!(dir.path().join("data/telemed.sqlite3").is_file());
    }
}

#[test]
fn a_database_url_of_an_unknown_kind_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = telemed(dir.path(), &Some("mysql://root@localhost/x".into()))
        .arg("migrate")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsupported database URL scheme"));
}

#[test]
fn audit_key_is_required_where_it_may_not_be_created() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_env();
    let out = telemed(dir.path(), &db)
        .arg("serve")
        .env("TELEMED__SERVER__LISTEN", "127.0.0.1:0")
        .env("TELEMED__AUDIT__CREATE_KEY", "false")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("telemed audit init-key"), "{said}");
    assert!(!dir.path().join("data/audit.key").exists());
    let out = telemed(dir.path(), &db)
        .args(["audit", "init-key"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        std::fs::read(dir.path().join("data/audit.key"))
            .unwrap()
            .len(),
        32
    );
    let again = telemed(dir.path(), &db)
        .args(["audit", "init-key"])
        .output()
        .unwrap();
    assert!(!again.status.success(), "an existing key is never replaced");
}

/// `telemed audit verify` on a test app's database, with its key and checkpoint files.
pub(crate) fn audit_verify(app: &TestApp) -> std::process::Output {
    let audit = &app.context.settings.audit;
    Command::new(env!("CARGO_BIN_EXE_telemed"))
        .args(["audit", "verify"])
        .current_dir(audit.key_file.parent().unwrap())
        .env("TELEMED__DATABASE__URL", &app.context.settings.database.url)
        .env("TELEMED__AUDIT__KEY_FILE", &audit.key_file)
        .env("TELEMED__AUDIT__CHECKPOINT_FILE", &audit.checkpoint_file)
        .env("TELEMED_LOG", "error")
        .output()
        .unwrap()
}

fn assert_intact(app: &TestApp) {
    let out = audit_verify(app);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("audit log intact"));
}

fn assert_broken(app: &TestApp, seq: i64, reason: &str) {
    let out = audit_verify(app);
    assert!(!out.status.success(), "verify passed a tampered log");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(&format!("audit log broken at row {seq}: {reason}")),
        "expected row {seq}: {reason}; got {said}"
    );
}

/// Drops the append-only triggers, as someone with the owner's rights on the database would.
pub(crate) fn drop_audit_triggers(conn: &mut DbConnection) {
    let sql = match conn {
        DbConnection::Sqlite(_) => {
            "DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;"
        }
        DbConnection::Postgresql(_) => {
            "DROP TRIGGER audit_events_append_only ON audit_events; \
             DROP TRIGGER audit_events_no_truncate ON audit_events;"
        }
    };
    conn.batch_execute(sql).unwrap();
}

/// An app whose audit log has some rows beyond the demo data's, verified intact once (which
/// writes a checkpoint), with the triggers dropped; returns the last seq.
async fn tamperable_app() -> (TestApp, DbConnectionGuard, i64) {
    let app_owned = TestApp::with_demo().await;
    // Each sign-in is audited.
    let people = [
        "patient",
        "patient2",
        "parent",
        "cardio",
        "therapist",
        "neuro",
        "pediatr",
        "pulmo",
        "radio",
        "gastro",
        "operator",
        "admin.almaty",
        "admin.aqtobe",
        "support.almaty",
    ];
    let app = &app_owned;
    futures::future::join_all(
        people.map(|who| async move { app.login_demo(&format!("{who}@demo.telemed.kz")).await }),
    )
    .await;
    assert_intact(app);
    let mut conn = app.context.db.get().unwrap();
    drop_audit_triggers(&mut conn);
    let last = last_seq(&mut conn);
    assert!(last > 12, "{last} rows");
    (app_owned, conn, last)
}

type DbConnectionGuard = telemed::db::PooledConn;

fn last_seq(conn: &mut DbConnection) -> i64 {
    audit_events::table
        .select(diesel::dsl::max(audit_events::seq))
        .first::<Option<i64>>(conn)
        .unwrap()
        .unwrap_or(0)
}

fn delete_from(conn: &mut DbConnection, seq: i64) {
    diesel::delete(audit_events::table.filter(audit_events::seq.ge(seq)))
        .execute(conn)
        .unwrap();
}

#[tokio::test]
async fn art_40_audit_edited_row_is_detected() {
    let (app, mut conn, last) = tamperable_app().await;
    diesel::update(audit_events::table.find(last - 3))
        .set(audit_events::ip.eq("10.0.0.1"))
        .execute(&mut conn)
        .unwrap();
    assert_broken(&app, last - 3, "the row was altered");
}

#[tokio::test]
async fn art_40_audit_deleted_middle_row_is_detected() {
    let (app, mut conn, last) = tamperable_app().await;
    diesel::delete(audit_events::table.find(last / 2))
        .execute(&mut conn)
        .unwrap();
    assert_broken(&app, last / 2, "a row is missing");
}

#[tokio::test]
async fn art_40_audit_truncated_tail_is_detected() {
    let (app, mut conn, last) = tamperable_app().await;
    delete_from(&mut conn, last);
    assert_broken(&app, last, "rows are missing at the end");
    delete_from(&mut conn, last - 9);
    assert_broken(&app, last - 9, "rows are missing at the end");
    delete_from(&mut conn, 1);
    assert_broken(&app, 1, "rows are missing at the end");
    // Numbers are never reused: the next event leaves the gap in sight.
    app.login_demo("patient@demo.telemed.kz").await;
    assert_eq!(last_seq(&mut conn), last + 1);
    assert_broken(&app, 1, "a row is missing");
}

/// Rewrites rows from `from` on, each linked to the one before, hashed by `rehash`, and points
/// the head at the new last row: a chain recomputed after an edit.
fn recompute_from(
    conn: &mut DbConnection,
    from: i64,
    rehash: impl Fn(&mut AuditEventRow) -> String,
) {
    let rows: Vec<AuditEventRow> = audit_events::table
        .filter(audit_events::seq.ge(from - 1))
        .order(audit_events::seq.asc())
        .select(AuditEventRow::as_select())
        .load(conn)
        .unwrap();
    let mut prev = rows[0].hash.clone();
    for mut row in rows.into_iter().skip(1) {
        row.prev_hash = prev;
        row.hash = rehash(&mut row);
        diesel::update(audit_events::table.find(row.seq))
            .set((
                audit_events::prev_hash.eq(&row.prev_hash),
                audit_events::hash.eq(&row.hash),
                audit_events::algo.eq(&row.algo),
                audit_events::ip.eq(&row.ip),
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

#[tokio::test]
async fn art_40_audit_chain_recomputed_without_the_key_is_detected() {
    let (app, mut conn, last) = tamperable_app().await;
    let edit = last - 5;
    let forge = |row: &mut AuditEventRow| {
        if row.seq == edit {
            row.ip = "10.0.0.1".into();
        }
    };
    recompute_from(&mut conn, edit, |row| {
        forge(row);
        row.algo = audit::LEGACY.into();
        audit::legacy_hash(row)
    });
    assert_broken(&app, edit, "an unkeyed row after the keyed ones");
    recompute_from(&mut conn, edit, |row| {
        forge(row);
        row.algo = audit::KEYED.into();
        audit::legacy_hash(row)
    });
    assert_broken(&app, edit, "the row was altered");
    let other = AuditKey::generate();
    recompute_from(&mut conn, edit, |row| {
        forge(row);
        audit::keyed_hash(row, &other)
    });
    assert_broken(&app, edit, "the row was altered");
}

#[tokio::test]
async fn art_40_audit_forged_appended_row_is_detected() {
    let (app, mut conn, last) = tamperable_app().await;
    let mut row: AuditEventRow = audit_events::table
        .find(last)
        .select(AuditEventRow::as_select())
        .first(&mut conn)
        .unwrap();
    row.prev_hash = row.hash.clone();
    row.seq = last + 1;
    row.action = "record.read".into();
    row.hash = audit::keyed_hash(&row, &AuditKey::generate());
    diesel::insert_into(audit_events::table)
        .values(&row)
        .execute(&mut conn)
        .unwrap();
    diesel::update(audit_head::table)
        .set((
            audit_head::last_seq.eq(last + 1),
            audit_head::last_hash.eq(&row.hash),
        ))
        .execute(&mut conn)
        .unwrap();
    assert_broken(&app, last + 1, "the row was altered");
}
