//! Enrolment of a doctor's WebCrypto signing key with the platform CA: the browser makes a
//! non-extractable P-256 key, proves it holds it by signing a one-time challenge, and receives a
//! certificate for the doctor's IIN under which its raw signatures verify (art. 37).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::pkcs8::DecodePublicKey;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::audit::{self, Event};
use crate::db::schema::{signing_key_challenges, signing_keys};
use crate::db::{new_id, write_tx};
use crate::domain::account::Role;
use crate::domain::iin::Iin;
use crate::error::{AppError, AppResult};
use crate::services::accounts::now_naive;
use crate::services::{Actor, Context, patients};

/// How long a challenge may be answered.
const CHALLENGE_MINUTES: i64 = 10;
/// Validity of an enrolled key's certificate.
const CERTIFICATE_DAYS: u32 = 365;

#[derive(Debug, Serialize, ToSchema)]
pub struct ChallengeView {
    /// Sign exactly these UTF-8 bytes (ECDSA P-256, SHA-256) with the key to enrol.
    pub challenge: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolInput {
    /// base64 DER SubjectPublicKeyInfo of a P-256 key.
    pub spki: String,
    pub challenge: String,
    /// base64 of the 64-byte r‖s over the challenge, as WebCrypto returns it.
    pub signature: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolledView {
    /// base64 DER of the certificate the platform CA issued.
    pub certificate: String,
    pub serial: String,
    pub not_after: DateTime<Utc>,
}

fn hash(challenge: &str) -> String {
    hex::encode(Sha256::digest(challenge.as_bytes()))
}

/// Doctors only, and only where the operator configured a platform CA.
fn check(ctx: &Context, actor: &Actor) -> AppResult<()> {
    if actor.role != Role::Doctor {
        return Err(AppError::forbidden());
    }
    let s = &ctx.settings.signing;
    if s.platform_ca_cert.as_os_str().is_empty() || s.platform_ca_key.as_os_str().is_empty() {
        return Err(AppError::conflict(
            "enrolment_disabled",
            "no platform CA is configured to certify signing keys",
        ));
    }
    Ok(())
}

pub async fn challenge(ctx: &Context, actor: &Actor) -> AppResult<ChallengeView> {
    check(ctx, actor)?;
    let mut raw = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    let challenge = format!("telemed-enrol:{}", URL_SAFE_NO_PAD.encode(raw));
    let expires = now_naive(ctx) + Duration::minutes(CHALLENGE_MINUTES);
    let user_id = actor.user_id.clone();
    let hashed = hash(&challenge);
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                diesel::delete(signing_key_challenges::table.find(&user_id)).execute(conn)?;
                diesel::insert_into(signing_key_challenges::table)
                    .values((
                        signing_key_challenges::user_id.eq(&user_id),
                        signing_key_challenges::challenge_hash.eq(&hashed),
                        signing_key_challenges::expires_at.eq(expires),
                    ))
                    .execute(conn)?;
                Ok::<_, AppError>(())
            })
        })
        .await?;
    Ok(ChallengeView {
        challenge,
        expires_at: expires.and_utc(),
    })
}

fn decode(field: &'static str, value: &str) -> AppResult<Vec<u8>> {
    STANDARD
        .decode(value.trim())
        .map_err(|_| AppError::unprocessable("invalid_base64", format!("{field} is not base64")))
}

/// Checks the proof of possession: the challenge signed by the key being enrolled.
fn proof(spki: &[u8], challenge: &str, signature: &[u8]) -> AppResult<()> {
    let key = VerifyingKey::from_public_key_der(spki).map_err(|_| {
        AppError::unprocessable("invalid_key", "spki is not a P-256 SubjectPublicKeyInfo")
    })?;
    let refused = || {
        AppError::unprocessable(
            "proof_invalid",
            "the signature over the challenge does not verify with this key",
        )
    };
    let signature = Signature::from_slice(signature).map_err(|_| refused())?;
    key.verify(challenge.as_bytes(), &signature)
        .map_err(|_| refused())
}

pub async fn enrol(ctx: &Context, actor: &Actor, input: EnrolInput) -> AppResult<EnrolledView> {
    check(ctx, actor)?;
    let spki = decode("spki", &input.spki)?;
    let signature = decode("signature", &input.signature)?;
    let now = ctx.clock.now();
    let now_db = now_naive(ctx);
    let actor = actor.clone();
    let settings = ctx.settings.signing.clone();
    ctx.db
        .run(move |conn| {
            // Single use: the challenge is gone whatever the outcome.
            let open: Option<(String, chrono::NaiveDateTime)> = signing_key_challenges::table
                .find(&actor.user_id)
                .select((
                    signing_key_challenges::challenge_hash,
                    signing_key_challenges::expires_at,
                ))
                .first(conn)
                .optional()?;
            diesel::delete(signing_key_challenges::table.find(&actor.user_id)).execute(conn)?;
            match open {
                Some((h, expires)) if h == hash(&input.challenge) && expires > now_db => {}
                _ => {
                    return Err(AppError::unprocessable(
                        "challenge_invalid",
                        "the challenge is unknown, used or expired; ask for a new one",
                    ));
                }
            }
            proof(&spki, &input.challenge, &signature)?;
            let user = patients::user(conn, &actor.user_id)?;
            let iin = Iin::parse(&user.iin)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("the doctor's IIN: {e}")))?;
            let issued = crate::pki::issue_for_key(
                &settings.platform_ca_cert,
                &settings.platform_ca_key,
                &spki,
                &iin,
                &user.full_name,
                CERTIFICATE_DAYS,
                now,
            )
            .map_err(|e| AppError::Internal(e.context("issuing an enrolment certificate")))?;
            let certificate = STANDARD.encode(&issued.der);
            write_tx(conn, |conn| {
                let id = new_id();
                diesel::insert_into(signing_keys::table)
                    .values((
                        signing_keys::id.eq(&id),
                        signing_keys::user_id.eq(&actor.user_id),
                        signing_keys::certificate.eq(&certificate),
                        signing_keys::serial.eq(&issued.serial_hex),
                        signing_keys::not_after.eq(issued.not_after.naive_utc()),
                        signing_keys::created_at.eq(now_db),
                    ))
                    .execute(conn)?;
                audit::record(
                    conn,
                    now,
                    &Event {
                        actor_id: Some(&actor.user_id),
                        subject_id: None,
                        action: "signing_key.enrol",
                        object_type: "signing_key",
                        object_id: &id,
                        outcome: "ok",
                        ip: &actor.ip,
                        purpose: None,
                    },
                )?;
                Ok::<_, AppError>(())
            })?;
            Ok(EnrolledView {
                certificate,
                serial: issued.serial_hex,
                not_after: issued.not_after,
            })
        })
        .await
}
