//! ring's bare verification of one signature, the same primitive `openssl speed` times: the
//! ceiling of a CMS verification with a warm cache, which adds parsing and the checks around it.

use std::time::{Duration, Instant};

use p256::ecdsa::signature::Signer as _;
use ring::signature::{
    ECDSA_P256_SHA256_ASN1, RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey, VerificationAlgorithm,
};
use rsa::pkcs1::EncodeRsaPublicKey as _;

use crate::pki::{Alg, DOCUMENT};

/// Verifications per second on one thread for `duration`.
pub fn ring_verify(alg: Alg, duration: Duration) -> anyhow::Result<f64> {
    let (algorithm, key, signature): (&'static dyn VerificationAlgorithm, Vec<u8>, Vec<u8>) =
        match alg {
            Alg::Rsa2048 => {
                let private = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048)?;
                let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(private.clone());
                let signature: rsa::pkcs1v15::Signature = signer.sign(DOCUMENT);
                let key = private.to_public_key().to_pkcs1_der()?.as_bytes().to_vec();
                (
                    &RSA_PKCS1_2048_8192_SHA256,
                    key,
                    Box::<[u8]>::from(signature).to_vec(),
                )
            }
            Alg::P256 => {
                let private = p256::ecdsa::SigningKey::random(&mut rand::thread_rng());
                let signature: p256::ecdsa::Signature = private.sign(DOCUMENT);
                let point = private.verifying_key().to_encoded_point(false);
                (
                    &ECDSA_P256_SHA256_ASN1,
                    point.as_bytes().to_vec(),
                    signature.to_der().as_bytes().to_vec(),
                )
            }
        };
    let key = UnparsedPublicKey::new(algorithm, key);
    let started = Instant::now();
    let mut count = 0u64;
    while started.elapsed() < duration {
        key.verify(DOCUMENT, &signature)
            .map_err(|_| anyhow::anyhow!("ring refused its own test signature"))?;
        count += 1;
    }
    Ok(count as f64 / started.elapsed().as_secs_f64())
}
