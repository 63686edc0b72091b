//! Registration, login, logout, the current user, and staff accounts.

use actix_web::{HttpRequest, HttpResponse, web};

use super::auth::{CurrentUser, client_ip, expired_cookie, session_cookie, token_of};
use super::error::ErrorBody;
use super::ids::Id;
use crate::error::AppResult;
use crate::services::Context;
use crate::services::access_log::AccessLogQuery;
use crate::services::accounts::{
    self, LoginInput, LoginView, MeView, RegisterInput, RegistrationView, StaffInput, UserView,
};

/// Patient self-registration. The IIN is checked by its check digit. Every well-formed request
/// gets the same 201, whether the account was created or the e-mail or IIN already had one (its
/// owner is then told by e-mail), so registration does not reveal who has an account here.
#[utoipa::path(post, path = "/api/auth/register", tag = "accounts", request_body = RegisterInput,
    responses((status = 201, body = RegistrationView),
              (status = 422, description = "invalid_iin, invalid_email, weak_password (under 10 characters, or a common password), invalid_full_name, invalid_language", body = ErrorBody),
              (status = 503, description = "busy: too many passwords being hashed; see Retry-After", body = ErrorBody)))]
pub async fn register(
    ctx: web::Data<Context>,
    req: HttpRequest,
    body: web::Json<RegisterInput>,
) -> AppResult<HttpResponse> {
    let answer = accounts::register(&ctx, body.into_inner(), client_ip(&req)).await?;
    Ok(HttpResponse::Created().json(answer))
}

/// Signs in: returns a bearer token and sets the HttpOnly session cookie for the browser.
#[utoipa::path(post, path = "/api/auth/login", tag = "accounts", request_body = LoginInput,
    responses((status = 200, body = LoginView),
              (status = 401, description = "invalid_credentials", body = ErrorBody),
              (status = 429, description = "too_many_attempts: too many failed attempts for the e-mail or from the address; see Retry-After", body = ErrorBody),
              (status = 503, description = "busy: too many passwords being checked; see Retry-After", body = ErrorBody)))]
pub async fn login(
    ctx: web::Data<Context>,
    req: HttpRequest,
    body: web::Json<LoginInput>,
) -> AppResult<HttpResponse> {
    let user_agent = req
        .headers()
        .get(actix_web::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|ua| ua.chars().take(300).collect::<String>());
    let view = accounts::login(&ctx, body.into_inner(), client_ip(&req), user_agent).await?;
    let cookie = session_cookie(
        &view.token,
        ctx.settings.auth.session_hours,
        ctx.settings.server.secure_cookies,
    );
    Ok(HttpResponse::Ok().cookie(cookie).json(view))
}

/// Ends the session of the token or cookie sent.
#[utoipa::path(post, path = "/api/auth/logout", tag = "accounts",
    responses((status = 204, description = "signed out")))]
pub async fn logout(ctx: web::Data<Context>, req: HttpRequest) -> AppResult<HttpResponse> {
    if let Some(token) = token_of(&req) {
        accounts::logout(&ctx, token).await?;
    }
    Ok(HttpResponse::NoContent()
        .cookie(expired_cookie(ctx.settings.server.secure_cookies))
        .finish())
}

#[utoipa::path(get, path = "/api/me", tag = "accounts",
    responses((status = 200, body = MeView), (status = 401, body = ErrorBody)))]
pub async fn me(ctx: web::Data<Context>, user: CurrentUser) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(accounts::me(&ctx, &user.0).await?))
}

/// Creates a doctor, support or administrator account in the caller's own organisation.
#[utoipa::path(post, path = "/api/organizations/{id}/staff", tag = "accounts", request_body = StaffInput,
    params(("id" = String, Path, description = "organisation id")),
    responses((status = 201, body = UserView), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "email_taken, iin_taken", body = ErrorBody),
              (status = 422, description = "weak_password and the other field codes", body = ErrorBody),
              (status = 503, description = "busy", body = ErrorBody)))]
pub async fn create_staff(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<Id>,
    body: web::Json<StaffInput>,
) -> AppResult<HttpResponse> {
    let view =
        accounts::create_staff(&ctx, &user.0, path.into_inner().into(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(view))
}

#[utoipa::path(get, path = "/api/organizations/{id}/staff", tag = "accounts",
    params(("id" = String, Path, description = "organisation id")),
    responses((status = 200, body = Vec<crate::services::accounts::StaffView>),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_staff(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<Id>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(accounts::list_staff(&ctx, &user.0, path.into_inner().into()).await?))
}

/// Art. 40: who accessed the patient's data, what, when and why; a page at a time, grouped by
/// who and filterable by person and kind, without the patient's own views unless asked.
#[utoipa::path(get, path = "/api/me/access-log", tag = "accounts", params(AccessLogQuery),
    responses((status = 200, body = crate::services::access_log::AccessLogPage),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, description = "invalid_page, invalid_limit, invalid_kind, invalid_id", body = ErrorBody)))]
pub async fn access_log(
    ctx: web::Data<Context>,
    user: CurrentUser,
    q: web::Query<AccessLogQuery>,
) -> AppResult<HttpResponse> {
    let page = crate::services::access_log::for_patient(&ctx, &user.0, q.into_inner()).await?;
    Ok(HttpResponse::Ok().json(page))
}
