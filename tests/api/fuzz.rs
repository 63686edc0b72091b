//! Property tests of the request boundary: arbitrary text (NUL, controls, bidirectional and
//! zero-width characters, LIKE wildcards, characters outside the BMP, a few kilobytes) and
//! arbitrary dates (years ±262,143, 0, 9999) in every text and date field of the main requests,
//! through the real HTTP app. Whatever comes in, the answer is not a 5xx, and the connection
//! is answered (a panic in a handler would drop it). `CASES` inputs per field, from proptest's
//! `TestRunner` inside the test's runtime; a failure shrinks to a minimal input.

use std::fmt::Debug;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{DateTime, NaiveDate, SecondsFormat, TimeDelta, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use reqwest::{RequestBuilder, Url};
use serde_json::{Value, json};

use crate::support::{TestApp, book_first_slot, fresh_iin, registration};

const CASES: u32 = 64;
const PATIENT: &str = "patient@demo.telemed.kz";
const CARDIO: &str = "cardio@demo.telemed.kz";

/// Characters that have broken text boundaries somewhere.
fn awkward_char() -> impl Strategy<Value = char> {
    prop::sample::select(vec![
        '\0',
        '\u{1}',
        '\u{8}',
        '\u{1b}',
        '\u{7f}',
        '\u{85}',
        '\u{9f}',
        '\r',
        '\n',
        '\t',
        '\u{202A}',
        '\u{202E}',
        '\u{2066}',
        '\u{2069}',
        '\u{200E}',
        '\u{200F}',
        '\u{061C}',
        '\u{200B}',
        '\u{200C}',
        '\u{200D}',
        '\u{2060}',
        '\u{FEFF}',
        '\u{2028}',
        '\u{FFFD}',
        '\u{FFFF}',
        '%',
        '_',
        '\\',
        '\'',
        '"',
        '/',
        '?',
        '#',
        '&',
        '=',
        '+',
        '.',
        ' ',
        '🩺',
        '𝔘',
        '\u{10FFFF}',
        'Ә',
        'я',
        'I',
        '1',
        '-',
    ])
}

fn any_text() -> impl Strategy<Value = String> {
    let mixed = prop::collection::vec(prop_oneof![2 => awkward_char(), 1 => any::<char>()], 0..48)
        .prop_map(|v| v.into_iter().collect::<String>());
    let huge = (awkward_char(), 1_000usize..4_000).prop_map(|(c, n)| {
        let mut s = "Иванов ".repeat(n / 8);
        s.push(c);
        s
    });
    prop_oneof![6 => mixed, 2 => any::<String>(), 1 => huge]
}

/// A date and time as a request carries it: RFC 3339 of any year chrono has (the expanded
/// `+262142-…` form included), the last and first weeks chrono can hold (where adding a day
/// overflows), and some near misses.
fn any_time() -> impl Strategy<Value = String> {
    let edge = (any::<bool>(), 0i64..(40 * 86_400)).prop_map(|(last, secs)| {
        let t = if last {
            DateTime::<Utc>::MAX_UTC - TimeDelta::seconds(secs)
        } else {
            DateTime::<Utc>::MIN_UTC + TimeDelta::seconds(secs)
        };
        t.to_rfc3339_opts(SecondsFormat::Secs, true)
    });
    let year = prop_oneof![
        prop::sample::select(vec![
            -262_143, -1, 0, 1, 1899, 1900, 2026, 2027, 2199, 2200, 9999, 10_000, 262_142, 262_143,
        ]),
        -262_143i32..=262_143,
    ];
    let valid = (year, 1u32..=12, 1u32..=28, 0u32..24).prop_filter_map(
        "a date chrono has",
        |(y, m, d, h)| {
            NaiveDate::from_ymd_opt(y, m, d)
                .and_then(|d| d.and_hms_opt(h, 30, 0))
                .map(|t| t.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true))
        },
    );
    let near_misses = prop::sample::select(vec![
        "9999-12-31",
        "9999-12-31T23:59:59Z",
        "+262142-12-31T23:59:59Z",
        "+262143-12-31T23:59:59Z",
        "-262143-01-01T00:00:00Z",
        "+262144-01-01T00:00:00Z",
        "0000-01-01T00:00:00Z",
        "2026-02-30T10:00:00Z",
        "2026-12-03T10:00:00+23:59",
        "2026-12-03T10:00:00.999999999999Z",
        "",
    ])
    .prop_map(str::to_owned);
    prop_oneof![4 => valid, 2 => edge, 2 => near_misses, 1 => any_text()]
}

