//! The largest file a request's documents may have: the organisation's own limit, set by its
//! administrator, never above the platform's (`calls.max_file_bytes`); shown in the
//! organisation's data and enforced on upload with a 413 that names it.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::Deferred;
use crate::support::assert_error;

const KIB: u64 = 1024;

/// The organisation as its administrator's form would send it back.
async fn editable(s: &Deferred, id: &str) -> Value {
    let mut org: Value = s
        .app
        .get(&format!("/api/organizations/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let map = org.as_object_mut().unwrap();
    for read_only in ["id", "offer", "practitioners"] {
        map.remove(read_only);
    }
    org
}

async fn set_limit(s: &Deferred, admin: &str, limit: Value) -> reqwest::Response {
    let mut org = editable(s, &s.aqtobe).await;
    org["max_file_bytes"] = limit;
    s.app
        .send_as(
            Method::PUT,
            Some(admin),
            &format!("/api/organizations/{}", s.aqtobe),
            &org,
        )
        .await
}

fn pdf(size: u64) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.resize(usize::try_from(size).unwrap(), b' ');
    bytes
}

#[tokio::test]
async fn an_organisations_file_limit_is_stated_kept_below_the_platforms_and_enforced() {
    let s = Deferred::with(|s| s.calls.max_file_bytes = 256 * KIB).await;
    let limit_of = |org: Value| org["max_file_bytes"].as_u64();
    let org: Value = s
        .app
        .get(&format!("/api/organizations/{}", s.aqtobe))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(limit_of(org), Some(256 * KIB), "the platform's, until set");

    let admin = s.app.login_demo("admin.aqtobe@demo.telemed.kz").await;
    let refused = assert_error(
        set_limit(&s, &admin, json!(512 * KIB)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "file_limit_above_platform",
    )
    .await;
    assert!(
        refused["message"].as_str().unwrap().contains("256 KiB"),
        "{refused}"
    );
    let res = set_limit(&s, &admin, json!(64 * KIB)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(limit_of(res.json().await.unwrap()), Some(64 * KIB));
    // Sent back unchanged, as a form does, the limit stays.
    let res = s
        .app
        .send_as(
            Method::PUT,
            Some(&admin),
            &format!("/api/organizations/{}", s.aqtobe),
            &editable(&s, &s.aqtobe).await,
        )
        .await;
    assert_eq!(limit_of(res.json().await.unwrap()), Some(64 * KIB));
    // Another organisation keeps the platform's.
    let other: Value = s
        .app
        .get(&format!("/api/organizations/{}", s.almaty))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(limit_of(other), Some(256 * KIB));

    let view = Deferred::created(s.xray_request(&s.patient, json!({})).await).await;
    let id = view["id"].as_str().unwrap();
    let too_big = assert_error(
        s.upload(&s.patient, id, "scan.pdf", &pdf(65 * KIB)).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "file_too_large",
    )
    .await;
    assert!(
        too_big["message"].as_str().unwrap().contains("64 KiB"),
        "the refusal names the limit: {too_big}"
    );
    let res = s.upload(&s.patient, id, "scan.pdf", &pdf(63 * KIB)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
}
