//! `issue`: a doctor's signing certificate and key, as a PKCS#12 store (what NCALayer-style tools
//! and browsers import) and as PEM files for scripts.

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use p12_keystore::{Certificate as P12Certificate, KeyStore, KeyStoreEntry, PrivateKeyChain};
use rcgen::{CertificateParams, DistinguishedName, DnType, DnValue, IsCa, KeyUsagePurpose};
use sha2::{Digest, Sha256};

use super::KeyAlgorithm;
use super::ca::{self, BACKDATE, CaPaths};
use super::files::{self, Access};
use super::index::{Index, IssuedEntry};
use crate::domain::iin::Iin;

/// The PKCS#12 password when none is given. For development stores only: anyone who reads this
/// source can open them.
pub const DEV_PASSWORD: &str = "telemed-dev";

#[derive(Debug, Clone)]
pub struct IssueOptions {
    /// The doctor's IIN, 12 digits with a valid check digit.
    pub iin: String,
    /// The full name, the subject common name.
    pub name: String,
    pub days: u32,
    pub algorithm: KeyAlgorithm,
    /// Where the PKCS#12 goes; `FILE.cert.pem` and `FILE.key.pem` are written beside it. By
    /// default `DIR/IIN<iin>-<serial>.p12`.
    pub out: Option<PathBuf>,
    pub password: String,
}

/// What [`issue`] wrote.
#[derive(Debug, Clone)]
pub struct Issued {
    pub serial_hex: String,
    pub p12: PathBuf,
    pub cert_pem: PathBuf,
    pub key_pem: PathBuf,
    pub not_after: DateTime<Utc>,
}

/// Issues a signing certificate under the CA in `dir`: subject CN=name, SERIALNUMBER=IIN<iin>,
/// C=KZ, key usage digitalSignature and nonRepudiation, valid for `days` but never past the CA.
pub fn issue(dir: &Path, options: &IssueOptions) -> anyhow::Result<Issued> {
    let iin = Iin::parse(options.iin.trim())
        .map_err(|e| anyhow::anyhow!("--iin {:?}: {e}", options.iin))?;
    let name = options.name.trim();
    anyhow::ensure!(!name.is_empty(), "the name is empty");
    anyhow::ensure!(options.days > 0, "--days must be at least 1");
    let paths = CaPaths::new(dir);
    let ca = ca::load(&paths)?;
    let mut index = Index::load(&paths.index())?;

    let serial = loop {
        let serial = files::random_serial();
        if index.find(&hex::encode_upper(&serial)).is_none() {
            break serial;
        }
    };
    let serial_hex = hex::encode_upper(&serial);
    let p12 = options
        .out
        .clone()
        .unwrap_or_else(|| dir.join(format!("IIN{iin}-{serial_hex}.p12")));
    let cert_pem = p12.with_extension("cert.pem");
    let key_pem = p12.with_extension("key.pem");
    for path in [&p12, &cert_pem, &key_pem] {
        anyhow::ensure!(!path.exists(), "{} already exists", path.display());
    }

    let now = files::now();
    let not_after = (now + Duration::days(options.days.into())).min(ca.not_after);
    let key = ca::generate_key(options.algorithm)?;
    let params = signer_params(&iin, name, &serial, now, not_after)?;
    let cert = params
        .signed_by(&key, &ca.issuer)
        .context("signing the certificate")?;
    let key_der = key.serialize_der();

    let store = pkcs12(name, &key_der, cert.der(), &ca.cert_der, &options.password)?;
    files::create_new(&p12, &store, Access::OwnerOnly)?;
    files::create_new(&key_pem, key.serialize_pem().as_bytes(), Access::OwnerOnly)?;
    files::create_new(&cert_pem, cert.pem().as_bytes(), Access::Public)?;
    index.issued.push(IssuedEntry {
        serial_hex: serial_hex.clone(),
        iin: iin.to_string(),
        name: name.to_owned(),
        algorithm: options.algorithm.name().to_owned(),
        not_before: now - BACKDATE,
        not_after,
        revoked: None,
    });
    index.save(&paths.index())?;
    Ok(Issued {
        serial_hex,
        p12,
        cert_pem,
        key_pem,
        not_after,
    })
}

/// The certificate of a signer as the national CA writes it: CN=name, SERIALNUMBER=IIN<iin>,
/// C=KZ, key usage digitalSignature and nonRepudiation.
pub(super) fn signer_params(
    iin: &Iin,
    name: &str,
    serial: &[u8],
    now: DateTime<Utc>,
    not_after: DateTime<Utc>,
) -> anyhow::Result<CertificateParams> {
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, name);
    // SERIALNUMBER (2.5.4.5) "IIN" + 12 digits, as the national CA writes it.
    params.distinguished_name.push(
        DnType::CustomDnType(vec![2, 5, 4, 5]),
        DnValue::PrintableString(format!("IIN{iin}").try_into()?),
    );
    params.distinguished_name.push(DnType::CountryName, "KZ");
    params.serial_number = Some(rcgen::SerialNumber::from_slice(serial));
    params.not_before = files::to_offset(now - BACKDATE)?;
    params.not_after = files::to_offset(not_after)?;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    params.use_authority_key_identifier_extension = true;
    Ok(params)
}

/// A PKCS#12 store with the key and its chain (certificate, then the CA), PBES2 AES-256 and an
/// HMAC-SHA256 MAC, the defaults of current Java and OpenSSL.
fn pkcs12(
    alias: &str,
    key_der: &[u8],
    cert_der: &[u8],
    ca_der: &[u8],
    password: &str,
) -> anyhow::Result<Vec<u8>> {
    let chain = [cert_der, ca_der]
        .into_iter()
        .map(P12Certificate::from_der)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("PKCS#12 certificate: {e}"))?;
    // The localKeyId ties the key bag to its certificate bag; any stable value does.
    let local_key_id = &Sha256::digest(cert_der)[..20];
    let mut store = KeyStore::new();
    store.add_entry(
        alias,
        KeyStoreEntry::PrivateKeyChain(PrivateKeyChain::new(key_der, local_key_id, chain)),
    );
    store
        .writer(password)
        .write()
        .map_err(|e| anyhow::anyhow!("writing the PKCS#12 store: {e}"))
}
