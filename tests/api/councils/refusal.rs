//! A council is one thing to the patient (art. 20, 25): their list of consultations does not
//! show it a second time as the consultation it works in, and refused on its own page or
//! cancelled through that consultation, it ends everywhere with everyone told by mail.

use reqwest::StatusCode;
use serde_json::{Value, json};
use telemed::db::models::OutboxRow;

use super::{Councils, THERAPIST, wednesday_morning};
use crate::support::assert_error;

/// A real-time council going ahead (the patient's initiative), with its consultants invited.
async fn going_ahead(k: &Councils) -> Value {
    let council = k
        .created(
            json!({"mode": "realtime", "scheduled_at": wednesday_morning(),
            "specialties": ["cardiology", "neurology"]}),
        )
        .await;
    assert_eq!(council["status"], "assembling");
    council
}

/// The users told that `council` was cancelled, by the user id in each letter's key.
fn told_of_cancel(k: &Councils, council: &str) -> Vec<OutboxRow> {
    let prefix = format!("council:{council}:cancelled:");
    k.outbox()
        .into_iter()
        .filter(|m| m.dedupe_key.starts_with(&prefix))
        .collect()
}

/// Everyone is told: the patient, the initiator, each consultant; no letter carries the reason.
async fn assert_everyone_told(k: &Councils, council: &Value, reason: &str) {
    let id = council["id"].as_str().unwrap();
    let letters = told_of_cancel(k, id);
    let told: Vec<&str> = letters
        .iter()
        .map(|m| m.dedupe_key.rsplit(':').next().unwrap())
        .collect();
    let mut expected = vec![
        k.patient_id.clone(),
        council["initiator"]["id"].as_str().unwrap().to_owned(),
    ];
    for m in council["members"].as_array().unwrap() {
        expected.push(m["user"]["id"].as_str().unwrap().to_owned());
    }
    assert!(expected.len() >= 4, "two consultants at least: {council}");
    for user in &expected {
        assert!(told.contains(&user.as_str()), "{user} not told: {told:?}");
    }
    for m in &letters {
        assert!(m.subject.contains("отменён"), "{}", m.subject);
        assert!(!m.body.contains(reason), "{}", m.body);
        assert!(m.body.contains(&format!("/#/councils/{id}")), "{}", m.body);
    }
    let initiator = letters
        .iter()
        .find(|m| m.recipient == THERAPIST)
        .expect("the initiator is told");
    assert!(
        initiator
            .subject
            .starts_with("Созванный вами консилиум отменён"),
        "{}",
        initiator.subject
    );
    let pending_reminders = k
        .outbox()
        .into_iter()
        .filter(|m| {
            m.dedupe_key.starts_with(&format!("council:{id}:reminder:")) && m.status == "pending"
        })
        .count();
    assert_eq!(
        pending_reminders, 0,
        "no reminders for a council that is off"
    );
}

#[tokio::test]
async fn art_20_cancelling_a_councils_consultation_ends_the_council_and_tells_everyone() {
    let k = Councils::new().await;
    let council = going_ahead(&k).await;
    let (id, consultation) = (
        council["id"].as_str().unwrap(),
        council["consultation_id"].as_str().unwrap(),
    );

    // The patient's list shows the council once, as the council.
    let mine: Value = k
        .app
        .get_as(&k.patient, "/api/consultations")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        mine.as_array()
            .unwrap()
            .iter()
            .all(|c| c["id"] != consultation),
        "the council's consultation is listed as a plain consultation: {mine}"
    );
    let councils: Value = k
        .app
        .get_as(&k.patient, "/api/councils")
        .await
        .json()
        .await
        .unwrap();
    assert!(councils.as_array().unwrap().iter().any(|c| c["id"] == id));
    // Its consultation says whose it is, and is moved only as the council.
    let seen = Councils::ok(
        k.app
            .get_as(&k.patient, &format!("/api/consultations/{consultation}"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(seen["council_id"], id);
    let res = k
        .post(
            &k.therapist,
            &format!("/api/consultations/{consultation}/reschedule"),
            &json!({"slot_start": "2026-11-25T07:00:00Z", "reason_code": "other", "reason_text": "Иначе"}),
        )
        .await;
    assert_error(res, StatusCode::CONFLICT, "council_consultation").await;

    let reason = "Лечусь в другой клинике";
    let cancelled = Councils::ok(
        k.post(
            &k.patient,
            &format!("/api/consultations/{consultation}/cancel"),
            &json!({"reason_code": "patient_request", "reason_text": reason}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(cancelled["status"], "cancelled");
    let after = k.view(&k.therapist, id).await;
    assert_eq!(
        after["status"], "cancelled",
        "the council is left going: {after}"
    );
    assert_eq!(after["cancel_reason"], reason);
    assert_everyone_told(&k, &after, reason).await;
    // The consultation's own letters would tell the patient and the initiator twice.
    assert!(
        !k.outbox().iter().any(|m| m
            .dedupe_key
            .starts_with(&format!("cancelled:{consultation}:"))),
        "the council's letters tell everyone once"
    );
}

#[tokio::test]
async fn art_20_the_patient_refuses_a_council_already_going_ahead_from_its_page() {
    let k = Councils::new().await;
    let council = going_ahead(&k).await;
    let id = council["id"].as_str().unwrap();
    let reason = "Не хочу, чтобы мой случай обсуждали";
    let refused = Councils::ok(
        k.post(
            &k.patient,
            &format!("/api/councils/{id}/cancel"),
            &json!({"reason": reason}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(refused["status"], "cancelled");
    let consultation: Value = k
        .app
        .get_as(
            &k.patient,
            &format!(
                "/api/consultations/{}",
                council["consultation_id"].as_str().unwrap()
            ),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(consultation["status"], "cancelled");
    let history = consultation["history"].as_array().unwrap();
    let event = history.iter().find(|e| e["kind"] == "cancelled").unwrap();
    assert_eq!(event["details"]["by"], "patient");
    assert_eq!(event["details"]["council"], id);
    assert_everyone_told(&k, &refused, reason).await;
    let to_patient = told_of_cancel(&k, id)
        .into_iter()
        .find(|m| m.recipient == super::PATIENT)
        .expect("the patient is told");
    assert!(
        to_patient.body.contains("Кто отменил: пациент"),
        "{}",
        to_patient.body
    );

    // Over is over: neither side can cancel it again.
    let res = k
        .post(
            &k.therapist,
            &format!("/api/councils/{id}/cancel"),
            &json!({"reason": "x"}),
        )
        .await;
    assert_error(res, StatusCode::CONFLICT, "council_closed").await;
}
