//! The health passport's verification badge (art. 36–37): every signature is verified again as
//! the passport is read, so bytes altered in the database after signing, or a signer whose root
//! is no longer trusted, show as "not verified" with the rule that failed.

use diesel::prelude::*;
use telemed::db::schema::medical_records;

use super::*;

#[tokio::test]
async fn art_37_the_passport_verifies_each_signature_again_and_names_what_fails() {
    let mut s = scene().await;
    let id = s.draft().await;
    s.sign(&id).await;

    let passport = s.passport().await;
    let version = &passport["records"][0]["versions"][0];
    assert_eq!(version["check"]["verified"], true, "{version}");
    assert!(version["check"]["code"].is_null());
    // What the page shows beside the badge: signer, organisation, the consultation it came from.
    assert_eq!(version["signature"]["signer_name"], "АХМЕТОВА ГУЛЬНАРА");
    assert_eq!(
        version["organization"]["name"],
        "Городская поликлиника №7 (демо)"
    );
    assert_eq!(version["consultation_id"], s.consultation.as_str());

    // The stored document altered behind the platform's back: the signature no longer covers it.
    {
        let mut conn = s.app.context.db.get().unwrap();
        let stored: String = medical_records::table
            .find(&id)
            .select(medical_records::canonical.assume_not_null())
            .first(&mut conn)
            .unwrap();
        let altered = stored.replace("150/95", "120/80");
        assert_ne!(stored, altered);
        diesel::update(medical_records::table.find(&id))
            .set(medical_records::canonical.eq(&altered))
            .execute(&mut conn)
            .unwrap();
    }
    let passport = s.passport().await;
    let check = &passport["records"][0]["versions"][0]["check"];
    assert_eq!(check["verified"], false, "{check}");
    assert_eq!(check["code"], "digest_mismatch");

    // A signature stored without its parts cannot be verified at all.
    {
        let mut conn = s.app.context.db.get().unwrap();
        diesel::update(medical_records::table.find(&id))
            .set(medical_records::signature.eq(None::<String>))
            .execute(&mut conn)
            .unwrap();
    }
    let passport = s.passport().await;
    let check = &passport["records"][0]["versions"][0]["check"];
    assert_eq!(check["verified"], false);
    assert_eq!(check["code"], "signature_missing");
}

/// Copies of a signed record, each a chain of its own, straight into the table.
fn copy_signed(s: &Scene, id: &str, copies: usize) {
    use telemed::db::models::MedicalRecordRow;
    let mut conn = s.app.context.db.get().unwrap();
    let template: MedicalRecordRow = medical_records::table
        .find(id)
        .select(MedicalRecordRow::as_select())
        .first(&mut conn)
        .unwrap();
    let rows: Vec<MedicalRecordRow> = (0..copies)
        .map(|_| {
            let mut row = template.clone();
            row.id = uuid::Uuid::new_v4().to_string();
            row.chain_id = row.id.clone();
            row
        })
        .collect();
    for chunk in rows.chunks(500) {
        telemed::insert_rows!(&mut *conn, medical_records::table, chunk).unwrap();
    }
}

/// The passport's statements at 10 records and at 1,000 (issue 14: a list costs the same
/// whatever its length).
async fn passport_statements(s: &Scene) -> (u64, usize) {
    let res = s.app.get_as(&s.patient, "/api/me/health-passport").await;
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    let n = res.headers()["x-db-statements"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let body: serde_json::Value = res.json().await.unwrap();
    (n, body["records"].as_array().unwrap().len())
}

#[tokio::test]
async fn art_36_the_passport_costs_the_same_statements_at_10_and_1000_records() {
    let mut s = scene().await;
    let id = s.draft().await;
    s.sign(&id).await;
    copy_signed(&s, &id, 9);
    let (at_ten, records) = passport_statements(&s).await;
    assert_eq!(records, 10);
    copy_signed(&s, &id, 990);
    let (at_thousand, records) = passport_statements(&s).await;
    assert_eq!(records, 1000);
    assert_eq!(at_ten, at_thousand);
}
