//! Break-the-glass (art. 40): the administrators' letter says who opened whose chart and when,
//! and links to the review page instead of carrying the reason the doctor typed, which can
//! describe the patient's condition. The review is theirs only, and each patient sees it.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use telemed::clock::ManualClock;

use crate::support::{TestApp, assert_error, outbox};

const ADMIN: &str = "admin.almaty@demo.telemed.kz";
const REASON: &str = "Доставлена без сознания, подозрение на инсульт";

#[tokio::test]
async fn art_40_the_administrators_read_the_reason_on_the_review_page_not_in_mail() {
    let monday = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap();
    let app = TestApp::with_demo_on(Arc::new(ManualClock::at(monday))).await;
    let patient = app.login_demo("patient@demo.telemed.kz").await;
    let me: Value = app.get_as(&patient, "/api/me").await.json().await.unwrap();
    let therapist = app.login_demo("therapist@demo.telemed.kz").await;
    let res = app
        .send_as(
            Method::POST,
            Some(&therapist),
            "/api/break-glass",
            &json!({"patient": me["iin"], "reason": REASON}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);

    let letter = outbox(&app)
        .into_iter()
        .find(|m| m.recipient == ADMIN && m.dedupe_key.starts_with("break_glass:"))
        .expect("the administrator is told");
    assert!(!letter.body.contains(REASON), "{}", letter.body);
    assert!(
        letter.body.contains("/#/break-glass/review"),
        "{}",
        letter.body
    );
    assert!(letter.body.contains(me["full_name"].as_str().unwrap()));

    let almaty = app.demo_org("Алматы").await;
    let path = format!("/api/organizations/{almaty}/break-glass");
    let admin = app.login_demo(ADMIN).await;
    let res = app.get_as(&admin, &path).await;
    assert_eq!(res.status(), StatusCode::OK);
    let grants: Value = res.json().await.unwrap();
    let grant = &grants[0];
    assert_eq!(grant["reason"], REASON);
    assert_eq!(grant["patient"]["id"], me["id"]);
    assert_eq!(grant["active"], true);
    assert!(
        grant["doctor"]["full_name"]
            .as_str()
            .is_some_and(|n| !n.is_empty())
    );

    // Not the doctor, nor another organisation's administrator.
    assert_error(
        app.get_as(&therapist, &path).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let aqtobe = app.demo_org("Актобе").await;
    let other = format!("/api/organizations/{aqtobe}/break-glass");
    assert_error(
        app.get_as(&admin, &other).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    // The patient sees that their chart's grant was reviewed.
    let log: Value = app
        .get_as(&patient, "/api/me/access-log")
        .await
        .json()
        .await
        .unwrap();
    let text = log.to_string();
    assert!(text.contains("break_glass.review"), "{text}");
}
