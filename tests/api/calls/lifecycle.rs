//! The consultation's course through its call (art. 16, 33.2): admission starts it, the doctor
//! ends it with its duration or records that it was held by telephone; invited guests; every
//! join, admission and departure in the audit log.

use chrono::Duration;
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::json;
use telemed::db::schema::audit_events;

use super::Call;
use super::peer::Source;
use crate::support::assert_error;

fn actions(call: &Call) -> Vec<String> {
    let mut conn = call.app.context.db.get().unwrap();
    audit_events::table
        .filter(audit_events::object_id.eq(&call.consultation))
        .filter(audit_events::outcome.eq("ok"))
        .order(audit_events::seq.asc())
        .select(audit_events::action)
        .load(&mut conn)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn art_16_admission_starts_the_consultation_and_the_doctor_ends_it_with_its_duration() {
    let call = Call::booked().await;
    assert_eq!(call.consultation(&call.patient).await["status"], "booked");
    let (doctor, patient) = call.doctor_and_patient(Source::default()).await;
    let view = call.consultation(&call.patient).await;
    assert_eq!(view["status"], "in_progress");
    assert_eq!(view["held_by"], "video");
    assert!(view["started_at"].is_string(), "{view}");
    doctor
        .wait_packets(&patient.participant_id, "video", 10)
        .await;

    // Only the consultation's doctor ends it.
    patient.send(json!({"type": "end"}));
    patient
        .wait_for(|m| m["type"] == "error" && m["code"] == "only_doctor")
        .await;
    call.clock.advance(Duration::minutes(20));
    doctor.send(json!({"type": "end"}));
    let ended = patient.wait_for(|m| m["type"] == "ended").await;
    assert_eq!(ended["reason"], "ended_by_doctor");
    patient.wait_for(|m| m["type"] == "_closed").await;
    doctor.wait_for(|m| m["type"] == "ended").await;

    let view = call.consultation(&call.doctor).await;
    assert_eq!(view["status"], "completed");
    assert_eq!(view["duration_seconds"], 1200);
    assert_eq!(view["ended_at"], view["completed_at"]);
    let history: Vec<&str> = view["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for kind in ["call.join", "call.admit", "call_started", "call_ended"] {
        assert!(history.contains(&kind), "{kind} missing from {history:?}");
    }
    // Over is over: nobody joins again.
    let refused = super::peer::CallPeer::connect(
        &call.app.url,
        &call.patient,
        &call.consultation,
        Source::default(),
    )
    .await
    .err()
    .expect("refused");
    assert_eq!(
        (refused.status, refused.body["error"].as_str()),
        (409, Some("consultation_ended"))
    );
    let audited = actions(&call);
    for action in ["call.join", "call.admit", "call.start", "call.end"] {
        assert!(
            audited.iter().any(|a| a == action),
            "{action} not audited: {audited:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_join_admission_and_departure_is_audited_for_the_patients_access_log() {
    let call = Call::booked().await;
    let (doctor, patient) = call.doctor_and_patient(Source::default()).await;
    let mark = doctor.mark();
    patient.send(json!({"type": "leave"}));
    doctor
        .wait_after(mark, |m| {
            m["type"] == "participants" && m["participants"].as_array().unwrap().len() == 1
        })
        .await;
    let audited = actions(&call);
    assert_eq!(
        audited.iter().filter(|a| *a == "call.join").count(),
        2,
        "{audited:?}"
    );
    assert!(audited.contains(&"call.admit".to_owned()));
    assert!(audited.contains(&"call.leave".to_owned()));
    // The patient reads them in their access log (art. 40).
    let log: serde_json::Value = call
        .app
        .get_as(&call.patient, "/api/me/access-log")
        .await
        .json()
        .await
        .unwrap();
    let text = log.to_string();
    assert!(
        text.contains("call.admit") && text.contains("call.join"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_doctor_ends_over_http_and_everyone_in_the_call_is_told() {
    let call = Call::booked().await;
    let res = call.post(&call.doctor, "/end", &json!({})).await;
    assert_error(res, StatusCode::CONFLICT, "consultation_not_started").await;
    let (doctor, patient) = call.doctor_and_patient(Source::default()).await;
    let res = call.post(&call.patient, "/end", &json!({})).await;
    assert_error(res, StatusCode::FORBIDDEN, "only_doctor").await;
    let res = call.post(&call.doctor, "/end", &json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let view: serde_json::Value = res.json().await.unwrap();
    assert_eq!(view["status"], "completed");
    for peer in [&doctor, &patient] {
        let ended = peer.wait_for(|m| m["type"] == "ended").await;
        assert_eq!(ended["reason"], "ended_by_doctor");
    }
    let res = call.post(&call.doctor, "/end", &json!({})).await;
    assert_error(res, StatusCode::CONFLICT, "consultation_ended").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn art_33_2_the_doctor_records_that_the_consultation_was_held_by_telephone() {
    let call = Call::booked().await;
    let res = call
        .post(&call.patient, "/phone", &json!({"minutes": 15}))
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "only_doctor").await;
    let res = call
        .post(&call.doctor, "/phone", &json!({"minutes": 0}))
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_duration").await;
    let res = call
        .post(
            &call.doctor,
            "/phone",
            &json!({"minutes": 15, "note": "Видеосвязь у пациента не работала"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let view: serde_json::Value = res.json().await.unwrap();
    assert_eq!(view["status"], "completed");
    assert_eq!(view["held_by"], "phone");
    assert_eq!(view["duration_seconds"], 900);
    let event = view["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "held_by_phone")
        .expect("the history says so");
    assert_eq!(
        event["details"]["note"],
        "Видеосвязь у пациента не работала"
    );
    let res = call
        .post(&call.doctor, "/phone", &json!({"minutes": 15}))
        .await;
    assert_error(res, StatusCode::CONFLICT, "consultation_closed").await;
    assert!(actions(&call).contains(&"call.phone".to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn art_18_the_doctor_invites_a_second_doctor_who_then_sees_the_consultation() {
    let call = Call::booked().await;
    let therapist = call.app.login_demo("therapist@demo.telemed.kz").await;
    let path = format!("/api/consultations/{}", call.consultation);
    assert_eq!(
        call.app.get_as(&therapist, &path).await.status(),
        StatusCode::FORBIDDEN
    );

    let invite = |email: &str, kind: &str| json!({"email": email, "kind": kind});
    let res = call
        .post(
            &call.patient,
            "/guests",
            &invite("therapist@demo.telemed.kz", "guest_doctor"),
        )
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "only_doctor").await;
    let res = call
        .post(
            &call.doctor,
            "/guests",
            &invite("parent@demo.telemed.kz", "guest_doctor"),
        )
        .await;
    assert_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "guest_must_be_doctor",
    )
    .await;
    let res = call
        .post(
            &call.doctor,
            "/guests",
            &invite("nobody@example.kz", "interpreter"),
        )
        .await;
    assert_error(res, StatusCode::NOT_FOUND, "user_not_found").await;
    let res = call
        .post(
            &call.doctor,
            "/guests",
            &invite("patient@demo.telemed.kz", "relative"),
        )
        .await;
    assert_error(res, StatusCode::CONFLICT, "already_invited").await;
    let res = call
        .post(
            &call.doctor,
            "/guests",
            &invite("therapist@demo.telemed.kz", "guest_doctor"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = call
        .post(
            &call.doctor,
            "/guests",
            &invite("therapist@demo.telemed.kz", "guest_doctor"),
        )
        .await;
    assert_error(res, StatusCode::CONFLICT, "already_invited").await;

    let view = call.consultation(&therapist).await;
    assert_eq!(view["my_call_role"], "guest_doctor");
    let mine: serde_json::Value = call
        .app
        .get_as(&therapist, "/api/consultations")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        mine.as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == call.consultation.as_str())
    );
    let guests: serde_json::Value = call
        .app
        .get_as(&call.patient, &format!("{path}/guests"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(guests[0]["kind"], "guest_doctor");
    assert_eq!(guests[0]["user"]["full_name"], "Иванов Сергей Петрович");
}
