//! Organisation texts per language: Russian required, Kazakh and English optional, served in
//! the reader's language with Russian where a translation is missing.

use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

use super::{editable_org, ok_json};
use crate::support::{TestApp, assert_error};

async fn get_in(app: &TestApp, path: &str, accept_language: &str) -> reqwest::Response {
    app.client
        .get(app.at(path))
        .header(header::ACCEPT_LANGUAGE, accept_language)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn organisation_and_job_titles_are_read_in_the_readers_language_with_russian_fallback() {
    let app = TestApp::with_demo().await;
    let org = app.demo_org("Алматы").await;
    let admin = app.login_demo("admin.almaty@demo.telemed.kz").await;
    let mut body = editable_org(&app, &org).await;
    let russian_address = body["address"].as_str().unwrap().to_owned();
    let russian_payment = body["payment_procedure"].as_str().unwrap().to_owned();
    body["translations"] = json!({
        "kk": {"address": "Алматы қ., Абай даңғылы, 10", "consent_procedure": "Келісім жеке кабинетте беріледі."},
        "en": {"address": "10 Abai Avenue, Almaty", "name": "City Polyclinic No. 7 (demo)"}
    });
    body["paid"] = json!(true);
    body["price_list"] = json!([{"service": "Приём терапевта", "price_kzt": 7000,
        "service_kk": "Терапевт қабылдауы", "service_en": "Therapist's consultation"}]);
    let path = format!("/api/organizations/{org}");
    ok_json(&app, &admin, Method::PUT, &path, &body).await;

    let res = get_in(&app, &path, "kk-KZ,kk;q=0.9,ru;q=0.8").await;
    assert_eq!(res.headers()[header::CONTENT_LANGUAGE], "kk");
    assert!(
        res.headers()[header::VARY]
            .to_str()
            .unwrap()
            .contains("Accept-Language")
    );
    let kk: Value = res.json().await.unwrap();
    assert_eq!(kk["address"], "Алматы қ., Абай даңғылы, 10");
    assert_eq!(kk["consent_procedure"], "Келісім жеке кабинетте беріледі.");
    // Not translated into Kazakh: the Russian text stands in.
    assert_eq!(kk["payment_procedure"], russian_payment.as_str());
    assert_eq!(kk["price_list"][0]["title"], "Терапевт қабылдауы");
    // A booking names the line by its Russian name, whatever the reader's language.
    assert_eq!(kk["price_list"][0]["service"], "Приём терапевта");
    assert_eq!(
        kk["translations"]["en"]["address"],
        "10 Abai Avenue, Almaty"
    );

    // `?lang=` wins over the header; the directory's list follows it too.
    let en: Value = get_in(&app, &format!("{path}?lang=en"), "kk")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(en["name"], "City Polyclinic No. 7 (demo)");
    assert_eq!(en["price_list"][0]["title"], "Therapist's consultation");
    let list: Value = get_in(&app, "/api/organizations", "en-GB,en;q=0.9")
        .await
        .json()
        .await
        .unwrap();
    let listed = list
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == org.as_str())
        .unwrap();
    assert_eq!(listed["address"], "10 Abai Avenue, Almaty");
    let ru: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(ru["address"], russian_address.as_str());

    // A doctor's job title, and their organisation's name, in the reader's language.
    let doctor = ru["practitioners"][0]["id"].as_str().unwrap().to_owned();
    let profile = json!({"position": "Врач-кардиолог", "specialties": [{"code": "cardiology", "experience_years": 18}],
        "translations": {"kk": {"position": "Кардиолог дәрігер"}}});
    let doctor_path = format!("/api/practitioners/{doctor}");
    ok_json(&app, &admin, Method::PUT, &doctor_path, &profile).await;
    let kk: Value = get_in(&app, &doctor_path, "kk").await.json().await.unwrap();
    assert_eq!(kk["position"], "Кардиолог дәрігер");
    let en: Value = get_in(&app, &doctor_path, "en").await.json().await.unwrap();
    assert_eq!(en["position"], "Врач-кардиолог");
    assert_eq!(en["organization_name"], "City Polyclinic No. 7 (demo)");
    let list: Value = get_in(
        &app,
        &format!("/api/practitioners?organization={org}"),
        "kk",
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|p| p["position"] == "Кардиолог дәрігер")
    );

    // Without `translations` the stored ones stay; with an empty set they go.
    let mut again = editable_org(&app, &org).await;
    again.as_object_mut().unwrap().remove("translations");
    ok_json(&app, &admin, Method::PUT, &path, &again).await;
    let kk: Value = get_in(&app, &path, "kk").await.json().await.unwrap();
    assert_eq!(kk["address"], "Алматы қ., Абай даңғылы, 10");
    again["translations"] = json!({"kk": {"address": "  "}});
    ok_json(&app, &admin, Method::PUT, &path, &again).await;
    let kk: Value = get_in(&app, &path, "kk").await.json().await.unwrap();
    assert_eq!(kk["address"], russian_address.as_str());
    assert_eq!(kk["translations"], json!({}));
}

#[tokio::test]
async fn translations_and_languages_are_checked() {
    let app = TestApp::with_demo().await;
    let org = app.demo_org("Алматы").await;
    let admin = app.login_demo("admin.almaty@demo.telemed.kz").await;
    let path = format!("/api/organizations/{org}");
    let cases = [
        (json!({"ru": {"address": "x"}}), "invalid_language"),
        (json!({"de": {"address": "x"}}), "invalid_language"),
        (json!({"kk": {"licence_number": "x"}}), "unknown_field"),
        (
            json!({"en": {"address": "line\nbreak"}}),
            "invalid_characters",
        ),
        (json!({"en": {"name": "x".repeat(301)}}), "field_too_long"),
    ];
    for (translations, code) in cases {
        let mut body = editable_org(&app, &org).await;
        body["translations"] = translations;
        let res = app.send_as(Method::PUT, Some(&admin), &path, &body).await;
        assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, code).await;
    }
    // Two price lines of one name would make a booking's price ambiguous.
    let mut body = editable_org(&app, &org).await;
    body["paid"] = json!(true);
    body["price_list"] =
        json!([{"service": "Приём", "price_kzt": 1}, {"service": "Приём", "price_kzt": 2}]);
    let res = app.send_as(Method::PUT, Some(&admin), &path, &body).await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_price_list").await;

    let res = app.get(&format!("{path}?lang=de")).await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_language").await;
    // A header nobody can honour is no error: Russian always reads.
    let res = get_in(&app, &path, "de-DE, fr;q=0.5").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_LANGUAGE], "ru");
}

#[tokio::test]
async fn the_demo_directory_reads_in_kazakh_and_english_from_the_first_start() {
    let app = TestApp::with_demo().await;
    let kk: Value = get_in(&app, "/api/organizations", "kk")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        kk.as_array()
            .unwrap()
            .iter()
            .any(|o| o["address"] == "Алматы қ., Абай даңғылы, 120"),
        "{kk}"
    );
    let en: Value = get_in(&app, "/api/practitioners?specialty=pulmonology", "en")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(en[0]["position"], "Pulmonologist");
    let ru: Value = app
        .get("/api/practitioners?specialty=pulmonology")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ru[0]["position"], "Врач-пульмонолог");
}
