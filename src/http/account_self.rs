//! The account's owner manages it: the e-mailed links (verification, password reset, change of
//! address, invitation), the password, name and language, and their sessions. Invitations are
//! sent by an organisation's administrator.

use actix_web::{HttpRequest, HttpResponse, web};

use super::auth::{CurrentUser, client_ip, expired_cookie, token_of};
use super::error::ErrorBody;
use super::ids::Id;
use crate::error::AppResult;
use crate::services::Context;
use crate::services::accounts::email::{self, ChangeEmailInput, TokenInput, VerifiedView};
use crate::services::accounts::invite::{self, AcceptInput, InvitationView, InviteInput};
use crate::services::accounts::open_sessions::{self as sessions, SessionView};
use crate::services::accounts::password::{
    self, ChangePasswordInput, ResetInput, ResetRequestInput, ResetRequestedView,
};
use crate::services::accounts::profile::{self, ProfileInput};
use crate::services::accounts::{MeView, UserView};

/// Opens a verification (or change-of-address) link: the address becomes the account's,
/// verified. Needs no session: the link is the proof.
#[utoipa::path(post, path = "/api/auth/verify-email", tag = "accounts", request_body = TokenInput,
    responses((status = 200, body = VerifiedView),
              (status = 409, description = "email_taken: another account took the new address meanwhile", body = ErrorBody),
              (status = 410, description = "link_invalid, link_expired", body = ErrorBody)))]
pub async fn verify_email(
    ctx: web::Data<Context>,
    req: HttpRequest,
    body: web::Json<TokenInput>,
) -> AppResult<HttpResponse> {
    let view = email::verify(&ctx, body.into_inner(), client_ip(&req)).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Sends a new verification link to the signed-in user's address.
#[utoipa::path(post, path = "/api/me/verify-email", tag = "accounts",
    responses((status = 202, description = "sent"), (status = 401, body = ErrorBody),
              (status = 409, description = "email_already_verified", body = ErrorBody)))]
pub async fn resend_verification(
    ctx: web::Data<Context>,
    user: CurrentUser,
) -> AppResult<HttpResponse> {
    email::resend_verification(&ctx, &user.0).await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Asks for a password-reset link. The same answer whether or not the address has an account.
#[utoipa::path(post, path = "/api/auth/password-reset", tag = "accounts", request_body = ResetRequestInput,
    responses((status = 202, body = ResetRequestedView),
              (status = 422, description = "invalid_email", body = ErrorBody)))]
pub async fn request_reset(
    ctx: web::Data<Context>,
    req: HttpRequest,
    body: web::Json<ResetRequestInput>,
) -> AppResult<HttpResponse> {
    let view = password::request_reset(&ctx, body.into_inner(), client_ip(&req)).await?;
    Ok(HttpResponse::Accepted().json(view))
}

/// Sets a new password through a reset link; every session of the account ends.
#[utoipa::path(post, path = "/api/auth/password-reset/confirm", tag = "accounts", request_body = ResetInput,
    responses((status = 204, description = "password set; sign in again"),
              (status = 410, description = "link_invalid, link_expired", body = ErrorBody),
              (status = 422, description = "weak_password", body = ErrorBody),
              (status = 503, description = "busy", body = ErrorBody)))]
pub async fn reset_password(
    ctx: web::Data<Context>,
    req: HttpRequest,
    body: web::Json<ResetInput>,
) -> AppResult<HttpResponse> {
    password::reset(&ctx, body.into_inner(), client_ip(&req)).await?;
    Ok(HttpResponse::NoContent()
        .cookie(expired_cookie(ctx.settings.server.secure_cookies))
        .finish())
}

/// Changes the password; the other sessions of the account end.
#[utoipa::path(post, path = "/api/me/password", tag = "accounts", request_body = ChangePasswordInput,
    responses((status = 204, description = "changed"), (status = 401, body = ErrorBody),
              (status = 403, description = "wrong_password", body = ErrorBody),
              (status = 422, description = "weak_password", body = ErrorBody),
              (status = 429, description = "too_many_attempts", body = ErrorBody)))]
