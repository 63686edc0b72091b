//! The README's first command: with the demo data on, the first start makes a development CA,
//! trusts it and lets the demo doctors enrol a key, so that every flow (signing included) works
//! at once; the production profile never does.

use std::sync::Arc;

use reqwest::{Method, StatusCode};
use serde_json::json;
use telemed::clock::SystemClock;
use telemed::pki::development::DEVELOPMENT_CA_NAME;

use crate::support::TestApp;

#[tokio::test]
async fn art_37_the_demo_makes_a_development_ca_so_doctors_can_enrol_at_once() {
    let folder = tempfile::tempdir().unwrap();
    let ca_dir = folder.path().join("dev-ca");
    let dir = ca_dir.clone();
    let app = TestApp::with_demo_and_settings(Arc::new(SystemClock), move |s| {
        s.signing.dev_ca_dir = dir;
    })
    .await;
    let signing = &app.context.settings.signing;
    assert_eq!(signing.platform_ca_cert, ca_dir.join("ca.pem"));
    assert!(signing.trusted_roots.contains(&ca_dir.join("ca.pem")));
    let pem = std::fs::read_to_string(ca_dir.join("ca.pem")).unwrap();
    let cert = <x509_cert::Certificate as der::DecodePem>::from_pem(pem.as_bytes()).unwrap();
    assert!(
        cert.tbs_certificate
            .subject
            .to_string()
            .contains(DEVELOPMENT_CA_NAME),
        "the CA says what it is"
    );
    let doctor = app.login_demo("cardio@demo.telemed.kz").await;
    let res = app
        .send_as(
            Method::POST,
            Some(&doctor),
            "/api/me/signing-key/challenge",
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "enrolment is on");
}

#[tokio::test]
async fn without_demo_data_no_development_ca_is_made_and_enrolment_stays_off() {
    let folder = tempfile::tempdir().unwrap();
    let ca_dir = folder.path().join("dev-ca");
    let dir = ca_dir.clone();
    let app = TestApp::with_settings(Arc::new(SystemClock), move |s| {
        s.signing.dev_ca_dir = dir;
    })
    .await;
    assert!(!ca_dir.exists());
    assert!(app.context.settings.signing.trusted_roots.is_empty());
    assert!(
        app.context
            .settings
            .signing
            .platform_ca_cert
            .as_os_str()
            .is_empty()
    );
    // The production profile names no folder for one at all.
    let extra = folder.path().join("site.toml");
    std::fs::write(
        &extra,
        "[database]\nurl = \"postgres://telemed@db/telemed\"\n[mail]\nsmtp_host = \"relay\"\n",
    )
    .unwrap();
    let production = telemed::config::Settings::load(&telemed::config::Sources {
        profile: Some("production".into()),
        file: Some(extra),
        config_dir: Some(concat!(env!("CARGO_MANIFEST_DIR"), "/config").into()),
    })
    .expect("the production profile loads");
    assert!(production.signing.dev_ca_dir.as_os_str().is_empty());
    assert!(!production.demo.seed_on_first_start);
}
