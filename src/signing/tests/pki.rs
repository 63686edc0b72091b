//! A test PKI made with rcgen at test time, once per test run: an RSA-2048 root (in the trust
//! store), a P-256 intermediate under it, doctor certificates of each kind the rules must refuse,
//! and an untrusted root. Everything is dated around `at()`, not the clock, so the tests do not
//! rot; OpenSSL is told the same time with `-attime`.

use std::sync::OnceLock;

use chrono::{DateTime, TimeZone, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DnType, DnValue, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, RevokedCertParams, SerialNumber, date_time_ymd,
};
use rsa::pkcs8::EncodePrivateKey;

pub(super) const IIN: &str = "850101300123";
pub(super) const OTHER_IIN: &str = "900202400456";

/// The platform's time of receipt used by every test.
pub(super) fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

/// A certificate with its private key (PKCS#8 DER).
pub(super) struct Holder {
    pub(super) cert_der: Vec<u8>,
    pub(super) key_der: Vec<u8>,
}

impl Holder {
    pub(super) fn cert_pem(&self) -> String {
        pem("CERTIFICATE", &self.cert_der)
    }
    pub(super) fn key_pem(&self) -> String {
        pem("PRIVATE KEY", &self.key_der)
    }
}

pub(super) fn pem(label: &str, der: &[u8]) -> String {
    der::pem::encode_string(label, der::pem::LineEnding::LF, der).expect("PEM")
}

pub(super) struct Pki {
    pub(super) root: Holder,
    pub(super) intermediate: Holder,
    pub(super) crl_der: Vec<u8>,
    /// The same revocation, signed by the untrusted CA that shares the intermediate's name.
    pub(super) forged_crl_der: Vec<u8>,
    /// A WebCrypto key the platform CA (here the root) certified at enrolment.
    pub(super) enrolled: Holder,
    pub(super) doctor_rsa: Holder,
    pub(super) doctor_p256: Holder,
    pub(super) revoked: Holder,
    pub(super) expired: Holder,
    pub(super) not_yet_valid: Holder,
    pub(super) wrong_key_usage: Holder,
    pub(super) untrusted: Holder,
    pub(super) untrusted_intermediate: Holder,
}

pub(super) fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(make)
}

/// RSA keys come from the `rsa` crate: ring (rcgen's backend here) cannot generate them.
pub(super) fn rsa_key() -> KeyPair {
    let key = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).expect("RSA key");
    let der = key.to_pkcs8_der().expect("PKCS#8");
    KeyPair::try_from(der.as_bytes()).expect("rcgen RSA key")
}

pub(super) fn p256_key() -> KeyPair {
    KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("P-256 key")
}

fn ca_params(name: &str) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(DnType::CountryName, "KZ");
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.not_before = date_time_ymd(2020, 1, 1);
    params.not_after = date_time_ymd(2040, 1, 1);
    params
}

pub(super) struct DoctorSpec {
    pub(super) serial: u64,
    pub(super) iin: &'static str,
    pub(super) name: &'static str,
    pub(super) years: (i32, i32),
    pub(super) usages: Vec<KeyUsagePurpose>,
}

impl DoctorSpec {
    pub(super) fn new(serial: u64) -> Self {
        DoctorSpec {
            serial,
            iin: IIN,
            name: "АХМЕТОВ АЛИХАН",
            years: (2025, 2027),
            usages: vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::ContentCommitment,
            ],
        }
    }

    pub(super) fn issue(self, key: KeyPair, issuer: &Issuer<'_, KeyPair>) -> Holder {
        let mut params = CertificateParams::default();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(DnType::CommonName, self.name);
        params.distinguished_name.push(
            DnType::CustomDnType(vec![2, 5, 4, 5]),
            DnValue::PrintableString(format!("IIN{}", self.iin).try_into().expect("printable")),
        );
        params.distinguished_name.push(DnType::CountryName, "KZ");
        params.serial_number = Some(SerialNumber::from(self.serial));
        params.not_before = date_time_ymd(self.years.0, 1, 1);
        params.not_after = date_time_ymd(self.years.1, 1, 1);
        params.key_usages = self.usages;
        params.use_authority_key_identifier_extension = true;
        let cert = params.signed_by(&key, issuer).expect("doctor certificate");
        Holder {
            cert_der: cert.der().to_vec(),
            key_der: key.serialize_der(),
        }
    }
}

