//! The record editor's ICD-10 search speaks the interface's language: in Russian it offers
//! "Другие формы стенокардии" for I20.8 and fills the diagnosis with it (the defect: signed
//! Russian records read "Other forms of angina pectoris"); switched to English, the English title.
//! With TELEMED_SCREENSHOTS=DIR set it saves the Russian suggestions at desktop and phone size.

use fantoccini::Client;

use super::access_log::doctor_reads_a_consultation;
use super::records::sign_in;
use crate::driver::{Browser, element, eventually, fill, select, spawn_app, text_containing};

const CODE: &str = "#record-diagnoses-0-icd10";
const TEXT: &str = "#record-diagnoses-0-text";
const OPTION: &str = "#icd10-suggestions li[data-code='I20.8']";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run: cargo test --test browser -- --ignored"]
async fn the_icd10_search_offers_titles_in_the_interface_language() {
    let app = spawn_app().await;
    let url = app.url.clone();
    let consultation = doctor_reads_a_consultation(&url).await;
    Browser::start()
        .await
        .run(|c| pick_in_two_languages(c, url, consultation))
        .await;
}

async fn input_value(c: &Client, css: &str, expected: &str) {
    eventually(&format!("{css} to hold {expected:?}"), || async {
        let el = element(c, css).await;
        let value = el.prop("value").await.map_err(|e| e.to_string())?;
        match value {
            Some(v) if v == expected => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await
}

async fn screenshots(c: &Client) {
    let Ok(dir) = std::env::var("TELEMED_SCREENSHOTS") else {
        return;
    };
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    for (name, w, h) in [("desktop", 1280, 800), ("phone", 390, 844)] {
        c.set_window_size(w, h).await.expect("window size");
        c.execute(
            "document.querySelector('#icd10-suggestions').scrollIntoView({block: 'center'})",
            vec![],
        )
        .await
        .expect("scroll");
        let png = c.screenshot().await.expect("screenshot");
        std::fs::write(format!("{dir}/icd10-ru-{name}.png"), png).expect("write screenshot");
    }
    c.set_window_size(1200, 900).await.expect("window size");
}

async fn pick_in_two_languages(c: Client, url: String, consultation: String) {
    sign_in(&c, &url, "cardio@demo.telemed.kz").await;
    c.goto(&format!("{url}/#/consultations/{consultation}"))
        .await
        .expect("open the consultation");
    element(&c, "#record-editor").await;
    fill(&c, CODE, "I20.8").await;
    text_containing(&c, OPTION, "Другие формы стенокардии").await;
    screenshots(&c).await;
    element(&c, OPTION).await.click().await.expect("pick I20.8");
    input_value(&c, CODE, "I20.8").await;
    input_value(&c, TEXT, "Другие формы стенокардии").await;

    select(&c, "#lang-switch", "en").await;
    element(&c, "#record-editor").await;
    fill(&c, CODE, "angina").await;
    text_containing(&c, OPTION, "Other forms of angina pectoris").await;
}
