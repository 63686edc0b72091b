//! A council end to end in the browser (Rules art. 2.6, 18–27): the demo therapist asks, through
//! the form, for a real-time council by specialties without naming organisations; three
//! consultants are assigned by round robin and accept; the therapist and the patient meet in the
//! council's video call (fake cameras, each decodes the other through the SFU); the therapist
//! drafts and freezes the conclusion; all four doctors sign it in the browser with their
//! enrolled keys; the patient reads the final conclusion with four signatures in the passport.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use fantoccini::Client;
use serde_json::json;
use telemed::db::schema::users;

use super::call::{decodes_more, open_call};
use super::records::sign_in;
use crate::driver::{
    Browser, attr, click, element, eventually, fill, select, spawn_app, spawn_app_signing,
    text_containing,
};

const CONSULTANTS: [&str; 3] = [
    "cardio@demo.telemed.kz",
    "neuro@demo.telemed.kz",
    "pulmo@demo.telemed.kz",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run: cargo test --test browser -- --ignored"]
async fn art_27_a_council_of_four_meets_signs_in_the_browser_and_the_patient_reads_it() {
    let app = spawn_app_signing().await;
    let patient_id = demo_patient_id(&app);
    let url = app.url.clone();
    let doctors = Browser::start_for_calls().await;
    let patient = Browser::start_for_calls().await;
    doctors
        .run(|d| async move {
            patient
                .run(|p| async move { council(d, p, &url, &patient_id).await })
                .await
        })
        .await;
}

/// The demo patient's platform id, which the council form asks for.
fn demo_patient_id(app: &crate::driver::TestApp) -> String {
    let mut conn = app.context.db.get().expect("connection");
    users::table
        .filter(users::email.eq("patient@demo.telemed.kz"))
        .select(users::id)
        .first(&mut conn)
        .expect("the demo patient")
}

async fn switch_to(c: &Client, url: &str, email: &str) {
    if c.find(fantoccini::Locator::Css("#sign-out")).await.is_ok() {
        click(c, "#sign-out").await;
        element(c, "#directory-title").await;
    }
    sign_in(c, url, email).await;
}

async fn open_council(c: &Client, url: &str, id: &str) {
    c.goto(&format!("{url}/#/councils/{id}"))
        .await
        .expect("open the council");
    element(c, "#council").await;
}

async fn request(d: &Client, url: &str, patient_id: &str) -> String {
    switch_to(d, url, "therapist@demo.telemed.kz").await;
    d.goto(&format!("{url}/#/councils/new"))
        .await
        .expect("open the form");
    element(d, "#council-form").await;
    fill(d, "#council-patient-id", patient_id).await;
    fill(
        d,
        "#council-question",
        "Тактика лечения: гипертензия, ДЭП, ХОБЛ",
    )
    .await;
    select(d, "#council-urgency", "planned").await;
    select(d, "#council-mode", "realtime").await;
    // In ten minutes, in the therapist's organisation's zone (the call opens 15 minutes early).
    let at = (Utc::now() + Duration::minutes(10)).with_timezone(&chrono_tz::Asia::Almaty);
    let local = at.format("%Y-%m-%dT%H:%M").to_string();
    d.execute(
        "const i = document.querySelector('#council-scheduled-at'); i.value = arguments[0]; \
         i.dispatchEvent(new Event('input', {bubbles: true}));",
        vec![json!(local)],
    )
    .await
    .expect("set the time");
    select(d, "#council-initiative", "patient").await;
    for code in ["cardiology", "neurology", "pulmonology"] {
        click(d, &format!("#council-specialty-{code}")).await;
    }
    text_containing(d, "#council-count", "4").await;
    click(d, "#council-submit").await;
    element(d, "#council[data-status='assembling']").await;
    let members = d
        .find_all(fantoccini::Locator::Css(
            "#council-members li[data-source='round_robin']",
        ))
        .await
        .expect("members");
    assert_eq!(
        members.len(),
        3,
        "three consultants assigned by round robin"
    );
    let here = d.current_url().await.expect("url").to_string();
    here.rsplit('/').next().expect("the council id").to_owned()
}

async fn council(d: Client, p: Client, url: &str, patient_id: &str) {
    let id = request(&d, url, patient_id).await;
    for email in CONSULTANTS {
        switch_to(&d, url, email).await;
        open_council(&d, url, &id).await;
        click(&d, "#council-accept").await;
        element(&d, "#council-flash[data-status='ok']").await;
    }

    // The therapist and the patient meet in the council's call.
    switch_to(&d, url, "therapist@demo.telemed.kz").await;
    open_council(&d, url, &id).await;
    let consultation = attr(&d, "#council-join", "href").await;
    let consultation = consultation
        .trim_start_matches("#/consultations/")
        .trim_end_matches("/call")
        .to_owned();
    open_call(&d, url, &consultation).await;
    element(&d, "#call[data-state='in-call']").await;
    switch_to(&p, url, "patient@demo.telemed.kz").await;
    open_call(&p, url, &consultation).await;
    element(&p, "#call[data-state='waiting']").await;
    click(&d, "#waiting-list li[data-participant-id] .admit").await;
    element(&p, "#call[data-state='in-call']").await;
    decodes_more(&d, "the therapist", 0, 20).await;
    decodes_more(&p, "the patient", 0, 20).await;

    // The conclusion: drafted, frozen, and signed by all four.
    open_council(&d, url, &id).await;
    fill(
        &d,
        "#council-findings",
        "Гипертоническая болезнь II ст.; ДЭП I ст.; ХОБЛ вне обострения",
    )
    .await;
    fill(&d, "#council-diagnoses-0-icd10", "I11.9").await;
    fill(
        &d,
        "#council-diagnoses-0-text",
        "Гипертензивная болезнь сердца",
    )
    .await;
    fill(
        &d,
        "#council-recommendations",
        "Коррекция терапии; контроль через 1 месяц",
    )
    .await;
    click(&d, "#council-conclusion-save").await;
    element(&d, "#council-conclusion[data-status='draft']").await;
    click(&d, "#council-freeze").await;
    element(&d, "#council-conclusion[data-status='frozen']").await;
    let signers = ["therapist@demo.telemed.kz"].into_iter().chain(CONSULTANTS);
    for (i, email) in signers.enumerate() {
        if i > 0 {
            switch_to(&d, url, email).await;
            open_council(&d, url, &id).await;
        }
        element(&d, "#council-document[data-loaded='true']").await;
        click(&d, "#council-sign").await;
        // The flash of the freeze says ok too: wait for this signature's row instead.
        eventually(&format!("{} signatures", i + 1), || async {
            let signed = d
                .find_all(fantoccini::Locator::Css(
                    "#council-signatures tr[data-status='signed']",
                ))
                .await
                .map_err(|e| e.to_string())?;
            if signed.len() == i + 1 {
                Ok(())
            } else {
                Err(format!("{} signed", signed.len()))
            }
        })
        .await;
        element(&d, "#council-flash[data-method='webcrypto']").await;
    }
    element(&d, "#council[data-status='final']").await;
    element(&d, "#council-final").await;

    // The patient reads the final conclusion, signed by the four doctors, in the passport.
    open_council(&p, url, &id).await;
    click(&p, "#council-passport-link").await;
    let entry = format!("#passport-councils li[data-council-id='{id}']");
    text_containing(&p, &entry, "I11.9").await;
    let signatures = p
        .find_all(fantoccini::Locator::Css(&format!(
            "{entry} .council-signers li"
        )))
        .await
        .expect("signers");
    assert_eq!(signatures.len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run: cargo test --test browser -- --ignored"]
async fn art_20_the_initiator_invites_one_more_consultant_from_the_council_page() {
    let app = spawn_app().await;
    let patient_id = demo_patient_id(&app);
    let url = app.url.clone();
    Browser::start()
        .await
        .run(|c| async move {
            request(&c, &url, &patient_id).await;
            click(&c, "#council-add-member summary").await;
            select(&c, "#council-add-mode", "specialty").await;
            select(&c, "#council-add-specialty", "gastroenterology").await;
            click(&c, "#council-add-submit").await;
            eventually("a fourth consultant", || async {
                let invited = c
                    .find_all(fantoccini::Locator::Css(
                        "#council-members li[data-status='invited']",
                    ))
                    .await
                    .map_err(|e| e.to_string())?;
                if invited.len() == 4 {
                    Ok(())
                } else {
                    Err(format!("{} invited", invited.len()))
                }
            })
            .await;
            text_containing(&c, "#council-members", "Каримов Данияр").await;
        })
        .await;
}
