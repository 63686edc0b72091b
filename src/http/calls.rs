//! Real-time consultations over HTTP (art. 16, 33.2, 36): ICE servers, files shared in a call,
//! the consultation's materials and chat, invited guests, and ending the consultation (or
//! recording that it was held by telephone). The call itself is the socket in `signal.rs`.

use actix_web::http::header::{
    self, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::auth::CurrentUser;
use super::error::ErrorBody;
use super::ids::Id;
use crate::error::AppResult;
use crate::realtime::Realtime;
use crate::realtime::protocol::ChatLine;
use crate::realtime::turn::{self, IceServers};
use crate::services::Context;
use crate::services::calls::chat;
use crate::services::calls::guests::{self, GuestView, InviteInput};
use crate::services::calls::lifecycle::{self, PhoneInput};
use crate::services::calls::materials::{self, MaterialView};
use crate::services::consultations::ConsultationView;

/// STUN and TURN servers for the browser, with TURN credentials valid for `ttl_seconds`.
#[utoipa::path(get, path = "/api/ice-servers", tag = "calls",
    responses((status = 200, body = IceServers), (status = 401, body = ErrorBody)))]
pub async fn ice_servers(ctx: web::Data<Context>, user: CurrentUser) -> AppResult<HttpResponse> {
    let now = ctx.clock.now().timestamp();
    Ok(HttpResponse::Ok().json(turn::ice_servers(&ctx.settings.calls, &user.0.user_id, now)))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct FileName {
    /// The file's name as the user chose it.
    pub name: Option<String>,
}

/// Shares a file in the call: the raw bytes as the body. The kind is told from the content.
#[utoipa::path(post, path = "/api/consultations/{id}/files", tag = "calls",
    params(("id" = String, Path), FileName),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = MaterialView),
              (status = 409, description = "consultation_closed", body = ErrorBody),
              (status = 413, description = "file_too_large", body = ErrorBody),
              (status = 415, description = "file_type_not_allowed", body = ErrorBody)))]
pub async fn upload_file(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<Id>,
    q: web::Query<FileName>,
    body: web::Payload,
) -> AppResult<HttpResponse> {
    let name = q.into_inner().name.unwrap_or_default();
    let view = materials::upload(&ctx, &user.0, &path, &name, body).await?;
    Ok(HttpResponse::Created().json(view))
}

/// The consultation's materials (art. 36): shared files, recordings, the chat transcript.
#[utoipa::path(get, path = "/api/consultations/{id}/materials", tag = "calls", params(("id" = String, Path)),
    responses((status = 200, body = Vec<MaterialView>), (status = 404, body = ErrorBody)))]
pub async fn list_materials(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<Id>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(materials::list(&ctx, &user.0, &path).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct Inline {
    /// `1`: show a PDF or an image in the page instead of downloading it.
    pub inline: Option<u8>,
}

/// Kinds a browser shows safely inside the platform's own pages.
const VIEWABLE: [&str; 3] = ["application/pdf", "image/jpeg", "image/png"];

/// One material's bytes; every download is audited.
#[utoipa::path(get, path = "/api/consultations/{id}/materials/{material_id}", tag = "calls",
    params(("id" = String, Path), ("material_id" = String, Path), Inline),
    responses((status = 200, description = "the file"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn download_material(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<(Id, Id)>,
    q: web::Query<Inline>,
) -> AppResult<HttpResponse> {
    let (id, material) = path.into_inner();
    let (view, file) = materials::open(&ctx, &user.0, &id, &material).await?;
    let inline = q.inline == Some(1) && VIEWABLE.contains(&view.mime.as_str());
    let disposition = ContentDisposition {
        disposition: if inline {
            DispositionType::Inline
        } else {
            DispositionType::Attachment
        },
        parameters: vec![DispositionParam::FilenameExt(ExtendedValue {
            charset: header::Charset::Ext("UTF-8".into()),
            language_tag: None,
            value: view.name.clone().into_bytes(),
        })],
    };
    let mut res = HttpResponse::Ok();
    res.content_type(view.mime.clone())
        .insert_header(disposition)
        .insert_header((header::CONTENT_LENGTH, view.size.to_string()))
        .insert_header((header::CACHE_CONTROL, "private, no-store"));
    if inline {
        // The document viewer frames PDFs: the platform's own pages may, nobody else may, and
        // the file runs no script of its own.
        res.insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox",
        ));
    }
    Ok(res.streaming(file))
}

/// The call's chat so far.
#[utoipa::path(get, path = "/api/consultations/{id}/messages", tag = "calls", params(("id" = String, Path)),
    responses((status = 200, body = Vec<Object>), (status = 404, body = ErrorBody)))]
