//! Registration does not tell who has an account (the owner is told by e-mail instead), and
//! the passwords people choose are long and not among the most common.

use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use telemed::db::models::OutboxRow;
use telemed::db::schema::outbox;

use super::doctor;
use crate::support::{TestApp, assert_error, fresh_iin, registration};

fn outbox(app: &TestApp) -> Vec<OutboxRow> {
    let mut conn = app.context.db.get().unwrap();
    outbox::table
        .select(OutboxRow::as_select())
        .order(outbox::created_at.asc())
        .load(&mut conn)
        .unwrap()
}

async fn register(app: &TestApp, body: &Value) -> (StatusCode, Value) {
    let res = app.post("/api/auth/register", body).await;
    (res.status(), res.json().await.unwrap())
}

#[tokio::test]
async fn registration_does_not_reveal_whether_an_email_or_iin_has_an_account() {
    let app = TestApp::empty().await;
    let iin = fresh_iin(40);
    let (status, first) = register(&app, &registration(&iin, "one@example.kz")).await;
    assert_eq!(status, StatusCode::CREATED);

    // The same e-mail with a new IIN, the same IIN with a new e-mail: the same answer.
    let mut taken_email = registration(&fresh_iin(41), "ONE@example.kz");
    taken_email["password"] = json!("another long password");
    assert_eq!(
        register(&app, &taken_email).await,
        (StatusCode::CREATED, first.clone())
    );
    let (status, again) = register(&app, &registration(&iin, "two@example.kz")).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(again["message"], first["message"]);
    assert_eq!(again["email"], "two@example.kz");

    // Nothing changed: the owner's password still works, the others open nothing.
    app.login("one@example.kz", "correct horse battery").await;
    for (email, password) in [
        ("one@example.kz", "another long password"),
        ("two@example.kz", "correct horse battery"),
    ] {
        let res = app
            .post(
                "/api/auth/login",
                &json!({"email": email, "password": password}),
            )
            .await;
        assert_error(res, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    }

    // The owner is told, in their language, once a day however often it is tried (besides the
    // verification letter of their own registration).
    let mail: Vec<_> = outbox(&app)
        .into_iter()
        .filter(|m| !m.body.contains("/#/verify-email/"))
        .collect();
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(mail[0].recipient, "one@example.kz");
    assert!(mail[0].subject.contains("тіркелу"), "{}", mail[0].subject);
    assert!(mail[0].body.contains("/#/login"), "{}", mail[0].body);
    assert!(!mail[0].body.contains("two@example.kz"));
}

#[tokio::test]
async fn registration_with_the_details_of_two_accounts_tells_both_owners() {
    let app = TestApp::empty().await;
    let (iin_a, iin_b) = (fresh_iin(42), fresh_iin(43));
    register(&app, &registration(&iin_a, "a@example.kz")).await;
    let mut b = registration(&iin_b, "b@example.kz");
    b["language"] = json!("en");
    register(&app, &b).await;
    // A's e-mail with B's IIN.
    let (status, _) = register(&app, &registration(&iin_b, "a@example.kz")).await;
    assert_eq!(status, StatusCode::CREATED);
    let mut told: Vec<_> = outbox(&app)
        .into_iter()
        .filter(|m| !m.body.contains("/#/verify-email/"))
        .map(|m| (m.recipient, m.subject))
        .collect();
    told.sort();
    assert_eq!(told.len(), 2, "{told:?}");
    assert_eq!(told[0].0, "a@example.kz");
    assert_eq!(told[1].0, "b@example.kz");
    assert_eq!(
        told[1].1,
        "Someone tried to register again with your details"
    );
}

#[tokio::test]
async fn weak_passwords_are_refused_for_patients_and_staff_alike() {
    let app = TestApp::with_demo().await;
    for weak in [
        "nine char",
        "          x",
        "1234567890",
        "QwertyUIOP",
        " Password123 ",
    ] {
        let mut body = registration(&fresh_iin(44), "weak@example.kz");
        body["password"] = json!(weak);
        let res = app.post("/api/auth/register", &body).await;
        let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "weak_password").await;
        assert!(
            body["message"].as_str().unwrap().contains("10 characters")
                || body["message"].as_str().unwrap().contains("common"),
            "{body}"
        );
    }
    let org = app.demo_org("Алматы").await;
    let admin = app.login_demo("admin.almaty@demo.telemed.kz").await;
    let path = format!("/api/organizations/{org}/staff");
    let mut staff = doctor(&fresh_iin(45), "weak.doctor@clinic.kz");
    staff["password"] = json!("password123");
    let res = app.send_as(Method::POST, Some(&admin), &path, &staff).await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "weak_password").await;
    // A long phrase of one's own is fine, and the demo password still signs in.
    staff["password"] = json!("my own long phrase");
    let res = app.send_as(Method::POST, Some(&admin), &path, &staff).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    app.login("weak.doctor@clinic.kz", "my own long phrase")
        .await;
}
