//! Who takes part: at least three doctors (art. 2.6), consultants named or assigned by specialty
//! (art. 20), by a named organisation's schedule (art. 22) or its simple queue (art. 23), from
//! lists the organisation's head keeps (art. 24); the patient's agreement (art. 20) and the
//! notices (art. 25).

use std::collections::HashMap;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::*;
use crate::support::assert_error;

#[tokio::test]
async fn art_2_6_a_council_of_fewer_than_three_doctors_is_refused() {
    let k = Councils::new().await;
    let cardio = k.practitioner(&k.almaty, "cardiology").await;
    let res = k
        .request(&k.therapist, json!({"consultants": [cardio]}))
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "council_too_small").await;
    let res = k
        .request(&k.therapist, json!({"specialties": ["neurology"]}))
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "council_too_small").await;
    let res = k.request(&k.therapist, json!({})).await;
    assert_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "consultants_or_specialties",
    )
    .await;
    // Nothing was created, and the queues did not move.
    let list: Value = k
        .app
        .get_as(&k.therapist, "/api/councils")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list, json!([]));
    // The initiator does not count twice.
    let me = k.practitioner(&k.almaty, "therapy").await;
    let res = k
        .request(&k.therapist, json!({"consultants": [me, cardio]}))
        .await;
    assert_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "initiator_not_consultant",
    )
    .await;
    let res = k
        .request(&k.therapist, json!({"consultants": [cardio, cardio]}))
        .await;
    assert_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "duplicate_consultant",
    )
    .await;
    // Only a doctor who treats the patient asks for a council.
    let res = k
        .request(
            &k.patient,
            json!({"specialties": ["neurology", "cardiology"]}),
        )
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "no_care_relationship").await;
}

