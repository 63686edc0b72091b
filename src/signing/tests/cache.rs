//! The rules of art. 37 with a warm signature cache: certificate and CRL signatures are checked
//! once per verifier, while validity times and revocation are judged on every verification, and
//! a signature that failed is never taken as checked.

use chrono::{DateTime, TimeZone, Utc};

use super::pki::{Holder, IIN, at, pki};
use crate::signing::{
    Expected, SignatureError, SignatureInput, TrustStore, VerifiedSigner, Verifier, X509Verifier,
    sign_cms_detached,
};

const DOCUMENT: &[u8] = br#"{"kind":"conclusion","text":"healthy"}"#;
const ANOTHER: &[u8] = br#"{"kind":"referral","to":"cardiology"}"#;

fn verifier_with(crl: &[u8]) -> X509Verifier {
    let trust =
        TrustStore::from_pem(pki().root.cert_pem().as_bytes(), &[crl.to_vec()]).expect("trust");
    X509Verifier::new(trust)
}

fn verifier() -> X509Verifier {
    verifier_with(&pki().crl_der)
}

fn cms_with_cert(holder: &Holder, cert_der: &[u8], document: &[u8]) -> Vec<u8> {
    let chain = [pki().intermediate.cert_der.clone()];
    sign_cms_detached(document, cert_der, &holder.key_der, &chain).expect("CMS")
}

fn cms(holder: &Holder, document: &[u8]) -> Vec<u8> {
    cms_with_cert(holder, &holder.cert_der, document)
}

fn verify_at(
    verifier: &X509Verifier,
    signature: &[u8],
    document: &[u8],
    at: DateTime<Utc>,
) -> Result<VerifiedSigner, SignatureError> {
    let expected = Expected {
        document,
        signer_iin: IIN,
        at,
    };
    verifier.verify(&SignatureInput::CmsDetached(signature), &expected)
}

fn code<T>(result: Result<T, SignatureError>) -> &'static str {
    match result {
        Ok(_) => "accepted",
        Err(e) => e.code(),
    }
}

fn checks(verifier: &X509Verifier) -> u64 {
    verifier.certificate_signature_checks()
}

#[test]
fn art_37_a_warm_cache_checks_only_the_document_signature() {
    let verifier = verifier();
    let doctor = &pki().doctor_rsa;
    let first = verify_at(&verifier, &cms(doctor, DOCUMENT), DOCUMENT, at()).expect("accepted");
    // Signer ← intermediate, intermediate ← root, CRL ← intermediate.
    assert_eq!((checks(&verifier), verifier.cache.len()), (3, 3));

    let again = verify_at(&verifier, &cms(doctor, ANOTHER), ANOTHER, at()).expect("accepted");
    assert_eq!(again, first);
    assert_eq!((checks(&verifier), verifier.cache.len()), (3, 3));

    // Another doctor under the same CA: only the new certificate's own signature is checked.
    let other = &pki().doctor_p256;
    verify_at(&verifier, &cms(other, DOCUMENT), DOCUMENT, at()).expect("accepted");
    assert_eq!(checks(&verifier), 4);

    // The document's own signature is never taken from the cache.
    let signature = cms(doctor, DOCUMENT);
    assert_eq!(
        code(verify_at(&verifier, &signature, ANOTHER, at())),
        "digest_mismatch"
    );
}

#[test]
fn art_37_a_warm_cache_serves_raw_webcrypto_signatures_too() {
    use p256::ecdsa::signature::Signer as _;
    use p256::pkcs8::DecodePrivateKey as _;

    let verifier = verifier();
    let enrolled = &pki().enrolled;
    let key = p256::ecdsa::SigningKey::from_pkcs8_der(&enrolled.key_der).expect("key");
    let expected = Expected {
        document: DOCUMENT,
        signer_iin: IIN,
        at: at(),
    };
    for _ in 0..2 {
        let signature: p256::ecdsa::Signature = key.sign(DOCUMENT);
        let input = SignatureInput::RawP256 {
            signature: &signature.to_bytes(),
            certificate_der: &enrolled.cert_der,
        };
        verifier.verify(&input, &expected).expect("accepted");
        assert_eq!(checks(&verifier), 1, "only enrolled ← platform CA");
    }
}

