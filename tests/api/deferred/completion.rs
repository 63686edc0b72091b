//! Art. 21: the request is complete when the requester has the conclusion and was told, or a
//! referral was formed, or a prescription issued; each path records why and when, and the
//! e-mails carry a link, never the medical content.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Deferred, PATIENT, RADIOLOGIST, xray_conclusion};
use crate::support::{assert_error, book_first_slot};

async fn taken(s: &Deferred) -> (String, String) {
    let id = s.submitted().await;
    let radiologist = s.app.login_demo(RADIOLOGIST).await;
    let res = s
        .post(
            &radiologist,
            &format!("/api/consultations/{id}/take"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    (id, radiologist)
}

#[tokio::test]
async fn art_21_a_signed_conclusion_reaches_the_passport_and_completes_the_request() {
    let mut s = Deferred::new().await;
    let (id, radiologist) = taken(&s).await;
    // A draft completes nothing.
    let res = s
        .post(
            &radiologist,
            &format!("/api/patients/{}/records", s.patient_id),
            &json!({"kind": "conclusion", "consultation_id": id, "content": xray_conclusion()}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(s.view(&s.patient, &id).await["status"], "booked");

    let signed = s.conclude(&radiologist, &id, xray_conclusion()).await;
    assert_eq!(signed["status"], "signed");
    let view = s.view(&s.patient, &id).await;
    assert_eq!(view["status"], "completed");
    assert!(view["completed_at"].is_string());
    assert_eq!(
        view["deferred"]["completion_reasons"],
        json!(["conclusion_notified"])
    );
    assert_eq!(view["deferred"]["conclusion_id"], signed["id"]);
    assert!(
        view["history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "completed")
    );

    let passport: Value = s
        .app
        .get_as(&s.patient, "/api/me/health-passport")
        .await
        .json()
        .await
        .unwrap();
    let text = passport.to_string();
    assert!(
        text.contains("Z01.6") && text.contains("ПЕТРОВ АЛЕКСЕЙ"),
        "{text}"
    );

    let mail = s.outbox();
    let ready = mail
        .iter()
        .find(|m| m.recipient == PATIENT && m.subject.contains("заключение"))
        .expect("the patient is told");
    assert!(ready.body.contains(&format!("/#/consultations/{id}")));
    for medical in ["Z01.6", "Очаговых", "Плановое наблюдение"] {
        assert!(
            !ready.body.contains(medical),
            "{medical} must not leave by mail"
        );
    }
    // Completed is closed: no more documents requests or declines.
    let res = s
        .post(
            &radiologist,
            &format!("/api/consultations/{id}/decline"),
            &json!({"reason": "x"}),
        )
        .await;
    assert_error(res, StatusCode::CONFLICT, "consultation_closed").await;
}

#[tokio::test]
async fn art_21_a_conclusion_with_a_referral_counts_as_a_referral_formed() {
    let mut s = Deferred::new().await;
    let (id, radiologist) = taken(&s).await;
    let mut content = xray_conclusion();
    content["referral"] =
        json!({"studies": ["КТ органов грудной клетки"], "reason": "Уточнить тень в S6 справа"});
    s.conclude(&radiologist, &id, content).await;
    let view = s.view(&s.patient, &id).await;
    assert_eq!(view["status"], "completed");
    assert_eq!(
        view["deferred"]["completion_reasons"],
        json!(["conclusion_notified", "referral_formed"])
    );
}

#[tokio::test]
async fn art_21_a_prescription_issued_completes_the_request() {
    let mut s = Deferred::new().await;
    let (id, radiologist) = taken(&s).await;
    let prescription = json!({"items": [{"drug": "Амоксициллин", "dose": "500 мг", "frequency": "3 раза в день", "duration": "7 дней"}]});
    s.sign_record(&radiologist, &id, "prescription", prescription)
        .await;
    let view = s.view(&s.patient, &id).await;
    assert_eq!(view["status"], "completed");
    assert_eq!(
        view["deferred"]["completion_reasons"],
        json!(["prescription_issued"])
    );
    assert!(view["deferred"]["conclusion_id"].is_null());
}

#[tokio::test]
async fn a_treating_doctor_sends_a_request_elsewhere_and_their_organisation_hears_of_the_result() {
    let mut s = Deferred::new().await;
    // The Almaty cardiologist asks the Aqtobe centre for a second opinion on the X-ray.
    let cardiologist = s.app.login_demo("cardio@demo.telemed.kz").await;
    // Only the patient's treating doctor sends their documents elsewhere (art. 35).
    book_first_slot(&s.app, &s.patient, "cardiology", "Asia/Almaty").await;
    let res = s
        .xray_request(
            &cardiologist,
            json!({"patient_id": s.patient_id, "request_kind": "second_opinion",
            "study_profile": null, "reason": "Второе мнение по рентгенограмме"}),
        )
        .await;
    let view = Deferred::created(res).await;
    let id = view["id"].as_str().unwrap().to_owned();
    assert_eq!(
        view["deferred"]["requester"]["full_name"],
        "Ахметова Гульнара Сериковна"
    );
    assert_eq!(
        view["deferred"]["requester_organization"]["id"],
        s.almaty.as_str()
    );
    // The requesting doctor adds the study and marks the request complete.
    let res = s
        .upload(&cardiologist, &id, "chest.png", super::XRAY_PNG)
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = s
        .post(
            &cardiologist,
            &format!("/api/consultations/{id}/documents-complete"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let radiologist = s.app.login_demo(RADIOLOGIST).await;
    s.post(
        &radiologist,
        &format!("/api/consultations/{id}/take"),
        &json!({}),
    )
    .await;
    s.conclude(&radiologist, &id, xray_conclusion()).await;
    let mail = s.outbox();
    assert!(
        mail.iter()
            .any(|m| m.recipient == "info.almaty@demo.telemed.kz"
                && m.subject.contains("заключение")),
        "the requesting organisation is told"
    );
    assert!(
        mail.iter()
            .any(|m| m.recipient == "cardio@demo.telemed.kz" && m.subject.contains("заключение")),
        "the requesting doctor is told"
    );
    assert_eq!(s.view(&cardiologist, &id).await["status"], "completed");
}
