//! Detached CMS SignedData as NCALayer returns it (`kz.gov.pki.knca.basics`, format "cms",
//! encapsulate false): the document travels apart, the signature signs its SHA-256 through the
//! `messageDigest` signed attribute.

use base64::Engine;
use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{CertificateSet, SignedData, SignerIdentifier, SignerInfo};
use der::asn1::{ObjectIdentifier as Oid, OctetString};
use der::{AnyRef, Decode, Encode, Reader, SliceReader, Tag, TagNumber, Tagged};
use sha2::{Digest, Sha256};

use super::chain::Cert;
use super::errors::SignatureError;
use super::keys::{self, PublicKey};

pub(crate) const ID_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
pub(crate) const ID_SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
pub(crate) const ATTR_CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
pub(crate) const ATTR_MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
pub(crate) const ATTR_SIGNING_TIME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.5");

/// A CMS whose signature over `document` verified, with what the chain check needs next.
pub(crate) struct CmsSigner {
    pub(crate) signer: Cert,
    pub(crate) intermediates: Vec<Cert>,
    pub(crate) algorithm: &'static str,
}

/// Parse, check the digest, then the signature: in this order so that a changed document is
/// reported as `digest_mismatch`.
pub(crate) fn verify_detached(input: &[u8], document: &[u8]) -> Result<CmsSigner, SignatureError> {
    let der = decode_transport(input)?;
    let info = ContentInfo::from_der(&der).map_err(SignatureError::malformed)?;
    if info.content_type != ID_SIGNED_DATA {
        return Err(SignatureError::malformed("not a CMS SignedData"));
    }
    let mut signed: SignedData = info
        .content
        .decode_as()
        .map_err(SignatureError::malformed)?;
    if signed.encap_content_info.econtent.is_some() {
        return Err(SignatureError::malformed(
            "the CMS carries the document: expected detached",
        ));
    }
    if signed.encap_content_info.econtent_type != ID_DATA {
        return Err(SignatureError::malformed(
            "encapsulated content type is not id-data",
        ));
    }
    let [signer_info] = signed.signer_infos.0.as_slice() else {
        return Err(SignatureError::malformed("expected exactly one SignerInfo"));
    };
    if signer_info.digest_alg.oid != keys::SHA256 {
        return Err(SignatureError::malformed("digest algorithm is not SHA-256"));
    }
    let certificates = certificates(signed.certificates.take())?;
    let signer_index = find_signer(&certificates, &signer_info.sid)?;
    let message_digest = signed_attributes(signer_info)?;

    if message_digest != Sha256::digest(document).as_slice() {
        return Err(SignatureError::DigestMismatch);
    }

    let key = certificates[signer_index]
        .public_key()
        .map_err(SignatureError::Malformed)?;
    check_algorithm_matches_key(signer_info, &key)?;
    let signed_bytes = raw_signed_attributes(&der)?;
    if !key.verify_sha256(&signed_bytes, signer_info.signature.as_bytes()) {
        return Err(SignatureError::SignatureInvalid);
    }

    let algorithm = key.document_algorithm();
    let mut intermediates = certificates;
    let signer = intermediates.swap_remove(signer_index);
    Ok(CmsSigner {
        signer,
        intermediates,
        algorithm,
    })
}

/// NCALayer hands back base64; files and tests use DER. A DER SignedData starts with SEQUENCE.
fn decode_transport(input: &[u8]) -> Result<Vec<u8>, SignatureError> {
    if input.first() == Some(&0x30) {
        return Ok(input.to_vec());
    }
    let text =
        std::str::from_utf8(input).map_err(|_| SignatureError::malformed("not DER nor base64"))?;
    let body: String = text
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .flat_map(|line| line.chars())
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .map_err(|_| SignatureError::malformed("not DER nor base64"))
}

/// Moved out of the parsed SignedData rather than cloned: each verification parses them anyway.
fn certificates(set: Option<CertificateSet>) -> Result<Vec<Cert>, SignatureError> {
    let Some(set) = set else {
        return Err(SignatureError::malformed("the CMS carries no certificate"));
    };
    set.0
        .into_vec()
        .into_iter()
        .filter_map(|choice| match choice {
            CertificateChoices::Certificate(cert) => Some(cert),
            CertificateChoices::Other(_) => None,
        })
        .map(|cert| Cert::from_parsed(cert).map_err(SignatureError::Malformed))
        .collect()
}

