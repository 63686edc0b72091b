//! Each rule of `signing` with its own error code, on signatures made by this module's builder
//! (CMS) and by the `p256` crate (raw, as WebCrypto does).

use chrono::{DateTime, TimeZone, Utc};
use p256::ecdsa::signature::Signer as _;
use p256::pkcs8::DecodePrivateKey;

use super::pki::{self, Holder, IIN, OTHER_IIN, at, pki};
use crate::signing::sign::{SignerKey, build};
use crate::signing::{
    Expected, SignatureError, SignatureInput, TrustStore, VerifiedSigner, Verifier, X509Verifier,
    sign_cms_detached,
};

/// A canonical document as `domain::canonical` produces them: sorted keys, no whitespace.
/// UTF-8 with Cyrillic, as real conclusions are.
const DOCUMENT: &[u8] =
    r#"{"diagnoses":[{"icd10":"J06.9","name":"ОРВИ"}],"kind":"conclusion"}"#.as_bytes();
const TAMPERED: &[u8] =
    r#"{"diagnoses":[{"icd10":"J18.9","name":"ОРВИ"}],"kind":"conclusion"}"#.as_bytes();

fn store_with(crls: &[Vec<u8>]) -> X509Verifier {
    let trust = TrustStore::from_pem(pki().root.cert_pem().as_bytes(), crls).expect("trust store");
    X509Verifier::new(trust)
}

fn verifier() -> X509Verifier {
    store_with(&[pki().crl_der.clone()])
}

fn expected_at<'a>(document: &'a [u8], iin: &'a str, at: DateTime<Utc>) -> Expected<'a> {
    Expected {
        document,
        signer_iin: iin,
        at,
    }
}

fn cms(holder: &Holder, document: &[u8]) -> Vec<u8> {
    sign_cms_detached(
        document,
        &holder.cert_der,
        &holder.key_der,
        &[pki().intermediate.cert_der.clone()],
    )
    .expect("CMS")
}

fn raw(key_der: &[u8], document: &[u8]) -> Vec<u8> {
    let key = p256::ecdsa::SigningKey::from_pkcs8_der(key_der).expect("P-256 key");
    let signature: p256::ecdsa::Signature = key.sign(document);
    signature.to_bytes().to_vec()
}

fn verify_cms(signature: &[u8], document: &[u8]) -> Result<VerifiedSigner, SignatureError> {
    verifier().verify(
        &SignatureInput::CmsDetached(signature),
        &expected_at(document, IIN, at()),
    )
}

fn verify_raw(
    signature: &[u8],
    holder: &Holder,
    document: &[u8],
) -> Result<VerifiedSigner, SignatureError> {
    let input = SignatureInput::RawP256 {
        signature,
        certificate_der: &holder.cert_der,
    };
    verifier().verify(&input, &expected_at(document, IIN, at()))
}

fn code<T>(result: Result<T, SignatureError>) -> &'static str {
    match result {
        Ok(_) => "accepted",
        Err(e) => e.code(),
    }
}

#[test]
fn art_37_a_valid_cms_rsa_signature_is_accepted() {
    let doctor = &pki().doctor_rsa;
    let signer = verify_cms(&cms(doctor, DOCUMENT), DOCUMENT).expect("accepted");
    assert_eq!(signer.algorithm, "RSA-SHA256");
    assert_eq!(signer.iin, IIN);
    assert_eq!(signer.common_name, "АХМЕТОВ АЛИХАН");
    assert_eq!(signer.serial_hex, "10");
    assert!(
        signer.issuer.contains("Test Doctors CA"),
        "{}",
        signer.issuer
    );
    assert!(
        signer.subject.contains("IIN850101300123"),
        "{}",
        signer.subject
    );
    assert_eq!(signer.certificate_der, doctor.cert_der);
    assert_eq!(
        signer.not_before,
        Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap()
    );
}

#[test]
fn art_37_a_valid_cms_p256_signature_is_accepted() {
    let signer = verify_cms(&cms(&pki().doctor_p256, DOCUMENT), DOCUMENT).expect("accepted");
    assert_eq!(signer.algorithm, "ECDSA-P256-SHA256");
    assert_eq!(signer.iin, IIN);
}

#[test]
fn art_37_a_base64_cms_as_ncalayer_returns_it_is_accepted() {
    use base64::Engine;
    let der = cms(&pki().doctor_p256, DOCUMENT);
    let text = base64::engine::general_purpose::STANDARD.encode(der);
    assert_eq!(code(verify_cms(text.as_bytes(), DOCUMENT)), "accepted");
}

#[test]
fn art_37_a_valid_raw_p256_signature_is_accepted() {
    let enrolled = &pki().enrolled;
    let signer = verify_raw(&raw(&enrolled.key_der, DOCUMENT), enrolled, DOCUMENT).expect("ok");
    assert_eq!(signer.algorithm, "ECDSA-P256-SHA256");
    assert_eq!(signer.iin, IIN);
}

#[test]
fn art_37_a_tampered_document_is_refused_with_digest_mismatch() {
    let signature = cms(&pki().doctor_rsa, DOCUMENT);
    assert_eq!(code(verify_cms(&signature, TAMPERED)), "digest_mismatch");
}

#[test]
fn art_37_a_tampered_document_under_a_raw_signature_is_refused_as_invalid() {
    let enrolled = &pki().enrolled;
    let signature = raw(&enrolled.key_der, DOCUMENT);
    assert_eq!(
        code(verify_raw(&signature, enrolled, TAMPERED)),
        "signature_invalid"
    );
}

