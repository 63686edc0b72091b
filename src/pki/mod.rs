//! `telemed pki`: a small certification authority for development and tests — a root CA, doctor
//! certificates with the IIN in the subject, a CRL, and detached CMS signing and verification of
//! files. Production trusts the national CA's roots (НУЦ РК) instead; nothing here is used by
//! the service to decide whether a signature is valid, that is `crate::signing`.
//!
//! A CA folder holds `ca.pem` (the certificate), `ca.key.pem` (PKCS#8, mode 0600), `ca.crl.pem`
//! and `issued.json`, the record of every serial issued and revoked from which the CRL is rebuilt.

pub mod cli;

mod ca;
mod crl;
pub mod development;
mod enrol;
mod files;
mod index;
mod issue;
mod tools;

#[cfg(test)]
mod tests;

pub use ca::{CaOptions, CaPaths, init_ca};
pub use crl::{RevocationReason, Revoked, revoke};
pub use enrol::{KeyCertificate, issue_for_key};
pub use index::{Index, IssuedEntry, Revocation};
pub use issue::{DEV_PASSWORD, IssueOptions, Issued, issue};
pub use tools::{sign_document, verify_document};

/// The key type of a new CA or certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAlgorithm {
    /// ECDSA on NIST P-256, signing with SHA-256.
    P256,
    /// RSA 2048 bits, PKCS#1 v1.5 with SHA-256.
    Rsa2048,
}

impl KeyAlgorithm {
    pub fn from_rsa_flag(rsa: bool) -> Self {
        if rsa {
            KeyAlgorithm::Rsa2048
        } else {
            KeyAlgorithm::P256
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            KeyAlgorithm::P256 => "ECDSA-P256",
            KeyAlgorithm::Rsa2048 => "RSA-2048",
        }
    }
}
