//! The outbox itself: dedupe keys, withdrawn reminders, refused recipients, the file transport.

use std::sync::Arc;

use chrono::Duration;
use mailparse::MailHeaderMap;
use telemed::clock::ManualClock;
use telemed::config::MailTransport;
use telemed::db::write_tx;
use telemed::notify::ics::IcsMethod;
use telemed::notify::{Outgoing, deliver_due, enqueue, withdraw_pending};

use super::server::SmtpServer;
use super::*;
use crate::support::TestApp;

#[tokio::test]
async fn the_same_dedupe_key_queues_one_row_and_sends_one_mail() {
    let server = SmtpServer::start().await;
    let clock = ManualClock::at(start_time());
    let app = app_with_smtp(&clock, server.port, None).await;
    assert!(
        queue(
            &app,
            "booked:c-2",
            Some("c-2"),
            "первое",
            None,
            start_time()
        )
        .await
    );
    assert!(
        !queue(
            &app,
            "booked:c-2",
            Some("c-2"),
            "второе",
            None,
            start_time()
        )
        .await
    );
    assert_eq!(rows(&app).await.len(), 1);
    assert_eq!(
        deliver_due(&app.context, &mailer(&app)).await.unwrap().sent,
        1
    );
    assert!(
        !queue(
            &app,
            "booked:c-2",
            Some("c-2"),
            "третье",
            None,
            start_time()
        )
        .await
    );
    assert_eq!(
        deliver_due(&app.context, &mailer(&app)).await.unwrap().sent,
        0
    );
    assert_eq!(server.received().len(), 1);
}

/// Two transactions queue the same key at once: the second finds the row (SQLite, whose writers
/// take turns) or hits the UNIQUE constraint (PostgreSQL); either way it gets `false` and its
/// own change still commits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_concurrent_enqueue_of_the_same_key_is_a_no_op_that_keeps_the_callers_change() {
    let clock = ManualClock::at(start_time());
    let app = TestApp::with_settings(Arc::new(clock), |s| s.notify.worker_enabled = false).await;
    let message = |key: &str| Outgoing {
        dedupe_key: key.to_owned(),
        consultation_id: None,
        recipient: PATIENT,
        subject: "s".into(),
        body: "b".into(),
        ics: None,
        due_at: start_time(),
    };
    let first = app.context.db.run(move |conn| {
        write_tx(conn, |conn| {
            let queued = enqueue(conn, start_time(), &message("same"))?;
            // Hold the transaction open while the other one tries the same key.
            std::thread::sleep(std::time::Duration::from_millis(400));
            Ok(queued)
        })
    });
    let second = async {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        app.context
            .db
            .run(move |conn| {
                write_tx(conn, |conn| {
                    let queued = enqueue(conn, start_time(), &message("same"))?;
                    enqueue(conn, start_time(), &message("other"))?;
                    Ok(queued)
                })
            })
            .await
    };
    let (first, second) = tokio::join!(first, second);
    assert!(first.unwrap());
    assert!(!second.unwrap());
    let keys: Vec<String> = rows(&app).await.into_iter().map(|r| r.dedupe_key).collect();
    assert_eq!(keys, ["other", "same"]);
}

