//! The administrator sets up a new doctor entirely in the pages: invites them, writes their job
//! title in Kazakh, gives them a weekly schedule and a day off, and a price; the directory then
//! shows all of it in Kazakh, and the doctor, once they accepted the invitation, sees their week.
//! The platform operator's page shows the organisation's administrators and the health counts.
//! `TELEMED_SHOTS_DIR=/some/dir` keeps desktop and phone screenshots of the pages.

use chrono::{Datelike, Duration, Utc};
use fantoccini::Client;
use serde_json::json;

use crate::driver::{
    Browser, TestApp, attr, click, element, eventually, fill, select, spawn_app, text_containing,
};
use crate::records::sign_in;

const DOCTOR_EMAIL: &str = "zhanar.new@demo.telemed.kz";
const DOCTOR: &str = "Серикова Жанар Болатовна";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run: cargo test --test browser -- --ignored"]
async fn an_administrator_sets_up_a_new_doctor_with_a_schedule_and_a_price_in_the_pages() {
    let app = spawn_app().await;
    let booked = crate::access_log::doctor_reads_a_consultation(&app.url).await;
    Browser::start()
        .await
        .run(|c| scenario(c, app, booked))
        .await;
}

/// Sets an input's value as a person's picker would (date and time inputs read the browser's
/// locale when typed into, which a test should not depend on).
async fn set_value(c: &Client, css: &str, value: &str) {
    element(c, css).await;
    c.execute(
        "const el = document.querySelector(arguments[0]); el.value = arguments[1];\
         el.dispatchEvent(new Event('input', {bubbles: true}));\
         el.dispatchEvent(new Event('change', {bubbles: true}));",
        vec![json!(css), json!(value)],
    )
    .await
    .expect("set the value");
}

/// Desktop and phone screenshots of the current page from `css` down, when a directory for them
/// is given.
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

/// The invitation link's token from the mail waiting for `email`.
fn invitation_token(app: &TestApp, email: &str) -> String {
    use diesel::prelude::*;
    use telemed::db::schema::outbox;
    let mut conn = app.context.db.get().expect("connection");
    let bodies: Vec<String> = outbox::table
        .filter(outbox::recipient.eq(email))
        .select(outbox::body)
        .load(&mut conn)
        .expect("outbox");
    bodies
        .iter()
        .find_map(|b| b.split("#/invite/").nth(1))
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect()
        })
        .expect("an invitation mail with its link")
}

