//! The configured trust: the root certificates a signer's chain must end in, and the CRLs.

use std::path::PathBuf;

use anyhow::Context;
use x509_cert::Certificate;

use super::chain::Cert;
use super::crl::Crl;

/// Trusted root certificates and the CRLs of their hierarchies.
pub struct TrustStore {
    pub(crate) roots: Vec<Cert>,
    pub(crate) crls: Vec<Crl>,
}

impl TrustStore {
    /// No roots: nothing verifies (`certificate_untrusted`). A fresh install until configured.
    pub fn empty() -> TrustStore {
        TrustStore {
            roots: Vec::new(),
            crls: Vec::new(),
        }
    }

    /// Roots as concatenated PEM certificates; each CRL as DER or PEM.
    pub fn from_pem(roots_pem: &[u8], crls: &[Vec<u8>]) -> anyhow::Result<TrustStore> {
        let roots = parse_pem_certificates(roots_pem)?;
        anyhow::ensure!(!roots.is_empty(), "no trusted root certificate given");
        let crls = crls
            .iter()
            .enumerate()
            .map(|(i, bytes)| Crl::parse(bytes).with_context(|| format!("CRL #{}", i + 1)))
            .collect::<anyhow::Result<_>>()?;
        Ok(TrustStore { roots, crls })
    }

    /// Root files in PEM (one or more certificates) or DER (one, as the national CA publishes its
    /// `.cer` files); CRL files in DER or PEM.
    pub fn from_files(root_paths: &[PathBuf], crl_paths: &[PathBuf]) -> anyhow::Result<TrustStore> {
        let mut roots = Vec::new();
        for path in root_paths {
            let bytes =
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            let parsed = if bytes.starts_with(b"-----") {
                parse_pem_certificates(&bytes)
            } else {
                Cert::from_der(&bytes)
                    .map(|c| vec![c])
                    .map_err(anyhow::Error::msg)
            };
            roots.extend(parsed.with_context(|| format!("root certificate {}", path.display()))?);
        }
        anyhow::ensure!(!roots.is_empty(), "no trusted root certificate given");
        let mut crls = Vec::new();
        for path in crl_paths {
            let bytes =
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            crls.push(Crl::parse(&bytes).with_context(|| format!("CRL {}", path.display()))?);
        }
        Ok(TrustStore { roots, crls })
    }

    /// How many roots and CRLs are configured, for the start-up log.
    pub fn counts(&self) -> (usize, usize) {
        (self.roots.len(), self.crls.len())
    }
}

fn parse_pem_certificates(pem: &[u8]) -> anyhow::Result<Vec<Cert>> {
    Certificate::load_pem_chain(pem)
        .map_err(|e| anyhow::anyhow!("PEM certificates: {e}"))?
        .into_iter()
        .map(|c| Cert::from_parsed(c).map_err(anyhow::Error::msg))
        .collect()
}
