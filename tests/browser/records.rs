//! A signed conclusion end to end (Rules art. 36–37, 40): the doctor writes it on the
//! consultation page, sees the exact document, signs it with a WebCrypto key enrolled with the
//! platform CA (no NCALayer on the test machine); the patient finds it in the health passport
//! with the signer and certificate, and the doctor's read in the access log.

use fantoccini::Client;

use super::CARDIOLOGIST;
use super::access_log::doctor_reads_a_consultation;
use crate::driver::{Browser, click, element, fill, spawn_app, text, text_containing, texts};

const PASSWORD: &str = "demo-telemed-2026";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run: cargo test --test browser -- --ignored"]
async fn art_37_the_doctor_signs_a_conclusion_in_the_browser_and_the_patient_sees_it() {
    // The README's first command as it is: the demo's development CA certifies the key the
    // doctor enrols, with no PKI set up by hand.
    let app = spawn_app().await;
    let url = app.url.clone();
    let consultation = doctor_reads_a_consultation(&url).await;
    Browser::start()
        .await
        .run(|c| sign_and_read(c, url, consultation))
        .await;
}

pub(crate) async fn sign_in(c: &Client, url: &str, email: &str) {
    c.goto(&format!("{url}/#/login"))
        .await
        .expect("open #/login");
    fill(c, "#login-email", email).await;
    fill(c, "#login-password", PASSWORD).await;
    click(c, "#login-form [type=submit]").await;
    element(c, "#me").await;
}

async fn sign_and_read(c: Client, url: String, consultation: String) {
    let ru = texts("ru");
    sign_in(&c, &url, "cardio@demo.telemed.kz").await;
    c.goto(&format!("{url}/#/consultations/{consultation}"))
        .await
        .expect("open the consultation");
    element(&c, "#record-editor").await;
    fill(&c, "#record-findings", "АД 150/95, ЧСС 78").await;
    fill(&c, "#record-diagnoses-0-icd10", "I10").await;
    fill(&c, "#record-diagnoses-0-text", "Эссенциальная гипертензия").await;
    fill(&c, "#record-recommendations", "Контроль АД").await;
    click(&c, "#record-show").await;
    let document = text_containing(&c, "#record-document", "I10").await;
    assert!(document.contains("Эссенциальная гипертензия"), "{document}");
    element(&c, "#record-sha256").await;

    click(&c, "#record-sign").await;
    element(&c, "#record-status[data-record='signed']").await;
    text_containing(&c, "#record-method", &text(&ru, "record.method.webcrypto")).await;
    let certificate = text_containing(&c, "#record-certificate", "IIN").await;
    let serial = certificate
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{} ", text(&ru, "record.serial"))))
        .unwrap_or_else(|| panic!("no serial in {certificate}"))
        .trim()
        .to_owned();

    click(&c, "#sign-out").await;
    element(&c, "#directory-title").await;
    sign_in(&c, &url, "patient@demo.telemed.kz").await;
    click(&c, "a[href='#/health-passport']").await;
    // The certificate is shown on demand.
    click(&c, ".signature .cert-details summary").await;
    let passport = text_containing(&c, "#health-passport", &serial).await;
    assert!(passport.contains(CARDIOLOGIST), "{passport}");
    assert!(passport.contains("I10"), "{passport}");
    assert!(
        passport.contains(&text(&ru, "record.kind.conclusion")),
        "{passport}"
    );

    click(&c, "a[href='#/access-log']").await;
    text_containing(&c, "#access-log", &text(&ru, "access.record.read")).await;
}
