//! Registration with IIN, login, sessions, throttling, staff accounts.

mod invites;
mod registration;
mod self_service;
mod sign_in;

use reqwest::{StatusCode, header};
use serde_json::{Value, json};

use crate::support::{TestApp, assert_error, fresh_iin, registration};

#[tokio::test]
async fn registering_with_a_valid_iin_creates_a_patient_account() {
    let app = TestApp::empty().await;
    let iin = fresh_iin(1);
    let res = app
        .post(
            "/api/auth/register",
            &registration(&iin, "Aigul@Example.kz"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let answer: Value = res.json().await.unwrap();
    assert_eq!(answer["email"], "aigul@example.kz");
    assert!(answer.get("id").is_none() && answer.get("password_hash").is_none());
    let token = app.login("aigul@example.kz", "correct horse battery").await;
    let user: Value = app.get_as(&token, "/api/me").await.json().await.unwrap();
    assert_eq!(user["role"], "patient");
    assert_eq!(user["iin"], iin.as_str());
    assert_eq!(user["email"], "aigul@example.kz");
    assert_eq!(user["language"], "kk");
    assert!(user.get("password_hash").is_none());
    // Nothing about birth date or sex is derived from the IIN.
    assert!(user.get("birth_date").is_none() && user.get("sex").is_none());
}

#[tokio::test]
async fn an_iin_with_a_wrong_check_digit_is_refused_with_invalid_iin() {
    let app = TestApp::empty().await;
    let valid = fresh_iin(2);
    let last = valid.as_bytes()[11] - b'0';
    let wrong = format!("{}{}", &valid[..11], (last + 1) % 10);
    for iin in [wrong.as_str(), "12345", "8701013004551", "87010130045x", ""] {
        let res = app
            .post("/api/auth/register", &registration(iin, "x@example.kz"))
            .await;
        assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_iin").await;
    }
    // None of the refusals left an account behind.
    let res = app
        .post("/api/auth/register", &registration(&valid, "x@example.kz"))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn other_bad_fields_have_their_own_codes() {
    let app = TestApp::empty().await;
    let iin = fresh_iin(3);
    let mut body = registration(&iin, "not-an-email");
    assert_error(
        app.post("/api/auth/register", &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_email",
    )
    .await;
    body["email"] = json!("ok@example.kz");
    body["password"] = json!("short");
    assert_error(
        app.post("/api/auth/register", &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "weak_password",
    )
    .await;
    body["password"] = json!("long enough password");
    body["full_name"] = json!("   ");
    assert_error(
        app.post("/api/auth/register", &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_full_name",
    )
    .await;
    body["full_name"] = json!("Name Surname");
    body["language"] = json!("de");
    assert_error(
        app.post("/api/auth/register", &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_language",
    )
    .await;
}

#[tokio::test]
async fn login_gives_a_token_and_an_http_only_cookie_and_logout_ends_the_session() {
    let app = TestApp::empty().await;
    app.post(
        "/api/auth/register",
        &registration(&fresh_iin(6), "pat@example.kz"),
    )
    .await;
    let res = app
        .post(
            "/api/auth/login",
            &json!({"email": "pat@example.kz", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("telemed_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let token = res.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();

    // Bearer token (API) and cookie (browser; the client keeps it) both identify the user.
    let me: Value = app.get_as(&token, "/api/me").await.json().await.unwrap();
    assert_eq!(me["email"], "pat@example.kz");
    let by_cookie = app.get("/api/me").await;
    assert_eq!(by_cookie.status(), StatusCode::OK);

    let out = app
        .client
        .post(app.at("/api/auth/logout"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert_error(
        app.get_as(&token, "/api/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
}

#[tokio::test]
async fn anonymous_and_forged_tokens_are_unauthenticated() {
    let app = TestApp::empty().await;
    let anon = reqwest::get(app.at("/api/me")).await.unwrap();
    assert_error(anon, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    assert_error(
        app.get_as("forged-token", "/api/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
}

#[tokio::test]
async fn repeated_failed_logins_are_throttled() {
    let app = TestApp::empty().await;
    app.post(
        "/api/auth/register",
        &registration(&fresh_iin(7), "victim@example.kz"),
    )
    .await;
    let wrong = json!({"email": "victim@example.kz", "password": "wrong password!"});
    for _ in 0..5 {
        assert_error(
            app.post("/api/auth/login", &wrong).await,
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        )
        .await;
    }
    // Even the right password is refused while the e-mail is throttled.
    let right = json!({"email": "victim@example.kz", "password": "correct horse battery"});
    let res = app.post("/api/auth/login", &right).await;
    assert!(res.headers().get(header::RETRY_AFTER).is_some());
    assert_error(res, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
    // An unknown e-mail answers like a wrong password: no account enumeration.
    let unknown = json!({"email": "nobody@example.kz", "password": "whatever123"});
    assert_error(
        app.post("/api/auth/login", &unknown).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
}

#[tokio::test]
async fn a_representative_sees_whom_they_represent() {
    let app = TestApp::with_demo().await;
    let token = app.login_demo("parent@demo.telemed.kz").await;
    let me: Value = app.get_as(&token, "/api/me").await.json().await.unwrap();
    assert_eq!(me["role"], "representative");
    assert_eq!(
        me["represented_patients"][0]["full_name"],
        "Жумабаева Айя Даулетовна"
    );
}

pub(crate) fn doctor(iin: &str, email: &str) -> Value {
    json!({
        "full_name": "Абенов Нуржан Серикович",
        "iin": iin,
        "email": email,
        "password": "initial password 1",
        "role": "doctor",
        "language": "ru",
        "practitioner": {
            "position": "Врач-эндокринолог",
            "specialties": [{"code": "endocrinology", "experience_years": 9}],
            "qualification_category": "первая",
            "academic_degree": ""
        }
    })
}

#[tokio::test]
async fn an_org_admin_creates_a_doctor_who_appears_in_the_directory_and_can_sign_in() {
    let app = TestApp::with_demo().await;
    let org = app.demo_org("Алматы").await;
    let admin = app.login_demo("admin.almaty@demo.telemed.kz").await;
    let path = format!("/api/organizations/{org}/staff");
    let res = app
        .send_as(
            reqwest::Method::POST,
            Some(&admin),
            &path,
            &doctor(&fresh_iin(8), "endo@clinic.kz"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let user: Value = res.json().await.unwrap();
    assert_eq!(user["role"], "doctor");
    assert_eq!(user["organization_id"], org.as_str());

    let listed: Value = app
        .get(&format!(
            "/api/practitioners?specialty=endocrinology&organization={org}"
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["full_name"], "Абенов Нуржан Серикович");
    assert_eq!(listed[0]["specialties"][0]["experience_years"], 9);

    let token = app.login("endo@clinic.kz", "initial password 1").await;
    let me: Value = app.get_as(&token, "/api/me").await.json().await.unwrap();
    assert_eq!(me["role"], "doctor");

    let staff: Value = app.get_as(&admin, &path).await.json().await.unwrap();
    assert!(
        staff
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["email"] == "endo@clinic.kz")
    );
}

#[tokio::test]
async fn staff_accounts_are_staff_roles_and_doctors_need_a_profile() {
    let app = TestApp::with_demo().await;
    let org = app.demo_org("Алматы").await;
    let admin = app.login_demo("admin.almaty@demo.telemed.kz").await;
    let path = format!("/api/organizations/{org}/staff");
    let mut body = doctor(&fresh_iin(9), "p@clinic.kz");
    body["role"] = json!("patient");
    let res = app
        .send_as(reqwest::Method::POST, Some(&admin), &path, &body)
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_role").await;
    body["role"] = json!("doctor");
    body.as_object_mut().unwrap().remove("practitioner");
    let res = app
        .send_as(reqwest::Method::POST, Some(&admin), &path, &body)
        .await;
    assert_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "practitioner_profile_required",
    )
    .await;
    let mut body = doctor(&fresh_iin(9), "p@clinic.kz");
    body["practitioner"]["specialties"][0]["code"] = json!("astrology");
    let res = app
        .send_as(reqwest::Method::POST, Some(&admin), &path, &body)
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "unknown_specialty").await;
    // The refused attempts left no account: the e-mail is still free.
    let res = app
        .send_as(
            reqwest::Method::POST,
            Some(&admin),
            &path,
            &doctor(&fresh_iin(9), "p@clinic.kz"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
}
