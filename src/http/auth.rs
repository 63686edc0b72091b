//! Who is calling: a bearer token (API) or the session cookie (browser).

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};

use crate::error::AppError;
use crate::services::{Actor, Context, accounts};

pub const SESSION_COOKIE: &str = "telemed_session";

/// The session token a request carries, if any. The header wins over the cookie.
pub fn token_of(req: &HttpRequest) -> Option<String> {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty());
    bearer.or_else(|| req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned()))
}

/// The client address for the audit log: the TCP peer. Forwarded headers are only trustworthy
/// behind a known proxy, which this build does not configure.
pub fn client_ip(req: &HttpRequest) -> String {
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default()
}

pub fn session_cookie(token: &str, hours: i64, secure: bool) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, token.to_owned())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(CookieDuration::hours(hours))
        .finish()
}

pub fn expired_cookie(secure: bool) -> Cookie<'static> {
    let mut c = session_cookie("", 0, secure);
    c.make_removal();
    c
}

/// The authenticated caller; a handler taking it refuses anonymous requests with 401.
pub struct CurrentUser(pub Actor);

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let ctx = req.app_data::<web::Data<Context>>().cloned();
        let token = token_of(req);
        let ip = client_ip(req);
        Box::pin(async move {
            let ctx = ctx.ok_or_else(|| AppError::Internal(anyhow::anyhow!("no context")))?;
            let token = token.ok_or_else(AppError::unauthenticated)?;
            accounts::authenticate(&ctx, token, ip)
                .await
                .map(CurrentUser)
        })
    }
}
