//! Why a signature was refused: one variant per rule, each with a stable code the front end
//! translates and the audit log records.

/// A signature the platform refuses, and the rule that refused it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The signature does not verify with the signer certificate's key.
    #[error("the signature does not verify with the signer's certificate")]
    SignatureInvalid,
    /// No chain from the signer certificate to a configured trusted root.
    #[error("the signer's certificate does not chain to a trusted root")]
    CertificateUntrusted,
    /// A certificate of the chain was not valid at the time of signing (expired or not yet valid).
    #[error("a certificate of the chain was not valid at the time of signing")]
    CertificateExpired,
    /// A configured CRL of the issuer lists the certificate.
    #[error("the signer's certificate is revoked")]
    CertificateRevoked,
    /// The signer certificate is not meant for signatures (digitalSignature / nonRepudiation).
    #[error("the signer's certificate is not issued for electronic signatures")]
    KeyUsage,
    /// The certificate names someone else (IIN), or the CMS names a certificate it does not carry.
    #[error("the signer is not the expected person")]
    SignerMismatch,
    /// The signed `messageDigest` is not the SHA-256 of the document: another document was signed.
    #[error("the signature is over another document")]
    DigestMismatch,
    /// Not a signature this verifier can read.
    #[error("malformed signature: {0}")]
    Malformed(String),
}

impl SignatureError {
    /// The stable code shown to clients and written to the audit log.
    pub fn code(&self) -> &'static str {
        match self {
            SignatureError::SignatureInvalid => "signature_invalid",
            SignatureError::CertificateUntrusted => "certificate_untrusted",
            SignatureError::CertificateExpired => "certificate_expired",
            SignatureError::CertificateRevoked => "certificate_revoked",
            SignatureError::KeyUsage => "key_usage",
            SignatureError::SignerMismatch => "signer_mismatch",
            SignatureError::DigestMismatch => "digest_mismatch",
            SignatureError::Malformed(_) => "signature_malformed",
        }
    }

    pub(crate) fn malformed(what: impl std::fmt::Display) -> Self {
        SignatureError::Malformed(what.to_string())
    }
}
