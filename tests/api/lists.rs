//! Lists cost the same number of SQL statements whatever the number of rows (issue 14): each
//! list request is counted (the `X-Db-Statements` answer header, from diesel's
//! instrumentation) with 10 rows and with 1,000, and the counts must be equal. Pages walk by
//! cursor without gaps or repeats.

use std::collections::HashSet;

use chrono::Duration;
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::Value;
use telemed::db::models::{ConsultationRow, DeferredRequestRow, UserRow};
use telemed::db::schema::{consultations, deferred_requests, users};

use crate::support::{TestApp, assert_error, book_first_slot};

/// Patients besides the one who booked, so a list names many people (each of whom the audit
/// log must record once).
fn add_patients(app: &TestApp, like: &str, from: usize, count: usize) -> Vec<String> {
    let mut conn = app.context.db.get().unwrap();
    let template: UserRow = users::table
        .find(like)
        .select(UserRow::as_select())
        .first(&mut conn)
        .unwrap();
    let rows: Vec<UserRow> = (from..from + count)
        .map(|i| {
            let mut row = template.clone();
            row.id = uuid::Uuid::new_v4().to_string();
            row.email = format!("{}@lists.test", row.id);
            row.iin = format!("99{i:010}");
            row.full_name = format!("Пациент {i}");
            row
        })
        .collect();
    telemed::insert_rows!(&mut *conn, users::table, &rows).unwrap();
    rows.into_iter().map(|r| r.id).collect()
}

/// Copies of the booked consultation: every other one a real-time booking a slot apart, the
/// rest deferred requests to the same organisation with a deadline and their request row. The
/// patient's own list keeps theirs; the staff's lists name a patient per 3 rows.
fn add_consultations(app: &TestApp, template: &ConsultationRow, from: usize, to: usize) {
    let others = add_patients(app, &template.patient_id, from, (to - from) / 3);
    let mut conn = app.context.db.get().unwrap();
    let mut rows = Vec::new();
    let mut requests = Vec::new();
    for i in from..to {
        let mut row = template.clone();
        let offset = i64::try_from(i).unwrap();
        if i % 3 == 1 {
            row.patient_id = others[(i - from) / 3 % others.len()].clone();
        }
        row.id = uuid::Uuid::new_v4().to_string();
        row.ics_uid = format!("{}@lists.test", row.id);
        row.created_at = template.created_at - Duration::minutes(offset);
        row.requested_at = row.created_at;
        if i % 2 == 0 {
            row.slot_start = template.slot_start.map(|s| s + Duration::hours(offset));
            row.slot_end = template.slot_end.map(|s| s + Duration::hours(offset));
        } else {
            row.mode = "deferred".into();
            row.practitioner_id = None;
            row.slot_start = None;
            row.slot_end = None;
            row.deadline_at = Some(template.created_at + Duration::hours(offset));
            requests.push(DeferredRequestRow {
                consultation_id: row.id.clone(),
                kind: "consultation".into(),
                study_profile: None,
                requester_id: row.patient_id.clone(),
                requester_org_id: None,
                paused_at: None,
                remaining_seconds: None,
                documents_note: None,
                decline_reason: None,
                conclusion_id: None,
                completion_reason: None,
                completed_at: None,
            });
        }
        rows.push(row);
    }
    for chunk in rows.chunks(500) {
        telemed::insert_rows!(&mut *conn, consultations::table, chunk).unwrap();
    }
    for chunk in requests.chunks(500) {
        telemed::insert_rows!(&mut *conn, deferred_requests::table, chunk).unwrap();
    }
}

