//! Art. 19, 26, 27: a deferred council's opinions, and its one conclusion — frozen into a
//! document every participant signs; final, and in the health passport, only when all have
//! signed; voided by any change after signing; refused to a wrong signer; blocked by dissent.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::*;
use crate::support::assert_error;

fn conclusion() -> Value {
    json!({"findings": "Состояние стабильное; показана коррекция антигипертензивной терапии.",
           "diagnoses": [{"icd10": "I10", "text": "Эссенциальная гипертензия"}],
           "recommendations": "Контроль АД, повторный осмотр через месяц"})
}

/// A deferred council of the therapist with the Almaty cardiologist and neurologist, both
/// accepted. Returns the council id and the consultants' tokens.
async fn accepted(k: &Councils) -> (String, Vec<String>) {
    let view = k
        .created(json!({"specialties": ["cardiology", "neurology"]}))
        .await;
    let tokens = k.accept_all(&view, &[CARDIO, NEURO]).await;
    (view["id"].as_str().unwrap().to_owned(), tokens)
}

async fn save(k: &Councils, token: &str, id: &str, content: Value) -> reqwest::Response {
    k.send(
        Method::PUT,
        token,
        &format!("/api/councils/{id}/conclusion"),
        &json!({"content": content}),
    )
    .await
}

