//! Delivery over SMTP: invitations, an unreachable relay, login failures, the worker.

use std::sync::Arc;

use chrono::{Duration, Utc};
use mailparse::MailHeaderMap;
use telemed::clock::ManualClock;
use telemed::config::{MailTransport, SmtpTls};
use telemed::notify::deliver_due;
use telemed::notify::ics::IcsMethod;
use telemed::notify::templates;

use super::server::SmtpServer;
use super::*;
use crate::support::TestApp;

#[tokio::test]
async fn art_14_invitation_arrives_with_a_valid_ics_part() {
    let server = SmtpServer::start().await;
    let clock = ManualClock::at(start_time());
    let app = app_with_smtp(&clock, server.port, None).await;
    let patient = templates::Addressee {
        recipient: templates::Recipient::Patient,
        name: "Серикова Айгуль Маратовна",
    };
    let (_, body) = templates::booking_confirmed("ru", &patient, &booking()).expect("rendered");
    let ics_text = invitation(IcsMethod::Request, 0);
    assert!(
        queue(
            &app,
            "booked:c-1",
            Some("c-1"),
            &body,
            Some(ics_text),
            start_time()
        )
        .await
    );

    let report = deliver_due(&app.context, &mailer(&app)).await.unwrap();
    assert_eq!(report.sent, 1, "{report:?}");

    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].to, vec![PATIENT.to_owned()]);
    let mail = mailparse::parse_mail(&received[0].raw).expect("a MIME message");
    assert_eq!(
        mail.headers.get_first_value("Subject").as_deref(),
        Some("Запись подтверждена (booked:c-1)")
    );
    let parts = leaves(&mail);
    let text = parts
        .iter()
        .find(|p| p.ctype.mimetype == "text/plain")
        .expect("text part");
    let text = text.get_body().unwrap();
    assert!(
        text.contains("Здравствуйте, Серикова Айгуль Маратовна!"),
        "{text}"
    );
    assert!(text.contains("http://127.0.0.1:8080/consultations/c-1"));

    let calendar = parts
        .iter()
        .find(|p| p.ctype.mimetype == "text/calendar")
        .expect("a text/calendar part");
    assert_eq!(
        calendar.ctype.params.get("method").map(String::as_str),
        Some("REQUEST")
    );
    assert_eq!(calendar.ctype.charset.to_ascii_lowercase(), "utf-8");
    let ics_bytes = calendar.get_body_raw().unwrap();
    let ics = String::from_utf8(ics_bytes).expect("UTF-8 calendar");
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"), "{ics}");
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    let unfolded = ics.replace("\r\n ", "");
    for line in [
        "METHOD:REQUEST",
        "UID:c-1@telemed.test",
        "SEQUENCE:0",
        "DTSTART:20261124T050000Z",
        "DTEND:20261124T053000Z",
        "STATUS:CONFIRMED",
    ] {
        assert!(
            unfolded.split("\r\n").any(|l| l == line),
            "{line} missing:\n{ics}"
        );
    }
    assert!(unfolded.contains("SUMMARY:Дистанционная консультация: Ахметов Ержан Болатович\\, "));
    assert!(
        !ics.replace("\r\n", "").contains(['\r', '\n']),
        "bare line ends"
    );
    for line in ics.split_terminator("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line}", line.len());
    }

    let row = rows(&app).await.remove(0);
    assert_eq!(row.status, "sent");
    assert_eq!(row.sent_at, Some(start_time().naive_utc()));
    assert_eq!(
        row.provider_id.as_deref(),
        mail.headers.get_first_value("Message-ID").as_deref()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn art_14_smtp_down_the_outbox_keeps_messages_and_delivers_each_exactly_once_when_back() {
    // A port where nothing listens (yet).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let clock = ManualClock::at(start_time());
    let app = app_with_smtp(&clock, port, Some(("relay-user", "hunter2-relay"))).await;
    let mailer = mailer(&app);
    for i in 0..4 {
        queue(
            &app,
            &format!("m{i}"),
            None,
            "Здравствуйте!",
            None,
            start_time(),
        )
        .await;
    }

    let report = deliver_due(&app.context, &mailer).await.unwrap();
    assert_eq!((report.sent, report.failed), (0, 4));
    for row in rows(&app).await {
        assert_eq!(row.status, "pending");
        assert_eq!(row.attempts, 1);
        assert_eq!(
            row.due_at,
            (start_time() + Duration::seconds(5)).naive_utc()
        );
        let error = row.last_error.expect("the failure is recorded");
        assert!(!error.contains("hunter2"), "{error}");
    }
    // Before the backoff has passed nothing is tried.
    assert_eq!(deliver_due(&app.context, &mailer).await.unwrap().failed, 0);

    let server = SmtpServer::start_on(port, Some(("relay-user", "hunter2-relay"))).await;
    clock.advance(Duration::seconds(6));
    let (a, b) = (app.context.clone(), app.context.clone());
    let (m1, m2) = (mailer.clone(), mailer.clone());
    let first = tokio::spawn(async move { deliver_due(&a, &m1).await });
    let second = tokio::spawn(async move { deliver_due(&b, &m2).await });
    let (first, second) = (
        first.await.unwrap().unwrap(),
        second.await.unwrap().unwrap(),
    );
    assert_eq!(first.sent + second.sent, 4, "{first:?} {second:?}");
    assert_eq!(first.failed + second.failed, 0);
    assert_eq!(deliver_due(&app.context, &mailer).await.unwrap().sent, 0);

    let mut ids: Vec<String> = server
        .received()
        .iter()
        .map(|m| {
            let mail = mailparse::parse_mail(&m.raw).unwrap();
            mail.headers.get_first_value("Message-ID").unwrap()
        })
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(server.received().len(), 4, "each message exactly once");
    assert_eq!(ids.len(), 4);
    for row in rows(&app).await {
        assert_eq!(row.status, "sent");
        assert_eq!(row.attempts, 1);
        assert!(row.last_error.is_none());
        assert!(ids.contains(row.provider_id.as_ref().unwrap()));
    }
}

#[tokio::test]
async fn a_failed_login_at_the_relay_is_retried_and_never_records_the_password() {
    let server = SmtpServer::start_on(0, Some(("relay-user", "the-right-one"))).await;
    let clock = ManualClock::at(start_time());
    let app = app_with_smtp(&clock, server.port, Some(("relay-user", "hunter2-wrong"))).await;
    queue(&app, "k", None, "Здравствуйте!", None, start_time()).await;
    let report = deliver_due(&app.context, &mailer(&app)).await.unwrap();
    assert_eq!(report.failed, 1);
    assert!(server.received().is_empty());
    let row = rows(&app).await.remove(0);
    assert_eq!(row.status, "pending");
    let error = row.last_error.unwrap();
    assert!(error.contains("535"), "{error}");
    assert!(!error.contains("hunter2"), "{error}");
    assert!(!format!("{:?}", app.context.settings).contains("hunter2"));
}

#[tokio::test]
async fn the_worker_delivers_by_itself_when_enabled() {
    let server = SmtpServer::start().await;
    let port = server.port;
    let app = TestApp::with_settings(Arc::new(telemed::clock::SystemClock), move |s| {
        s.notify.poll_interval_ms = 50;
        s.mail.transport = MailTransport::Smtp;
        s.mail.smtp_host = "127.0.0.1".into();
        s.mail.smtp_port = port;
        s.mail.smtp_tls = SmtpTls::None;
    })
    .await;
    queue(&app, "k", None, "Здравствуйте!", None, Utc::now()).await;
    for _ in 0..100 {
        if !server.received().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(server.received().len(), 1);
}