pub async fn messages(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<Id>,
) -> AppResult<HttpResponse> {
    let lines: Vec<ChatLine> = chat::history(&ctx, &user.0, &path).await?;
    Ok(HttpResponse::Ok().json(lines))
}

/// The consultation's doctor ends the call: completed, with its end time and duration.
#[utoipa::path(post, path = "/api/consultations/{id}/end", tag = "calls", params(("id" = String, Path)),
    responses((status = 200, body = ConsultationView),
              (status = 403, description = "only_doctor", body = ErrorBody),
              (status = 409, description = "consultation_not_started, consultation_ended, consultation_cancelled", body = ErrorBody)))]
pub async fn end(
    ctx: web::Data<Context>,
    realtime: web::Data<Realtime>,
    user: CurrentUser,
    path: web::Path<Id>,
) -> AppResult<HttpResponse> {
    let id: String = path.into_inner().into();
    let view = lifecycle::end(&ctx, &user.0, &id).await?;
    realtime.end(&id, "ended_by_doctor");
    Ok(HttpResponse::Ok().json(view))
}

/// Art. 33.2: the consultation was held by telephone.
#[utoipa::path(post, path = "/api/consultations/{id}/phone", tag = "calls", params(("id" = String, Path)),
    request_body = PhoneInput,
    responses((status = 200, body = ConsultationView),
              (status = 403, description = "only_doctor", body = ErrorBody),
              (status = 409, description = "consultation_closed", body = ErrorBody),
              (status = 422, description = "invalid_duration", body = ErrorBody)))]
pub async fn phone(
    ctx: web::Data<Context>,
    realtime: web::Data<Realtime>,
    user: CurrentUser,
    path: web::Path<Id>,
    body: web::Json<PhoneInput>,
) -> AppResult<HttpResponse> {
    let id: String = path.into_inner().into();
    let view = lifecycle::held_by_phone(&ctx, &user.0, &id, body.into_inner()).await?;
    realtime.end(&id, "held_by_phone");
    Ok(HttpResponse::Ok().json(view))
}

#[utoipa::path(get, path = "/api/consultations/{id}/guests", tag = "calls", params(("id" = String, Path)),
    responses((status = 200, body = Vec<GuestView>), (status = 404, body = ErrorBody)))]
pub async fn list_guests(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<Id>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(guests::list(&ctx, &user.0, &path).await?))
}

/// The consultation's doctor invites a second doctor, an interpreter or a relative.
#[utoipa::path(post, path = "/api/consultations/{id}/guests", tag = "calls", params(("id" = String, Path)),
    request_body = InviteInput,
    responses((status = 201, body = GuestView),
              (status = 404, description = "user_not_found", body = ErrorBody),
              (status = 409, description = "already_invited, consultation_closed", body = ErrorBody),
              (status = 422, description = "guest_must_be_doctor, invalid_guest_kind", body = ErrorBody)))]
pub async fn invite_guest(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<Id>,
    body: web::Json<InviteInput>,
) -> AppResult<HttpResponse> {
    let view = guests::invite(&ctx, &user.0, &path, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(view))
}
