//! Health, readiness, request ids, the OpenAPI document, error shapes, limits, security headers,
//! the audit chain.

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::{Value, json};
use telemed::audit::{self, Verification};
use telemed::clock::SystemClock;

use crate::support::{TestApp, assert_error, fresh_iin, registration};

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::empty().await;
    let res = app.get("/health").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().contains_key("x-request-id"));
    let ready: Value = app.get("/ready").await.json().await.unwrap();
    assert_eq!(ready["status"], "ready");
    let expected = if std::env::var("TELEMED_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        "postgresql"
    } else {
        "sqlite"
    };
    assert_eq!(ready["database"], expected);
}

#[tokio::test]
async fn the_openapi_document_lists_every_endpoint() {
    let app = TestApp::empty().await;
    let doc: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    let expected = [
        ("/health", "get"),
        ("/ready", "get"),
        ("/api/openapi.json", "get"),
        ("/api/auth/register", "post"),
        ("/api/auth/login", "post"),
        ("/api/auth/logout", "post"),
        ("/api/me", "get"),
        ("/api/me/access-log", "get"),
        ("/api/specialties", "get"),
        ("/api/organizations", "get"),
        ("/api/organizations", "post"),
        ("/api/organizations/{id}", "get"),
        ("/api/organizations/{id}", "put"),
        ("/api/organizations/{id}/offers", "post"),
        ("/api/organizations/{id}/staff", "get"),
        ("/api/organizations/{id}/staff", "post"),
        ("/api/practitioners", "get"),
        ("/api/practitioners/{id}", "get"),
        ("/api/practitioners/{id}", "put"),
        ("/api/practitioners/{id}/schedule", "put"),
        ("/api/slots", "get"),
        ("/api/organizations/{id}/consent", "get"),
        ("/api/organizations/{id}/consent", "post"),
        ("/api/organizations/{id}/consent/code", "post"),
        ("/api/consultations", "get"),
        ("/api/consultations", "post"),
        ("/api/consultations/{id}", "get"),
        ("/api/consultations/{id}/cancel", "post"),
        ("/api/consultations/{id}/reschedule", "post"),
        ("/api/consultations/{id}/confirm", "post"),
        ("/api/consultations/{id}/agree", "post"),
        ("/api/consultations/{id}/documents-complete", "post"),
        ("/api/queue", "get"),
        ("/api/patients/{patient_id}/records", "post"),
        ("/api/records/{id}", "get"),
        ("/api/records/{id}", "put"),
        ("/api/records/{id}/document", "get"),
        ("/api/records/{id}/sign", "post"),
        ("/api/records/{id}/amend", "post"),
        ("/api/records/{id}/materials", "post"),
        ("/api/me/health-passport", "get"),
        ("/api/break-glass", "post"),
        ("/api/me/signing-key/challenge", "post"),
        ("/api/me/signing-key", "post"),
        ("/api/consultations/{id}/signal", "get"),
        ("/api/ice-servers", "get"),
        ("/api/consultations/{id}/files", "post"),
        ("/api/consultations/{id}/materials", "get"),
        ("/api/consultations/{id}/materials/{material_id}", "get"),
        ("/api/consultations/{id}/messages", "get"),
        ("/api/consultations/{id}/end", "post"),
        ("/api/consultations/{id}/phone", "post"),
        ("/api/consultations/{id}/guests", "get"),
        ("/api/consultations/{id}/guests", "post"),
        ("/api/consultations/{id}/take", "post"),
        ("/api/consultations/{id}/request-documents", "post"),
        ("/api/consultations/{id}/decline", "post"),
        ("/api/icd10", "get"),
        ("/api/councils", "get"),
        ("/api/councils", "post"),
        ("/api/councils/{id}", "get"),
        ("/api/councils/{id}/agree", "post"),
        ("/api/councils/{id}/accept", "post"),
        ("/api/councils/{id}/decline", "post"),
        ("/api/councils/{id}/cancel", "post"),
        ("/api/councils/{id}/members", "post"),
        ("/api/councils/{id}/opinion", "post"),
        ("/api/councils/{id}/conclusion", "put"),
        ("/api/councils/{id}/conclusion/freeze", "post"),
        ("/api/councils/{id}/conclusion/document", "get"),
        ("/api/councils/{id}/conclusion/sign", "post"),
        ("/api/councils/{id}/conclusion/refuse", "post"),
        ("/api/organizations/{id}/consultant-lists", "get"),
        (
            "/api/organizations/{id}/consultant-lists/{specialty}",
            "put",
        ),
        ("/api/organizations/{id}/break-glass", "get"),
        ("/api/me", "patch"),
        ("/api/auth/verify-email", "post"),
        ("/api/auth/password-reset", "post"),
        ("/api/auth/password-reset/confirm", "post"),
        ("/api/me/verify-email", "post"),
        ("/api/me/password", "post"),
        ("/api/me/email", "post"),
        ("/api/me/sessions", "get"),
        ("/api/me/sessions/{id}", "delete"),
        ("/api/organizations/{id}/invites", "post"),
        ("/api/organizations/{id}/staff/{user_id}/invite", "post"),
        ("/api/invites/{token}", "get"),
        ("/api/invites/{token}/accept", "post"),
        ("/api/practitioners/{id}/week", "get"),
        ("/api/me/week", "get"),
        ("/api/organizations/{id}/offer-acceptances", "get"),
        ("/api/organizations/{id}/staff/{user_id}/deactivate", "post"),
        ("/api/organizations/{id}/staff/{user_id}/reactivate", "post"),
        ("/api/platform/organizations", "get"),
        ("/api/platform/health", "get"),
    ];
    for (path, method) in expected {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing"
        );
    }
    let documented: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(
        documented,
        expected.len(),
        "an undocumented or unexpected operation"
    );
}