fn make() -> Pki {
    let root_key = rsa_key();
    let root_params = ca_params("Test Root CA (RSA)");
    let root_cert = root_params.self_signed(&root_key).expect("root");
    let root = Holder {
        cert_der: root_cert.der().to_vec(),
        key_der: root_key.serialize_der(),
    };
    let root_issuer = Issuer::new(root_params, root_key);

    let inter_key = p256_key();
    let mut inter_params = ca_params("Test Doctors CA (P-256)");
    inter_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    inter_params.use_authority_key_identifier_extension = true;
    let inter_cert = inter_params
        .signed_by(&inter_key, &root_issuer)
        .expect("intermediate");
    let intermediate = Holder {
        cert_der: inter_cert.der().to_vec(),
        key_der: inter_key.serialize_der(),
    };
    let inter = Issuer::new(inter_params, inter_key);

    let revoked_serial = 0x5e_01;
    let crl_params = CertificateRevocationListParams {
        this_update: date_time_ymd(2026, 1, 1),
        next_update: date_time_ymd(2026, 12, 31),
        crl_number: SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: vec![RevokedCertParams {
            serial_number: SerialNumber::from(revoked_serial),
            revocation_time: date_time_ymd(2026, 3, 1),
            reason_code: Some(rcgen::RevocationReason::KeyCompromise),
            invalidity_date: None,
        }],
        key_identifier_method: rcgen::KeyIdMethod::Sha256,
    };
    let crl = crl_params.signed_by(&inter).expect("CRL");

    let untrusted_key = p256_key();
    let untrusted_params = ca_params("Test Doctors CA (P-256)");
    let untrusted_root = Issuer::new(untrusted_params.clone(), untrusted_key);
    let untrusted_root_cert = untrusted_params
        .self_signed(untrusted_root.key())
        .expect("untrusted root");
    let forged_crl = crl_params.signed_by(&untrusted_root).expect("forged CRL");

    Pki {
        doctor_rsa: DoctorSpec::new(0x10).issue(rsa_key(), &inter),
        doctor_p256: DoctorSpec::new(0x11).issue(p256_key(), &inter),
        revoked: DoctorSpec::new(revoked_serial).issue(p256_key(), &inter),
        expired: DoctorSpec {
            years: (2023, 2025),
            ..DoctorSpec::new(0x12)
        }
        .issue(p256_key(), &inter),
        not_yet_valid: DoctorSpec {
            years: (2027, 2029),
            ..DoctorSpec::new(0x13)
        }
        .issue(p256_key(), &inter),
        wrong_key_usage: DoctorSpec {
            usages: vec![
                KeyUsagePurpose::KeyCertSign,
                KeyUsagePurpose::KeyEncipherment,
            ],
            ..DoctorSpec::new(0x14)
        }
        .issue(p256_key(), &inter),
        // Same issuer name as the real intermediate: only the signatures tell them apart.
        untrusted: DoctorSpec::new(0x15).issue(p256_key(), &untrusted_root),
        untrusted_intermediate: Holder {
            cert_der: untrusted_root_cert.der().to_vec(),
            key_der: Vec::new(),
        },
        crl_der: crl.der().to_vec(),
        forged_crl_der: forged_crl.der().to_vec(),
        enrolled: DoctorSpec::new(0x20).issue(p256_key(), &root_issuer),
        root,
        intermediate,
    }
}
