//! The platform operator: organisations with their administrators, and the platform's health.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::ok_json;
use crate::support::{TestApp, assert_error, fresh_iin};

#[tokio::test]
async fn the_operator_registers_an_organisation_and_invites_its_first_administrator() {
    let app = TestApp::with_demo().await;
    let operator = app.login_demo("operator@demo.telemed.kz").await;
    let body = crate::authorization::organization_body(6);
    let created = ok_json(&app, &operator, Method::POST, "/api/organizations", &body).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let invite = json!({"full_name": "Омарова Дана", "iin": fresh_iin(777), "email": "dana@shipager.kz",
        "role": "org_admin", "language": "kk"});
    ok_json(
        &app,
        &operator,
        Method::POST,
        &format!("/api/organizations/{id}/invites"),
        &invite,
    )
    .await;

    let orgs = ok_json(
        &app,
        &operator,
        Method::GET,
        "/api/platform/organizations",
        &json!(null),
    )
    .await;
    let orgs = orgs.as_array().unwrap();
    assert_eq!(orgs.len(), 3);
    let new = orgs.iter().find(|o| o["id"] == id.as_str()).unwrap();
    assert_eq!(new["administrators"][0]["email"], "dana@shipager.kz");
    assert_eq!(new["administrators"][0]["invitation_pending"], true);
    assert_eq!(new["practitioners"], 0);
    let almaty = orgs
        .iter()
        .find(|o| o["address"].as_str().unwrap().contains("Алматы"))
        .unwrap();
    assert!(
        almaty["administrators"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["email"] == "admin.almaty@demo.telemed.kz"
                && a["invitation_pending"] == false)
    );
    assert!(almaty["practitioners"].as_i64().unwrap() >= 4);

    let health = ok_json(
        &app,
        &operator,
        Method::GET,
        "/api/platform/health",
        &json!(null),
    )
    .await;
    assert_eq!(health["organizations"], 3);
    let accounts: i64 = {
        use diesel::prelude::*;
        let mut conn = app.context.db.get().unwrap();
        telemed::db::schema::users::table
            .count()
            .get_result(&mut conn)
            .unwrap()
    };
    assert_eq!(health["users"], accounts);
    assert_eq!(health["users_by_role"]["platform_admin"], 1);
    assert!(
        health["outbox"]["pending"].as_i64().unwrap() >= 1,
        "the invitation waits in the outbox: {health}"
    );
    assert!(health["audit"]["last_seq"].as_i64().unwrap() > 0);
    assert!(
        health["audit"]["last_hash"]
            .as_str()
            .is_some_and(|h| h.len() == 64)
    );
    assert!(["sqlite", "postgresql"].contains(&health["database"].as_str().unwrap()));

    for who in [
        "admin.almaty@demo.telemed.kz",
        "cardio@demo.telemed.kz",
        "patient@demo.telemed.kz",
    ] {
        let token = app.login_demo(who).await;
        for path in ["/api/platform/organizations", "/api/platform/health"] {
            let res = app.get_as(&token, path).await;
            assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
        }
    }
    // Without the cookie jar the sign-ins above filled.
    let res = reqwest::get(app.at("/api/platform/health")).await.unwrap();
    assert_error(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}
