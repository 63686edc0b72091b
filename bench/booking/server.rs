//! The server under test: the real application started in-process on a loopback port with a
//! database of its own (a fresh SQLite file, or a fresh schema on a PostgreSQL server), or one
//! already running that the benchmark only talks to over HTTP.

use anyhow::Context as _;
use chrono::NaiveDateTime;
use diesel::connection::SimpleConnection;
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel::{Connection, PgConnection};
use telemed::app::Application;
use telemed::config::{Settings, redact_url};
use telemed::db::schema::consultations;
use telemed::services::Context;

/// What the report says about the server.
pub struct Described {
    pub backend: String,
    pub pool_size: Option<u32>,
    pub http_workers: Option<usize>,
    pub mail_worker: Option<bool>,
    /// How far ahead the server lets slots be booked.
    pub horizon_days: i64,
}

pub struct Embedded {
    pub url: String,
    context: Context,
    handle: actix_web::dev::ServerHandle,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
    /// The PostgreSQL server and the schema created for this run, dropped at the end.
    pg_schema: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

pub struct Options<'a> {
    pub database: &'a str,
    pub pool_size: Option<u32>,
    pub mail_worker: bool,
}

fn pg_url_with_schema(base: &str, schema: &str) -> String {
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options=-csearch_path%3D{schema}")
}

