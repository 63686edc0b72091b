//! Break-the-glass through the pages (Rules art. 35, 40): a doctor who does not treat the patient
//! finds the chart closed and a form instead; a reason too short is refused in the page's
//! language; a proper one opens the chart under a red notice. The patient's access log then
//! says so loudly: a banner above the table and the rows of the grant marked.

use fantoccini::{Client, Locator};
use serde_json::{Value, json};

use super::records::sign_in;
use crate::driver::{Browser, click, element, eventually, fill, spawn_app, text, texts};

const PASSWORD: &str = "demo-telemed-2026";
/// An Almaty doctor with no care relationship with the demo patient.
const NEUROLOGIST: &str = "Бекова Сауле Нурлановна";
const REASON: &str = "Пациент без сознания в приёмном покое, нужны аллергии и диагнозы";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run: cargo test --test browser -- --ignored"]
async fn art_40_break_the_glass_through_the_pages_is_loud_in_the_access_log() {
    let app = spawn_app().await;
    let url = app.url.clone();
    let patient = demo_patient(&url).await;
    Browser::start()
        .await
        .run(|c| break_the_glass(c, url, patient))
        .await;
}

/// The demo patient as `/api/me` shows them to themselves: their id and full name.
async fn demo_patient(url: &str) -> (String, String) {
    let client = reqwest::Client::new();
    let login: Value = client
        .post(format!("{url}/api/auth/login"))
        .json(&json!({"email": "patient@demo.telemed.kz", "password": PASSWORD}))
        .send()
        .await
        .expect("log in")
        .json()
        .await
        .expect("the login answer");
    let me: Value = client
        .get(format!("{url}/api/me"))
        .bearer_auth(login["token"].as_str().expect("a token"))
        .send()
        .await
        .expect("/api/me")
        .json()
        .await
        .expect("the /api/me answer");
    let field = |name: &str| {
        me[name]
            .as_str()
            .unwrap_or_else(|| panic!("no {name} in {me}"))
            .to_owned()
    };
    (field("id"), field("full_name"))
}

/// Waits until the element exists and is shown; its text.
async fn visible(c: &Client, css: &str) -> String {
    element(c, css).await;
    eventually(&format!("{css} to be visible"), || async {
        let el = c.find(Locator::Css(css)).await.map_err(|e| e.to_string())?;
        match el.is_displayed().await {
            Ok(true) => el.text().await.map_err(|e| e.to_string()),
            Ok(false) => Err("hidden".to_owned()),
            Err(e) => Err(e.to_string()),
        }
    })
    .await
}

async fn break_the_glass(c: Client, url: String, (patient, name): (String, String)) {
    let ru = texts("ru");

    // The neurologist does not treat the patient: a notice and the form, not the chart.
    sign_in(&c, &url, "neuro@demo.telemed.kz").await;
    c.goto(&format!("{url}/#/health-passport?patient={patient}"))
        .await
        .expect("open the patient's chart");
    visible(&c, "#break-glass-form").await;
    let notice = visible(&c, "#health-passport > .notice").await;
    assert_eq!(notice, text(&ru, "break_glass.no_relationship"));
    let heading = visible(&c, "#break-glass-heading").await;
    assert_eq!(heading, text(&ru, "break_glass.title"));
    assert!(
        c.find_all(Locator::Css("#health-passport .record"))
            .await
            .expect("find records")
            .is_empty(),
        "the closed chart shows records"
    );

    // A word is not a reason: the server's code, in Russian, next to the form.
    fill(&c, "#break-glass-reason", "Срочно").await;
    click(&c, "#break-glass-submit").await;
    element(
        &c,
        "#break-glass-status[data-error-code='reason_too_short']",
    )
    .await;
    element(&c, "#break-glass-reason[aria-invalid='true']").await;
    let error = visible(&c, "#break-glass-status").await;
    assert_eq!(error, text(&ru, "error.reason_too_short"));

    // A reason a reviewer can judge opens the chart, under a red notice with its end.
    fill(&c, "#break-glass-reason", REASON).await;
    click(&c, "#break-glass-submit").await;
    let opened = visible(&c, "#break-glass-notice").await;
    assert!(
        opened.starts_with(&text(&ru, "break_glass.open_until")),
        "{opened}"
    );
    element(&c, "#break-glass-notice time").await;
    let title = visible(&c, "#health-passport h1").await;
    assert_eq!(title, text(&ru, "passport.title"));
    let intro = text(&ru, "passport.intro").replace("{name}", &name);
    let page = visible(&c, "#health-passport").await;
    assert!(page.contains(&intro), "{page}");
    assert!(
        c.find_all(Locator::Css("#break-glass-form"))
            .await
            .expect("find the form")
            .is_empty(),
        "the form stays on the opened chart"
    );

    // The patient sees it loudly in the access log.
    click(&c, "#sign-out").await;
    element(&c, "#directory-title").await;
    sign_in(&c, &url, "patient@demo.telemed.kz").await;
    c.goto(&format!("{url}/#/access-log"))
        .await
        .expect("open the access log");
    let banner = visible(&c, "#break-glass-banner").await;
    assert_eq!(
        banner,
        text(&ru, "access_log.break_glass_banner").replace("{count}", "1")
    );
    let grant = visible(
        &c,
        "#access-log tr.row--alert[data-action='patient.break_glass']",
    )
    .await;
    assert!(grant.contains(NEUROLOGIST), "{grant}");
    assert!(
        grant.contains(&text(&ru, "access.patient.break_glass")),
        "{grant}"
    );
    assert!(
        grant.contains(&text(&ru, "access_log.break_glass")),
        "{grant}"
    );
    for row in c
        .find_all(Locator::Css("#access-log tr.row--alert"))
        .await
        .expect("find the marked rows")
    {
        let marked = row.attr("data-break-glass").await.expect("an attribute");
        assert_eq!(marked.as_deref(), Some("true"));
    }
    // The read under the grant is marked too.
    visible(
        &c,
        "#access-log tr.row--alert[data-action='passport.read'][data-break-glass='true']",
    )
    .await;
}
