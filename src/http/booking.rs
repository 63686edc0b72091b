//! Slots, consent (art. 33.1), consultations (art. 6–15) and the staff queue.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::auth::{CurrentUser, client_ip};
use super::error::ErrorBody;
use super::ids::Id;
use super::paging::paged;
use crate::error::AppResult;
use crate::services::Context;
use crate::services::consent::{self, CodeRequest, CodeSent, ConsentInput, ConsentStatus};
use crate::services::consultations::book::{self, BookingInput};
use crate::services::consultations::change::{self, CancelInput, ConfirmInput, RescheduleInput};
use crate::services::consultations::{ConsultationView, queue};
use crate::services::paging::PageQuery;
use crate::services::slots::{self, PractitionerSlots, SlotQuery};

/// Free slots of a practitioner, or of every practitioner of a specialty, in UTC.
#[utoipa::path(get, path = "/api/slots", tag = "booking", params(SlotQuery),
    responses((status = 200, body = Vec<PractitionerSlots>), (status = 400, body = ErrorBody),
              (status = 422, description = "date_out_of_range, invalid_id, invalid_code", body = ErrorBody)))]
pub async fn list_slots(
    ctx: web::Data<Context>,
    q: web::Query<SlotQuery>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(slots::list(&ctx, q.into_inner()).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PatientParam {
    /// For a representative: the represented patient.
    pub patient_id: Option<String>,
}

#[utoipa::path(get, path = "/api/organizations/{id}/consent", tag = "booking", params(("id" = String, Path), PatientParam),
    responses((status = 200, body = ConsentStatus), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn consent_status(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<Id>,
    q: web::Query<PatientParam>,
) -> AppResult<HttpResponse> {
    let status = consent::status(
        &ctx,
        &user.0,
        path.into_inner().into(),
        q.into_inner().patient_id,
    )
    .await?;
    Ok(HttpResponse::Ok().json(status))
}

/// Accept (by click or e-mailed code), refuse or revoke; each act is stored as a document.
#[utoipa::path(post, path = "/api/organizations/{id}/consent", tag = "booking", request_body = ConsentInput,
    params(("id" = String, Path)),
    responses((status = 201, body = ConsentStatus), (status = 409, description = "offer_changed, no_consent_to_revoke, offer_not_published", body = ErrorBody),
              (status = 422, description = "invalid_code", body = ErrorBody)))]
pub async fn consent_act(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<Id>,
    body: web::Json<ConsentInput>,
) -> AppResult<HttpResponse> {
    let status = consent::act(&ctx, &user.0, path.into_inner().into(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(status))
}

/// E-mails a one-time code to accept the offer with.
#[utoipa::path(post, path = "/api/organizations/{id}/consent/code", tag = "booking", request_body = CodeRequest,
    params(("id" = String, Path)),
    responses((status = 202, body = CodeSent), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn consent_code(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<Id>,
    body: Option<web::Json<CodeRequest>>,
) -> AppResult<HttpResponse> {
    let input = body.map(|b| b.into_inner()).unwrap_or_default();
    let sent = consent::request_code(&ctx, &user.0, path.into_inner().into(), input).await?;
    Ok(HttpResponse::Accepted().json(sent))
}

/// Books a real-time slot or files a deferred request.
#[utoipa::path(post, path = "/api/consultations", tag = "booking", request_body = BookingInput,
    responses((status = 201, body = ConsultationView),
              (status = 409, description = "slot_taken, consent_required", body = ErrorBody),
              (status = 422, description = "slot_required, not_a_slot, slot_in_past, slot_beyond_urgent_deadline, funding_not_offered, date_out_of_range, invalid_characters, invalid_id, invalid_code, …", body = ErrorBody)))]
pub async fn create(
    ctx: web::Data<Context>,
    user: CurrentUser,
    body: web::Json<BookingInput>,
) -> AppResult<HttpResponse> {
    let view = book::book(&ctx, &user.0, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Mine (patient, representative), assigned (doctor) or the organisation's (staff); newest
/// first, a page at a time (the next page's cursor in `Link` and `X-Next-Cursor`).
#[utoipa::path(get, path = "/api/consultations", tag = "booking", params(PageQuery),
    responses((status = 200, body = Vec<ConsultationView>), (status = 401, body = ErrorBody),
              (status = 422, description = "invalid_limit, invalid_cursor", body = ErrorBody)))]
pub async fn list(
    ctx: web::Data<Context>,
    user: CurrentUser,
    req: HttpRequest,
    q: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let page = queue::mine(&ctx, &user.0, q.into_inner()).await?;
    Ok(paged(&req, page))
}

#[utoipa::path(get, path = "/api/consultations/{id}", tag = "booking", params(("id" = String, Path)),
    responses((status = 200, body = ConsultationView), (status = 404, body = ErrorBody)))]
