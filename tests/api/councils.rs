//! Councils (консилиум, Rules art. 2.6, 18–27): at least three doctors; consultants named, or
//! assigned by specialty from an organisation's schedule or its simple queue; the patient told;
//! a video call of four or written opinions; one conclusion every participant signs.

mod assignment;
mod conclusion;
mod deferred_study;
mod refusal;
mod session;

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, TimeZone, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use telemed::clock::ManualClock;
use telemed::domain::canonical::sha256_hex;
use telemed::domain::iin::Iin;
use telemed::signing::sign_cms_detached;

use crate::records::pki::TestCa;
use crate::support::{TestApp, book_first_slot};

pub const PATIENT: &str = "patient@demo.telemed.kz";
/// The initiator of these tests: the Almaty therapist.
pub const THERAPIST: &str = "therapist@demo.telemed.kz";
pub const CARDIO: &str = "cardio@demo.telemed.kz";
pub const NEURO: &str = "neuro@demo.telemed.kz";
pub const PULMO: &str = "pulmo@demo.telemed.kz";
pub const CARDIO_AQTOBE: &str = "cardio.aqtobe@demo.telemed.kz";
pub const ADMIN_ALMATY: &str = "admin.almaty@demo.telemed.kz";

/// The demo doctors' IINs, as the demo builds them from eleven digits.
pub fn demo_iin(email: &str) -> String {
    let iin11 = match email {
        THERAPIST => "79020250012",
        CARDIO => "75010140011",
        NEURO => "83030360013",
        PULMO => "84060650016",
        CARDIO_AQTOBE => "70050540015",
        other => panic!("no IIN for {other}"),
    };
    Iin::complete(iin11).unwrap().to_string()
}

pub struct Councils {
    pub app: TestApp,
    pub clock: ManualClock,
    pub ca: TestCa,
    pub patient: String,
    pub patient_id: String,
    pub therapist: String,
    pub almaty: String,
    pub aqtobe: String,
}

/// Monday 23 November 2026, 00:00 UTC (05:00 in Almaty and Aqtobe).
pub fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap()
}

/// Wednesday 25 November 2026 at 06:00 UTC: 11:00 in Aqtobe, when both cardiologists work.
pub fn wednesday_morning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 6, 0, 0).unwrap()
}

impl Councils {
    pub async fn new() -> Councils {
        Self::with(|_| {}).await
    }

    pub async fn with(adjust: impl FnOnce(&mut telemed::config::Settings)) -> Councils {
        let ca = TestCa::new();
        let root = ca.root_file();
        let clock = ManualClock::at(monday());
        let app = TestApp::with_demo_and_settings(Arc::new(clock.clone()), |s| {
            s.signing.trusted_roots = vec![root];
            s.notify.worker_enabled = false;
            s.calls.udp_addrs = vec!["127.0.0.1:0".into()];
            adjust(s);
        })
        .await;
        let patient = app.login_demo(PATIENT).await;
        let me: Value = app.get_as(&patient, "/api/me").await.json().await.unwrap();
        // The initiator treats the patient: only a treating doctor calls a council (art. 20).
        book_first_slot(&app, &patient, "therapy", "Asia/Almaty").await;
        Councils {
            patient_id: me["id"].as_str().unwrap().to_owned(),
            therapist: app.login_demo(THERAPIST).await,
            almaty: app.demo_org("Алматы").await,
            aqtobe: app.demo_org("Актобе").await,
            app,
            clock,
            ca,
            patient,
        }
    }

