//! Medical records, their signing (art. 37) and the health passport (art. 36–38).

use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{HttpResponse, web};

use super::auth::CurrentUser;
use super::error::ErrorBody;
use super::ids::Id;
use crate::error::AppResult;
use crate::services::Context;
use crate::services::break_glass::{BreakGlassInput, BreakGlassView};
use crate::services::passport::{self, HealthPassport, PassportQuery};
use crate::services::records::sign::{self, SignInput};
use crate::services::records::write::{self, ContentInput, MaterialInput, NewRecordInput};
use crate::services::records::{RecordView, read};

/// A draft by a doctor whom a consultation links to the patient (art. 35).
#[utoipa::path(post, path = "/api/patients/{patient_id}/records", tag = "records", request_body = NewRecordInput,
    params(("patient_id" = String, Path)),
    responses((status = 201, body = RecordView), (status = 403, description = "forbidden (audited)", body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 422, description = "invalid_icd10, invalid_content, missing_field, consultation_not_linked, not_a_patient", body = ErrorBody)))]
pub async fn create(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<Id>,
    body: web::Json<NewRecordInput>,
) -> AppResult<HttpResponse> {
    let view = write::create(&ctx, &user.0, path.into_inner().into(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(view))
}

/// A record with its status, versions, signature and materials; every read is audited.
#[utoipa::path(get, path = "/api/records/{id}", tag = "records", params(("id" = String, Path)),
    responses((status = 200, body = RecordView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<Id>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(read::get(&ctx, &user.0, path.into_inner().into()).await?))
}

/// Replaces a draft's content (its author only).
#[utoipa::path(put, path = "/api/records/{id}", tag = "records", request_body = ContentInput,
    params(("id" = String, Path)),
    responses((status = 200, body = RecordView), (status = 403, body = ErrorBody),
              (status = 409, description = "record_signed", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<Id>,
    body: web::Json<ContentInput>,
) -> AppResult<HttpResponse> {
    let view = write::update(&ctx, &user.0, path.into_inner().into(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// The exact bytes to sign (canonical JSON); `X-Document-Sha256` carries their SHA-256.
#[utoipa::path(get, path = "/api/records/{id}/document", tag = "records", params(("id" = String, Path)),
    responses((status = 200, content_type = "application/json", description = "the canonical document"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn document(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<Id>,
) -> AppResult<HttpResponse> {
    let doc = read::document_of(&ctx, &user.0, path.into_inner().into()).await?;
    let mut res = HttpResponse::Ok();
    res.content_type("application/json");
    if let Ok(v) = HeaderValue::from_str(&doc.sha256) {
        res.insert_header((HeaderName::from_static("x-document-sha256"), v));
    }
    res.insert_header((header::CACHE_CONTROL, "no-store"));
    Ok(res.body(doc.canonical))
}

/// Signs a draft with the author's electronic digital signature (art. 37).
#[utoipa::path(post, path = "/api/records/{id}/sign", tag = "records", request_body = SignInput,
    params(("id" = String, Path)),
    responses((status = 200, body = RecordView), (status = 403, body = ErrorBody),
              (status = 409, description = "document_changed, record_signed", body = ErrorBody),
              (status = 422, description = "signature_invalid, certificate_untrusted, certificate_expired, certificate_revoked, key_usage, signer_mismatch, digest_mismatch, signature_malformed, invalid_base64, certificate_required", body = ErrorBody)))]
pub async fn sign(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<Id>,
    body: web::Json<SignInput>,
) -> AppResult<HttpResponse> {
    let view = sign::sign(&ctx, &user.0, path.into_inner().into(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// A correction: a new draft version pointing at the signed one it replaces (art. 37).
#[utoipa::path(post, path = "/api/records/{id}/amend", tag = "records", request_body = ContentInput,
    params(("id" = String, Path)),
    responses((status = 201, body = RecordView), (status = 403, body = ErrorBody),
              (status = 409, description = "record_not_signed, already_amended", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn amend(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<Id>,
    body: web::Json<ContentInput>,
) -> AppResult<HttpResponse> {
    let view = write::amend(&ctx, &user.0, path.into_inner().into(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Links a file, recording or chat transcript to a draft by its SHA-256.
#[utoipa::path(post, path = "/api/records/{id}/materials", tag = "records", request_body = MaterialInput,
    params(("id" = String, Path)),
    responses((status = 201, body = RecordView), (status = 403, body = ErrorBody),
              (status = 409, description = "record_signed, already_exists", body = ErrorBody),
              (status = 422, description = "invalid_sha256, invalid_size, missing_field", body = ErrorBody)))]
pub async fn add_material(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<Id>,
    body: web::Json<MaterialInput>,
) -> AppResult<HttpResponse> {
    let view =
        write::add_material(&ctx, &user.0, path.into_inner().into(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(view))
}

/// The patient's signed records and their versions, with signer and certificate.
#[utoipa::path(get, path = "/api/me/health-passport", tag = "records", params(PassportQuery),
    responses((status = 200, body = HealthPassport), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn health_passport(
    ctx: web::Data<Context>,
    user: CurrentUser,
    q: web::Query<PassportQuery>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(passport::for_patient(&ctx, &user.0, q.into_inner()).await?))
}

/// Break-the-glass: a doctor opens a patient's chart without a care relationship by stating a
/// reason; time-limited, shown in the patient's access log, mailed to the administrators.
#[utoipa::path(post, path = "/api/break-glass", tag = "records", request_body = BreakGlassInput,
    responses((status = 201, body = BreakGlassView), (status = 403, body = ErrorBody),
              (status = 422, description = "reason_too_short, missing_field, patient_not_found", body = ErrorBody)))]
pub async fn break_glass(
    ctx: web::Data<Context>,
    user: CurrentUser,
    body: web::Json<BreakGlassInput>,
) -> AppResult<HttpResponse> {
    let view = crate::services::break_glass::open(&ctx, &user.0, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(view))
}