/// The certificate the SignerInfo names; a CMS naming a certificate it does not carry is not
/// this signer's.
fn find_signer(certificates: &[Cert], sid: &SignerIdentifier) -> Result<usize, SignatureError> {
    certificates
        .iter()
        .position(|cert| match sid {
            SignerIdentifier::IssuerAndSerialNumber(ias) => {
                let tbs = &cert.parsed.tbs_certificate;
                tbs.issuer == ias.issuer && tbs.serial_number == ias.serial_number
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => {
                cert.subject_key_identifier().as_deref() == Some(ski.0.as_bytes())
            }
        })
        .ok_or(SignatureError::SignerMismatch)
}

/// Checks contentType and returns messageDigest. Without signed attributes the signature would be
/// over the document itself, which NCALayer never produces and the digest rule cannot check.
fn signed_attributes(info: &SignerInfo) -> Result<Vec<u8>, SignatureError> {
    let attributes = info
        .signed_attrs
        .as_ref()
        .ok_or_else(|| SignatureError::malformed("no signed attributes"))?;
    let single_value = |oid: Oid| -> Result<Option<&der::Any>, SignatureError> {
        let mut found = attributes.iter().filter(|a| a.oid == oid);
        match (found.next(), found.next()) {
            (None, _) => Ok(None),
            (Some(attr), None) if attr.values.len() == 1 => Ok(attr.values.get(0)),
            _ => Err(SignatureError::malformed(format!(
                "attribute {oid} is not single-valued"
            ))),
        }
    };
    let content_type = single_value(ATTR_CONTENT_TYPE)?
        .ok_or_else(|| SignatureError::malformed("no contentType attribute"))?;
    if content_type.decode_as::<Oid>().ok() != Some(ID_DATA) {
        return Err(SignatureError::malformed(
            "contentType attribute is not id-data",
        ));
    }
    let digest = single_value(ATTR_MESSAGE_DIGEST)?
        .ok_or_else(|| SignatureError::malformed("no messageDigest attribute"))?;
    let digest: OctetString = digest.decode_as().map_err(SignatureError::malformed)?;
    Ok(digest.as_bytes().to_vec())
}

fn check_algorithm_matches_key(info: &SignerInfo, key: &PublicKey) -> Result<(), SignatureError> {
    let oid = info.signature_algorithm.oid;
    let fits = match key {
        PublicKey::Rsa(_) => oid == keys::RSA_ENCRYPTION || oid == keys::SHA256_WITH_RSA,
        PublicKey::P256(_) => oid == keys::ECDSA_WITH_SHA256 || oid == keys::EC_PUBLIC_KEY,
    };
    if fits {
        Ok(())
    } else {
        Err(SignatureError::malformed(format!(
            "signature algorithm {oid} does not fit the key"
        )))
    }
}

/// The signed attributes exactly as the signer encoded them, re-tagged from `[0] IMPLICIT` to
/// `SET` (RFC 5652 §5.4). Taken from the input rather than re-encoded from the parsed value: the
/// parser sorts SET OF elements, and a signer that did not would then fail for no fault of its
/// signature.
fn raw_signed_attributes(der: &[u8]) -> Result<Vec<u8>, SignatureError> {
    let bad = |e: der::Error| SignatureError::malformed(format!("SignedData structure: {e}"));
    let content_info = AnyRef::from_der(der).map_err(bad)?;
    let mut reader = SliceReader::new(content_info.value()).map_err(bad)?;
    let _content_type: Oid = reader.decode().map_err(bad)?;
    let explicit: AnyRef<'_> = reader.decode().map_err(bad)?;
    let signed_data = AnyRef::from_der(explicit.value()).map_err(bad)?;
    let mut reader = SliceReader::new(signed_data.value()).map_err(bad)?;
    // signerInfos is the last field of SignedData.
    let mut last = None;
    while !reader.is_finished() {
        last = Some(reader.decode::<AnyRef<'_>>().map_err(bad)?);
    }
    let signer_infos = last.ok_or_else(|| SignatureError::malformed("empty SignedData"))?;
    // Exactly one SignerInfo was checked on the parsed value, so the SET holds one TLV.
    let signer_info = AnyRef::from_der(signer_infos.value()).map_err(bad)?;
    let mut reader = SliceReader::new(signer_info.value()).map_err(bad)?;
    let _version: AnyRef<'_> = reader.decode().map_err(bad)?;
    let _sid: AnyRef<'_> = reader.decode().map_err(bad)?;
    let _digest_algorithm: AnyRef<'_> = reader.decode().map_err(bad)?;
    let attributes: AnyRef<'_> = reader.decode().map_err(bad)?;
    let implicit_zero = Tag::ContextSpecific {
        constructed: true,
        number: TagNumber::N0,
    };
    if attributes.tag() != implicit_zero {
        return Err(SignatureError::malformed("no signed attributes"));
    }
    let mut bytes = attributes.to_der().map_err(bad)?;
    if let Some(tag) = bytes.first_mut() {
        *tag = 0x31;
    }
    Ok(bytes)
}
