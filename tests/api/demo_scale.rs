//! `telemed demo --scale N` on the test database: the proportions N implies, every state the
//! services know, data as consistent as the services would have left it (slots, consent,
//! deferred requests, drafts), an intact audit chain, and scale accounts that sign in and list
//! their consultations through the API.

use std::collections::HashSet;

use diesel::dsl::count_star;
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::Value;
use telemed::audit::{self, Verification};
use telemed::db::schema::{
    consultations, councils, deferred_requests, e_documents, medical_records, users,
};
use telemed::domain::iin::Iin;
use telemed::services::demo_scale::{self, Counts, EMAIL_DOMAIN, Options, Outcome};

use crate::support::TestApp;

const N: u32 = 300;

fn scale_users(conn: &mut telemed::db::DbConnection, role: &str) -> Vec<(String, String)> {
    users::table
        .filter(users::email.like(format!("%@{EMAIL_DOMAIN}")))
        .filter(users::role.eq(role))
        .select((users::id, users::iin))
        .load(conn)
        .unwrap()
}

#[tokio::test]
async fn scale_demo_data_is_consistent_complete_and_usable() {
    let app = TestApp::with_demo().await;
    let mut conn = app.context.db.get().unwrap();
    let before: i64 = consultations::table.count().get_result(&mut conn).unwrap();
    let options = Options {
        consultations: N,
        seed: 7,
    };
    let Outcome::Loaded { rows, .. } = demo_scale::load(&app.context, options).await.unwrap()
    else {
        panic!("the first run loads");
    };
    let counts = Counts::for_consultations(N).unwrap();

    // N is the number of consultations added; the people follow in proportion.
    let after: i64 = consultations::table.count().get_result(&mut conn).unwrap();
    assert_eq!(after - before, i64::from(N));
    assert_eq!(rows["consultations"], u64::from(N));
    let patients = scale_users(&mut conn, "patient");
    assert_eq!(patients.len(), counts.patients as usize);
    assert_eq!(
        scale_users(&mut conn, "doctor").len(),
        counts.doctors as usize
    );
    assert_eq!(
        scale_users(&mut conn, "representative").len(),
        counts.representatives as usize
    );
    let n_councils: i64 = councils::table.count().get_result(&mut conn).unwrap();
    assert_eq!(n_councils, i64::from(counts.councils));
    let n_requests: i64 = deferred_requests::table
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(n_requests, i64::from(counts.deferred));
    let mut iins = HashSet::new();
    for (_, iin) in &patients {
        assert!(Iin::parse(iin).is_ok(), "valid IIN {iin}");
        assert!(iins.insert(iin.clone()));
    }

    // Every state a consultation can be in.
    let statuses: Vec<(String, i64)> = consultations::table
        .group_by(consultations::status)
        .select((consultations::status, count_star()))
        .load(&mut conn)
        .unwrap();
    for status in [
        "awaiting_agreement",
        "booked",
        "in_progress",
        "completed",
        "cancelled",
        "declined",
    ] {
        assert!(
            statuses.iter().any(|(s, n)| s == status && *n > 0),
            "{status} in {statuses:?}"
        );
    }

    // The database's rule holds: one live booking per practitioner and slot.
    let doubles: Vec<(Option<String>, Option<chrono::NaiveDateTime>, i64)> = consultations::table
        .filter(consultations::status.ne("cancelled"))
        .filter(consultations::slot_start.is_not_null())
        .group_by((consultations::practitioner_id, consultations::slot_start))
        .having(count_star().gt(1))
        .select((
            consultations::practitioner_id,
            consultations::slot_start,
            count_star(),
        ))
        .load(&mut conn)
        .unwrap();
    assert!(doubles.is_empty(), "double bookings: {doubles:?}");

    // Held consultations have their span and a draft record; nothing is signed.
    let held: Vec<(String, Option<chrono::NaiveDateTime>, Option<String>)> = consultations::table
        .filter(consultations::status.eq("completed"))
        .select((
            consultations::id,
            consultations::ended_at,
            consultations::held_by,
        ))
        .load(&mut conn)
        .unwrap();
    assert!(
        held.iter()
            .all(|(_, end, by)| end.is_some() && by.is_some())
    );
    let drafted: HashSet<Option<String>> = medical_records::table
        .select(medical_records::consultation_id)
        .load(&mut conn)
        .unwrap()
        .into_iter()
        .collect();
    assert!(
        held.iter()
            .all(|(id, ..)| drafted.contains(&Some(id.clone())))
    );
    let signed: i64 = medical_records::table
        .filter(medical_records::signature.is_not_null())
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(signed, 0);

    // Every deferred consultation but a council's has its request row.
    let unexplained: i64 = consultations::table
        .filter(consultations::mode.eq("deferred"))
        .filter(diesel::dsl::not(consultations::id.eq_any(
            deferred_requests::table.select(deferred_requests::consultation_id),
        )))
        .filter(diesel::dsl::not(consultations::id.eq_any(
            councils::table.select(councils::consultation_id.assume_not_null()),
        )))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(unexplained, 0);

    // Art. 33.1: whoever booked with an organisation had accepted its offer.
    let pairs: Vec<(String, String)> = consultations::table
        .filter(
            consultations::patient_id
                .eq_any(patients.iter().map(|p| p.0.clone()).collect::<Vec<_>>()),
        )
        .filter(diesel::dsl::not(consultations::id.eq_any(
            councils::table.select(councils::consultation_id.assume_not_null()),
        )))
        .select((consultations::organization_id, consultations::patient_id))
        .distinct()
        .load(&mut conn)
        .unwrap();
    assert!(!pairs.is_empty());
    for (org, patient) in &pairs {
        assert!(
            telemed::services::consent::is_valid(&mut conn, org, patient).unwrap(),
            "consent of {patient} at {org}"
        );
    }
    let cancellations: i64 = e_documents::table
        .filter(e_documents::kind.eq("cancellation"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert!(cancellations > 0);

    // The audit rows went through the chain.
    match audit::verify_configured(&mut conn, &app.context.settings.audit).unwrap() {
        Verification::Intact { rows } => assert!(rows >= N as usize, "{rows} audit rows"),
        broken => panic!("{broken:?}"),
    }

    // A second run adds nothing.
    let again = demo_scale::load(&app.context, options).await.unwrap();
    assert!(matches!(again, Outcome::AlreadyPresent { .. }), "{again:?}");
    let still: i64 = consultations::table.count().get_result(&mut conn).unwrap();
    assert_eq!(still, after);

    // A scale patient signs in with the demo password and sees their consultations.
    let (patient, _) = patients
        .iter()
        .max_by_key(|(id, _)| {
            consultations::table
                .filter(consultations::patient_id.eq(id))
                .count()
                .get_result::<i64>(&mut conn)
                .unwrap()
        })
        .unwrap()
        .clone();
    let email: String = users::table
        .find(&patient)
        .select(users::email)
        .first(&mut conn)
        .unwrap();
    let expected: HashSet<String> = consultations::table
        .filter(consultations::patient_id.eq(&patient))
        .filter(diesel::dsl::not(consultations::id.eq_any(
            councils::table.select(councils::consultation_id.assume_not_null()),
        )))
        .select(consultations::id)
        .load(&mut conn)
        .unwrap()
        .into_iter()
        .collect();
    drop(conn);
    let token = app.login_demo(&email).await;
    let res = app.get_as(&token, "/api/consultations?limit=200").await;
    assert_eq!(res.status(), StatusCode::OK);
    let listed: Value = res.json().await.unwrap();
    let listed: HashSet<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(listed, expected);

    // The demo organisation's staff see the bulk of it in their queue.
    let admin = app.login_demo("admin.almaty@demo.telemed.kz").await;
    let res = app.get_as(&admin, "/api/queue?limit=200").await;
    assert_eq!(res.status(), StatusCode::OK);
    let queue: Value = res.json().await.unwrap();
    assert!(queue.as_array().unwrap().len() > 10, "{queue}");
}

/// What a run of `n` made, independent of the demo set's random ids: the scale accounts and
/// the consultations with their states and times.
fn fingerprint(app: &TestApp) -> (Vec<(String, String, String)>, Vec<ConsultationKey>) {
    let mut conn = app.context.db.get().unwrap();
    let people = users::table
        .filter(users::email.like(format!("%@{EMAIL_DOMAIN}")))
        .order(users::email)
        .select((users::email, users::full_name, users::iin))
        .load(&mut conn)
        .unwrap();
    let scale_ids = users::table
        .filter(users::email.like(format!("%@{EMAIL_DOMAIN}")))
        .select(users::id);
    let consultations = consultations::table
        .filter(consultations::patient_id.eq_any(scale_ids))
        .order(consultations::id)
        .select((
            consultations::id,
            consultations::status,
            consultations::slot_start,
            consultations::requested_at,
        ))
        .load(&mut conn)
        .unwrap();
    (people, consultations)
}

type ConsultationKey = (
    String,
    String,
    Option<chrono::NaiveDateTime>,
    chrono::NaiveDateTime,
);

#[tokio::test]
async fn the_same_scale_seed_and_time_give_the_same_data() {
    use std::sync::Arc;
    use telemed::clock::ManualClock;
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-23T10:17:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let options = Options {
        consultations: 100,
        seed: 11,
    };
    let mut prints = Vec::new();
    for _ in 0..2 {
        let app = TestApp::with_demo_on(Arc::new(ManualClock::at(at))).await;
        demo_scale::load(&app.context, options).await.unwrap();
        prints.push(fingerprint(&app));
    }
    assert_eq!(prints[0].1.len(), 100);
    assert_eq!(prints[0], prints[1]);
    let other = TestApp::with_demo_on(Arc::new(ManualClock::at(at))).await;
    let reseeded = Options {
        seed: 12,
        ..options
    };
    demo_scale::load(&other.context, reseeded).await.unwrap();
    assert_ne!(fingerprint(&other).0, prints[0].0);
}
