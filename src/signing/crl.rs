//! Revocation from the CRLs configured beside the trusted roots. A CRL counts only for the
//! certificates of the CA that signed it, and only once its signature verifies with that CA's key
//! from the validated path, so a forged or foreign CRL can neither revoke nor be confused for
//! another CA's. The signature check is remembered in the `SignatureCache` under the CRL's hash;
//! the issuer, the key usage and the lookup of each serial run every time.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use der::{Decode, Encode};
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::KeyUsage;

use super::cache::{self, Digest, SignatureCache};
use super::chain::{Cert, to_chrono};
use super::errors::SignatureError;

/// A parsed CRL with its to-be-signed bytes, kept for checking its signature per path, the
/// SHA-256 of its DER, hashed once here rather than on each verification, and its entries indexed
/// by serial: a national CA's CRL lists hundreds of thousands, too many to scan per signature.
pub(crate) struct Crl {
    list: CertificateList,
    tbs: Vec<u8>,
    digest: Digest,
    /// Serial number (its DER INTEGER contents) → revocation date.
    revoked: HashMap<Vec<u8>, DateTime<Utc>>,
}

impl Crl {
    /// One CRL, DER or PEM (`-----BEGIN X509 CRL-----`).
    pub(crate) fn parse(bytes: &[u8]) -> anyhow::Result<Crl> {
        let der = if bytes.starts_with(b"-----") {
            let text = std::str::from_utf8(bytes)?;
            let (label, der) = der::pem::decode_vec(text.trim().as_bytes())
                .map_err(|e| anyhow::anyhow!("CRL PEM: {e}"))?;
            anyhow::ensure!(label == "X509 CRL", "expected an X509 CRL, found {label}");
            der
        } else {
            bytes.to_vec()
        };
        let mut list = CertificateList::from_der(&der).map_err(|e| anyhow::anyhow!("CRL: {e}"))?;
        let tbs = list.tbs_cert_list.to_der()?;
        // The entries move into the index: the signature is checked over `tbs`, not the list.
        let mut revoked = HashMap::new();
        for entry in list
            .tbs_cert_list
            .revoked_certificates
            .take()
            .unwrap_or_default()
        {
            // A serial listed twice counts with its first date, as a scan from the top would.
            revoked
                .entry(entry.serial_number.as_bytes().to_vec())
                .or_insert_with(|| to_chrono(entry.revocation_date));
        }
        Ok(Crl {
            list,
            tbs,
            digest: cache::digest(&der),
            revoked,
        })
    }

    /// Whether `issuer` (the CA that issued the certificates in question) signed this CRL.
    fn is_signed_by(&self, issuer: &Cert, cache: &SignatureCache) -> bool {
        if issuer.parsed.tbs_certificate.subject != self.list.tbs_cert_list.issuer {
            return false;
        }
        let may_sign_crls = match issuer.extension::<KeyUsage>() {
            Ok(Some(usage)) => usage.crl_sign(),
            Ok(None) => true,
            Err(_) => false,
        };
        may_sign_crls
            && cache.verified(&self.digest, &issuer.digest, || {
                issuer.public_key().is_ok_and(|key| {
                    key.verify_x509(
                        &self.list.signature_algorithm,
                        &self.tbs,
                        self.list.signature.raw_bytes(),
                    )
                })
            })
    }

    /// When this CRL says `cert` was revoked, if it does.
    fn revocation_of(&self, cert: &Cert) -> Option<DateTime<Utc>> {
        let serial = cert.parsed.tbs_certificate.serial_number.as_bytes();
        self.revoked.get(serial).copied()
    }
}

/// Each certificate of the path below the root against its issuer's CRLs. A revocation dated after
/// `at` does not count: a record signed before the doctor's certificate was revoked stays valid
/// when it is verified again later.
pub(crate) fn check(
    path: &[&Cert],
    crls: &[Crl],
    at: DateTime<Utc>,
    cache: &SignatureCache,
) -> Result<(), SignatureError> {
    for pair in path.windows(2) {
        let (cert, issuer) = (pair[0], pair[1]);
        let revoked = crls
            .iter()
            .filter(|crl| crl.is_signed_by(issuer, cache))
            .filter_map(|crl| crl.revocation_of(cert))
            .any(|when| when <= at);
        if revoked {
            return Err(SignatureError::CertificateRevoked);
        }
    }
    Ok(())
}
