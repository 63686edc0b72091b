//! Documents of a request: size and type limits, viewing in the page, and another patient's
//! files refused (403) with the attempt in the audit log.

use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use telemed::db::models::AuditEventRow;
use telemed::db::schema::audit_events;

use super::{Deferred, RADIOLOGIST, XRAY_PNG};
use crate::support::assert_error;

#[tokio::test]
async fn uploads_are_limited_in_size_and_told_apart_by_content() {
    let s = Deferred::with(|s| s.calls.max_file_bytes = 64 * 1024).await;
    let view = Deferred::created(s.xray_request(&s.patient, json!({})).await).await;
    let id = view["id"].as_str().unwrap();
    // An executable named like an image is still an executable.
    let res = s
        .upload(&s.patient, id, "xray.png", b"MZ\x90\0\x03\0\0\0\x04\0")
        .await;
    assert_error(
        res,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "file_type_not_allowed",
    )
    .await;
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(65 * 1024, b' ');
    let res = s.upload(&s.patient, id, "big.pdf", &big).await;
    assert_error(res, StatusCode::PAYLOAD_TOO_LARGE, "file_too_large").await;
    // A DICOM file: 128 bytes of preamble, then DICM.
    let mut dicom = vec![0u8; 128];
    dicom.extend_from_slice(b"DICM\x02\x00\x00\x00UL\x04\x00");
    let res = s.upload(&s.patient, id, "ct.dcm", &dicom).await;
    let stored: Value = res.json().await.unwrap();
    assert_eq!(stored["mime"], "application/dicom");
    let listed: Value = s
        .app
        .get_as(&s.patient, &format!("/api/consultations/{id}/materials"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed.as_array().unwrap().len(),
        1,
        "refused uploads left nothing: {listed}"
    );
}

#[tokio::test]
async fn the_consultant_views_images_in_the_page_and_downloads_the_rest() {
    let s = Deferred::new().await;
    let id = s.submitted().await;
    let radiologist = s.app.login_demo(RADIOLOGIST).await;
    s.post(
        &radiologist,
        &format!("/api/consultations/{id}/take"),
        &json!({}),
    )
    .await;
    let docs: Value = s
        .app
        .get_as(&radiologist, &format!("/api/consultations/{id}/materials"))
        .await
        .json()
        .await
        .unwrap();
    let xray = &docs[0];
    let path = format!(
        "/api/consultations/{id}/materials/{}",
        xray["id"].as_str().unwrap()
    );
    let res = s
        .app
        .get_as(&radiologist, &format!("{path}?inline=1"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
    assert!(
        res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), XRAY_PNG);
    let res = s.app.get_as(&radiologist, &path).await;
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
}

#[tokio::test]
async fn a_patient_cannot_read_another_patients_files_and_the_attempt_is_audited() {
    let s = Deferred::new().await;
    let id = s.submitted().await;
    let docs: Value = s
        .app
        .get_as(&s.patient, &format!("/api/consultations/{id}/materials"))
        .await
        .json()
        .await
        .unwrap();
    let path = format!(
        "/api/consultations/{id}/materials/{}",
        docs[0]["id"].as_str().unwrap()
    );
    let other = s.app.login_demo("patient2@demo.telemed.kz").await;
    let res = s.app.get_as(&other, &path).await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let res = s
        .app
        .get_as(&other, &format!("/api/consultations/{id}/materials"))
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let res = s.upload(&other, &id, "mine.png", XRAY_PNG).await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let mut conn = s.app.context.db.get().unwrap();
    let denied: Vec<AuditEventRow> = audit_events::table
        .filter(audit_events::outcome.eq("denied"))
        .filter(audit_events::object_id.eq(&id))
        .select(AuditEventRow::as_select())
        .load(&mut conn)
        .unwrap();
    let actions: Vec<&str> = denied.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions,
        vec!["material.read", "material.list", "material.upload"]
    );
    assert!(
        denied
            .iter()
            .all(|r| r.subject_id.as_deref() == Some(s.patient_id.as_str())),
        "on the owner's access log (art. 40)"
    );
}