#[test]
fn art_37_a_signature_by_another_key_than_the_certificates_is_invalid() {
    let doctor = &pki().doctor_p256;
    let other = SignerKey::from_pkcs8(&pki().expired.key_der).expect("key");
    let cert = <x509_cert::Certificate as der::Decode>::from_der(&doctor.cert_der).expect("cert");
    let chain = [pki().intermediate.cert_der.clone()];
    let signature = build(DOCUMENT, &cert, &other, &chain, at()).expect("CMS");
    assert_eq!(code(verify_cms(&signature, DOCUMENT)), "signature_invalid");

    let enrolled = &pki().enrolled;
    let signature = raw(&pki().doctor_p256.key_der, DOCUMENT);
    assert_eq!(
        code(verify_raw(&signature, enrolled, DOCUMENT)),
        "signature_invalid"
    );
}

#[test]
fn art_37_a_certificate_of_another_person_is_refused_with_signer_mismatch() {
    let signature = cms(&pki().doctor_p256, DOCUMENT);
    let expected = expected_at(DOCUMENT, OTHER_IIN, at());
    let result = verifier().verify(&SignatureInput::CmsDetached(&signature), &expected);
    assert_eq!(code(result), "signer_mismatch");
}

#[test]
fn art_37_an_expired_certificate_is_refused() {
    let signature = cms(&pki().expired, DOCUMENT);
    assert_eq!(
        code(verify_cms(&signature, DOCUMENT)),
        "certificate_expired"
    );
}

#[test]
fn art_37_a_not_yet_valid_certificate_is_refused_as_expired() {
    let signature = cms(&pki().not_yet_valid, DOCUMENT);
    assert_eq!(
        code(verify_cms(&signature, DOCUMENT)),
        "certificate_expired"
    );
}

#[test]
fn art_37_a_revoked_certificate_is_refused() {
    let signature = cms(&pki().revoked, DOCUMENT);
    assert_eq!(
        code(verify_cms(&signature, DOCUMENT)),
        "certificate_revoked"
    );
}

#[test]
fn art_37_a_revocation_after_receipt_does_not_undo_the_signature() {
    let signature = cms(&pki().revoked, DOCUMENT);
    let before = Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap();
    let result = verifier().verify(
        &SignatureInput::CmsDetached(&signature),
        &expected_at(DOCUMENT, IIN, before),
    );
    assert_eq!(code(result), "accepted");
}

#[test]
fn art_37_a_crl_not_signed_by_the_issuer_revokes_nothing() {
    let signature = cms(&pki().revoked, DOCUMENT);
    let result = store_with(&[pki().forged_crl_der.clone()]).verify(
        &SignatureInput::CmsDetached(&signature),
        &expected_at(DOCUMENT, IIN, at()),
    );
    assert_eq!(code(result), "accepted");
}

#[test]
fn art_37_a_certificate_from_an_untrusted_root_is_refused() {
    let untrusted = &pki().untrusted;
    let chain = [pki().untrusted_intermediate.cert_der.clone()];
    let signature =
        sign_cms_detached(DOCUMENT, &untrusted.cert_der, &untrusted.key_der, &chain).expect("CMS");
    assert_eq!(
        code(verify_cms(&signature, DOCUMENT)),
        "certificate_untrusted"
    );
    // Without its CA in the CMS, the same name as the trusted intermediate must not help it.
    let signature = cms(untrusted, DOCUMENT);
    assert_eq!(
        code(verify_cms(&signature, DOCUMENT)),
        "certificate_untrusted"
    );
}

#[test]
fn art_37_a_certificate_without_signing_key_usage_is_refused() {
    let signature = cms(&pki().wrong_key_usage, DOCUMENT);
    assert_eq!(code(verify_cms(&signature, DOCUMENT)), "key_usage");
}

#[test]
fn art_37_garbage_is_refused_as_malformed() {
    assert_eq!(
        code(verify_cms(b"not a signature", DOCUMENT)),
        "signature_malformed"
    );
    assert_eq!(
        code(verify_cms(&[0x30, 0x03, 0x02, 0x01], DOCUMENT)),
        "signature_malformed"
    );
    let enrolled = &pki().enrolled;
    assert_eq!(
        code(verify_raw(&[7; 63], enrolled, DOCUMENT)),
        "signature_malformed"
    );
    let input = SignatureInput::RawP256 {
        signature: &[1; 64],
        certificate_der: b"junk",
    };
    let result = verifier().verify(&input, &expected_at(DOCUMENT, IIN, at()));
    assert_eq!(code(result), "signature_malformed");
}

#[test]
fn signing_refuses_a_key_that_is_not_the_certificates() {
    let doctor = &pki().doctor_p256;
    let result = sign_cms_detached(DOCUMENT, &doctor.cert_der, &pki().expired.key_der, &[]);
    assert!(result.is_err());
}

#[test]
fn trust_store_reads_der_roots_and_pem_crls_from_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("root.cer");
    let crl = dir.path().join("doctors.crl");
    std::fs::write(&root, &pki().root.cert_der).expect("write");
    std::fs::write(&crl, pki::pem("X509 CRL", &pki().crl_der)).expect("write");
    let trust = TrustStore::from_files(&[root], &[crl]).expect("trust store");
    assert_eq!(trust.counts(), (1, 1));
    let signature = cms(&pki().revoked, DOCUMENT);
    let result = X509Verifier::new(trust).verify(
        &SignatureInput::CmsDetached(&signature),
        &expected_at(DOCUMENT, IIN, at()),
    );
    assert_eq!(code(result), "certificate_revoked");
}
