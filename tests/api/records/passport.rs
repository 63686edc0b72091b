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
