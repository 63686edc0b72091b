//! Who may write: anonymous callers nothing, patients nothing in the directory, an organisation's
//! administrators only their own organisation, the platform operator registers organisations.

mod matrix;
mod world;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{TestApp, assert_error, fresh_iin};

pub fn organization_body(urgent_hours: i64) -> Value {
    json!({
        "name": "Клиника «Шипагер»",
        "address": "г. Шымкент, ул. Байтурсынова, 1",
        "phone": "+7 7252 00 00 00",
        "email": "info@shipager.kz",
        "licence_number": "KZ-12345",
        "licensed_profiles": ["therapy", "cardiology"],
        "service_kinds": ["realtime", "deferred"],
        "gobmp": true,
        "osms": true,
        "time_zone": "Asia/Almaty",
        "consultation_minutes": 20,
        "urgent_deadline_hours": urgent_hours,
        "planned_deadline_hours": 48,
        "paid": false,
        "consent_procedure": "Согласие в личном кабинете."
    })
}

async fn org_as_json(app: &TestApp, id: &str) -> Value {
    let mut org: Value = app
        .get(&format!("/api/organizations/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let map = org.as_object_mut().unwrap();
    for read_only in ["id", "offer", "practitioners"] {
        map.remove(read_only);
    }
    org
}

#[tokio::test]
async fn anonymous_callers_cannot_write() {
    let app = TestApp::with_demo().await;
    let org = app.demo_org("Алматы").await;
    let doctor = app
        .get("/api/practitioners")
        .await
        .json::<Value>()
        .await
        .unwrap()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let writes = [
        (
            Method::POST,
            "/api/organizations".to_owned(),
            organization_body(6),
        ),
        (
            Method::PUT,
            format!("/api/organizations/{org}"),
            organization_body(6),
        ),
        (
            Method::POST,
            format!("/api/organizations/{org}/offers"),
            json!({"body": "x"}),
        ),
        (
            Method::POST,
            format!("/api/organizations/{org}/staff"),
            json!({}),
        ),
        (
            Method::PUT,
            format!("/api/practitioners/{doctor}"),
            json!({"position": "x", "specialties": []}),
        ),
        (
            Method::PUT,
            format!("/api/practitioners/{doctor}/schedule"),
            json!({"weekly": []}),
        ),
    ];
    for (method, path, body) in writes {
        let res = app.send_as(method.clone(), None, &path, &body).await;
        assert_error(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    }
    let res = app.get(&format!("/api/organizations/{org}/staff")).await;
    assert_error(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn a_patient_cannot_edit_an_organisation() {
    let app = TestApp::with_demo().await;
    let org = app.demo_org("Алматы").await;
    let patient = app.login_demo("patient@demo.telemed.kz").await;
    let body = org_as_json(&app, &org).await;
    let res = app
        .send_as(
            Method::PUT,
            Some(&patient),
            &format!("/api/organizations/{org}"),
            &body,
        )
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let res = app
        .send_as(
            Method::POST,
            Some(&patient),
            "/api/organizations",
            &organization_body(6),
        )
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let res = app
        .send_as(
            Method::GET,
            Some(&patient),
            &format!("/api/organizations/{org}/staff"),
            &json!(null),
        )
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn the_admin_of_one_organisation_cannot_touch_another() {
    let app = TestApp::with_demo().await;
    let almaty = app.demo_org("Алматы").await;
    let aqtobe = app.demo_org("Актобе").await;
    let admin = app.login_demo("admin.almaty@demo.telemed.kz").await;

    let body = org_as_json(&app, &aqtobe).await;
    let res = app
        .send_as(
            Method::PUT,
            Some(&admin),
            &format!("/api/organizations/{aqtobe}"),
            &body,
        )
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let res = app
        .send_as(
            Method::POST,
            Some(&admin),
            &format!("/api/organizations/{aqtobe}/offers"),
            &json!({"body": "чужая оферта"}),
        )
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let staff = json!({"full_name": "X Y", "iin": fresh_iin(30), "email": "x@y.kz", "password": "password123", "role": "support"});
    let res = app
        .send_as(
            Method::POST,
            Some(&admin),
            &format!("/api/organizations/{aqtobe}/staff"),
            &staff,
        )
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let res = app
        .send_as(
            Method::GET,
            Some(&admin),
            &format!("/api/organizations/{aqtobe}/staff"),
            &json!(null),
        )
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;

    let theirs: Value = app
        .get(&format!("/api/practitioners?organization={aqtobe}"))
        .await
        .json()
        .await
        .unwrap();
    let theirs = theirs[0]["id"].as_str().unwrap();
    let res = app
        .send_as(
            Method::PUT,
            Some(&admin),
            &format!("/api/practitioners/{theirs}/schedule"),
            &json!({"weekly": []}),
        )
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let res = app
        .send_as(
            Method::PUT,
            Some(&admin),
            &format!("/api/practitioners/{theirs}"),
            &json!({"position": "x", "specialties": [{"code": "therapy", "experience_years": 1}]}),
        )
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;

    // Their own organisation they may edit.
    let mut own = org_as_json(&app, &almaty).await;
    own["phone"] = json!("+7 727 999 99 99");
    let res = app
        .send_as(
            Method::PUT,
            Some(&admin),
            &format!("/api/organizations/{almaty}"),
            &own,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.json::<Value>().await.unwrap()["phone"],
        "+7 727 999 99 99"
    );
    // And the other organisation is unchanged.
    let other: Value = app
        .get(&format!("/api/organizations/{aqtobe}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(other["phone"], "+7 7132 55 00 00");
}

#[tokio::test]
async fn a_doctor_cannot_administer_their_organisation() {
    let app = TestApp::with_demo().await;
    let almaty = app.demo_org("Алматы").await;
    let doctor = app.login_demo("cardio@demo.telemed.kz").await;
    let body = org_as_json(&app, &almaty).await;
    let res = app
        .send_as(
            Method::PUT,
            Some(&doctor),
            &format!("/api/organizations/{almaty}"),
            &body,
        )
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn art_8_urgent_deadline_within_3_to_24_hours() {
    let app = TestApp::with_demo().await;
    let operator = app.login_demo("operator@demo.telemed.kz").await;
    for hours in [0, 2, 25, 48] {
        let res = app
            .send_as(
                Method::POST,
                Some(&operator),
                "/api/organizations",
                &organization_body(hours),
            )
            .await;
        assert_error(
            res,
            StatusCode::UNPROCESSABLE_ENTITY,
            "urgent_deadline_out_of_range",
        )
        .await;
    }
    for hours in [3, 24] {
        let res = app
            .send_as(
                Method::POST,
                Some(&operator),
                "/api/organizations",
                &organization_body(hours),
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "{hours} h is within art. 8"
        );
    }
    // The same rule holds when an administrator edits their organisation.
    let almaty = app.demo_org("Алматы").await;
    let admin = app.login_demo("admin.almaty@demo.telemed.kz").await;
    let mut own = org_as_json(&app, &almaty).await;
    own["urgent_deadline_hours"] = json!(30);
    let res = app
        .send_as(
            Method::PUT,
            Some(&admin),
            &format!("/api/organizations/{almaty}"),
            &own,
        )
        .await;
    assert_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "urgent_deadline_out_of_range",
    )
    .await;
}

#[tokio::test]
async fn organisation_input_is_validated() {
    let app = TestApp::with_demo().await;
    let operator = app.login_demo("operator@demo.telemed.kz").await;
    let cases = [
        ("time_zone", json!("Asia/Nowhere"), "invalid_time_zone"),
        ("licensed_profiles", json!(["alchemy"]), "unknown_specialty"),
        (
            "consultation_minutes",
            json!(0),
            "consultation_length_out_of_range",
        ),
        ("name", json!(""), "missing_field"),
        ("paid", json!(true), "price_list_required"),
    ];
    for (field, value, code) in cases {
        let mut body = organization_body(6);
        body[field] = value;
        let res = app
            .send_as(Method::POST, Some(&operator), "/api/organizations", &body)
            .await;
        assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, code).await;
    }
}

#[tokio::test]
async fn an_admin_publishes_offer_versions_and_sets_schedules() {
    let app = TestApp::with_demo().await;
    let almaty = app.demo_org("Алматы").await;
    let admin = app.login_demo("admin.almaty@demo.telemed.kz").await;
    let res = app
        .send_as(
            Method::POST,
            Some(&admin),
            &format!("/api/organizations/{almaty}/offers"),
            &json!({"body": "Оферта, редакция 2"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.json::<Value>().await.unwrap()["version"], 2);
    let org: Value = app
        .get(&format!("/api/organizations/{almaty}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(org["offer"]["body"], "Оферта, редакция 2");

    let doctor = org["practitioners"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/practitioners/{doctor}/schedule");
    let schedule = json!({
        "weekly": [{"weekday": 2, "start": "08:00", "end": "12:00"}, {"weekday": 2, "start": "13:00", "end": "17:30"}],
        "days_off": [{"date": "2027-01-07", "reason": "Рождество"}]
    });
    let res = app
        .send_as(Method::PUT, Some(&admin), &path, &schedule)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let view: Value = res.json().await.unwrap();
    assert_eq!(view["schedule"]["weekly"].as_array().unwrap().len(), 2);
    assert_eq!(view["schedule"]["weekly"][1]["end"], "17:30");
    assert_eq!(view["schedule"]["days_off"][0]["date"], "2027-01-07");

    let overlapping = json!({"weekly": [{"weekday": 1, "start": "08:00", "end": "12:00"}, {"weekday": 1, "start": "11:00", "end": "13:00"}]});
    let res = app
        .send_as(Method::PUT, Some(&admin), &path, &overlapping)
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_schedule").await;
    // The refused schedule did not replace the stored one.
    let still: Value = app
        .get(&format!("/api/practitioners/{doctor}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(still["schedule"]["weekly"].as_array().unwrap().len(), 2);
}