/// The statements a GET sent, and the items it listed.
async fn counted(app: &TestApp, token: &str, path: &str) -> (u64, usize) {
    let res = app.get_as(token, path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    let statements = res
        .headers()
        .get("x-db-statements")
        .expect("statement counts are on in tests")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let body: Value = res.json().await.unwrap();
    (statements, body.as_array().unwrap().len())
}

#[tokio::test]
async fn every_consultation_list_costs_the_same_statements_at_10_and_1000_rows() {
    let app = TestApp::with_demo().await;
    let patient = app.login_demo("patient@demo.telemed.kz").await;
    let id = book_first_slot(&app, &patient, "therapy", "Asia/Almaty").await;
    let template: ConsultationRow = consultations::table
        .find(&id)
        .select(ConsultationRow::as_select())
        .first(&mut *app.context.db.get().unwrap())
        .unwrap();
    let admin = app.login_demo("admin.almaty@demo.telemed.kz").await;
    let therapist = app.login_demo("therapist@demo.telemed.kz").await;
    let lists = [
        (&patient, "/api/consultations?limit=200"),
        (&admin, "/api/consultations?limit=200"),
        (&admin, "/api/queue?limit=200"),
        (&therapist, "/api/consultations?limit=200"),
        (&therapist, "/api/queue?limit=200"),
    ];

    add_consultations(&app, &template, 1, 10);
    let mut at_ten = Vec::new();
    for (token, path) in lists {
        let (statements, items) = counted(&app, token, path).await;
        assert!(items >= 5, "{path} lists the rows: {items}");
        at_ten.push(statements);
    }
    add_consultations(&app, &template, 10, 1000);
    for ((token, path), ten) in lists.into_iter().zip(at_ten) {
        let (statements, items) = counted(&app, token, path).await;
        assert!(items >= 100, "{path} lists a full page: {items}");
        assert_eq!(
            statements, ten,
            "{path}: {ten} statements at 10 rows, {statements} at 1000"
        );
    }
}

#[tokio::test]
async fn pages_walk_the_whole_list_by_cursor_without_gaps_or_repeats() {
    let app = TestApp::with_demo().await;
    let patient = app.login_demo("patient@demo.telemed.kz").await;
    let id = book_first_slot(&app, &patient, "therapy", "Asia/Almaty").await;
    let template: ConsultationRow = consultations::table
        .find(&id)
        .select(ConsultationRow::as_select())
        .first(&mut *app.context.db.get().unwrap())
        .unwrap();
    add_consultations(&app, &template, 1, 125);
    let admin = app.login_demo("admin.almaty@demo.telemed.kz").await;

    for (token, list) in [(&patient, "/api/consultations"), (&admin, "/api/queue")] {
        let mut seen = HashSet::new();
        let mut order = Vec::new();
        let mut path = format!("{list}?limit=40");
        let mut pages = 0;
        loop {
            let res = app.get_as(token, &path).await;
            assert_eq!(res.status(), StatusCode::OK);
            let next = res
                .headers()
                .get("link")
                .map(|l| l.to_str().unwrap().to_owned());
            let items: Vec<Value> = res.json().await.unwrap();
            pages += 1;
            for item in items {
                assert!(
                    seen.insert(item["id"].as_str().unwrap().to_owned()),
                    "{list}: repeated"
                );
                order.push(item);
            }
            match next {
                Some(link) => {
                    let target = link.trim_start_matches('<').split('>').next().unwrap();
                    assert!(
                        target.starts_with(list) && target.contains("limit=40"),
                        "{link}"
                    );
                    path = target.to_owned();
                }
                None => break,
            }
        }
        // Everything one big page lists: several pages' worth.
        let whole: Vec<Value> = app
            .get_as(token, &format!("{list}?limit=200"))
            .await
            .json()
            .await
            .unwrap();
        assert!(seen.len() > 80, "{list}: {}", seen.len());
        assert_eq!(seen.len(), whole.len(), "{list}");
        assert_eq!(pages, seen.len().div_ceil(40), "{list}");
        if list == "/api/consultations" {
            // Newest first.
            let created: Vec<&str> = order
                .iter()
                .map(|c| c["requested_at"].as_str().unwrap())
                .collect();
            assert!(created.windows(2).all(|w| w[0] >= w[1]));
        } else {
            // Soonest due first: a real-time one by its slot, a deferred one by its deadline.
            let due: Vec<&str> = order
                .iter()
                .map(|c| {
                    let key = if c["mode"] == "realtime" {
                        "slot_start"
                    } else {
                        "deadline_at"
                    };
                    c[key].as_str().unwrap()
                })
                .collect();
            assert!(due.windows(2).all(|w| w[0] <= w[1]), "{due:?}");
        }
    }

    for bad in ["limit=0", "limit=201", "cursor=x", "cursor=1.2.3.4"] {
        let res = app
            .get_as(&patient, &format!("/api/consultations?{bad}"))
            .await;
        let code = if bad.starts_with("limit") {
            "invalid_limit"
        } else {
            "invalid_cursor"
        };
        assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, code).await;
    }
}

/// On SQLite the directory and free slots are read on a pool of their own: with every writing
/// connection taken and one of them holding the write lock (a burst of bookings), a patient
/// still finds doctors and slots at once instead of waiting for a connection.
#[tokio::test]
async fn sqlite_readers_never_wait_for_the_writers() {
    use diesel::connection::SimpleConnection;
    let app = TestApp::with_demo().await;
    if !matches!(app.context.db.backend(), telemed::db::Backend::Sqlite(_)) {
        return;
    }
    let mut held = Vec::new();
    while let Ok(conn) = app.context.db.get() {
        held.push(conn);
        if held.len() == 3 {
            break;
        }
    }
    held[0].batch_execute("BEGIN IMMEDIATE").unwrap();
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .unwrap();
    for path in [
        "/api/practitioners?specialty=cardiology",
        "/api/organizations",
        "/api/slots?specialty=cardiology",
    ] {
        let res = client
            .get(format!("{}{path}", app.url))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
    }
    held[0].batch_execute("ROLLBACK").unwrap();
}
