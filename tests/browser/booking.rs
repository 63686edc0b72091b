//! Booking through the pages (Rules art. 12–15, 33): a patient signs in, picks the cardiologist's
//! first free slot, accepts the organisation's offer by click, books, finds the booking in "My
//! consultations" (also in English and Kazakh) and cancels it with a reason. The database then
//! holds exactly one consultation for that slot, and the outbox the patient's invitation
//! (METHOD:REQUEST) and its cancellation (METHOD:CANCEL).

use chrono::{DateTime, NaiveDateTime};
use diesel::prelude::*;
use fantoccini::{Client, Locator};
use telemed::db::models::OutboxRow;
use telemed::db::schema::{consultations, outbox};
use telemed::services::Context;

use super::{ALMATY, CARDIOLOGIST};
use crate::driver::{
    Browser, attr, click, element, fill, gone, select, spawn_app, text, text_containing, texts,
};

const PATIENT: &str = "patient@demo.telemed.kz";
const PASSWORD: &str = "demo-telemed-2026";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run: cargo test --test browser -- --ignored"]
async fn art_12_a_patient_books_a_slot_through_the_page() {
    let app = spawn_app().await;
    let (url, context) = (app.url.clone(), app.context.clone());
    Browser::start()
        .await
        .run(|c| book_and_cancel(c, url, context))
        .await;
}

/// What the scenario saw in the pages, to look up in the database afterwards.
struct Booked {
    practitioner_id: String,
    slot_start: NaiveDateTime,
    consultation_id: String,
}

async fn book_and_cancel(c: Client, url: String, context: Context) {
    let booked = book_and_cancel_in_pages(&c, &url).await;
    check_database(&context, &booked);
}

