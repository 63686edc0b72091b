//! Medical records, their electronic signature and the health passport (Rules art. 35–38, 40),
//! with a test CA made by rcgen at test time and the demo cardiologist's certificate issued by it.

mod enrolment;
mod passport;
pub(crate) mod pki;

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{TimeZone, Utc};
use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use telemed::clock::ManualClock;
use telemed::db::models::AuditEventRow;
use telemed::db::schema::audit_events;
use telemed::domain::canonical::sha256_hex;
use telemed::signing::sign_cms_detached;

use self::pki::{Holder, TestCa};
use crate::support::{TestApp, assert_error};

const CARDIO: &str = "cardio@demo.telemed.kz";

struct Scene {
    app: TestApp,
    ca: TestCa,
    doctor: String,
    doctor_iin: String,
    patient: String,
    patient_id: String,
    consultation: String,
    /// The platform CA's files, when the scene has one (enrolment).
    _pki: Option<tempfile::TempDir>,
}

/// The demo patient booked the Almaty cardiologist; the app trusts the test CA.
async fn scene() -> Scene {
    let ca = TestCa::new();
    let root = ca.root_file();
    let clock = ManualClock::at(Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap());
    let app = TestApp::with_demo_and_settings(Arc::new(clock), |s| {
        s.signing.trusted_roots = vec![root];
    })
    .await;
    let patient = app.login_demo("patient@demo.telemed.kz").await;
    let consultation = book_cardiologist(&app, &patient).await;
    let doctor = app.login_demo(CARDIO).await;
    let me: Value = app.get_as(&doctor, "/api/me").await.json().await.unwrap();
    let patient_me: Value = app.get_as(&patient, "/api/me").await.json().await.unwrap();
    Scene {
        doctor_iin: me["iin"].as_str().unwrap().to_owned(),
        patient_id: patient_me["id"].as_str().unwrap().to_owned(),
        app,
        ca,
        doctor,
        patient,
        consultation,
        _pki: None,
    }
}

