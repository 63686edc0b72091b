//! Public keys of signer and CA certificates and the signature algorithms the platform accepts:
//! RSA PKCS#1 v1.5 with SHA-2 and ECDSA P-256 with SHA-256. GOST keys are for another `Verifier`.

use der::Encode;
use der::asn1::ObjectIdentifier as Oid;
use p256::pkcs8::DecodePublicKey;
use rsa::signature::Verifier as _;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

pub(crate) const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
pub(crate) const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
pub(crate) const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
pub(crate) const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
pub(crate) const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
pub(crate) const ECDSA_WITH_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
pub(crate) const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");

/// A verification key taken from a certificate's SubjectPublicKeyInfo.
pub(crate) enum PublicKey {
    Rsa(rsa::RsaPublicKey),
    P256(p256::ecdsa::VerifyingKey),
}

impl PublicKey {
    pub(crate) fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Result<Self, String> {
        let der = spki.to_der().map_err(|e| format!("public key: {e}"))?;
        if spki.algorithm.oid == RSA_ENCRYPTION {
            rsa::RsaPublicKey::from_public_key_der(&der)
                .map(PublicKey::Rsa)
                .map_err(|e| format!("RSA public key: {e}"))
        } else if spki.algorithm.oid == EC_PUBLIC_KEY {
            // Rejects any curve but P-256 through the named-curve parameter.
            p256::PublicKey::from_public_key_der(&der)
                .map(|k| PublicKey::P256(k.into()))
                .map_err(|e| format!("EC public key (only P-256 is supported): {e}"))
        } else {
            Err(format!(
                "unsupported public key algorithm {}",
                spki.algorithm.oid
            ))
        }
    }

    /// The name given in `VerifiedSigner::algorithm` for a document signature with this key.
    pub(crate) fn document_algorithm(&self) -> &'static str {
        match self {
            PublicKey::Rsa(_) => "RSA-SHA256",
            PublicKey::P256(_) => "ECDSA-P256-SHA256",
        }
    }

    /// A CMS signature over `message` with SHA-256: PKCS#1 v1.5 for RSA, DER (r, s) for ECDSA.
    pub(crate) fn verify_sha256(&self, message: &[u8], signature: &[u8]) -> bool {
        match self {
            PublicKey::Rsa(key) => verify_rsa::<sha2::Sha256>(key, message, signature),
            PublicKey::P256(key) => p256::ecdsa::Signature::from_der(signature)
                .is_ok_and(|sig| key.verify(message, &sig).is_ok()),
        }
    }

    /// A signature of a certificate or CRL, whose algorithm the issuer named beside it.
    pub(crate) fn verify_x509(
        &self,
        algorithm: &AlgorithmIdentifierOwned,
        message: &[u8],
        signature: &[u8],
    ) -> bool {
        match (self, algorithm.oid) {
            (PublicKey::Rsa(key), SHA256_WITH_RSA) => {
                verify_rsa::<sha2::Sha256>(key, message, signature)
            }
            (PublicKey::Rsa(key), SHA384_WITH_RSA) => {
                verify_rsa::<sha2::Sha384>(key, message, signature)
            }
            (PublicKey::Rsa(key), SHA512_WITH_RSA) => {
                verify_rsa::<sha2::Sha512>(key, message, signature)
            }
            (PublicKey::P256(_), ECDSA_WITH_SHA256) => self.verify_sha256(message, signature),
            _ => false,
        }
    }
}

fn verify_rsa<D>(key: &rsa::RsaPublicKey, message: &[u8], signature: &[u8]) -> bool
where
    D: sha2::Digest + der::oid::AssociatedOid,
{
    let Ok(signature) = rsa::pkcs1v15::Signature::try_from(signature) else {
        return false;
    };
    rsa::pkcs1v15::VerifyingKey::<D>::new(key.clone())
        .verify(message, &signature)
        .is_ok()
}