/// A calendar day as a request carries it.
fn any_day() -> impl Strategy<Value = String> {
    any_time().prop_map(|t| t.split('T').next().unwrap_or_default().to_owned())
}

struct Fuzz<'a> {
    app: &'a TestApp,
    runtime: tokio::runtime::Handle,
}

impl<'a> Fuzz<'a> {
    fn new(app: &'a TestApp) -> Self {
        Fuzz {
            app,
            runtime: tokio::runtime::Handle::current(),
        }
    }

    /// Sends `CASES` requests made by `request` from values of `strategy`; any 5xx or dropped
    /// connection fails the test with the smallest value proptest shrinks it to.
    fn field<S>(&self, field: &str, strategy: S, request: impl Fn(S::Value) -> RequestBuilder)
    where
        S: Strategy,
        S::Value: Debug,
    {
        let mut runner = TestRunner::new(Config {
            cases: CASES,
            failure_persistence: None,
            ..Config::default()
        });
        let outcome = tokio::task::block_in_place(|| {
            runner.run(&strategy, |value| {
                let answer = self.runtime.block_on(request(value).send());
                let status = answer
                    .map_err(|e| TestCaseError::fail(format!("no answer: {e}")))?
                    .status();
                prop_assert!(!status.is_server_error(), "{} answered {}", field, status);
                Ok(())
            })
        });
        if let Err(e) = outcome {
            panic!("{field}: {e}");
        }
    }

