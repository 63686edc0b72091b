//! Raw ECDSA P-256 as WebCrypto produces it (`sign({name: "ECDSA", hash: "SHA-256"})`): 64 bytes
//! r‖s over the document, by a key whose certificate the platform CA issued at enrolment.

use p256::ecdsa::Signature;
use p256::ecdsa::signature::Verifier as _;

use super::chain::Cert;
use super::errors::SignatureError;
use super::keys::PublicKey;

pub(crate) fn verify(
    signature: &[u8],
    certificate_der: &[u8],
    document: &[u8],
) -> Result<Cert, SignatureError> {
    let cert = Cert::from_der(certificate_der).map_err(SignatureError::Malformed)?;
    let PublicKey::P256(key) = cert.public_key().map_err(SignatureError::Malformed)? else {
        return Err(SignatureError::malformed(
            "the certificate's key is not ECDSA P-256",
        ));
    };
    if signature.len() != 64 {
        return Err(SignatureError::malformed(
            "a raw P-256 signature is 64 bytes r||s",
        ));
    }
    // r or s out of range cannot come from a real signer: refused as not verifying.
    let signature =
        Signature::from_slice(signature).map_err(|_| SignatureError::SignatureInvalid)?;
    // VerifyingKey hashes the document with SHA-256 itself, as WebCrypto does.
    key.verify(document, &signature)
        .map_err(|_| SignatureError::SignatureInvalid)?;
    Ok(cert)
}
