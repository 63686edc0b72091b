//! The access policy (Rules art. 35, 38, 40): a doctor reaches a patient's records only within
//! a care relationship the patient agreed to, or by breaking the glass where the patient sees it;
//! the holes an attacker's review found stay closed.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use telemed::clock::ManualClock;

use crate::support::{TestApp, assert_error, book_first_slot};

const PATIENT: &str = "patient@demo.telemed.kz";
const CARDIO: &str = "cardio@demo.telemed.kz";
/// An Almaty doctor who does not treat the demo patient.
const THERAPIST: &str = "neuro@demo.telemed.kz";

struct Clinic {
    app: TestApp,
    clock: ManualClock,
    patient: String,
    patient_id: String,
    patient_iin: String,
}

impl Clinic {
    async fn new() -> Clinic {
        let clock = ManualClock::at(Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap());
        let app = TestApp::with_demo_and_settings(Arc::new(clock.clone()), |s| {
            s.notify.worker_enabled = false;
        })
        .await;
        let patient = app.login_demo(PATIENT).await;
        let me: Value = app.get_as(&patient, "/api/me").await.json().await.unwrap();
        Clinic {
            patient_id: me["id"].as_str().unwrap().to_owned(),
            patient_iin: me["iin"].as_str().unwrap().to_owned(),
            app,
            clock,
            patient,
        }
    }

    async fn send(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Value,
    ) -> reqwest::Response {
        self.app.send_as(method, Some(token), path, &body).await
    }

    async fn note(&self, doctor: &str, consultation: Option<&str>) -> reqwest::Response {
        let mut body = json!({"kind": "consultation_note", "content": {"text": "Осмотр"}});
        if let Some(c) = consultation {
            body["consultation_id"] = json!(c);
        }
        self.send(
            doctor,
            Method::POST,
            &format!("/api/patients/{}/records", self.patient_id),
            body,
        )
        .await
    }

    async fn passport(&self, token: &str) -> reqwest::Response {
        self.app
            .get_as(
                token,
                &format!("/api/me/health-passport?patient_id={}", self.patient_id),
            )
            .await
    }

    async fn access_log(&self) -> Vec<Value> {
        let log: Value = self
            .app
            .get_as(&self.patient, "/api/me/access-log?limit=200")
            .await
            .json()
            .await
            .unwrap();
        log["entries"].as_array().unwrap().clone()
    }
}

fn by(entries: &[Value], name_part: &str, outcome: &str) -> usize {
    entries
        .iter()
        .filter(|e| {
            e["outcome"] == outcome
                && e["actor"]["full_name"]
                    .as_str()
                    .is_some_and(|n| n.contains(name_part))
        })
        .count()
}

