//! Accounts people manage themselves: the address verified by a link before booking, password
//! reset by an e-mailed single-use link, change of password, of address (verified again), of
//! name and language, and the list of one's sessions.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use telemed::clock::ManualClock;

use crate::support::{TestApp, assert_error, fresh_iin, outbox, registration};

const PASSWORD: &str = "correct horse battery";

/// The token of the newest link of `kind` (`verify-email`, `reset-password`, `invite`) mailed
/// to `recipient`.
pub fn mailed_token(app: &TestApp, recipient: &str, kind: &str) -> String {
    let marker = format!("/#/{kind}/");
    let mail = outbox(app)
        .into_iter()
        .rev()
        .find(|m| m.recipient == recipient && m.body.contains(&marker))
        .unwrap_or_else(|| panic!("no {kind} mail to {recipient}"));
    let at = mail.body.find(&marker).unwrap() + marker.len();
    mail.body[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

async fn json_of(res: reqwest::Response, status: StatusCode) -> Value {
    let got = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "{body}");
    body
}

async fn register(app: &TestApp, n: u32, email: &str) -> String {
    let res = app
        .post("/api/auth/register", &registration(&fresh_iin(n), email))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    app.login(email, PASSWORD).await
}

#[tokio::test]
async fn art_14_a_patient_books_only_from_an_address_confirmed_by_its_link() {
    let app = TestApp::with_demo().await;
    let patient = register(&app, 501, "verify.me@example.kz").await;
    let me = json_of(app.get_as(&patient, "/api/me").await, StatusCode::OK).await;
    assert_eq!(me["email_verified"], false);
    // The verification letter is in the patient's language (registered in Kazakh).
    let letter = outbox(&app)
        .into_iter()
        .find(|m| m.recipient == "verify.me@example.kz")
        .expect("verification mail");
    assert!(letter.body.starts_with("Сәлеметсіз бе"), "{}", letter.body);

    let doctors: Value = app
        .get("/api/practitioners?specialty=cardiology")
        .await
        .json()
        .await
        .unwrap();
    let booking = json!({"mode": "realtime", "urgency": "planned",
                         "practitioner_id": doctors[0]["id"], "slot_start": "2030-01-07T04:00:00Z",
                         "reason": "Боли в груди", "funding": "paid"});
    let res = app
        .send_as(Method::POST, Some(&patient), "/api/consultations", &booking)
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "email_unverified").await;

    let token = mailed_token(&app, "verify.me@example.kz", "verify-email");
    let res = app
        .post("/api/auth/verify-email", &json!({"token": token}))
        .await;
    let verified = json_of(res, StatusCode::OK).await;
    assert_eq!(verified["email"], "verify.me@example.kz");
    let me = json_of(app.get_as(&patient, "/api/me").await, StatusCode::OK).await;
    assert_eq!(me["email_verified"], true);
    // Single use.
    let res = app
        .post("/api/auth/verify-email", &json!({"token": token}))
        .await;
    assert_error(res, StatusCode::GONE, "link_invalid").await;
    // Now the booking is not refused for the address (whatever else it needs).
    let res = app
        .send_as(Method::POST, Some(&patient), "/api/consultations", &booking)
        .await;
    let body = res.json::<Value>().await.unwrap();
    assert_ne!(body["error"], "email_unverified", "{body}");
    // Resending to a verified address is refused; garbage tokens get the same 410.
    let res = app
        .send_as(
            Method::POST,
            Some(&patient),
            "/api/me/verify-email",
            &json!({}),
        )
        .await;
    assert_error(res, StatusCode::CONFLICT, "email_already_verified").await;
    for bad in ["", "x", "../../etc/passwd", &"A".repeat(43)] {
        let res = app
            .post("/api/auth/verify-email", &json!({"token": bad}))
            .await;
        assert_error(res, StatusCode::GONE, "link_invalid").await;
    }
}