    fn post(&self, token: Option<&str>, path: &str, body: Value) -> RequestBuilder {
        let req = self.app.client.post(self.app.at(path)).json(&body);
        match token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    /// `GET base/segment` with the segment percent-encoded as one path segment.
    fn get_segment(&self, token: &str, base: &str, segment: &str) -> RequestBuilder {
        let mut url = Url::parse(&self.app.at(base)).expect("url");
        url.path_segments_mut()
            .expect("a base")
            .pop_if_empty()
            .push(segment);
        self.app.client.get(url).bearer_auth(token)
    }
}

/// `base` with `value` at the JSON pointer `at` (an array index appends if missing).
fn with(base: &Value, at: &str, value: Value) -> Value {
    let mut body = base.clone();
    *body
        .pointer_mut(at)
        .unwrap_or_else(|| panic!("{at} in {base}")) = value;
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fuzzed_registration_and_login_fields_never_5xx() {
    let app = TestApp::with_demo().await;
    let fuzz = Fuzz::new(&app);
    let n = AtomicU32::new(0);
    let next = || n.fetch_add(1, Ordering::Relaxed);
    for field in ["full_name", "email", "iin", "password", "language"] {
        fuzz.field(&format!("registration {field}"), any_text(), |text| {
            let k = next();
            let base = registration(&fresh_iin(k), &format!("fuzz{k}@example.kz"));
            fuzz.post(
                None,
                "/api/auth/register",
                with(&base, &format!("/{field}"), json!(text)),
            )
        });
    }
    // Sign-in is throttled: 429 is an answer like any other.
    for field in ["email", "password"] {
        fuzz.field(&format!("login {field}"), any_text(), |text| {
            let base = json!({"email": PATIENT, "password": "wrong password 1"});
            fuzz.post(
                None,
                "/api/auth/login",
                with(&base, &format!("/{field}"), json!(text)),
            )
        });
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fuzzed_slot_booking_cancel_and_reschedule_fields_never_5xx() {
    let app = TestApp::with_demo().await;
    let patient = app.login_demo(PATIENT).await;
    let consultation = book_first_slot(&app, &patient, "cardiology", "Asia/Almaty").await;
    let list: Value = app
        .get("/api/practitioners?specialty=cardiology")
        .await
        .json()
        .await
        .unwrap();
    let cardio = list[0]["id"].as_str().unwrap().to_owned();
    let org = list[0]["organization_id"].as_str().unwrap().to_owned();
    let fuzz = Fuzz::new(&app);

    for param in ["practitioner", "specialty", "organization", "from", "to"] {
        let strategy = if matches!(param, "from" | "to") {
            any_time().boxed()
        } else {
            any_text().boxed()
        };
        fuzz.field(&format!("slots {param}"), strategy, |value| {
            let mut q = vec![("practitioner", cardio.clone())];
            q.retain(|(k, _)| *k != param);
            q.push((param, value));
            app.client.get(app.at("/api/slots")).query(&q)
        });
    }

    let tomorrow =
        (Utc::now() + chrono::Duration::days(1)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let realtime = json!({"mode": "realtime", "urgency": "planned", "practitioner_id": cardio,
        "slot_start": tomorrow, "reason": "Боли в груди", "funding": "paid", "price_service": "x",
        "specialty": "cardiology", "patient_id": null});
    for at in [
        "/reason",
        "/practitioner_id",
        "/specialty",
        "/price_service",
        "/patient_id",
    ] {
        fuzz.field(&format!("booking {at}"), any_text(), |text| {
            fuzz.post(
                Some(&patient),
                "/api/consultations",
                with(&realtime, at, json!(text)),
            )
        });
    }
    fuzz.field("booking /slot_start", any_time(), |at| {
        fuzz.post(
            Some(&patient),
            "/api/consultations",
            with(&realtime, "/slot_start", json!(at)),
        )
    });

    // A deferred request (art. 13, 17): the organisation, the specialty, the study's profile.
    let deferred = json!({"mode": "deferred", "urgency": "planned", "organization_id": org,
        "specialty": "cardiology", "reason": "Второе мнение", "funding": "gobmp",
        "request_kind": "interpretation", "study_profile": "radiology"});
    for at in [
        "/organization_id",
        "/specialty",
        "/reason",
        "/study_profile",
    ] {
        fuzz.field(&format!("deferred request {at}"), any_text(), |text| {
            fuzz.post(
                Some(&patient),
                "/api/consultations",
                with(&deferred, at, json!(text)),
            )
        });
    }

    let cancel = json!({"reason_code": "other", "reason_text": "Не смогу"});
    let reschedule =
        json!({"slot_start": tomorrow, "reason_code": "other", "reason_text": "Перенос"});
    // The booked consultation is cancelled by the first case that passes, and closed after.
    for (id, name) in [
        (consultation.as_str(), "booked"),
        ("0b7e2c1a-0000-4000-8000-000000000001", "unknown"),
    ] {
        for at in ["/reason_code", "/reason_text"] {
            fuzz.field(&format!("reschedule of {name} {at}"), any_text(), |text| {
                fuzz.post(
                    Some(&patient),
                    &format!("/api/consultations/{id}/reschedule"),
                    with(&reschedule, at, json!(text)),
                )
            });
        }
        fuzz.field(
            &format!("reschedule of {name} /slot_start"),
            any_time(),
            |at| {
                fuzz.post(
                    Some(&patient),
                    &format!("/api/consultations/{id}/reschedule"),
                    with(&reschedule, "/slot_start", json!(at)),
                )
            },
        );
        for at in ["/reason_code", "/reason_text"] {
            fuzz.field(&format!("cancel of {name} {at}"), any_text(), |text| {
                fuzz.post(
                    Some(&patient),
                    &format!("/api/consultations/{id}/cancel"),
                    with(&cancel, at, json!(text)),
                )
            });
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fuzzed_council_and_record_fields_never_5xx() {
    let app = TestApp::with_demo().await;
    let patient = app.login_demo(PATIENT).await;
    // The cardiologist treats the patient from the booking on: councils and records get past
    // the care check to the fields themselves.
    let consultation = book_first_slot(&app, &patient, "cardiology", "Asia/Almaty").await;
    let me: Value = app.get_as(&patient, "/api/me").await.json().await.unwrap();
    let patient_id = me["id"].as_str().unwrap().to_owned();
    let doctor = app.login_demo(CARDIO).await;
    let org = app.demo_org("Алматы").await;
    let neuro: Value = app
        .get("/api/practitioners?specialty=neurology")
        .await
        .json()
        .await
        .unwrap();
    let neuro = neuro[0]["id"].as_str().unwrap().to_owned();
    let fuzz = Fuzz::new(&app);

    let soon = (Utc::now() + chrono::Duration::days(2)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let council = json!({"patient_id": patient_id, "question": "Тактика лечения", "urgency": "planned",
        "mode": "realtime", "initiative": "patient", "scheduled_at": soon,
        "consultants": [neuro], "specialties": ["pulmonology"], "organizations": [org]});
    for at in [
        "/patient_id",
        "/question",
        "/consultants/0",
        "/specialties/0",
        "/organizations/0",
    ] {
        fuzz.field(&format!("council {at}"), any_text(), |text| {
            fuzz.post(
                Some(&doctor),
                "/api/councils",
                with(&council, at, json!(text)),
            )
        });
    }
    fuzz.field("council /scheduled_at", any_time(), |at| {
        fuzz.post(
            Some(&doctor),
            "/api/councils",
            with(&council, "/scheduled_at", json!(at)),
        )
    });

    let note = json!({"kind": "consultation_note", "consultation_id": consultation, "content": {"text": "Жалоб нет"}});
    for at in ["/consultation_id", "/content/text"] {
        fuzz.field(&format!("record {at}"), any_text(), |text| {
            fuzz.post(
                Some(&doctor),
                &format!("/api/patients/{patient_id}/records"),
                with(&note, at, json!(text)),
            )
        });
    }
    fuzz.field("record path patient_id", any_text(), |id| {
        let mut url = Url::parse(&app.at("/api/patients/")).expect("url");
        url.path_segments_mut()
            .expect("a base")
            .pop_if_empty()
            .push(&id)
            .push("records");
        app.client.post(url).bearer_auth(&doctor).json(&note)
    });

    let glass = json!({"patient": patient_id, "reason": "Пациент без сознания, нужен анамнез"});
    for at in ["/patient", "/reason"] {
        fuzz.field(&format!("break-glass {at}"), any_text(), |text| {
            fuzz.post(
                Some(&doctor),
                "/api/break-glass",
                with(&glass, at, json!(text)),
            )
        });
    }

    let admin = app.login_demo("admin.almaty@demo.telemed.kz").await;
    let schedule = json!({"weekly": [{"weekday": 1, "start": "09:00", "end": "13:00"}],
        "days_off": [{"date": "2026-12-16", "reason": "День Независимости"}]});
    let cardio: Value = app
        .get("/api/practitioners?specialty=cardiology")
        .await
        .json()
        .await
        .unwrap();
    let cardio = cardio[0]["id"].as_str().unwrap().to_owned();
    fuzz.field("schedule /days_off/0/date", any_day(), |day| {
        app.client
            .put(app.at(&format!("/api/practitioners/{cardio}/schedule")))
            .bearer_auth(&admin)
            .json(&with(&schedule, "/days_off/0/date", json!(day)))
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fuzzed_search_and_path_ids_never_5xx() {
    let app = TestApp::with_demo().await;
    let patient = app.login_demo(PATIENT).await;
    let fuzz = Fuzz::new(&app);
    fuzz.field("icd10 q", any_text(), |q| {
        app.client.get(app.at("/api/icd10")).query(&[("q", q)])
    });
    for param in ["specialty", "organization"] {
        fuzz.field(&format!("practitioners {param}"), any_text(), |v| {
            app.client
                .get(app.at("/api/practitioners"))
                .query(&[(param, v)])
        });
    }
    for base in [
        "/api/consultations/",
        "/api/councils/",
        "/api/records/",
        "/api/organizations/",
        "/api/practitioners/",
    ] {
        fuzz.field(&format!("path id {base}"), any_text(), |id| {
            fuzz.get_segment(&patient, base, &id)
        });
    }
}
