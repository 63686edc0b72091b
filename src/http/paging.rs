//! A page of a list as an answer: the items as the JSON body, the next page's address in
//! `Link: <…>; rel="next"` (RFC 8288) and its cursor in `X-Next-Cursor`, both absent on the
//! last page.

use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use crate::services::paging::Page;

pub fn paged<T: Serialize>(req: &HttpRequest, page: Page<T>) -> HttpResponse {
    let mut res = HttpResponse::Ok();
    if let Some(next) = &page.next_cursor {
        // The cursor is digits, dots, letters and dashes: safe in a query as it is.
        let mut query: Vec<&str> = req
            .query_string()
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("cursor="))
            .collect();
        let cursor = format!("cursor={next}");
        query.push(&cursor);
        let link = format!("<{}?{}>; rel=\"next\"", req.path(), query.join("&"));
        if let (Ok(link), Ok(next)) = (HeaderValue::from_str(&link), HeaderValue::from_str(next)) {
            res.insert_header((header::LINK, link));
            res.insert_header((HeaderName::from_static("x-next-cursor"), next));
        }
    }
    res.json(page.items)
}
