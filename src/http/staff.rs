//! An organisation's administrator switches an employee's account off and on again.

use actix_web::{HttpResponse, web};

use super::auth::CurrentUser;
use super::error::ErrorBody;
use super::ids::Id;
use crate::error::AppResult;
use crate::services::Context;
use crate::services::accounts::{self, StaffView};

/// Deactivates an employee: the account cannot sign in and its sessions end at once (audited).
#[utoipa::path(post, path = "/api/organizations/{id}/staff/{user_id}/deactivate", tag = "accounts",
    params(("id" = String, Path, description = "organisation id"),
           ("user_id" = String, Path, description = "the employee's user id")),
    responses((status = 200, body = StaffView), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody),
              (status = 404, description = "not_found: no such employee of the organisation", body = ErrorBody),
              (status = 422, description = "cannot_deactivate_self", body = ErrorBody)))]
pub async fn deactivate(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<(Id, Id)>,
) -> AppResult<HttpResponse> {
    let (org, employee) = path.into_inner();
    let view = accounts::deactivate(&ctx, &user.0, org.into(), employee.into()).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Lets a deactivated employee sign in again (audited).
#[utoipa::path(post, path = "/api/organizations/{id}/staff/{user_id}/reactivate", tag = "accounts",
    params(("id" = String, Path, description = "organisation id"),
           ("user_id" = String, Path, description = "the employee's user id")),
    responses((status = 200, body = StaffView), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reactivate(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<(Id, Id)>,
) -> AppResult<HttpResponse> {
    let (org, employee) = path.into_inner();
    let view = accounts::reactivate(&ctx, &user.0, org.into(), employee.into()).await?;
    Ok(HttpResponse::Ok().json(view))
}
