//! A doctor's week: the hours the weekly pattern and the days off give, and the consultations
//! in it, for the doctor and whoever schedules for them.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{audited, ok_json};
use crate::support::{TestApp, assert_error, book_first_slot};

#[tokio::test]
async fn the_doctor_and_their_administrator_see_the_week_with_its_bookings() {
    let app = TestApp::with_demo().await;
    let patient = app.login_demo("patient@demo.telemed.kz").await;
    let consultation = book_first_slot(&app, &patient, "cardiology", "Asia/Almaty").await;
    let booked = ok_json(
        &app,
        &patient,
        Method::GET,
        &format!("/api/consultations/{consultation}"),
        &json!(null),
    )
    .await;
    let start: DateTime<Utc> = booked["slot_start"].as_str().unwrap().parse().unwrap();
    let tz: Tz = "Asia/Almaty".parse().unwrap();
    let day = start.with_timezone(&tz).date_naive();
    let doctor = app.login_demo("cardio@demo.telemed.kz").await;

    let week = ok_json(
        &app,
        &doctor,
        Method::GET,
        &format!("/api/me/week?date={day}"),
        &json!(null),
    )
    .await;
    assert_eq!(week["time_zone"], "Asia/Almaty");
    let days = week["days"].as_array().unwrap();
    assert_eq!(days.len(), 7);
    assert_eq!(days[0]["weekday"], 1);
    let that_day = days.iter().find(|d| d["date"] == day.to_string()).unwrap();
    assert!(
        !that_day["hours"].as_array().unwrap().is_empty(),
        "a booked day has working hours"
    );
    let listed = week["consultations"].as_array().unwrap();
    let mine = listed
        .iter()
        .find(|c| c["id"] == consultation.as_str())
        .expect("the booking is in the week");
    assert_eq!(mine["patient"]["full_name"], booked["patient"]["full_name"]);
    let patient_id = booked["patient"]["id"].as_str().unwrap();
    assert!(audited(&app, "schedule.week.read", Some(patient_id)) >= 1);

    // The administrator reads the same week by the practitioner's id and adds a day off.
    let admin = app.login_demo("admin.almaty@demo.telemed.kz").await;
    let practitioner = week["practitioner_id"].as_str().unwrap().to_owned();
    let path = format!("/api/practitioners/{practitioner}/week?date={day}");
    let same = ok_json(&app, &admin, Method::GET, &path, &json!(null)).await;
    assert_eq!(same["week_start"], week["week_start"]);
    assert_eq!(same["consultations"], week["consultations"]);
    let profile: Value = app
        .get(&format!("/api/practitioners/{practitioner}"))
        .await
        .json()
        .await
        .unwrap();
    let mut schedule = profile["schedule"].clone();
    schedule["days_off"]
        .as_array_mut()
        .unwrap()
        .push(json!({"date": day, "reason": "Учёба"}));
    ok_json(
        &app,
        &admin,
        Method::PUT,
        &format!("/api/practitioners/{practitioner}/schedule"),
        &schedule,
    )
    .await;
    let after = ok_json(&app, &admin, Method::GET, &path, &json!(null)).await;
    let that_day = after["days"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["date"] == day.to_string())
        .unwrap();
    assert_eq!(that_day["day_off"], true);
    assert_eq!(that_day["day_off_reason"], "Учёба");
    assert!(that_day["hours"].as_array().unwrap().is_empty());

    // Another doctor, another organisation's administrator, a patient: no.
    for who in [
        "therapist@demo.telemed.kz",
        "admin.aqtobe@demo.telemed.kz",
        "patient@demo.telemed.kz",
    ] {
        let token = app.login_demo(who).await;
        let res = app.get_as(&token, &path).await;
        assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    }
    // Only doctors have a week of their own.
    let res = app.get_as(&admin, "/api/me/week").await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let res = app.get_as(&doctor, "/api/me/week?date=1800-01-01").await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "date_out_of_range").await;
    let res = app.get_as(&doctor, "/api/me/week?date=someday").await;
    assert_error(res, StatusCode::BAD_REQUEST, "invalid_query").await;
}
