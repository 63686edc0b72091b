//! What the request boundary refuses before anything reaches the database: NUL and other
//! control characters, bidirectional and zero-width characters, malformed ids and codes, dates
//! outside 1900–2200, IINs no person can have. Each test names the hole it keeps shut; on
//! PostgreSQL (`TELEMED_TEST_DATABASE_URL`) the NUL cases were 500s.

use chrono::{Duration, SecondsFormat, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{TestApp, assert_error, fresh_iin, registration};

const PATIENT: &str = "patient@demo.telemed.kz";
const DOCTOR: &str = "therapist@demo.telemed.kz";
const FAR_FUTURE: &str = "+262142-12-31T23:59:59Z";

async fn cardiologist(app: &TestApp) -> String {
    let list: Value = app
        .get("/api/practitioners?specialty=cardiology")
        .await
        .json()
        .await
        .unwrap();
    list[0]["id"].as_str().unwrap().to_owned()
}

fn some_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The service still answers: a panic in a handler would have dropped the connection.
async fn still_serving(app: &TestApp) {
    assert_eq!(app.get("/health").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn nul_byte_in_login_email_is_422_not_500() {
    let app = TestApp::with_demo().await;
    let res = app
        .post(
            "/api/auth/login",
            &json!({"email": "patient\u{0}@demo.telemed.kz", "password": "demo-telemed-2026"}),
        )
        .await;
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_characters").await;
    assert!(
        body["message"].as_str().unwrap().contains("email"),
        "{body}"
    );
}

#[tokio::test]
async fn nul_byte_in_query_values_is_422_not_500() {
    let app = TestApp::with_demo().await;
    for (path, code) in [
        ("/api/slots?specialty=%00", "invalid_code"),
        ("/api/slots?practitioner=%00", "invalid_id"),
        ("/api/practitioners?specialty=cardio%00", "invalid_code"),
        ("/api/practitioners?organization=%00", "invalid_id"),
        ("/api/organizations?specialty=%00", "invalid_code"),
        ("/api/icd10?q=I1%00", "invalid_characters"),
    ] {
        let res = app.get(path).await;
        assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, code).await;
    }
    let token = app.login_demo(PATIENT).await;
    let res = app
        .get_as(&token, "/api/me/access-log?patient_id=%00")
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_id").await;
}

#[tokio::test]
async fn malformed_path_ids_are_404_not_500() {
    let app = TestApp::with_demo().await;
    let token = app.login_demo(PATIENT).await;
    for path in [
        "/api/consultations/%00",
        "/api/consultations/%00/materials",
        "/api/records/x%00y",
        "/api/councils/..%2F..",
        "/api/consultations/0B7E2C1A-0000-4000-8000-000000000001",
    ] {
        let res = app.get_as(&token, path).await;
        assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
    }
    for path in ["/api/organizations/%00", "/api/practitioners/%E2%80%AE"] {
        assert_error(app.get(path).await, StatusCode::NOT_FOUND, "not_found").await;
    }
    let res = app
        .send_as(
            Method::POST,
            Some(&token),
            "/api/consultations/%00/cancel",
            &json!({"reason_code": "other", "reason_text": "x"}),
        )
        .await;
    assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn nul_byte_in_booking_and_cancel_reasons_is_422_not_500() {
    let app = TestApp::with_demo().await;
    let token = app.login_demo(PATIENT).await;
    let cardio = cardiologist(&app).await;
    let start = (Utc::now() + Duration::days(1)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let res = app
        .send_as(
            Method::POST,
            Some(&token),
            "/api/consultations",
            &json!({"mode": "realtime", "urgency": "planned", "practitioner_id": cardio,
                    "slot_start": start, "reason": "боли\u{0}в груди", "funding": "gobmp"}),
        )
        .await;
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_characters").await;
    assert!(
        body["message"].as_str().unwrap().contains("reason"),
        "{body}"
    );
    let res = app
        .send_as(
            Method::POST,
            Some(&token),
            &format!("/api/consultations/{}/cancel", some_id()),
            &json!({"reason_code": "other", "reason_text": "не\u{0}могу"}),
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_characters").await;
    // Line breaks (CRLF too) and tabs are fine in a reason; other control characters are not.
    let res = app
        .send_as(
            Method::POST,
            Some(&token),
            &format!("/api/consultations/{}/cancel", some_id()),
            &json!({"reason_code": "other", "reason_text": "a\r\n\tb"}),
        )
        .await;
    assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
    let res = app
        .send_as(
            Method::POST,
            Some(&token),
            &format!("/api/consultations/{}/cancel", some_id()),
            &json!({"reason_code": "other", "reason_text": "a\u{1b}[2Jb"}),
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_characters").await;
}

#[tokio::test]
async fn malformed_ids_in_a_booking_are_422_not_500() {
    let app = TestApp::with_demo().await;
    let token = app.login_demo(PATIENT).await;
    let res = app
        .send_as(
            Method::POST,
            Some(&token),
            "/api/consultations",
            &json!({"mode": "deferred", "urgency": "planned", "organization_id": "\u{0}",
                    "reason": "Второе мнение", "funding": "gobmp"}),
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_id").await;
    let org = app.demo_org("Алматы").await;
    let res = app
        .send_as(
            Method::POST,
            Some(&token),
            "/api/consultations",
            &json!({"mode": "deferred", "urgency": "planned", "organization_id": org,
                    "specialty": "cardiology\u{0}", "reason": "Второе мнение", "funding": "gobmp"}),
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_code").await;
}

#[tokio::test]
async fn nul_byte_in_council_question_is_422_not_500() {
    let app = TestApp::with_demo().await;
    let token = app.login_demo(DOCTOR).await;
    let res = app
        .send_as(Method::POST, Some(&token), "/api/councils",
            &json!({"patient_id": some_id(), "question": "Тактика\u{0}лечения", "urgency": "planned",
                    "mode": "deferred", "initiative": "patient", "specialties": ["cardiology", "neurology"]}))
        .await;
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_characters").await;
    assert!(
        body["message"].as_str().unwrap().contains("question"),
        "{body}"
    );
    // An id that is neither an IIN nor an id names nobody, without a query (PostgreSQL would
    // have failed the transaction).
    let res = app
        .send_as(Method::POST, Some(&token), "/api/councils",
            &json!({"patient_id": "\u{0}", "question": "Тактика", "urgency": "planned",
                    "mode": "deferred", "initiative": "patient", "specialties": ["cardiology", "neurology"]}))
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "no_care_relationship").await;
}

#[tokio::test]
async fn nul_byte_in_break_glass_patient_is_422_not_500() {
    let app = TestApp::with_demo().await;
    let token = app.login_demo(DOCTOR).await;
    let reason = "Пациент доставлен без сознания, нужен анамнез";
    for patient in ["\u{0}", "77070730017\u{0}", "' OR 1=1 --"] {
        let res = app
            .send_as(
                Method::POST,
                Some(&token),
                "/api/break-glass",
                &json!({"patient": patient, "reason": reason}),
            )
            .await;
        assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "patient_not_found").await;
    }
    let res = app
        .send_as(
            Method::POST,
            Some(&token),
            "/api/break-glass",
            &json!({"patient": some_id(), "reason": "Без\u{0}сознания, нужен анамнез срочно"}),
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_characters").await;
}

#[tokio::test]
async fn far_future_slots_from_is_422() {
    let app = TestApp::with_demo().await;
    let cardio = cardiologist(&app).await;
    for (param, value) in [
        ("from", FAR_FUTURE),
        ("to", FAR_FUTURE),
        ("from", "9999-12-31T00:00:00Z"),
        ("from", "1899-12-31T23:59:59Z"),
        ("from", "-262143-01-01T00:00:00Z"),
    ] {
        let value = value.replace('+', "%2B");
        let res = app
            .get(&format!("/api/slots?practitioner={cardio}&{param}={value}"))
            .await;
        assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "date_out_of_range").await;
    }
    let res = app
        .get(&format!(
            "/api/slots?specialty=cardiology&from=%2B262142-12-25T00:00:00Z&to={}",
            "%2B262142-12-31T23:59:59Z"
        ))
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "date_out_of_range").await;
    still_serving(&app).await;
}

#[tokio::test]
async fn far_future_booking_and_reschedule_are_422() {
    let app = TestApp::with_demo().await;
    let token = app.login_demo(PATIENT).await;
    let cardio = cardiologist(&app).await;
    let res = app
        .send_as(
            Method::POST,
            Some(&token),
            "/api/consultations",
            &json!({"mode": "realtime", "urgency": "planned", "practitioner_id": cardio,
                    "slot_start": FAR_FUTURE, "reason": "Боли", "funding": "gobmp"}),
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "date_out_of_range").await;
    for at in [FAR_FUTURE, "9999-12-31T10:00:00Z"] {
        let res = app
            .send_as(
                Method::POST,
                Some(&token),
                &format!("/api/consultations/{}/reschedule", some_id()),
                &json!({"slot_start": at, "reason_code": "other", "reason_text": "Перенос"}),
            )
            .await;
        assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "date_out_of_range").await;
    }
    still_serving(&app).await;
}

fn council(scheduled_at: &str) -> Value {
    json!({"patient_id": some_id(), "question": "Тактика лечения", "urgency": "planned",
           "mode": "realtime", "initiative": "patient", "scheduled_at": scheduled_at,
           "specialties": ["cardiology", "neurology"]})
}

#[tokio::test]
async fn council_scheduled_in_year_9999_or_beyond_the_horizon_is_422() {
    let app = TestApp::with_demo().await;
    let token = app.login_demo(DOCTOR).await;
    for at in [FAR_FUTURE, "9999-12-31T10:00:00Z", "2200-01-01T00:00:00Z"] {
        let res = app
            .send_as(Method::POST, Some(&token), "/api/councils", &council(at))
            .await;
        assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "date_out_of_range").await;
    }
    let beyond = (Utc::now() + Duration::days(400)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let res = app
        .send_as(
            Method::POST,
            Some(&token),
            "/api/councils",
            &council(&beyond),
        )
        .await;
    assert_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "scheduled_at_beyond_horizon",
    )
    .await;
}

#[tokio::test]
async fn day_off_before_1900_is_422() {
    let app = TestApp::with_demo().await;
    let token = app.login_demo("admin.almaty@demo.telemed.kz").await;
    let cardio = cardiologist(&app).await;
    let res = app
        .send_as(
            Method::PUT,
            Some(&token),
            &format!("/api/practitioners/{cardio}/schedule"),
            &json!({"weekly": [{"weekday": 1, "start": "09:00", "end": "13:00"}],
                    "days_off": [{"date": "1800-01-01", "reason": "x"}]}),
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "date_out_of_range").await;
}

#[tokio::test]
async fn right_to_left_override_and_zero_width_in_names_are_422() {
    let app = TestApp::with_demo().await;
    for (n, name) in [
        "Серикова \u{202E}анйуглА",
        "Сери\u{200B}кова Айгуль",
        "Серикова\u{2066} Айгуль",
        "Серикова\u{FEFF}Айгуль",
        "Серикова\nАйгуль",
    ]
    .into_iter()
    .enumerate()
    {
        let mut body = registration(&fresh_iin(900 + n as u32), &format!("rtl{n}@example.kz"));
        body["full_name"] = json!(name);
        let res = app.post("/api/auth/register", &body).await;
        let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_characters").await;
        assert!(
            body["message"].as_str().unwrap().contains("full_name"),
            "{body}"
        );
    }
    let mut body = registration(&fresh_iin(910), "rtl\u{202E}@example.kz");
    body["full_name"] = json!("Серикова Айгуль");
    let res = app.post("/api/auth/register", &body).await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_characters").await;
    // Staff names and a practitioner's position go through the same check.
    let admin = app.login_demo("admin.almaty@demo.telemed.kz").await;
    let org = app.demo_org("Алматы").await;
    let res = app
        .send_as(Method::POST, Some(&admin), &format!("/api/organizations/{org}/staff"),
            &json!({"full_name": "Врач Новый", "iin": fresh_iin(911), "email": "new.doc@clinic.kz",
                    "password": "initial password 1", "role": "doctor",
                    "practitioner": {"position": "Врач\u{202E}-кардиолог",
                                     "specialties": [{"code": "cardiology", "experience_years": 3}]}}))
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_characters").await;
}

#[tokio::test]
async fn icd10_percent_is_literal() {
    let app = TestApp::with_demo().await;
    let found: Value = app
        .get("/api/icd10?q=%25&limit=100")
        .await
        .json()
        .await
        .unwrap();
    let found = found.as_array().unwrap();
    // The burns of T31/T32 name percentages of body surface; nothing else matches.
    assert!(!found.is_empty());
    assert!(
        found
            .iter()
            .all(|c| c["title"].as_str().unwrap().contains('%')),
        "{found:?}"
    );
    for wildcard in ["_", "%5C", "%25%25%25"] {
        let found: Value = app
            .get(&format!("/api/icd10?q={wildcard}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(found, json!([]), "{wildcard}");
    }
}

#[tokio::test]
async fn iin_with_month_13_is_refused_at_registration() {
    let app = TestApp::with_demo().await;
    // Check digits computed by the same rule as the domain's; only the layout is wrong.
    for (n, eleven) in ["90130130001", "90010130001", "90013200001", "90010190001"]
        .into_iter()
        .enumerate()
    {
        let Some(iin) = check_digit_appended(eleven) else {
            continue;
        };
        let body = registration(&iin, &format!("iin{n}@example.kz"));
        let res = app.post("/api/auth/register", &body).await;
        if eleven == "90010130001" {
            // The control: the same number with a real month registers.
            assert_eq!(res.status(), StatusCode::CREATED, "{iin}");
        } else {
            assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_iin").await;
        }
    }
}

/// The check digit of an IIN's first 11 digits (two weightings mod 11), whatever their layout.
fn check_digit_appended(eleven: &str) -> Option<String> {
    let d: Vec<u32> = eleven.bytes().map(|b| u32::from(b - b'0')).collect();
    let sum = |w: &[u32]| d.iter().zip(w).map(|(a, b)| a * b).sum::<u32>() % 11;
    let check = match sum(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]) {
        10 => match sum(&[3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]) {
            10 => return None,
            c => c,
        },
        c => c,
    };
    Some(format!("{eleven}{check}"))
}
