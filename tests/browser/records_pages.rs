//! Records, the passport, the access log and the call page as a first user meets them (Rules
//! art. 19, 36–37, 40): the record editor names the field left empty and shows the document to
//! sign as labelled fields; the passport shows signer, organisation, date and a verification
//! badge with the certificate on demand and a link to the consultation; the access log leaves
//! out the patient's own views, filters by who and pages; the doctor writes the record beside
//! the call; a council takes documents in its page; on a phone the header folds into a menu and
//! stays under a fifth of the screen, and the call offers no screen sharing.
//!
//! With `TELEMED_SHOTS=<dir>` the pages are saved there as PNG at desktop and phone size.

use fantoccini::{Client, Locator};
use serde_json::{Value, json};

use super::access_log::doctor_reads_a_consultation;
use super::call::open_call;
use super::records::sign_in;
use crate::driver::{
    Browser, click, element, eventually, fill, select, spawn_app_signing, spawn_app_with, text,
    text_containing, texts,
};

const PASSWORD: &str = "demo-telemed-2026";
const PHONE: (u32, u32) = (390, 844);
const DESKTOP: (u32, u32) = (1280, 800);

async fn token(url: &str, email: &str) -> String {
    let res: Value = reqwest::Client::new()
        .post(format!("{url}/api/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    res["token"].as_str().unwrap().to_owned()
}

async fn api_get(url: &str, token: &str, path: &str) -> Value {
    reqwest::Client::new()
        .get(format!("{url}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Sets the viewport (not the window) to `size`, so that the page is measured at that size.
async fn viewport(c: &Client, (w, h): (u32, u32)) {
    c.set_window_size(w, h).await.expect("resize");
    let inner: Value = c
        .execute("return [window.innerWidth, window.innerHeight];", vec![])
        .await
        .unwrap();
    let (iw, ih) = (
        inner[0].as_u64().unwrap() as u32,
        inner[1].as_u64().unwrap() as u32,
    );
    if (iw, ih) != (w, h) {
        c.set_window_size(w + (w - iw), h + (h - ih))
            .await
            .expect("resize");
    }
}

/// Saves the viewport with `css` scrolled to its top (the page's top with "body").
async fn shot(c: &Client, name: &str, css: &str) {
    let Ok(dir) = std::env::var("TELEMED_SHOTS") else {
        return;
    };
    c.execute(
        "const el = document.querySelector(arguments[0]); if (el) el.scrollIntoView({block: 'start'});",
        vec![json!(css)],
    )
    .await
    .expect("scroll");
    let png = c.screenshot().await.expect("screenshot");
    std::fs::create_dir_all(&dir).expect("shots dir");
    std::fs::write(format!("{dir}/{name}.png"), png).expect("write shot");
}

/// On a phone the header is at most a fifth of the screen, and its menu opens the navigation.
async fn phone_header(c: &Client, page: &str) {
    element(c, "#nav-toggle").await;
    let measured: Value = c
        .execute(
            "return [document.querySelector('.site-header').getBoundingClientRect().height, \
             window.innerHeight, \
             getComputedStyle(document.querySelector('#site-nav')).display];",
            vec![],
        )
        .await
        .unwrap();
    let (header, screen) = (measured[0].as_f64().unwrap(), measured[1].as_f64().unwrap());
    assert_eq!(screen, f64::from(PHONE.1), "{page}: the viewport");
    assert!(
        header <= screen * 0.2,
        "{page}: the header takes {header}px of {screen}px"
    );
    assert_eq!(measured[2], "none", "{page}: the navigation is folded");
    click(c, "#nav-toggle").await;
    element(c, "#nav-toggle[aria-expanded='true']").await;
    let nav = element(c, "#site-nav").await;
    assert!(nav.is_displayed().await.unwrap(), "{page}: the menu opens");
    click(c, "#nav-toggle").await;
    element(c, "#nav-toggle[aria-expanded='false']").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run: cargo test --test browser -- --ignored"]
async fn art_37_40_record_passport_and_access_log_read_well_on_desktop_and_phone() {
    let app = spawn_app_signing().await;
    let url = app.url.clone();
    let consultation = doctor_reads_a_consultation(&url).await;
    // Enough of the doctor's reads for more than one page of the log.
    let doctor = token(&url, "cardio@demo.telemed.kz").await;
    for _ in 0..55 {
        api_get(&url, &doctor, &format!("/api/consultations/{consultation}")).await;
    }
    let doctor_id = api_get(&url, &doctor, "/api/me").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    Browser::start()
        .await
        .run(|c| patient_pages(c, url, consultation, doctor_id))
        .await;
}

async fn patient_pages(c: Client, url: String, consultation: String, doctor_id: String) {
    let ru = texts("ru");
    viewport(&c, DESKTOP).await;
    sign_in(&c, &url, "cardio@demo.telemed.kz").await;
    c.goto(&format!("{url}/#/consultations/{consultation}"))
        .await
        .expect("open the consultation");
    // Empty findings: the message names the findings, not a booking's reason for the visit.
    element(&c, "#record-editor button.button#record-save").await;
    click(&c, "#record-save").await;
    let said = text_containing(
        &c,
        "#record-status[data-error-code='missing_field']",
        &text(&ru, "record.findings"),
    )
    .await;
    assert!(!said.contains("причина обращения"), "{said}");
    element(&c, "#record-findings[aria-invalid='true']").await;

    fill(&c, "#record-findings", "АД 150/95, ЧСС 78").await;
    fill(&c, "#record-diagnoses-0-icd10", "I10").await;
    fill(&c, "#record-diagnoses-0-text", "Эссенциальная гипертензия").await;
    fill(&c, "#record-recommendations", "Контроль АД").await;
    click(&c, "#record-show").await;
    // The document reads as labelled fields; its exact JSON waits behind a summary.
    let doc = text_containing(&c, "#record-document", "I10").await;
    for expected in [
        text(&ru, "record.findings"),
        "АД 150/95, ЧСС 78".into(),
        "Ахметова Гульнара Сериковна".into(),
    ] {
        assert!(doc.contains(&expected), "{expected:?} in {doc}");
    }
    assert!(!doc.contains("\"content\""), "no raw JSON: {doc}");
    let exact = element(&c, "#record-document-exact").await;
    assert!(!exact.is_displayed().await.unwrap());
    for (size, name) in [
        (DESKTOP, "record-editor-desktop"),
        (PHONE, "record-editor-phone"),
    ] {
        viewport(&c, size).await;
        let fits: Value = c
            .execute(
                "const p = document.querySelector('#record-editor'); \
                 return document.querySelector('#record-preview').scrollWidth <= p.clientWidth;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(fits, true, "{name}: the document stays inside the panel");
        shot(&c, name, "#record-preview").await;
    }
    viewport(&c, DESKTOP).await;
    click(&c, "#record-sign").await;
    element(&c, "#record-status[data-record='signed']").await;

    click(&c, "#sign-out").await;
    element(&c, "#directory-title").await;
    sign_in(&c, &url, "patient@demo.telemed.kz").await;
    click(&c, "a[href='#/health-passport']").await;
    // The badge, the signer and organisation; the certificate only on demand.
    let badge = text_containing(
        &c,
        ".signature .badge[data-verified='true']",
        &text(&ru, "passport.verified"),
    )
    .await;
    assert!(badge.contains('✓'), "{badge}");
    text_containing(&c, ".signature [data-field='signer']", "Ахметова Гульнара").await;
    text_containing(
        &c,
        ".signature [data-field='organization']",
        "Городская поликлиника №7 (демо)",
    )
    .await;
    let serial = element(&c, ".signature .cert-serial").await;
    assert!(!serial.is_displayed().await.unwrap(), "details are closed");
    click(&c, ".signature .cert-details summary").await;
    assert!(serial.is_displayed().await.unwrap());
    element(
        &c,
        &format!("a.passport-link[href='#/consultations/{consultation}']"),
    )
    .await;
    shot(&c, "passport-desktop", "#health-passport").await;

    // The access log: the patient's own views left out, the doctor's reads paged and filtered.
    click(&c, "a[href='#/access-log']").await;
    element(&c, "#access-log-own-hidden").await;
    let own = c
        .find_all(Locator::Css("#access-log tr[data-action='passport.read']"))
        .await
        .unwrap();
    assert!(
        own.is_empty(),
        "the patient's own view of the passport is left out"
    );
    element(&c, "#access-log-pager[data-page='1']").await;
    click(&c, "#access-log-next").await;
    element(&c, "#access-log-pager[data-page='2']").await;
    assert!(c.current_url().await.unwrap().as_str().contains("page=2"));
    select(&c, "#access-log-who", &doctor_id).await;
    element(
        &c,
        &format!("#access-log-who option[value='{doctor_id}'][selected]"),
    )
    .await;
    eventually("only the doctor's rows", || async {
        let rows = c
            .find_all(Locator::Css("#access-log tbody tr"))
            .await
            .map_err(|e| e.to_string())?;
        let mut names = Vec::new();
        for r in &rows {
            names.push(r.text().await.map_err(|e| e.to_string())?);
        }
        if !names.is_empty() && names.iter().all(|n| n.contains("Ахметова")) {
            Ok(())
        } else {
            Err(format!("{names:?}"))
        }
    })
    .await;
    select(&c, "#access-log-kind", "read").await;
    element(&c, "#access-log-kind option[value='read'][selected]").await;
    let kinds = c
        .find_all(Locator::Css("#access-log tbody tr:not([data-kind='read'])"))
        .await
        .unwrap();
    assert!(kinds.is_empty(), "only views");
    shot(&c, "access-log-desktop", "body").await;

    // A phone: the header folds into a menu on both pages.
    viewport(&c, PHONE).await;
    c.goto(&format!("{url}/#/access-log")).await.unwrap();
    element(&c, "#access-log").await;
    phone_header(&c, "access log").await;
    shot(&c, "access-log-phone", "body").await;
    c.goto(&format!("{url}/#/health-passport")).await.unwrap();
    element(&c, ".signature .badge").await;
    phone_header(&c, "passport").await;
    shot(&c, "passport-phone", ".signature").await;
    // The menu takes the patient to another page and folds again.
    click(&c, "#nav-toggle").await;
    click(&c, "#site-nav a[href='#/access-log']").await;
    element(&c, "#access-log").await;
    element(&c, "#nav-toggle[aria-expanded='false']").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run: cargo test --test browser -- --ignored"]
async fn art_19_36_the_doctor_writes_the_record_in_the_call_and_the_council_takes_documents() {
    // The demo booking takes the next free slot, possibly days ahead: open calls that early.
    let app = spawn_app_with(|s| s.calls.join_margin_minutes = 60 * 24 * 120).await;
    let url = app.url.clone();
    let consultation = doctor_reads_a_consultation(&url).await;
    let council = deferred_council(&url).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ecg.pdf");
    std::fs::write(&file, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n").unwrap();
    let file = file.display().to_string();
    Browser::start_for_calls()
        .await
        .run(|c| call_and_council(c, url, consultation, council, file))
        .await;
}

/// A deferred council on the demo patient, called by the therapist on the patient's initiative.
async fn deferred_council(url: &str) -> String {
    let patient = token(url, "patient@demo.telemed.kz").await;
    let patient_id = api_get(url, &patient, "/api/me").await["id"].clone();
    let therapist = token(url, "therapist@demo.telemed.kz").await;
    let res = reqwest::Client::new()
        .post(format!("{url}/api/councils"))
        .bearer_auth(&therapist)
        .json(
            &json!({"patient_id": patient_id, "question": "Тактика ведения",
            "urgency": "planned", "mode": "deferred", "initiative": "patient",
            "specialties": ["cardiology", "neurology"]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn call_and_council(
    c: Client,
    url: String,
    consultation: String,
    council: String,
    file: String,
) {
    viewport(&c, DESKTOP).await;
    sign_in(&c, &url, "cardio@demo.telemed.kz").await;
    open_call(&c, &url, &consultation).await;
    element(&c, "#call[data-state='in-call']").await;
    // The record beside the call: opened by its button, written and saved without leaving.
    let panel = element(&c, "#call-record").await;
    assert!(!panel.is_displayed().await.unwrap());
    click(&c, "#call-record-toggle").await;
    element(&c, "#call[data-record='open'] #call-record #record-editor").await;
    fill(&c, "#record-findings", "Жалоб нет, АД 130/85").await;
    fill(&c, "#record-diagnoses-0-icd10", "I10").await;
    fill(&c, "#record-diagnoses-0-text", "Эссенциальная гипертензия").await;
    click(&c, "#record-save").await;
    element(&c, "#record-status[data-status='ok']").await;
    element(&c, "#call[data-state='in-call']").await;
    // A desktop browser shares its screen; a phone's is not offered it.
    let share = element(&c, "#share-screen").await;
    assert!(share.is_displayed().await.unwrap());
    let offered: Value = c
        .execute_async(
            "const done = arguments[0]; import('/js/views/call/media.js').then((m) => done([\
             m.screenShareOffered(),\
             m.screenShareOffered({ navigator: { mediaDevices: { getDisplayMedia() {} }, \
               userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile Safari/537.36', maxTouchPoints: 5 }, \
               matchMedia: () => ({ matches: false }) }),\
             m.screenShareOffered({ navigator: { mediaDevices: { getDisplayMedia() {} }, \
               userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Safari/605.1.15', maxTouchPoints: 5 }, \
               matchMedia: () => ({ matches: false }) }),\
             m.screenShareOffered({ navigator: { userAgent: 'Firefox' } })]));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        offered,
        json!([true, false, false, false]),
        "desktop, phone, iPad, no API"
    );
    shot(&c, "call-record-desktop", "body").await;
    viewport(&c, PHONE).await;
    phone_header(&c, "call").await;
    shot(&c, "call-record-phone", "body").await;
    click(&c, "#leave-call").await;
    element(&c, "#call[data-state='ended']").await;
    // What was typed is still there after the call.
    let kept = element(&c, "#record-findings")
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("Жалоб нет, АД 130/85"));

    // The patient adds a document to the council's page, where its doctors study it (art. 19).
    viewport(&c, DESKTOP).await;
    c.goto(&format!("{url}/#/councils/{council}"))
        .await
        .unwrap();
    element(&c, "#council").await;
    click(&c, "#sign-out").await;
    element(&c, "#directory-title").await;
    sign_in(&c, &url, "patient@demo.telemed.kz").await;
    c.goto(&format!("{url}/#/councils/{council}"))
        .await
        .unwrap();
    element(&c, "#council #documents #document-drop").await;
    c.find(Locator::Css("#document-file"))
        .await
        .unwrap()
        .send_keys(&file)
        .await
        .expect("choose the file");
    text_containing(&c, "#documents-list", "ecg.pdf").await;
    element(&c, "#document-upload-status[data-status='ok']").await;
    shot(&c, "council-documents-desktop", "#documents").await;
}
