//! Database access: one diesel `MultiConnection` over PostgreSQL and SQLite, chosen by the URL
//! scheme, behind an r2d2 pool. Diesel is synchronous, so queries run on the blocking pool.

pub mod models;
pub mod schema;
pub mod statements;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection, R2D2Connection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::{AppError, AppResult};

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// SQLite waits this long for a competing writer instead of failing at once.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 10_000;

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// Which backend a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    Postgres(String),
    Sqlite(PathBuf),
}

impl Backend {
    /// `postgres://` / `postgresql://` select PostgreSQL; `sqlite://PATH`, `sqlite:PATH` or a bare
    /// path select SQLite. Nothing falls back silently from one to the other.
    pub fn from_url(url: &str) -> anyhow::Result<Self> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Backend::Postgres(url.to_owned()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        anyhow::ensure!(
            !path.is_empty() && !path.contains("://"),
            "unsupported database URL scheme (use sqlite:// or postgres://)"
        );
        Ok(Backend::Sqlite(PathBuf::from(path)))
    }

    pub fn name(&self) -> &'static str {
        match self {
            Backend::Postgres(_) => "postgresql",
            Backend::Sqlite(_) => "sqlite",
        }
    }
}

/// Opens connections of the configured backend and prepares each SQLite connection.
#[derive(Debug, Clone)]
pub struct Manager {
    backend: Backend,
    /// SQLite connections of the read pool refuse writes (`PRAGMA query_only`).
    read_only: bool,
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        match &self.backend {
            Backend::Postgres(url) => {
                let mut conn =
                    diesel::PgConnection::establish(url).map_err(r2d2::Error::ConnectionError)?;
                conn.set_instrumentation(statements::StatementCounter);
                Ok(DbConnection::Postgresql(conn))
            }
            Backend::Sqlite(path) => {
                let path = path.to_string_lossy();
                let mut conn = diesel::SqliteConnection::establish(&path)
                    .map_err(r2d2::Error::ConnectionError)?;
                // WAL lets readers work while one writer writes; NORMAL is durable in WAL mode
                // except for the last transactions on power loss, which the OS cache risks anyway.
                // busy_timeout first: switching a new file to WAL needs a lock other
                // connections of the pool may be holding at that moment.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
                ))
                .map_err(r2d2::Error::QueryError)?;
                if self.read_only {
                    conn.batch_execute("PRAGMA query_only = ON;")
                        .map_err(r2d2::Error::QueryError)?;
                }
                conn.set_instrumentation(statements::StatementCounter);
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        std::thread::panicking()
            || match conn {
                DbConnection::Postgresql(c) => c.is_broken(),
                DbConnection::Sqlite(c) => c.is_broken(),
            }
    }
}

pub type DbPool = Pool<Manager>;
pub type PooledConn = PooledConnection<Manager>;

/// The pool plus the knowledge of which backend it talks to. On SQLite a second, read-only pool
/// serves [`Db::read`]: in WAL mode readers never wait for the one writer, but they would wait
/// for a pooled connection while writers hold them all queued on the write lock, so pure
/// reads (the directory, free slots) get connections of their own.
#[derive(Clone)]
pub struct Db {
    pool: DbPool,
    read_pool: Option<DbPool>,
    backend: Backend,
}