/// Books the Almaty cardiologist's 09:00 slot on Tuesday 24 November 2026 for the patient.
pub(crate) async fn book_cardiologist(app: &TestApp, patient: &str) -> String {
    let list: Value = app
        .get("/api/practitioners?specialty=cardiology")
        .await
        .json()
        .await
        .unwrap();
    let cardio = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["time_zone"] == "Asia/Almaty")
        .unwrap();
    let org = cardio["organization_id"].as_str().unwrap();
    let consent = json!({"action": "accept"});
    let res = app
        .send_as(
            Method::POST,
            Some(patient),
            &format!("/api/organizations/{org}/consent"),
            &consent,
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let booking = json!({"mode": "realtime", "urgency": "planned", "practitioner_id": cardio["id"],
        "slot_start": "2026-11-24T04:00:00Z", "reason": "Контроль давления", "funding": "osms"});
    let res = app
        .send_as(Method::POST, Some(patient), "/api/consultations", &booking)
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn conclusion(icd10: &str) -> Value {
    json!({"findings": "АД 150/95, ЧСС 78", "diagnoses": [{"icd10": icd10, "text": "Эссенциальная гипертензия"}],
           "recommendations": "Лизиноприл 10 мг утром, контроль АД"})
}

impl Scene {
    async fn create(&self, token: &str, content: Value) -> reqwest::Response {
        let body =
            json!({"kind": "conclusion", "consultation_id": self.consultation, "content": content});
        self.app
            .send_as(
                Method::POST,
                Some(token),
                &format!("/api/patients/{}/records", self.patient_id),
                &body,
            )
            .await
    }

    async fn draft(&self) -> String {
        let res = self.create(&self.doctor, conclusion("I10")).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let view: Value = res.json().await.unwrap();
        assert_eq!(view["status"], "draft");
        assert_eq!(view["version"], 1);
        view["id"].as_str().unwrap().to_owned()
    }

    /// The exact bytes to sign, as the doctor's client fetches them.
    async fn document(&self, id: &str) -> String {
        let res = self
            .app
            .get_as(&self.doctor, &format!("/api/records/{id}/document"))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(
            res.headers()[reqwest::header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        let sha = res.headers()["x-document-sha256"]
            .to_str()
            .unwrap()
            .to_owned();
        let text = res.text().await.unwrap();
        assert_eq!(sha, sha256_hex(text.as_bytes()));
        text
    }

    fn doctor_certificate(&mut self) -> Holder {
        let iin = self.doctor_iin.clone();
        self.ca.issue(&iin, "АХМЕТОВА ГУЛЬНАРА")
    }

    /// Signs `signed_bytes` with CMS and submits it as a signature over `claimed`.
    async fn submit(
        &self,
        id: &str,
        holder: &Holder,
        signed_bytes: &str,
        claimed: &str,
    ) -> reqwest::Response {
        let cms = sign_cms_detached(
            signed_bytes.as_bytes(),
            &holder.cert_der,
            &holder.key_der,
            &[],
        )
        .unwrap();
        let body = json!({"form": "cms", "signature": STANDARD.encode(cms),
                          "sha256": sha256_hex(claimed.as_bytes())});
        self.app
            .send_as(
                Method::POST,
                Some(&self.doctor),
                &format!("/api/records/{id}/sign"),
                &body,
            )
            .await
    }

    async fn sign(&mut self, id: &str) -> Value {
        let holder = self.doctor_certificate();
        let doc = self.document(id).await;
        let res = self.submit(id, &holder, &doc, &doc).await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }

    async fn passport(&self) -> Value {
        let res = self
            .app
            .get_as(&self.patient, "/api/me/health-passport")
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }

    fn audit(&self, action: &str) -> Vec<AuditEventRow> {
        let mut conn = self.app.context.db.get().unwrap();
        audit_events::table
            .filter(audit_events::action.eq(action))
            .order(audit_events::seq.asc())
            .select(AuditEventRow::as_select())
            .load(&mut conn)
            .unwrap()
    }
}

#[tokio::test]
async fn art_37_a_signed_conclusion_enters_the_health_passport_with_signer_and_certificate() {
    let mut s = scene().await;
    let id = s.draft().await;
    assert_eq!(
        s.passport().await["records"].as_array().unwrap().len(),
        0,
        "drafts never appear in the passport"
    );
    let doc = s.document(&id).await;
    let parsed: Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(parsed["record_id"], id.as_str());
    assert_eq!(parsed["author"]["iin"], s.doctor_iin.as_str());
    assert_eq!(parsed["patient"]["id"], s.patient_id.as_str());
    assert_eq!(parsed["content"]["diagnoses"][0]["icd10"], "I10");

    let signed = s.sign(&id).await;
    assert_eq!(signed["status"], "signed");
    assert_eq!(
        signed["document"],
        doc.as_str(),
        "the stored bytes are the signed bytes"
    );
    assert_eq!(signed["sha256"], sha256_hex(doc.as_bytes()));

    let passport = s.passport().await;
    let chain = &passport["records"][0];
    assert_eq!(chain["kind"], "conclusion");
    let version = &chain["versions"][0];
    assert_eq!(version["id"], id.as_str());
    assert_eq!(version["document"], doc.as_str());
    let sig = &version["signature"];
    assert_eq!(sig["form"], "cms");
    assert_eq!(sig["signer_name"], "АХМЕТОВА ГУЛЬНАРА");
    assert_eq!(sig["signer_iin"], s.doctor_iin.as_str());
    assert!(
        sig["certificate_subject"]
            .as_str()
            .unwrap()
            .contains(&format!("IIN{}", s.doctor_iin))
    );
    assert!(
        sig["certificate_issuer"]
            .as_str()
            .unwrap()
            .contains("telemed test root")
    );
    assert!(!sig["certificate_serial"].as_str().unwrap().is_empty());
    assert_eq!(sig["certificate_not_after"], "2040-01-01T00:00:00Z");
    assert_eq!(sig["signed_at"], "2026-11-23T00:00:00Z");
    // The document endpoint now serves the frozen bytes.
    assert_eq!(s.document(&id).await, doc);
    assert_eq!(s.audit("record.sign").len(), 1);
}

#[tokio::test]
async fn art_37_a_signed_record_cannot_be_changed() {
    let mut s = scene().await;
    let id = s.draft().await;
    let changed = json!({"content": conclusion("I11.9")});
    let res = s
        .app
        .send_as(
            Method::PUT,
            Some(&s.doctor),
            &format!("/api/records/{id}"),
            &changed,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "a draft may change");
    s.sign(&id).await;
    let res = s
        .app
        .send_as(
            Method::PUT,
            Some(&s.doctor),
            &format!("/api/records/{id}"),
            &changed,
        )
        .await;
    assert_error(res, StatusCode::CONFLICT, "record_signed").await;
    let material =
        json!({"kind": "file", "name": "ecg.pdf", "sha256": "ab".repeat(32), "size": 10});
    let res = s
        .app
        .send_as(
            Method::POST,
            Some(&s.doctor),
            &format!("/api/records/{id}/materials"),
            &material,
        )
        .await;
    assert_error(res, StatusCode::CONFLICT, "record_signed").await;
    let doc = s.document(&id).await;
    let holder = s.doctor_certificate();
    let res = s.submit(&id, &holder, &doc, &doc).await;
    assert_error(res, StatusCode::CONFLICT, "record_signed").await;
}

#[tokio::test]
async fn art_37_a_correction_is_a_new_signed_version_pointing_at_the_old() {
    let mut s = scene().await;
    let id = s.draft().await;
    let amend = json!({"content": conclusion("I11.9")});
    let res = s
        .app
        .send_as(
            Method::POST,
            Some(&s.doctor),
            &format!("/api/records/{id}/amend"),
            &amend,
        )
        .await;
    assert_error(res, StatusCode::CONFLICT, "record_not_signed").await;
    s.sign(&id).await;

    let res = s
        .app
        .send_as(
            Method::POST,
            Some(&s.doctor),
            &format!("/api/records/{id}/amend"),
            &amend,
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let v2: Value = res.json().await.unwrap();
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["replaces_id"], id.as_str());
    assert_eq!(v2["status"], "draft");
    assert_eq!(v2["chain_id"], id.as_str());
    let v2_id = v2["id"].as_str().unwrap().to_owned();
    let material =
        json!({"kind": "recording", "name": "call.webm", "sha256": "CD".repeat(32), "size": 2048});
    let res = s
        .app
        .send_as(
            Method::POST,
            Some(&s.doctor),
            &format!("/api/records/{v2_id}/materials"),
            &material,
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let doc: Value = serde_json::from_str(&s.document(&v2_id).await).unwrap();
    assert_eq!(doc["replaces"], id.as_str());
    assert_eq!(doc["version"], 2);
    assert_eq!(doc["materials"][0]["sha256"], "cd".repeat(32));
    s.sign(&v2_id).await;

    // Chains do not fork: the old version has its correction already.
    let res = s
        .app
        .send_as(
            Method::POST,
            Some(&s.doctor),
            &format!("/api/records/{id}/amend"),
            &amend,
        )
        .await;
    assert_error(res, StatusCode::CONFLICT, "already_amended").await;

    let passport = s.passport().await;
    let records = passport["records"].as_array().unwrap();
    assert_eq!(records.len(), 1, "one record, two versions");
    assert_eq!(records[0]["latest_version"], 2);
    let versions = records[0]["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["id"], v2_id.as_str());
    assert_eq!(versions[0]["replaces_id"], id.as_str());
    assert_eq!(versions[0]["content"]["diagnoses"][0]["icd10"], "I11.9");
    assert_eq!(versions[0]["materials"][0]["name"], "call.webm");
    assert_eq!(versions[1]["id"], id.as_str());
    assert_eq!(versions[1]["content"]["diagnoses"][0]["icd10"], "I10");
}

#[tokio::test]
async fn art_37_a_signature_over_other_bytes_is_refused_digest_mismatch() {
    let mut s = scene().await;
    let id = s.draft().await;
    let doc = s.document(&id).await;
    let other = doc.replace("I10", "I15");
    let holder = s.doctor_certificate();
    let res = s.submit(&id, &holder, &other, &doc).await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "digest_mismatch").await;
    let view: Value = s
        .app
        .get_as(&s.doctor, &format!("/api/records/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["status"], "draft");
    let refused = s.audit("record.sign");
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].outcome, "digest_mismatch");
}

#[tokio::test]
async fn art_37_a_signature_by_someone_else_is_refused_signer_mismatch() {
    let mut s = scene().await;
    let id = s.draft().await;
    let doc = s.document(&id).await;
    let stranger = s.ca.issue("900202400456", "БЕКОВ БЕК");
    let res = s.submit(&id, &stranger, &doc, &doc).await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "signer_mismatch").await;
}

#[tokio::test]
async fn art_37_a_document_changed_after_it_was_fetched_is_refused() {
    let mut s = scene().await;
    let id = s.draft().await;
    let fetched = s.document(&id).await;
    let res = s
        .app
        .send_as(
            Method::PUT,
            Some(&s.doctor),
            &format!("/api/records/{id}"),
            &json!({"content": conclusion("E11.9")}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let holder = s.doctor_certificate();
    let res = s.submit(&id, &holder, &fetched, &fetched).await;
    assert_error(res, StatusCode::CONFLICT, "document_changed").await;
}

#[tokio::test]
async fn art_37_with_no_trusted_root_configured_nothing_verifies() {
    let clock = ManualClock::at(Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap());
    let app = TestApp::with_demo_on(Arc::new(clock)).await;
    let patient = app.login_demo("patient@demo.telemed.kz").await;
    let consultation = book_cardiologist(&app, &patient).await;
    let doctor = app.login_demo(CARDIO).await;
    let me: Value = app.get_as(&doctor, "/api/me").await.json().await.unwrap();
    let patient_id: Value = app.get_as(&patient, "/api/me").await.json().await.unwrap();
    let body = json!({"kind": "consultation_note", "consultation_id": consultation,
                      "content": {"text": "Жалобы на головную боль"}});
    let res = app
        .send_as(
            Method::POST,
            Some(&doctor),
            &format!(
                "/api/patients/{}/records",
                patient_id["id"].as_str().unwrap()
            ),
            &body,
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let doc = app
        .get_as(&doctor, &format!("/api/records/{id}/document"))
        .await
        .text()
        .await
        .unwrap();
    let holder = TestCa::new().issue(me["iin"].as_str().unwrap(), "АХМЕТОВА ГУЛЬНАРА");
    let cms = sign_cms_detached(doc.as_bytes(), &holder.cert_der, &holder.key_der, &[]).unwrap();
    let body = json!({"form": "cms", "signature": STANDARD.encode(cms), "sha256": sha256_hex(doc.as_bytes())});
    let res = app
        .send_as(
            Method::POST,
            Some(&doctor),
            &format!("/api/records/{id}/sign"),
            &body,
        )
        .await;
    assert_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "certificate_untrusted",
    )
    .await;
}

#[tokio::test]
async fn art_35_a_doctor_without_a_consultation_link_gets_403_and_the_attempt_is_audited() {
    let mut s = scene().await;
    let id = s.draft().await;
    s.sign(&id).await;
    let neuro = s.app.login_demo("neuro@demo.telemed.kz").await;
    let neuro_me: Value = s.app.get_as(&neuro, "/api/me").await.json().await.unwrap();
    let neuro_id = neuro_me["id"].as_str().unwrap();

    assert_error(
        s.app.get_as(&neuro, &format!("/api/records/{id}")).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_error(
        s.app
            .get_as(&neuro, &format!("/api/records/{id}/document"))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let res = s
        .app
        .send_as(
            Method::POST,
            Some(&neuro),
            &format!("/api/patients/{}/records", s.patient_id),
            &json!({"kind": "consultation_note", "content": {"text": "x"}}),
        )
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let res = s
        .app
        .send_as(
            Method::POST,
            Some(&neuro),
            &format!("/api/records/{id}/amend"),
            &json!({"content": conclusion("I10")}),
        )
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;

    let denied: Vec<AuditEventRow> = ["record.read", "record.create", "record.amend"]
        .iter()
        .flat_map(|a| s.audit(a))
        .filter(|e| e.outcome == "denied")
        .collect();
    assert_eq!(denied.len(), 4, "{denied:?}");
    for e in &denied {
        assert_eq!(e.actor_id.as_deref(), Some(neuro_id));
        assert_eq!(e.subject_id.as_deref(), Some(s.patient_id.as_str()));
    }
    assert!(
        denied
            .iter()
            .any(|e| e.action == "record.read" && e.object_id == id)
    );
    // Organisation staff see no content either.
    let admin = s.app.login_demo("admin.almaty@demo.telemed.kz").await;
    assert_error(
        s.app.get_as(&admin, &format!("/api/records/{id}")).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    // The linked doctor still reads it.
    assert_eq!(
        s.app
            .get_as(&s.doctor, &format!("/api/records/{id}"))
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn art_38_the_patient_reads_own_records_and_not_others() {
    let mut s = scene().await;
    let draft = s.draft().await;
    assert_error(
        s.app
            .get_as(&s.patient, &format!("/api/records/{draft}"))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    s.sign(&draft).await;
    let own: Value = s
        .app
        .get_as(&s.patient, &format!("/api/records/{draft}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(own["status"], "signed");
    assert_eq!(own["signature"]["signer_iin"], s.doctor_iin.as_str());

    // Another patient, and a representative of someone else, are refused.
    let parent = s.app.login_demo("parent@demo.telemed.kz").await;
    assert_error(
        s.app
            .get_as(&parent, &format!("/api/records/{draft}"))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_error(
        s.app
            .get_as(
                &parent,
                &format!("/api/me/health-passport?patient_id={}", s.patient_id),
            )
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let child_me: Value = s.app.get_as(&parent, "/api/me").await.json().await.unwrap();
    let child = child_me["represented_patients"][0]["id"].as_str().unwrap();
    let theirs: Value = s
        .app
        .get_as(
            &parent,
            &format!("/api/me/health-passport?patient_id={child}"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(theirs["records"].as_array().unwrap().len(), 0);
    assert_error(
        s.app.get_as(&s.doctor, "/api/me/health-passport").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "patient_required",
    )
    .await;
}

#[tokio::test]
async fn art_37_a_conclusion_with_a_malformed_icd10_code_is_refused() {
    let s = scene().await;
    for code in ["I1", "10", "I10.123", "Z"] {
        let res = s.create(&s.doctor, conclusion(code)).await;
        assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_icd10").await;
    }
    // Well formed but not in the WHO list shipped with the platform (an ICD-10-CM extension).
    let res = s.create(&s.doctor, conclusion("E11.65")).await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "unknown_icd10").await;
    let res = s.create(&s.doctor, conclusion("E11.9")).await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn art_40_the_patients_access_log_shows_the_doctor_reading_the_record() {
    let mut s = scene().await;
    let id = s.draft().await;
    s.sign(&id).await;
    let res = s.app.get_as(&s.doctor, &format!("/api/records/{id}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    s.passport().await;
    let log: Value = s
        .app
        .get_as(&s.patient, "/api/me/access-log?include_own=true")
        .await
        .json()
        .await
        .unwrap();
    let entries = log["entries"].as_array().unwrap();
    let read = entries
        .iter()
        .find(|e| e["action"] == "record.read" && e["object_id"] == id.as_str())
        .expect("the doctor's read is logged");
    assert_eq!(read["actor"]["full_name"], "Ахметова Гульнара Сериковна");
    assert_eq!(read["actor"]["role"], "doctor");
    assert_eq!(read["purpose"], s.consultation.as_str());
    assert_eq!(read["outcome"], "ok");
    for action in ["record.create", "record.sign", "passport.read"] {
        assert!(
            entries.iter().any(|e| e["action"] == action),
            "{action} is in the log"
        );
    }
}
