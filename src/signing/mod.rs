//! Electronic digital signatures (ЭЦП) on medical records (Rules art. 37): verifying who signed
//! which document, against the configured trusted roots and CRLs.
//!
//! Two forms arrive from the browser: a detached CMS from NCALayer (the national CA's keys) and a
//! raw WebCrypto P-256 signature by a key the platform CA certified at enrolment. Both end in the
//! same checks, in a fixed order so that each failure has one code: parse → digest → signature →
//! chain to a trusted root → validity at the time of receipt → key usage → revocation → IIN.
//!
//! The signatures of certificates and CRLs, three of the four a CMS verification needs, are
//! remembered once checked (`cache`): the same intermediates, roots and CRLs come back with every
//! record a doctor signs, and checking them again is most of the work. Validity times,
//! revocation and every other rule still run each time. The arithmetic is ring's (`keys`).

mod cache;
mod chain;
mod cms;
mod crl;
mod errors;
mod keys;
mod raw;
mod rfc4514;
mod sign;
mod subject;
mod trust;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};

pub use errors::SignatureError;
pub use sign::sign_cms_detached;
pub use trust::TrustStore;

/// What was signed and by whom the platform expects it.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    /// The canonical document bytes, exactly as stored.
    pub document: &'a [u8],
    /// The 12-digit IIN of the person who must have signed.
    pub signer_iin: &'a str,
    /// When the platform received the signature: the certificates must be valid then. A CMS
    /// `signingTime` is the signer's own claim and is not used for this.
    pub at: DateTime<Utc>,
}

/// A signature as the browser sends it.
#[derive(Debug, Clone, Copy)]
pub enum SignatureInput<'a> {
    /// CMS SignedData, detached (NCALayer `kz.gov.pki.knca.basics` sign with format "cms",
    /// encapsulate false), DER or base64 of DER.
    CmsDetached(&'a [u8]),
    /// WebCrypto ECDSA P-256 over SHA-256 of the document: 64 bytes r||s, plus the signer
    /// certificate (DER).
    RawP256 {
        signature: &'a [u8],
        certificate_der: &'a [u8],
    },
}

/// The signer of a signature that passed every check, as the health passport shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedSigner {
    /// The certificate subject, RFC 4514.
    pub subject: String,
    pub common_name: String,
    /// The 12 digits of the subject's `IIN…` SERIALNUMBER.
    pub iin: String,
    /// The certificate serial number, upper-case hex.
    pub serial_hex: String,
    /// The issuer, RFC 4514.
    pub issuer: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    /// "RSA-SHA256" or "ECDSA-P256-SHA256".
    pub algorithm: &'static str,
    pub certificate_der: Vec<u8>,
}

/// Verifies a signature over an expected document by an expected signer. Pluggable: a GOST
/// verifier (an NCANode adapter) can implement it later for the national CA's GOST keys.
pub trait Verifier: Send + Sync {
    fn verify(
        &self,
        input: &SignatureInput<'_>,
        expected: &Expected<'_>,
    ) -> Result<VerifiedSigner, SignatureError>;
}

/// RSA (PKCS#1 v1.5, SHA-256) and ECDSA P-256 signatures under X.509 certificates.
///
/// Built once per trust store (at start-up, or per `telemed pki verify`): another trust list or
/// CRL means another verifier with an empty cache, and the cache's keys are the hashes of the
/// certificates' and CRLs' DER, so no entry could speak for a changed one anyway.
pub struct X509Verifier {
    trust: TrustStore,
    cache: cache::SignatureCache,
}

impl X509Verifier {
    pub fn new(trust: TrustStore) -> Self {
        X509Verifier {
            trust,
            cache: cache::SignatureCache::default(),
        }
    }

    /// Forgets every remembered certificate and CRL signature, so that the next verification
    /// checks all of them again: for measuring the cold cost.
    pub fn clear_cache(&self) {
        self.cache.clear();
    }

    /// Certificate and CRL signatures checked so far, i.e. not found in the cache: a
    /// verification with a warm cache adds none.
    pub fn certificate_signature_checks(&self) -> u64 {
        self.cache.checks()
    }
}

impl Verifier for X509Verifier {
    fn verify(
        &self,
        input: &SignatureInput<'_>,
        expected: &Expected<'_>,
    ) -> Result<VerifiedSigner, SignatureError> {
        let (signer, intermediates, algorithm) = match *input {
            SignatureInput::CmsDetached(bytes) => {
                let verified = cms::verify_detached(bytes, expected.document)?;
                (verified.signer, verified.intermediates, verified.algorithm)
            }
            SignatureInput::RawP256 {
                signature,
                certificate_der,
            } => {
                let cert = raw::verify(signature, certificate_der, expected.document)?;
                (cert, Vec::new(), "ECDSA-P256-SHA256")
            }
        };
        let path = chain::build(&signer, &intermediates, &self.trust.roots, &self.cache)?;
        chain::check_validity(&path, expected.at)?;
        chain::check_signer_key_usage(&signer)?;
        crl::check(&path, &self.trust.crls, expected.at, &self.cache)?;
        let iin = subject::check_iin(&signer, expected.signer_iin)?;
        Ok(subject::verified_signer(&signer, iin, algorithm))
    }
}
