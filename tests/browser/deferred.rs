//! A deferred consultation end to end in the browser (Rules art. 13, 17, 21; Order No. 5 of
//! 2025): the demo patient asks the Aqtobe centre to read a chest X-ray — a refused request to
//! an organisation without the licence first — uploads the image with the file picker, marks
//! the documents complete; the demo radiologist takes the request from the queue, sees the
//! image in the page, writes a conclusion with an ICD-10 code found by search and signs it; the
//! patient finds the signed conclusion in the health passport.

use fantoccini::{Client, Locator};

use super::records::sign_in;
use crate::driver::{
    Browser, attr, click, element, fill, select, spawn_app_signing, text_containing,
};

/// A 1×1 PNG standing in for the X-ray.
const XRAY_PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xff\xff?\0\x05\xfe\x02\xfe\xa7\x35\x81\x84\0\0\0\0IEND\xaeB`\x82";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run: cargo test --test browser -- --ignored"]
async fn art_21_a_patient_sends_an_xray_and_reads_the_radiologists_signed_conclusion() {
    let app = spawn_app_signing().await;
    let files = tempfile::tempdir().expect("temp dir");
    let xray = files.path().join("chest-xray.png");
    std::fs::write(&xray, XRAY_PNG).expect("the X-ray file");
    let url = app.url.clone();
    Browser::start()
        .await
        .run(|c| async move { xray_request(&c, &url, &xray).await })
        .await;
}

async fn choose_organization(c: &Client, name_part: &str) {
    let select = element(c, "#request-organization").await;
    let options = select
        .find_all(Locator::Css("option"))
        .await
        .expect("options");
    for option in options {
        if option.text().await.unwrap_or_default().contains(name_part) {
            option.click().await.expect("choose the organisation");
            return;
        }
    }
    panic!("no organisation {name_part}");
}

async fn xray_request(c: &Client, url: &str, xray: &std::path::Path) {
    sign_in(c, url, "patient@demo.telemed.kz").await;
    c.goto(&format!("{url}/#/requests/new"))
        .await
        .expect("open the form");
    element(c, "#request-form").await;
    select(c, "#request-kind", "interpretation").await;
    select(c, "#request-study-profile", "functional_diagnostics").await;
    choose_organization(c, "Актюбинский").await;
    fill(c, "#request-question", "Прошу описать ЭКГ").await;
    // The patient accepts the centre's offer where the form asks for it.
    if let Ok(accept) = c.find(Locator::Css("#consent-accept")).await {
        accept.click().await.expect("accept the offer");
        element(c, "#consent[data-valid='true']").await;
    }
    click(c, "#request-submit").await;
    // Order No. 5 of 2025: the centre is not licensed to read an ECG.
    element(
        c,
        "#request-status[data-error-code='licence_profile_missing']",
    )
    .await;

    select(c, "#request-study-profile", "radiology").await;
    fill(
        c,
        "#request-question",
        "Прошу описать рентгенограмму грудной клетки",
    )
    .await;
    click(c, "#request-submit").await;
    element(c, "#deferred[data-state]").await;
    let path = c.current_url().await.expect("url").to_string();
    let consultation = path
        .rsplit('/')
        .next()
        .expect("the consultation id")
        .to_owned();

    // The X-ray through the file picker, then the documents are complete: the clock starts.
    element(c, "#document-file")
        .await
        .send_keys(&xray.display().to_string())
        .await
        .expect("choose the file");
    element(c, "#documents-list li[data-mime='image/png']").await;
    // "Documents complete" waits until the upload has ended.
    click(c, "#documents-complete:not([disabled])").await;
    element(c, "#consultation-time-left").await;

    click(c, "#sign-out").await;
    element(c, "#directory-title").await;
    sign_in(c, url, "radio@demo.telemed.kz").await;
    c.goto(&format!("{url}/#/queue"))
        .await
        .expect("open the queue");
    click(
        c,
        &format!("button.take[data-consultation-id='{consultation}']"),
    )
    .await;
    element(c, "#deferred[data-state]").await;
    // The image in the viewer, from the platform itself.
    click(
        c,
        "#documents-list li[data-mime='image/png'] button.document-open",
    )
    .await;
    element(c, "#document-viewer[data-view='image'] #document-image").await;

    element(c, "#record-editor").await;
    fill(
        c,
        "#record-findings",
        "Очаговых и инфильтративных изменений не выявлено",
    )
    .await;
    fill(c, "#record-diagnoses-0-icd10", "Z01.6").await;
    click(c, "#icd10-suggestions li[data-code='Z01.6']").await;
    let chosen = element(c, "#record-diagnoses-0-text")
        .await
        .prop("value")
        .await
        .expect("value")
        .unwrap_or_default();
    assert!(
        !chosen.is_empty(),
        "picking a code fills the diagnosis text"
    );
    fill(c, "#record-recommendations", "Плановое наблюдение").await;
    click(c, "#record-show").await;
    text_containing(c, "#record-document", "Z01.6").await;
    click(c, "#record-sign").await;
    element(c, "#record-status[data-record='signed']").await;
    element(c, "#deferred[data-state='completed']").await;

    click(c, "#sign-out").await;
    element(c, "#directory-title").await;
    sign_in(c, url, "patient@demo.telemed.kz").await;
    c.goto(&format!("{url}/#/consultations/{consultation}"))
        .await
        .expect("open the request");
    element(
        c,
        "#completion-reasons li[data-reason='conclusion_notified']",
    )
    .await;
    click(c, "#conclusion-link").await;
    let passport = text_containing(c, "#health-passport", "Z01.6").await;
    assert!(passport.contains("Петров Алексей Викторович"), "{passport}");
    assert!(!attr(c, "#record-focus", "data-record").await.is_empty());
}
