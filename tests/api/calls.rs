//! Real-time consultations (Rules art. 16, 18, 33.2, 36): headless webrtc-rs participants join
//! through the real signaling socket and exchange media through the SFU; the waiting room, the
//! consultation's course, chat, files and consented recordings.

mod lifecycle;
mod media;
pub(crate) mod peer;
mod recording;
mod signaling;

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use telemed::clock::ManualClock;

use self::peer::{CallPeer, Source};
use crate::records::book_cardiologist;
use crate::support::TestApp;

pub const CARDIO: &str = "cardio@demo.telemed.kz";
pub const PATIENT: &str = "patient@demo.telemed.kz";

pub struct Call {
    pub app: TestApp,
    pub clock: ManualClock,
    pub consultation: String,
    pub doctor: String,
    pub patient: String,
}

impl Call {
    /// The demo patient has booked the Almaty cardiologist; the clock stands at the slot's start.
    pub async fn booked() -> Call {
        Self::booked_with(|_| {}).await
    }

    pub async fn booked_with(adjust: impl FnOnce(&mut telemed::config::Settings)) -> Call {
        let clock = ManualClock::at(Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap());
        let app = TestApp::with_demo_and_settings(Arc::new(clock.clone()), |s| {
            // Only loopback: the tests' peers bind 127.0.0.1 and need nothing else.
            s.calls.udp_addrs = vec!["127.0.0.1:0".into()];
            s.calls.reconnect_grace_seconds = 3;
            adjust(s);
        })
        .await;
        // The Almaty cardiologist's 09:00 slot on Tuesday 24 November (as the records tests book).
        let consultation = book_cardiologist(&app, &app.login_demo(PATIENT).await).await;
        // Sessions last 12 hours: sign in again at the time of the call.
        clock.advance(Duration::hours(27) + Duration::minutes(55));
        let patient = app.login_demo(PATIENT).await;
        let doctor = app.login_demo(CARDIO).await;
        Call {
            app,
            clock,
            consultation,
            doctor,
            patient,
        }
    }

    pub async fn peer(&self, token: &str) -> CallPeer {
        self.peer_with(token, Source::default()).await
    }

    pub async fn peer_with(&self, token: &str, source: Source) -> CallPeer {
        CallPeer::connect(&self.app.url, token, &self.consultation, source)
            .await
            .unwrap_or_else(|r| panic!("the socket was refused: {r:?}"))
    }

    /// The doctor and the patient, joined; the doctor admitted the patient.
    pub async fn doctor_and_patient(&self, source: Source) -> (CallPeer, CallPeer) {
        let mut doctor = self.peer_with(&self.doctor, source.clone()).await;
        let welcome = doctor.join(None, false).await;
        assert_eq!(welcome["presence"], "admitted");
        let mut patient = self.peer_with(&self.patient, source).await;
        let welcome = patient.join(None, false).await;
        assert_eq!(welcome["presence"], "waiting");
        doctor.send(json!({"type": "admit", "participant_id": patient.participant_id}));
        patient.wait_for(|m| m["type"] == "admitted").await;
        // The doctor's socket may still be reading older lists (the room before the patient came);
        // once it has read the one with the patient admitted, any list without them that follows
        // is their departure.
        let pid = patient.participant_id.clone();
        doctor
            .wait_for(|m| m["type"] == "participants" && admitted_ids(m).contains(&pid))
            .await;
        (doctor, patient)
    }

    pub async fn consultation(&self, token: &str) -> Value {
        let res = self
            .app
            .get_as(token, &format!("/api/consultations/{}", self.consultation))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> reqwest::Response {
        self.app
            .send_as(
                Method::POST,
                Some(token),
                &format!("/api/consultations/{}{path}", self.consultation),
                body,
            )
            .await
    }
}

/// The ids of the participants a `participants` message lists as admitted.
pub fn admitted_ids(list: &Value) -> Vec<String> {
    list["participants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["presence"] == "admitted")
        .map(|p| p["participant_id"].as_str().unwrap().to_owned())
        .collect()
}

/// Art. 18: each peer of a multi-party call receives video from every other, and no more
/// video tracks than there are others.
pub async fn everyone_receives_the_others_video(peers: &[CallPeer]) {
    let ids: Vec<String> = peers.iter().map(|p| p.participant_id.clone()).collect();
    for (i, peer) in peers.iter().enumerate() {
        for (j, other) in ids.iter().enumerate() {
            if i != j {
                peer.wait_packets(other, "video", 30).await;
            }
        }
        let videos = peer
            .publishers()
            .into_iter()
            .filter(|(_, kind)| *kind == "video")
            .count();
        assert_eq!(
            videos,
            peers.len() - 1,
            "participant {i} receives the others' video"
        );
    }
}