    pub async fn send(
        &self,
        method: Method,
        token: &str,
        path: &str,
        body: &Value,
    ) -> reqwest::Response {
        self.app.send_as(method, Some(token), path, body).await
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> reqwest::Response {
        self.send(Method::POST, token, path, body).await
    }

    /// A deferred council on the patient's initiative, with `extra` fields over the defaults.
    pub async fn request(&self, token: &str, extra: Value) -> reqwest::Response {
        let mut body = json!({"patient_id": self.patient_id, "question": "Тактика ведения при сочетанной патологии",
            "urgency": "planned", "mode": "deferred", "initiative": "patient"});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        self.post(token, "/api/councils", &body).await
    }

    pub async fn ok(res: reqwest::Response, expected: StatusCode) -> Value {
        let status = res.status();
        let body: Value = res.json().await.unwrap();
        assert_eq!(status, expected, "{body}");
        body
    }

    pub async fn created(&self, extra: Value) -> Value {
        Self::ok(
            self.request(&self.therapist, extra).await,
            StatusCode::CREATED,
        )
        .await
    }

    pub async fn view(&self, token: &str, id: &str) -> Value {
        Self::ok(
            self.app.get_as(token, &format!("/api/councils/{id}")).await,
            StatusCode::OK,
        )
        .await
    }

    /// The directory's doctors of a specialty in an organisation.
    pub async fn practitioners_of(&self, org: &str, specialty: &str) -> Vec<Value> {
        let list: Value = self
            .app
            .get(&format!(
                "/api/practitioners?specialty={specialty}&organization={org}"
            ))
            .await
            .json()
            .await
            .unwrap();
        list.as_array().unwrap().clone()
    }

    /// The practitioner id of a doctor by organisation and specialty (the first listed).
    pub async fn practitioner(&self, org: &str, specialty: &str) -> String {
        self.practitioners_of(org, specialty).await[0]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Each invited consultant accepts; returns their tokens by e-mail.
    pub async fn accept_all(&self, council: &Value, emails: &[&str]) -> Vec<String> {
        let mut tokens = Vec::new();
        for email in emails {
            let token = self.app.login_demo(email).await;
            let id = council["id"].as_str().unwrap();
            Self::ok(
                self.post(&token, &format!("/api/councils/{id}/accept"), &json!({}))
                    .await,
                StatusCode::OK,
            )
            .await;
            tokens.push(token);
        }
        tokens
    }

    /// The frozen document as `token` fetches it: its text and the SHA-256 header.
    pub async fn document(&self, token: &str, id: &str) -> (String, String) {
        let res = self
            .app
            .get_as(token, &format!("/api/councils/{id}/conclusion/document"))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let sha = res.headers()["x-document-sha256"]
            .to_str()
            .unwrap()
            .to_owned();
        (res.text().await.unwrap(), sha)
    }

    /// Signs the frozen document as `token` with a test-CA certificate for `iin`.
    pub async fn sign_as(&mut self, token: &str, id: &str, iin: &str) -> reqwest::Response {
        let (doc, sha) = self.document(token, id).await;
        assert_eq!(sha, sha256_hex(doc.as_bytes()));
        let holder = self.ca.issue(iin, "ВРАЧ КОНСИЛИУМА");
        let cms =
            sign_cms_detached(doc.as_bytes(), &holder.cert_der, &holder.key_der, &[]).unwrap();
        self.post(
            token,
            &format!("/api/councils/{id}/conclusion/sign"),
            &json!({"form": "cms", "signature": STANDARD.encode(cms), "sha256": sha}),
        )
        .await
    }

    pub fn outbox(&self) -> Vec<telemed::db::models::OutboxRow> {
        use diesel::prelude::*;
        use telemed::db::schema::outbox;
        let mut conn = self.app.context.db.get().unwrap();
        outbox::table
            .order(outbox::created_at.asc())
            .select(telemed::db::models::OutboxRow::as_select())
            .load(&mut conn)
            .unwrap()
    }

    /// Adds a doctor of `specialty` to `org` through its administrator, with a weekly schedule
    /// of `hours` (local "HH:MM"–"HH:MM") on every weekday. Returns the practitioner id.
    pub async fn add_doctor(
        &self,
        admin: &str,
        org: &str,
        n: u32,
        specialty: &str,
        hours: (&str, &str),
    ) -> String {
        let email = format!("doctor{n}@clinic.kz");
        let name = format!("Врачев Врач {n}");
        let res = self
            .post(
                admin,
                &format!("/api/organizations/{org}/staff"),
                &json!({"full_name": name, "iin": crate::support::fresh_iin(n), "email": email,
                    "password": "initial password 1", "role": "doctor",
                    "practitioner": {"position": "Врач", "specialties": [{"code": specialty, "experience_years": 5}]}}),
            )
            .await;
        Self::ok(res, StatusCode::CREATED).await;
        let id = self
            .practitioners_of(org, specialty)
            .await
            .into_iter()
            .find(|p| p["full_name"] == name.as_str())
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let weekly: Vec<Value> = (1..=7)
            .map(|d| json!({"weekday": d, "start": hours.0, "end": hours.1}))
            .collect();
        let res = self
            .send(
                Method::PUT,
                admin,
                &format!("/api/practitioners/{id}/schedule"),
                &json!({"weekly": weekly}),
            )
            .await;
        Self::ok(res, StatusCode::OK).await;
        id
    }
}

/// A council's members by e-mail-less identity: (practitioner id, source, status).
pub fn members(view: &Value) -> Vec<(String, String, String)> {
    view["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["practitioner_id"].as_str().unwrap().to_owned(),
                m["source"].as_str().unwrap().to_owned(),
                m["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}
