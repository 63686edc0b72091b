//! `sign` and `verify` over files, for scripts and tests: the same detached CMS NCALayer returns,
//! checked by the same verifier the service uses.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use der::Encode;

use super::files;
use crate::signing::{
    Expected, SignatureError, SignatureInput, TrustStore, VerifiedSigner, Verifier, X509Verifier,
    sign_cms_detached,
};

/// A detached CMS over `document`'s exact bytes, with the PKCS#8 PEM key and the certificate PEM
/// file (the signer first; any further certificates in it travel in the CMS as the chain).
pub fn sign_document(key_pem: &Path, cert_pem: &Path, document: &[u8]) -> anyhow::Result<Vec<u8>> {
    let key_text = files::read_text(key_pem)?;
    let (label, key_der) = der::pem::decode_vec(key_text.trim().as_bytes())
        .map_err(|e| anyhow::anyhow!("{}: {e}", key_pem.display()))?;
    anyhow::ensure!(
        label == "PRIVATE KEY",
        "{}: expected a PKCS#8 \"PRIVATE KEY\", found {label:?}",
        key_pem.display()
    );
    let certificates = x509_cert::Certificate::load_pem_chain(&files::read(cert_pem)?)
        .and_then(|certs| {
            certs
                .iter()
                .map(Encode::to_der)
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(|e| anyhow::anyhow!("{}: {e}", cert_pem.display()))?;
    let (signer, chain) = certificates
        .split_first()
        .ok_or_else(|| anyhow::anyhow!("{}: no certificate", cert_pem.display()))?;
    sign_cms_detached(document, signer, &key_der, chain)
}

/// Verifies a detached CMS (DER, base64 or PEM) over `document` by the holder of `iin` at `at`,
/// against the given roots and CRLs. The outer error is about reading the trust files; the inner
/// result is the verdict.
pub fn verify_document(
    roots: &[PathBuf],
    crls: &[PathBuf],
    document: &[u8],
    signature: &[u8],
    iin: &str,
    at: DateTime<Utc>,
) -> anyhow::Result<Result<VerifiedSigner, SignatureError>> {
    let verifier = X509Verifier::new(TrustStore::from_files(roots, crls)?);
    Ok(verifier.verify(
        &SignatureInput::CmsDetached(signature),
        &Expected {
            document,
            signer_iin: iin,
            at,
        },
    ))
}
