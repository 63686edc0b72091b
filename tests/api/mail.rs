//! Mail through the outbox (art. 14), delivered to a real SMTP server on loopback (`server`).
//! On SQLite, and on PostgreSQL when `TELEMED_TEST_DATABASE_URL` is set, like the whole suite.

mod booking_flow;
mod break_glass;
mod delivery;
mod queueing;
mod recipients;
mod server;

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use diesel::prelude::*;
use telemed::clock::ManualClock;
use telemed::config::{MailTransport, Secret, SmtpTls};
use telemed::db::models::OutboxRow;
use telemed::db::schema::outbox;
use telemed::db::write_tx;
use telemed::notify::ics::{self, IcsMethod, Invitation};
use telemed::notify::templates::BookingText;
use telemed::notify::{Mailer, Outgoing, enqueue};

use crate::support::TestApp;

const PATIENT: &str = "patient@example.kz";

fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap()
}

/// An app whose mail goes to the SMTP server on `port`, with the worker off so that the tests
/// deliver by hand on a manual clock.
async fn app_with_smtp(clock: &ManualClock, port: u16, login: Option<(&str, &str)>) -> TestApp {
    let login = login.map(|(u, p)| (u.to_owned(), Secret::new(p)));
    TestApp::with_settings(Arc::new(clock.clone()), move |s| {
        s.notify.worker_enabled = false;
        s.mail.transport = MailTransport::Smtp;
        s.mail.smtp_host = "127.0.0.1".into();
        s.mail.smtp_port = port;
        s.mail.smtp_tls = SmtpTls::None;
        s.mail.timeout_seconds = 5;
        s.mail.from = "Городская поликлиника №7 <no-reply@telemed.test>".into();
        if let Some((user, password)) = login {
            s.mail.smtp_username = Some(user);
            s.mail.smtp_password = Some(password);
        }
    })
    .await
}

fn mailer(app: &TestApp) -> Mailer {
    Mailer::from_settings(&app.context.settings.mail).expect("mailer")
}

/// Queues a message the way a service does: inside a write transaction.
async fn queue(
    app: &TestApp,
    key: &str,
    consultation: Option<&str>,
    body: &str,
    ics: Option<String>,
    due_at: DateTime<Utc>,
) -> bool {
    let (key, consultation, body) = (
        key.to_owned(),
        consultation.map(str::to_owned),
        body.to_owned(),
    );
    let now = app.context.clock.now();
    app.context
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                enqueue(
                    conn,
                    now,
                    &Outgoing {
                        dedupe_key: key.clone(),
                        consultation_id: consultation.as_deref(),
                        recipient: PATIENT,
                        subject: format!("Запись подтверждена ({key})"),
                        body,
                        ics,
                        due_at,
                    },
                )
            })
        })
        .await
        .expect("enqueue")
}

async fn rows(app: &TestApp) -> Vec<OutboxRow> {
    app.context
        .db
        .run(|conn| {
            Ok(outbox::table
                .order(outbox::dedupe_key.asc())
                .select(OutboxRow::as_select())
                .load(conn)?)
        })
        .await
        .expect("outbox rows")
}

fn booking() -> BookingText {
    BookingText {
        patient_name: "Серикова Айгуль Маратовна".into(),
        practitioner_name: "Ахметов Ержан Болатович".into(),
        organization_name: "Городская поликлиника №7".into(),
        start_local: "24.11.2026 10:00 (Asia/Almaty)".into(),
        deadline_local: String::new(),
        mode: "realtime".into(),
        join_url: "http://127.0.0.1:8080/consultations/c-1".into(),
    }
}

fn invitation(method: IcsMethod, sequence: i32) -> String {
    ics::render(&Invitation {
        uid: "c-1@telemed.test",
        sequence,
        method,
        start: Utc.with_ymd_and_hms(2026, 11, 24, 5, 0, 0).unwrap(),
        end: Utc.with_ymd_and_hms(2026, 11, 24, 5, 30, 0).unwrap(),
        summary: "Дистанционная консультация: Ахметов Ержан Болатович, Городская поликлиника №7",
        description: "Ссылка для входа: http://127.0.0.1:8080/consultations/c-1",
        location_url: "http://127.0.0.1:8080/consultations/c-1",
        organizer_email: "no-reply@telemed.test",
        organizer_name: "Городская поликлиника №7",
        attendee_email: PATIENT,
        attendee_name: "Серикова Айгуль Маратовна",
        stamp: start_time(),
    })
}

/// The leaf parts of a parsed message, depth first.
fn leaves<'a>(mail: &'a mailparse::ParsedMail<'a>) -> Vec<&'a mailparse::ParsedMail<'a>> {
    if mail.subparts.is_empty() {
        vec![mail]
    } else {
        mail.subparts.iter().flat_map(leaves).collect()
    }
}
