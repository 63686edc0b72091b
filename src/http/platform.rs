//! The platform operator's pages: every organisation with its administrators, and the
//! installation's health in numbers.

use actix_web::{HttpResponse, web};

use super::auth::CurrentUser;
use super::error::ErrorBody;
use crate::error::AppResult;
use crate::services::Context;
use crate::services::platform::{self, PlatformHealth, PlatformOrganization};

/// Every organisation with its administrators and account counts (the operator only).
#[utoipa::path(get, path = "/api/platform/organizations", tag = "operations",
    responses((status = 200, body = Vec<PlatformOrganization>), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub async fn organizations(ctx: web::Data<Context>, user: CurrentUser) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(platform::organizations(&ctx, &user.0).await?))
}

/// Counts that say whether the installation is healthy: organisations, accounts by role, the
/// mail outbox (pending, failing) and the audit log's head (the operator only). Liveness and
/// readiness themselves are `/health` and `/ready`.
#[utoipa::path(get, path = "/api/platform/health", tag = "operations",
    responses((status = 200, body = PlatformHealth), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub async fn health(ctx: web::Data<Context>, user: CurrentUser) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(platform::health(&ctx, &user.0).await?))
}
