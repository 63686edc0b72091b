//! What the browser tests need around a scenario: the app on port 0 with demo data, chromedriver
//! as a child process, a headless Chromium session, and polling helpers (never fixed sleeps).

use std::future::Future;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::panic::AssertUnwindSafe;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use futures::FutureExt;
use serde_json::{Value, json};
use tempfile::TempDir;

/// How long a condition may take to become true before the test fails.
const PATIENCE: Duration = Duration::from_secs(25);
const POLL: Duration = Duration::from_millis(100);

pub struct TestApp {
    pub url: String,
    /// The running app's database and clock, to check what the pages caused.
    pub context: telemed::services::Context,
    _dir: TempDir,
    /// The platform CA's files, for apps that sign (see [`spawn_app_signing`]).
    _pki: Option<TempDir>,
}

/// The service on a free port with a fresh SQLite file and the demo data.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// As [`spawn_app`], with settings changed first (trusted roots, the platform CA).
pub async fn spawn_app_with(change: impl FnOnce(&mut telemed::config::Settings)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = telemed::config::Settings::embedded().expect("embedded settings");
    settings.server.listen = "127.0.0.1:0".into();
    settings.server.workers = 2;
    settings.database.url = format!("sqlite://{}", dir.path().join("t.sqlite3").display());
    settings.storage.blob_dir = dir.path().join("blobs");
    settings.mail.dir = dir.path().join("mail");
    settings.audit.key_file = dir.path().join("audit.key");
    settings.audit.checkpoint_file = dir.path().join("audit.checkpoints");
    // As on the first command: the demo makes its development CA (here in the temp folder).
    settings.signing.dev_ca_dir = dir.path().join("dev-ca");
    settings.demo.seed_on_first_start = true;
    change(&mut settings);
    let app = telemed::app::Application::build(settings)
        .await
        .expect("the app starts");
    let url = app.url().to_owned();
    let context = app.context().clone();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        url,
        context,
        _dir: dir,
        _pki: None,
    }
}

/// As [`spawn_app`], with a platform CA of its own that certifies the keys the browsers enrol
/// and that the app trusts, so that doctors sign in the pages.
pub async fn spawn_app_signing() -> TestApp {
    let pki = tempfile::tempdir().expect("temp dir");
    let ca = telemed::pki::init_ca(&pki.path().join("platform"), &Default::default())
        .expect("the platform CA");
    let mut app = spawn_app_with(|s| {
        s.signing.trusted_roots = vec![ca.certificate()];
        s.signing.platform_ca_cert = ca.certificate();
        s.signing.platform_ca_key = ca.key();
    })
    .await;
    app._pki = Some(pki);
    app
}

/// The interface texts of one language, as the pages load them.
pub fn texts(lang: &str) -> Value {
    let path = format!("{}/static/i18n/{lang}.json", env!("CARGO_MANIFEST_DIR"));
    let raw = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&raw).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn text(texts: &Value, key: &str) -> String {
    texts[key]
        .as_str()
        .unwrap_or_else(|| panic!("no text {key:?}"))
        .to_owned()
}

/// chromedriver in its own process group, so Chromium goes with it even after a panic.
struct DriverProcess(Child);

impl Drop for DriverProcess {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub struct Browser {
    pub client: Client,
    _driver: DriverProcess,
    _profile: TempDir,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl Browser {
    pub async fn start() -> Browser {
        Self::start_with(&[]).await
    }

    /// A browser for calls: a fake camera and microphone (a test pattern and a beep), granted
    /// without asking, and video that plays without a click.
    pub async fn start_for_calls() -> Browser {
        Self::start_with(&[
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            "--autoplay-policy=no-user-gesture-required",
        ])
        .await
    }

    /// A browser whose clock reads in `zone` (an IANA name), like a patient's computer there;
    /// the zone goes to Chromium through the driver's environment.
    pub async fn start_in_zone(zone: &str) -> Browser {
        Self::start_with_env(&[], &[("TZ", zone)]).await
    }

    /// A browser whose languages (Accept-Language, `navigator.languages`) are `lang`.
    pub async fn start_in_language(lang: &str) -> Browser {
        Self::start_with(&[&format!("--lang={lang}")]).await
    }

    async fn start_with(extra: &[&str]) -> Browser {
        Self::start_with_env(extra, &[]).await
    }

    async fn start_with_env(extra: &[&str], env: &[(&str, &str)]) -> Browser {
        let port = free_port();
        let bin = std::env::var("CHROMEDRIVER_BIN").unwrap_or_else(|_| "chromedriver".into());
        // A clinic's machine in Kazakhstan: Russian unless a test asks for another language
        // (the first visit follows the browser's languages). Chromium builds differ in which
        // of the flag, the LANGUAGE variable and the preference they honour, so all three say it.
        let lang = extra
            .iter()
            .find_map(|a| a.strip_prefix("--lang="))
            .unwrap_or("ru-RU")
            .to_owned();
        let child = Command::new(&bin)
            .env("LANGUAGE", lang.replace('-', "_"))
            .envs(env.iter().copied())
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {bin}: {e}"));
        let driver = DriverProcess(child);
        let webdriver = format!("http://127.0.0.1:{port}");
        wait_until_ready(&webdriver).await;

        let profile = tempfile::tempdir().expect("profile dir");
        let chromium = std::env::var("CHROMIUM_BIN").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1200,900",
        ]
        .map(String::from)
        .into_iter()
        .chain([format!("--lang={lang}")])
        .chain(
            extra
                .iter()
                .filter(|a| !a.starts_with("--lang="))
                .map(|a| a.to_string()),
        )
        .chain([format!("--user-data-dir={}", profile.path().display())])
        .collect::<Vec<_>>();
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium,
                "args": args,
                "prefs": { "intl": { "accept_languages": lang } },
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&webdriver)
            .await
            .expect("a Chromium session");
        Browser {
            client,
            _driver: driver,
            _profile: profile,
        }
    }