async fn scenario(c: Client, app: TestApp, booked: String) {
    let url = app.url.clone();
    sign_in(&c, &url, "admin.almaty@demo.telemed.kz").await;
    click(&c, "nav a[href$='/admin']").await;
    element(&c, "#admin-page[data-tab='overview'] #admin-checks").await;
    shots(&c, "admin-home", "#admin-page").await;

    // Staff: the new doctor is invited with their directory profile.
    click(&c, ".admin-tabs a[href$='/admin/staff']").await;
    element(&c, "#invite-form").await;
    fill(&c, "#invite-full-name", DOCTOR).await;
    let iin = telemed::domain::iin::Iin::numbered(99, 4321)
        .unwrap()
        .to_string();
    fill(&c, "#invite-iin", &iin).await;
    fill(&c, "#invite-email", DOCTOR_EMAIL).await;
    select(&c, "#invite-role", "doctor").await;
    select(&c, "#invite-language", "kk").await;
    fill(&c, "#invite-position", "Врач-эндокринолог").await;
    select(&c, "#invite-specialty", "endocrinology").await;
    fill(&c, "#invite-experience", "7").await;
    click(&c, "#invite-send").await;
    element(&c, "#invite-form #form-status[data-status='ok']").await;
    let row = format!("#staff tr[data-email='{DOCTOR_EMAIL}']");
    element(&c, &format!("{row}[data-state='invited']")).await;
    shots(&c, "admin-staff", "#staff-list").await;
    click(&c, &format!("{row} a[href*='/admin']")).await;

    // The profile: the job title in Kazakh as well.
    element(&c, "#profile-form").await;
    click(&c, "#profile-text-lang-kk").await;
    fill(&c, "#profile-position-kk", "Эндокринолог дәрігер").await;
    click(&c, "#profile-save").await;
    element(&c, "#profile-form #form-status[data-status='ok']").await;

    // The schedule: Monday 09:00–13:00 (the new interval's hours), then the same Tuesday to
    // Friday, and a day off on next week's Monday.
    click(&c, "#weekday-1-add").await;
    set_value(
        &c,
        "#weekday-1-intervals .interval input[id$='-end']",
        "14:00",
    )
    .await;
    click(&c, "#schedule-copy-monday").await;
    element(&c, ".weekday[data-weekday='5'][data-count='1']").await;
    let almaty = Utc::now() + Duration::hours(5);
    let monday = almaty.date_naive()
        - Duration::days(almaty.weekday().num_days_from_monday().into())
        + Duration::days(7);
    set_value(&c, "#day-off-date", &monday.to_string()).await;
    fill(&c, "#day-off-reason", "Учёба").await;
    click(&c, "#day-off-add").await;
    element(&c, &format!("#days-off-list li[data-date='{monday}']")).await;
    click(&c, "#schedule-save").await;
    element(&c, "#schedule-form #schedule-status[data-status='ok']").await;
    shots(&c, "admin-schedule", "#schedule-form").await;
    // The week shows the hours at once; next week has the day off.
    element(&c, "#week .week-day[data-hours='09:00-14:00']").await;
    click(&c, "#week-next").await;
    element(
        &c,
        &format!("#week .week-day[data-date='{monday}'][data-day-off='true']"),
    )
    .await;
    let tuesday = monday + Duration::days(1);
    element(
        &c,
        &format!("#week .week-day[data-date='{tuesday}'][data-hours='09:00-14:00']"),
    )
    .await;
    shots(&c, "admin-practitioner", "#week").await;

    // A price, with its Kazakh name.
    click(&c, ".admin-tabs a[href$='/admin/prices']").await;
    element(&c, "#price-form").await;
    let paid = element(&c, "#price-paid").await;
    if !paid.is_selected().await.unwrap() {
        paid.click().await.unwrap();
    }
    click(&c, "#price-add").await;
    let n = attr(&c, ".price-line:last-child", "data-line").await;
    fill(
        &c,
        &format!("#price-{n}-service"),
        "Консультация эндокринолога",
    )
    .await;
    fill(&c, &format!("#price-{n}-service-kk"), "Эндокринолог кеңесі").await;
    fill(&c, &format!("#price-{n}-price"), "9000").await;
    click(&c, "#price-save").await;
    element(&c, "#price-form #form-status[data-status='ok']").await;
    shots(&c, "admin-prices", "#price-form").await;
    click(&c, ".admin-tabs a[href$='/admin/offer']").await;
    element(&c, "#offer-acceptances[data-total]").await;
    shots(&c, "admin-offer", "#admin-page").await;
    click(&c, ".admin-tabs a[href$='/admin/details']").await;
    element(&c, "#org-form").await;
    click(&c, "#org-text-lang-kk").await;
    shots(&c, "admin-details", "#org-form").await;

    // An existing doctor's week shows the patient booked with them (this week or the next).
    click(&c, ".admin-tabs a[href$='/admin']").await;
    click(&c, "#admin-doctors a[href*='/admin']").await;
    let booking = format!("#week .week-booking[data-consultation-id='{booked}']");
    element(&c, "#week[data-week-start]").await;
    if c.find(fantoccini::Locator::Css(&booking)).await.is_err() {
        let shown = attr(&c, "#week", "data-week-start").await;
        click(&c, "#week-next").await;
        eventually("the next week", || async {
            let now = element(&c, "#week")
                .await
                .attr("data-week-start")
                .await
                .ok()
                .flatten();
            if now.as_deref() != Some(shown.as_str()) {
                Ok(())
            } else {
                Err(shown.clone())
            }
        })
        .await;
    }
    element(&c, &booking).await;
    shots(&c, "admin-week-booked", "#week").await;

    // The directory in Kazakh: the price line and the job title in Kazakh, the schedule set.
    let org = attr(&c, "#admin-page .back a[href^='#/organizations/']", "href").await;
    c.goto(&format!("{url}/{org}")).await.unwrap();
    select(&c, "#lang-switch", "kk").await;
    text_containing(&c, "#organization", "Эндокринолог кеңесі").await;
    c.goto(&format!("{url}/#/?specialty=endocrinology"))
        .await
        .unwrap();
    text_containing(&c, "#practitioners", DOCTOR).await;
    text_containing(&c, "#practitioners", "Эндокринолог дәрігер").await;

    // The doctor accepts the invitation (the lead's page; here by its API) and sees their week.
    let token = invitation_token(&app, DOCTOR_EMAIL);
    let accepted = reqwest::Client::new()
        .post(format!("{url}/api/invites/{token}/accept"))
        .json(&json!({"password": "endocrine-week-2026"}))
        .send()
        .await
        .unwrap();
    assert!(accepted.status().is_success(), "{}", accepted.status());
    click(&c, "#sign-out").await;
    // Signing out ends on the directory; only then is the next page opened.
    element(&c, "#directory-title").await;
    c.goto(&format!("{url}/#/login")).await.unwrap();
    fill(&c, "#login-email", DOCTOR_EMAIL).await;
    fill(&c, "#login-password", "endocrine-week-2026").await;
    click(&c, "#login-form [type=submit]").await;
    element(&c, "#me").await;
    click(&c, "nav a[href='#/my-week']").await;
    element(&c, "#my-week #week .week-day[data-hours='09:00-14:00']").await;
    shots(&c, "doctor-week", "#my-week").await;

    // The operator: the organisations with their administrators, and the health counts.
    click(&c, "#sign-out").await;
    // Signing out ends on the directory; only then is the next page opened.
    element(&c, "#directory-title").await;
    sign_in(&c, &url, "operator@demo.telemed.kz").await;
    click(&c, "nav a[href='#/operator']").await;
    text_containing(&c, "#platform-orgs", "admin.almaty@demo.telemed.kz").await;
    eventually("the health counts", || async {
        let text = element(&c, "#platform-health")
            .await
            .text()
            .await
            .map_err(|e| e.to_string())?;
        if text.contains("№") || text.contains("no.") {
            Ok(())
        } else {
            Err(text)
        }
    })
    .await;
    shots(&c, "operator-home", "#operator").await;
    click(&c, "#operator-new-org").await;
    element(&c, "#org-form #first-admin").await;
    shots(&c, "operator-new", "#operator-new").await;
}
