//! Public keys of signer and CA certificates and the signature algorithms the platform accepts:
//! RSA PKCS#1 v1.5 with SHA-2 and ECDSA P-256 with SHA-256. GOST keys are for another `Verifier`.
//!
//! The arithmetic is ring's (constant-time, assembly for RSA's Montgomery multiplication and
//! P-256 on x86-64 and ARM), the same library rustls already brings in; parsing stays with the
//! RustCrypto format crates. Pure-Rust big numbers made a verification thirty to fifty times
//! slower than OpenSSL's.

use der::Decode;
use der::asn1::ObjectIdentifier as Oid;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use ring::signature::{self as ring_sig, UnparsedPublicKey, VerificationAlgorithm};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

pub(crate) const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
pub(crate) const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
pub(crate) const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
pub(crate) const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
pub(crate) const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
pub(crate) const ECDSA_WITH_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
pub(crate) const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
const SECP256R1: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");

/// RSA moduli accepted. The upper bound is the one the platform always had (it bounds the cost
/// of a verification an attacker can ask for); the lower is ring's: keys under 2048 bits have
/// been disallowed for signatures since 2013 (NIST SP 800-131A), and the national CA issues
/// 2048-bit ones.
const RSA_BITS: std::ops::RangeInclusive<usize> = 2048..=4096;
/// The largest RSA public exponent ring accepts (2^33 − 1), as the platform did before.
const RSA_MAX_EXPONENT: u64 = (1 << 33) - 1;

/// A verification key taken from a certificate's SubjectPublicKeyInfo, in the forms ring reads.
pub(crate) enum PublicKey {
    /// PKCS#1 `RSAPublicKey` DER (the SPKI's BIT STRING contents).
    Rsa(Vec<u8>),
    /// The uncompressed SEC1 point, 65 bytes, checked to lie on P-256.
    P256(Vec<u8>),
}

impl PublicKey {
    pub(crate) fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Result<Self, String> {
        let bytes = spki
            .subject_public_key
            .as_bytes()
            .ok_or("public key: the BIT STRING has unused bits")?;
        if spki.algorithm.oid == RSA_ENCRYPTION {
            rsa_key(bytes).map(PublicKey::Rsa)
        } else if spki.algorithm.oid == EC_PUBLIC_KEY {
            p256_key(spki, bytes).map(PublicKey::P256)
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
            PublicKey::Rsa(key) => verify(
                &ring_sig::RSA_PKCS1_2048_8192_SHA256,
                key,
                message,
                signature,
            ),
            PublicKey::P256(point) => {
                verify(&ring_sig::ECDSA_P256_SHA256_ASN1, point, message, signature)
            }
        }
    }

    /// A WebCrypto ECDSA signature, 64 bytes r‖s, over `message` with SHA-256.
    pub(crate) fn verify_p256_fixed(&self, message: &[u8], signature: &[u8]) -> bool {
        match self {
            PublicKey::P256(point) => verify(
                &ring_sig::ECDSA_P256_SHA256_FIXED,
                point,
                message,
                signature,
            ),
            PublicKey::Rsa(_) => false,
        }
    }