#[tokio::test]
async fn art_38_doctor_without_relationship_cannot_read_records() {
    let c = Clinic::new().await;
    let consultation = book_first_slot(&c.app, &c.patient, "cardiology", "Asia/Almaty").await;
    let cardio = c.app.login_demo(CARDIO).await;
    let res = c.note(&cardio, Some(&consultation)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let record: Value = res.json().await.unwrap();
    let record = record["id"].as_str().unwrap();

    let therapist = c.app.login_demo(THERAPIST).await;
    // A council "on the patient's initiative" by a doctor who does not treat them: refused, and
    // the answer does not turn the IIN into a name.
    let council = json!({"patient_id": c.patient_iin, "question": "Тактика", "urgency": "planned",
        "mode": "deferred", "initiative": "patient", "specialties": ["neurology", "pulmonology"]});
    let res = c
        .send(&therapist, Method::POST, "/api/councils", council.clone())
        .await;
    let body = assert_error(res, StatusCode::FORBIDDEN, "no_care_relationship").await;
    assert!(!body.to_string().contains("Нурланов"), "{body}");
    let mut unknown = council;
    unknown["patient_id"] = json!(crate::support::fresh_iin(777));
    let res = c
        .send(&therapist, Method::POST, "/api/councils", unknown)
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "no_care_relationship").await;

    // No record read, no record written, no chart opened.
    let res = c
        .app
        .get_as(&therapist, &format!("/api/records/{record}"))
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    assert_error(
        c.note(&therapist, None).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_error(
        c.passport(&therapist).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    // The cardiologist, who treats the patient, opens the chart.
    assert_eq!(c.passport(&cardio).await.status(), StatusCode::OK);

    // The patient sees every attempt (art. 40).
    let log = c.access_log().await;
    assert!(by(&log, "", "denied") >= 4, "{log:?}");
    assert_eq!(
        log.iter()
            .filter(|e| e["outcome"] == "denied" && e["action"] == "council.create")
            .count(),
        1
    );
}

#[tokio::test]
async fn art_40_break_the_glass_is_in_the_access_log() {
    let c = Clinic::new().await;
    let therapist = c.app.login_demo(THERAPIST).await;
    let res = c
        .send(
            &therapist,
            Method::POST,
            "/api/break-glass",
            json!({"patient": c.patient_iin, "reason": "срочно"}),
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "reason_too_short").await;
    let res = c
        .send(
            &therapist,
            Method::POST,
            "/api/break-glass",
            json!({"patient": c.patient_iin,
                "reason": "Пациент доставлен без сознания, нужна история болезни"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let grant: Value = res.json().await.unwrap();
    assert_eq!(grant["patient"]["id"], c.patient_id.as_str());
    assert_eq!(grant["expires_at"], "2026-11-23T01:00:00Z");

    // The chart is open to the therapist, and the therapist writes into it.
    assert_eq!(c.passport(&therapist).await.status(), StatusCode::OK);
    assert_eq!(c.note(&therapist, None).await.status(), StatusCode::CREATED);

    // The patient sees the grant and every read under it, marked.
    let log = c.access_log().await;
    let marked: Vec<&Value> = log.iter().filter(|e| e["break_glass"] == true).collect();
    assert!(
        marked.iter().any(|e| e["action"] == "patient.break_glass"),
        "{log:?}"
    );
    assert!(
        marked.iter().any(|e| e["action"] == "passport.read"),
        "{log:?}"
    );
    assert!(marked.iter().all(|e| {
        e["actor"]["full_name"]
            .as_str()
            .is_some_and(|n| !n.is_empty())
    }));

    // The administrators of the therapist's organisation are told, for review: the reason can
    // describe the patient's condition, so the letter links to it instead of carrying it.
    let mail = crate::support::outbox(&c.app);
    let to_admin = mail
        .iter()
        .find(|m| {
            m.recipient == "admin.almaty@demo.telemed.kz"
                && m.dedupe_key.starts_with("break_glass:")
        })
        .expect("no mail to the administrator");
    assert!(
        !to_admin.body.contains("Пациент доставлен без сознания"),
        "{}",
        to_admin.body
    );
    assert!(
        to_admin.body.contains("/#/break-glass/review"),
        "{}",
        to_admin.body
    );

    // The grant runs out.
    c.clock.advance(Duration::minutes(61));
    let therapist = c.app.login_demo(THERAPIST).await;
    assert_error(
        c.passport(&therapist).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    // Only doctors break the glass.
    let support = c.app.login_demo("support.almaty@demo.telemed.kz").await;
    let res = c
        .send(
            &support,
            Method::POST,
            "/api/break-glass",
            json!({"patient": c.patient_iin, "reason": "Хочу посмотреть карту пациента"}),
        )
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn art_12_staff_booking_reaches_no_records_until_the_patient_agrees() {
    let c = Clinic::new().await;
    let org = c.app.demo_org("Алматы").await;
    let res = c
        .send(
            &c.patient,
            Method::POST,
            &format!("/api/organizations/{org}/consent"),
            json!({"action": "accept"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let list: Value = c
        .app
        .get("/api/practitioners?specialty=cardiology")
        .await
        .json()
        .await
        .unwrap();
    let cardio_id = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["time_zone"] == "Asia/Almaty")
        .unwrap()["id"]
        .clone();
    let slots: Value = c
        .app
        .get(&format!(
            "/api/slots?practitioner={}",
            cardio_id.as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    let support = c.app.login_demo("support.almaty@demo.telemed.kz").await;
    let res = c
        .send(
            &support,
            Method::POST,
            "/api/consultations",
            json!({"mode": "realtime", "urgency": "planned", "practitioner_id": cardio_id,
                "slot_start": slots[0]["slots"][0]["start"], "reason": "Записали по телефону",
                "funding": "gobmp", "patient_id": c.patient_id,
                "initiative": "staff_on_patient_request"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The doctor sees the booking but not the chart: staff said the patient asked.
    let cardio = c.app.login_demo(CARDIO).await;
    let res = c
        .app
        .get_as(&cardio, &format!("/api/consultations/{id}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_error(
        c.passport(&cardio).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_error(
        c.note(&cardio, Some(&id)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    // Nobody but the patient's side agrees for them.
    let res = c
        .send(
            &support,
            Method::POST,
            &format!("/api/consultations/{id}/agree"),
            json!({}),
        )
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let res = c
        .send(
            &c.patient,
            Method::POST,
            &format!("/api/consultations/{id}/agree"),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        c.note(&cardio, Some(&id)).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(c.passport(&cardio).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn art_35_care_relationship_ends_with_cancellation_and_after_the_tail() {
    let c = Clinic::new().await;
    let cardio = c.app.login_demo(CARDIO).await;
    // Cancelled: the relationship never was.
    let first = book_first_slot(&c.app, &c.patient, "cardiology", "Asia/Almaty").await;
    let cancel = json!({"reason_code": "patient_request", "reason_text": "Не смогу прийти"});
    let res = c
        .send(
            &c.patient,
            Method::POST,
            &format!("/api/consultations/{first}/cancel"),
            cancel,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_error(
        c.passport(&cardio).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    // Held by telephone: the relationship lasts the tail (30 days) after it ended.
    let second = book_first_slot(&c.app, &c.patient, "cardiology", "Asia/Almaty").await;
    let res = c
        .send(
            &cardio,
            Method::POST,
            &format!("/api/consultations/{second}/phone"),
            json!({"minutes": 15, "note": "Связь по телефону"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    c.clock.advance(Duration::days(29));
    let cardio = c.app.login_demo(CARDIO).await;
    assert_eq!(c.passport(&cardio).await.status(), StatusCode::OK);
    c.clock.advance(Duration::days(2));
    let cardio = c.app.login_demo(CARDIO).await;
    assert_error(
        c.passport(&cardio).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn art_35_a_guest_of_the_call_neither_cancels_nor_shares_files() {
    let c = Clinic::new().await;
    let id = book_first_slot(&c.app, &c.patient, "cardiology", "Asia/Almaty").await;
    let cardio = c.app.login_demo(CARDIO).await;
    // The patient's parent, invited to the call as a relative.
    let res = c
        .send(
            &cardio,
            Method::POST,
            &format!("/api/consultations/{id}/guests"),
            json!({"email": "parent@demo.telemed.kz", "kind": "relative"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let guest = c.app.login_demo("parent@demo.telemed.kz").await;
    let res = c
        .send(
            &guest,
            Method::POST,
            &format!("/api/consultations/{id}/cancel"),
            json!({"reason_code": "other", "reason_text": "Отменяю"}),
        )
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let res = c
        .app
        .client
        .post(
            c.app
                .at(&format!("/api/consultations/{id}/files?name=x.png")),
        )
        .bearer_auth(&guest)
        .body(crate::deferred::XRAY_PNG.to_vec())
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let res = c
        .app
        .get_as(&guest, &format!("/api/consultations/{id}/materials"))
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    // The call itself stays open to them: its chat.
    let res = c
        .app
        .get_as(&guest, &format!("/api/consultations/{id}/messages"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let log = c.access_log().await;
    assert!(by(&log, "", "denied") >= 3, "{log:?}");
}

#[tokio::test]
async fn cross_site_cookie_requests_are_refused() {
    let c = Clinic::new().await;
    let id = book_first_slot(&c.app, &c.patient, "cardiology", "Asia/Almaty").await;
    // A browser session: the cookie, no bearer token.
    // A refused upload leaves its body unread and the server closes that connection: no reuse.
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let res = browser
        .post(c.app.at("/api/auth/login"))
        .json(&json!({"email": PATIENT, "password": telemed::services::demo::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let evil = "https://evil.example";
    let res = browser
        .post(
            c.app
                .at(&format!("/api/consultations/{id}/files?name=x.png")),
        )
        .header("origin", evil)
        .header("content-type", "text/plain")
        .body(crate::deferred::XRAY_PNG.to_vec())
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::FORBIDDEN, "cross_origin").await;
    let res = browser
        .get(c.app.at(&format!("/api/consultations/{id}/signal")))
        .header("origin", evil)
        .header("upgrade", "websocket")
        .header("connection", "upgrade")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::FORBIDDEN, "cross_origin").await;
    let res = browser
        .post(c.app.at("/api/auth/logout"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::FORBIDDEN, "cross_origin").await;
    // From the platform's own page the same session works.
    let res = browser
        .get(c.app.at("/api/me"))
        .header("origin", evil)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "reads are not refused");
    let res = browser
        .post(c.app.at("/api/auth/logout"))
        .header("origin", c.app.url.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    // A bearer client carries no ambient credential: an Origin does not matter to it.
    let res = c
        .app
        .client
        .get(c.app.at("/api/me"))
        .bearer_auth(&c.patient)
        .header("origin", evil)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}