impl Db {
    pub fn connect(url: &str, pool_size: u32) -> anyhow::Result<Db> {
        let backend = Backend::from_url(url)?;
        if let Backend::Sqlite(path) = &backend
            && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating the database folder {}", dir.display()))?;
        }
        let build = |read_only: bool| {
            Pool::builder()
                .max_size(pool_size.max(1))
                // Open connections on demand: idle nodes should not hold a full pool.
                .min_idle(Some(1))
                .connection_timeout(Duration::from_secs(10))
                .build(Manager {
                    backend: backend.clone(),
                    read_only,
                })
                .with_context(|| format!("opening the {} database", backend.name()))
        };
        let pool = build(false)?;
        let read_pool = match backend {
            Backend::Sqlite(_) if pool_size > 1 => Some(build(true)?),
            _ => None,
        };
        Ok(Db {
            pool,
            read_pool,
            backend,
        })
    }

    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    pub fn get(&self) -> AppResult<PooledConn> {
        Ok(self.pool.get()?)
    }

    /// Runs blocking database work off the async executor.
    pub async fn run<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.clone();
        let counter = statements::current_scope();
        tokio::task::spawn_blocking(move || {
            let _counting = statements::enter(counter);
            let mut conn = db.get()?;
            DEFERRED.with(|d| *d.borrow_mut() = Some(Vec::new()));
            let result = f(&mut conn);
            let deferred = DEFERRED.with(|d| d.borrow_mut().take()).unwrap_or_default();
            for write in deferred {
                write_tx(&mut conn, write)?;
            }
            result
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("database task failed: {e}")))?
    }

    /// Runs database work that only reads (no audit row either): on SQLite on the read-only
    /// pool, so it never queues behind writers for a connection; elsewhere as [`Db::run`].
    pub async fn read<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let Some(pool) = self.read_pool.clone() else {
            return self.run(f).await;
        };
        let counter = statements::current_scope();
        tokio::task::spawn_blocking(move || {
            let _counting = statements::enter(counter);
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("database task failed: {e}")))?
    }

    pub fn migrate(&self) -> anyhow::Result<usize> {
        let mut conn = self.pool.get().context("connecting to migrate")?;
        run_migrations(&mut conn)
    }
}

pub fn run_migrations(conn: &mut DbConnection) -> anyhow::Result<usize> {
    let applied = match conn {
        DbConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
    }
    .map_err(|e| anyhow::anyhow!("applying migrations: {e}"))?;
    Ok(applied.len())
}

type DeferredWrite = Box<dyn FnOnce(&mut DbConnection) -> AppResult<()>>;

thread_local! {
    /// Writes that must land whatever the outcome of the unit of work [`Db::run`] is running.
    static DEFERRED: std::cell::RefCell<Option<Vec<DeferredWrite>>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `write` in a transaction of its own once the current unit of work ([`Db::run`]) is
/// over, whether it succeeded or failed: for rows that must stay although the request fails,
/// such as an audited refusal decided deep inside a transaction that will roll back. Outside
/// a unit of work it runs at once.
pub fn after_work(
    conn: &mut DbConnection,
    write: impl FnOnce(&mut DbConnection) -> AppResult<()> + 'static,
) -> AppResult<()> {
    let pending = DEFERRED.with(|d| match d.borrow_mut().as_mut() {
        Some(queue) => {
            queue.push(Box::new(write));
            None
        }
        None => Some(write),
    });
    match pending {
        Some(write) => write_tx(conn, write),
        None => Ok(()),
    }
}

/// A transaction for work that writes. On SQLite it takes the write lock up front
/// (`BEGIN IMMEDIATE`): a deferred transaction that reads and then writes fails with
/// `SQLITE_BUSY` when another writer got in between, and `busy_timeout` cannot help it.
pub fn write_tx<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    if let DbConnection::Sqlite(c) = conn {
        AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
    } else {
        return conn.transaction(f);
    }
    let result = f(conn);
    if let DbConnection::Sqlite(c) = conn {
        match &result {
            Ok(_) => AnsiTransactionManager::commit_transaction(c)?,
            Err(_) => AnsiTransactionManager::rollback_transaction(c)?,
        }
    }
    result
}

/// Inserts `rows` (a slice of `Insertable` rows) into `table` in one multi-row statement.
/// Diesel's `MultiConnection` cannot render a batch insert for SQLite (it would need the
/// `DEFAULT` keyword), so the statement is built for the concrete connection underneath.
/// Keep a batch under SQLite's 32,766 bound variables (rows × columns).
#[macro_export]
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {{
        use diesel::RunQueryDsl as _;
        match $conn {
            $crate::db::DbConnection::Postgresql(c) => {
                diesel::insert_into($table).values($rows).execute(c)
            }
            $crate::db::DbConnection::Sqlite(c) => {
                diesel::insert_into($table).values($rows).execute(c)
            }
        }
    }};
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_picks_the_backend() {
        assert_eq!(
            Backend::from_url("sqlite://data/t.sqlite3").unwrap(),
            Backend::Sqlite("data/t.sqlite3".into())
        );
        assert_eq!(
            Backend::from_url("sqlite:/tmp/t.db").unwrap(),
            Backend::Sqlite("/tmp/t.db".into())
        );
        assert!(matches!(
            Backend::from_url("postgres://u@h/d").unwrap(),
            Backend::Postgres(_)
        ));
        assert!(Backend::from_url("mysql://u@h/d").is_err());
    }
}