#[tokio::test]
async fn withdrawn_reminders_are_never_sent() {
    let server = SmtpServer::start().await;
    let clock = ManualClock::at(start_time());
    let app = app_with_smtp(&clock, server.port, None).await;
    let later = start_time() + Duration::hours(20);
    queue(
        &app,
        "reminder:c-3:24h",
        Some("c-3"),
        "через 24 часа",
        None,
        later,
    )
    .await;
    queue(
        &app,
        "reminder:c-3:1h",
        Some("c-3"),
        "через 1 час",
        None,
        later,
    )
    .await;
    queue(
        &app,
        "reminder:c-4:24h",
        Some("c-4"),
        "другая запись",
        None,
        later,
    )
    .await;
    queue(
        &app,
        "cancelled:c-3",
        Some("c-3"),
        "отменена",
        None,
        start_time(),
    )
    .await;

    let withdrawn = app
        .context
        .db
        .run(|conn| write_tx(conn, |conn| withdraw_pending(conn, "c-3", "reminder:")))
        .await
        .unwrap();
    assert_eq!(withdrawn, 2);
    clock.advance(Duration::days(1));
    let report = deliver_due(&app.context, &mailer(&app)).await.unwrap();
    assert_eq!(report.sent, 2, "{report:?}");
    let status: Vec<(String, String)> = rows(&app)
        .await
        .into_iter()
        .map(|r| (r.dedupe_key, r.status))
        .collect();
    assert_eq!(
        status,
        [
            ("cancelled:c-3", "sent"),
            ("reminder:c-3:1h", "withdrawn"),
            ("reminder:c-3:24h", "withdrawn"),
            ("reminder:c-4:24h", "sent"),
        ]
        .map(|(k, s)| (k.to_owned(), s.to_owned()))
    );
    let bodies: Vec<String> = server
        .received()
        .iter()
        .map(|m| {
            leaves(&mailparse::parse_mail(&m.raw).unwrap())[0]
                .get_body()
                .unwrap()
        })
        .collect();
    assert!(bodies.iter().all(|b| !b.contains("через")), "{bodies:?}");
}

#[tokio::test]
async fn the_file_transport_writes_a_readable_eml() {
    let clock = ManualClock::at(start_time());
    let app = TestApp::with_settings(Arc::new(clock.clone()), |s| {
        s.notify.worker_enabled = false;
    })
    .await;
    assert_eq!(app.context.settings.mail.transport, MailTransport::File);
    let ics_text = invitation(IcsMethod::Cancel, 1);
    queue(
        &app,
        "cancelled:c-5",
        Some("c-5"),
        "Консультация отменена.",
        Some(ics_text),
        start_time(),
    )
    .await;
    let report = deliver_due(&app.context, &mailer(&app)).await.unwrap();
    assert_eq!(report.sent, 1);

    let row = rows(&app).await.remove(0);
    let path = app
        .context
        .settings
        .mail
        .dir
        .join(format!("{}.eml", row.id));
    let raw = std::fs::read(&path).expect("the .eml file");
    let mail = mailparse::parse_mail(&raw).unwrap();
    assert_eq!(mail.headers.get_first_value("To").as_deref(), Some(PATIENT));
    assert_eq!(mail.headers.get_first_value("Message-ID"), row.provider_id);
    let parts = leaves(&mail);
    assert_eq!(
        parts[0].get_body().unwrap().trim_end(),
        "Консультация отменена."
    );
    let calendar = parts
        .iter()
        .find(|p| p.ctype.mimetype == "text/calendar")
        .unwrap();
    assert_eq!(
        calendar.ctype.params.get("method").map(String::as_str),
        Some("CANCEL")
    );
    let leftovers = std::fs::read_dir(&app.context.settings.mail.dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".tmp")
        })
        .count();
    assert_eq!(leftovers, 0, "no temporary files left behind");
}

#[tokio::test]
async fn a_recipient_that_is_no_address_is_refused_at_enqueue() {
    let clock = ManualClock::at(start_time());
    let app = TestApp::with_settings(Arc::new(clock), |s| s.notify.worker_enabled = false).await;
    let result = app
        .context
        .db
        .run(|conn| {
            write_tx(conn, |conn| {
                enqueue(
                    conn,
                    start_time(),
                    &Outgoing {
                        dedupe_key: "bad".into(),
                        consultation_id: None,
                        recipient: "not an address",
                        subject: "s".into(),
                        body: "b".into(),
                        ics: None,
                        due_at: start_time(),
                    },
                )
            })
        })
        .await;
    assert_eq!(result.unwrap_err().code(), "invalid_recipient");
    assert!(rows(&app).await.is_empty());
}