async fn frozen(k: &Councils, id: &str) -> Value {
    Councils::ok(
        save(k, &k.therapist, id, conclusion()).await,
        StatusCode::OK,
    )
    .await;
    Councils::ok(
        k.post(
            &k.therapist,
            &format!("/api/councils/{id}/conclusion/freeze"),
            &json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await
}

fn statuses(view: &Value) -> Vec<String> {
    view["conclusion"]["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn art_26_in_a_deferred_council_each_consultant_adds_an_opinion() {
    let k = Councils::new().await;
    let (id, tokens) = accepted(&k).await;
    let path = format!("/api/councils/{id}/opinion");
    let res = k.post(&tokens[0], &path, &json!({"text": " "})).await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "opinion_required").await;
    let view = Councils::ok(
        k.post(
            &tokens[0],
            &path,
            &json!({"text": "Гипертрофия ЛЖ; рекомендую сменить терапию"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let mine = view["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["opinion"].is_string())
        .unwrap();
    assert_eq!(mine["specialty"], "cardiology");
    // The patient is not a consultant; neither is the initiator a member.
    let res = k.post(&k.patient, &path, &json!({"text": "x"})).await;
    assert_error(res, StatusCode::FORBIDDEN, "not_a_council_member").await;
}

#[tokio::test]
async fn art_27_the_conclusion_is_final_only_when_every_participant_has_signed() {
    let mut k = Councils::new().await;
    let (id, tokens) = accepted(&k).await;
    // Nobody signs a draft, and the patient reads nothing before it is final.
    Councils::ok(
        save(&k, &tokens[1], &id, conclusion()).await,
        StatusCode::OK,
    )
    .await;
    let res = k
        .app
        .get_as(
            &tokens[0],
            &format!("/api/councils/{id}/conclusion/document"),
        )
        .await;
    assert_error(res, StatusCode::CONFLICT, "conclusion_not_frozen").await;
    // Only the initiator freezes.
    let res = k
        .post(
            &tokens[0],
            &format!("/api/councils/{id}/conclusion/freeze"),
            &json!({}),
        )
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let view = frozen(&k, &id).await;
    assert_eq!(view["conclusion"]["status"], "frozen");
    assert_eq!(statuses(&view), ["awaited", "awaited", "awaited"]);
    let res = k
        .app
        .get_as(
            &k.patient,
            &format!("/api/councils/{id}/conclusion/document"),
        )
        .await;
    assert_error(res, StatusCode::CONFLICT, "conclusion_not_final").await;
    // Everyone is asked to sign.
    let asked = k
        .outbox()
        .into_iter()
        .filter(|m| m.subject.starts_with("Заключение консилиума ожидает"))
        .count();
    assert_eq!(asked, 3);

    let signers = [
        (k.therapist.clone(), THERAPIST),
        (tokens[0].clone(), CARDIO),
        (tokens[1].clone(), NEURO),
    ];
    for (i, (token, email)) in signers.iter().enumerate() {
        let res = k.sign_as(token, &id, &demo_iin(email)).await;
        let view = Councils::ok(res, StatusCode::OK).await;
        let signed = statuses(&view).iter().filter(|s| *s == "signed").count();
        assert_eq!(signed, i + 1);
        if i < 2 {
            assert_eq!(view["status"], "assembling", "not final with {signed} of 3");
            let passport: Value = k
                .app
                .get_as(&k.patient, "/api/me/health-passport")
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(passport["councils"], json!([]));
        } else {
            assert_eq!(view["status"], "final");
            assert_eq!(view["conclusion"]["status"], "final");
            let cert = &view["conclusion"]["signatures"][2]["certificate"];
            assert!(
                cert["subject"].as_str().unwrap().contains(&demo_iin(NEURO)),
                "{cert}"
            );
        }
    }
    let res = k.sign_as(&tokens[0], &id, &demo_iin(CARDIO)).await;
    assert_error(res, StatusCode::CONFLICT, "council_closed").await;
    // The patient reads the triple-signed conclusion in the passport and is told by mail.
    let passport: Value = k
        .app
        .get_as(&k.patient, "/api/me/health-passport")
        .await
        .json()
        .await
        .unwrap();
    let entry = &passport["councils"][0];
    assert_eq!(entry["council_id"], id.as_str());
    assert_eq!(entry["signatures"].as_array().unwrap().len(), 3);
    let document: Value = serde_json::from_str(entry["document"].as_str().unwrap()).unwrap();
    assert_eq!(document["content"]["diagnoses"][0]["icd10"], "I10");
    assert_eq!(document["consultants"].as_array().unwrap().len(), 2);
    let (text, sha) = k.document(&k.patient, &id).await;
    assert_eq!(text, entry["document"].as_str().unwrap());
    assert_eq!(sha, entry["sha256"].as_str().unwrap());
    assert!(
        k.outbox().iter().any(
            |m| m.recipient == PATIENT && m.subject.starts_with("Заключение консилиума готово")
        )
    );
}

#[tokio::test]
async fn art_27_a_change_after_the_first_signature_voids_the_signatures_and_asks_everyone_again() {
    let mut k = Councils::new().await;
    let (id, tokens) = accepted(&k).await;
    let first = frozen(&k, &id).await;
    let old_sha = first["conclusion"]["sha256"].as_str().unwrap().to_owned();
    let (old_doc, _) = k.document(&tokens[0], &id).await;
    Councils::ok(
        k.sign_as(&tokens[0], &id, &demo_iin(CARDIO)).await,
        StatusCode::OK,
    )
    .await;
    // The neurologist changes the text: version 2, a draft again, the signature void.
    let mut changed = conclusion();
    changed["recommendations"] = json!("Контроль АД; МРТ головного мозга");
    let view = Councils::ok(save(&k, &tokens[1], &id, changed).await, StatusCode::OK).await;
    assert_eq!(view["conclusion"]["version"], 2);
    assert_eq!(view["conclusion"]["status"], "draft");
    assert_eq!(view["conclusion"]["voided_signatures"], 1);
    assert_eq!(view["conclusion"]["signatures"], json!([]));
    // A signature over the old bytes no longer counts.
    let holder = k.ca.issue(&demo_iin(NEURO), "БЕКОВА САУЛЕ");
    let cms = telemed::signing::sign_cms_detached(
        old_doc.as_bytes(),
        &holder.cert_der,
        &holder.key_der,
        &[],
    )
    .unwrap();
    let res = k
        .post(
            &tokens[1],
            &format!("/api/councils/{id}/conclusion/sign"),
            &json!({"form": "cms", "signature": STANDARD.encode(&cms), "sha256": old_sha}),
        )
        .await;
    assert_error(res, StatusCode::CONFLICT, "conclusion_not_frozen").await;
    let view = Councils::ok(
        k.post(
            &k.therapist,
            &format!("/api/councils/{id}/conclusion/freeze"),
            &json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_ne!(view["conclusion"]["sha256"], old_sha.as_str());
    assert_eq!(
        statuses(&view),
        ["awaited", "awaited", "awaited"],
        "the cardiologist signs again"
    );
    let res = k
        .post(
            &tokens[1],
            &format!("/api/councils/{id}/conclusion/sign"),
            &json!({"form": "cms", "signature": STANDARD.encode(&cms), "sha256": old_sha}),
        )
        .await;
    assert_error(res, StatusCode::CONFLICT, "document_changed").await;
    for (token, email) in [
        (k.therapist.clone(), THERAPIST),
        (tokens[0].clone(), CARDIO),
        (tokens[1].clone(), NEURO),
    ] {
        Councils::ok(
            k.sign_as(&token, &id, &demo_iin(email)).await,
            StatusCode::OK,
        )
        .await;
    }
    assert_eq!(k.view(&k.patient, &id).await["status"], "final");
}

#[tokio::test]
async fn art_27_a_wrong_signer_is_refused_and_a_dissent_blocks_finality() {
    let mut k = Councils::new().await;
    let (id, tokens) = accepted(&k).await;
    frozen(&k, &id).await;
    // The cardiologist signs with the neurologist's certificate: refused, and audited.
    let res = k.sign_as(&tokens[0], &id, &demo_iin(NEURO)).await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "signer_mismatch").await;
    // A non-participant cannot sign at all.
    let outsider = k.app.login_demo("gastro@demo.telemed.kz").await;
    let res = k
        .post(
            &outsider,
            &format!("/api/councils/{id}/conclusion/refuse"),
            &json!({"reason": "x"}),
        )
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    {
        use diesel::prelude::*;
        use telemed::db::schema::audit_events;
        let mut conn = k.app.context.db.get().unwrap();
        let outcomes: Vec<String> = audit_events::table
            .filter(audit_events::action.eq("council.sign"))
            .select(audit_events::outcome)
            .load(&mut conn)
            .unwrap();
        assert_eq!(outcomes, ["signer_mismatch"]);
    }
    let therapist = k.therapist.clone();
    Councils::ok(
        k.sign_as(&therapist, &id, &demo_iin(THERAPIST)).await,
        StatusCode::OK,
    )
    .await;
    let view = Councils::ok(
        k.post(
            &tokens[1],
            &format!("/api/councils/{id}/conclusion/refuse"),
            &json!({"reason": "Не согласна с диагнозом: нужна МРТ"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(view["conclusion"]["status"], "dissent");
    let refused = view["conclusion"]["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["status"] == "refused")
        .unwrap();
    assert_eq!(
        refused["refusal_reason"],
        "Не согласна с диагнозом: нужна МРТ"
    );
    let res = k
        .post(
            &tokens[1],
            &format!("/api/councils/{id}/conclusion/refuse"),
            &json!({"reason": "ещё раз"}),
        )
        .await;
    assert_error(res, StatusCode::CONFLICT, "already_answered").await;
    // The last signature does not make a dissenting conclusion final.
    let view = Councils::ok(
        k.sign_as(&tokens[0], &id, &demo_iin(CARDIO)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(view["status"], "assembling");
    assert_eq!(view["conclusion"]["status"], "dissent");
    let passport: Value = k
        .app
        .get_as(&k.patient, "/api/me/health-passport")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(passport["councils"], json!([]));
}

#[tokio::test]
async fn art_2_6_the_conclusion_is_frozen_only_when_every_consultant_answered() {
    let k = Councils::new().await;
    let view = k
        .created(json!({"specialties": ["cardiology", "neurology"]}))
        .await;
    let id = view["id"].as_str().unwrap();
    k.accept_all(&view, &[CARDIO]).await;
    Councils::ok(
        save(&k, &k.therapist, id, conclusion()).await,
        StatusCode::OK,
    )
    .await;
    let res = k
        .post(
            &k.therapist,
            &format!("/api/councils/{id}/conclusion/freeze"),
            &json!({}),
        )
        .await;
    assert_error(res, StatusCode::CONFLICT, "council_incomplete").await;
    let mut bad = conclusion();
    bad["diagnoses"][0]["icd10"] = json!("X99.9");
    let res = save(&k, &k.therapist, id, bad).await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "unknown_icd10").await;
}

#[tokio::test]
async fn art_2_6_when_a_named_consultant_declines_the_initiator_invites_another() {
    let k = Councils::new().await;
    let cardio = k.practitioner(&k.almaty, "cardiology").await;
    let neuro = k.practitioner(&k.almaty, "neurology").await;
    let view = k.created(json!({"consultants": [cardio, neuro]})).await;
    let id = view["id"].as_str().unwrap().to_owned();
    let tokens = k.accept_all(&view, &[NEURO]).await;
    let cardio_token = k.app.login_demo(CARDIO).await;
    let path = format!("/api/councils/{id}/decline");
    Councils::ok(
        k.post(
            &cardio_token,
            &path,
            &json!({"reason": "Занята на операции"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // Named consultants have no stand-in: two doctors are not a council.
    Councils::ok(
        save(&k, &k.therapist, &id, conclusion()).await,
        StatusCode::OK,
    )
    .await;
    let freeze = format!("/api/councils/{id}/conclusion/freeze");
    let res = k.post(&k.therapist, &freeze, &json!({})).await;
    assert_error(res, StatusCode::CONFLICT, "council_incomplete").await;

    let add = format!("/api/councils/{id}/members");
    let res = k
        .post(&tokens[0], &add, &json!({"specialty": "cardiology"}))
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let res = k
        .post(&k.therapist, &add, &json!({"consultant": cardio}))
        .await;
    assert_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "duplicate_consultant",
    )
    .await;
    let res = k.post(&k.therapist, &add, &json!({})).await;
    assert_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "consultants_or_specialties",
    )
    .await;
    // Cardiology again: Almaty's only cardiologist declined, so the Aqtobe queue sends its own.
    let view = Councils::ok(
        k.post(&k.therapist, &add, &json!({"specialty": "cardiology"}))
            .await,
        StatusCode::OK,
    )
    .await;
    let added = view["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["status"] == "invited")
        .unwrap();
    assert_eq!(added["organization"]["id"], k.aqtobe.as_str());
    assert_eq!(added["source"], "round_robin");
    assert!(
        k.outbox()
            .iter()
            .any(|m| m.recipient == CARDIO_AQTOBE && m.subject.starts_with("Вы назначены"))
    );
    k.accept_all(&view, &[CARDIO_AQTOBE]).await;
    let frozen = Councils::ok(
        k.post(&k.therapist, &freeze, &json!({})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(statuses(&frozen).len(), 3);
    // The signers are fixed while the frozen text awaits them.
    let pulmo = k.practitioner(&k.aqtobe, "pulmonology").await;
    let res = k
        .post(&k.therapist, &add, &json!({"consultant": pulmo}))
        .await;
    assert_error(res, StatusCode::CONFLICT, "conclusion_frozen").await;
}
