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
    let read = log["entries"]
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
        log["entries"]
            .as_array()
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

async fn page(app: &TestApp, token: &str, query: &str) -> Value {
    let res = app
        .get_as(token, &format!("/api/me/access-log?{query}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{query}");
    res.json().await.unwrap()
}

fn entries(log: &Value) -> &Vec<Value> {
    log["entries"].as_array().unwrap()
}

#[tokio::test]
async fn art_40_the_access_log_pages_filters_by_who_and_kind_and_leaves_out_the_patients_own_views()
{
    let clock = ManualClock::at(Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap());
    let app = TestApp::with_demo_on(Arc::new(clock)).await;
    let patient = app.login_demo("patient@demo.telemed.kz").await;
    let me: Value = app.get_as(&patient, "/api/me").await.json().await.unwrap();
    let patient_id = me["id"].as_str().unwrap();
    let id = booked_consultation(&app, &patient).await;
    // The patient looks at their own booking again and again: the flood the page hides.
    for _ in 0..3 {
        app.get_as(&patient, &format!("/api/consultations/{id}"))
            .await;
    }
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
    for _ in 0..2 {
        app.get_as(&doctor, &format!("/api/consultations/{id}"))
            .await;
    }

    // By default the patient's own views are left out and counted; their own acts stay.
    let log = page(&app, &patient, "").await;
    let own_read = |e: &&Value| e["actor"]["id"] == patient_id && e["kind"] == "read";
    assert_eq!(entries(&log).iter().filter(own_read).count(), 0, "{log}");
    assert!(log["own_hidden"].as_i64().unwrap() >= 3, "{log}");
    assert!(
        entries(&log)
            .iter()
            .any(|e| e["action"] == "consultation.book")
    );
    assert_eq!(
        entries(&log)
            .iter()
            .filter(|e| e["actor"]["id"] == doctor_id.as_str() && e["action"] == "consultation.read")
            .count(),
        2
    );
    let all = page(&app, &patient, "include_own=true").await;
    assert!(entries(&all).iter().filter(own_read).count() >= 3);
    assert_eq!(all["own_hidden"], 0);
    assert_eq!(
        all["total"].as_i64().unwrap(),
        log["total"].as_i64().unwrap() + log["own_hidden"].as_i64().unwrap()
    );

    // Grouped by who, with counts; one person's rows, one kind's rows.
    let group = log["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["actor"]["id"] == doctor_id.as_str())
        .expect("the doctor is a group");
    assert_eq!(group["actor"]["full_name"], "Ахметова Гульнара Сериковна");
    let theirs = page(&app, &patient, &format!("who={doctor_id}")).await;
    assert_eq!(theirs["total"], group["count"]);
    assert!(
        entries(&theirs)
            .iter()
            .all(|e| e["actor"]["id"] == doctor_id.as_str())
    );
    for kind in ["read", "change"] {
        let only = page(&app, &patient, &format!("kind={kind}&include_own=true")).await;
        assert!(!entries(&only).is_empty(), "{kind}");
        assert!(entries(&only).iter().all(|e| e["kind"] == kind), "{only}");
        let counted = all["kinds"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kind"] == kind)
            .unwrap();
        assert_eq!(counted["count"], only["total"]);
    }

    // Pages: newest first, no row twice, an empty page past the end.
    let first = page(&app, &patient, "include_own=true&limit=2").await;
    let second = page(&app, &patient, "include_own=true&limit=2&page=2").await;
    assert_eq!(
        (first["page"].as_i64(), first["limit"].as_i64()),
        (Some(1), Some(2))
    );
    assert_eq!(entries(&first).len(), 2);
    assert_eq!(
        entries(&all)[..4],
        [entries(&first).clone(), entries(&second).clone()].concat()[..]
    );
    let past = page(&app, &patient, "include_own=true&limit=200&page=50").await;
    assert!(entries(&past).is_empty());
    assert_eq!(past["total"], all["total"]);

    // Bad paging and filters are the client's error, each with its code.
    for (query, status, code) in [
        ("limit=0", StatusCode::UNPROCESSABLE_ENTITY, "invalid_limit"),
        (
            "limit=201",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_limit",
        ),
        ("page=0", StatusCode::UNPROCESSABLE_ENTITY, "invalid_page"),
        (
            "kind=everything",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_kind",
        ),
        ("who=%00", StatusCode::UNPROCESSABLE_ENTITY, "invalid_id"),
        ("page=two", StatusCode::BAD_REQUEST, "invalid_query"),
    ] {
        let res = app
            .get_as(&patient, &format!("/api/me/access-log?{query}"))
            .await;
        assert_error(res, status, code).await;
    }
}

#[tokio::test]
async fn art_40_break_the_glass_stays_counted_and_marked_whatever_the_filter() {
    let clock = ManualClock::at(Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap());
    let app = TestApp::with_demo_on(Arc::new(clock)).await;
    let patient = app.login_demo("patient@demo.telemed.kz").await;
    let me: Value = app.get_as(&patient, "/api/me").await.json().await.unwrap();
    let doctor = app.login_demo("cardio@demo.telemed.kz").await;
    let therapist = app.login_demo("therapist@demo.telemed.kz").await;
    let res = app
        .send_as(
            Method::POST,
            Some(&therapist),
            "/api/break-glass",
            &json!({"patient": me["iin"],
                "reason": "Пациент доставлен без сознания, нужна история болезни"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let doctor_id = app
        .get_as(&doctor, "/api/me")
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Filtered to someone else and to views, the page still counts the grant for its warning.
    let other = page(&app, &patient, &format!("who={doctor_id}&kind=read")).await;
    assert_eq!(other["break_glass_grants"], 1, "{other}");
    let glass = page(&app, &patient, "kind=break_glass").await;
    let grant = entries(&glass)
        .iter()
        .find(|e| e["action"] == "patient.break_glass")
        .expect("the grant is listed");
    assert_eq!(grant["break_glass"], true);
    assert_eq!(grant["actor"]["full_name"], "Иванов Сергей Петрович");
    assert!(entries(&glass).iter().all(|e| e["break_glass"] == true));
}
