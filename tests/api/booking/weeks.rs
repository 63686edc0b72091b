//! The patient pages through free slots week by week up to the booking horizon
//! (`booking.horizon_days`, 90 days in the embedded settings): the API says where the horizon
//! lies and never lists a slot beyond it, since such a slot could not be booked.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::Value;
use telemed::clock::ManualClock;

use super::{app_at, cardiologist, monday};

async fn week(app: &crate::support::TestApp, cardio: &str, from: &str, to: &str) -> Value {
    let res = app
        .get(&format!(
            "/api/slots?practitioner={cardio}&from={from}&to={to}"
        ))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let list: Value = res.json().await.unwrap();
    list[0].clone()
}

fn starts(week: &Value) -> Vec<&str> {
    week["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn slots_page_through_weeks_up_to_the_booking_horizon() {
    let clock = ManualClock::at(monday());
    let app = app_at(&clock).await;
    let (cardio, _) = cardiologist(&app).await;
    let horizon =
        (monday() + Duration::days(90)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    assert_eq!(horizon, "2027-02-21T00:00:00Z");

    // A week in the middle, without holidays, is a whole week of the doctor's mornings.
    let middle = week(
        &app,
        &cardio,
        "2027-01-18T00:00:00Z",
        "2027-01-25T00:00:00Z",
    )
    .await;
    assert_eq!(middle["bookable_until"], horizon.as_str());
    assert_eq!(
        starts(&middle).len(),
        5 * 8,
        "Mon–Fri, eight slots a morning"
    );

    // The week the horizon falls in (Thursday to Wednesday): Thursday and Friday are offered,
    // Monday to Wednesday after the horizon are not.
    let last = week(
        &app,
        &cardio,
        "2027-02-18T00:00:00Z",
        "2027-02-25T00:00:00Z",
    )
    .await;
    let last_starts = starts(&last);
    assert!(
        last_starts.iter().any(|s| s.starts_with("2027-02-19")),
        "the Friday before the horizon: {last_starts:?}"
    );
    assert!(
        last_starts.iter().all(|s| *s < horizon.as_str()),
        "nothing beyond the horizon: {last_starts:?}"
    );

    // A week wholly beyond it lists nothing, without an error the page would have to show.
    let beyond = week(
        &app,
        &cardio,
        "2027-03-01T00:00:00Z",
        "2027-03-08T00:00:00Z",
    )
    .await;
    assert_eq!(starts(&beyond), Vec::<&str>::new());
    assert_eq!(beyond["bookable_until"], horizon.as_str());
}
