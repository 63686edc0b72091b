//! The server for one step of the benchmark: the real application in-process on a fresh SQLite
//! file with the demo data, one real-time consultation, and N+1 accounts in its call (the demo
//! cardiologist publishing, the demo patient and N−1 invited relatives subscribing).

use std::time::Duration;

use anyhow::Context as _;
use reqwest::Client;
use serde_json::{Value, json};
use telemed::app::Application;
use telemed::config::Settings;

use crate::peer::{CallPeer, Source};

const PASSWORD: &str = "demo-telemed-2026";

pub struct Scene {
    pub url: String,
    consultation: String,
    doctor: String,
    subscribers: Vec<String>,
    handle: actix_web::dev::ServerHandle,
    _app: std::thread::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

async fn login(http: &Client, url: &str, email: &str, password: &str) -> anyhow::Result<String> {
    let res: Value = http
        .post(format!("{url}/api/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await?
        .json()
        .await?;
    res["token"].as_str().map(str::to_owned).context("login")
}

async fn post(
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

impl Scene {
    pub async fn start(subscribers: usize, media_threads: usize) -> anyhow::Result<Scene> {
        let dir = tempfile::tempdir()?;
        let mut settings = Settings::embedded()?;
        settings.server.listen = "127.0.0.1:0".into();
        settings.database.url = format!("sqlite://{}", dir.path().join("t.sqlite3").display());
        settings.storage.blob_dir = dir.path().join("blobs");
        settings.mail.dir = dir.path().join("mail");
        settings.notify.worker_enabled = false;
        settings.calls.join_margin_minutes = 60 * 24 * 120;
        settings.calls.max_participants = subscribers + 1;
        settings.calls.media_threads = media_threads;
        settings.calls.udp_addrs = vec!["127.0.0.1:0".into()];
        let (tx, rx) = tokio::sync::oneshot::channel();
        // The server's HTTP workers on a thread of their own, as in the tests.
        let app_thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let app = Application::build(settings).await.expect("the app starts");
                let _ = tx.send((app.url().to_owned(), app.handle()));
                let _ = app.run_until_stopped().await;
            });
        });
        let (url, handle) = rx.await.context("the app did not start")?;
        let http = Client::new();
        let patient = login(&http, &url, "patient@demo.telemed.kz", PASSWORD).await?;
        let slots: Value = http
            .get(format!("{url}/api/slots?specialty=cardiology"))
            .send()
            .await?
            .json()
            .await?;
        let cardio = slots
            .as_array()
            .and_then(|l| l.iter().find(|p| p["time_zone"] == "Asia/Almaty"))
            .context("a cardiologist")?;
        let org = cardio["organization_id"].as_str().context("org")?;
        post(
            &http,
            &url,
            &patient,
            &format!("/api/organizations/{org}/consent"),
            json!({"action": "accept"}),
        )
        .await?;
        let booked = post(&http, &url, &patient, "/api/consultations", json!({
            "mode": "realtime", "urgency": "planned", "practitioner_id": cardio["practitioner_id"],
            "slot_start": cardio["slots"][0]["start"], "reason": "Нагрузочный тест", "funding": "osms"})).await?;
        let consultation = booked["id"].as_str().context("id")?.to_owned();
        let doctor = login(&http, &url, "cardio@demo.telemed.kz", PASSWORD).await?;
        let mut tokens = vec![patient];
        for i in 1..subscribers {
            let email = format!("relative{i}@bench.telemed.kz");
            let iin = telemed::domain::iin::Iin::complete(&format!("97{i:09}"))
                .or_else(|| telemed::domain::iin::Iin::complete(&format!("96{i:09}")))
                .context("an IIN")?;
            post(
                &http,
                &url,
                "",
                "/api/auth/register",
                json!({
                "full_name": format!("Родственник {i}"), "iin": iin.to_string(), "email": email,
                "password": "bench-relative-2026"}),
            )
            .await?;
            post(
                &http,
                &url,
                &doctor,
                &format!("/api/consultations/{consultation}/guests"),
                json!({"email": email, "kind": "relative"}),
            )
            .await?;
            tokens.push(login(&http, &url, &email, "bench-relative-2026").await?);
        }
        Ok(Scene {
            url,
            consultation,
            doctor,
            subscribers: tokens,
            handle,
            _app: app_thread,
            _dir: dir,
        })
    }

    /// The publisher joins; every subscriber joins and is admitted.
    pub async fn join_all(&self, source: Source) -> anyhow::Result<(CallPeer, Vec<CallPeer>)> {
        let mut publisher = CallPeer::connect(&self.url, &self.doctor, &self.consultation, source)
            .await
            .map_err(|r| anyhow::anyhow!("refused: {r:?}"))?;
        publisher.join(None, false).await;
        let quiet = Source {
            video: false,
            audio: false,
            keep_send_times: true,
            ..Source::default()
        };
        let mut subscribers = Vec::new();
        for token in &self.subscribers {
            let mut s = CallPeer::connect(&self.url, token, &self.consultation, quiet.clone())
                .await
                .map_err(|r| anyhow::anyhow!("refused: {r:?}"))?;
            s.join(None, false).await;
            publisher.send(json!({"type": "admit", "participant_id": s.participant_id}));
            s.wait_for(|m| m["type"] == "admitted").await;
            subscribers.push(s);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        Ok((publisher, subscribers))
    }

    pub fn stop(self) {
        drop(self.handle.stop(false));
    }
}
