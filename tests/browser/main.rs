//! The web interface in a real browser: the directory in three languages, an organisation's
//! disclosure page, a doctor's schedule, registration errors and success, sign in and out.
//! Booking through the pages is in `booking.rs`.
//! Run: `cargo test --test browser -- --ignored` (needs chromium and chromedriver).

mod access_log;
mod accounts;
mod admin;
mod booking;
mod booking_weeks;
mod break_glass;
mod call;
mod council;
mod council_card;
mod deferred;
mod driver;
mod icd10;
mod records;
mod records_pages;

use driver::{Browser, click, element, fill, select, spawn_app, text, text_containing, texts};
use fantoccini::{Client, Locator};

const ALMATY: &str = "Городская поликлиника №7 (демо)";
const CARDIOLOGIST: &str = "Ахметова Гульнара Сериковна";
const THERAPIST: &str = "Иванов Сергей Петрович";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run: cargo test --test browser -- --ignored"]
async fn directory_filters_and_discloses_art_34_in_three_languages() {
    let app = spawn_app().await;
    let url = app.url.clone();
    Browser::start().await.run(|c| directory(c, url)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run: cargo test --test browser -- --ignored"]
async fn registration_shows_server_errors_and_success_in_two_languages() {
    let app = spawn_app().await;
    let url = app.url.clone();
    Browser::start().await.run(|c| registration(c, url)).await;
}

async fn directory(c: Client, url: String) {
    c.goto(&format!("{url}/")).await.expect("open /");
    // Russian by default.
    element(&c, "html[lang='ru']").await;
    text_containing(&c, "#directory-title", "Медицинские организации и врачи").await;
    text_containing(&c, "#organizations", ALMATY).await;
    text_containing(&c, "#practitioners", THERAPIST).await;

    select(&c, "#specialty-filter", "cardiology").await;
    element(&c, "#practitioners[data-specialty='cardiology']").await;
    let doctors = text_containing(&c, "#practitioners", CARDIOLOGIST).await;
    assert!(
        !doctors.contains(THERAPIST),
        "cardiology still lists the therapist: {doctors}"
    );

    // English: the view is drawn again in place, the filter keeps its choice.
    select(&c, "#lang-switch", "en").await;
    element(&c, "html[lang='en']").await;
    text_containing(&c, "#directory-title", "Medical organisations and doctors").await;
    text_containing(&c, "#specialty-filter", "Radiology").await;
    let chosen = element(&c, "#specialty-filter")
        .await
        .prop("value")
        .await
        .expect("value");
    assert_eq!(chosen.as_deref(), Some("cardiology"));
    text_containing(&c, "#practitioners", CARDIOLOGIST).await;
    text_containing(&c, "nav", "Sign in").await;

    // Kazakh.
    select(&c, "#lang-switch", "kk").await;
    element(&c, "html[lang='kk']").await;
    text_containing(&c, "#directory-title", "Медициналық ұйымдар мен дәрігерлер").await;
    text_containing(&c, "#specialty-filter", "Сәулелік диагностика").await;

    // Back to Russian, then the organisation's disclosure page (Rules art. 34).
    select(&c, "#lang-switch", "ru").await;
    element(&c, "html[lang='ru']").await;
    // The directory is drawn again in the new language: wait for its link.
    let link = c
        .wait()
        .at_most(std::time::Duration::from_secs(10))
        .for_element(Locator::LinkText(ALMATY))
        .await
        .expect("a link to the Almaty organisation");
    link.click().await.expect("open the organisation");
    element(&c, "#organization").await;
    let page = text_containing(&c, "#organization", "Номер лицензии").await;
    for label in [
        "Адрес",
        "Телефон",
        "Электронная почта",
        "Лицензированные профили",
        "Виды дистанционных услуг",
        "ГОБМП",
        "ОСМС",
        "Часовой пояс",
        "Длительность консультации",
        "Срок ответа на срочное обращение",
        "Срок ответа на плановое обращение",
        "Порядок оплаты",
        "Порядок оформления информированного согласия",
        "Анонимная консультация",
        "Порядок идентификации",
        "Порядок получения заключения",
        "Требования к документам",
        "Порядок акцепта оферты",
        "Публичная оферта",
        "Врачи организации",
        "DEMO-KZ-19003AB",
        "Asia/Almaty",
        "Консилиум",
        "30 минут",
    ] {
        assert!(
            page.contains(label),
            "the organisation page lacks {label:?}:\n{page}"
        );
    }

    // A doctor: the weekly schedule is in the organisation's local time.
    c.find(Locator::LinkText(CARDIOLOGIST))
        .await
        .expect("a link to the cardiologist")
        .click()
        .await
        .expect("open the doctor");
    let page = text_containing(&c, "#practitioner", "Расписание на неделю").await;
    for expected in ["Понедельник", "Asia/Almaty", "стаж 18 лет", "Нерабочие дни"]
    {
        assert!(
            page.contains(expected),
            "the doctor page lacks {expected:?}:\n{page}"
        );
    }
}

async fn registration(c: Client, url: String) {
    let en = texts("en");
    let ru = texts("ru");
    c.goto(&format!("{url}/#/register"))
        .await
        .expect("open #/register");
    element(&c, "#register-form").await;
    select(&c, "#lang-switch", "en").await;
    text_containing(&c, "h1", &text(&en, "register.title")).await;

    // A wrong check digit: only the server can tell, and its code is what the page shows.
    fill(&c, "#full_name", "Browser Test Patient").await;
    fill(&c, "#iin", "870101300456").await;
    fill(&c, "#email", "browser.en@example.kz").await;
    fill(&c, "#password", "browser-test-2026").await;
    click(&c, "#register-form [type=submit]").await;
    element(&c, "#form-status[data-error-code='invalid_iin']").await;
    text_containing(&c, "#form-status", &text(&en, "error.invalid_iin")).await;

    // Russian: the form keeps what was typed and the error is translated too.
    select(&c, "#lang-switch", "ru").await;
    text_containing(&c, "h1", &text(&ru, "register.title")).await;
    text_containing(&c, "#form-status", &text(&ru, "error.invalid_iin")).await;
    let kept = element(&c, "#full_name")
        .await
        .prop("value")
        .await
        .expect("value");
    assert_eq!(kept.as_deref(), Some("Browser Test Patient"));

    fill(&c, "#iin", "870101300455").await;
    fill(&c, "#email", "browser.ru@example.kz").await;
    click(&c, "#register-form [type=submit]").await;
    element(&c, "#form-status[data-status='ok']").await;
    text_containing(&c, "#form-status", "Готово").await;

    // The new account signs in and sees itself; signing out returns to the directory.
    click(&c, "a[href='#/login']").await;
    fill(&c, "#login-email", "browser.ru@example.kz").await;
    fill(&c, "#login-password", "browser-test-2026").await;
    click(&c, "#login-form [type=submit]").await;
    let me = text_containing(&c, "#me", "870101300455").await;
    assert!(
        me.contains("Browser Test Patient") && me.contains("Пациент"),
        "{me}"
    );
    click(&c, "#sign-out").await;
    element(&c, "#directory-title").await;
    text_containing(&c, "nav", "Войти").await;
}
