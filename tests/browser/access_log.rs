//! The patient's access log page (Rules art. 40): after the doctor opened the patient's
//! consultation, the patient sees who it was, their role and organisation, what and why.

use fantoccini::Client;
use serde_json::{Value, json};

use super::CARDIOLOGIST;
use crate::driver::{
    Browser, click, element, fill, select, spawn_app, text, text_containing, texts,
};

const PASSWORD: &str = "demo-telemed-2026";

/// Books through the API as the patient and lets the doctor open the consultation; the
/// consultation's id.
pub(crate) async fn doctor_reads_a_consultation(url: &str) -> String {
    let client = reqwest::Client::new();
    let login = |email: &'static str| {
        let client = client.clone();
        let url = url.to_owned();
        async move {
            let res: Value = client
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
    };
    let patient = login("patient@demo.telemed.kz").await;
    let list: Value = client
        .get(format!("{url}/api/slots?specialty=cardiology"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cardio = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["time_zone"] == "Asia/Almaty")
        .unwrap();
    let org = cardio["organization_id"].as_str().unwrap();
    client
        .post(format!("{url}/api/organizations/{org}/consent"))
        .bearer_auth(&patient)
        .json(&json!({"action": "accept"}))
        .send()
        .await
        .unwrap();
    let booked: Value = client
        .post(format!("{url}/api/consultations"))
        .bearer_auth(&patient)
        .json(&json!({"mode": "realtime", "urgency": "planned", "practitioner_id": cardio["practitioner_id"],
            "slot_start": cardio["slots"][0]["start"], "reason": "Контроль", "funding": "osms"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let doctor = login("cardio@demo.telemed.kz").await;
    let res = client
        .get(format!(
            "{url}/api/consultations/{}",
            booked["id"].as_str().unwrap()
        ))
        .bearer_auth(&doctor)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    booked["id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run: cargo test --test browser -- --ignored"]
async fn art_40_the_patient_sees_on_the_page_who_opened_their_consultation() {
    let app = spawn_app().await;
    let url = app.url.clone();
    doctor_reads_a_consultation(&url).await;
    Browser::start().await.run(|c| access_log(c, url)).await;
}

async fn access_log(c: Client, url: String) {
    let (ru, en) = (texts("ru"), texts("en"));
    c.goto(&format!("{url}/#/login"))
        .await
        .expect("open #/login");
    fill(&c, "#login-email", "patient@demo.telemed.kz").await;
    fill(&c, "#login-password", PASSWORD).await;
    click(&c, "#login-form [type=submit]").await;
    element(&c, "#me").await;
    click(&c, "a[href='#/access-log']").await;
    let table = text_containing(&c, "#access-log", CARDIOLOGIST).await;
    assert!(
        table.contains(&text(&ru, "access.consultation.read")),
        "{table}"
    );
    assert!(table.contains(&text(&ru, "role.doctor")), "{table}");
    assert!(table.contains("Городская поликлиника №7 (демо)"), "{table}");
    element(&c, "#access-log a[href^='#/consultations/']").await;
    select(&c, "#lang-switch", "en").await;
    text_containing(&c, "#access-log", &text(&en, "access.consultation.read")).await;
}
