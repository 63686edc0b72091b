//! The public directory and what it discloses (Rules art. 34).

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{TestApp, assert_error};

#[tokio::test]
async fn art_34_organisations_disclose_licence_services_funding_rules_and_terms() {
    let app = TestApp::with_demo().await;
    let orgs: Value = app.get("/api/organizations").await.json().await.unwrap();
    assert_eq!(orgs.as_array().unwrap().len(), 2);
    let zones: Vec<_> = orgs
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["time_zone"].as_str().unwrap())
        .collect();
    assert!(zones.contains(&"Asia/Almaty") && zones.contains(&"Asia/Aqtobe"));

    let id = app.demo_org("Актобе").await;
    let org: Value = app
        .get(&format!("/api/organizations/{id}"))
        .await
        .json()
        .await
        .unwrap();
    for field in [
        "name",
        "address",
        "phone",
        "email",
        "licence_number",
        "time_zone",
        "payment_procedure",
        "consent_procedure",
        "anonymous_consultation",
        "identification_procedure",
        "conclusion_procedure",
        "document_requirements",
        "offer_acceptance",
    ] {
        assert!(
            org[field].as_str().is_some_and(|v| !v.is_empty()),
            "{field} disclosed"
        );
    }
    assert!(
        org["licensed_profiles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "radiology")
    );
    assert!(
        org["service_kinds"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k == "deferred")
    );
    assert!(org["gobmp"].is_boolean() && org["osms"].is_boolean());
    assert_eq!(org["paid"], true);
    assert!(org["price_list"][0]["price_kzt"].as_i64().unwrap() > 0);
    let urgent = org["urgent_deadline_hours"].as_i64().unwrap();
    assert!((3..=24).contains(&urgent));
    assert!(org["consultation_minutes"].as_i64().unwrap() > 0);
    assert_eq!(org["offer"]["version"], 1);
    assert_eq!(org["offer"]["sha256"].as_str().unwrap().len(), 64);
    assert!(!org["practitioners"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn art_34_practitioners_disclose_position_experience_category_degree_and_schedule() {
    let app = TestApp::with_demo().await;
    let all: Value = app.get("/api/practitioners").await.json().await.unwrap();
    let all = all.as_array().unwrap();
    assert!(all.len() >= 6);
    let mut specialties: Vec<&str> = all
        .iter()
        .flat_map(|p| {
            p["specialties"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["code"].as_str().unwrap())
        })
        .collect();
    specialties.sort();
    specialties.dedup();
    assert!(specialties.len() >= 4);

    let cardio: Value = app
        .get("/api/practitioners?specialty=cardiology")
        .await
        .json()
        .await
        .unwrap();
    let cardio = cardio.as_array().unwrap();
    assert_eq!(
        cardio.len(),
        2,
        "one cardiologist in each demo organisation"
    );
    let id = cardio
        .iter()
        .find(|p| p["time_zone"] == "Asia/Almaty")
        .unwrap()["id"]
        .as_str()
        .unwrap();
    let p: Value = app
        .get(&format!("/api/practitioners/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p["full_name"], "Ахметова Гульнара Сериковна");
    assert_eq!(p["position"], "Врач-кардиолог");
    assert_eq!(p["specialties"][0]["experience_years"], 18);
    assert_eq!(p["qualification_category"], "высшая");
    assert_eq!(p["academic_degree"], "кандидат медицинских наук");
    assert_eq!(p["schedule"]["weekly"][0]["start"], "09:00");
    assert!(!p["schedule"]["days_off"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_directory_filters_by_specialty_and_organisation() {
    let app = TestApp::with_demo().await;
    let aqtobe = app.demo_org("Актобе").await;
    let only: Value = app
        .get(&format!("/api/practitioners?organization={aqtobe}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        only.as_array()
            .unwrap()
            .iter()
            .all(|p| p["organization_id"] == aqtobe.as_str())
    );
    let both: Value = app
        .get(&format!(
            "/api/practitioners?organization={aqtobe}&specialty=pulmonology"
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(both.as_array().unwrap().len(), 1);
    let orgs: Value = app
        .get("/api/organizations?specialty=pediatrics")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        orgs.as_array().unwrap().len(),
        1,
        "only Almaty has a paediatrician"
    );
    let none: Value = app
        .get("/api/practitioners?specialty=oncology")
        .await
        .json()
        .await
        .unwrap();
    assert!(none.as_array().unwrap().is_empty());
    let specs: Value = app.get("/api/specialties").await.json().await.unwrap();
    let cardiology = specs
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "cardiology")
        .unwrap();
    assert_eq!(cardiology["name_ru"], "Кардиология");
    assert_eq!(cardiology["name_kk"], "Кардиология");
}

#[tokio::test]
async fn unknown_ids_are_404_not_found() {
    let app = TestApp::with_demo().await;
    assert_error(
        app.get("/api/organizations/nope").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_error(
        app.get("/api/practitioners/nope").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}
