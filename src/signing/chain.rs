//! The signer certificate's path to a trusted root: issuer by issuer, each signature checked (or
//! found already checked in the `SignatureCache`), then each certificate's validity at the time of
//! signing and the signer's key usage.

use chrono::{DateTime, Utc};
use der::{Decode, Encode};
use x509_cert::Certificate;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, SubjectKeyIdentifier};

use super::cache::{self, Digest, SignatureCache};
use super::errors::SignatureError;
use super::keys::PublicKey;

/// Intermediates a CMS may carry between a signer and a root; real chains have one or two.
const MAX_CHAIN_LENGTH: usize = 6;

/// A parsed certificate with the DER it came from, the bytes a `VerifiedSigner` hands on, and
/// their SHA-256, its name in the `SignatureCache`.
#[derive(Clone)]
pub(crate) struct Cert {
    pub(crate) parsed: Certificate,
    pub(crate) der: Vec<u8>,
    pub(crate) digest: Digest,
}

impl Cert {
    pub(crate) fn from_der(der: &[u8]) -> Result<Self, String> {
        let parsed = Certificate::from_der(der).map_err(|e| format!("certificate: {e}"))?;
        Ok(Cert {
            parsed,
            der: der.to_vec(),
            digest: cache::digest(der),
        })
    }

    pub(crate) fn from_parsed(parsed: Certificate) -> Result<Self, String> {
        let der = parsed.to_der().map_err(|e| format!("certificate: {e}"))?;
        let digest = cache::digest(&der);
        Ok(Cert {
            parsed,
            der,
            digest,
        })
    }

    pub(crate) fn public_key(&self) -> Result<PublicKey, String> {
        PublicKey::from_spki(&self.parsed.tbs_certificate.subject_public_key_info)
    }

    /// Whether `issuer`'s key made this certificate's signature.
    fn is_signed_by(&self, issuer: &Cert, cache: &SignatureCache) -> bool {
        cache.verified(&self.digest, &issuer.digest, || {
            let (Ok(key), Ok(tbs)) = (issuer.public_key(), self.parsed.tbs_certificate.to_der())
            else {
                return false;
            };
            key.verify_x509(
                &self.parsed.signature_algorithm,
                &tbs,
                self.parsed.signature.raw_bytes(),
            )
        })
    }

    /// The decoded extension `T`, `Ok(None)` when absent, `Err` when present but unreadable.
    pub(crate) fn extension<'a, T>(&'a self) -> Result<Option<T>, String>
    where
        T: der::oid::AssociatedOid + Decode<'a>,
    {
        let extensions = self
            .parsed
            .tbs_certificate
            .extensions
            .as_deref()
            .unwrap_or(&[]);
        match extensions.iter().find(|e| e.extn_id == T::OID) {
            None => Ok(None),
            Some(ext) => T::from_der(ext.extn_value.as_bytes())
                .map(Some)
                .map_err(|e| format!("extension {}: {e}", T::OID)),
        }
    }

    pub(crate) fn subject_key_identifier(&self) -> Option<Vec<u8>> {
        self.extension::<SubjectKeyIdentifier>()
            .ok()
            .flatten()
            .map(|ski| ski.0.as_bytes().to_vec())
    }

    pub(crate) fn valid_at(&self, at: DateTime<Utc>) -> bool {
        let validity = &self.parsed.tbs_certificate.validity;
        let from = to_chrono(validity.not_before);
        let until = to_chrono(validity.not_after);
        from <= at && at <= until
    }

    /// Whether this certificate may issue the next one down a path `below` CAs above the signer.
    fn may_issue(&self, below: usize) -> bool {
        let Ok(Some(constraints)) = self.extension::<BasicConstraints>() else {
            return false;
        };
        let path_ok = constraints
            .path_len_constraint
            .is_none_or(|max| usize::from(max) >= below);
        let usage_ok = match self.extension::<KeyUsage>() {
            Ok(Some(usage)) => usage.key_cert_sign(),
            Ok(None) => true,
            Err(_) => false,
        };
        constraints.ca && path_ok && usage_ok
    }
}

pub(crate) fn to_chrono(time: x509_cert::time::Time) -> DateTime<Utc> {
    let since_epoch = time.to_unix_duration();
    // x509 times are whole seconds within chrono's range (years 1950..=9999).
    DateTime::from_timestamp(since_epoch.as_secs() as i64, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The path `[signer, intermediates…, root]`. Time plays no part here: a well-formed chain of
/// expired certificates is "expired", not "untrusted", and validity is checked afterwards.
pub(crate) fn build<'a>(
    signer: &'a Cert,
    intermediates: &'a [Cert],
    roots: &'a [Cert],
    cache: &SignatureCache,
) -> Result<Vec<&'a Cert>, SignatureError> {
    let mut path = vec![signer];
    if extend(&mut path, intermediates, roots, cache) {
        Ok(path)
    } else {
        Err(SignatureError::CertificateUntrusted)
    }
}

/// Depth-first: a root that signed the last certificate ends the path; otherwise try each
/// intermediate that did (a CMS may carry several, some of them irrelevant).
fn extend<'a>(
    path: &mut Vec<&'a Cert>,
    intermediates: &'a [Cert],
    roots: &'a [Cert],
    cache: &SignatureCache,
) -> bool {
    let Some(&last) = path.last() else {
        return false;
    };
    let issuer_name = &last.parsed.tbs_certificate.issuer;
    // Roots are trust anchors: their own constraints are the operator's business, not checked.
    if let Some(root) = roots
        .iter()
        .find(|r| &r.parsed.tbs_certificate.subject == issuer_name && last.is_signed_by(r, cache))
    {
        path.push(root);
        return true;
    }
    if path.len() >= MAX_CHAIN_LENGTH {
        return false;
    }
    let cas_below = path.len() - 1;
    for candidate in intermediates {
        if &candidate.parsed.tbs_certificate.subject != issuer_name
            || path.iter().any(|c| c.digest == candidate.digest)
            || !candidate.may_issue(cas_below)
            || !last.is_signed_by(candidate, cache)
        {
            continue;
        }
        path.push(candidate);
        if extend(path, intermediates, roots, cache) {
            return true;
        }
        path.pop();
    }
    false
}

/// Every certificate of the path, the root included, was valid when the platform received the
/// signature.
pub(crate) fn check_validity(path: &[&Cert], at: DateTime<Utc>) -> Result<(), SignatureError> {
    if path.iter().all(|c| c.valid_at(at)) {
        Ok(())
    } else {
        Err(SignatureError::CertificateExpired)
    }
}

/// The national CA always sets KeyUsage on signing certificates, so its absence is refused too:
/// an authentication or encryption certificate must not pass for a signature one.
pub(crate) fn check_signer_key_usage(signer: &Cert) -> Result<(), SignatureError> {
    match signer.extension::<KeyUsage>() {
        Ok(Some(usage)) if usage.digital_signature() || usage.non_repudiation() => Ok(()),
        _ => Err(SignatureError::KeyUsage),
    }
}
