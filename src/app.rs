//! Building and running the HTTP service: database, migrations, demo data, routes, middleware.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::{Server, Service};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{DefaultHeaders, ErrorHandlers};
use actix_web::{App, HttpMessage, HttpServer, web};
use anyhow::Context as _;
use tracing_actix_web::{RequestId, TracingLogger};

use crate::clock::{Clock, SystemClock};
use crate::config::Settings;
use crate::db::Db;
use crate::http;
use crate::services::{Context, demo};
use crate::signing::{TrustStore, X509Verifier};

/// Pages load only the platform's own scripts and styles.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; \
     style-src 'self'; script-src 'self'; connect-src 'self' wss://127.0.0.1:13579; frame-ancestors 'none'; \
     base-uri 'self'; form-action 'self'";

/// Browsers remember to come back over HTTPS only (sent when the service runs behind HTTPS,
/// which `server.secure_cookies` says).
const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000; includeSubDomains";
/// No page may use the camera, microphone or location...
const PERMISSIONS_POLICY: &str = "camera=(), microphone=(), geolocation=()";
/// ...except the call page, for the video consultation and screen sharing.
const CALL_PAGE_PERMISSIONS_POLICY: &str =
    "camera=(self), microphone=(self), display-capture=(self)";
/// The document that hosts the call page. The web interface is one shell with a hash router, and
/// a hash never reaches the server; so the call (`#/consultations/{id}/call`) is drawn in the
/// same shell served as `/call`, which the router moves to (and away from) by a full load. Only
/// that document may use the camera, the microphone and screen capture.
const CALL_PAGE_PATHS: [&str; 1] = ["/call"];

pub struct Application {
    port: u16,
    url: String,
    server: Server,
    context: Context,
    realtime: crate::realtime::Realtime,
}

/// Opens the database and applies what start-up must: migrations (if configured), the folders
/// for blobs and mail, demo data on a first start (if configured).
pub async fn prepare(
    mut settings: Settings,
    clock: Arc<dyn Clock>,
    public_url: String,
) -> anyhow::Result<Context> {
    let db = Db::connect(&settings.database.url, settings.database.pool_size)?;
    if settings.database.migrate_on_start {
        let db2 = db.clone();
        let applied = tokio::task::spawn_blocking(move || db2.migrate()).await??;
        if applied > 0 {
            tracing::info!(applied, backend = db.backend().name(), "migrations applied");
        }
    }
    crate::audit::start(&settings.audit, &db).await?;
    for dir in [&settings.storage.blob_dir, &settings.mail.dir] {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the folder {}", dir.display()))?;
    }
    development_ca(&mut settings, clock.now())?;
    let verifier = Arc::new(X509Verifier::new(trust_store(&settings)?));
    let blobs = crate::storage::BlobStore::open(&settings.storage).with_context(|| {
        format!(
            "opening the blob store {}",
            settings.storage.blob_dir.display()
        )
    })?;
    let context = Context {
        blobs,
        db,
        clock,
        hashing: crate::services::passwords::HashGate::new(&settings.auth),
        settings: Arc::new(settings),
        public_url,
        verifier,
    };
    if context.settings.demo.seed_on_first_start && demo::is_empty(&context).await? {
        demo::load(&context).await?;
        tracing::info!("demo data loaded (first start)");
    }
    crate::audit::checkpoint_now(&context.db, &context.settings.audit)
        .await
        .context("writing the audit checkpoint")?;
    Ok(context)
}

/// A demo installation with no platform CA of its own uses the development CA (made on the first
/// start): trusted, and certifying the keys doctors enrol, so signing works on the first command.
fn development_ca(
    settings: &mut Settings,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    let signing = &mut settings.signing;
    if !settings.demo.seed_on_first_start
        || signing.dev_ca_dir.as_os_str().is_empty()
        || !signing.platform_ca_cert.as_os_str().is_empty()
    {
        return Ok(());
    }
    let (paths, made) =
        crate::pki::development::ensure(&signing.dev_ca_dir, now).with_context(|| {
            format!(
                "making the development CA in {}",
                signing.dev_ca_dir.display()
            )
        })?;
    if made {
        tracing::info!(dir = %paths.dir.display(), "made a DEVELOPMENT CA for the demo (not for production)");
    }
    signing.platform_ca_cert = paths.certificate();
    signing.platform_ca_key = paths.key();
    if !signing.trusted_roots.contains(&paths.certificate()) {
        signing.trusted_roots.push(paths.certificate());
    }
    Ok(())
}

