//! Booking, consent, deadlines, cancellation and rescheduling (Rules art. 8, 12–15, 33, 41–43),
//! on a clock the tests hold still: Monday 2026-11-23 00:00 UTC (05:00 in Almaty).
//! The forms and modes (art. 6, 9), paging by week and reminders after the fact are in the
//! modules below.

mod modes;
mod reminders;
mod weeks;

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use telemed::clock::ManualClock;
use telemed::db::models::OutboxRow;
use telemed::db::schema::{consultations, outbox};
use telemed::domain::canonical::sha256_hex;
use telemed::services::consultations::deadlines;

use crate::support::{TestApp, assert_error};

const PATIENT: &str = "patient@demo.telemed.kz";

fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap()
}

async fn app_at(clock: &ManualClock) -> TestApp {
    TestApp::with_demo_on(Arc::new(clock.clone())).await
}

/// The Almaty cardiologist (Mon–Fri 09:00–13:00 Asia/Almaty, 30-minute slots).
async fn cardiologist(app: &TestApp) -> (String, String) {
    let list: Value = app
        .get("/api/practitioners?specialty=cardiology")
        .await
        .json()
        .await
        .unwrap();
    let p = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["time_zone"] == "Asia/Almaty")
        .unwrap();
    (
        p["id"].as_str().unwrap().to_owned(),
        p["organization_id"].as_str().unwrap().to_owned(),
    )
}

async fn slots(app: &TestApp, practitioner: &str) -> Vec<String> {
    let res: Value = app
        .get(&format!("/api/slots?practitioner={practitioner}"))
        .await
        .json()
        .await
        .unwrap();
    res[0]["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_str().unwrap().to_owned())
        .collect()
}

async fn accept_offer(app: &TestApp, token: &str, org: &str, patient: Option<&str>) {
    let mut body = json!({"action": "accept", "method": "click"});
    if let Some(p) = patient {
        body["patient_id"] = json!(p);
    }
    let res = app
        .send_as(
            Method::POST,
            Some(token),
            &format!("/api/organizations/{org}/consent"),
            &body,
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

fn realtime(practitioner: &str, start: &str) -> Value {
    json!({"mode": "realtime", "urgency": "planned", "practitioner_id": practitioner,
           "slot_start": start, "reason": "Боли в груди при нагрузке", "funding": "gobmp"})
}

async fn book(app: &TestApp, token: &str, body: &Value) -> reqwest::Response {
    app.send_as(Method::POST, Some(token), "/api/consultations", body)
        .await
}

fn mail(app: &TestApp) -> Vec<OutboxRow> {
    let mut conn = app.context.db.get().unwrap();
    outbox::table
        .select(OutboxRow::as_select())
        .order(outbox::created_at.asc())
        .load(&mut conn)
        .unwrap()
}

fn mail_to<'a>(rows: &'a [OutboxRow], who: &str, key_prefix: &str) -> Vec<&'a OutboxRow> {
    rows.iter()
        .filter(|r| r.recipient == who && r.dedupe_key.starts_with(key_prefix))
        .collect()
}

#[tokio::test]
async fn slots_follow_the_organisations_zone_and_length() {
    let clock = ManualClock::at(monday());
    let app = app_at(&clock).await;
    let (cardio, _) = cardiologist(&app).await;
    let starts = slots(&app, &cardio).await;
    // 09:00 Asia/Almaty (UTC+5) is 04:00 UTC; 30-minute slots until 13:00, eight a day.
    assert_eq!(starts[0], "2026-11-23T04:00:00Z");
    assert_eq!(starts[1], "2026-11-23T04:30:00Z");
    assert_eq!(
        starts
            .iter()
            .filter(|s| s.starts_with("2026-11-23"))
            .count(),
        8
    );
    let by_specialty: Value = app
        .get("/api/slots?specialty=cardiology")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_specialty.as_array().unwrap().len(), 2);
    let res = app
        .get(&format!(
            "/api/slots?practitioner={cardio}&from=2026-11-23T00:00:00Z&to=2027-01-23T00:00:00Z"
        ))
        .await;
    assert_error(res, StatusCode::BAD_REQUEST, "range_too_long").await;
    assert_error(
        app.get("/api/slots").await,
        StatusCode::BAD_REQUEST,
        "practitioner_or_specialty_required",
    )
    .await;
}

