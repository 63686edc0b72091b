//! The public directory (art. 34): organisations, practitioners, specialties; admin writes.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::auth::CurrentUser;
use super::error::ErrorBody;
use super::ids::Id;
use super::language::ReaderLanguage;
use crate::error::AppResult;
use crate::services::Context;
use crate::services::acceptances::{self, AcceptanceQuery, AcceptancesPage};
use crate::services::organizations::{
    self, OfferInput, OfferView, OrganizationInput, OrganizationSummary, OrganizationView,
    SpecialtyView,
};
use crate::services::practitioners::{self, PractitionerView, ProfileInput, ScheduleView};
use crate::services::week::{self, WeekQuery, WeekView};

#[derive(Debug, Deserialize, IntoParams)]
pub struct OrganizationFilter {
    /// Only organisations with a practitioner of this specialty code.
    pub specialty: Option<String>,
    /// The language of the organisations' texts (`ru`, `kk`, `en`); without it the
    /// `Accept-Language` header decides, and Russian stands in for a missing translation.
    pub lang: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PractitionerFilter {
    pub specialty: Option<String>,
    pub organization: Option<String>,
    /// The language of job titles and organisation names, as for organisations.
    pub lang: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct LanguageParam {
    /// The language of the texts (`ru`, `kk`, `en`); without it `Accept-Language` decides.
    pub lang: Option<String>,
}

/// An answer whose texts follow the reader's language: caches must keep one per language.
fn in_language(lang: ReaderLanguage) -> actix_web::HttpResponseBuilder {
    let mut res = HttpResponse::Ok();
    res.insert_header((actix_web::http::header::VARY, "Accept-Language"))
        .insert_header((actix_web::http::header::CONTENT_LANGUAGE, lang.0.as_str()));
    res
}

#[utoipa::path(get, path = "/api/specialties", tag = "directory",
    responses((status = 200, body = Vec<SpecialtyView>)))]
pub async fn list_specialties(ctx: web::Data<Context>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(organizations::specialties(&ctx).await?))
}

#[utoipa::path(get, path = "/api/organizations", tag = "directory", params(OrganizationFilter),
    responses((status = 200, body = Vec<OrganizationSummary>),
              (status = 422, description = "invalid_language, invalid_code", body = ErrorBody)))]
pub async fn list_organizations(
    ctx: web::Data<Context>,
    filter: web::Query<OrganizationFilter>,
    lang: ReaderLanguage,
) -> AppResult<HttpResponse> {
    let filter = filter.into_inner();
    Ok(in_language(lang).json(organizations::list(&ctx, filter.specialty, lang.0).await?))
}

/// Everything art. 34 requires an organisation to disclose, with its practitioners, in the
/// reader's language; an editing client asks for `lang=ru`, the texts its form sends back.
#[utoipa::path(get, path = "/api/organizations/{id}", tag = "directory",
    params(("id" = String, Path, description = "organisation id"), LanguageParam),
    responses((status = 200, body = OrganizationView), (status = 404, body = ErrorBody),
              (status = 422, description = "invalid_language", body = ErrorBody)))]
pub async fn get_organization(
    ctx: web::Data<Context>,
    path: web::Path<Id>,
    lang: ReaderLanguage,
) -> AppResult<HttpResponse> {
    let view = organizations::get(&ctx, path.into_inner().into(), lang.0).await?;
    Ok(in_language(lang).json(view))
}

/// Registers an organisation (platform operator only).
#[utoipa::path(post, path = "/api/organizations", tag = "directory", request_body = OrganizationInput,
    responses((status = 201, body = OrganizationView), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_organization(
    ctx: web::Data<Context>,
    user: CurrentUser,
    body: web::Json<OrganizationInput>,
) -> AppResult<HttpResponse> {
    let view = organizations::create(&ctx, &user.0, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Replaces the organisation's disclosure data and internal rules (its administrators only).
#[utoipa::path(put, path = "/api/organizations/{id}", tag = "directory", request_body = OrganizationInput,
    params(("id" = String, Path, description = "organisation id")),
    responses((status = 200, body = OrganizationView), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, description = "urgent_deadline_out_of_range (art. 8), invalid_time_zone, …", body = ErrorBody)))]
