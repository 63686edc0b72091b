//! The signaling socket: who may open it and when (art. 16, 35), the waiting room, and what
//! malformed input gets while the call goes on for the others.

use chrono::Duration;
use diesel::prelude::*;
use serde_json::{Value, json};
use telemed::db::models::AuditEventRow;
use telemed::db::schema::audit_events;

use super::Call;
use super::peer::{CallPeer, Source};

fn audit(call: &Call, action: &str) -> Vec<AuditEventRow> {
    let mut conn = call.app.context.db.get().unwrap();
    audit_events::table
        .filter(audit_events::action.eq(action))
        .select(AuditEventRow::as_select())
        .load(&mut conn)
        .unwrap()
}

async fn refused(call: &Call, token: &str) -> (u16, Value) {
    match CallPeer::connect(&call.app.url, token, &call.consultation, Source::default()).await {
        Ok(_) => panic!("the socket opened"),
        Err(r) => (r.status, r.body),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn art_35_someone_outside_the_consultation_cannot_open_its_socket_and_is_audited() {
    let call = Call::booked().await;
    let stranger = call.app.login_demo("neuro@demo.telemed.kz").await;
    let (status, body) = refused(&call, &stranger).await;
    assert_eq!(status, 403);
    assert_eq!(body["error"], "not_a_participant");
    let denied = audit(&call, "call.join");
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0].outcome, "denied");
    assert_eq!(denied[0].object_id, call.consultation);
    // Without a session: 401 before anything else.
    let (status, body) = refused(&call, "not-a-token").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("unauthenticated"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn art_16_the_call_opens_shortly_before_the_appointed_time() {
    let call = Call::booked().await;
    // Two hours early: the default margin is 15 minutes.
    call.clock.advance(Duration::hours(-2));
    let (status, body) = refused(&call, &call.patient).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("call_not_open"))
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("2026-11-24T03:45:00"),
        "{body}"
    );
    let view = call.consultation(&call.patient).await;
    assert_eq!(view["join_opens_at"], "2026-11-24T03:45:00Z");
    assert_eq!(view["my_call_role"], "patient");
    call.clock.advance(Duration::minutes(110));
    let mut patient = call.peer(&call.patient).await;
    assert_eq!(patient.join(None, false).await["presence"], "waiting");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_consultation_has_no_call() {
    let call = Call::booked().await;
    let mut patient = call.peer(&call.patient).await;
    patient.join(None, false).await;
    let res = call
        .post(
            &call.patient,
            "/cancel",
            &json!({"reason_code": "patient_unwell", "reason_text": "Температура"}),
        )
        .await;
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    // Whoever waited in the call is told and let go.
    let ended = patient.wait_for(|m| m["type"] == "ended").await;
    assert_eq!(ended["reason"], "cancelled");
    patient.wait_for(|m| m["type"] == "_closed").await;
    let (status, body) = refused(&call, &call.doctor).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("consultation_cancelled"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_patient_waits_until_the_doctor_admits_them() {
    let call = Call::booked().await;
    let mut patient = call.peer(&call.patient).await;
    let welcome = patient.join(None, false).await;
    assert_eq!(welcome["presence"], "waiting");
    assert_eq!(welcome["role"], "patient");
    // Waiting, the patient cannot chat or act in the call.
    patient.send(json!({"type": "chat", "text": "Здравствуйте"}));
    patient
        .wait_for(|m| m["type"] == "error" && m["code"] == "not_admitted")
        .await;

    let mut doctor = call.peer(&call.doctor).await;
    let welcome = doctor.join(None, false).await;
    assert_eq!(welcome["role"], "doctor");
    let waiting: Vec<&Value> = welcome["participants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["presence"] == "waiting")
        .collect();
    assert_eq!(waiting.len(), 1, "the doctor sees who waits: {welcome}");
    assert_eq!(
        waiting[0]["participant_id"],
        patient.participant_id.as_str()
    );
    // The patient, waiting, sees the doctor arrive but no media flows yet.
    patient
        .wait_for(|m| {
            m["type"] == "participants"
                && m["participants"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["role"] == "doctor")
        })
        .await;
    assert!(!patient.messages().iter().any(|m| m["type"] == "offer"));
    assert_eq!(call.consultation(&call.doctor).await["status"], "booked");

    doctor.send(json!({"type": "admit", "participant_id": patient.participant_id}));
    patient.wait_for(|m| m["type"] == "admitted").await;
    patient.wait_for(|m| m["type"] == "offer").await;
    doctor
        .wait_packets(&patient.participant_id, "video", 20)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_doctor_can_turn_a_waiting_participant_away() {
    let call = Call::booked().await;
    let mut doctor = call.peer(&call.doctor).await;
    doctor.join(None, false).await;
    let mut patient = call.peer(&call.patient).await;
    patient.join(None, false).await;
    // Only a doctor admits or turns away.
    patient.send(json!({"type": "admit", "participant_id": patient.participant_id}));
    patient
        .wait_for(|m| m["type"] == "error" && m["code"] == "not_admitted")
        .await;
    doctor.send(json!({"type": "reject", "participant_id": patient.participant_id, "reason": "Ошиблись кабинетом"}));
    let rejected = patient.wait_for(|m| m["type"] == "rejected").await;
    assert_eq!(rejected["reason"], "Ошиблись кабинетом");
    patient.wait_for(|m| m["type"] == "_closed").await;
    assert_eq!(audit(&call, "call.reject").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_messages_and_a_bad_answer_get_errors_and_the_call_goes_on() {
    let call = Call::booked().await;
    let mut doctor = call.peer(&call.doctor).await;
    doctor.join(None, false).await;
    let manual = Source {
        auto_answer: false,
        ..Source::default()
    };
    let mut patient = call.peer_with(&call.patient, manual).await;
    // Before joining, only `join` is understood.
    patient.send(json!({"type": "chat", "text": "hi"}));
    patient
        .wait_for(|m| m["type"] == "error" && m["code"] == "join_first")
        .await;
    patient.join(None, false).await;
    doctor.send(json!({"type": "admit", "participant_id": patient.participant_id}));
    let offer = patient.wait_for(|m| m["type"] == "offer").await;

    patient.send_raw("this is not JSON");
    patient
        .wait_for(|m| m["type"] == "error" && m["code"] == "bad_message")
        .await;
    let mark = patient.mark();
    patient.send(json!({"type": "teleport", "to": "Astana"}));
    patient
        .wait_after(mark, |m| m["type"] == "error" && m["code"] == "bad_message")
        .await;
    let mark = patient.mark();
    patient.send(json!({"type": "answer"}));
    patient
        .wait_after(mark, |m| m["type"] == "error" && m["code"] == "bad_message")
        .await;
    patient.send(json!({"type": "answer", "sdp": "v=0 garbage"}));
    patient
        .wait_for(|m| m["type"] == "error" && m["code"] == "bad_sdp")
        .await;

    // The right answer still works, and media flows both ways.
    let mark = patient.mark();
    let sdp = patient.answer_to(&offer).await;
    patient.send(json!({"type": "answer", "sdp": sdp}));
    doctor
        .wait_packets(&patient.participant_id, "video", 30)
        .await;
    // The doctor's tracks come with the next offers, answered by hand as well.
    let mut read = mark;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while patient.inbound(&doctor.participant_id, "video").packets < 30 {
        assert!(
            std::time::Instant::now() < deadline,
            "no video from the doctor: {:?}",
            patient.messages()
        );
        read = patient.answer_offers_after(read).await;
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    patient.send(json!({"type": "candidate", "candidate": {"candidate": "candidate:nonsense"}}));
    patient
        .wait_for(|m| m["type"] == "error" && m["code"] == "bad_candidate")
        .await;
    let before = doctor.inbound(&patient.participant_id, "video").packets;
    doctor
        .wait_packets(&patient.participant_id, "video", before + 20)
        .await;
    // An answer nobody asked for is refused: the doctor's side has long settled.
    doctor.send(json!({"type": "answer", "sdp": sdp}));
    doctor
        .wait_for(|m| m["type"] == "error" && m["code"] == "unexpected_answer")
        .await;
}
