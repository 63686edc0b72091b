//! Each recipient reads a letter written for them, in their own stored language, and no letter
//! carries free text a person typed: a reason is said to exist and is linked to, not copied.
//! Read from the outbox the services write in their transaction (delivery is `delivery.rs`).

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use telemed::clock::ManualClock;
use telemed::db::models::OutboxRow;
use telemed::db::schema::users;

use crate::support::{TestApp, outbox};

const PATIENT: &str = "patient@demo.telemed.kz";
const CARDIO: &str = "cardio@demo.telemed.kz";

async fn app() -> TestApp {
    let monday = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap();
    TestApp::with_demo_on(Arc::new(ManualClock::at(monday))).await
}

fn name_of(app: &TestApp, email: &str) -> String {
    let mut conn = app.context.db.get().expect("connection");
    users::table
        .filter(users::email.eq(email))
        .select(users::full_name)
        .first(&mut conn)
        .expect("a demo user")
}

fn set_language(app: &TestApp, email: &str, language: &str) {
    let mut conn = app.context.db.get().expect("connection");
    diesel::update(users::table.filter(users::email.eq(email)))
        .set(users::language.eq(language))
        .execute(&mut conn)
        .expect("language stored");
}

/// Accepts the offer of the organisation and books the Almaty cardiologist on Tuesday 09:00.
async fn book_cardio(app: &TestApp, patient: &str) -> String {
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
    let consent = json!({"action": "accept", "method": "click"});
    let path = format!("/api/organizations/{org}/consent");
    let res = app
        .send_as(Method::POST, Some(patient), &path, &consent)
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let booking = json!({"mode": "realtime", "urgency": "planned", "practitioner_id": cardio["id"],
        "slot_start": "2026-11-24T04:00:00Z", "reason": "Боли в груди при нагрузке", "funding": "gobmp"});
    let res = app
        .send_as(Method::POST, Some(patient), "/api/consultations", &booking)
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn letter_to<'a>(rows: &'a [OutboxRow], who: &str, key: &str) -> &'a OutboxRow {
    rows.iter()
        .find(|m| m.recipient == who && m.dedupe_key.starts_with(key))
        .unwrap_or_else(|| panic!("no {key} letter to {who}"))
}

#[tokio::test]
async fn the_doctors_copy_of_a_booking_is_written_for_the_doctor_in_the_doctors_language() {
    let app = app().await;
    // Each reads their own stored language, whoever made the booking.
    set_language(&app, PATIENT, "kk");
    set_language(&app, CARDIO, "en");
    let patient = app.login_demo(PATIENT).await;
    let id = book_cardio(&app, &patient).await;
    let rows = outbox(&app);
    let (patient_name, doctor_name) = (name_of(&app, PATIENT), name_of(&app, CARDIO));

    let to_patient = letter_to(&rows, PATIENT, "booked:");
    assert!(
        to_patient
            .body
            .starts_with(&format!("Сәлеметсіз бе, {patient_name}!")),
        "{}",
        to_patient.body
    );
    let to_doctor = letter_to(&rows, CARDIO, "booked:");
    let greeting = to_doctor.body.lines().next().unwrap_or_default();
    assert_eq!(
        greeting,
        format!("Dear {doctor_name},"),
        "{}",
        to_doctor.body
    );
    assert!(to_doctor.body.contains(&format!("Patient: {patient_name}")));
    for patients_words in [
        "Your remote consultation",
        "cancel the booking",
        "your account",
    ] {
        assert!(
            !to_doctor.body.contains(patients_words),
            "the doctor's copy reads like the patient's: {}",
            to_doctor.body
        );
    }
    assert!(to_doctor.body.contains(&format!("/#/consultations/{id}")));
    assert!(
        to_doctor
            .subject
            .starts_with("New booking: 24.11.2026 09:00"),
        "{}",
        to_doctor.subject
    );
}

#[tokio::test]
async fn a_deferred_requests_confirmation_has_a_whole_subject() {
    let app = app().await;
    let aqtobe = app.demo_org("Актобе").await;
    let patient = app.login_demo(PATIENT).await;
    let consent = json!({"action": "accept", "method": "click"});
    let path = format!("/api/organizations/{aqtobe}/consent");
    let res = app
        .send_as(Method::POST, Some(&patient), &path, &consent)
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body = json!({"mode": "deferred", "urgency": "urgent", "organization_id": aqtobe,
        "specialty": "radiology", "reason": "Описание КТ органов грудной клетки", "funding": "paid"});
    let res = app
        .send_as(Method::POST, Some(&patient), "/api/consultations", &body)
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let rows = outbox(&app);
    let letter = letter_to(&rows, PATIENT, "booked:");
    let subject = letter.subject.trim_end();
    assert!(
        !subject.ends_with(':') && !subject.contains(": —"),
        "an empty subject after the colon: {subject:?}"
    );
    assert!(subject.contains("отложенную консультацию"), "{subject}");
    assert!(letter.body.contains("документы"), "{}", letter.body);
    assert!(!letter.body.contains("Описание КТ"), "{}", letter.body);
}

#[tokio::test]
async fn reasons_people_type_stay_out_of_mail_which_links_to_where_they_are_read() {
    let app = app().await;
    let patient = app.login_demo(PATIENT).await;
    let id = book_cardio(&app, &patient).await;
    let doctor = app.login_demo(CARDIO).await;
    let moved = "Пациентке с подозрением на ОКС нужен ранний слот";
    let res = app
        .send_as(
            Method::POST,
            Some(&doctor),
            &format!("/api/consultations/{id}/reschedule"),
            &json!({"slot_start": "2026-11-24T04:30:00Z", "reason_code": "other", "reason_text": moved}),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let cancelled = "Госпитализирована с пневмонией";
    let res = app
        .send_as(
            Method::POST,
            Some(&patient),
            &format!("/api/consultations/{id}/cancel"),
            &json!({"reason_code": "patient_unwell", "reason_text": cancelled}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let rows = outbox(&app);
    for m in &rows {
        for text in [moved, cancelled, "Боли в груди"] {
            assert!(!m.body.contains(text), "{} carries {text:?}", m.dedupe_key);
            assert!(!m.subject.contains(text), "{}", m.dedupe_key);
        }
    }
    for who in [PATIENT, CARDIO] {
        for key in ["rescheduled:", "cancelled:"] {
            let letter = letter_to(&rows, who, key);
            assert!(
                letter.body.contains(&format!("/#/consultations/{id}")),
                "{key} to {who} links to the reason: {}",
                letter.body
            );
        }
    }
    let to_doctor = letter_to(&rows, CARDIO, "cancelled:");
    assert!(
        to_doctor.body.contains("Кто отменил: пациент"),
        "{}",
        to_doctor.body
    );
    assert!(
        to_doctor
            .body
            .contains("Причина отмены: пациент плохо себя чувствует")
    );
    assert!(
        to_doctor
            .body
            .contains("Пояснение к отмене приведено на странице консультации")
    );
}
