//! Signing a record (art. 37): the author's electronic digital signature over the canonical
//! document, verified against the configured trust and the author's IIN at the time of receipt.
//! On success the document bytes are stored as signed and the record never changes again.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::SubsecRound;
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{RecordView, document, is_signed, load, view};
use crate::access::record::on_record;
use crate::db::schema::medical_records;
use crate::db::write_tx;
use crate::domain::canonical::sha256_hex;
use crate::domain::records::{RecordStatus, SignatureForm, parse_sha256};
use crate::error::{AppError, AppResult};
use crate::services::{Actor, Context, patients};
use crate::signing::{Expected, SignatureError, SignatureInput};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInput {
    pub form: SignatureForm,
    /// base64: the detached CMS (`cms`) or the 64-byte r‖s (`raw_p256`).
    pub signature: String,
    /// base64 DER of the signer certificate; `raw_p256` only (a CMS carries its own).
    pub certificate: Option<String>,
    /// SHA-256 (hex) of the document the client signed, as `GET /api/records/{id}/document`
    /// returned it.
    pub sha256: String,
}

fn base64(field: &'static str, value: &str) -> AppResult<Vec<u8>> {
    let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    STANDARD.decode(compact).map_err(|_| {
        AppError::unprocessable("invalid_base64", format!("{field} is not valid base64"))
    })
}

/// A signature as the browser sent it, decoded.
pub(crate) struct Received {
    signature: Vec<u8>,
    certificate: Option<Vec<u8>>,
    /// The SHA-256 of the document the client signed, if it was a valid hex digest.
    pub claimed: Option<String>,
}

impl Received {
    pub fn decode(input: &SignInput) -> AppResult<Self> {
        let signature = base64("signature", &input.signature)?;
        let certificate = match (input.form, &input.certificate) {
            (SignatureForm::RawP256, Some(c)) => Some(base64("certificate", c)?),
            (SignatureForm::RawP256, None) => {
                return Err(AppError::unprocessable(
                    "certificate_required",
                    "a raw P-256 signature needs the signer certificate",
                ));
            }
            (SignatureForm::Cms, _) => None,
        };
        Ok(Received {
            signature,
            certificate,
            claimed: parse_sha256(&input.sha256),
        })
    }

    pub fn input(&self) -> SignatureInput<'_> {
        match &self.certificate {
            Some(cert) => SignatureInput::RawP256 {
                signature: &self.signature,
                certificate_der: cert,
            },
            None => SignatureInput::CmsDetached(&self.signature),
        }
    }

    /// `cms` or `raw_p256`, as stored.
    pub fn form(&self) -> &'static str {
        input_form(&self.input())
    }

    /// The signature as stored: base64.
    pub fn signature_base64(&self) -> String {
        STANDARD.encode(&self.signature)
    }
}

pub async fn sign(
    ctx: &Context,
    actor: &Actor,
    id: String,
    input: SignInput,
) -> AppResult<RecordView> {
    let actor = actor.clone();
    let now = ctx.clock.now();
    let verifier = ctx.verifier.clone();
    let public_url = ctx.public_url.clone();
    let received = Received::decode(&input)?;
    ctx.db
        .run(move |conn| {
            let row = load(conn, &id)?;
            if row.author_id != actor.user_id {
                return Err(on_record(&actor, now, &row, "record.sign", None).deny(conn));
            }
            let purpose = row.consultation_id.clone();
            let outcome = write_tx(conn, |conn| {
                let row = load(conn, &id)?;
                if is_signed(&row) {
                    return Err(AppError::conflict(
                        "record_signed",
                        "the record is already signed",
                    ));
                }
                let canonical = document(conn, &row)?;
                let sha256 = sha256_hex(canonical.as_bytes());
                if received.claimed.as_deref() != Some(sha256.as_str()) {
                    return Err(AppError::conflict(
                        "document_changed",
                        "the document changed since it was fetched; fetch it and sign again",
                    ));
                }
                let author_iin = patients::user(conn, &row.author_id)?.iin;
                let input = received.input();
                let expected = Expected {
                    document: canonical.as_bytes(),
                    signer_iin: &author_iin,
                    at: now,
                };
                let signer = match verifier.verify(&input, &expected) {
                    Ok(signer) => signer,
                    Err(e) => return Ok(Err(e)),
                };
                let at = now.naive_utc().trunc_subsecs(6);
                diesel::update(medical_records::table.find(&row.id))
                    .set((
                        medical_records::status.eq(RecordStatus::Signed.as_str()),
                        medical_records::canonical.eq(&canonical),
                        medical_records::sha256.eq(&sha256),
                        medical_records::signature.eq(received.signature_base64()),
                        medical_records::signature_form.eq(received.form()),
                        medical_records::signature_algorithm.eq(signer.algorithm),
                        medical_records::signer_certificate
                            .eq(STANDARD.encode(&signer.certificate_der)),
                        medical_records::signer_name.eq(&signer.common_name),
                        medical_records::signer_subject.eq(&signer.subject),
                        medical_records::signer_iin.eq(&signer.iin),
                        medical_records::cert_serial.eq(&signer.serial_hex),
                        medical_records::cert_issuer.eq(&signer.issuer),
                        medical_records::cert_not_before.eq(signer.not_before.naive_utc()),
                        medical_records::cert_not_after.eq(signer.not_after.naive_utc()),
                        medical_records::signed_at.eq(at),
                        medical_records::updated_at.eq(at),
                    ))
                    .execute(conn)?;
                on_record(&actor, now, &row, "record.sign", purpose.as_deref())
                    .record(conn, "ok")?;
                let signed = load(conn, &id)?;
                // Art. 21: a conclusion, referral or prescription for a deferred request
                // completes it, with the requester told in the same transaction.
                let content: serde_json::Value = serde_json::from_str(&signed.body)
                    .map_err(|e| AppError::Internal(anyhow::anyhow!("record body: {e}")))?;
                crate::services::deferred::completion::on_signed_record(
                    conn,
                    &signed,
                    &content,
                    now,
                    &public_url,
                )?;
                Ok(Ok(view(conn, signed)?))
            })?;
            outcome.map_err(|e: SignatureError| {
                // A refused signature is kept in the log with the rule that refused it.
                on_record(&actor, now, &row, "record.sign", purpose.as_deref()).refuse(
                    conn,
                    e.code(),
                    AppError::unprocessable(e.code(), e.to_string()),
                )
            })
        })
        .await
}

fn input_form(input: &SignatureInput<'_>) -> &'static str {
    match input {
        SignatureInput::CmsDetached(_) => SignatureForm::Cms.as_str(),
        SignatureInput::RawP256 { .. } => SignatureForm::RawP256.as_str(),
    }
}