impl Embedded {
    /// Builds the application with the demo data on a fresh database and serves it from a
    /// thread of its own, as the API tests do.
    pub async fn start(opts: &Options<'_>) -> anyhow::Result<Embedded> {
        let dir = tempfile::tempdir().context("temp dir")?;
        let mut settings = Settings::embedded()?;
        settings.server.listen = "127.0.0.1:0".into();
        settings.storage.blob_dir = dir.path().join("blobs");
        settings.mail.dir = dir.path().join("mail");
        settings.audit.key_file = dir.path().join("audit.key");
        settings.audit.checkpoint_file = dir.path().join("audit.checkpoints");
        settings.signing.dev_ca_dir = dir.path().join("dev-ca");
        settings.demo.seed_on_first_start = true;
        settings.notify.worker_enabled = opts.mail_worker;
        let mut pg_schema = None;
        let pg =
            opts.database.starts_with("postgres://") || opts.database.starts_with("postgresql://");
        settings.database.url = if pg {
            let schema = format!("bench_{}", uuid::Uuid::new_v4().simple());
            let mut admin = PgConnection::establish(opts.database)
                .with_context(|| format!("connecting to {}", redact_url(opts.database)))?;
            admin.batch_execute(&format!("CREATE SCHEMA {schema}"))?;
            pg_schema = Some((opts.database.to_owned(), schema.clone()));
            pg_url_with_schema(opts.database, &schema)
        } else {
            anyhow::ensure!(
                opts.database == "sqlite",
                "--database is `sqlite` or a postgres:// URL"
            );
            format!("sqlite://{}", dir.path().join("telemed.sqlite3").display())
        };
        // PostgreSQL serves concurrent writers; SQLite has one writer at a time whatever the
        // pool, so more connections there only queue on its lock.
        settings.database.pool_size = opts.pool_size.unwrap_or(if pg { 16 } else { 8 });
        let app = match Application::build(settings).await {
            Ok(app) => app,
            Err(e) => {
                drop_schema(pg_schema.as_ref());
                return Err(e.context("starting the server"));
            }
        };
        let url = app.url().to_owned();
        let context = app.context().clone();
        let handle = app.handle();
        let thread = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?
                .block_on(app.run_until_stopped())
        });
        Ok(Embedded {
            url,
            context,
            handle,
            thread: Some(thread),
            pg_schema,
            _dir: dir,
        })
    }

    pub fn describe(&self) -> Described {
        let s = &self.context.settings;
        let backend = match &self.pg_schema {
            Some((base, schema)) => format!("postgresql ({}, schema {schema})", redact_url(base)),
            None => "sqlite (fresh file in a temp dir)".to_owned(),
        };
        Described {
            backend,
            pool_size: Some(s.database.pool_size),
            http_workers: Some(if s.server.workers == 0 {
                std::thread::available_parallelism().map_or(1, |n| n.get())
            } else {
                s.server.workers
            }),
            mail_worker: Some(s.notify.worker_enabled),
            horizon_days: s.booking.horizon_days,
        }
    }

    /// The tokens of the e-mail verification letters queued so far, read from the outbox as a
    /// patient reads them from the letter's link (`…/#/verify-email/<token>`).
    pub async fn verification_tokens(&self) -> anyhow::Result<Vec<String>> {
        use telemed::db::schema::outbox;
        let bodies: Vec<String> = self
            .context
            .db
            .run(|conn| {
                Ok(outbox::table
                    .filter(outbox::dedupe_key.like("verify-email:%"))
                    .select(outbox::body)
                    .load(conn)?)
            })
            .await
            .map_err(|e| anyhow::anyhow!("reading the outbox: {e}"))?;
        Ok(bodies
            .iter()
            .filter_map(|b| b.split("/#/verify-email/").nth(1))
            .filter_map(|rest| rest.split_whitespace().next())
            .map(str::to_owned)
            .collect())
    }

    /// Slots held by more than one live consultation, straight from the table the unique index
    /// guards, and the number of consultations this run booked.
    pub async fn audit(&self) -> anyhow::Result<(Vec<(String, NaiveDateTime, i64)>, i64)> {
        let found = self
            .context
            .db
            .run(|conn| {
                let doubles: Vec<(Option<String>, Option<NaiveDateTime>, i64)> =
                    consultations::table
                        .filter(consultations::status.ne("cancelled"))
                        .filter(consultations::slot_start.is_not_null())
                        .group_by((consultations::practitioner_id, consultations::slot_start))
                        .having(count_star().gt(1))
                        .select((
                            consultations::practitioner_id,
                            consultations::slot_start,
                            count_star(),
                        ))
                        .load(conn)?;
                let booked: i64 = consultations::table
                    .filter(consultations::reason.eq(super::clients::REASON))
                    .filter(consultations::status.ne("cancelled"))
                    .count()
                    .get_result(conn)?;
                Ok((doubles, booked))
            })
            .await
            .map_err(|e| anyhow::anyhow!("reading consultations: {e}"))?;
        let doubles = found
            .0
            .into_iter()
            .map(|(p, s, n)| (p.unwrap_or_default(), s.unwrap_or_default(), n))
            .collect();
        Ok((doubles, found.1))
    }

    /// Stops the server, waits for its workers, then drops the PostgreSQL schema.
    pub async fn shutdown(mut self) {
        self.handle.stop(true).await;
        if let Some(thread) = self.thread.take()
            && let Err(e) = thread.join().unwrap_or(Ok(()))
        {
            eprintln!("server thread: {e}");
        }
        drop_schema(self.pg_schema.take().as_ref());
    }
}

impl Drop for Embedded {
    /// On an early return the schema still goes (`shutdown` has taken it otherwise).
    fn drop(&mut self) {
        if self.pg_schema.is_some() {
            drop(self.handle.stop(false));
            drop_schema(self.pg_schema.take().as_ref());
        }
    }
}

fn drop_schema(pg: Option<&(String, String)>) {
    if let Some((base, schema)) = pg {
        let dropped = PgConnection::establish(base)
            .map_err(anyhow::Error::from)
            .and_then(|mut c| {
                Ok(c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))?)
            });
        if let Err(e) = dropped {
            eprintln!("could not drop schema {schema}: {e}");
        }
    }
}

/// `--url` must name this machine: the benchmark sends load nowhere else.
pub fn ensure_loopback(url: &str) -> anyhow::Result<()> {
    let parsed = reqwest::Url::parse(url).with_context(|| format!("--url {url}"))?;
    let host = parsed.host_str().unwrap_or_default();
    let loopback = host == "localhost"
        || host
            .trim_matches(|c| c == '[' || c == ']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    anyhow::ensure!(loopback, "--url must be a loopback address, not {host}");
    Ok(())
}
