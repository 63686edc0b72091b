//! The booking section as a patient in Almaty sees it, the organisation's own zone: the chosen
//! slot is described without stray text; free slots are paged by week up to the booking horizon
//! and no further; in Kazakh every date, time and size is Kazakh even where the browser lacks
//! the language's data; and the page fits a phone's screen. In the same session, the documents
//! panel of a deferred request: its size limit shown and applied before a file goes up, and
//! "documents complete" held while an upload runs.

use fantoccini::Client;
use serde_json::{Value, json};

use crate::driver::{
    Browser, click, element, eventually, fill, select, spawn_app, text, text_containing, texts,
};

const PATIENT: &str = "patient@demo.telemed.kz";
const PASSWORD: &str = "demo-telemed-2026";
/// Every Kazakh month name (CLDR), one of which each date must show.
const KK_MONTHS: [&str; 12] = [
    "қаңтар",
    "ақпан",
    "наурыз",
    "сәуір",
    "мамыр",
    "маусым",
    "шілде",
    "тамыз",
    "қыркүйек",
    "қазан",
    "қараша",
    "желтоқсан",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run: cargo test --test browser -- --ignored"]
async fn booking_pages_weeks_to_the_horizon_in_kazakh_and_documents_wait_for_uploads() {
    let app = spawn_app().await;
    let url = app.url.clone();
    Browser::start_in_zone("Asia/Almaty")
        .await
        .run(|c| scenario(c, url))
        .await;
}

/// The Almaty cardiologist's id, from the directory API.
async fn cardiologist(url: &str) -> String {
    let list: Value = reqwest::get(format!("{url}/api/practitioners?specialty=cardiology"))
        .await
        .expect("the directory")
        .json()
        .await
        .expect("JSON");
    list.as_array()
        .and_then(|l| l.iter().find(|p| p["time_zone"] == "Asia/Almaty"))
        .and_then(|p| p["id"].as_str())
        .expect("the Almaty cardiologist")
        .to_owned()
}

async fn week_shown(c: &Client, n: usize) {
    element(c, &format!("#slots-week[data-week='{n}']")).await;
    // The week's slots replaced the previous week's.
    element(c, "#slots:not([aria-busy])").await;
}

async fn scenario(c: Client, url: String) {
    let (ru, kk) = (texts("ru"), texts("kk"));
    c.goto(&format!("{url}/#/login"))
        .await
        .expect("open #/login");
    fill(&c, "#login-email", PATIENT).await;
    fill(&c, "#login-password", PASSWORD).await;
    click(&c, "#login-form [type=submit]").await;
    element(&c, "#me").await;
    let doctor = cardiologist(&url).await;
    c.goto(&format!("{url}/#/practitioners/{doctor}"))
        .await
        .expect("open the doctor's page");

    // The patient's zone is the organisation's: the chosen slot is named once, with no "null".
    element(&c, "#slots .slot").await;
    click(&c, "#slots .slot").await;
    let summary = eventually("the chosen slot described", || async {
        let text = c
            .find(fantoccini::Locator::Css("#booking-slot-summary"))
            .await
            .map_err(|e| e.to_string())?
            .text()
            .await
            .map_err(|e| e.to_string())?;
        if text.contains(&text_of(&ru, "booking.your_time")) {
            Ok(text)
        } else {
            Err(text)
        }
    })
    .await;
    assert!(!summary.contains("null"), "{summary}");
    assert!(
        summary
            .trim_end()
            .ends_with(&format!("({})", text_of(&ru, "booking.your_time"))),
        "nothing after the patient's own time: {summary}"
    );

    // Week by week up to the horizon: no way back from the first week, none beyond the last.
    week_shown(&c, 0).await;
    element(&c, "#slots-prev[disabled]").await;
    let horizon = bookable_until(&url, &doctor).await;
    let mut week = 0;
    while c
        .find(fantoccini::Locator::Css("#slots-next:not([disabled])"))
        .await
        .is_ok()
    {
        click(&c, "#slots-next").await;
        week += 1;
        week_shown(&c, week).await;
        assert!(week <= 14, "more weeks than 90 days have");
    }
    assert!(week >= 12, "90 days are about 13 weeks: only {week} pages");
    let starts = slot_starts(&c).await;
    let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).expect("RFC 3339");
    assert!(
        starts.iter().all(|s| at(s) < at(&horizon)),
        "a slot beyond {horizon}: {starts:?}"
    );
    // The page remembers the week, as it does the chosen slot.
    let address = c.current_url().await.expect("url").to_string();
    assert!(address.contains(&format!("week={week}")), "{address}");
    click(&c, "#slots-prev").await;
    week_shown(&c, week - 1).await;

    // Kazakh: the week, the days and the horizon in Kazakh, never Intl's "M12" placeholders.
    select(&c, "#lang-switch", "kk").await;
    // The page is drawn again in Kazakh, on the same week.
    text_containing(&c, "#slots-heading", &text_of(&kk, "booking.free_slots")).await;
    week_shown(&c, week - 1).await;
    for css in ["#slots-week", "#slots-horizon", "#slots .slot-day-title"] {
        let shown = element(&c, css).await.text().await.expect("text");
        assert!(!has_placeholder(&shown), "{css}: {shown}");
        assert!(
            names_a_kazakh_month(&shown),
            "{css} names no Kazakh month: {shown}"
        );
    }
    let formats = c
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               Promise.all([import('/js/i18n.js'), import('/js/time.js')]).then(([i, t]) => done({
                 bytes: i.formatBytes(213), megabytes: i.formatBytes(1258291),
                 number: i.formatNumber(15000.5), date: i.formatDate('2026-12-16'),
                 instant: i.formatInstant('2026-12-16T04:30:00Z', 'Asia/Almaty'),
                 day: t.formatDay('2026-12-16T04:30:00Z', 'Asia/Almaty'),
                 dateTime: t.formatDateTime('2026-12-16T04:30:00Z', 'Asia/Almaty'),
               }), (e) => done({ error: String(e) }));"#,
            vec![],
        )
        .await
        .expect("the formatting functions");
    assert_eq!(
        formats,
        json!({
            "bytes": "213 байт", "megabytes": "1,2 МБ", "number": "15\u{a0}000,5",
            "date": "2026 ж. 16 желтоқсан, ср", "instant": "2026 ж. 16 желтоқсан, 09:30",
            "day": "16 желтоқсан, сәрсенбі", "dateTime": "2026 ж. 16 жел., ср, 09:30",
        })
    );

    documents_wait_for_uploads(&c).await;

    // Back in Russian, at a phone's size: the section fits the screen's width.
    select(&c, "#lang-switch", "ru").await;
    text_containing(&c, "#slots-heading", &text_of(&ru, "booking.free_slots")).await;
    c.set_window_size(390, 844).await.expect("phone size");
    week_shown(&c, week - 1).await;
    c.execute(
        "document.getElementById('slots-heading').scrollIntoView();",
        vec![],
    )
    .await
    .expect("scroll to the slots");
    let width: Value = c
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            vec![],
        )
        .await
        .expect("widths");
    assert!(
        width[0].as_i64() <= width[1].as_i64(),
        "the page scrolls sideways on a phone: {width}"
    );
    save_screenshot(&c, "booking-phone").await;
    c.set_window_size(1280, 800).await.expect("desktop size");
    c.execute(
        "document.getElementById('slots-heading').scrollIntoView();",
        vec![],
    )
    .await
    .expect("scroll to the slots");
    save_screenshot(&c, "booking-desktop").await;
}