#[tokio::test]
async fn art_33_booking_needs_a_valid_consent_stored_as_a_hashed_document() {
    let clock = ManualClock::at(monday());
    let app = app_at(&clock).await;
    let (cardio, org) = cardiologist(&app).await;
    let token = app.login_demo(PATIENT).await;
    let start = slots(&app, &cardio).await[0].clone();
    assert_error(
        book(&app, &token, &realtime(&cardio, &start)).await,
        StatusCode::CONFLICT,
        "consent_required",
    )
    .await;

    accept_offer(&app, &token, &org, None).await;
    let status: Value = app
        .get_as(&token, &format!("/api/organizations/{org}/consent"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status["state"], "accepted");
    assert_eq!(status["valid"], true);
    let doc = &status["last_document"];
    let canonical = doc["canonical"].as_str().unwrap();
    assert_eq!(doc["sha256"], sha256_hex(canonical.as_bytes()));
    let content: Value = serde_json::from_str(canonical).unwrap();
    assert_eq!(content["act"], "accept");
    assert_eq!(content["method"], "click");
    assert_eq!(content["offer"]["version"], 1);
    assert_eq!(content["offer"]["sha256"].as_str().unwrap().len(), 64);
    assert!(content["ip"].as_str().is_some() && content["at"].as_str().is_some());

    // Revoked, the consent no longer allows booking; refusal is recorded too.
    let revoke = json!({"action": "revoke"});
    app.send_as(
        Method::POST,
        Some(&token),
        &format!("/api/organizations/{org}/consent"),
        &revoke,
    )
    .await;
    assert_error(
        book(&app, &token, &realtime(&cardio, &start)).await,
        StatusCode::CONFLICT,
        "consent_required",
    )
    .await;
    let refuse = json!({"action": "refuse"});
    let res: Value = app
        .send_as(
            Method::POST,
            Some(&token),
            &format!("/api/organizations/{org}/consent"),
            &refuse,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(res["state"], "refused");
    assert_eq!(res["valid"], false);

    // A new version of the offer needs a new acceptance.
    accept_offer(&app, &token, &org, None).await;
    let admin = app.login_demo("admin.almaty@demo.telemed.kz").await;
    app.send_as(
        Method::POST,
        Some(&admin),
        &format!("/api/organizations/{org}/offers"),
        &json!({"body": "Редакция 2"}),
    )
    .await;
    assert_error(
        book(&app, &token, &realtime(&cardio, &start)).await,
        StatusCode::CONFLICT,
        "consent_required",
    )
    .await;
    accept_offer(&app, &token, &org, None).await;
    assert_eq!(
        book(&app, &token, &realtime(&cardio, &start))
            .await
            .status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn art_33_consent_by_a_code_sent_by_e_mail() {
    let clock = ManualClock::at(monday());
    let app = app_at(&clock).await;
    let (_, org) = cardiologist(&app).await;
    let token = app.login_demo(PATIENT).await;
    let res = app
        .send_as(
            Method::POST,
            Some(&token),
            &format!("/api/organizations/{org}/consent/code"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let rows = mail(&app);
    let sent = mail_to(&rows, PATIENT, "consent-code:");
    assert_eq!(sent.len(), 1);
    let code: String = sent[0]
        .body
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap()
        .to_owned();
    let path = format!("/api/organizations/{org}/consent");
    let wrong = json!({"action": "accept", "method": "email_code", "code": if code == "000000" { "111111" } else { "000000" }});
    assert_error(
        app.send_as(Method::POST, Some(&token), &path, &wrong).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_code",
    )
    .await;
    let right = json!({"action": "accept", "method": "email_code", "code": code});
    let res: Value = app
        .send_as(Method::POST, Some(&token), &path, &right)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(res["valid"], true);
    let content: Value =
        serde_json::from_str(res["last_document"]["canonical"].as_str().unwrap()).unwrap();
    assert_eq!(content["method"], "email_code");
    // A used code does not work twice; an expired one never works.
    assert_error(
        app.send_as(Method::POST, Some(&token), &path, &right).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_code",
    )
    .await;
}

#[tokio::test]
async fn art_12_a_representative_books_for_the_represented_patient_and_not_for_others() {
    let clock = ManualClock::at(monday());
    let app = app_at(&clock).await;
    let (cardio, org) = cardiologist(&app).await;
    let parent = app.login_demo("parent@demo.telemed.kz").await;
    let me: Value = app.get_as(&parent, "/api/me").await.json().await.unwrap();
    let child = me["represented_patients"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    accept_offer(&app, &parent, &org, Some(&child)).await;
    let start = slots(&app, &cardio).await[0].clone();
    let mut body = realtime(&cardio, &start);
    body["patient_id"] = json!(child);
    let res = book(&app, &parent, &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let c: Value = res.json().await.unwrap();
    assert_eq!(c["initiative"], "representative");
    assert_eq!(c["patient"]["id"], child.as_str());
    let listed: Value = app
        .get_as(&parent, "/api/consultations")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);

    // Not for a patient they do not represent; and the other patient cannot see this one.
    let other = app.login_demo(PATIENT).await;
    let other_id = app
        .get_as(&other, "/api/me")
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    body["patient_id"] = json!(other_id);
    body["slot_start"] = json!(slots(&app, &cardio).await[0]);
    assert_error(
        book(&app, &parent, &body).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let res = app
        .get_as(
            &other,
            &format!("/api/consultations/{}", c["id"].as_str().unwrap()),
        )
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn art_12_staff_on_their_own_initiative_wait_for_the_patients_agreement() {
    let clock = ManualClock::at(monday());
    let app = app_at(&clock).await;
    let (cardio, org) = cardiologist(&app).await;
    let patient = app.login_demo(PATIENT).await;
    let patient_id = app
        .get_as(&patient, "/api/me")
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    accept_offer(&app, &patient, &org, None).await;
    let support = app.login_demo("support.almaty@demo.telemed.kz").await;
    let start = slots(&app, &cardio).await[0].clone();
    let mut body = realtime(&cardio, &start);
    body["patient_id"] = json!(patient_id);
    body["initiative"] = json!("staff_own");
    let c: Value = book(&app, &support, &body).await.json().await.unwrap();
    assert_eq!(c["status"], "awaiting_agreement");
    assert_eq!(c["initiative"], "staff_own");
    let id = c["id"].as_str().unwrap();
    // The slot is held while the patient decides, and no confirmation went out yet.
    assert_error(
        book(&app, &patient, &realtime(&cardio, &start)).await,
        StatusCode::CONFLICT,
        "slot_taken",
    )
    .await;
    let rows = mail(&app);
    assert!(mail_to(&rows, PATIENT, "booked:").is_empty());
    let ask = mail_to(&rows, PATIENT, "agreement:");
    assert_eq!(ask.len(), 1);
    let token = ask[0]
        .body
        .split("token=")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();

    let res = app
        .post(
            &format!("/api/consultations/{id}/confirm"),
            &json!({"token": "forged"}),
        )
        .await;
    assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
    let res = app
        .post(
            &format!("/api/consultations/{id}/confirm"),
            &json!({"token": token}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "booked");
    assert_eq!(mail_to(&mail(&app), PATIENT, "booked:").len(), 1);

    // On the patient's request, the booking is firm at once and records whose initiative it was.
    body["initiative"] = json!("staff_on_patient_request");
    body["slot_start"] = json!(slots(&app, &cardio).await[0]);
    let c: Value = book(&app, &support, &body).await.json().await.unwrap();
    assert_eq!(c["status"], "booked");
    assert_eq!(c["initiative"], "staff_on_patient_request");
}

#[tokio::test]
async fn fifty_concurrent_attempts_on_one_slot_give_one_booking_and_49_slot_taken() {
    let clock = ManualClock::at(monday());
    let app = app_at(&clock).await;
    let (cardio, org) = cardiologist(&app).await;
    let token = app.login_demo(PATIENT).await;
    let me: Value = app.get_as(&token, "/api/me").await.json().await.unwrap();
    let patient_id = me["id"].as_str().unwrap().to_owned();
    accept_offer(&app, &token, &org, None).await;
    let start = slots(&app, &cardio).await[0].clone();
    let body = realtime(&cardio, &start);
    let attempts = (0..50).map(|_| {
        let (client, url, token, body) = (
            app.client.clone(),
            app.at("/api/consultations"),
            token.clone(),
            body.clone(),
        );
        tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
        })
    });
    let mut created = 0;
    let mut taken = 0;
    for a in attempts.collect::<Vec<_>>() {
        let res = a.await.unwrap();
        match res.status() {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => {
                assert_eq!(res.json::<Value>().await.unwrap()["error"], "slot_taken");
                taken += 1;
            }
            other => panic!("unexpected {other}: {}", res.text().await.unwrap()),
        }
    }
    assert_eq!((created, taken), (1, 49));
    let mut conn = app.context.db.get().unwrap();
    let held: i64 = consultations::table
        .filter(consultations::status.ne("cancelled"))
        .filter(consultations::patient_id.eq(&patient_id))
        .filter(consultations::practitioner_id.eq(&cardio))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(held, 1);
}

#[tokio::test]
async fn art_8_an_urgent_consultation_must_fit_the_urgent_deadline() {
    let clock = ManualClock::at(monday() + Duration::hours(2));
    let app = app_at(&clock).await;
    let (cardio, org) = cardiologist(&app).await;
    let token = app.login_demo(PATIENT).await;
    accept_offer(&app, &token, &org, None).await;
    let starts = slots(&app, &cardio).await;
    let mut urgent = realtime(
        &cardio,
        starts.iter().find(|s| s.starts_with("2026-11-24")).unwrap(),
    );
    urgent["urgency"] = json!("urgent");
    assert_error(
        book(&app, &token, &urgent).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "slot_beyond_urgent_deadline",
    )
    .await;
    // 04:00 UTC is two hours away: within the Almaty clinic's 3-hour urgent deadline.
    urgent["slot_start"] = json!("2026-11-23T04:00:00Z");
    let c: Value = book(&app, &token, &urgent).await.json().await.unwrap();
    assert_eq!(c["clock_started_at"], "2026-11-23T02:00:00Z");
    assert_eq!(c["deadline_at"], "2026-11-23T05:00:00Z");
    assert_eq!(c["time_left_seconds"], 3 * 3600);
}

#[tokio::test]
async fn art_13_the_deferred_clock_starts_when_the_documents_are_complete() {
    let clock = ManualClock::at(monday());
    let app = app_at(&clock).await;
    let aqtobe = app.demo_org("Актобе").await;
    let token = app.login_demo(PATIENT).await;
    accept_offer(&app, &token, &aqtobe, None).await;
    let body = json!({"mode": "deferred", "urgency": "urgent", "organization_id": aqtobe, "specialty": "radiology",
                      "reason": "Описание КТ", "funding": "paid"});
    let c: Value = book(&app, &token, &body).await.json().await.unwrap();
    assert_eq!(
        c["deadline_at"],
        Value::Null,
        "no clock before the documents"
    );
    assert_eq!(c["price_kzt"], 8000, "the first line of the price list");
    clock.advance(Duration::hours(5));
    let id = c["id"].as_str().unwrap();
    let c: Value = app
        .send_as(
            Method::POST,
            Some(&token),
            &format!("/api/consultations/{id}/documents-complete"),
            &json!(null),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(c["clock_started_at"], "2026-11-23T05:00:00Z");
    assert_eq!(
        c["deadline_at"], "2026-11-23T11:00:00Z",
        "Aqtobe's urgent deadline is 6 hours"
    );
    let again = app
        .send_as(
            Method::POST,
            Some(&token),
            &format!("/api/consultations/{id}/documents-complete"),
            &json!(null),
        )
        .await;
    assert_error(again, StatusCode::CONFLICT, "clock_already_started").await;
}

#[tokio::test]
async fn art_41_funding_must_be_offered_and_paid_prices_come_from_the_price_list() {
    let clock = ManualClock::at(monday());
    let app = app_at(&clock).await;
    let aqtobe = app.demo_org("Актобе").await;
    let token = app.login_demo(PATIENT).await;
    accept_offer(&app, &token, &aqtobe, None).await;
    let mut body = json!({"mode": "deferred", "urgency": "planned", "organization_id": aqtobe, "reason": "Второе мнение", "funding": "gobmp"});
    assert_error(
        book(&app, &token, &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "funding_not_offered",
    )
    .await;
    body["funding"] = json!("paid");
    body["price_service"] = json!("Второе мнение");
    assert_eq!(
        book(&app, &token, &body)
            .await
            .json::<Value>()
            .await
            .unwrap()["price_kzt"],
        15000
    );
    body["price_service"] = json!("Массаж");
    assert_error(
        book(&app, &token, &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown_price_item",
    )
    .await;
    body["funding"] = json!("vmi");
    body.as_object_mut().unwrap().remove("price_service");
    assert_eq!(
        book(&app, &token, &body).await.status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn art_14_booking_queues_invitations_and_reminders_for_both_sides() {
    let clock = ManualClock::at(monday());
    let app = app_at(&clock).await;
    let (cardio, org) = cardiologist(&app).await;
    let token = app.login_demo(PATIENT).await;
    accept_offer(&app, &token, &org, None).await;
    // Tuesday 09:00 Almaty: both the 24-hour and the 1-hour reminders are still ahead.
    let c: Value = book(&app, &token, &realtime(&cardio, "2026-11-24T04:00:00Z"))
        .await
        .json()
        .await
        .unwrap();
    let id = c["id"].as_str().unwrap();
    let rows = mail(&app);
    for who in [PATIENT, "cardio@demo.telemed.kz"] {
        let confirmation = mail_to(&rows, who, "booked:");
        assert_eq!(confirmation.len(), 1, "{who}");
        let ics = confirmation[0].ics.as_deref().unwrap();
        assert!(ics.contains("METHOD:REQUEST") && ics.contains("SEQUENCE:0"));
        assert!(ics.contains("DTSTART:20261124T040000Z"));
        assert!(
            confirmation[0]
                .body
                .contains(&format!("/#/consultations/{id}")),
            "the join link"
        );
        assert!(
            !confirmation[0].body.contains("Боли в груди"),
            "no medical details by e-mail"
        );
        let reminders = mail_to(&rows, who, "reminder:");
        let mut due: Vec<_> = reminders.iter().map(|r| r.due_at.and_utc()).collect();
        due.sort();
        assert_eq!(
            due,
            vec![
                Utc.with_ymd_and_hms(2026, 11, 23, 4, 0, 0).unwrap(),
                Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, 0).unwrap(),
            ]
        );
    }
}

#[tokio::test]
async fn art_15_cancellation_needs_a_reason_tells_both_sides_and_is_a_document() {
    let clock = ManualClock::at(monday());
    let app = app_at(&clock).await;
    let (cardio, org) = cardiologist(&app).await;
    let token = app.login_demo(PATIENT).await;
    accept_offer(&app, &token, &org, None).await;
    let c: Value = book(&app, &token, &realtime(&cardio, "2026-11-24T04:00:00Z"))
        .await
        .json()
        .await
        .unwrap();
    let id = c["id"].as_str().unwrap().to_owned();
    let doctor = app.login_demo("cardio@demo.telemed.kz").await;
    let path = format!("/api/consultations/{id}/cancel");
    let res = app
        .send_as(
            Method::POST,
            Some(&doctor),
            &path,
            &json!({"reason_code": "doctor_unavailable", "reason_text": " "}),
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "reason_required").await;
    let res = app
        .send_as(
            Method::POST,
            Some(&doctor),
            &path,
            &json!({"reason_code": "whim", "reason_text": "x"}),
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_reason_code").await;
    let res = app.send_as(Method::POST, Some(&doctor), &path, &json!({"reason_code": "doctor_unavailable", "reason_text": "Врач на выездной консультации"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let c: Value = res.json().await.unwrap();
    assert_eq!(c["status"], "cancelled");
    let event = c["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "cancelled")
        .unwrap();
    assert_eq!(event["details"]["by"], "doctor");
    assert_eq!(event["details"]["sha256"].as_str().unwrap().len(), 64);

    let rows = mail(&app);
    for who in [PATIENT, "cardio@demo.telemed.kz"] {
        let cancelled = mail_to(&rows, who, "cancelled:");
        assert_eq!(cancelled.len(), 1, "{who}");
        // The reason's code is told; the words typed are on the consultation's page only.
        assert!(
            cancelled[0]
                .body
                .contains("врач не может провести консультацию")
                && cancelled[0]
                    .body
                    .contains(&format!("/#/consultations/{id}")),
            "the reason is told"
        );
        assert!(!cancelled[0].body.contains("Врач на выездной консультации"));
        let ics = cancelled[0].ics.as_deref().unwrap();
        assert!(
            ics.contains("METHOD:CANCEL")
                && ics.contains("STATUS:CANCELLED")
                && ics.contains("SEQUENCE:1")
        );
        assert!(
            mail_to(&rows, who, "reminder:")
                .iter()
                .all(|r| r.status == "withdrawn"),
            "no reminders for a cancelled visit"
        );
    }
    // Cancelled is final; so is a consultation that took place.
    let again = app
        .send_as(
            Method::POST,
            Some(&token),
            &path,
            &json!({"reason_code": "other", "reason_text": "x"}),
        )
        .await;
    assert_error(again, StatusCode::CONFLICT, "consultation_closed").await;
    let c2: Value = book(&app, &token, &realtime(&cardio, "2026-11-24T04:00:00Z"))
        .await
        .json()
        .await
        .unwrap();
    let id2 = c2["id"].as_str().unwrap();
    diesel::update(consultations::table.find(id2))
        .set(consultations::status.eq("completed"))
        .execute(&mut app.context.db.get().unwrap())
        .unwrap();
    let res = app
        .send_as(
            Method::POST,
            Some(&token),
            &format!("/api/consultations/{id2}/cancel"),
            &json!({"reason_code": "other", "reason_text": "x"}),
        )
        .await;
    assert_error(res, StatusCode::CONFLICT, "consultation_closed").await;
}

#[tokio::test]
async fn art_15_rescheduling_keeps_the_uid_raises_the_sequence_and_moves_the_reminders() {
    let clock = ManualClock::at(monday());
    let app = app_at(&clock).await;
    let (cardio, org) = cardiologist(&app).await;
    let token = app.login_demo(PATIENT).await;
    accept_offer(&app, &token, &org, None).await;
    let c: Value = book(&app, &token, &realtime(&cardio, "2026-11-24T04:00:00Z"))
        .await
        .json()
        .await
        .unwrap();
    let id = c["id"].as_str().unwrap().to_owned();
    let path = format!("/api/consultations/{id}/reschedule");
    let move_to = |start: &str| json!({"slot_start": start, "reason_code": "patient_request", "reason_text": "Работа"});
    assert_error(
        app.send_as(
            Method::POST,
            Some(&token),
            &path,
            &move_to("2026-11-25T04:10:00Z"),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not_a_slot",
    )
    .await;
    let res = app
        .send_as(
            Method::POST,
            Some(&token),
            &path,
            &move_to("2026-11-25T05:00:00Z"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let c: Value = res.json().await.unwrap();
    assert_eq!(c["slot_start"], "2026-11-25T05:00:00Z");
    let moved = c["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "rescheduled")
        .unwrap();
    assert_eq!(moved["details"]["from"], "2026-11-24T04:00:00Z");

    let rows = mail(&app);
    let first = mail_to(&rows, PATIENT, "booked:")[0].ics.clone().unwrap();
    let second = mail_to(&rows, PATIENT, "rescheduled:")[0]
        .ics
        .clone()
        .unwrap();
    let uid = |ics: &str| {
        ics.lines()
            .find(|l| l.starts_with("UID:"))
            .unwrap()
            .to_owned()
    };
    assert_eq!(uid(&first), uid(&second));
    assert!(second.contains("SEQUENCE:1") && second.contains("DTSTART:20261125T050000Z"));
    let reminders = mail_to(&rows, PATIENT, "reminder:");
    assert_eq!(
        reminders.iter().filter(|r| r.status == "withdrawn").count(),
        2
    );
    let live: Vec<_> = reminders
        .iter()
        .filter(|r| r.status == "pending")
        .map(|r| r.due_at.and_utc())
        .collect();
    assert!(live.contains(&Utc.with_ymd_and_hms(2026, 11, 25, 4, 0, 0).unwrap()));
    // The old slot is free again.
    assert!(
        slots(&app, &cardio)
            .await
            .contains(&"2026-11-24T04:00:00Z".to_owned())
    );
}

#[tokio::test]
async fn art_8_the_staff_queue_is_ordered_by_deadline_and_a_breach_alerts_the_admin_once() {
    let clock = ManualClock::at(monday());
    let app = app_at(&clock).await;
    let aqtobe = app.demo_org("Актобе").await;
    let token = app.login_demo(PATIENT).await;
    accept_offer(&app, &token, &aqtobe, None).await;
    let request = |urgency: &str| {
        json!({"mode": "deferred", "urgency": urgency, "organization_id": aqtobe,
        "reason": "Интерпретация ЭКГ", "funding": "paid", "documents_complete": true})
    };
    let planned: Value = book(&app, &token, &request("planned"))
        .await
        .json()
        .await
        .unwrap();
    let urgent: Value = book(&app, &token, &request("urgent"))
        .await
        .json()
        .await
        .unwrap();

    let admin = app.login_demo("admin.aqtobe@demo.telemed.kz").await;
    let queue: Value = app.get_as(&admin, "/api/queue").await.json().await.unwrap();
    let ids: Vec<_> = queue
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].clone())
        .collect();
    assert_eq!(
        ids,
        vec![urgent["id"].clone(), planned["id"].clone()],
        "soonest deadline first"
    );
    assert_eq!(queue[0]["time_left_seconds"], 6 * 3600);
    assert_error(
        app.get_as(&token, "/api/queue").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    clock.advance(Duration::hours(7));
    // Two watchers (two nodes) run at once: one breach, one alert.
    let (a, b) = tokio::join!(
        deadlines::check(&app.context),
        deadlines::check(&app.context)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert_eq!(deadlines::check(&app.context).await.unwrap(), 0);
    let alerts = mail_to(&mail(&app), "admin.aqtobe@demo.telemed.kz", "breach:").len();
    assert_eq!(alerts, 1);
    let queue: Value = app.get_as(&admin, "/api/queue").await.json().await.unwrap();
    assert!(queue[0]["breached_at"].is_string());
    assert_eq!(queue[0]["time_left_seconds"], -3600);
}

#[tokio::test]
async fn art_40_every_read_of_a_patients_consultation_is_in_the_audit_log() {
    use telemed::db::schema::audit_events;
    let clock = ManualClock::at(monday());
    let app = app_at(&clock).await;
    let (cardio, org) = cardiologist(&app).await;
    let token = app.login_demo(PATIENT).await;
    accept_offer(&app, &token, &org, None).await;
    let c: Value = book(&app, &token, &realtime(&cardio, "2026-11-24T04:00:00Z"))
        .await
        .json()
        .await
        .unwrap();
    let patient = c["patient"]["id"].as_str().unwrap().to_owned();
    let doctor = app.login_demo("cardio@demo.telemed.kz").await;
    let doctor_id = app
        .get_as(&doctor, "/api/me")
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.get_as(
        &doctor,
        &format!("/api/consultations/{}", c["id"].as_str().unwrap()),
    )
    .await;
    app.get_as(&doctor, "/api/consultations").await;
    let mut conn = app.context.db.get().unwrap();
    let by_doctor: Vec<String> = audit_events::table
        .filter(audit_events::subject_id.eq(&patient))
        .filter(audit_events::actor_id.eq(&doctor_id))
        .select(audit_events::action)
        .load(&mut conn)
        .unwrap();
    assert_eq!(by_doctor, vec!["consultation.read", "consultation.list"]);
}