#[tokio::test]
async fn a_resent_verification_link_replaces_the_earlier_one() {
    let app = TestApp::empty().await;
    let patient = register(&app, 502, "resend@example.kz").await;
    let first = mailed_token(&app, "resend@example.kz", "verify-email");
    let res = app
        .send_as(
            Method::POST,
            Some(&patient),
            "/api/me/verify-email",
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let second = mailed_token(&app, "resend@example.kz", "verify-email");
    assert_ne!(first, second);
    let res = app
        .post("/api/auth/verify-email", &json!({"token": first}))
        .await;
    assert_error(res, StatusCode::GONE, "link_invalid").await;
    let res = app
        .post("/api/auth/verify-email", &json!({"token": second}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_password_reset_link_works_once_within_its_lifetime_and_ends_every_session() {
    let clock = ManualClock::at(Utc.with_ymd_and_hms(2026, 12, 7, 8, 0, 0).unwrap());
    let app = TestApp::with_settings(Arc::new(clock.clone()), |_| {}).await;
    let old_session = register(&app, 503, "forgot@example.kz").await;

    // The answer does not tell whether the address has an account.
    let known = json_of(
        app.post(
            "/api/auth/password-reset",
            &json!({"email": "Forgot@Example.kz"}),
        )
        .await,
        StatusCode::ACCEPTED,
    )
    .await;
    let unknown = json_of(
        app.post(
            "/api/auth/password-reset",
            &json!({"email": "nobody@example.kz"}),
        )
        .await,
        StatusCode::ACCEPTED,
    )
    .await;
    assert_eq!(known, unknown);
    assert!(
        outbox(&app)
            .iter()
            .all(|m| m.recipient != "nobody@example.kz")
    );
    // A second request at once sends no second letter.
    app.post(
        "/api/auth/password-reset",
        &json!({"email": "forgot@example.kz"}),
    )
    .await;
    let letters = outbox(&app)
        .into_iter()
        .filter(|m| m.body.contains("/#/reset-password/"))
        .count();
    assert_eq!(letters, 1);
    let token = mailed_token(&app, "forgot@example.kz", "reset-password");

    let res = app
        .post(
            "/api/auth/password-reset/confirm",
            &json!({"token": token, "new_password": "short"}),
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "weak_password").await;
    let res = app
        .post(
            "/api/auth/password-reset/confirm",
            &json!({"token": token, "new_password": "a brand new passphrase"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    // Every session ended; the old password is gone, the new one works.
    let res = app.get_as(&old_session, "/api/me").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = app
        .post(
            "/api/auth/login",
            &json!({"email": "forgot@example.kz", "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let fresh = app
        .login("forgot@example.kz", "a brand new passphrase")
        .await;
    // Opening the link proved the address.
    let me = json_of(app.get_as(&fresh, "/api/me").await, StatusCode::OK).await;
    assert_eq!(me["email_verified"], true);
    // Single use.
    let res = app
        .post(
            "/api/auth/password-reset/confirm",
            &json!({"token": token, "new_password": "yet another passphrase"}),
        )
        .await;
    assert_error(res, StatusCode::GONE, "link_invalid").await;
    // The owner is told the password changed.
    assert!(
        outbox(&app)
            .iter()
            .any(|m| m.recipient == "forgot@example.kz" && m.body.contains("/#/forgot-password"))
    );

    // A link past its lifetime (30 minutes) is refused as expired.
    clock.advance(Duration::minutes(5));
    app.post(
        "/api/auth/password-reset",
        &json!({"email": "forgot@example.kz"}),
    )
    .await;
    let late = mailed_token(&app, "forgot@example.kz", "reset-password");
    clock.advance(Duration::minutes(31));
    let res = app
        .post(
            "/api/auth/password-reset/confirm",
            &json!({"token": late, "new_password": "too late a passphrase"}),
        )
        .await;
    assert_error(res, StatusCode::GONE, "link_expired").await;
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_the_other_sessions() {
    let app = TestApp::empty().await;
    let here = register(&app, 504, "change@example.kz").await;
    let elsewhere = app.login("change@example.kz", PASSWORD).await;
    let res = app
        .send_as(
            Method::POST,
            Some(&here),
            "/api/me/password",
            &json!({"current_password": "not the password", "new_password": "another passphrase"}),
        )
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "wrong_password").await;
    let res = app
        .send_as(
            Method::POST,
            Some(&here),
            "/api/me/password",
            &json!({"current_password": PASSWORD, "new_password": "another passphrase"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get_as(&here, "/api/me").await.status(), StatusCode::OK);
    assert_eq!(
        app.get_as(&elsewhere, "/api/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    app.login("change@example.kz", "another passphrase").await;
}

#[tokio::test]
async fn a_new_address_takes_effect_only_when_its_link_is_opened() {
    let app = TestApp::with_demo().await;
    let patient = register(&app, 505, "old.address@example.kz").await;
    let change = |email: &str, password: &str| json!({"new_email": email, "password": password});
    let res = app
        .send_as(
            Method::POST,
            Some(&patient),
            "/api/me/email",
            &change("new.address@example.kz", "wrong password here"),
        )
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "wrong_password").await;
    let res = app
        .send_as(
            Method::POST,
            Some(&patient),
            "/api/me/email",
            &change("patient@demo.telemed.kz", PASSWORD),
        )
        .await;
    assert_error(res, StatusCode::CONFLICT, "email_taken").await;
    let res = app
        .send_as(
            Method::POST,
            Some(&patient),
            "/api/me/email",
            &change("New.Address@example.kz", PASSWORD),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    // Nothing changed yet; the old address is told.
    let me = json_of(app.get_as(&patient, "/api/me").await, StatusCode::OK).await;
    assert_eq!(me["email"], "old.address@example.kz");
    assert!(
        outbox(&app)
            .iter()
            .any(|m| m.recipient == "old.address@example.kz" && m.body.contains("/#/me"))
    );
    let token = mailed_token(&app, "new.address@example.kz", "verify-email");
    let res = app
        .post("/api/auth/verify-email", &json!({"token": token}))
        .await;
    assert_eq!(
        json_of(res, StatusCode::OK).await["email"],
        "new.address@example.kz"
    );
    let me = json_of(app.get_as(&patient, "/api/me").await, StatusCode::OK).await;
    assert_eq!(me["email"], "new.address@example.kz");
    assert_eq!(me["email_verified"], true);
    app.login("new.address@example.kz", PASSWORD).await;
    // The original verification link (to the old address) proves nothing any more.
    let old = mailed_token(&app, "old.address@example.kz", "verify-email");
    let res = app
        .post("/api/auth/verify-email", &json!({"token": old}))
        .await;
    assert_error(res, StatusCode::GONE, "link_invalid").await;
}

#[tokio::test]
async fn name_and_language_are_the_owner_s_to_change_and_mail_follows_the_language() {
    let app = TestApp::empty().await;
    let patient = register(&app, 506, "lang@example.kz").await;
    let res = app
        .send_as(
            Method::PATCH,
            Some(&patient),
            "/api/me",
            &json!({"language": "de"}),
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_language").await;
    let res = app
        .send_as(
            Method::PATCH,
            Some(&patient),
            "/api/me",
            &json!({"full_name": "  "}),
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_full_name").await;
    let res = app
        .send_as(
            Method::PATCH,
            Some(&patient),
            "/api/me",
            &json!({"language": "en", "full_name": "Aigul Serikova"}),
        )
        .await;
    let me = json_of(res, StatusCode::OK).await;
    assert_eq!(
        (me["language"].as_str(), me["full_name"].as_str()),
        (Some("en"), Some("Aigul Serikova"))
    );
    app.send_as(
        Method::POST,
        Some(&patient),
        "/api/me/verify-email",
        &json!({}),
    )
    .await;
    let letter = outbox(&app).pop().unwrap();
    assert!(
        letter.body.starts_with("Dear Aigul Serikova"),
        "{}",
        letter.body
    );
}

#[tokio::test]
async fn the_owner_lists_their_sessions_and_ends_one() {
    let app = TestApp::empty().await;
    let here = register(&app, 507, "sessions@example.kz").await;
    let other = app.login("sessions@example.kz", PASSWORD).await;
    let list = json_of(app.get_as(&here, "/api/me/sessions").await, StatusCode::OK).await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list.iter().filter(|s| s["current"] == true).count(), 1);
    assert!(list.iter().all(|s| s["ip"] == "127.0.0.1"));
    let text = serde_json::to_string(list).unwrap();
    assert!(
        !text.contains(&here) && !text.contains(&other),
        "no token is shown"
    );
    let other_id = list.iter().find(|s| s["current"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Someone else cannot end it.
    let stranger = register(&app, 508, "stranger@example.kz").await;
    let res = app
        .send_as(
            Method::DELETE,
            Some(&stranger),
            &format!("/api/me/sessions/{other_id}"),
            &json!({}),
        )
        .await;
    assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
    let res = app
        .send_as(
            Method::DELETE,
            Some(&here),
            &format!("/api/me/sessions/{other_id}"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get_as(&other, "/api/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.get_as(&here, "/api/me").await.status(), StatusCode::OK);
}