fn text_of(texts: &Value, key: &str) -> String {
    text(texts, key)
}

/// A month's name or its CLDR abbreviation (its first three letters and a dot: "жел.").
fn names_a_kazakh_month(shown: &str) -> bool {
    KK_MONTHS.iter().any(|month| {
        let short: String = month.chars().take(3).collect();
        shown.contains(month) || shown.contains(&format!("{short}."))
    })
}

/// Intl's output for a locale whose data it lacks: "M12", "2026 M12 16, Wed".
fn has_placeholder(shown: &str) -> bool {
    shown
        .split(|ch: char| !ch.is_alphanumeric())
        .any(|w| w.len() >= 2 && w.starts_with('M') && w[1..].chars().all(|d| d.is_ascii_digit()))
        || ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
            .iter()
            .any(|d| shown.contains(d))
}

async fn slot_starts(c: &Client) -> Vec<String> {
    let mut out = Vec::new();
    for slot in c
        .find_all(fantoccini::Locator::Css("#slots .slot"))
        .await
        .expect("slots")
    {
        if let Some(start) = slot.attr("data-start").await.expect("data-start") {
            out.push(start);
        }
    }
    out
}

async fn bookable_until(url: &str, doctor: &str) -> String {
    let list: Value = reqwest::get(format!("{url}/api/slots?practitioner={doctor}"))
        .await
        .expect("slots")
        .json()
        .await
        .expect("JSON");
    list[0]["bookable_until"]
        .as_str()
        .expect("the horizon")
        .to_owned()
}

