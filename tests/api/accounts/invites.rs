//! Staff accounts by invitation: the administrator names the employee, the employee chooses
//! their password through the e-mailed link; until then nobody can sign in to the account.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::self_service::mailed_token;
use crate::support::{TestApp, assert_error, fresh_iin, outbox};

fn doctor_invite(iin: &str, email: &str) -> Value {
    json!({
        "full_name": "Ахметов Ерлан Серикович",
        "iin": iin,
        "email": email,
        "role": "doctor",
        "language": "kk",
        "practitioner": {
            "position": "Врач-кардиолог",
            "specialties": [{"code": "cardiology", "experience_years": 5}],
            "qualification_category": "первая",
            "academic_degree": ""
        }
    })
}

#[tokio::test]
async fn an_invited_doctor_chooses_a_password_by_the_link_and_then_signs_in() {
    let app = TestApp::with_demo().await;
    let admin = app.login_demo("admin.almaty@demo.telemed.kz").await;
    let org = app.demo_org("Алматы").await;
    let res = app
        .send_as(
            Method::POST,
            Some(&admin),
            &format!("/api/organizations/{org}/invites"),
            &doctor_invite(&fresh_iin(601), "new.doctor@example.kz"),
        )
        .await;
    let status = res.status();
    let created: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["role"], "doctor");
    // No password works before the invitation is accepted.
    for password in ["!invited", "", "correct horse battery"] {
        let res = app
            .post(
                "/api/auth/login",
                &json!({"email": "new.doctor@example.kz", "password": password}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let letter = outbox(&app)
        .into_iter()
        .find(|m| m.recipient == "new.doctor@example.kz")
        .expect("invitation");
    assert!(
        letter.subject.contains("Городская поликлиника"),
        "{}",
        letter.subject
    );
    assert!(letter.body.contains("дәрігер"), "{}", letter.body);
    let token = mailed_token(&app, "new.doctor@example.kz", "invite");

    let shown: Value = app
        .get(&format!("/api/invites/{token}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shown["email"], "new.doctor@example.kz");
    assert!(
        shown["organization_name"]
            .as_str()
            .unwrap()
            .contains("поликлиника")
    );
    let res = app
        .post(
            &format!("/api/invites/{token}/accept"),
            &json!({"password": "short"}),
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "weak_password").await;
    let res = app
        .post(
            &format!("/api/invites/{token}/accept"),
            &json!({"password": "my own passphrase"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let doctor = app
        .login("new.doctor@example.kz", "my own passphrase")
        .await;
    let me: Value = app.get_as(&doctor, "/api/me").await.json().await.unwrap();
    assert_eq!(
        (me["role"].as_str(), me["email_verified"].as_bool()),
        (Some("doctor"), Some(true))
    );
    // The link is spent; resending is refused once the password is chosen.
    let res = app
        .post(
            &format!("/api/invites/{token}/accept"),
            &json!({"password": "another passphrase"}),
        )
        .await;
    assert_error(res, StatusCode::GONE, "link_invalid").await;
    let id = created["id"].as_str().unwrap();
    let res = app
        .send_as(
            Method::POST,
            Some(&admin),
            &format!("/api/organizations/{org}/staff/{id}/invite"),
            &json!({}),
        )
        .await;
    assert_error(res, StatusCode::CONFLICT, "invitation_accepted").await;
}

#[tokio::test]
async fn only_the_organisation_s_administrator_invites_and_a_resent_invitation_replaces_the_link() {
    let app = TestApp::with_demo().await;
    let almaty = app.demo_org("Алматы").await;
    let other_admin = app.login_demo("admin.aqtobe@demo.telemed.kz").await;
    let doctor = app.login_demo("cardio@demo.telemed.kz").await;
    for who in [&other_admin, &doctor] {
        let res = app
            .send_as(
                Method::POST,
                Some(who),
                &format!("/api/organizations/{almaty}/invites"),
                &doctor_invite(&fresh_iin(602), "x.doctor@example.kz"),
            )
            .await;
        assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    }
    let admin = app.login_demo("admin.almaty@demo.telemed.kz").await;
    let support = json!({"full_name": "Иванова Мария", "iin": fresh_iin(603),
                         "email": "support.new@example.kz", "role": "support"});
    let res = app
        .send_as(
            Method::POST,
            Some(&admin),
            &format!("/api/organizations/{almaty}/invites"),
            &support,
        )
        .await;
    let created: Value = res.json().await.unwrap();
    let first = mailed_token(&app, "support.new@example.kz", "invite");
    let id = created["id"].as_str().unwrap();
    let res = app
        .send_as(
            Method::POST,
            Some(&admin),
            &format!("/api/organizations/{almaty}/staff/{id}/invite"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let second = mailed_token(&app, "support.new@example.kz", "invite");
    assert_ne!(first, second);
    let res = app.get(&format!("/api/invites/{first}")).await;
    assert_error(res, StatusCode::GONE, "link_invalid").await;
    // The same e-mail cannot be invited twice.
    let res = app
        .send_as(
            Method::POST,
            Some(&admin),
            &format!("/api/organizations/{almaty}/invites"),
            &support,
        )
        .await;
    assert_error(res, StatusCode::CONFLICT, "email_taken").await;
}
