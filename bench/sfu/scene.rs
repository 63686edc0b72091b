//! The server for one step of the benchmark: the real application in-process on a fresh SQLite
//! file with the demo data, one real-time consultation, and N+1 accounts in its call (the demo
//! cardiologist publishing, the demo patient and N−1 invited relatives subscribing).

use std::time::Duration;

use anyhow::Context as _;
use reqwest::Client;
use serde_json::{Value, json};

use crate::app::{App, PASSWORD, login, post};
use crate::peer::{CallPeer, Source};

pub struct Scene {
    pub url: String,
    consultation: String,
    doctor: String,
    subscribers: Vec<String>,
    app: App,
}

impl Scene {
    pub async fn start(subscribers: usize, media_threads: usize) -> anyhow::Result<Scene> {
        let app = App::start(move |settings| {
            settings.calls.join_margin_minutes = 60 * 24 * 120;
            settings.calls.max_participants = subscribers + 1;
            settings.calls.media_threads = media_threads;
            settings.calls.udp_addrs = vec!["127.0.0.1:0".into()];
        })
        .await?;
        let url = app.url.clone();
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
            let iin =
                telemed::domain::iin::Iin::numbered(97, u32::try_from(i)?).context("an IIN")?;
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
            app,
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
        self.app.stop();
    }
}
