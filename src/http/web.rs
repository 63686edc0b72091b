//! The web interface: files under `static/`, compiled into the binary (read from disk in debug
//! builds, so page edits show without rebuilding).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "static/"]
struct Assets;

pub async fn asset(req: HttpRequest) -> HttpResponse {
    let path = req.path().trim_start_matches('/');
    // `/call` is the shell too, with the call page's permissions (see `app::CALL_PAGE_PATHS`).
    let path = if path.is_empty() || path == "call" {
        "index.html"
    } else {
        path
    };
    match Assets::get(path) {
        Some(file) => {
            let mime = mime_guess::from_path(path).first_or_octet_stream();
            HttpResponse::Ok()
                .insert_header((
                    header::CONTENT_TYPE,
                    mime.essence_str().to_owned() + charset(&mime),
                ))
                // Pages change with each release; revalidate rather than serve stale scripts.
                .insert_header((header::CACHE_CONTROL, "no-cache"))
                .body(file.data.into_owned())
        }
        None => super::error::json_error(
            actix_web::http::StatusCode::NOT_FOUND,
            "not_found",
            "no such page",
        ),
    }
}

fn charset(mime: &mime_guess::Mime) -> &'static str {
    let textual =
        mime.type_() == "text" || mime.subtype() == "javascript" || mime.subtype() == "json";
    if textual { "; charset=utf-8" } else { "" }
}