#[tokio::test]
async fn malformed_requests_get_json_errors_not_500s() {
    let app = TestApp::empty().await;
    let raw = |body: &'static str, ctype: &'static str| {
        app.client
            .post(app.at("/api/auth/register"))
            .header("content-type", ctype)
            .body(body)
            .send()
    };
    assert_error(
        raw("{not json", "application/json").await.unwrap(),
        StatusCode::BAD_REQUEST,
        "invalid_body",
    )
    .await;
    assert_error(
        raw("{}", "application/json").await.unwrap(),
        StatusCode::BAD_REQUEST,
        "invalid_body",
    )
    .await;
    assert_error(
        raw("a=b", "application/x-www-form-urlencoded")
            .await
            .unwrap(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    let mut unknown = registration(&fresh_iin(20), "u@example.kz");
    unknown["is_admin"] = json!(true);
    assert_error(
        app.post("/api/auth/register", &unknown).await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    )
    .await;

    assert_error(
        app.get("/api/no-such-thing").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let wrong_method = app
        .client
        .delete(app.at("/api/organizations"))
        .send()
        .await
        .unwrap();
    assert_error(
        wrong_method,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    )
    .await;

    // Last: the server answers 413 before reading the body and closes that connection.
    let huge = json!({"full_name": "x".repeat(200_000), "iin": "1", "email": "e", "password": "p"});
    assert_error(
        app.post("/api/auth/register", &huge).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    )
    .await;
}

#[tokio::test]
async fn the_web_interface_is_served_with_a_strict_content_security_policy() {
    let app = TestApp::empty().await;
    let res = app.get("/").await;
    assert_eq!(res.status(), StatusCode::OK);
    let csp = res
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("default-src 'self'"));
    assert!(res.text().await.unwrap().contains("<html"));
    for file in ["/i18n/ru.json", "/i18n/kk.json", "/i18n/en.json"] {
        let res = app.get(file).await;
        assert_eq!(res.status(), StatusCode::OK, "{file}");
        let _: Value = res.json().await.expect("translations are JSON");
    }
}

fn header<'a>(res: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    res.headers().get(name).map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn headers_no_store_on_patient_data() {
    let app = TestApp::with_demo().await;
    let patient = app.login_demo("patient@demo.telemed.kz").await;
    for path in [
        "/api/me",
        "/api/me/access-log",
        "/api/consultations",
        "/api/no-such-thing",
    ] {
        let res = app.get_as(&patient, path).await;
        assert_eq!(header(&res, "cache-control"), Some("no-store"), "{path}");
    }
    // A fresh client: the app's own keeps the session cookie.
    let refused = reqwest::get(app.at("/api/me")).await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(header(&refused, "cache-control"), Some("no-store"));
    // The interface's files are not personal: they revalidate, and may be kept.
    let script = app.get("/js/app.js").await;
    assert_eq!(header(&script, "cache-control"), Some("no-cache"));
    assert_eq!(header(&app.get("/health").await, "cache-control"), None);
    // Plain HTTP (secure cookies off): no HSTS.
    assert_eq!(header(&script, "strict-transport-security"), None);
}

#[tokio::test]
async fn permissions_policy_allows_camera_only_on_the_call_page() {
    let app = TestApp::empty().await;
    // The call page is the interface's shell served as `/call`; the router moves calls there.
    let res = app.get("/call").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        header(&res, "permissions-policy"),
        Some("camera=(self), microphone=(self), display-capture=(self)")
    );
    for path in [
        "/",
        "/index.html",
        "/js/views/call.js",
        "/css/app.css",
        "/api/specialties",
        "/api/no-such-thing",
        "/health",
        "/no-such-page",
    ] {
        let res = app.get(path).await;
        assert_eq!(
            header(&res, "permissions-policy"),
            Some("camera=(), microphone=(), geolocation=()"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn hsts_is_sent_when_the_service_runs_behind_https() {
    let app = TestApp::with_settings(Arc::new(SystemClock), |s| {
        s.server.secure_cookies = true;
    })
    .await;
    for path in ["/", "/api/specialties", "/health", "/api/no-such-thing"] {
        let res = app.get(path).await;
        assert_eq!(
            header(&res, "strict-transport-security"),
            Some("max-age=31536000; includeSubDomains"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_three_translations_have_the_same_keys() {
    let load = |lang: &str| -> Value {
        let text = std::fs::read_to_string(format!(
            "{}/static/i18n/{lang}.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        serde_json::from_str(&text).unwrap()
    };
    fn keys(v: &Value, prefix: &str, out: &mut Vec<String>) {
        if let Some(map) = v.as_object() {
            for (k, v) in map {
                keys(v, &format!("{prefix}{k}."), out);
            }
        } else {
            out.push(prefix.trim_end_matches('.').to_owned());
        }
    }
    let mut ru = vec![];
    keys(&load("ru"), "", &mut ru);
    ru.sort();
    for lang in ["kk", "en"] {
        let mut other = vec![];
        keys(&load(lang), "", &mut other);
        other.sort();
        assert_eq!(ru, other, "keys of {lang}.json differ from ru.json");
    }
}

#[tokio::test]
async fn every_change_lands_in_an_intact_hash_chained_audit_log() {
    let app = TestApp::with_demo().await;
    app.post(
        "/api/auth/register",
        &registration(&fresh_iin(21), "a1@example.kz"),
    )
    .await;
    app.login("a1@example.kz", "correct horse battery").await;
    let _ = app
        .post(
            "/api/auth/login",
            &json!({"email": "a1@example.kz", "password": "nope nope"}),
        )
        .await;
    let mut conn = app.context.db.get().unwrap();
    let settings = &app.context.settings.audit;
    match audit::verify_configured(&mut conn, settings).unwrap() {
        Verification::Intact { rows } => assert!(rows >= 3, "{rows} rows"),
        broken => panic!("{broken:?}"),
    }
    // The table refuses changes; with its triggers dropped, a changed row is detected.
    use diesel::prelude::*;
    use telemed::db::schema::audit_events;
    let edit = || {
        diesel::update(audit_events::table.filter(audit_events::seq.eq(2)))
            .set(audit_events::outcome.eq("ok-edited"))
    };
    assert!(
        edit().execute(&mut conn).is_err(),
        "audit_events is append-only"
    );
    crate::cli::drop_audit_triggers(&mut conn);
    edit().execute(&mut conn).unwrap();
    assert_eq!(
        audit::verify_configured(&mut conn, settings).unwrap(),
        Verification::Broken {
            seq: 2,
            reason: "the row was altered"
        }
    );
}
