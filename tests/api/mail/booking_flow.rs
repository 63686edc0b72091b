//! The whole story by real mail (art. 14, 15): the patient books, both sides receive the
//! invitation; the doctor cancels with a reason, both sides receive the cancellation (the
//! reason's code, and a link to the explanation the doctor wrote).

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use telemed::clock::ManualClock;
use telemed::config::{MailTransport, SmtpTls};
use telemed::notify::deliver_due;

use super::server::{Received, SmtpServer};
use super::{leaves, mailer};
use crate::support::TestApp;

const PATIENT: &str = "patient@demo.telemed.kz";
const DOCTOR: &str = "cardio@demo.telemed.kz";

/// (text part, calendar part) of the message sent to `who`, the latest one if several.
fn parts_for(inbox: &[Received], who: &str, method: &str) -> (String, String) {
    inbox
        .iter()
        .rev()
        .filter(|m| m.to.iter().any(|t| t.contains(who)))
        .find_map(|m| {
            let mail = mailparse::parse_mail(&m.raw).expect("a parsable message");
            let parts = leaves(&mail);
            let calendar = parts
                .iter()
                .find(|p| p.ctype.mimetype == "text/calendar")?
                .get_body()
                .ok()?;
            let text = parts
                .iter()
                .find(|p| p.ctype.mimetype == "text/plain")?
                .get_body()
                .ok()?;
            calendar
                .contains(&format!("METHOD:{method}"))
                .then_some((text, calendar))
        })
        .unwrap_or_else(|| panic!("no {method} message to {who}"))
}

#[tokio::test]
async fn art_14_15_booking_and_a_doctors_cancellation_reach_both_sides_by_smtp() {
    let server = SmtpServer::start().await;
    let clock = ManualClock::at(Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap());
    let port = server.port;
    let app = TestApp::with_demo_and_settings(Arc::new(clock.clone()), move |s| {
        s.notify.worker_enabled = false;
        s.mail.transport = MailTransport::Smtp;
        s.mail.smtp_host = "127.0.0.1".into();
        s.mail.smtp_port = port;
        s.mail.smtp_tls = SmtpTls::None;
    })
    .await;
    let list: Value = app
        .get("/api/practitioners?specialty=cardiology")
        .await
        .json()
        .await
        .unwrap();
    let cardio = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["time_zone"] == "Asia/Almaty")
        .unwrap();
    let (practitioner, org) = (
        cardio["id"].as_str().unwrap(),
        cardio["organization_id"].as_str().unwrap(),
    );

    let patient = app.login_demo(PATIENT).await;
    let consent = json!({"action": "accept", "method": "click"});
    app.send_as(
        Method::POST,
        Some(&patient),
        &format!("/api/organizations/{org}/consent"),
        &consent,
    )
    .await;
    let booking = json!({"mode": "realtime", "urgency": "planned", "practitioner_id": practitioner,
        "slot_start": "2026-11-24T04:00:00Z", "reason": "Одышка", "funding": "osms"});
    let res = app
        .send_as(Method::POST, Some(&patient), "/api/consultations", &booking)
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    deliver_due(&app.context, &mailer(&app)).await.unwrap();

    let inbox = server.received();
    for who in [PATIENT, DOCTOR] {
        let (text, calendar) = parts_for(&inbox, who, "REQUEST");
        assert!(calendar.contains("DTSTART:20261124T040000Z"), "{calendar}");
        assert!(
            text.contains("24.11.2026 09:00 (Asia/Almaty)"),
            "local time in the text: {text}"
        );
        assert!(
            text.contains(&format!("/#/consultations/{id}")),
            "the join link"
        );
    }

    let doctor = app.login_demo(DOCTOR).await;
    let cancel = json!({"reason_code": "doctor_unavailable", "reason_text": "Срочная операция"});
    let res = app
        .send_as(
            Method::POST,
            Some(&doctor),
            &format!("/api/consultations/{id}/cancel"),
            &cancel,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    deliver_due(&app.context, &mailer(&app)).await.unwrap();

    let inbox = server.received();
    for who in [PATIENT, DOCTOR] {
        let (text, calendar) = parts_for(&inbox, who, "CANCEL");
        assert!(calendar.contains("STATUS:CANCELLED") && calendar.contains("SEQUENCE:1"));
        // Who cancelled and the reason's code travel; the words the doctor typed stay on the
        // consultation's page, which the letter links to.
        assert!(
            text.contains("врач не может провести консультацию"),
            "the reason's code reaches {who}: {text}"
        );
        assert!(!text.contains("Срочная операция"), "{who}: {text}");
        assert!(text.contains(&format!("/#/consultations/{id}")), "{text}");
    }
    // Each side got exactly two messages: the confirmation and the cancellation.
    for who in [PATIENT, DOCTOR] {
        assert_eq!(
            inbox
                .iter()
                .filter(|m| m.to.iter().any(|t| t.contains(who)))
                .count(),
            2,
            "{who}"
        );
    }
}
