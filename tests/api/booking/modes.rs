//! The forms (Rules art. 6) and the modes (art. 9) of remote consultations: urgent and planned
//! forms, each with the response deadline the organisation's rules give it (art. 8); real-time
//! consultations at a slot, which is when they are due, and deferred ones due by their
//! deadline. The staff queue puts each at the time it is due, and only a deferred request's
//! deadline can be breached.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};
use telemed::clock::ManualClock;
use telemed::services::consultations::deadlines;

use super::{PATIENT, accept_offer, app_at, book, cardiologist, monday, realtime};
use crate::support::assert_error;

async fn booked(res: reqwest::Response) -> Value {
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

fn deferred(org: &str, urgency: &str) -> Value {
    json!({"mode": "deferred", "urgency": urgency, "organization_id": org,
           "reason": "Интерпретация ЭКГ", "funding": "paid", "documents_complete": true})
}

#[tokio::test]
async fn art_6_urgent_and_planned_forms_each_get_their_own_deadline() {
    let clock = ManualClock::at(monday());
    let app = app_at(&clock).await;
    let aqtobe = app.demo_org("Актобе").await;
    let token = app.login_demo(PATIENT).await;
    accept_offer(&app, &token, &aqtobe, None).await;
    // Aqtobe's internal rules (art. 8): urgent within 6 hours, planned within 72.
    let urgent = booked(book(&app, &token, &deferred(&aqtobe, "urgent")).await).await;
    assert_eq!(urgent["urgency"], "urgent");
    assert_eq!(urgent["deadline_at"], "2026-11-23T06:00:00Z");
    let planned = booked(book(&app, &token, &deferred(&aqtobe, "planned")).await).await;
    assert_eq!(planned["urgency"], "planned");
    assert_eq!(planned["deadline_at"], "2026-11-26T00:00:00Z");
    // There is no third form.
    let res = book(&app, &token, &deferred(&aqtobe, "emergency")).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert!(body["error"].is_string(), "a JSON error: {body}");
}

#[tokio::test]
async fn art_9_real_time_is_due_at_its_slot_and_deferred_by_its_deadline() {
    let clock = ManualClock::at(monday());
    let app = app_at(&clock).await;
    let (cardio, almaty) = cardiologist(&app).await;
    let token = app.login_demo(PATIENT).await;
    accept_offer(&app, &token, &almaty, None).await;

    // Real time needs a slot; a planned one ten days ahead has no 72-hour "deadline".
    let mut no_slot = realtime(&cardio, "2026-12-03T04:00:00Z");
    no_slot.as_object_mut().unwrap().remove("slot_start");
    assert_error(
        book(&app, &token, &no_slot).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "slot_required",
    )
    .await;
    let call = booked(book(&app, &token, &realtime(&cardio, "2026-12-03T04:00:00Z")).await).await;
    assert_eq!(call["slot_start"], "2026-12-03T04:00:00Z");
    assert_eq!(call["deadline_at"], Value::Null, "{call}");
    assert_eq!(call["time_left_seconds"], Value::Null);

    // Deferred: no slot, and a deadline once its documents are in (72 hours, planned).
    let mut request = deferred(&almaty, "planned");
    request["funding"] = json!("gobmp");
    let letter = booked(book(&app, &token, &request).await).await;
    assert_eq!(letter["slot_start"], Value::Null);
    assert_eq!(letter["deadline_at"], "2026-11-26T00:00:00Z");

    // The queue: the request due on the 26th before the call on 3 December, though the call
    // was booked first.
    let admin = app.login_demo("admin.almaty@demo.telemed.kz").await;
    let queue: Value = app.get_as(&admin, "/api/queue").await.json().await.unwrap();
    let order: Vec<&Value> = queue
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["id"])
        .filter(|id| **id == call["id"] || **id == letter["id"])
        .collect();
    assert_eq!(order, vec![&letter["id"], &call["id"]]);

    // Four days on only the request is late; the call is still a week ahead.
    clock.advance(Duration::days(4));
    assert_eq!(deadlines::check(&app.context).await.unwrap(), 1);
    let id = call["id"].as_str().unwrap();
    let seen: Value = app
        .get_as(&token, &format!("/api/consultations/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen["breached_at"], Value::Null, "{seen}");
}
