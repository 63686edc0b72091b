//! The request's way through the organisation: the licence check (Order No. 5 of 2025), the
//! deadline clock (art. 13), the consultant's queue and taking, asking for documents, declining.

use chrono::Duration;
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use telemed::db::schema::consultations;

use super::{Deferred, RADIOLOGIST};
use crate::support::{assert_error, fresh_iin};

fn count_consultations(s: &Deferred) -> i64 {
    let mut conn = s.app.context.db.get().unwrap();
    consultations::table.count().get_result(&mut conn).unwrap()
}

#[tokio::test]
async fn order_5_a_study_is_interpreted_only_under_a_licence_for_its_profile() {
    let s = Deferred::new().await;
    let before = count_consultations(&s);
    // An ECG (functional diagnostics): neither demo organisation is licensed for it.
    let res = s
        .xray_request(
            &s.patient,
            json!({"study_profile": "functional_diagnostics", "specialty": null}),
        )
        .await;
    let body = assert_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "licence_profile_missing",
    )
    .await;
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("functional_diagnostics")
    );
    let res = s
        .xray_request(&s.patient, json!({"study_profile": null}))
        .await;
    assert_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "study_profile_required",
    )
    .await;
    assert_eq!(count_consultations(&s), before, "nothing was created");

    let view = Deferred::created(s.xray_request(&s.patient, json!({})).await).await;
    assert_eq!(view["mode"], "deferred");
    assert_eq!(view["deferred"]["kind"], "interpretation");
    assert_eq!(view["deferred"]["study_profile"], "radiology");
    // A second opinion is not the reading of a study: no licence profile is asked for.
    let res = s
        .xray_request(
            &s.patient,
            json!({"request_kind": "second_opinion", "study_profile": null}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    // Real-time bookings have no request kind.
    let res = s
        .post(&s.patient, "/api/consultations", &json!({"mode": "realtime", "urgency": "planned",
            "practitioner_id": "x", "slot_start": "2026-11-24T04:00:00Z", "reason": "x", "funding": "osms",
            "request_kind": "interpretation"}))
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "deferred_only").await;
}

