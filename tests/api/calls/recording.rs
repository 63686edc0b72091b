//! Materials of a call (art. 36): recordings made only with everyone's consent, the chat and
//! the files shared in it, all kept with the consultation.

use std::time::{Duration, Instant};

use base64::Engine;
use hmac::Mac;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Digest;

use super::Call;
use super::peer::Source;
use crate::support::assert_error;

async fn materials(call: &Call, token: &str) -> Vec<Value> {
    let res = call
        .app
        .get_as(
            token,
            &format!("/api/consultations/{}/materials", call.consultation),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<Vec<Value>>().await.unwrap()
}

async fn wait_materials(call: &Call, kind: &str, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let found: Vec<Value> = materials(call, &call.doctor)
            .await
            .into_iter()
            .filter(|m| m["kind"] == kind)
            .collect();
        if found.len() >= n {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "only {} {kind} materials",
            found.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn download(call: &Call, token: &str, material: &Value) -> Vec<u8> {
    let res = call
        .app
        .get_as(
            token,
            &format!(
                "/api/consultations/{}/materials/{}",
                call.consultation,
                material["id"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.bytes().await.unwrap().to_vec()
}

/// The frames of an IVF file, after checking its header.
fn ivf_frames(bytes: &[u8]) -> (u16, u16, Vec<Vec<u8>>) {
    assert_eq!(&bytes[0..4], b"DKIF", "IVF signature");
    assert_eq!(u16::from_le_bytes([bytes[4], bytes[5]]), 0, "version");
    assert_eq!(u16::from_le_bytes([bytes[6], bytes[7]]), 32, "header size");
    assert_eq!(&bytes[8..12], b"VP80");
    let width = u16::from_le_bytes([bytes[12], bytes[13]]);
    let height = u16::from_le_bytes([bytes[14], bytes[15]]);
    let count = u32::from_le_bytes(bytes[24..28].try_into().unwrap()) as usize;
    let mut frames = Vec::new();
    let mut at = 32;
    while at + 12 <= bytes.len() {
        let size = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        at += 12;
        frames.push(bytes[at..at + size].to_vec());
        at += size;
    }
    assert_eq!(at, bytes.len(), "no trailing bytes");
    assert_eq!(frames.len(), count, "the header counts the frames");
    (width, height, frames)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn art_36_recording_starts_only_when_everyone_agreed_and_holds_the_frames_that_were_sent() {
    let call = Call::booked().await;
    let source = Source {
        keep_frames: true,
        frame_bytes: 2500,
        ..Source::default()
    };
    let (doctor, patient) = call.doctor_and_patient(source).await;
    doctor
        .wait_packets(&patient.participant_id, "video", 30)
        .await;
    let doctor_user =
        doctor.wait_for(|m| m["type"] == "welcome").await["participants"][0]["user_id"].clone();

    doctor.send(json!({"type": "recording_request"}));
    let asking = patient
        .wait_for(|m| m["type"] == "recording" && m["recording"]["state"] == "asking")
        .await;
    assert_eq!(
        asking["recording"]["agreed"],
        json!([doctor_user]),
        "asking counts as the asker's consent"
    );
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(
        materials(&call, &call.doctor).await.is_empty(),
        "nothing is recorded while asking"
    );

    patient.send(json!({"type": "recording_consent", "agree": true}));
    for peer in [&doctor, &patient] {
        peer.wait_for(|m| m["type"] == "recording" && m["recording"]["state"] == "active")
            .await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    // Anyone may stop it: here the patient does.
    patient.send(json!({"type": "recording_stop"}));
    doctor
        .wait_for(|m| {
            m["type"] == "recording"
                && m["recording"]["state"] == "idle"
                && m["recording"]["agreed"] == json!([])
        })
        .await;
    let recordings = wait_materials(&call, "recording", 4).await;
    assert_eq!(
        recordings.len(),
        4,
        "video and audio of both: {recordings:?}"
    );

    let patient_video = recordings
        .iter()
        .find(|m| {
            m["details"]["participant_id"] == patient.participant_id.as_str()
                && m["details"]["track"] == "video"
        })
        .expect("the patient's video");
    assert_eq!(patient_video["mime"], "video/x-ivf");
    let bytes = download(&call, &call.doctor, patient_video).await;
    assert_eq!(
        patient_video["sha256"],
        hex::encode(sha2::Sha256::digest(&bytes))
    );
    let (width, height, frames) = ivf_frames(&bytes);
    assert_eq!(
        (width, height),
        (320, 240),
        "picture size from the first keyframe"
    );
    assert!(
        frames.len() >= 30,
        "about three seconds at 30 fps: {}",
        frames.len()
    );
    assert_eq!(patient_video["details"]["frames"], frames.len());
    // The file holds exactly the frames the patient sent, in order, from a keyframe on.
    let sent = patient.sent.lock().unwrap().frames.clone();
    let first = sent
        .iter()
        .position(|f| f.as_ref() == frames[0].as_slice())
        .expect("first frame was sent");
    assert_eq!(frames[0][0] & 1, 0, "it starts with a keyframe");
    for (i, frame) in frames.iter().enumerate() {
        assert_eq!(frame.as_slice(), sent[first + i].as_ref(), "frame {i}");
    }

    let patient_audio = recordings
        .iter()
        .find(|m| {
            m["details"]["participant_id"] == patient.participant_id.as_str()
                && m["details"]["track"] == "audio"
        })
        .expect("the patient's audio");
    assert_eq!(patient_audio["mime"], "audio/ogg");
    let ogg = download(&call, &call.patient, patient_audio).await;
    assert_eq!(&ogg[0..4], b"OggS");
    assert!(ogg.windows(8).any(|w| w == b"OpusHead"));

    let history = call.consultation(&call.doctor).await["history"].to_string();
    for kind in [
        "call.recording_consent",
        "call.recording_start",
        "call.recording_stop",
    ] {
        assert!(history.contains(kind), "{kind} in the history");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn art_36_one_refusal_and_nothing_is_recorded() {
    let call = Call::booked().await;
    let (doctor, patient) = call.doctor_and_patient(Source::default()).await;
    doctor
        .wait_packets(&patient.participant_id, "video", 10)
        .await;
    doctor.send(json!({"type": "recording_request"}));
    patient
        .wait_for(|m| m["type"] == "recording" && m["recording"]["state"] == "asking")
        .await;
    doctor.send(json!({"type": "recording_request"}));
    doctor
        .wait_for(|m| m["type"] == "error" && m["code"] == "recording_busy")
        .await;
    patient.send(json!({"type": "recording_consent", "agree": false}));
    let declined = doctor.wait_for(|m| m["type"] == "recording_declined").await;
    assert_eq!(declined["name"], "Нурланов Асет Канатович");
    doctor
        .wait_for(|m| m["type"] == "recording" && m["recording"]["state"] == "idle")
        .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        materials(&call, &call.doctor)
            .await
            .iter()
            .all(|m| m["kind"] != "recording")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn art_36_chat_and_shared_files_are_kept_with_the_consultation() {
    let call = Call::booked_with(|s| s.calls.max_file_bytes = 64 * 1024).await;
    let (doctor, patient) = call
        .doctor_and_patient(Source {
            video: false,
            ..Source::default()
        })
        .await;
    let upload = |token: &str, name: &str, body: Vec<u8>| {
        call.app
            .client
            .post(call.app.at(&format!(
                "/api/consultations/{}/files?name={name}",
                call.consultation
            )))
            .bearer_auth(token.to_owned())
            .body(body)
            .send()
    };
    let res = upload(
        &call.patient,
        "analysis.pdf",
        b"%PDF-1.7\n%test result\n".to_vec(),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let file: Value = res.json().await.unwrap();
    assert_eq!(file["mime"], "application/pdf");
    assert_eq!(file["kind"], "file");
    let res = upload(&call.patient, "virus.pdf", b"MZ\x90\0\x03\0\0\0".to_vec())
        .await
        .unwrap();
    assert_error(
        res,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "file_type_not_allowed",
    )
    .await;
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(100 * 1024, b'x');
    let res = upload(&call.patient, "big.pdf", big).await.unwrap();
    assert_error(res, StatusCode::PAYLOAD_TOO_LARGE, "file_too_large").await;
    let stranger = call.app.login_demo("neuro@demo.telemed.kz").await;
    let res = upload(&stranger, "x.pdf", b"%PDF-1.7\n".to_vec())
        .await
        .unwrap();
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;

    patient.send(json!({"type": "chat", "text": "Вот мои анализы", "file_id": file["id"]}));
    let line = doctor.wait_for(|m| m["type"] == "chat").await;
    assert_eq!(line["message"]["text"], "Вот мои анализы");
    assert_eq!(line["message"]["file"]["sha256"], file["sha256"]);
    doctor.send(json!({"type": "chat", "text": "Спасибо, посмотрю"}));
    patient
        .wait_for(|m| m["type"] == "chat" && m["message"]["text"] == "Спасибо, посмотрю")
        .await;
    doctor.send(json!({"type": "chat", "text": "  "}));
    doctor
        .wait_for(|m| m["type"] == "error" && m["code"] == "empty_message")
        .await;
    doctor.send(json!({"type": "chat", "text": "x", "file_id": "no-such-file"}));
    doctor
        .wait_for(|m| m["type"] == "error" && m["code"] == "file_not_found")
        .await;

    let history: Vec<Value> = call
        .app
        .get_as(
            &call.doctor,
            &format!("/api/consultations/{}/messages", call.consultation),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["name"], "Нурланов Асет Канатович");
    let res = call
        .app
        .get_as(
            &stranger,
            &format!("/api/consultations/{}/messages", call.consultation),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // The end of the consultation writes the chat transcript among its materials.
    doctor.send(json!({"type": "end"}));
    patient.wait_for(|m| m["type"] == "ended").await;
    let transcript = wait_materials(&call, "chat_transcript", 1).await;
    let text = String::from_utf8(download(&call, &call.patient, &transcript[0]).await).unwrap();
    assert!(
        text.contains("Нурланов Асет Канатович: Вот мои анализы"),
        "{text}"
    );
    assert!(text.contains("analysis.pdf"), "{text}");
    assert!(text.contains("Спасибо, посмотрю"), "{text}");
    let shared = wait_materials(&call, "file", 1).await;
    assert_eq!(
        download(&call, &call.doctor, &shared[0]).await,
        b"%PDF-1.7\n%test result\n"
    );
    // Someone outside the consultation reads nothing, and the attempt is audited.
    let res = call
        .app
        .get_as(
            &stranger,
            &format!(
                "/api/consultations/{}/materials/{}",
                call.consultation,
                shared[0]["id"].as_str().unwrap()
            ),
        )
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ice_servers_carry_time_limited_coturn_credentials() {
    let call = Call::booked_with(|s| {
        s.calls.stun_urls = vec!["stun:turn.example.kz:3478".into()];
        s.calls.turn_urls = vec!["turn:turn.example.kz:3478?transport=udp".into()];
        s.calls.turn_secret = Some(telemed::config::Secret::new("coturn-static-secret"));
        s.calls.turn_ttl_seconds = 3600;
    })
    .await;
    let anonymous = reqwest::get(call.app.at("/api/ice-servers")).await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let body: Value = call
        .app
        .get_as(&call.patient, "/api/ice-servers")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["ttl_seconds"], 3600);
    let turn = &body["ice_servers"][1];
    assert_eq!(turn["urls"][0], "turn:turn.example.kz:3478?transport=udp");
    let username = turn["username"].as_str().unwrap();
    let (expiry, user) = username.split_once(':').unwrap();
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-24T03:55:00Z")
        .unwrap()
        .timestamp();
    assert_eq!(
        expiry.parse::<i64>().unwrap(),
        now + 3600,
        "expires an hour from the (test) clock's now"
    );
    let me: Value = call
        .app
        .get_as(&call.patient, "/api/me")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(user, me["id"]);
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(b"coturn-static-secret").unwrap();
    mac.update(username.as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    assert_eq!(turn["credential"], expected);
    // The call's welcome hands the same servers over.
    let mut peer = call.peer(&call.patient).await;
    let welcome = peer.join(None, false).await;
    assert_eq!(
        welcome["ice_servers"][0]["urls"][0],
        "stun:turn.example.kz:3478"
    );
}
