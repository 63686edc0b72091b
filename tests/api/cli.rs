//! The `telemed` binary as a user runs it: embedded defaults, environment overrides, `migrate`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use diesel::Connection;
use diesel::connection::SimpleConnection;
use serde_json::Value;

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
