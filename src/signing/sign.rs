//! Producing a detached CMS SignedData, for `telemed pki sign` and for tests: the same form
//! NCALayer returns, with the signed attributes contentType, signingTime and messageDigest.

use anyhow::Context;
use chrono::{DateTime, Utc};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use p256::pkcs8::{DecodePrivateKey, EncodePublicKey};
use rsa::signature::{SignatureEncoding, Signer as _};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;

use super::cms::{
    ATTR_CONTENT_TYPE, ATTR_MESSAGE_DIGEST, ATTR_SIGNING_TIME, ID_DATA, ID_SIGNED_DATA,
};
use super::keys;

/// A private key the builder can sign with.
pub(crate) enum SignerKey {
    Rsa(Box<rsa::RsaPrivateKey>),
    P256(p256::ecdsa::SigningKey),
}

impl SignerKey {
    /// A PKCS#8 DER private key, RSA or P-256.
    pub(crate) fn from_pkcs8(der: &[u8]) -> anyhow::Result<SignerKey> {
        if let Ok(secret) = p256::SecretKey::from_pkcs8_der(der) {
            return Ok(SignerKey::P256(secret.into()));
        }
        rsa::RsaPrivateKey::from_pkcs8_der(der)
            .map(|k| SignerKey::Rsa(Box::new(k)))
            .map_err(|e| anyhow::anyhow!("the key is neither a P-256 nor an RSA PKCS#8 key: {e}"))
    }

    fn public_key_der(&self) -> anyhow::Result<Vec<u8>> {
        let doc = match self {
            SignerKey::Rsa(key) => key.to_public_key().to_public_key_der(),
            SignerKey::P256(key) => key.verifying_key().to_public_key_der(),
        };
        Ok(doc
            .map_err(|e| anyhow::anyhow!("public key: {e}"))?
            .into_vec())
    }

    fn algorithm(&self) -> AlgorithmIdentifierOwned {
        match self {
            // rsaEncryption with NULL parameters, as OpenSSL and NCALayer write it.
            SignerKey::Rsa(_) => AlgorithmIdentifierOwned {
                oid: keys::RSA_ENCRYPTION,
                parameters: Some(der::asn1::Null.into()),
            },
            SignerKey::P256(_) => AlgorithmIdentifierOwned {
                oid: keys::ECDSA_WITH_SHA256,
                parameters: None,
            },
        }
    }

    fn sign(&self, message: &[u8]) -> Vec<u8> {
        match self {
            SignerKey::Rsa(key) => rsa::pkcs1v15::SigningKey::<Sha256>::new((**key).clone())
                .sign(message)
                .to_vec(),
            SignerKey::P256(key) => {
                let signature: p256::ecdsa::Signature = key.sign(message);
                signature.to_der().as_bytes().to_vec()
            }
        }
    }
}

/// A detached CMS SignedData over `document`, signed with `key_pkcs8_der` (RSA or P-256) under
/// `cert_der`, carrying `chain` (intermediates, DER) for the verifier to build the path.
pub fn sign_cms_detached(
    document: &[u8],
    cert_der: &[u8],
    key_pkcs8_der: &[u8],
    chain: &[Vec<u8>],
) -> anyhow::Result<Vec<u8>> {
    let key = SignerKey::from_pkcs8(key_pkcs8_der)?;
    let cert = Certificate::from_der(cert_der).context("signer certificate")?;
    let cert_key = cert.tbs_certificate.subject_public_key_info.to_der()?;
    anyhow::ensure!(
        cert_key == key.public_key_der()?,
        "the private key does not belong to the certificate"
    );
    build(document, &cert, &key, chain, Utc::now())
}

/// The builder without the key-to-certificate check, so tests can make a CMS whose signature is
/// by another key than the certificate's.
pub(crate) fn build(
    document: &[u8],
    cert: &Certificate,
    key: &SignerKey,
    chain: &[Vec<u8>],
    signing_time: DateTime<Utc>,
) -> anyhow::Result<Vec<u8>> {
    let since_epoch = std::time::Duration::from_secs(u64::try_from(signing_time.timestamp())?);
    // UTCTime until 2049, GeneralizedTime after, as RFC 5652 §11.3 asks.
    let signing_time = x509_cert::time::Time::try_from(std::time::UNIX_EPOCH + since_epoch)?;
    let signed_attrs = SetOfVec::try_from(vec![
        attribute(ATTR_CONTENT_TYPE, &ID_DATA)?,
        attribute(ATTR_SIGNING_TIME, &signing_time)?,
        attribute(
            ATTR_MESSAGE_DIGEST,
            &OctetString::new(Sha256::digest(document).to_vec())?,
        )?,
    ])?;
    // The signature covers the attributes encoded as a SET (tag 0x31), which is how SetOfVec
    // encodes on its own; inside SignerInfo the same bytes carry the [0] IMPLICIT tag.
    let signature = key.sign(&signed_attrs.to_der()?);

    let sha256 = AlgorithmIdentifierOwned {
        oid: keys::SHA256,
        parameters: None,
    };
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: cert.tbs_certificate.issuer.clone(),
            serial_number: cert.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: sha256.clone(),
        signed_attrs: Some(signed_attrs),
        signature_algorithm: key.algorithm(),
        signature: OctetString::new(signature)?,
        unsigned_attrs: None,
    };
    let mut certificates = vec![CertificateChoices::Certificate(cert.clone())];
    for der in chain {
        let intermediate = Certificate::from_der(der).context("chain certificate")?;
        certificates.push(CertificateChoices::Certificate(intermediate));
    }
    let signed_data = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![sha256])?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: ID_DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet(SetOfVec::try_from(certificates)?)),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer_info])?),
    };
    let content_info = ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&signed_data)?,
    };
    Ok(content_info.to_der()?)
}

fn attribute(oid: der::asn1::ObjectIdentifier, value: &impl Encode) -> anyhow::Result<Attribute> {
    Ok(Attribute {
        oid,
        values: SetOfVec::try_from(vec![Any::from_der(&value.to_der()?)?])?,
    })
}
