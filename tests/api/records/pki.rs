//! A compact test CA made with rcgen at test time: a P-256 root the app trusts (its PEM written
//! to a file named in `signing.trusted_roots`) and doctor certificates it issues on demand, with
//! the subject SERIALNUMBER `IIN` + 12 digits the national CA uses.

use std::path::PathBuf;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, DnValue, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    SerialNumber, date_time_ymd,
};

pub struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    pub root_pem: String,
    next_serial: u64,
    /// Where the root's PEM is written for the app to trust; gone with the CA.
    dir: tempfile::TempDir,
}

/// A doctor's certificate (DER) and private key (PKCS#8 DER).
pub struct Holder {
    pub cert_der: Vec<u8>,
    pub key_der: Vec<u8>,
}

impl TestCa {
    pub fn new() -> TestCa {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("root key");
        let mut params = CertificateParams::default();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params.distinguished_name.push(DnType::CountryName, "KZ");
        params
            .distinguished_name
            .push(DnType::CommonName, "telemed test root");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.not_before = date_time_ymd(2020, 1, 1);
        params.not_after = date_time_ymd(2040, 1, 1);
        let cert = params.self_signed(&key).expect("root certificate");
        TestCa {
            root_pem: cert.pem(),
            issuer: Issuer::new(params, key),
            next_serial: 0x100,
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// Writes the root where the app's settings can name it (`signing.trusted_roots`).
    pub fn root_file(&self) -> PathBuf {
        let path = self.dir.path().join("root.pem");
        std::fs::write(&path, &self.root_pem).expect("root PEM written");
        path
    }

    /// A signing certificate for `iin`, valid 2020–2040, digitalSignature + nonRepudiation.
    pub fn issue(&mut self, iin: &str, name: &str) -> Holder {
        self.next_serial += 1;
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("doctor key");
        let mut params = CertificateParams::default();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params.distinguished_name.push(DnType::CommonName, name);
        params.distinguished_name.push(
            DnType::CustomDnType(vec![2, 5, 4, 5]),
            DnValue::PrintableString(format!("IIN{iin}").try_into().expect("printable")),
        );
        params.distinguished_name.push(DnType::CountryName, "KZ");
        params.serial_number = Some(SerialNumber::from(self.next_serial));
        params.not_before = date_time_ymd(2020, 1, 1);
        params.not_after = date_time_ymd(2040, 1, 1);
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::ContentCommitment,
        ];
        params.use_authority_key_identifier_extension = true;
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("doctor certificate");
        Holder {
            cert_der: cert.der().to_vec(),
            key_der: key.serialize_der(),
        }
    }
}