    /// A signature of a certificate or CRL, whose algorithm the issuer named beside it.
    pub(crate) fn verify_x509(
        &self,
        algorithm: &AlgorithmIdentifierOwned,
        message: &[u8],
        signature: &[u8],
    ) -> bool {
        let (key, algorithm): (&[u8], &'static dyn VerificationAlgorithm) =
            match (self, algorithm.oid) {
                (PublicKey::Rsa(key), SHA256_WITH_RSA) => {
                    (key, &ring_sig::RSA_PKCS1_2048_8192_SHA256)
                }
                (PublicKey::Rsa(key), SHA384_WITH_RSA) => {
                    (key, &ring_sig::RSA_PKCS1_2048_8192_SHA384)
                }
                (PublicKey::Rsa(key), SHA512_WITH_RSA) => {
                    (key, &ring_sig::RSA_PKCS1_2048_8192_SHA512)
                }
                (PublicKey::P256(point), ECDSA_WITH_SHA256) => {
                    (point, &ring_sig::ECDSA_P256_SHA256_ASN1)
                }
                _ => return false,
            };
        verify(algorithm, key, message, signature)
    }
}

fn verify(
    algorithm: &'static dyn VerificationAlgorithm,
    key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> bool {
    UnparsedPublicKey::new(algorithm, key)
        .verify(message, signature)
        .is_ok()
}

/// Checked here rather than left to ring, so that a key the platform cannot use is refused as
/// malformed when it is parsed, as before, and not as a signature that does not verify.
fn rsa_key(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let key =
        rsa::pkcs1::RsaPublicKey::from_der(bytes).map_err(|e| format!("RSA public key: {e}"))?;
    let modulus = key.modulus.as_bytes();
    let bits = modulus.len() * 8 - modulus.first().map_or(8, |b| b.leading_zeros() as usize);
    if !RSA_BITS.contains(&bits) {
        return Err(format!(
            "RSA public key: {bits}-bit modulus, accepted {}..={} bits",
            RSA_BITS.start(),
            RSA_BITS.end()
        ));
    }
    let exponent = key.public_exponent.as_bytes();
    let exponent_ok = exponent.len() <= 8 && {
        let value = exponent
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        (3..=RSA_MAX_EXPONENT).contains(&value) && value % 2 == 1
    };
    if !exponent_ok {
        return Err("RSA public key: unusable public exponent".into());
    }
    // The DER decoder refused non-minimal integers and trailing bytes: these are ring's input.
    Ok(bytes.to_vec())
}

/// The curve must be named P-256; the point is validated (on the curve, not the identity) and
/// handed to ring uncompressed, the only form it reads, so compressed keys keep working.
fn p256_key(spki: &SubjectPublicKeyInfoOwned, bytes: &[u8]) -> Result<Vec<u8>, String> {
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<Oid>().ok());
    if curve != Some(SECP256R1) {
        return Err("EC public key (only P-256 is supported): not a named P-256 curve".into());
    }
    let point = p256::PublicKey::from_sec1_bytes(bytes)
        .map_err(|e| format!("EC public key (only P-256 is supported): {e}"))?;
    Ok(point.to_encoded_point(false).as_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use der::asn1::BitString;
    use der::{Any, Decode};
    use p256::ecdsa::signature::Signer as _;
    use rsa::pkcs8::EncodePublicKey;
    use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

    use super::{EC_PUBLIC_KEY, Oid, PublicKey, SECP256R1};

    fn ec_spki(curve: Oid, point: &[u8]) -> SubjectPublicKeyInfoOwned {
        SubjectPublicKeyInfoOwned {
            algorithm: AlgorithmIdentifierOwned {
                oid: EC_PUBLIC_KEY,
                parameters: Some(Any::from(curve)),
            },
            subject_public_key: BitString::from_bytes(point).expect("bit string"),
        }
    }

    #[test]
    fn rsa_keys_under_2048_bits_are_refused_when_read() {
        let key = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 1024).expect("RSA key");
        let der = key.to_public_key().to_public_key_der().expect("SPKI");
        let spki = SubjectPublicKeyInfoOwned::from_der(der.as_bytes()).expect("SPKI");
        let error = PublicKey::from_spki(&spki).err().expect("refused");
        assert!(error.contains("1024-bit"), "{error}");
    }

    #[test]
    fn a_compressed_p256_key_still_verifies() {
        let signing = p256::ecdsa::SigningKey::random(&mut rand::thread_rng());
        let compressed = signing.verifying_key().to_encoded_point(true);
        let key = PublicKey::from_spki(&ec_spki(SECP256R1, compressed.as_bytes())).expect("key");
        let signature: p256::ecdsa::Signature = signing.sign(b"record");
        assert!(key.verify_sha256(b"record", signature.to_der().as_bytes()));
        assert!(key.verify_p256_fixed(b"record", &signature.to_bytes()));
        assert!(!key.verify_p256_fixed(b"another record", &signature.to_bytes()));
    }

    #[test]
    fn a_point_of_another_curve_or_off_the_curve_is_refused_when_read() {
        let signing = p256::ecdsa::SigningKey::random(&mut rand::thread_rng());
        let point = signing.verifying_key().to_encoded_point(false);
        let secp384r1 = Oid::new_unwrap("1.3.132.0.34");
        assert!(PublicKey::from_spki(&ec_spki(secp384r1, point.as_bytes())).is_err());
        let mut off_curve = point.as_bytes().to_vec();
        if let Some(last) = off_curve.last_mut() {
            *last ^= 0x01;
        }
        assert!(PublicKey::from_spki(&ec_spki(SECP256R1, &off_curve)).is_err());
    }
}