    /// Runs a scenario, then ends the browser session whatever happened, then reports.
    pub async fn run<F: Future<Output = ()>>(self, scenario: impl FnOnce(Client) -> F) {
        let outcome = AssertUnwindSafe(scenario(self.client.clone()))
            .catch_unwind()
            .await;
        if outcome.is_err() {
            save_screenshot(&self.client).await;
        }
        let _ = self.client.clone().close().await;
        drop(self);
        if let Err(panic) = outcome {
            std::panic::resume_unwind(panic);
        }
    }
}

/// What the page looked like when a scenario failed, next to the test binaries.
async fn save_screenshot(client: &Client) {
    let name = std::thread::current()
        .name()
        .unwrap_or("browser")
        .replace("::", "-");
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}.png"));
    if let Ok(png) = client.screenshot().await
        && std::fs::write(&path, png).is_ok()
    {
        eprintln!("screenshot of the failure: {}", path.display());
    }
}

async fn wait_until_ready(webdriver: &str) {
    let http = reqwest::Client::new();
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Ok(res) = http.get(format!("{webdriver}/status")).send().await
            && let Ok(body) = res.json::<Value>().await
            && body["value"]["ready"] == json!(true)
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "chromedriver did not answer at {webdriver}"
        );
        tokio::time::sleep(POLL).await;
    }
}

/// Polls `probe` until it yields a value; fails with `what` and the last observation.
pub async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let deadline = Instant::now() + PATIENCE;
    loop {
        match probe().await {
            Ok(value) => return value,
            Err(last) if Instant::now() >= deadline => {
                panic!("timed out waiting for {what}; last seen: {last}")
            }
            Err(_) => tokio::time::sleep(POLL).await,
        }
    }
}

/// The element once it exists.
pub async fn element(c: &Client, css: &str) -> Element {
    c.wait()
        .at_most(PATIENCE)
        .every(POLL)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no element {css}: {e}"))
}

/// The element's text once it contains `needle`.
pub async fn text_containing(c: &Client, css: &str, needle: &str) -> String {
    eventually(&format!("{css} to contain {needle:?}"), || async {
        let el = c.find(Locator::Css(css)).await.map_err(|e| e.to_string())?;
        let text = el.text().await.map_err(|e| e.to_string())?;
        if text.contains(needle) {
            Ok(text)
        } else {
            Err(text)
        }
    })
    .await
}

pub async fn select(c: &Client, css: &str, value: &str) {
    element(c, css)
        .await
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("cannot choose {value} in {css}: {e}"));
}

pub async fn fill(c: &Client, css: &str, value: &str) {
    // A page may draw itself again (a language or account change) between finding the field
    // and typing into it: the stale element is found afresh rather than failing the test.
    eventually(&format!("to fill {css}"), || async {
        let input = element(c, css).await;
        input.clear().await.map_err(|e| e.to_string())?;
        input.send_keys(value).await.map_err(|e| e.to_string())
    })
    .await
}

/// An attribute of the element once it exists.
pub async fn attr(c: &Client, css: &str, name: &str) -> String {
    element(c, css)
        .await
        .attr(name)
        .await
        .unwrap_or_else(|e| panic!("cannot read {name} of {css}: {e}"))
        .unwrap_or_else(|| panic!("{css} has no {name}"))
}

/// Waits until no element matches `css` any more.
pub async fn gone(c: &Client, css: &str) {
    eventually(&format!("{css} to disappear"), || async {
        match c.find_all(Locator::Css(css)).await {
            Ok(found) if found.is_empty() => Ok(()),
            Ok(found) => Err(format!("{} still there", found.len())),
            Err(e) => Err(e.to_string()),
        }
    })
    .await
}

pub async fn click(c: &Client, css: &str) {
    element(c, css)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("cannot click {css}: {e}"));
}
