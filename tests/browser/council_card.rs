//! A council is one thing to the patient, in the pages (Rules art. 20): "My consultations"
//! shows it as its own card (not as a plain consultation with empty fields), the card leads to
//! the council, and the patient refuses it there although it is already going ahead; it ends.
//! Then the reason a doctor gave for breaking the glass, which the administrators' mail leaves
//! out, is on the review page the mail links to.

use fantoccini::Client;
use serde_json::{Value, json};

use super::records::sign_in;
use crate::driver::{Browser, click, element, fill, spawn_app, text_containing, texts};

const PASSWORD: &str = "demo-telemed-2026";
const QUESTION: &str = "Тактика ведения: гипертензия и ХОБЛ";
const GLASS_REASON: &str = "Пациент без сознания в приёмном покое, нужны аллергии";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run: cargo test --test browser -- --ignored"]
async fn art_20_the_patient_sees_a_council_as_its_own_card_and_refuses_it_there() {
    let app = spawn_app().await;
    let url = app.url.clone();
    let (council, consultation) = council_going_ahead(&url).await;
    api(
        &url,
        "neuro@demo.telemed.kz",
        "POST",
        "/api/break-glass",
        json!({
            "patient": patient_iin(&url).await, "reason": GLASS_REASON,
        }),
    )
    .await;
    Browser::start()
        .await
        .run(|c| scenario(c, url, council, consultation))
        .await;
}

async fn token(url: &str, email: &str) -> String {
    let login: Value = reqwest::Client::new()
        .post(format!("{url}/api/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .expect("log in")
        .json()
        .await
        .expect("the login answer");
    login["token"].as_str().expect("a token").to_owned()
}

async fn api(url: &str, email: &str, method: &str, path: &str, body: Value) -> Value {
    let client = reqwest::Client::new();
    let req = match method {
        "GET" => client.get(format!("{url}{path}")),
        _ => client.post(format!("{url}{path}")).json(&body),
    };
    let res = req
        .bearer_auth(token(url, email).await)
        .send()
        .await
        .expect("the request");
    let status = res.status();
    let answer: Value = res.json().await.expect("a JSON answer");
    assert!(status.is_success(), "{method} {path}: {status} {answer}");
    answer
}

async fn patient_iin(url: &str) -> String {
    let me = api(
        url,
        "patient@demo.telemed.kz",
        "GET",
        "/api/me",
        json!(null),
    )
    .await;
    me["iin"].as_str().expect("an IIN").to_owned()
}

/// A deferred council on the patient's request, called by their therapist: (council,
/// consultation) ids.
async fn council_going_ahead(url: &str) -> (String, String) {
    let me = api(
        url,
        "patient@demo.telemed.kz",
        "GET",
        "/api/me",
        json!(null),
    )
    .await;
    let body = json!({"patient_id": me["id"], "question": QUESTION, "urgency": "planned",
        "mode": "deferred", "initiative": "patient", "specialties": ["cardiology", "neurology"]});
    let k = api(
        url,
        "therapist@demo.telemed.kz",
        "POST",
        "/api/councils",
        body,
    )
    .await;
    assert_eq!(k["status"], "assembling", "{k}");
    (
        k["id"].as_str().unwrap().to_owned(),
        k["consultation_id"].as_str().unwrap().to_owned(),
    )
}

async fn scenario(c: Client, url: String, council: String, consultation: String) {
    let ru = texts("ru");
    sign_in(&c, &url, "patient@demo.telemed.kz").await;
    c.goto(&format!("{url}/#/consultations"))
        .await
        .expect("open my consultations");
    let card = format!("#consultation-councils [data-council-id='{council}']");
    text_containing(&c, &card, QUESTION).await;
    text_containing(&c, &card, ru["consultations.council_tag"].as_str().unwrap()).await;
    let listed = c
        .find_all(fantoccini::Locator::Css(&format!(
            "#consultations [data-id='{consultation}']"
        )))
        .await
        .expect("find");
    assert!(
        listed.is_empty(),
        "the council's consultation is listed on its own"
    );
    shots(&c, "consultations-with-council", "#consultations-title").await;

    // The card leads to the council, where the patient refuses it though it is going ahead.
    click(&c, &format!("{card} h3 a")).await;
    element(&c, "#council[data-status='assembling']").await;
    click(&c, "#council-withdraw summary").await;
    fill(&c, "#council-withdraw-reason", "Лечусь в другой клинике").await;
    shots(&c, "council-withdraw", "#council-withdraw").await;
    click(&c, "#council-withdraw-form [type=submit]").await;
    element(&c, "#council[data-status='cancelled']").await;
    text_containing(
        &c,
        "#council-flash",
        ru["council.refused_agreement_now"].as_str().unwrap(),
    )
    .await;
    c.goto(&format!("{url}/#/consultations/{consultation}"))
        .await
        .expect("open the council's consultation");
    element(&c, "#consultation[data-status='cancelled']").await;
    element(
        &c,
        &format!("#consultation-council-link[href='#/councils/{council}']"),
    )
    .await;

    // The administrator reads the reason for breaking the glass where the mail sends them.
    click(&c, "#sign-out").await;
    element(&c, "#directory-title").await;
    sign_in(&c, &url, "admin.almaty@demo.telemed.kz").await;
    c.goto(&format!("{url}/#/break-glass/review"))
        .await
        .expect("open the review");
    let grant = text_containing(&c, "#break-glass-review .break-glass-grant", GLASS_REASON).await;
    assert!(
        grant.contains(ru["break_glass.review_active"].as_str().unwrap()),
        "{grant}"
    );
    shots(&c, "break-glass-review", "#break-glass-review-title").await;
}

/// Desktop and phone screenshots of the current page from `css` down, when
/// `TELEMED_SHOTS_DIR` names a directory for them.
async fn shots(c: &Client, name: &str, css: &str) {
    let Ok(dir) = std::env::var("TELEMED_SHOTS_DIR") else {
        return;
    };
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    for (size, w, h) in [("desktop", 1280, 800), ("phone", 390, 844)] {
        c.set_window_size(w, h).await.expect("window size");
        c.execute(
            "document.querySelector(arguments[0]).scrollIntoView({block: 'start'});",
            vec![json!(css)],
        )
        .await
        .expect("scroll");
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let png = c.screenshot().await.expect("screenshot");
        std::fs::write(format!("{dir}/{name}-{size}.png"), png).expect("write screenshot");
    }
    c.set_window_size(1200, 900).await.expect("window size");
}
