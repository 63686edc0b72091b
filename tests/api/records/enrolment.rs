//! A doctor's WebCrypto key enrolled with the platform CA (a signed challenge proves possession),
//! then a raw P-256 signature under the certificate it issued (art. 37).

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{TimeZone, Utc};
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::EncodePublicKey;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use telemed::clock::ManualClock;
use telemed::domain::canonical::sha256_hex;
use telemed::pki::{CaOptions, init_ca};

use super::pki::TestCa;
use super::{CARDIO, Scene, book_cardiologist};
use crate::support::{TestApp, assert_error};

/// The demo patient booked the cardiologist; the app's platform CA, made with `telemed::pki`, is
/// both the enrolment CA and the only trusted root.
async fn scene_with_platform_ca(enabled: bool) -> Scene {
    let dir = tempfile::tempdir().unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap();
    let options = CaOptions {
        valid_from: Some(now - chrono::Duration::days(1)),
        ..CaOptions::default()
    };
    let paths = init_ca(&dir.path().join("platform"), &options).unwrap();
    let clock = ManualClock::at(now);
    let app = TestApp::with_demo_and_settings(Arc::new(clock), |s| {
        s.signing.trusted_roots = vec![paths.certificate()];
        if enabled {
            s.signing.platform_ca_cert = paths.certificate();
            s.signing.platform_ca_key = paths.key();
        }
    })
    .await;
    let patient = app.login_demo("patient@demo.telemed.kz").await;
    let consultation = book_cardiologist(&app, &patient).await;
    let doctor = app.login_demo(CARDIO).await;
    let me: Value = app.get_as(&doctor, "/api/me").await.json().await.unwrap();
    let patient_me: Value = app.get_as(&patient, "/api/me").await.json().await.unwrap();
    Scene {
        doctor_iin: me["iin"].as_str().unwrap().to_owned(),
        patient_id: patient_me["id"].as_str().unwrap().to_owned(),
        app,
        ca: TestCa::new(),
        doctor,
        patient,
        consultation,
        _pki: Some(dir),
    }
}

async fn challenge(s: &Scene, token: &str) -> reqwest::Response {
    s.app
        .send_as(
            Method::POST,
            Some(token),
            "/api/me/signing-key/challenge",
            &json!({}),
        )
        .await
}

/// Enrols `key` as the doctor; the response of `POST /api/me/signing-key`.
async fn enrol(s: &Scene, key: &SigningKey, sign_other: bool) -> reqwest::Response {
    let res = challenge(s, &s.doctor).await;
    assert_eq!(res.status(), StatusCode::OK);
    let challenge: Value = res.json().await.unwrap();
    let text = challenge["challenge"].as_str().unwrap();
    let signed = if sign_other { "something else" } else { text };
    let signature: Signature = key.sign(signed.as_bytes());
    let spki = key.verifying_key().to_public_key_der().unwrap();
    let body = json!({"spki": STANDARD.encode(spki.as_bytes()), "challenge": text,
                      "signature": STANDARD.encode(signature.to_bytes())});
    s.app
        .send_as(Method::POST, Some(&s.doctor), "/api/me/signing-key", &body)
        .await
}

#[tokio::test]
async fn art_37_a_conclusion_signed_with_an_enrolled_webcrypto_key_enters_the_passport() {
    let s = scene_with_platform_ca(true).await;
    let key = SigningKey::random(&mut rand::rngs::OsRng);
    let res = enrol(&s, &key, false).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let enrolled: Value = res.json().await.unwrap();
    let certificate = enrolled["certificate"].as_str().unwrap().to_owned();
    let serial = enrolled["serial"].as_str().unwrap().to_owned();
    assert!(!serial.is_empty());

    let id = s.draft().await;
    let doc = s.document(&id).await;
    let signature: Signature = key.sign(doc.as_bytes());
    let body = json!({"form": "raw_p256", "signature": STANDARD.encode(signature.to_bytes()),
                      "certificate": certificate, "sha256": sha256_hex(doc.as_bytes())});
    let res = s
        .app
        .send_as(
            Method::POST,
            Some(&s.doctor),
            &format!("/api/records/{id}/sign"),
            &body,
        )
        .await;
    let status = res.status();
    let signed: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{signed}");
    assert_eq!(signed["status"], "signed");

    let passport = s.passport().await;
    let sig = &passport["records"][0]["versions"][0]["signature"];
    assert_eq!(sig["form"], "raw_p256");
    assert_eq!(sig["signer_iin"], s.doctor_iin.as_str());
    assert_eq!(sig["certificate_serial"], serial.as_str());
    assert!(
        sig["certificate_issuer"]
            .as_str()
            .unwrap()
            .contains("telemed test CA")
    );
    assert_eq!(s.audit("signing_key.enrol").len(), 1);
}

#[tokio::test]
async fn art_37_enrolment_needs_proof_of_possession_and_a_fresh_challenge() {
    let s = scene_with_platform_ca(true).await;
    let key = SigningKey::random(&mut rand::rngs::OsRng);
    assert_error(
        enrol(&s, &key, true).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "proof_invalid",
    )
    .await;
    // The challenge was used up by the failed attempt.
    let res = challenge(&s, &s.doctor).await;
    let text = res.json::<Value>().await.unwrap()["challenge"]
        .as_str()
        .unwrap()
        .to_owned();
    let signature: Signature = key.sign(text.as_bytes());
    let spki = key.verifying_key().to_public_key_der().unwrap();
    let body = json!({"spki": STANDARD.encode(spki.as_bytes()), "challenge": text,
                      "signature": STANDARD.encode(signature.to_bytes())});
    let first = s
        .app
        .send_as(Method::POST, Some(&s.doctor), "/api/me/signing-key", &body)
        .await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let again = s
        .app
        .send_as(Method::POST, Some(&s.doctor), "/api/me/signing-key", &body)
        .await;
    assert_error(again, StatusCode::UNPROCESSABLE_ENTITY, "challenge_invalid").await;
}

#[tokio::test]
async fn art_37_only_doctors_enrol_and_only_with_a_platform_ca() {
    let s = scene_with_platform_ca(true).await;
    assert_error(
        challenge(&s, &s.patient).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let off = scene_with_platform_ca(false).await;
    assert_error(
        challenge(&off, &off.doctor).await,
        StatusCode::CONFLICT,
        "enrolment_disabled",
    )
    .await;
}
