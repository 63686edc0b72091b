//! Art. 19: in a deferred council the consultants study the patient's electronic records and
//! documents remotely and prepare the conclusion without direct contact with the patient — no
//! call, no chat — through the platform only: documents, the chart, opinions, one signed
//! conclusion, which the passport then shows with each signature verified.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::*;

/// A PDF as small as the content check accepts.
const ECG_PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

async fn upload(k: &Councils, token: &str, consultation: &str) -> reqwest::Response {
    k.app
        .client
        .post(k.app.at(&format!(
            "/api/consultations/{consultation}/files?name=ecg.pdf"
        )))
        .bearer_auth(token)
        .body(ECG_PDF.to_vec())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn art_19_a_deferred_council_studies_the_records_remotely_without_direct_contact() {
    let mut k = Councils::new().await;
    let view = k
        .created(json!({"specialties": ["cardiology", "neurology"]}))
        .await;
    assert_eq!(view["mode"], "deferred");
    let id = view["id"].as_str().unwrap().to_owned();
    let consultation = view["consultation_id"].as_str().unwrap().to_owned();
    let tokens = k.accept_all(&view, &[CARDIO, NEURO]).await;

    // The patient sends the documents the council is to study, into the council's consultation.
    let res = upload(&k, &k.patient, &consultation).await;
    let sent = Councils::ok(res, StatusCode::CREATED).await;
    assert_eq!(sent["mime"], "application/pdf");

    for token in &tokens {
        // Each consultant studies them and the patient's chart remotely …
        let listed: Value = Councils::ok(
            k.app
                .get_as(
                    token,
                    &format!("/api/consultations/{consultation}/materials"),
                )
                .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(listed[0]["sha256"], sent["sha256"]);
        let material = listed[0]["id"].as_str().unwrap();
        let res = k
            .app
            .get_as(
                token,
                &format!("/api/consultations/{consultation}/materials/{material}"),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.bytes().await.unwrap().as_ref(), ECG_PDF);
        let res = k
            .app
            .get_as(
                token,
                &format!("/api/me/health-passport?patient_id={}", k.patient_id),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        // … but meets nobody: no way into a call (where the chat is too), and no chat held.
        let res = k
            .app
            .get_as(token, &format!("/api/consultations/{consultation}/signal"))
            .await;
        assert!(res.status().is_client_error(), "signal: {}", res.status());
        let chat: Value = Councils::ok(
            k.app
                .get_as(
                    token,
                    &format!("/api/consultations/{consultation}/messages"),
                )
                .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(chat, json!([]), "{chat}");
    }
    let res = k
        .app
        .get_as(
            &k.patient,
            &format!("/api/consultations/{consultation}/signal"),
        )
        .await;
    crate::support::assert_error(res, StatusCode::CONFLICT, "not_realtime").await;

    // The opinions and the one conclusion are written through the platform and signed by all.
    for (token, text) in tokens.iter().zip([
        "ГЛЖ по ЭКГ; сменить терапию",
        "Неврологически без очаговой симптоматики",
    ]) {
        let res = k
            .post(
                token,
                &format!("/api/councils/{id}/opinion"),
                &json!({"text": text}),
            )
            .await;
        Councils::ok(res, StatusCode::OK).await;
    }
    let content = json!({"findings": "По ЭКГ гипертрофия ЛЖ; очаговой неврологической симптоматики нет.",
        "diagnoses": [{"icd10": "I11.9", "text": "Гипертензивная болезнь сердца"}],
        "recommendations": "Коррекция терапии, ЭхоКГ"});
    let res = k
        .send(
            reqwest::Method::PUT,
            &k.therapist,
            &format!("/api/councils/{id}/conclusion"),
            &json!({"content": content}),
        )
        .await;
    Councils::ok(res, StatusCode::OK).await;
    let res = k
        .post(
            &k.therapist,
            &format!("/api/councils/{id}/conclusion/freeze"),
            &json!({}),
        )
        .await;
    Councils::ok(res, StatusCode::OK).await;
    let therapist = k.therapist.clone();
    for (token, email) in [
        (&therapist, THERAPIST),
        (&tokens[0], CARDIO),
        (&tokens[1], NEURO),
    ] {
        let res = k.sign_as(token, &id, &demo_iin(email)).await;
        Councils::ok(res, StatusCode::OK).await;
    }
    assert_eq!(k.view(&k.patient, &id).await["status"], "final");

    // The patient reads it in the passport, each signature verified, each signer's organisation.
    let passport: Value = k
        .app
        .get_as(&k.patient, "/api/me/health-passport")
        .await
        .json()
        .await
        .unwrap();
    let entry = &passport["councils"][0];
    assert_eq!(entry["council_id"], id.as_str());
    let signatures = entry["signatures"].as_array().unwrap();
    assert_eq!(signatures.len(), 3);
    for s in signatures {
        assert_eq!(s["check"]["verified"], true, "{s}");
        assert_eq!(
            s["organization_name"], "Городская поликлиника №7 (демо)",
            "{s}"
        );
    }
}