pub async fn get(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<Id>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(queue::get(&ctx, &user.0, path.into_inner().into()).await?))
}

/// Art. 15: cancel with a reason; both sides are told.
#[utoipa::path(post, path = "/api/consultations/{id}/cancel", tag = "booking", request_body = CancelInput,
    params(("id" = String, Path)),
    responses((status = 200, body = ConsultationView), (status = 409, description = "consultation_closed", body = ErrorBody),
              (status = 422, description = "invalid_reason_code, reason_required", body = ErrorBody)))]
pub async fn cancel(
    ctx: web::Data<Context>,
    realtime: web::Data<crate::realtime::Realtime>,
    user: CurrentUser,
    path: web::Path<Id>,
    body: web::Json<CancelInput>,
) -> AppResult<HttpResponse> {
    let id: String = path.into_inner().into();
    let view = change::cancel(&ctx, &user.0, id.clone(), body.into_inner()).await?;
    // Anyone waiting in the call's room is told and let go.
    realtime.end(&id, "cancelled");
    Ok(HttpResponse::Ok().json(view))
}

/// Art. 15: move to another slot with a reason; the history keeps the old one.
#[utoipa::path(post, path = "/api/consultations/{id}/reschedule", tag = "booking", request_body = RescheduleInput,
    params(("id" = String, Path)),
    responses((status = 200, body = ConsultationView), (status = 409, body = ErrorBody),
              (status = 422, description = "slot_in_past, slot_beyond_horizon, not_a_slot, date_out_of_range, invalid_characters", body = ErrorBody)))]
pub async fn reschedule(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<Id>,
    body: web::Json<RescheduleInput>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(
        change::reschedule(&ctx, &user.0, path.into_inner().into(), body.into_inner()).await?,
    ))
}

/// Art. 12: the patient agrees to a booking staff made on their own initiative (link token).
#[utoipa::path(post, path = "/api/consultations/{id}/confirm", tag = "booking", request_body = ConfirmInput,
    params(("id" = String, Path)),
    responses((status = 200, body = ConsultationView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn confirm(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<Id>,
    body: web::Json<ConfirmInput>,
) -> AppResult<HttpResponse> {
    let view = change::confirm(
        &ctx,
        path.into_inner().into(),
        body.into_inner(),
        client_ip(&req),
    )
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Art. 12, 35: the signed-in patient or representative agrees to a booking staff made for
/// them; its doctor reaches the patient's records only from then.
#[utoipa::path(post, path = "/api/consultations/{id}/agree", tag = "booking",
    params(("id" = String, Path)),
    responses((status = 200, body = ConsultationView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn agree(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<Id>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(change::agree(&ctx, &user.0, path.into_inner().into()).await?))
}

/// Art. 13: the request's documents are complete; the deadline clock starts.
#[utoipa::path(post, path = "/api/consultations/{id}/documents-complete", tag = "booking",
    params(("id" = String, Path)),
    responses((status = 200, body = ConsultationView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn documents_complete(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<Id>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(change::documents_complete(&ctx, &user.0, path.into_inner().into()).await?))
}

/// Staff queue, soonest legal deadline first, with time left.
#[utoipa::path(get, path = "/api/queue", tag = "booking", params(PageQuery),
    responses((status = 200, body = Vec<ConsultationView>), (status = 403, body = ErrorBody),
              (status = 422, description = "invalid_limit, invalid_cursor", body = ErrorBody)))]
pub async fn staff_queue(
    ctx: web::Data<Context>,
    user: CurrentUser,
    req: HttpRequest,
    q: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let page = queue::queue(&ctx, &user.0, q.into_inner()).await?;
    Ok(paged(&req, page))
}
