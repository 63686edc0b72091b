//! The CA itself: creating it (`init-ca`) and loading it to sign a certificate or a CRL.

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use der::Decode;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SerialNumber,
};
use rsa::pkcs8::EncodePrivateKey;

use super::files::{self, Access};
use super::index::Index;
use super::{KeyAlgorithm, crl};

/// Certificates are dated this much before their creation, for machines whose clocks lag.
pub(super) const BACKDATE: Duration = Duration::minutes(5);

/// The files of a CA folder.
#[derive(Debug, Clone)]
pub struct CaPaths {
    pub dir: PathBuf,
}

impl CaPaths {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        CaPaths { dir: dir.into() }
    }
    pub fn certificate(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }
    pub fn key(&self) -> PathBuf {
        self.dir.join("ca.key.pem")
    }
    pub fn crl(&self) -> PathBuf {
        self.dir.join("ca.crl.pem")
    }
    pub fn index(&self) -> PathBuf {
        self.dir.join("issued.json")
    }
}

#[derive(Debug, Clone)]
pub struct CaOptions {
    /// The subject common name.
    pub name: String,
    /// Validity in days from its start.
    pub days: u32,
    pub algorithm: KeyAlgorithm,
    /// When the validity starts; `None`: now. Tests that run on a fixed clock set it, so the CA
    /// is valid at their time rather than at the machine's.
    pub valid_from: Option<DateTime<Utc>>,
}

impl Default for CaOptions {
    fn default() -> Self {
        CaOptions {
            name: "telemed test CA".into(),
            days: 3650,
            algorithm: KeyAlgorithm::P256,
            valid_from: None,
        }
    }
}

/// A CA loaded from its folder, ready to sign.
pub(super) struct LoadedCa {
    pub(super) issuer: Issuer<'static, KeyPair>,
    pub(super) cert_der: Vec<u8>,
    pub(super) not_after: DateTime<Utc>,
}

/// Creates a self-signed root CA in `dir` (made if missing) with an empty CRL and index. Refuses
/// when the folder already holds a CA, so a CA key is never replaced by accident.
pub fn init_ca(dir: &Path, options: &CaOptions) -> anyhow::Result<CaPaths> {
    let paths = CaPaths::new(dir);
    for existing in [paths.certificate(), paths.key(), paths.index()] {
        anyhow::ensure!(
            !existing.exists(),
            "{} already exists: {} already holds a CA",
            existing.display(),
            dir.display()
        );
    }
    let name = options.name.trim();
    anyhow::ensure!(!name.is_empty(), "the CA name is empty");
    anyhow::ensure!(options.days > 0, "--days must be at least 1");
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;

    let key = generate_key(options.algorithm)?;
    let serial = files::random_serial();
    let now = options.valid_from.unwrap_or_else(files::now);
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CountryName, "KZ");
    params.distinguished_name.push(DnType::CommonName, name);
    params.serial_number = Some(SerialNumber::from_slice(&serial));
    params.not_before = files::to_offset(now - BACKDATE)?;
    params.not_after = files::to_offset(now + Duration::days(options.days.into()))?;
    // Path length 0: this CA signs end-entity certificates only.
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let cert = params
        .self_signed(&key)
        .context("signing the CA certificate")?;

    // The key first: if anything after it fails, the folder is refused again rather than
    // silently holding a certificate without its key.
    files::create_new(
        &paths.key(),
        key.serialize_pem().as_bytes(),
        Access::OwnerOnly,
    )?;
    files::create_new(&paths.certificate(), cert.pem().as_bytes(), Access::Public)?;
    let index = Index {
        ca_name: name.to_owned(),
        ca_serial_hex: hex::encode_upper(&serial),
        crl_number: 0,
        issued: Vec::new(),
    };
    let ca = LoadedCa {
        issuer: Issuer::new(params, key),
        cert_der: cert.der().to_vec(),
        not_after: now + Duration::days(options.days.into()),
    };
    crl::publish(&paths, &ca, index)?;
    Ok(paths)
}

/// Reads the CA certificate and key of a folder made by [`init_ca`].
pub(super) fn load(paths: &CaPaths) -> anyhow::Result<LoadedCa> {
    load_files(&paths.certificate(), &paths.key())
}

/// Reads a CA from its certificate and key files wherever they are (the platform CA's paths
/// come from the configuration).
pub(super) fn load_files(cert_path: &Path, key_path: &Path) -> anyhow::Result<LoadedCa> {
    let cert_pem = files::read_text(cert_path)?;
    let key_pem = files::read_text(key_path)?;
    let key = KeyPair::from_pem(&key_pem)
        .map_err(|e| anyhow::anyhow!("the CA key {}: {e}", key_path.display()))?;
    let (_, cert_der) = der::pem::decode_vec(cert_pem.trim().as_bytes())
        .map_err(|e| anyhow::anyhow!("the CA certificate: {e}"))?;
    let parsed = x509_cert::Certificate::from_der(&cert_der).context("the CA certificate")?;
    let since_epoch = parsed
        .tbs_certificate
        .validity
        .not_after
        .to_unix_duration()
        .as_secs();
    let not_after = DateTime::from_timestamp(i64::try_from(since_epoch)?, 0)
        .context("the CA certificate's notAfter")?;
    let issuer = Issuer::from_ca_cert_der(&cert_der.as_slice().into(), key)
        .map_err(|e| anyhow::anyhow!("the CA certificate: {e}"))?;
    Ok(LoadedCa {
        issuer,
        cert_der,
        not_after,
    })
}

/// A new key pair; RSA keys come from the `rsa` crate since ring cannot generate them.
pub(super) fn generate_key(algorithm: KeyAlgorithm) -> anyhow::Result<KeyPair> {
    match algorithm {
        KeyAlgorithm::P256 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
            .map_err(|e| anyhow::anyhow!("P-256 key: {e}")),
        KeyAlgorithm::Rsa2048 => {
            let key = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048)?;
            let der = key.to_pkcs8_der()?;
            KeyPair::try_from(der.as_bytes()).map_err(|e| anyhow::anyhow!("RSA key: {e}"))
        }
    }
}
