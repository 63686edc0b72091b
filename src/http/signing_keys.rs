//! Enrolment of a doctor's browser (WebCrypto) signing key with the platform CA.

use actix_web::{HttpResponse, web};

use super::auth::CurrentUser;
use super::error::ErrorBody;
use crate::error::AppResult;
use crate::services::Context;
use crate::services::signing_keys::{self, ChallengeView, EnrolInput, EnrolledView};

/// A one-time challenge (10 minutes) for the key to sign as proof of possession.
#[utoipa::path(post, path = "/api/me/signing-key/challenge", tag = "records",
    responses((status = 200, body = ChallengeView), (status = 403, body = ErrorBody),
              (status = 409, description = "enrolment_disabled", body = ErrorBody)))]
pub async fn challenge(ctx: web::Data<Context>, user: CurrentUser) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(signing_keys::challenge(&ctx, &user.0).await?))
}

/// Certifies the P-256 key that signed the challenge for the doctor's IIN.
#[utoipa::path(post, path = "/api/me/signing-key", tag = "records", request_body = EnrolInput,
    responses((status = 201, body = EnrolledView), (status = 403, body = ErrorBody),
              (status = 409, description = "enrolment_disabled", body = ErrorBody),
              (status = 422, description = "challenge_invalid, proof_invalid, invalid_key, invalid_base64", body = ErrorBody)))]
pub async fn enrol(
    ctx: web::Data<Context>,
    user: CurrentUser,
    body: web::Json<EnrolInput>,
) -> AppResult<HttpResponse> {
    let view = signing_keys::enrol(&ctx, &user.0, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(view))
}
