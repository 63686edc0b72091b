//! The public directory (art. 34): organisations, practitioners, specialties; admin writes.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::auth::CurrentUser;
use super::error::ErrorBody;
use super::ids::Id;
use crate::error::AppResult;
use crate::services::Context;
use crate::services::organizations::{
    self, OfferInput, OfferView, OrganizationInput, OrganizationSummary, OrganizationView,
    SpecialtyView,
};
use crate::services::practitioners::{self, PractitionerView, ProfileInput, ScheduleView};

#[derive(Debug, Deserialize, IntoParams)]
pub struct OrganizationFilter {
    /// Only organisations with a practitioner of this specialty code.
    pub specialty: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PractitionerFilter {
    pub specialty: Option<String>,
    pub organization: Option<String>,
}

#[utoipa::path(get, path = "/api/specialties", tag = "directory",
    responses((status = 200, body = Vec<SpecialtyView>)))]
pub async fn list_specialties(ctx: web::Data<Context>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(organizations::specialties(&ctx).await?))
}

#[utoipa::path(get, path = "/api/organizations", tag = "directory", params(OrganizationFilter),
    responses((status = 200, body = Vec<OrganizationSummary>)))]
pub async fn list_organizations(
    ctx: web::Data<Context>,
    filter: web::Query<OrganizationFilter>,
) -> AppResult<HttpResponse> {
    let filter = filter.into_inner();
    Ok(HttpResponse::Ok().json(organizations::list(&ctx, filter.specialty).await?))
}

/// Everything art. 34 requires an organisation to disclose, with its practitioners.
#[utoipa::path(get, path = "/api/organizations/{id}", tag = "directory",
    params(("id" = String, Path, description = "organisation id")),
    responses((status = 200, body = OrganizationView), (status = 404, body = ErrorBody)))]
pub async fn get_organization(
    ctx: web::Data<Context>,
    path: web::Path<Id>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(organizations::get(&ctx, path.into_inner().into()).await?))
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

#[utoipa::path(get, path = "/api/practitioners", tag = "directory", params(PractitionerFilter),
    responses((status = 200, body = Vec<PractitionerView>)))]
pub async fn list_practitioners(
    ctx: web::Data<Context>,
    filter: web::Query<PractitionerFilter>,
) -> AppResult<HttpResponse> {
    let f = filter.into_inner();
    Ok(HttpResponse::Ok().json(practitioners::list(&ctx, f.specialty, f.organization).await?))
}

#[utoipa::path(get, path = "/api/practitioners/{id}", tag = "directory",
    params(("id" = String, Path, description = "practitioner id")),
    responses((status = 200, body = PractitionerView), (status = 404, body = ErrorBody)))]
pub async fn get_practitioner(
    ctx: web::Data<Context>,
    path: web::Path<Id>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(practitioners::get(&ctx, path.into_inner().into()).await?))
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
