//! Cross-site request forgery: a browser attaches the session cookie to requests another site
//! makes (a form posting `text/plain`, a WebSocket opened from its page). Such requests carry
//! that site's `Origin` (or `Sec-Fetch-Site: cross-site`), so state-changing requests and
//! WebSocket upgrades are refused unless they come from the platform's own pages. Bearer-token
//! clients carry no ambient credential and are not affected; non-browser clients that send
//! neither header are let through, since no browser can be made to omit them.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::web;

use super::error::json_error;
use crate::services::Context;

pub async fn guard<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    if is_forged(&req) {
        let res = json_error(
            StatusCode::FORBIDDEN,
            "cross_origin",
            "requests from other sites are refused; use the platform's own pages",
        );
        return Ok(req.into_response(res).map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

fn is_forged(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    let upgrade = headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe && !upgrade {
        return false;
    }
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer "));
    if bearer {
        return false;
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        // `null` is what sandboxed frames and some redirects send: never the platform's pages.
        Some(origin) => !is_own(req, origin),
        None => headers
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|site| !matches!(site, "same-origin" | "none")),
    }
}

/// The origin is the platform's: the configured public address, or the host the request was
/// sent to (the same server reached by another name, e.g. `localhost` for `127.0.0.1`).
fn is_own(req: &ServiceRequest, origin: &str) -> bool {
    let Some((_, authority)) = origin.split_once("://") else {
        return false;
    };
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok());
    if host.is_some_and(|h| h.eq_ignore_ascii_case(authority)) {
        return true;
    }
    req.app_data::<web::Data<Context>>().is_some_and(|ctx| {
        ctx.public_url
            .trim_end_matches('/')
            .eq_ignore_ascii_case(origin)
    })
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn forged(req: TestRequest) -> bool {
        is_forged(&req.to_srv_request())
    }

    #[test]
    fn a_post_from_another_site_is_refused() {
        let req = TestRequest::post()
            .insert_header((header::HOST, "telemed.kz"))
            .insert_header((header::ORIGIN, "https://evil.example"));
        assert!(forged(req));
    }

    #[test]
    fn the_platforms_own_pages_and_bearer_clients_pass() {
        let own = TestRequest::post()
            .insert_header((header::HOST, "telemed.kz"))
            .insert_header((header::ORIGIN, "https://telemed.kz"));
        assert!(!forged(own));
        let bearer = TestRequest::post()
            .insert_header((header::HOST, "telemed.kz"))
            .insert_header((header::ORIGIN, "https://evil.example"))
            .insert_header((header::AUTHORIZATION, "Bearer abc"));
        assert!(!forged(bearer));
        let curl = TestRequest::post().insert_header((header::HOST, "telemed.kz"));
        assert!(!forged(curl));
    }

    #[test]
    fn a_cross_site_websocket_upgrade_is_refused() {
        let req = TestRequest::get()
            .insert_header((header::HOST, "telemed.kz"))
            .insert_header((header::UPGRADE, "websocket"))
            .insert_header((header::ORIGIN, "https://evil.example"));
        assert!(forged(req));
        let req = TestRequest::get()
            .insert_header((header::HOST, "telemed.kz"))
            .insert_header(("sec-fetch-site", "cross-site"));
        assert!(!forged(req), "a plain GET is never refused");
    }

    #[test]
    fn fetch_metadata_without_origin_is_honoured() {
        let req = TestRequest::post()
            .insert_header((header::HOST, "telemed.kz"))
            .insert_header(("sec-fetch-site", "cross-site"));
        assert!(forged(req));
        let req = TestRequest::post()
            .insert_header((header::HOST, "telemed.kz"))
            .insert_header(("sec-fetch-site", "same-origin"));
        assert!(!forged(req));
    }
}
