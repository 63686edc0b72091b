//! The review of break-the-glass grants by an organisation's administrators: the mail telling
//! them of a grant links here, since the reason the doctor stated stays out of mail.

use actix_web::{HttpResponse, web};

use super::auth::CurrentUser;
use super::error::ErrorBody;
use super::ids::Id;
use crate::error::AppResult;
use crate::services::Context;
use crate::services::break_glass::{self, BreakGlassReviewView};

/// The grants doctors of the organisation opened, newest first, with the reason each stated.
/// The organisation's administrators only; each patient sees the review in their access log.
#[utoipa::path(get, path = "/api/organizations/{id}/break-glass", tag = "records",
    params(("id" = String, Path, description = "organisation id")),
    responses((status = 200, body = [BreakGlassReviewView]), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn review(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<Id>,
) -> AppResult<HttpResponse> {
    let organization: String = path.into_inner().into();
    Ok(HttpResponse::Ok().json(break_glass::review(&ctx, &user.0, &organization).await?))
}
