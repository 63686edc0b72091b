//! Who accepted which version of the public offer (art. 33.1): the organisation's
//! administrators read it; each patient listed sees the read in their access log (art. 40).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{audited, ok_json};
use crate::support::{TestApp, assert_error};

#[tokio::test]
async fn art_33_the_administrator_sees_who_accepted_which_offer_version() {
    let app = TestApp::with_demo().await;
    let org = app.demo_org("Алматы").await;
    let admin = app.login_demo("admin.almaty@demo.telemed.kz").await;
    let patient = app.login_demo("patient@demo.telemed.kz").await;
    let parent = app.login_demo("parent@demo.telemed.kz").await;
    let me: Value = app.get_as(&patient, "/api/me").await.json().await.unwrap();
    let patient_id = me["id"].as_str().unwrap().to_owned();
    let parent_me: Value = app.get_as(&parent, "/api/me").await.json().await.unwrap();
    let child_id = parent_me["represented_patients"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let consent = format!("/api/organizations/{org}/consent");
    ok_json(
        &app,
        &patient,
        Method::POST,
        &consent,
        &json!({"action": "accept"}),
    )
    .await;
    ok_json(
        &app,
        &parent,
        Method::POST,
        &consent,
        &json!({"action": "accept", "patient_id": child_id}),
    )
    .await;
    // A new version: earlier acceptances stay, on the version they named.
    ok_json(
        &app,
        &admin,
        Method::POST,
        &format!("/api/organizations/{org}/offers"),
        &json!({"body": "Оферта, редакция 2"}),
    )
    .await;
    ok_json(
        &app,
        &patient,
        Method::POST,
        &consent,
        &json!({"action": "accept"}),
    )
    .await;

    let path = format!("/api/organizations/{org}/offer-acceptances");
    let page = ok_json(&app, &admin, Method::GET, &path, &json!(null)).await;
    assert_eq!(page["total"], 3);
    let acts = page["acts"].as_array().unwrap();
    assert_eq!(acts[0]["patient"]["id"], patient_id.as_str());
    assert_eq!(acts[0]["offer_version"], 2);
    assert_eq!(acts[0]["latest"], true);
    let on_behalf = acts
        .iter()
        .find(|a| a["patient"]["id"] == child_id.as_str())
        .unwrap();
    assert_eq!(on_behalf["on_behalf"], true);
    assert_eq!(on_behalf["offer_version"], 1);
    assert_eq!(on_behalf["act"], "accept");
    assert!(
        on_behalf["actor"]["full_name"]
            .as_str()
            .is_some_and(|n| !n.is_empty())
    );
    let superseded = acts
        .iter()
        .find(|a| a["patient"]["id"] == patient_id.as_str() && a["offer_version"] == 1)
        .unwrap();
    assert_eq!(superseded["latest"], false);
    let versions = page["versions"].as_array().unwrap();
    let standing =
        |v: i64| versions.iter().find(|x| x["version"] == v).unwrap()["accepted_now"].clone();
    assert_eq!(standing(2), 1);
    assert_eq!(standing(1), 1);

    let only_v1 = ok_json(
        &app,
        &admin,
        Method::GET,
        &format!("{path}?version=1"),
        &json!(null),
    )
    .await;
    assert_eq!(only_v1["total"], 2);
    let paged = ok_json(
        &app,
        &admin,
        Method::GET,
        &format!("{path}?limit=1&page=2"),
        &json!(null),
    )
    .await;
    assert_eq!(paged["acts"].as_array().unwrap().len(), 1);
    assert_eq!(paged["total"], 3);
    for bad in ["limit=0", "limit=201", "page=0"] {
        let res = app.get_as(&admin, &format!("{path}?{bad}")).await;
        let code = if bad.starts_with("page") {
            "invalid_page"
        } else {
            "invalid_limit"
        };
        assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, code).await;
    }
    // Each patient of each page read is in their own access log.
    assert!(audited(&app, "offer.acceptances.read", Some(&patient_id)) >= 2);
    assert!(audited(&app, "offer.acceptances.read", Some(&child_id)) >= 2);

    // Neither another organisation's administrator nor the operator reads them.
    for who in [
        "admin.aqtobe@demo.telemed.kz",
        "operator@demo.telemed.kz",
        "support.almaty@demo.telemed.kz",
    ] {
        let token = app.login_demo(who).await;
        let res = app.get_as(&token, &path).await;
        assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    }
}