#[test]
fn art_37_a_revoked_certificate_is_refused_with_a_warm_cache() {
    let verifier = verifier();
    let signature = cms(&pki().revoked, DOCUMENT);
    // Received before the revocation: accepted, and every link of its path is now remembered.
    let before = Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap();
    assert_eq!(
        code(verify_at(&verifier, &signature, DOCUMENT, before)),
        "accepted"
    );
    let warm = checks(&verifier);
    for _ in 0..2 {
        assert_eq!(
            code(verify_at(&verifier, &signature, DOCUMENT, at())),
            "certificate_revoked"
        );
    }
    assert_eq!(checks(&verifier), warm, "the refusal came from the cache");
}

#[test]
fn art_37_validity_is_judged_on_every_verification_with_a_warm_cache() {
    let verifier = verifier();
    let signature = cms(&pki().doctor_p256, DOCUMENT);
    assert_eq!(
        code(verify_at(&verifier, &signature, DOCUMENT, at())),
        "accepted"
    );
    let warm = checks(&verifier);
    let after_expiry = Utc.with_ymd_and_hms(2027, 6, 1, 0, 0, 0).unwrap();
    let before_issue = Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap();
    for when in [after_expiry, before_issue] {
        assert_eq!(
            code(verify_at(&verifier, &signature, DOCUMENT, when)),
            "certificate_expired"
        );
    }
    assert_eq!(checks(&verifier), warm);
}

#[test]
fn art_37_a_certificate_with_a_bad_signature_never_enters_the_cache() {
    let doctor = &pki().doctor_p256;
    // The last byte of the DER is the last byte of the CA's signature: still a certificate, the
    // same key, a signature that no longer verifies.
    let mut forged = doctor.cert_der.clone();
    if let Some(last) = forged.last_mut() {
        *last ^= 0x01;
    }
    let signature = cms_with_cert(doctor, &forged, DOCUMENT);
    let verifier = verifier();
    for attempt in 1..=2 {
        assert_eq!(
            code(verify_at(&verifier, &signature, DOCUMENT, at())),
            "certificate_untrusted"
        );
        assert_eq!(verifier.cache.len(), 0);
        assert_eq!(checks(&verifier), attempt, "checked again, not remembered");
    }
    // The genuine certificate still verifies afterwards.
    let genuine = cms(doctor, DOCUMENT);
    assert_eq!(
        code(verify_at(&verifier, &genuine, DOCUMENT, at())),
        "accepted"
    );
}

#[test]
fn art_37_a_forged_crl_never_enters_the_cache() {
    let verifier = verifier_with(&pki().forged_crl_der);
    let signature = cms(&pki().revoked, DOCUMENT);
    for attempt in 1..=2 {
        assert_eq!(
            code(verify_at(&verifier, &signature, DOCUMENT, at())),
            "accepted"
        );
        // Signer ← intermediate and intermediate ← root are remembered; the CRL is not.
        assert_eq!(verifier.cache.len(), 2);
        assert_eq!(checks(&verifier), 2 + attempt);
    }
}

#[test]
fn art_37_a_new_trust_store_starts_with_nothing_remembered() {
    let warm = verifier();
    let signature = cms(&pki().revoked, DOCUMENT);
    assert_eq!(
        code(verify_at(&warm, &signature, DOCUMENT, at())),
        "certificate_revoked"
    );
    // The CRL reloaded without the revocation (here: no CRL): a new verifier, nothing carried.
    let reloaded = X509Verifier::new(
        TrustStore::from_pem(pki().root.cert_pem().as_bytes(), &[]).expect("trust"),
    );
    assert_eq!(
        code(verify_at(&reloaded, &signature, DOCUMENT, at())),
        "accepted"
    );
    assert_eq!(checks(&reloaded), 2);
    warm.clear_cache();
    assert_eq!(warm.cache.len(), 0);
    assert_eq!(
        code(verify_at(&warm, &signature, DOCUMENT, at())),
        "certificate_revoked"
    );
}
