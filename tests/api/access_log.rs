//! The patient's access log (art. 40) and the tamper-evident audit chain.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use telemed::clock::ManualClock;
use telemed::db::schema::audit_events;

use crate::support::{TestApp, assert_error};

async fn booked_consultation(app: &TestApp, patient: &str) -> String {
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
    app.send_as(
        Method::POST,
        Some(patient),
        &format!("/api/organizations/{org}/consent"),
        &consent,
    )
    .await;
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

#[tokio::test]
async fn art_40_the_patient_sees_who_opened_their_consultation_when_and_why() {
    let clock = ManualClock::at(Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap());
    let app = TestApp::with_demo_on(Arc::new(clock)).await;
    let patient = app.login_demo("patient@demo.telemed.kz").await;
    let id = booked_consultation(&app, &patient).await;
    let doctor = app.login_demo("cardio@demo.telemed.kz").await;
    assert_eq!(
        app.get_as(&doctor, &format!("/api/consultations/{id}"))
            .await
            .status(),
        StatusCode::OK
    );

    let log: Value = app
        .get_as(&patient, "/api/me/access-log")
        .await
        .json()
        .await
        .unwrap();
    let read = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "consultation.read")
        .expect("the doctor's read is logged");
    assert_eq!(read["actor"]["full_name"], "Ахметова Гульнара Сериковна");
    assert_eq!(read["actor"]["role"], "doctor");
    assert_eq!(
        read["actor"]["organization_name"],
        "Городская поликлиника №7 (демо)"
    );
    assert_eq!(
        read["purpose"],
        id.as_str(),
        "why: the consultation that links them"
    );
    assert_eq!(read["at"], "2026-11-23T00:00:00Z");
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "consultation.book")
    );

    // Staff do not read patients' logs through this view; another patient sees nothing of it.
    assert_error(
        app.get_as(&doctor, "/api/me/access-log").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let parent = app.login_demo("parent@demo.telemed.kz").await;
    let own: Value = app.get_as(&parent, "/api/me").await.json().await.unwrap();
    let child = own["represented_patients"][0]["id"].as_str().unwrap();
    let res = app
        .get_as(&parent, &format!("/api/me/access-log?patient_id={child}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let patient_id = read["actor"]["id"].as_str().unwrap();
    let res = app
        .get_as(
            &parent,
            &format!("/api/me/access-log?patient_id={patient_id}"),
        )
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn art_40_editing_an_audit_row_makes_audit_verify_fail_and_name_the_row() {
    let app = TestApp::with_demo().await;
    let patient = app.login_demo("patient@demo.telemed.kz").await;
    app.get_as(&patient, "/api/consultations").await;
    let verify = || crate::cli::audit_verify(&app);
    let ok = verify();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("audit log intact"));

    let mut conn = app.context.db.get().unwrap();
    crate::cli::drop_audit_triggers(&mut conn);
    diesel::update(audit_events::table.filter(audit_events::seq.eq(1)))
        .set(audit_events::ip.eq("10.0.0.1"))
        .execute(&mut conn)
        .unwrap();
    let broken = verify();
    assert!(!broken.status.success());
    let said = String::from_utf8_lossy(&broken.stderr);
    assert!(
        said.contains("broken at row 1") && said.contains("altered"),
        "{said}"
    );
}
