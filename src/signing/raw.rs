//! Raw ECDSA P-256 as WebCrypto produces it (`sign({name: "ECDSA", hash: "SHA-256"})`): 64 bytes
//! r‖s over the document, by a key whose certificate the platform CA issued at enrolment.

use super::chain::Cert;
use super::errors::SignatureError;
use super::keys::PublicKey;

pub(crate) fn verify(
    signature: &[u8],
    certificate_der: &[u8],
    document: &[u8],
) -> Result<Cert, SignatureError> {
    let cert = Cert::from_der(certificate_der).map_err(SignatureError::Malformed)?;
    let key = cert.public_key().map_err(SignatureError::Malformed)?;
    if !matches!(key, PublicKey::P256(_)) {
        return Err(SignatureError::malformed(
            "the certificate's key is not ECDSA P-256",
        ));
    }
    if signature.len() != 64 {
        return Err(SignatureError::malformed(
            "a raw P-256 signature is 64 bytes r||s",
        ));
    }
    // The document is hashed with SHA-256 by the verification, as WebCrypto does; r or s out of
    // range cannot come from a real signer and is refused as not verifying.
    if !key.verify_p256_fixed(document, signature) {
        return Err(SignatureError::SignatureInvalid);
    }
    Ok(cert)
}