/// A picture of the page for a person to look at, next to the test binaries.
async fn save_screenshot(c: &Client, name: &str) {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}.png"));
    let png = c.screenshot().await.expect("a screenshot");
    std::fs::write(&path, png).expect("write the screenshot");
}

/// The documents panel on a stand-in request, with the API's upload held until the script lets
/// it finish: the organisation's limit (1 KiB here) is stated, "documents complete" is disabled
/// while the file goes up and enabled after, and a larger file is refused before it is sent,
/// naming the limit (in Kazakh, as the page is).
async fn documents_wait_for_uploads(c: &Client) {
    let seen = c
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
            (async () => {
              const { api } = await import('/js/api.js');
              const { documentsPanel } = await import('/js/views/documents.js');
              const original = { ...api };
              let finish;
              let sent = 0;
              api.materials = async () => [];
              api.organization = async () => ({ max_file_bytes: 1024 });
              api.uploadFile = (id, file) => new Promise((resolve) => {
                sent += 1;
                finish = () => resolve({ id: 'm1', name: file.name, size: file.size, kind: 'document',
                  mime: 'application/pdf', created_at: new Date().toISOString(), sha256: '00' });
              });
              const tick = () => new Promise((r) => setTimeout(r, 100));
              try {
                const panel = documentsPanel({ id: 'c1', organization_id: 'o1', deferred: null }, 'UTC',
                  { canUpload: true, canComplete: true, redraw() {} });
                document.body.append(panel);
                const input = panel.querySelector('#document-file');
                const button = panel.querySelector('#documents-complete');
                const put = (name, size) => {
                  const files = new DataTransfer();
                  files.items.add(new File([new Uint8Array(size)], name, { type: 'application/pdf' }));
                  input.files = files.files;
                  input.dispatchEvent(new Event('change'));
                };
                await tick();
                const before = button.disabled;
                put('scan.pdf', 100);
                await tick();
                const during = button.disabled;
                finish();
                await tick();
                const after = button.disabled;
                put('big.pdf', 2048);
                await tick();
                const result = { before, during, after, sent,
                  limit: panel.querySelector('#document-limit').textContent,
                  refusal: panel.querySelector('#document-upload-status').textContent };
                panel.remove();
                return result;
              } finally {
                Object.assign(api, original);
              }
            })().then(done, (e) => done({ error: String(e) }));"#,
            vec![],
        )
        .await
        .expect("the documents panel");
    assert_eq!(seen["before"], json!(false), "{seen}");
    assert_eq!(
        seen["during"],
        json!(true),
        "held during the upload: {seen}"
    );
    assert_eq!(seen["after"], json!(false), "free after it: {seen}");
    assert_eq!(
        seen["sent"],
        json!(1),
        "the large file never went up: {seen}"
    );
    assert_eq!(
        seen["limit"],
        json!("Файлдың ең үлкен көлемі: 1 КБ."),
        "{seen}"
    );
    let refusal = seen["refusal"].as_str().unwrap_or_default();
    assert!(
        refusal.contains("big.pdf") && refusal.contains("1 КБ"),
        "{seen}"
    );
}