/// The configured roots and CRLs. None configured is allowed: then no signature verifies.
fn trust_store(settings: &Settings) -> anyhow::Result<TrustStore> {
    let signing = &settings.signing;
    if signing.trusted_roots.is_empty() {
        if !signing.crls.is_empty() {
            anyhow::bail!("signing.crls is set but signing.trusted_roots is empty");
        }
        tracing::info!("no signing.trusted_roots configured: no electronic signature will verify");
        return Ok(TrustStore::empty());
    }
    let trust = TrustStore::from_files(&signing.trusted_roots, &signing.crls)
        .context("loading the signing trust store")?;
    let (roots, crls) = trust.counts();
    tracing::info!(roots, crls, "signing trust store loaded");
    Ok(trust)
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        Self::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    pub async fn build_with_clock(
        settings: Settings,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Application> {
        let listen = settings.server.listen.clone();
        let listener =
            TcpListener::bind(&listen).with_context(|| format!("cannot listen on {listen}"))?;
        let addr = listener.local_addr()?;
        let url = settings.public_url(&addr);
        let workers = settings.server.workers;
        // Mail settings that cannot work stop the start, rather than mail piling up unsent.
        let mailer = if settings.notify.worker_enabled {
            Some(crate::notify::Mailer::from_settings(&settings.mail)?)
        } else {
            None
        };
        let context = prepare(settings, clock, url.clone()).await?;
        if let Some(mailer) = mailer {
            crate::notify::worker::spawn_worker_with(context.clone(), mailer);
        }
        crate::audit::spawn_checkpointer(context.db.clone(), context.settings.audit.clone());
        if context.settings.booking.deadline_watcher_enabled {
            crate::services::consultations::deadlines::spawn_watcher(context.clone());
        }
        let realtime = crate::realtime::Realtime::new(&context.settings.calls)
            .context("starting the media runtime")?;
        let server = serve(listener, context.clone(), realtime.clone(), workers)?;
        Ok(Application {
            port: addr.port(),
            url,
            server,
            context,
            realtime,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn context(&self) -> &Context {
        &self.context
    }

    /// The calls of this node (tests count open rooms).
    pub fn realtime(&self) -> &crate::realtime::Realtime {
        &self.realtime
    }

    /// Stops accepting requests and lets the workers finish (tests stop each app they spawn, so
    /// its database connections close).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

fn serve(
    listener: TcpListener,
    context: Context,
    realtime: crate::realtime::Realtime,
    workers: usize,
) -> anyhow::Result<Server> {
    let json_limit = context.settings.server.json_limit_bytes;
    let https = context.settings.server.secure_cookies;
    let statement_counts = context.settings.server.statement_counts;
    let data = web::Data::new(context);
    let realtime = web::Data::new(realtime);
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(realtime.clone())
            .app_data(
                web::JsonConfig::default()
                    .limit(json_limit)
                    .error_handler(http::error::json_config_error),
            )
            .app_data(web::QueryConfig::default().error_handler(http::error::query_config_error))
            .app_data(web::PathConfig::default().error_handler(http::ids::path_error))
            .app_data(web::PayloadConfig::default().limit(json_limit))
            .wrap(actix_web::middleware::from_fn(http::csrf::guard))
            .wrap(ErrorHandlers::new().default_handler(http::error::json_for_bare_errors))
            .wrap(default_headers(https))
            .wrap_fn(move |req, srv| {
                let id = req.extensions().get::<RequestId>().copied();
                let path = req.path();
                let api = path == "/api" || path.starts_with("/api/");
                let call_page = CALL_PAGE_PATHS.contains(&path);
                let fut = srv.call(req);
                async move {
                    let (res, statements) = if statement_counts {
                        let (res, n) = crate::db::statements::counted(fut).await;
                        (res, Some(n))
                    } else {
                        (fut.await, None)
                    };
                    let mut res = res?;
                    let headers = res.headers_mut();
                    if let Some(n) = statements {
                        headers.insert(
                            header::HeaderName::from_static("x-db-statements"),
                            HeaderValue::from(n),
                        );
                    }
                    // Echo the request id so a user's report can be matched with the log.
                    if let Some(id) = id
                        && let Ok(v) = HeaderValue::from_str(&id.to_string())
                    {
                        headers.insert(header::HeaderName::from_static("x-request-id"), v);
                    }
                    // API answers carry personal data: no cache keeps them, unless the handler
                    // chose otherwise.
                    if api && !headers.contains_key(header::CACHE_CONTROL) {
                        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                    }
                    let policy = if call_page {
                        CALL_PAGE_PERMISSIONS_POLICY
                    } else {
                        PERMISSIONS_POLICY
                    };
                    headers.insert(
                        header::HeaderName::from_static("permissions-policy"),
                        HeaderValue::from_static(policy),
                    );
                    Ok(res)
                }
            })
            .wrap(TracingLogger::default())
            .configure(http::routes)
    })
    .listen(listener)?;
    if workers > 0 {
        server = server.workers(workers);
    }
    Ok(server.run())
}

/// Headers every response gets unless its handler set them.
fn default_headers(https: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::REFERRER_POLICY, "no-referrer"))
        .add((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY));
    if https {
        headers.add((header::STRICT_TRANSPORT_SECURITY, STRICT_TRANSPORT_SECURITY))
    } else {
        headers
    }
}
