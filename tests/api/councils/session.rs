//! Art. 18: a real-time council meets in a video call through the platform's SFU — the
//! initiator leads it, the patient waits until admitted, the consultants who accepted join as
//! doctors; everyone receives the three others' video. Nobody else gets in.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

use super::*;
use crate::calls::peer::{CallPeer, Source};

#[tokio::test]
async fn art_18_a_realtime_council_of_four_meets_by_video_through_the_sfu() {
    let k = Councils::new().await;
    let view = k
        .created(
            json!({"mode": "realtime", "scheduled_at": wednesday_morning(),
            "specialties": ["cardiology", "neurology"]}),
        )
        .await;
    let consultation = view["consultation_id"].as_str().unwrap().to_owned();
    k.accept_all(&view, &[CARDIO, NEURO]).await;
    // Wednesday, four minutes before the council; sessions last 12 hours, so sign in again.
    k.clock
        .advance(wednesday_morning() - Duration::minutes(4) - monday());
    let initiator = k.app.login_demo(THERAPIST).await;
    let patient = k.app.login_demo(PATIENT).await;
    let consultants = [
        k.app.login_demo(CARDIO).await,
        k.app.login_demo(NEURO).await,
    ];

    // A doctor outside the council is refused before the socket opens.
    let outsider = k.app.login_demo("gastro@demo.telemed.kz").await;
    assert!(
        CallPeer::connect(&k.app.url, &outsider, &consultation, Source::default())
            .await
            .is_err()
    );

    let connect = |token: String| {
        let (url, c) = (k.app.url.clone(), consultation.clone());
        async move {
            CallPeer::connect(&url, &token, &c, Source::default())
                .await
                .unwrap_or_else(|r| panic!("the socket was refused: {r:?}"))
        }
    };
    let mut lead = connect(initiator).await;
    let welcome = lead.join(None, false).await;
    assert_eq!(welcome["presence"], "admitted");
    assert_eq!(welcome["role"], "doctor");
    let mut patient_peer = connect(patient.clone()).await;
    assert_eq!(patient_peer.join(None, false).await["presence"], "waiting");
    lead.send(json!({"type": "admit", "participant_id": patient_peer.participant_id}));
    patient_peer.wait_for(|m| m["type"] == "admitted").await;
    let mut peers = vec![lead, patient_peer];
    for token in consultants {
        let mut p = connect(token).await;
        let welcome = p.join(None, false).await;
        assert_eq!(welcome["presence"], "admitted");
        assert_eq!(welcome["role"], "guest_doctor");
        peers.push(p);
    }
    crate::calls::everyone_receives_the_others_video(&peers).await;
    // The council's consultation started with the admission.
    let c = k
        .app
        .get_as(&patient, &format!("/api/consultations/{consultation}"))
        .await;
    assert_eq!(c.status(), StatusCode::OK);
    let c: serde_json::Value = c.json().await.unwrap();
    assert_eq!(c["status"], "in_progress");
    for p in peers {
        p.close().await;
    }
}