#[tokio::test]
async fn art_20_named_consultants_are_invited_and_other_specialties_assigned() {
    let k = Councils::new().await;
    let cardio = k.practitioner(&k.almaty, "cardiology").await;
    let pulmo = k.practitioner(&k.aqtobe, "pulmonology").await;
    // Cardiology is covered by the named cardiologist: only pulmonology is assigned.
    let view = k
        .created(json!({"consultants": [cardio], "specialties": ["cardiology", "pulmonology"]}))
        .await;
    assert_eq!(view["status"], "assembling");
    assert_eq!(view["my_role"], "initiator");
    let m = members(&view);
    assert_eq!(m.len(), 2, "{m:?}");
    assert_eq!(m[0], (cardio, "named".into(), "invited".into()));
    assert_eq!(m[1], (pulmo, "round_robin".into(), "invited".into()));
    assert_eq!(view["members"][1]["specialty"], "pulmonology");
    assert_eq!(view["members"][1]["organization"]["id"], k.aqtobe.as_str());
    assert!(view["consultation_id"].is_string());
    // The consultants see it; another doctor does not (and the refusal is audited).
    let pulmo_token = k.app.login_demo(PULMO).await;
    let id = view["id"].as_str().unwrap();
    assert_eq!(k.view(&pulmo_token, id).await["my_role"], "consultant");
    assert_eq!(k.view(&k.patient, id).await["my_role"], "patient");
    let outsider = k.app.login_demo("gastro@demo.telemed.kz").await;
    let res = k
        .app
        .get_as(&outsider, &format!("/api/councils/{id}"))
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn art_20_several_organisations_each_send_a_consultant_of_the_specialty() {
    let k = Councils::new().await;
    let view = k
        .created(
            json!({"mode": "realtime", "scheduled_at": wednesday_morning(),
            "specialties": ["cardiology"], "organizations": [k.almaty, k.aqtobe]}),
        )
        .await;
    let mut orgs: Vec<&str> = view["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["organization"]["id"].as_str().unwrap())
        .collect();
    orgs.sort();
    let mut expected = [k.almaty.as_str(), k.aqtobe.as_str()];
    expected.sort();
    assert_eq!(orgs, expected);
    assert!(
        view["members"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["source"] == "schedule")
    );
    // An organisation with no doctor of the specialty cannot take part.
    let res = k
        .request(
            &k.therapist,
            json!({"specialties": ["pulmonology", "neurology"],
            "organizations": [k.almaty, k.aqtobe]}),
        )
        .await;
    // Neurology is in Almaty, pulmonology in Aqtobe: both organisations send someone.
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = k
        .request(
            &k.therapist,
            json!({"specialties": ["radiology", "pulmonology"],
            "organizations": [k.almaty]}),
        )
        .await;
    assert_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no_consultant_available",
    )
    .await;
}

#[tokio::test]
async fn art_20_on_the_doctors_own_initiative_the_council_waits_for_the_patients_agreement() {
    let k = Councils::new().await;
    let view = k
        .created(json!({"initiative": "own", "specialties": ["cardiology", "neurology"]}))
        .await;
    let id = view["id"].as_str().unwrap();
    assert_eq!(view["status"], "awaiting_agreement");
    let cardio = k.app.login_demo(CARDIO).await;
    let res = k
        .post(&cardio, &format!("/api/councils/{id}/accept"), &json!({}))
        .await;
    assert_error(res, StatusCode::CONFLICT, "awaiting_agreement").await;
    // Only the patient's side agrees.
    let res = k
        .post(
            &k.therapist,
            &format!("/api/councils/{id}/agree"),
            &json!({}),
        )
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let agreed = Councils::ok(
        k.post(&k.patient, &format!("/api/councils/{id}/agree"), &json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(agreed["status"], "assembling");
    assert!(agreed["patient_agreed_at"].is_string());
    let res = k
        .post(&k.patient, &format!("/api/councils/{id}/agree"), &json!({}))
        .await;
    assert_error(res, StatusCode::CONFLICT, "agreement_not_needed").await;
    let subjects: Vec<String> = k.outbox().into_iter().map(|m| m.subject).collect();
    assert!(
        subjects
            .iter()
            .any(|s| s.starts_with("Требуется ваше согласие на консилиум")),
        "{subjects:?}"
    );
    assert!(
        subjects
            .iter()
            .any(|s| s.starts_with("Запланирован плановый консилиум")),
        "{subjects:?}"
    );
}

#[tokio::test]
async fn art_22_a_named_organisation_assigns_whom_its_schedule_has_available() {
    let k = Councils::new().await;
    let admin = k.app.login_demo("admin.aqtobe@demo.telemed.kz").await;
    // An afternoon cardiologist beside the demo one, who works 09:00–13:00.
    let morning = k.practitioner(&k.aqtobe, "cardiology").await;
    let afternoon = k
        .add_doctor(&admin, &k.aqtobe, 31, "cardiology", ("14:00", "18:00"))
        .await;
    let named = |at: chrono::DateTime<Utc>| {
        json!({"mode": "realtime", "scheduled_at": at, "specialties": ["cardiology", "neurology"],
            "organizations": [k.aqtobe, k.almaty]})
    };
    // 11:00 in Aqtobe: the morning cardiologist.
    let view = k.created(named(wednesday_morning())).await;
    let aqtobe: Vec<&Value> = view["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["organization"]["id"] == k.aqtobe.as_str())
        .collect();
    assert_eq!(aqtobe.len(), 1);
    assert_eq!(aqtobe[0]["practitioner_id"], morning.as_str());
    assert_eq!(aqtobe[0]["source"], "schedule");
    // 16:00 in Aqtobe: the afternoon one. (Almaty's neurologist works afternoons on Wednesday.)
    let afternoon_at = wednesday_morning() + chrono::Duration::hours(5);
    let res = k
        .request(
            &k.therapist,
            json!({"mode": "realtime", "scheduled_at": afternoon_at,
            "specialties": ["cardiology"], "organizations": [k.aqtobe]}),
        )
        .await;
    // Alone with the initiator the assignment is too small, so name a neurologist too.
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "council_too_small").await;
    let neuro = k.practitioner(&k.almaty, "neurology").await;
    let view = k
        .created(
            json!({"mode": "realtime", "scheduled_at": afternoon_at, "consultants": [neuro],
            "specialties": ["cardiology"], "organizations": [k.aqtobe]}),
        )
        .await;
    let by_schedule = view["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["source"] == "schedule")
        .unwrap();
    assert_eq!(by_schedule["practitioner_id"], afternoon.as_str());
    // 21:00 in Aqtobe nobody of cardiology works.
    let night = wednesday_morning() + chrono::Duration::hours(10);
    let res = k
        .request(
            &k.therapist,
            json!({"mode": "realtime", "scheduled_at": night, "consultants": [neuro],
            "specialties": ["cardiology"], "organizations": [k.aqtobe]}),
        )
        .await;
    assert_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no_consultant_available",
    )
    .await;
}

/// Three Almaty cardiologists on the organisation's list, in this order.
async fn three_cardiologists(k: &Councils) -> Vec<String> {
    let admin = k.app.login_demo(ADMIN_ALMATY).await;
    let first = k.practitioner(&k.almaty, "cardiology").await;
    let second = k
        .add_doctor(&admin, &k.almaty, 41, "cardiology", ("09:00", "18:00"))
        .await;
    let third = k
        .add_doctor(&admin, &k.almaty, 42, "cardiology", ("09:00", "18:00"))
        .await;
    let list = vec![third, first, second];
    let res = k
        .send(
            Method::PUT,
            &admin,
            &format!(
                "/api/organizations/{}/consultant-lists/cardiology",
                k.almaty
            ),
            &json!({"practitioner_ids": list}),
        )
        .await;
    let saved = Councils::ok(res, StatusCode::OK).await;
    assert_eq!(saved["practitioners"][0]["id"], list[0].as_str());
    assert_eq!(saved["practitioners"][2]["position"], 3);
    list
}

#[tokio::test]
async fn art_23_thirty_requests_in_parallel_spread_evenly_over_three_consultants() {
    let k = Councils::new().await;
    let list = three_cardiologists(&k).await;
    let requests = (0..30).map(|_| {
        k.request(
            &k.therapist,
            json!({"specialties": ["cardiology", "neurology"]}),
        )
    });
    let mut spread: HashMap<String, usize> = HashMap::new();
    for res in futures_util::future::join_all(requests).await {
        let view = Councils::ok(res, StatusCode::CREATED).await;
        let cardio: Vec<&Value> = view["members"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["specialty"] == "cardiology")
            .collect();
        assert_eq!(cardio.len(), 1);
        assert_eq!(cardio[0]["source"], "round_robin");
        *spread
            .entry(cardio[0]["practitioner_id"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    for p in &list {
        assert_eq!(spread.get(p), Some(&10), "{spread:?}");
    }
}

#[tokio::test]
async fn art_23_the_queue_follows_the_list_and_a_consultant_who_declines_is_replaced_by_the_next() {
    let k = Councils::new().await;
    let list = three_cardiologists(&k).await;
    let view = k
        .created(json!({"specialties": ["cardiology", "neurology"]}))
        .await;
    let first = view["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["specialty"] == "cardiology")
        .unwrap()
        .clone();
    assert_eq!(
        first["practitioner_id"],
        list[0].as_str(),
        "the list's first has the first turn"
    );
    // The list's first is doctor 42; they decline with a reason.
    let token = k
        .app
        .login("doctor42@clinic.kz", "initial password 1")
        .await;
    let id = view["id"].as_str().unwrap();
    let res = k
        .post(
            &token,
            &format!("/api/councils/{id}/decline"),
            &json!({"reason": ""}),
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "reason_required").await;
    let after = Councils::ok(
        k.post(
            &token,
            &format!("/api/councils/{id}/decline"),
            &json!({"reason": "В отпуске"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(after["my_role"], "consultant");
    let m = members(&after);
    assert_eq!(m.len(), 3, "{m:?}");
    assert!(
        m.contains(&(list[0].clone(), "round_robin".into(), "declined".into())),
        "{m:?}"
    );
    assert!(
        m.contains(&(list[1].clone(), "round_robin".into(), "invited".into())),
        "{m:?}"
    );
    let declined = after["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["status"] == "declined")
        .unwrap();
    assert_eq!(declined["decline_reason"], "В отпуске");
    // Having declined, they no longer see the council.
    let res = k.app.get_as(&token, &format!("/api/councils/{id}")).await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    // The next request's turn went on after the replacement.
    let next = k
        .created(json!({"specialties": ["cardiology", "neurology"]}))
        .await;
    let cardio = next["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["specialty"] == "cardiology")
        .unwrap()["practitioner_id"]
        .clone();
    assert_eq!(cardio, list[2].as_str());
}

#[tokio::test]
async fn art_24_only_the_organisations_administrator_keeps_its_consultant_lists() {
    let k = Councils::new().await;
    let path = format!(
        "/api/organizations/{}/consultant-lists/cardiology",
        k.almaty
    );
    let cardio = k.practitioner(&k.almaty, "cardiology").await;
    let neuro = k.practitioner(&k.almaty, "neurology").await;
    let body = json!({"practitioner_ids": [cardio]});
    let res = k.send(Method::PUT, &k.therapist, &path, &body).await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let other_admin = k.app.login_demo("admin.aqtobe@demo.telemed.kz").await;
    let res = k.send(Method::PUT, &other_admin, &path, &body).await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let admin = k.app.login_demo(ADMIN_ALMATY).await;
    let res = k
        .send(
            Method::PUT,
            &admin,
            &path,
            &json!({"practitioner_ids": [neuro]}),
        )
        .await;
    assert_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "practitioner_lacks_specialty",
    )
    .await;
    let aqtobe_cardio = k.practitioner(&k.aqtobe, "cardiology").await;
    let res = k
        .send(
            Method::PUT,
            &admin,
            &path,
            &json!({"practitioner_ids": [aqtobe_cardio]}),
        )
        .await;
    assert_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "practitioner_not_in_organization",
    )
    .await;
    let res = k
        .send(
            Method::PUT,
            &admin,
            &path,
            &json!({"practitioner_ids": [cardio, cardio]}),
        )
        .await;
    assert_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "duplicate_practitioner",
    )
    .await;
    // The demo seeds a list per profile.
    let lists: Value = k
        .app
        .get_as(
            &admin,
            &format!("/api/organizations/{}/consultant-lists", k.almaty),
        )
        .await
        .json()
        .await
        .unwrap();
    let cardiology = lists
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["specialty"] == "cardiology")
        .unwrap();
    assert_eq!(cardiology["practitioners"][0]["id"], cardio.as_str());
}

#[tokio::test]
async fn art_25_the_patient_and_each_consultant_are_told_and_reminded_before_a_realtime_council() {
    let k = Councils::new().await;
    let view = k
        .created(
            json!({"mode": "realtime", "urgency": "urgent", "scheduled_at": wednesday_morning(),
            "specialties": ["cardiology", "neurology"]}),
        )
        .await;
    let outbox = k.outbox();
    let to = |email: &str| -> Vec<&telemed::db::models::OutboxRow> {
        outbox.iter().filter(|m| m.recipient == email).collect()
    };
    let patient = to(PATIENT);
    let planned = patient
        .iter()
        .find(|m| m.subject.starts_with("Запланирован неотложный консилиум"))
        .expect("the patient is told of the urgent council");
    assert!(
        planned.body.contains("25.11.2026 11:00 (Asia/Almaty)"),
        "{}",
        planned.body
    );
    assert!(
        planned
            .body
            .contains(&format!("/#/councils/{}", view["id"].as_str().unwrap()))
    );
    assert!(
        !planned.body.contains("Тактика ведения"),
        "no medical content in mail"
    );
    for email in [CARDIO, NEURO] {
        let mail = to(email);
        assert!(
            mail.iter()
                .any(|m| m.subject.starts_with("Вы назначены консультантом")),
            "{email}"
        );
        // Reminders 24 h and 1 h before, due then.
        let due: Vec<_> = mail
            .iter()
            .filter(|m| m.subject.starts_with("Консилиум через"))
            .map(|m| m.due_at)
            .collect();
        assert_eq!(due.len(), 2, "{email}");
        assert!(due.contains(&(wednesday_morning() - chrono::Duration::hours(1)).naive_utc()));
    }
    assert_eq!(
        patient
            .iter()
            .filter(|m| m.subject.starts_with("Консилиум через"))
            .count(),
        2
    );
}

#[tokio::test]
async fn art_20_the_patient_may_refuse_a_council_and_the_initiator_may_call_one_off() {
    let k = Councils::new().await;
    let own = k
        .created(
            json!({"initiative": "own", "mode": "realtime", "scheduled_at": wednesday_morning(),
            "specialties": ["cardiology", "neurology"]}),
        )
        .await;
    let id = own["id"].as_str().unwrap();
    let cardio = k.app.login_demo(CARDIO).await;
    let res = k
        .post(
            &cardio,
            &format!("/api/councils/{id}/cancel"),
            &json!({"reason": "x"}),
        )
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let refused = Councils::ok(
        k.post(
            &k.patient,
            &format!("/api/councils/{id}/cancel"),
            &json!({"reason": "Не согласен"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(refused["status"], "cancelled");
    assert_eq!(refused["cancel_reason"], "Не согласен");
    let consultation: Value = k
        .app
        .get_as(
            &k.patient,
            &format!(
                "/api/consultations/{}",
                own["consultation_id"].as_str().unwrap()
            ),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(consultation["status"], "cancelled");
    let res = k
        .post(
            &k.therapist,
            &format!("/api/councils/{id}/cancel"),
            &json!({"reason": "x"}),
        )
        .await;
    assert_error(res, StatusCode::CONFLICT, "council_closed").await;

    // A council going ahead: the initiator calls it off and the reminders not yet sent are
    // withdrawn (the patient may refuse it too: refusal.rs).
    let planned = k
        .created(json!({"mode": "realtime", "scheduled_at": wednesday_morning(), "specialties": ["cardiology", "neurology"]}))
        .await;
    let id = planned["id"].as_str().unwrap();
    Councils::ok(
        k.post(
            &k.therapist,
            &format!("/api/councils/{id}/cancel"),
            &json!({"reason": "Пациент госпитализирован"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let pending_reminders = k
        .outbox()
        .into_iter()
        .filter(|m| {
            m.dedupe_key.starts_with(&format!("council:{id}:reminder:")) && m.status == "pending"
        })
        .count();
    assert_eq!(pending_reminders, 0);
}