async fn book_and_cancel_in_pages(c: &Client, url: &str) -> Booked {
    let (ru, en, kk) = (texts("ru"), texts("en"), texts("kk"));

    // Sign in through the login page.
    c.goto(&format!("{url}/#/login"))
        .await
        .expect("open #/login");
    fill(c, "#login-email", PATIENT).await;
    fill(c, "#login-password", PASSWORD).await;
    click(c, "#login-form [type=submit]").await;
    element(c, "#me").await;

    // The Almaty cardiologist's page, from the directory.
    click(c, "a[href='#/']").await;
    text_containing(c, "#practitioners", CARDIOLOGIST).await;
    c.find(Locator::LinkText(CARDIOLOGIST))
        .await
        .expect("a link to the cardiologist")
        .click()
        .await
        .expect("open the cardiologist");
    let page = text_containing(c, "#practitioner", ALMATY).await;
    assert!(page.contains(CARDIOLOGIST), "{page}");
    // The section says which zones it uses: the browser's, and the organisation's.
    text_containing(c, "#booking-zones", "Asia/Almaty").await;
    let current = c.current_url().await.expect("url");
    let practitioner_id = current
        .fragment()
        .and_then(|f| f.strip_prefix("/practitioners/"))
        .map(|id| id.split('?').next().unwrap_or(id).to_owned())
        .expect("the doctor's id in the address");

    // The first free slot; the booking form opens for it.
    let start = attr(c, "#slots .slot", "data-start").await;
    let slot_start = DateTime::parse_from_rfc3339(&start)
        .unwrap_or_else(|e| panic!("data-start {start:?} is not RFC 3339: {e}"))
        .naive_utc();
    click(c, "#slots .slot").await;
    element(
        c,
        &format!("#slots .slot[data-start='{start}'][aria-pressed='true']"),
    )
    .await;
    element(c, "#booking-form:not([hidden])").await;

    // Informed consent (art. 33.1): the offer is shown, accepted by click.
    text_containing(c, "#consent", &text(&ru, "consent.needed")).await;
    element(c, "#consent-offer-text").await;
    click(c, "#consent-accept").await;
    element(c, "#consent[data-valid='true']").await;
    text_containing(c, "#consent-status", &text(&ru, "consent.accepted_now")).await;

    // The booking itself.
    fill(
        c,
        "#booking-reason",
        "Давящая боль за грудиной при подъёме по лестнице",
    )
    .await;
    let funding = element(c, "#booking-funding")
        .await
        .prop("value")
        .await
        .expect("funding");
    assert_eq!(
        funding.as_deref(),
        Some("gobmp"),
        "the first funding offered"
    );
    click(c, "#booking-submit").await;
    element(c, "#form-status[data-status='ok']").await;
    // The slot is no longer offered.
    gone(c, &format!("#slots .slot[data-start='{start}']")).await;

    // My consultations: the booking, its status translated, in three languages.
    click(c, "nav a[href='#/consultations']").await;
    let list = text_containing(
        c,
        "#consultations",
        &text(&ru, "consultation.status.booked"),
    )
    .await;
    assert!(list.contains(CARDIOLOGIST), "{list}");
    element(c, "#consultations [data-status='booked']").await;
    select(c, "#lang-switch", "en").await;
    element(c, "html[lang='en']").await;
    text_containing(c, "h1", &text(&en, "consultations.title")).await;
    text_containing(
        c,
        "#consultations",
        &text(&en, "consultation.status.booked"),
    )
    .await;
    select(c, "#lang-switch", "kk").await;
    element(c, "html[lang='kk']").await;
    text_containing(
        c,
        "#consultations",
        &text(&kk, "consultation.status.booked"),
    )
    .await;
    select(c, "#lang-switch", "ru").await;
    element(c, "html[lang='ru']").await;
    text_containing(
        c,
        "#consultations",
        &text(&ru, "consultation.status.booked"),
    )
    .await;

    // The consultation's page.
    let href = attr(c, "#consultations a[href^='#/consultations/']", "href").await;
    let consultation_id = href
        .rsplit('/')
        .next()
        .expect("an id in the link")
        .to_owned();
    click(c, "#consultations a[href^='#/consultations/']").await;
    text_containing(
        c,
        "#consultation-status[data-status='booked']",
        &text(&ru, "consultation.status.booked"),
    )
    .await;
    text_containing(c, "#history", &text(&ru, "event.booked")).await;

    // Cancelling needs an explanation (art. 15), then goes through.
    click(c, "#cancel-submit").await;
    element(c, "#form-status[data-error-code='reason_required']").await;
    select(c, "#cancel-reason-code", "patient_unwell").await;
    fill(c, "#cancel-reason-text", "Заболел, запишусь позже").await;
    click(c, "#cancel-submit").await;
    text_containing(
        c,
        "#consultation-status[data-status='cancelled']",
        &text(&ru, "consultation.status.cancelled"),
    )
    .await;
    text_containing(c, "#consultation-flash", &text(&ru, "change.cancelled_now")).await;
    let history = text_containing(c, "#history", &text(&ru, "event.cancelled")).await;
    assert!(
        history.contains(&text(&ru, "reason.patient_unwell"))
            && history.contains("Заболел, запишусь позже"),
        "the history keeps the reason: {history}"
    );
    gone(c, "#cancel-form").await;

    Booked {
        practitioner_id,
        slot_start,
        consultation_id,
    }
}

fn check_database(context: &Context, booked: &Booked) {
    let mut conn = context.db.get().expect("a database connection");
    let rows: Vec<(String, String)> = consultations::table
        .filter(consultations::practitioner_id.eq(&booked.practitioner_id))
        .filter(consultations::slot_start.eq(booked.slot_start))
        .select((consultations::id, consultations::status))
        .load(&mut conn)
        .expect("consultations");
    assert_eq!(
        rows,
        vec![(booked.consultation_id.clone(), "cancelled".to_owned())],
        "exactly one consultation for the slot"
    );

    let mail: Vec<OutboxRow> = outbox::table
        .filter(outbox::consultation_id.eq(&booked.consultation_id))
        .filter(outbox::recipient.eq(PATIENT))
        .select(OutboxRow::as_select())
        .load(&mut conn)
        .expect("outbox");
    let with = |prefix: &str, method: &str| {
        mail.iter()
            .filter(|m| m.dedupe_key.starts_with(prefix))
            .filter(|m| m.ics.as_deref().is_some_and(|ics| ics.contains(method)))
            .count()
    };
    let keys: Vec<&str> = mail.iter().map(|m| m.dedupe_key.as_str()).collect();
    assert_eq!(
        with("booked:", "METHOD:REQUEST"),
        1,
        "one confirmation with an invitation for the patient: {keys:?}"
    );
    assert_eq!(
        with("cancelled:", "METHOD:CANCEL"),
        1,
        "one cancellation of the invitation for the patient: {keys:?}"
    );
}
