//! Who a certificate names: the national CA puts the IIN in the subject's SERIALNUMBER as
//! `IIN` + 12 digits and the person's name in CN.

use der::asn1::ObjectIdentifier as Oid;
use der::{Tag, Tagged};
use x509_cert::name::Name;

use super::VerifiedSigner;
use super::chain::{Cert, to_chrono};
use super::errors::SignatureError;
use super::rfc4514;

const COMMON_NAME: Oid = Oid::new_unwrap("2.5.4.3");
const SERIAL_NUMBER: Oid = Oid::new_unwrap("2.5.4.5");

/// The first value of attribute `oid` in `name`, for the string types CAs use.
fn attribute(name: &Name, oid: Oid) -> Option<String> {
    let value = name
        .0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .find(|atv| atv.oid == oid)?
        .value
        .clone();
    let bytes = value.value();
    match value.tag() {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::TeletexString => {
            String::from_utf8(bytes.to_vec()).ok()
        }
        Tag::BmpString => {
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
        _ => None,
    }
}

/// The 12 digits after `IIN` in the subject's SERIALNUMBER, if it has that form.
fn subject_iin(cert: &Cert) -> Option<String> {
    let serial = attribute(&cert.parsed.tbs_certificate.subject, SERIAL_NUMBER)?;
    let digits = serial.strip_prefix("IIN")?;
    (digits.len() == 12 && digits.bytes().all(|b| b.is_ascii_digit())).then(|| digits.to_owned())
}

/// The certificate must name the person the platform expects to sign.
pub(crate) fn check_iin(cert: &Cert, expected_iin: &str) -> Result<String, SignatureError> {
    match subject_iin(cert) {
        Some(iin) if iin == expected_iin => Ok(iin),
        _ => Err(SignatureError::SignerMismatch),
    }
}

pub(crate) fn verified_signer(cert: &Cert, iin: String, algorithm: &'static str) -> VerifiedSigner {
    let tbs = &cert.parsed.tbs_certificate;
    VerifiedSigner {
        subject: rfc4514::format(&tbs.subject),
        common_name: attribute(&tbs.subject, COMMON_NAME).unwrap_or_default(),
        iin,
        serial_hex: hex::encode_upper(tbs.serial_number.as_bytes()),
        issuer: rfc4514::format(&tbs.issuer),
        not_before: to_chrono(tbs.validity.not_before),
        not_after: to_chrono(tbs.validity.not_after),
        algorithm,
        certificate_der: cert.der.clone(),
    }
}