pub async fn update_organization(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<Id>,
    body: web::Json<OrganizationInput>,
) -> AppResult<HttpResponse> {
    let view =
        organizations::update(&ctx, &user.0, path.into_inner().into(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Publishes a new version of the public offer.
#[utoipa::path(post, path = "/api/organizations/{id}/offers", tag = "directory", request_body = OfferInput,
    params(("id" = String, Path, description = "organisation id")),
    responses((status = 201, body = OfferView), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn publish_offer(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<Id>,
    body: web::Json<OfferInput>,
) -> AppResult<HttpResponse> {
    let view =
        organizations::publish_offer(&ctx, &user.0, path.into_inner().into(), body.into_inner())
            .await?;
    Ok(HttpResponse::Created().json(view))
}

/// The doctors of the directory (active accounts only), texts in the reader's language.
#[utoipa::path(get, path = "/api/practitioners", tag = "directory", params(PractitionerFilter),
    responses((status = 200, body = Vec<PractitionerView>),
              (status = 422, description = "invalid_language, invalid_code, invalid_id", body = ErrorBody)))]
pub async fn list_practitioners(
    ctx: web::Data<Context>,
    filter: web::Query<PractitionerFilter>,
    lang: ReaderLanguage,
) -> AppResult<HttpResponse> {
    let f = filter.into_inner();
    let list = practitioners::list(&ctx, f.specialty, f.organization, lang.0).await?;
    Ok(in_language(lang).json(list))
}

#[utoipa::path(get, path = "/api/practitioners/{id}", tag = "directory",
    params(("id" = String, Path, description = "practitioner id"), LanguageParam),
    responses((status = 200, body = PractitionerView), (status = 404, body = ErrorBody),
              (status = 422, description = "invalid_language", body = ErrorBody)))]
pub async fn get_practitioner(
    ctx: web::Data<Context>,
    path: web::Path<Id>,
    lang: ReaderLanguage,
) -> AppResult<HttpResponse> {
    let view = practitioners::get(&ctx, path.into_inner().into(), lang.0).await?;
    Ok(in_language(lang).json(view))
}

#[utoipa::path(put, path = "/api/practitioners/{id}", tag = "directory", request_body = ProfileInput,
    params(("id" = String, Path, description = "practitioner id")),
    responses((status = 200, body = PractitionerView), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn update_practitioner(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<Id>,
    body: web::Json<ProfileInput>,
) -> AppResult<HttpResponse> {
    let view =
        practitioners::update_profile(&ctx, &user.0, path.into_inner().into(), body.into_inner())
            .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Replaces the weekly schedule (organisation's local time) and the days off.
#[utoipa::path(put, path = "/api/practitioners/{id}/schedule", tag = "directory", request_body = ScheduleView,
    params(("id" = String, Path, description = "practitioner id")),
    responses((status = 200, body = PractitionerView), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, description = "invalid_schedule", body = ErrorBody)))]
pub async fn set_schedule(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<Id>,
    body: web::Json<ScheduleView>,
) -> AppResult<HttpResponse> {
    let view =
        practitioners::set_schedule(&ctx, &user.0, path.into_inner().into(), body.into_inner())
            .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Who accepted, refused or revoked which version of the public offer (art. 33.1), newest
/// first, with how many patients stand on each version now. The organisation's administrators
/// only; each patient listed sees the read in their access log.
#[utoipa::path(get, path = "/api/organizations/{id}/offer-acceptances", tag = "directory",
    params(("id" = String, Path, description = "organisation id"), AcceptanceQuery),
    responses((status = 200, body = AcceptancesPage), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, description = "invalid_page, invalid_limit", body = ErrorBody)))]
pub async fn offer_acceptances(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<Id>,
    q: web::Query<AcceptanceQuery>,
) -> AppResult<HttpResponse> {
    let page = acceptances::list(&ctx, &user.0, path.into_inner().into(), q.into_inner()).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// A doctor's week: working hours per day (weekly pattern less days off, the organisation's
/// local time) and the consultations in it. For the doctor and their organisation's
/// administrators and support; the patients listed see the read in their access log.
#[utoipa::path(get, path = "/api/practitioners/{id}/week", tag = "directory",
    params(("id" = String, Path, description = "practitioner id"), WeekQuery),
    responses((status = 200, body = WeekView), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, description = "date_out_of_range", body = ErrorBody)))]
pub async fn practitioner_week(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<Id>,
    q: web::Query<WeekQuery>,
) -> AppResult<HttpResponse> {
    let view =
        week::of_practitioner(&ctx, &user.0, path.into_inner().into(), q.into_inner().date).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// The signed-in doctor's own week (as `GET /api/practitioners/{id}/week`).
#[utoipa::path(get, path = "/api/me/week", tag = "directory", params(WeekQuery),
    responses((status = 200, body = WeekView), (status = 401, body = ErrorBody),
              (status = 403, description = "forbidden: only doctors have a week", body = ErrorBody),
              (status = 422, description = "date_out_of_range", body = ErrorBody)))]
pub async fn my_week(
    ctx: web::Data<Context>,
    user: CurrentUser,
    q: web::Query<WeekQuery>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(week::mine(&ctx, &user.0, q.into_inner().date).await?))
}
