//! Reminders (art. 14) are for a consultation still ahead: once it was held (here by telephone,
//! art. 33.2, the day before its slot) none of them may still go out.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use telemed::clock::ManualClock;

use super::{PATIENT, accept_offer, app_at, book, cardiologist, mail, monday, realtime};

#[tokio::test]
async fn art_14_reminders_are_withdrawn_once_the_consultation_was_held() {
    let clock = ManualClock::at(monday());
    let app = app_at(&clock).await;
    let (cardio, org) = cardiologist(&app).await;
    let token = app.login_demo(PATIENT).await;
    accept_offer(&app, &token, &org, None).await;
    // Tuesday 09:00 Almaty; its reminders (24 h and 1 h before, to both sides) are ahead.
    let c: Value = book(&app, &token, &realtime(&cardio, "2026-11-24T04:00:00Z"))
        .await
        .json()
        .await
        .unwrap();
    let id = c["id"].as_str().unwrap().to_owned();
    let reminders = |app: &crate::support::TestApp| {
        mail(app)
            .into_iter()
            .filter(|r| r.dedupe_key.starts_with(&format!("reminder:{id}:")))
            .map(|r| r.status)
            .collect::<Vec<_>>()
    };
    assert_eq!(reminders(&app), vec!["pending"; 4]);

    let doctor = app.login_demo("cardio@demo.telemed.kz").await;
    let res = app
        .send_as(
            Method::POST,
            Some(&doctor),
            &format!("/api/consultations/{id}/phone"),
            &json!({"minutes": 15, "note": "Пациент позвонил сам"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        reminders(&app),
        vec!["withdrawn"; 4],
        "a held consultation needs no reminder"
    );
}
