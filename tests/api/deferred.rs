//! Deferred consultations (Rules art. 13, 17, 21; Order No. 5 of 2025): a request with its
//! documents, the deadline clock that starts, stops and restarts with them, the consultant's
//! queue and taking, the licence a study's interpretation needs, and completion by a signed
//! conclusion, referral or prescription — the consultant never talks to anyone.

mod completion;
mod file_limit;
mod files;
mod flow;

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{TimeZone, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use telemed::clock::ManualClock;
use telemed::domain::canonical::sha256_hex;
use telemed::signing::sign_cms_detached;

use crate::records::pki::TestCa;
use crate::support::TestApp;

pub const PATIENT: &str = "patient@demo.telemed.kz";
pub const RADIOLOGIST: &str = "radio@demo.telemed.kz";
/// The demo radiologist's IIN (the demo builds it from these eleven digits).
pub const RADIOLOGIST_IIN11: &str = "77070730017";

/// A tiny real PNG: the X-ray of these tests.
pub const XRAY_PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xff\xff?\0\x05\xfe\x02\xfe\xa7\x35\x81\x84\0\0\0\0IEND\xaeB`\x82";

pub struct Deferred {
    pub app: TestApp,
    pub clock: ManualClock,
    pub ca: TestCa,
    pub patient: String,
    pub patient_id: String,
    /// The Aqtobe centre: licensed for radiology, with the demo radiologist.
    pub aqtobe: String,
    pub almaty: String,
}

impl Deferred {
    pub async fn new() -> Deferred {
        Self::with(|_| {}).await
    }

    pub async fn with(adjust: impl FnOnce(&mut telemed::config::Settings)) -> Deferred {
        let ca = TestCa::new();
        let root = ca.root_file();
        let clock = ManualClock::at(Utc.with_ymd_and_hms(2026, 11, 23, 6, 0, 0).unwrap());
        let app = TestApp::with_demo_and_settings(Arc::new(clock.clone()), |s| {
            s.signing.trusted_roots = vec![root];
            s.notify.worker_enabled = false;
            adjust(s);
        })
        .await;
        let patient = app.login_demo(PATIENT).await;
        let me: Value = app.get_as(&patient, "/api/me").await.json().await.unwrap();
        let aqtobe = app.demo_org("Актобе").await;
        let almaty = app.demo_org("Алматы").await;
        for org in [&aqtobe, &almaty] {
            let res = app
                .send_as(
                    Method::POST,
                    Some(&patient),
                    &format!("/api/organizations/{org}/consent"),
                    &json!({"action": "accept"}),
                )
                .await;
            assert_eq!(res.status(), StatusCode::CREATED);
        }
        Deferred {
            patient_id: me["id"].as_str().unwrap().to_owned(),
            app,
            clock,
            ca,
            patient,
            aqtobe,
            almaty,
        }
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> reqwest::Response {
        self.app
            .send_as(Method::POST, Some(token), path, body)
            .await
    }

    /// The patient asks the Aqtobe centre to read an X-ray (radiology).
    pub async fn xray_request(&self, token: &str, extra: Value) -> reqwest::Response {
        let mut body = json!({"mode": "deferred", "urgency": "planned", "organization_id": self.aqtobe,
            "specialty": "radiology", "reason": "Прошу описать рентгенограмму грудной клетки",
            "funding": "osms", "request_kind": "interpretation", "study_profile": "radiology"});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        self.post(token, "/api/consultations", &body).await
    }

    pub async fn created(res: reqwest::Response) -> Value {
        let status = res.status();
        let body: Value = res.json().await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    /// Uploads a file to the request as `token`.
    pub async fn upload(
        &self,
        token: &str,
        id: &str,
        name: &str,
        bytes: &[u8],
    ) -> reqwest::Response {
        self.app
            .client
            .post(
                self.app
                    .at(&format!("/api/consultations/{id}/files?name={name}")),
            )
            .bearer_auth(token)
            .body(bytes.to_vec())
            .send()
            .await
            .unwrap()
    }

    pub async fn view(&self, token: &str, id: &str) -> Value {
        let res = self
            .app
            .get_as(token, &format!("/api/consultations/{id}"))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }

    /// A request with its X-ray uploaded and marked complete: the clock runs.
    pub async fn submitted(&self) -> String {
        let view = Self::created(self.xray_request(&self.patient, json!({})).await).await;
        let id = view["id"].as_str().unwrap().to_owned();
        let res = self.upload(&self.patient, &id, "chest.png", XRAY_PNG).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let res = self
            .post(
                &self.patient,
                &format!("/api/consultations/{id}/documents-complete"),
                &json!({}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        id
    }

    /// Writes a conclusion for the request as the radiologist and signs it with a certificate of
    /// the test CA. Returns the signed record.
    pub async fn conclude(&mut self, radiologist: &str, id: &str, content: Value) -> Value {
        self.sign_record(radiologist, id, "conclusion", content)
            .await
    }

    pub async fn sign_record(
        &mut self,
        radiologist: &str,
        id: &str,
        kind: &str,
        content: Value,
    ) -> Value {
        let res = self
            .post(
                radiologist,
                &format!("/api/patients/{}/records", self.patient_id),
                &json!({"kind": kind, "consultation_id": id, "content": content}),
            )
            .await;
        let record = Self::created(res).await;
        let rid = record["id"].as_str().unwrap();
        let doc = self
            .app
            .get_as(radiologist, &format!("/api/records/{rid}/document"))
            .await
            .text()
            .await
            .unwrap();
        let iin = telemed::domain::iin::Iin::complete(RADIOLOGIST_IIN11)
            .unwrap()
            .to_string();
        let holder = self.ca.issue(&iin, "ПЕТРОВ АЛЕКСЕЙ");
        let cms =
            sign_cms_detached(doc.as_bytes(), &holder.cert_der, &holder.key_der, &[]).unwrap();
        let res = self
            .post(
                radiologist,
                &format!("/api/records/{rid}/sign"),
                &json!({"form": "cms", "signature": STANDARD.encode(cms), "sha256": sha256_hex(doc.as_bytes())}),
            )
            .await;
        let status = res.status();
        let body: Value = res.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        body
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
}

pub fn xray_conclusion() -> Value {
    json!({"findings": "Очаговых и инфильтративных изменений не выявлено. Корни структурны.",
           "diagnoses": [{"icd10": "Z01.6", "text": "Рентгенологическое обследование, патологии не выявлено"}],
           "recommendations": "Плановое наблюдение"})
}
