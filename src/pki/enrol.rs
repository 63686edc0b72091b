//! Enrolment: a certificate from the platform CA for a public key whose private half stays where
//! it was made (a non-extractable WebCrypto key in the doctor's browser).

use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use p256::pkcs8::DecodePublicKey;

use super::ca;
use super::files;
use super::issue::signer_params;
use crate::domain::iin::Iin;

/// A certificate issued for someone else's key.
#[derive(Debug, Clone)]
pub struct KeyCertificate {
    pub der: Vec<u8>,
    pub serial_hex: String,
    pub not_after: DateTime<Utc>,
}

/// Issues a signing certificate (CN=name, SERIALNUMBER=IIN<iin>, C=KZ, digitalSignature and
/// nonRepudiation) for the P-256 key in `spki_der`, signed by the CA in `ca_cert` + `ca_key`,
/// valid `days` from `now` but never past the CA. Only P-256 keys are accepted: those are what
/// the raw signature form verifies.
pub fn issue_for_key(
    ca_cert: &Path,
    ca_key: &Path,
    spki_der: &[u8],
    iin: &Iin,
    name: &str,
    days: u32,
    now: DateTime<Utc>,
) -> anyhow::Result<KeyCertificate> {
    p256::PublicKey::from_public_key_der(spki_der)
        .map_err(|e| anyhow::anyhow!("not a P-256 SubjectPublicKeyInfo: {e}"))?;
    let public_key = rcgen::SubjectPublicKeyInfo::from_der(spki_der)
        .map_err(|e| anyhow::anyhow!("the public key: {e}"))?;
    let name = name.trim();
    anyhow::ensure!(!name.is_empty(), "the name is empty");
    let ca = ca::load_files(ca_cert, ca_key)?;
    let serial = files::random_serial();
    let not_after = (now + Duration::days(days.into())).min(ca.not_after);
    let params = signer_params(iin, name, &serial, now, not_after)?;
    let cert = params
        .signed_by(&public_key, &ca.issuer)
        .context("signing the certificate")?;
    Ok(KeyCertificate {
        der: cert.der().to_vec(),
        serial_hex: hex::encode_upper(&serial),
        not_after,
    })
}