#[tokio::test]
async fn art_13_the_clock_starts_with_complete_documents_stops_for_more_and_restarts() {
    let s = Deferred::new().await;
    let view = Deferred::created(s.xray_request(&s.patient, json!({})).await).await;
    let id = view["id"].as_str().unwrap().to_owned();
    assert!(view["clock_started_at"].is_null() && view["deadline_at"].is_null());
    let res = s
        .upload(&s.patient, &id, "chest.png", super::XRAY_PNG)
        .await;
    let doc: Value = res.json().await.unwrap();
    assert_eq!(doc["kind"], "document");
    assert_eq!(doc["mime"], "image/png");

    let res = s
        .post(
            &s.patient,
            &format!("/api/consultations/{id}/documents-complete"),
            &json!({}),
        )
        .await;
    let view: Value = res.json().await.unwrap();
    // The Aqtobe centre answers planned requests within 72 hours.
    let started =
        chrono::DateTime::parse_from_rfc3339(view["clock_started_at"].as_str().unwrap()).unwrap();
    let deadline =
        chrono::DateTime::parse_from_rfc3339(view["deadline_at"].as_str().unwrap()).unwrap();
    let planned = deadline - started;

    let radiologist = s.app.login_demo(RADIOLOGIST).await;
    let res = s
        .post(
            &radiologist,
            &format!("/api/consultations/{id}/request-documents"),
            &json!({"note": "x"}),
        )
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "not_assigned").await;
    let res = s
        .post(
            &radiologist,
            &format!("/api/consultations/{id}/take"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    s.clock.advance(Duration::hours(2));
    let note = "Нужна рентгенограмма в боковой проекции";
    let res = s
        .post(
            &radiologist,
            &format!("/api/consultations/{id}/request-documents"),
            &json!({"note": note}),
        )
        .await;
    let paused: Value = res.json().await.unwrap();
    assert_eq!(paused["deferred"]["paused"], true);
    assert_eq!(paused["deferred"]["documents_note"], note);
    assert!(
        paused["deadline_at"].is_null(),
        "the clock stands while documents are awaited"
    );
    let mail = s.outbox();
    let asked = mail
        .iter()
        .find(|m| m.recipient == PATIENT_EMAIL && m.subject.contains("документы"))
        .expect("the patient is told");
    assert!(
        !asked.body.contains(note),
        "no medical content leaves by mail"
    );
    assert!(asked.body.contains(&format!("/#/consultations/{id}")));

    // Five hours of waiting do not count against the consultant.
    s.clock.advance(Duration::hours(5));
    let res = s
        .upload(&s.patient, &id, "lateral.png", super::XRAY_PNG)
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = s
        .post(
            &s.patient,
            &format!("/api/consultations/{id}/documents-complete"),
            &json!({}),
        )
        .await;
    let resumed: Value = res.json().await.unwrap();
    assert_eq!(resumed["deferred"]["paused"], false);
    let new_deadline =
        chrono::DateTime::parse_from_rfc3339(resumed["deadline_at"].as_str().unwrap()).unwrap();
    assert_eq!(
        new_deadline - deadline,
        Duration::hours(5),
        "moved by exactly the pause"
    );
    assert_eq!(new_deadline - started, planned + Duration::hours(5));
    let kinds: Vec<String> = resumed["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect();
    for kind in ["documents_complete", "taken", "documents_requested"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
    assert_eq!(
        kinds.iter().filter(|k| *k == "documents_complete").count(),
        2
    );
}

const PATIENT_EMAIL: &str = super::PATIENT;

#[tokio::test]
async fn the_consultants_queue_shows_requests_of_their_specialty_by_deadline() {
    let s = Deferred::new().await;
    let planned = s.submitted().await;
    let urgent = Deferred::created(
        s.xray_request(
            &s.patient,
            json!({"urgency": "urgent", "documents_complete": true}),
        )
        .await,
    )
    .await;
    let radiologist = s.app.login_demo(RADIOLOGIST).await;
    let queue: Value = s
        .app
        .get_as(&radiologist, "/api/queue")
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = queue
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![urgent["id"].as_str().unwrap(), planned.as_str()],
        "soonest deadline first"
    );
    assert!(queue[0]["time_left_seconds"].as_i64().unwrap() > 0);
    assert_eq!(queue[0]["deferred"]["kind"], "interpretation");
    // A cardiologist of the same centre does not see radiology requests.
    let cardiologist = s.app.login_demo("cardio.aqtobe@demo.telemed.kz").await;
    let theirs: Value = s
        .app
        .get_as(&cardiologist, "/api/queue")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        theirs
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["id"] != planned.as_str())
    );
    let res = s
        .post(
            &cardiologist,
            &format!("/api/consultations/{planned}/take"),
            &json!({}),
        )
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "wrong_specialty").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_consultants_taking_the_same_request_one_wins() {
    let s = Deferred::new().await;
    // A second radiologist at the Aqtobe centre.
    let admin = s.app.login_demo("admin.aqtobe@demo.telemed.kz").await;
    let res = s.post(&admin, &format!("/api/organizations/{}/staff", s.aqtobe), &json!({
        "full_name": "Сейткали Дана Ерлановна", "iin": fresh_iin(61), "email": "radio2@demo.telemed.kz",
        "password": "second-radiologist-2026", "role": "doctor",
        "practitioner": {"position": "Врач-рентгенолог", "specialties": [{"code": "radiology", "experience_years": 4}]}})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let first = s.app.login_demo(RADIOLOGIST).await;
    let second = s
        .app
        .login("radio2@demo.telemed.kz", "second-radiologist-2026")
        .await;
    for round in 0..3 {
        let id = s.submitted().await;
        let path = format!("/api/consultations/{id}/take");
        let attempts = (0..8).map(|i| {
            let token = if i % 2 == 0 {
                first.clone()
            } else {
                second.clone()
            };
            let (app, path) = (&s.app, path.clone());
            async move {
                app.send_as(reqwest::Method::POST, Some(&token), &path, &json!({}))
                    .await
                    .status()
            }
        });
        let results = futures::future::join_all(attempts).await;
        let won = results.iter().filter(|s| **s == StatusCode::OK).count();
        let lost = results
            .iter()
            .filter(|s| **s == StatusCode::CONFLICT)
            .count();
        assert_eq!((won, lost), (1, 7), "round {round}: {results:?}");
        let view = s.view(&s.patient, &id).await;
        assert!(view["practitioner"]["id"].is_string());
    }
}

#[tokio::test]
async fn the_consultant_declines_with_a_reason_and_the_request_is_closed() {
    let s = Deferred::new().await;
    let id = s.submitted().await;
    let radiologist = s.app.login_demo(RADIOLOGIST).await;
    s.post(
        &radiologist,
        &format!("/api/consultations/{id}/take"),
        &json!({}),
    )
    .await;
    let res = s
        .post(
            &radiologist,
            &format!("/api/consultations/{id}/decline"),
            &json!({"reason": " "}),
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "missing_field").await;
    let reason = "Снимок нечитаем: нужна пленка или DICOM";
    let res = s
        .post(
            &radiologist,
            &format!("/api/consultations/{id}/decline"),
            &json!({"reason": reason}),
        )
        .await;
    let view: Value = res.json().await.unwrap();
    assert_eq!(view["status"], "declined");
    assert_eq!(view["deferred"]["decline_reason"], reason);
    let res = s
        .post(
            &radiologist,
            &format!("/api/consultations/{id}/take"),
            &json!({}),
        )
        .await;
    assert_error(res, StatusCode::CONFLICT, "consultation_closed").await;
    assert!(
        s.outbox()
            .iter()
            .any(|m| m.recipient == PATIENT_EMAIL && m.subject.contains("отклонён"))
    );
}

#[tokio::test]
async fn art_17_a_deferred_request_has_no_call_and_needs_no_contact() {
    let s = Deferred::new().await;
    let id = s.submitted().await;
    let radiologist = s.app.login_demo(RADIOLOGIST).await;
    s.post(
        &radiologist,
        &format!("/api/consultations/{id}/take"),
        &json!({}),
    )
    .await;
    // No call to join: the consultant works from the documents alone.
    let refused = crate::calls::peer::CallPeer::connect(
        &s.app.url,
        &radiologist,
        &id,
        crate::calls::peer::Source::default(),
    )
    .await
    .err()
    .expect("no call for a deferred consultation");
    assert_eq!(
        (refused.status, refused.body["error"].as_str()),
        (409, Some("not_realtime"))
    );
    let view = s.view(&radiologist, &id).await;
    assert_eq!(view["my_call_role"], "doctor");
    assert!(view["join_opens_at"].is_null());
}