pub async fn change_password(
    ctx: web::Data<Context>,
    req: HttpRequest,
    user: CurrentUser,
    body: web::Json<ChangePasswordInput>,
) -> AppResult<HttpResponse> {
    password::change(&ctx, &user.0, token_of(&req), body.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Asks to change the address: a link goes to the new one, a notice to the current one.
#[utoipa::path(post, path = "/api/me/email", tag = "accounts", request_body = ChangeEmailInput,
    responses((status = 202, description = "link sent to the new address"),
              (status = 401, body = ErrorBody),
              (status = 403, description = "wrong_password", body = ErrorBody),
              (status = 409, description = "email_taken", body = ErrorBody),
              (status = 422, description = "invalid_email, email_unchanged", body = ErrorBody)))]
pub async fn change_email(
    ctx: web::Data<Context>,
    user: CurrentUser,
    body: web::Json<ChangeEmailInput>,
) -> AppResult<HttpResponse> {
    email::change(&ctx, &user.0, body.into_inner()).await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Changes the name or the language (of the interface and of the mail).
#[utoipa::path(patch, path = "/api/me", tag = "accounts", request_body = ProfileInput,
    responses((status = 200, body = MeView), (status = 401, body = ErrorBody),
              (status = 422, description = "invalid_full_name, invalid_language", body = ErrorBody)))]
pub async fn update_me(
    ctx: web::Data<Context>,
    user: CurrentUser,
    body: web::Json<ProfileInput>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(profile::update(&ctx, &user.0, body.into_inner()).await?))
}

/// The account's open sessions, newest first; `current` marks this one.
#[utoipa::path(get, path = "/api/me/sessions", tag = "accounts",
    responses((status = 200, body = Vec<SessionView>), (status = 401, body = ErrorBody)))]
pub async fn list_sessions(
    ctx: web::Data<Context>,
    req: HttpRequest,
    user: CurrentUser,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(sessions::list(&ctx, &user.0, token_of(&req)).await?))
}

/// Ends one of the account's sessions.
#[utoipa::path(delete, path = "/api/me/sessions/{id}", tag = "accounts",
    params(("id" = String, Path, description = "session id from the list")),
    responses((status = 204, description = "ended"), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn revoke_session(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    sessions::revoke(&ctx, &user.0, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Creates a staff account of the caller's organisation and e-mails the invitation to choose
/// a password.
#[utoipa::path(post, path = "/api/organizations/{id}/invites", tag = "accounts", request_body = InviteInput,
    params(("id" = String, Path, description = "organisation id")),
    responses((status = 201, body = UserView), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "email_taken, iin_taken", body = ErrorBody),
              (status = 422, description = "invalid_role, practitioner_profile_required and the field codes", body = ErrorBody)))]
pub async fn invite_staff(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<Id>,
    body: web::Json<InviteInput>,
) -> AppResult<HttpResponse> {
    let view = invite::invite(&ctx, &user.0, path.into_inner().into(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Sends the invitation again with a new link.
#[utoipa::path(post, path = "/api/organizations/{id}/staff/{user_id}/invite", tag = "accounts",
    params(("id" = String, Path, description = "organisation id"),
           ("user_id" = String, Path, description = "the invited account")),
    responses((status = 202, description = "sent"), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "invitation_accepted", body = ErrorBody)))]
pub async fn resend_invite(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<(Id, Id)>,
) -> AppResult<HttpResponse> {
    let (organization, account) = path.into_inner();
    invite::resend(&ctx, &user.0, organization.into(), account.into()).await?;
    Ok(HttpResponse::Accepted().finish())
}

/// What an invitation link is for (the page shows it before the password is chosen).
#[utoipa::path(get, path = "/api/invites/{token}", tag = "accounts",
    params(("token" = String, Path, description = "the token from the link")),
    responses((status = 200, body = InvitationView),
              (status = 410, description = "link_invalid, link_expired", body = ErrorBody)))]
pub async fn show_invite(
    ctx: web::Data<Context>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(invite::show(&ctx, path.into_inner()).await?))
}

/// Accepts an invitation by choosing the password; then sign in.
#[utoipa::path(post, path = "/api/invites/{token}/accept", tag = "accounts", request_body = AcceptInput,
    params(("token" = String, Path, description = "the token from the link")),
    responses((status = 200, body = InvitationView),
              (status = 409, description = "invitation_accepted", body = ErrorBody),
              (status = 410, description = "link_invalid, link_expired", body = ErrorBody),
              (status = 422, description = "weak_password", body = ErrorBody)))]
pub async fn accept_invite(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<AcceptInput>,
) -> AppResult<HttpResponse> {
    let view = invite::accept(&ctx, path.into_inner(), body.into_inner(), client_ip(&req)).await?;
    Ok(HttpResponse::Ok().json(view))
}
