//! Media through the SFU, with headless webrtc-rs participants on loopback.

use std::time::Duration;

use serde_json::json;

use super::Call;
use super::admitted_ids;
use super::peer::Source;

async fn invite(call: &Call, email: &str, kind: &str) -> String {
    let res = call
        .post(
            &call.doctor,
            "/guests",
            &json!({"email": email, "kind": kind}),
        )
        .await;
    assert_eq!(res.status(), reqwest::StatusCode::CREATED);
    call.app.login_demo(email).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn art_16_doctor_and_patient_receive_each_others_audio_and_video_through_the_sfu() {
    let call = Call::booked().await;
    let (doctor, patient) = call.doctor_and_patient(Source::default()).await;
    let from_patient = doctor
        .wait_packets(&patient.participant_id, "video", 60)
        .await;
    assert!(from_patient.bytes > 60 * 500, "{from_patient:?}");
    doctor
        .wait_packets(&patient.participant_id, "audio", 50)
        .await;
    patient
        .wait_packets(&doctor.participant_id, "video", 60)
        .await;
    patient
        .wait_packets(&doctor.participant_id, "audio", 50)
        .await;
    // Each receives only the other: nobody gets their own media back.
    assert_eq!(
        doctor
            .publishers()
            .iter()
            .filter(|(p, _)| p == &doctor.participant_id)
            .count(),
        0
    );
    assert_eq!(
        patient
            .publishers()
            .iter()
            .filter(|(p, _)| p == &patient.participant_id)
            .count(),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn art_18_in_a_call_of_four_everyone_receives_the_three_others_video() {
    let call = Call::booked().await;
    let second = invite(&call, "therapist@demo.telemed.kz", "guest_doctor").await;
    let third = invite(&call, "neuro@demo.telemed.kz", "guest_doctor").await;
    let (doctor, patient) = call.doctor_and_patient(Source::default()).await;
    let mut peers = vec![doctor, patient];
    for token in [&second, &third] {
        let mut p = call.peer(token).await;
        let welcome = p.join(None, false).await;
        assert_eq!(
            welcome["presence"], "admitted",
            "a doctor enters without waiting"
        );
        assert_eq!(welcome["role"], "guest_doctor");
        peers.push(p);
    }
    super::everyone_receives_the_others_video(&peers).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_participant_who_leaves_stops_being_forwarded_and_the_others_renegotiate() {
    let call = Call::booked().await;
    let interpreter = invite(&call, "parent@demo.telemed.kz", "interpreter").await;
    let (doctor, patient) = call.doctor_and_patient(Source::default()).await;
    let mut guest = call.peer(&interpreter).await;
    assert_eq!(guest.join(None, false).await["presence"], "waiting");
    doctor.send(json!({"type": "admit", "participant_id": guest.participant_id}));
    guest.wait_for(|m| m["type"] == "admitted").await;
    let gid = guest.participant_id.clone();
    doctor.wait_packets(&gid, "video", 30).await;
    patient.wait_packets(&gid, "video", 30).await;

    let offers_before = doctor
        .messages()
        .iter()
        .filter(|m| m["type"] == "offer")
        .count();
    let mark = doctor.mark();
    guest.send(json!({"type": "leave"}));
    let list = doctor
        .wait_after(mark, |m| {
            m["type"] == "participants" && !admitted_ids(m).contains(&gid)
        })
        .await;
    assert_eq!(admitted_ids(&list).len(), 2);
    // The server takes the leaver's tracks out of the others' connections.
    doctor.wait_after(mark, |m| m["type"] == "offer").await;
    assert!(
        doctor
            .messages()
            .iter()
            .filter(|m| m["type"] == "offer")
            .count()
            > offers_before
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let settled = (
        doctor.inbound(&gid, "video").packets,
        patient.inbound(&gid, "video").packets,
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    let later = (
        doctor.inbound(&gid, "video").packets,
        patient.inbound(&gid, "video").packets,
    );
    assert_eq!(later, settled, "nothing more is forwarded from the leaver");
    // The two who stayed still hear each other.
    let before = doctor.inbound(&patient.participant_id, "video").packets;
    doctor
        .wait_packets(&patient.participant_id, "video", before + 30)
        .await;
    guest.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_socket_resumes_its_place_and_keeps_its_media() {
    let call = Call::booked().await;
    let (doctor, mut patient) = call.doctor_and_patient(Source::default()).await;
    let pid = patient.participant_id.clone();
    doctor.wait_packets(&pid, "video", 30).await;
    let token = patient.resume_token.clone();

    let mark = doctor.mark();
    patient.drop_socket();
    let list = doctor
        .wait_after(mark, |m| {
            m["type"] == "participants"
                && m["participants"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["participant_id"] == pid && p["connected"] == false)
        })
        .await;
    assert_eq!(
        admitted_ids(&list).len(),
        2,
        "still in the call during the grace period"
    );

    patient
        .reconnect(&call.app.url, &call.patient, &call.consultation)
        .await;
    let welcome = patient.join(Some(&token), true).await;
    assert_eq!(welcome["resumed"], true);
    assert_eq!(welcome["presence"], "admitted", "no second admission");
    assert_eq!(welcome["participant_id"], pid.as_str());
    doctor
        .wait_after(mark, |m| {
            m["type"] == "participants"
                && m["participants"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["participant_id"] == pid && p["connected"] == true)
        })
        .await;
    let before = doctor.inbound(&pid, "video").packets;
    doctor.wait_packets(&pid, "video", before + 30).await;
    let before = patient.inbound(&doctor.participant_id, "video").packets;
    patient
        .wait_packets(&doctor.participant_id, "video", before + 30)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_gone_past_the_grace_period_leaves_the_call() {
    let call = Call::booked().await;
    let (doctor, mut patient) = call.doctor_and_patient(Source::default()).await;
    let pid = patient.participant_id.clone();
    let mark = doctor.mark();
    patient.drop_socket();
    // Grace is 3 s in these tests.
    doctor
        .wait_after(mark, |m| {
            m["type"] == "participants" && !admitted_ids(m).contains(&pid)
        })
        .await;
    let settled = doctor.inbound(&pid, "video").packets;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        doctor.inbound(&pid, "video").packets,
        settled,
        "its media is no longer forwarded"
    );
    patient.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_participant_without_camera_or_microphone_still_sees_and_hears_the_others() {
    let call = Call::booked().await;
    let mut doctor = call.peer(&call.doctor).await;
    doctor.join(None, false).await;
    let listener = Source {
        video: false,
        audio: false,
        ..Source::default()
    };
    let mut patient = call.peer_with(&call.patient, listener).await;
    patient.join(None, false).await;
    doctor.send(json!({"type": "admit", "participant_id": patient.participant_id}));
    patient
        .wait_packets(&doctor.participant_id, "video", 30)
        .await;
    patient
        .wait_packets(&doctor.participant_id, "audio", 30)
        .await;
    assert!(
        doctor.publishers().is_empty(),
        "the patient publishes nothing"
    );
}
