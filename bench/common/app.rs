//! The server under test for the benchmarks: the real application in-process on a loopback
//! port, with a fresh SQLite file, the demo data, and settings adjusted for the benchmark.

use anyhow::Context as _;
use reqwest::Client;
use serde_json::{Value, json};
use telemed::app::Application;
use telemed::config::Settings;

pub const PASSWORD: &str = "demo-telemed-2026";

pub struct App {
    pub url: String,
    /// The app's data folder (the uploads benchmark copies files beside the blob store).
    #[allow(dead_code, reason = "not every benchmark needs it")]
    pub dir: tempfile::TempDir,
    /// The running app's services, for a benchmark that prepares data through them.
    #[allow(dead_code, reason = "not every benchmark needs it")]
    pub context: telemed::services::Context,
    handle: actix_web::dev::ServerHandle,
    _thread: std::thread::JoinHandle<()>,
}

impl App {
    pub async fn start(adjust: impl FnOnce(&mut Settings) + Send + 'static) -> anyhow::Result<App> {
        let dir = tempfile::tempdir()?;
        let mut settings = Settings::embedded()?;
        settings.server.listen = "127.0.0.1:0".into();
        settings.database.url = format!("sqlite://{}", dir.path().join("t.sqlite3").display());
        settings.storage.blob_dir = dir.path().join("blobs");
        settings.mail.dir = dir.path().join("mail");
        settings.audit.key_file = dir.path().join("audit.key");
        settings.audit.checkpoint_file = dir.path().join("audit.checkpoints");
        settings.signing.dev_ca_dir = dir.path().join("dev-ca");
        settings.notify.worker_enabled = false;
        adjust(&mut settings);
        let (tx, rx) = tokio::sync::oneshot::channel();
        // The HTTP workers on a thread of their own, as in the tests.
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let app = Application::build(settings).await.expect("the app starts");
                let _ = tx.send((app.url().to_owned(), app.handle(), app.context().clone()));
                let _ = app.run_until_stopped().await;
            });
        });
        let (url, handle, context) = rx.await.context("the app did not start")?;
        Ok(App {
            url,
            dir,
            context,
            handle,
            _thread: thread,
        })
    }

    pub fn stop(self) {
        drop(self.handle.stop(false));
    }
}

pub async fn login(
    http: &Client,
    url: &str,
    email: &str,
    password: &str,
) -> anyhow::Result<String> {
    let res: Value = http
        .post(format!("{url}/api/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await?
        .json()
        .await?;
    res["token"].as_str().map(str::to_owned).context("login")
}

#[allow(dead_code, reason = "not every benchmark posts")]
pub async fn post(
    http: &Client,
    url: &str,
    token: &str,
    path: &str,
    body: Value,
) -> anyhow::Result<Value> {
    let res = http
        .post(format!("{url}{path}"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await?;
    let status = res.status();
    let body: Value = res.json().await?;
    anyhow::ensure!(status.is_success(), "{path}: {status} {body}");
    Ok(body)
}
