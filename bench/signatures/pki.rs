//! The benchmark's PKI, made with rcgen: root → intermediate → signer for each algorithm, a CRL of
//! the intermediate listing `revoked` other serials, and the signatures to verify.

use chrono::{DateTime, TimeZone, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DnType, DnValue, IsCa,
    Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose, RevokedCertParams, SerialNumber, date_time_ymd,
};
use rsa::pkcs8::EncodePrivateKey;
use telemed::domain::iin::Iin;
use telemed::signing::{TrustStore, X509Verifier, sign_cms_detached};

pub const DOCUMENT: &[u8] =
    br#"{"diagnoses":[{"icd10":"I10","text":"Essential hypertension"}],"kind":"conclusion","patient":"p-1","recommendations":"Lisinopril 10 mg daily; control in 2 weeks"}"#;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    Rsa2048,
    P256,
}

/// One benchmark case: a verifier with its trust and the signature it checks.
pub struct Case {
    pub name: &'static str,
    pub alg: Alg,
    pub verifier: X509Verifier,
    pub signature: Vec<u8>,
    /// For a raw signature, the signer certificate (DER).
    pub certificate: Option<Vec<u8>>,
}

pub fn iin() -> String {
    Iin::complete("85010130012")
        .map(|iin| iin.to_string())
        .unwrap_or_default()
}

pub fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

fn key(alg: Alg) -> anyhow::Result<KeyPair> {
    Ok(match alg {
        Alg::P256 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?,
        Alg::Rsa2048 => {
            let key = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048)?;
            KeyPair::try_from(key.to_pkcs8_der()?.as_bytes())?
        }
    })
}

fn ca_params(name: &str, path_len: Option<u8>) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(DnType::CountryName, "KZ");
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(match path_len {
        Some(n) => BasicConstraints::Constrained(n),
        None => BasicConstraints::Unconstrained,
    });
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.not_before = date_time_ymd(2020, 1, 1);
    params.not_after = date_time_ymd(2040, 1, 1);
    params.use_authority_key_identifier_extension = true;
    params
}

fn signer(key: &KeyPair, issuer: &Issuer<'_, KeyPair>) -> anyhow::Result<Vec<u8>> {
    let mut params = CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, "АХМЕТОВ АЛИХАН");
    params.distinguished_name.push(
        DnType::CustomDnType(vec![2, 5, 4, 5]),
        DnValue::PrintableString(format!("IIN{}", iin()).try_into()?),
    );
    params.distinguished_name.push(DnType::CountryName, "KZ");
    params.serial_number = Some(SerialNumber::from(0x0100_0000u64));
    params.not_before = date_time_ymd(2025, 1, 1);
    params.not_after = date_time_ymd(2028, 1, 1);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    params.use_authority_key_identifier_extension = true;
    Ok(params.signed_by(key, issuer)?.der().to_vec())
}

/// A CRL by `issuer` listing `count` serials, none of them the signer's.
fn crl(issuer: &Issuer<'_, KeyPair>, count: u64) -> anyhow::Result<Vec<u8>> {
    let revoked_certs = (0..count)
        .map(|i| RevokedCertParams {
            serial_number: SerialNumber::from(0x7000_0000u64 + i * 7),
            revocation_time: date_time_ymd(2026, 1, 1),
            reason_code: Some(rcgen::RevocationReason::KeyCompromise),
            invalidity_date: None,
        })
        .collect();
    let params = CertificateRevocationListParams {
        this_update: date_time_ymd(2026, 5, 1),
        next_update: date_time_ymd(2026, 7, 1),
        crl_number: SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs,
        key_identifier_method: KeyIdMethod::Sha256,
    };
    Ok(params.signed_by(issuer)?.der().to_vec())
}

/// CMS detached under root → intermediate → signer, all keys of `alg`.
pub fn cms_case(name: &'static str, alg: Alg, revoked: u64) -> anyhow::Result<Case> {
    let root_key = key(alg)?;
    let root_params = ca_params("Bench Root CA", None);
    let root_pem = root_params.self_signed(&root_key)?.pem();
    let root = Issuer::new(root_params, root_key);
    let inter_key = key(alg)?;
    let inter_params = ca_params("Bench Doctors CA", Some(0));
    let inter_der = inter_params.signed_by(&inter_key, &root)?.der().to_vec();
    let inter = Issuer::new(inter_params, inter_key);
    let signer_key = key(alg)?;
    let cert = signer(&signer_key, &inter)?;
    let crls = vec![crl(&inter, revoked)?];
    let trust = TrustStore::from_pem(root_pem.as_bytes(), &crls)?;
    let signature = sign_cms_detached(DOCUMENT, &cert, &signer_key.serialize_der(), &[inter_der])?;
    Ok(Case {
        name,
        alg,
        verifier: X509Verifier::new(trust),
        signature,
        certificate: None,
    })
}

/// Raw WebCrypto P-256: a key the platform CA certified at enrolment. The browser sends only the
/// signer certificate, so the path is platform CA → signer, with the platform CA's CRL.
pub fn raw_case(revoked: u64) -> anyhow::Result<Case> {
    use p256::ecdsa::signature::Signer as _;
    use p256::pkcs8::DecodePrivateKey as _;

    let ca_key = key(Alg::P256)?;
    let ca_params = ca_params("Bench Platform CA", Some(0));
    let ca_pem = ca_params.self_signed(&ca_key)?.pem();
    let ca = Issuer::new(ca_params, ca_key);
    let signer_key = key(Alg::P256)?;
    let cert = signer(&signer_key, &ca)?;
    let crls = vec![crl(&ca, revoked)?];
    let trust = TrustStore::from_pem(ca_pem.as_bytes(), &crls)?;
    let signing = p256::ecdsa::SigningKey::from_pkcs8_der(&signer_key.serialize_der())?;
    let signature: p256::ecdsa::Signature = signing.sign(DOCUMENT);
    Ok(Case {
        name: "raw WebCrypto P-256",
        alg: Alg::P256,
        verifier: X509Verifier::new(trust),
        signature: signature.to_bytes().to_vec(),
        certificate: Some(cert),
    })
}
