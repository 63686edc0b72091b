//! Staff accounts: the administrator lists them with their state and deactivates them; a
//! deactivated account cannot sign in, its sessions end at once, and the act is audited.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use telemed::services::demo::DEMO_PASSWORD;

use super::{audited, ok_json};
use crate::support::{TestApp, assert_error};

fn by_email<'a>(list: &'a Value, email: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == email)
        .unwrap_or_else(|| panic!("{email} listed"))
}

#[tokio::test]
async fn a_deactivated_employee_cannot_sign_in_and_loses_their_sessions() {
    let app = TestApp::with_demo().await;
    let org = app.demo_org("Алматы").await;
    let admin = app.login_demo("admin.almaty@demo.telemed.kz").await;
    let doctor = app.login_demo("neuro@demo.telemed.kz").await;
    let staff_path = format!("/api/organizations/{org}/staff");
    let list = ok_json(&app, &admin, Method::GET, &staff_path, &json!(null)).await;
    let neuro = by_email(&list, "neuro@demo.telemed.kz");
    assert_eq!(neuro["role"], "doctor");
    assert_eq!(neuro["deactivated_at"], Value::Null);
    assert_eq!(neuro["invitation_pending"], false);
    let practitioner = neuro["practitioner_id"]
        .as_str()
        .expect("a doctor's profile")
        .to_owned();
    assert_eq!(
        by_email(&list, "support.almaty@demo.telemed.kz")["practitioner_id"],
        Value::Null
    );
    let user_id = neuro["id"].as_str().unwrap().to_owned();
    let patient = app.login_demo("patient@demo.telemed.kz").await;
    let consent = format!("/api/organizations/{org}/consent");
    ok_json(
        &app,
        &patient,
        Method::POST,
        &consent,
        &json!({"action": "accept"}),
    )
    .await;
    let slots: Value = app
        .get(&format!("/api/slots?practitioner={practitioner}"))
        .await
        .json()
        .await
        .unwrap();
    let start = slots[0]["slots"][0]["start"].clone();
    assert!(start.is_string(), "the neurologist has free slots: {slots}");

    let off = ok_json(
        &app,
        &admin,
        Method::POST,
        &format!("{staff_path}/{user_id}/deactivate"),
        &json!(null),
    )
    .await;
    assert!(off["deactivated_at"].is_string());
    assert_eq!(audited(&app, "staff.deactivate", None), 1);
    // The session the doctor had is gone, and signing in again fails like a wrong password.
    let res = app.get_as(&doctor, "/api/me").await;
    assert_error(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    let res = app
        .post(
            "/api/auth/login",
            &json!({"email": "neuro@demo.telemed.kz", "password": DEMO_PASSWORD}),
        )
        .await;
    assert_error(res, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    // Nobody books a deactivated doctor from the directory; their administrator still sees them.
    let res = app.get(&format!("/api/practitioners/{practitioner}")).await;
    assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
    let listed: Value = app
        .get(&format!("/api/practitioners?organization={org}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["id"] != practitioner.as_str())
    );
    // Nor from their slots, whether asked by id or by specialty, nor by a slot seen before.
    let res = app
        .get(&format!("/api/slots?practitioner={practitioner}"))
        .await;
    assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
    let by_specialty: Value = app
        .get("/api/slots?specialty=neurology")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        by_specialty
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["practitioner_id"] != practitioner.as_str()),
        "{by_specialty}"
    );
    let booking = json!({"mode": "realtime", "urgency": "planned", "practitioner_id": practitioner,
        "slot_start": start, "reason": "Головная боль", "funding": "gobmp"});
    let res = app
        .send_as(Method::POST, Some(&patient), "/api/consultations", &booking)
        .await;
    assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
    let list = ok_json(&app, &admin, Method::GET, &staff_path, &json!(null)).await;
    assert!(by_email(&list, "neuro@demo.telemed.kz")["deactivated_at"].is_string());

    // Asked again, nothing changes and nothing more is audited.
    ok_json(
        &app,
        &admin,
        Method::POST,
        &format!("{staff_path}/{user_id}/deactivate"),
        &json!(null),
    )
    .await;
    assert_eq!(audited(&app, "staff.deactivate", None), 1);

    let on = ok_json(
        &app,
        &admin,
        Method::POST,
        &format!("{staff_path}/{user_id}/reactivate"),
        &json!(null),
    )
    .await;
    assert_eq!(on["deactivated_at"], Value::Null);
    assert_eq!(audited(&app, "staff.reactivate", None), 1);
    app.login_demo("neuro@demo.telemed.kz").await;
    assert_eq!(
        app.get(&format!("/api/practitioners/{practitioner}"))
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn deactivation_reaches_only_the_organisations_own_staff_and_never_oneself() {
    let app = TestApp::with_demo().await;
    let almaty = app.demo_org("Алматы").await;
    let aqtobe = app.demo_org("Актобе").await;
    let admin = app.login_demo("admin.almaty@demo.telemed.kz").await;
    let me: Value = app.get_as(&admin, "/api/me").await.json().await.unwrap();
    let own_id = me["id"].as_str().unwrap();
    let res = app
        .send_as(
            Method::POST,
            Some(&admin),
            &format!("/api/organizations/{almaty}/staff/{own_id}/deactivate"),
            &json!(null),
        )
        .await;
    assert_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "cannot_deactivate_self",
    )
    .await;

    // An Aqtobe doctor through the Almaty path is no employee there; the Aqtobe path is not theirs.
    let aqtobe_admin = app.login_demo("admin.aqtobe@demo.telemed.kz").await;
    let theirs = ok_json(
        &app,
        &aqtobe_admin,
        Method::GET,
        &format!("/api/organizations/{aqtobe}/staff"),
        &json!(null),
    )
    .await;
    let pulmo = by_email(&theirs, "pulmo@demo.telemed.kz")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .send_as(
            Method::POST,
            Some(&admin),
            &format!("/api/organizations/{almaty}/staff/{pulmo}/deactivate"),
            &json!(null),
        )
        .await;
    assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
    let res = app
        .send_as(
            Method::POST,
            Some(&admin),
            &format!("/api/organizations/{aqtobe}/staff/{pulmo}/deactivate"),
            &json!(null),
        )
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    app.login_demo("pulmo@demo.telemed.kz").await;

    // The platform operator may act for any organisation, e.g. when its only administrator left.
    let operator = app.login_demo("operator@demo.telemed.kz").await;
    let almaty_admin_id = own_id.to_owned();
    ok_json(
        &app,
        &operator,
        Method::POST,
        &format!("/api/organizations/{almaty}/staff/{almaty_admin_id}/deactivate"),
        &json!(null),
    )
    .await;
    let res = app.get_as(&admin, "/api/me").await;
    assert_error(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}
