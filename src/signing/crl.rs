//! Revocation from the CRLs configured beside the trusted roots. A CRL counts only for the
//! certificates of the CA that signed it, and only once its signature verifies with that CA's key
//! from the validated path, so a forged or foreign CRL can neither revoke nor be confused for
//! another CA's.

use chrono::{DateTime, Utc};
use der::{Decode, Encode};
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::KeyUsage;

use super::chain::{Cert, to_chrono};
use super::errors::SignatureError;

/// A parsed CRL with its to-be-signed bytes, kept for checking its signature per path.
pub(crate) struct Crl {
    list: CertificateList,
    tbs: Vec<u8>,
}

impl Crl {
    /// One CRL, DER or PEM (`-----BEGIN X509 CRL-----`).
    pub(crate) fn parse(bytes: &[u8]) -> anyhow::Result<Crl> {
        let list = if bytes.starts_with(b"-----") {
            let text = std::str::from_utf8(bytes)?;
            let (label, der) = der::pem::decode_vec(text.trim().as_bytes())
                .map_err(|e| anyhow::anyhow!("CRL PEM: {e}"))?;
            anyhow::ensure!(label == "X509 CRL", "expected an X509 CRL, found {label}");
            CertificateList::from_der(&der)
        } else {
            CertificateList::from_der(bytes)
        }
        .map_err(|e| anyhow::anyhow!("CRL: {e}"))?;
        let tbs = list.tbs_cert_list.to_der()?;
        Ok(Crl { list, tbs })
    }

    /// Whether `issuer` (the CA that issued the certificates in question) signed this CRL.
    fn is_signed_by(&self, issuer: &Cert) -> bool {
        if issuer.parsed.tbs_certificate.subject != self.list.tbs_cert_list.issuer {
            return false;
        }
        let may_sign_crls = match issuer.extension::<KeyUsage>() {
            Ok(Some(usage)) => usage.crl_sign(),
            Ok(None) => true,
            Err(_) => false,
        };
        let Ok(key) = issuer.public_key() else {
            return false;
        };
        may_sign_crls
            && key.verify_x509(
                &self.list.signature_algorithm,
                &self.tbs,
                self.list.signature.raw_bytes(),
            )
    }

    /// When this CRL says `cert` was revoked, if it does.
    fn revocation_of(&self, cert: &Cert) -> Option<DateTime<Utc>> {
        let serial = &cert.parsed.tbs_certificate.serial_number;
        self.list
            .tbs_cert_list
            .revoked_certificates
            .as_deref()?
            .iter()
            .find(|r| &r.serial_number == serial)
            .map(|r| to_chrono(r.revocation_date))
    }
}

/// Each certificate of the path below the root against its issuer's CRLs. A revocation dated after
/// `at` does not count: a record signed before the doctor's certificate was revoked stays valid
/// when it is verified again later.
pub(crate) fn check(path: &[&Cert], crls: &[Crl], at: DateTime<Utc>) -> Result<(), SignatureError> {
    for pair in path.windows(2) {
        let (cert, issuer) = (pair[0], pair[1]);
        let revoked = crls
            .iter()
            .filter(|crl| crl.is_signed_by(issuer))
            .filter_map(|crl| crl.revocation_of(cert))
            .any(|when| when <= at);
        if revoked {
            return Err(SignatureError::CertificateRevoked);
        }
    }
    Ok(())
}
