//! Deferred consultations over HTTP (art. 13, 17): a consultant takes a request, asks for more
//! documents, or declines it; the ICD-10 list the conclusion form searches.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::auth::CurrentUser;
use super::error::ErrorBody;
use super::ids::Id;
use super::language::ReaderLanguage;
use crate::domain::icd10::Icd10Match;
use crate::error::AppResult;
use crate::services::Context;
use crate::services::consultations::ConsultationView;
use crate::services::deferred::flow::{self, DeclineInput, DocumentsInput};
use crate::services::icd10;

/// A consultant of the receiving organisation takes an unassigned request.
#[utoipa::path(post, path = "/api/consultations/{id}/take", tag = "deferred", params(("id" = String, Path)),
    responses((status = 200, body = ConsultationView),
              (status = 403, description = "wrong_specialty", body = ErrorBody),
              (status = 409, description = "already_taken, consultation_closed", body = ErrorBody)))]
pub async fn take(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<Id>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(flow::take(&ctx, &user.0, &path).await?))
}

/// Art. 13: the consultant asks for more documents; the deadline clock stops until they come.
#[utoipa::path(post, path = "/api/consultations/{id}/request-documents", tag = "deferred",
    params(("id" = String, Path)), request_body = DocumentsInput,
    responses((status = 200, body = ConsultationView),
              (status = 403, description = "not_assigned", body = ErrorBody),
              (status = 409, description = "clock_not_running, consultation_closed", body = ErrorBody)))]
pub async fn request_documents(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<Id>,
    body: web::Json<DocumentsInput>,
) -> AppResult<HttpResponse> {
    let view = flow::request_documents(&ctx, &user.0, &path, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// The consultant declines the request, with a reason.
#[utoipa::path(post, path = "/api/consultations/{id}/decline", tag = "deferred",
    params(("id" = String, Path)), request_body = DeclineInput,
    responses((status = 200, body = ConsultationView),
              (status = 403, description = "not_assigned", body = ErrorBody),
              (status = 409, description = "consultation_closed", body = ErrorBody)))]
pub async fn decline(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<Id>,
    body: web::Json<DeclineInput>,
) -> AppResult<HttpResponse> {
    let view = flow::decline(&ctx, &user.0, &path, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct Icd10Query {
    /// A code prefix (`I1`, also typed in a Cyrillic layout) or words of the title in the
    /// reader's language (`стенокардия`) or in English (`angina`).
    pub q: String,
    /// At most this many (default 20, up to 100).
    pub limit: Option<usize>,
    /// The language of the titles: ru, kk or en. Without it, the best of Accept-Language, else
    /// ru. A title missing in Kazakh falls back to Russian, one missing in Russian to English.
    #[allow(dead_code)] // read by the ReaderLanguage extractor, declared here for the OpenAPI
    pub lang: Option<String>,
}

/// ICD-10 (WHO 2019) codes matching a query, titled in the reader's language (МКБ-10 in
/// Russian as shipped or imported, Kazakh as imported), for the conclusion form.
#[utoipa::path(get, path = "/api/icd10", tag = "deferred", params(Icd10Query),
    responses((status = 200, body = Vec<Icd10Match>),
              (status = 422, description = "invalid_characters, field_too_long, invalid_language", body = ErrorBody)))]
pub async fn icd10_search(
    ctx: web::Data<Context>,
    lang: ReaderLanguage,
    q: web::Query<Icd10Query>,
) -> AppResult<HttpResponse> {
    let words = crate::services::input::optional_line(&q.q, "q", 200)?;
    let limit = q.limit.unwrap_or(20).clamp(1, 100);
    let found = icd10::search(&ctx, lang.0, words, limit).await?;
    Ok(HttpResponse::Ok().json(found))
}
