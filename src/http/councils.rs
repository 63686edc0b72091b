//! Councils over HTTP (art. 2.6, 18–27): the request, the consultants' answers, opinions, the
//! common conclusion and its signatures; and the organisations' consultant lists (art. 24).

use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{HttpResponse, web};

use super::auth::CurrentUser;
use super::error::ErrorBody;
use crate::error::AppResult;
use crate::services::Context;
use crate::services::councils::conclusion::{self, ConclusionInput};
use crate::services::councils::create::{self, CouncilInput};
use crate::services::councils::lists::{self, ConsultantList, ListInput};
use crate::services::councils::members::{self, AddMemberInput, OpinionInput, ReasonInput};
use crate::services::councils::{self, CouncilView};
use crate::services::records::sign::SignInput;

type Id = web::Path<super::ids::Id>;

/// A doctor asks for a council (art. 20); consultants are named or assigned (art. 22, 23).
#[utoipa::path(post, path = "/api/councils", tag = "councils", request_body = CouncilInput,
    responses((status = 201, body = CouncilView), (status = 403, body = ErrorBody),
              (status = 422, description = "council_too_small (art. 2.6), consultants_or_specialties, no_consultant_available, organization_lacks_specialty, patient_not_found, not_a_patient, question_required, scheduled_at_required, scheduled_at_past, scheduled_at_beyond_horizon, date_out_of_range, invalid_characters, unknown_practitioner, unknown_specialty, unknown_organization, duplicate_consultant, initiator_not_consultant", body = ErrorBody)))]
pub async fn create(
    ctx: web::Data<Context>,
    user: CurrentUser,
    body: web::Json<CouncilInput>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(create::create(&ctx, &user.0, body.into_inner()).await?))
}

/// The councils the user started, takes part in, or that examine them; newest first.
#[utoipa::path(get, path = "/api/councils", tag = "councils",
    responses((status = 200, body = Vec<CouncilView>)))]
pub async fn list(ctx: web::Data<Context>, user: CurrentUser) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(councils::list(&ctx, &user.0).await?))
}

#[utoipa::path(get, path = "/api/councils/{id}", tag = "councils", params(("id" = String, Path)),
    responses((status = 200, body = CouncilView), (status = 403, description = "forbidden (audited)", body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn get(ctx: web::Data<Context>, user: CurrentUser, path: Id) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(councils::get(&ctx, &user.0, &path).await?))
}

/// Art. 20: the patient agrees to a council their doctor called on their own initiative.
#[utoipa::path(post, path = "/api/councils/{id}/agree", tag = "councils", params(("id" = String, Path)),
    responses((status = 200, body = CouncilView), (status = 409, description = "agreement_not_needed", body = ErrorBody)))]
pub async fn agree(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: Id,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(members::agree(&ctx, &user.0, &path).await?))
}

#[utoipa::path(post, path = "/api/councils/{id}/accept", tag = "councils", params(("id" = String, Path)),
    responses((status = 200, body = CouncilView), (status = 409, description = "not_invited, awaiting_agreement", body = ErrorBody)))]
pub async fn accept(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: Id,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(members::accept(&ctx, &user.0, &path).await?))
}

/// A consultant declines with a reason; the organisation assigns the next one.
#[utoipa::path(post, path = "/api/councils/{id}/decline", tag = "councils", params(("id" = String, Path)),
    request_body = ReasonInput,
    responses((status = 200, body = CouncilView), (status = 409, description = "not_invited", body = ErrorBody),
              (status = 422, description = "reason_required", body = ErrorBody)))]
pub async fn decline(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: Id,
    body: web::Json<ReasonInput>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(members::decline(&ctx, &user.0, &path, body.into_inner()).await?))
}

/// The initiator calls the council off, or the patient's side refuses it (art. 20).
#[utoipa::path(post, path = "/api/councils/{id}/cancel", tag = "councils", params(("id" = String, Path)),
    request_body = ReasonInput,
    responses((status = 200, body = CouncilView), (status = 403, body = ErrorBody),
              (status = 409, description = "council_closed", body = ErrorBody),
              (status = 422, description = "reason_required", body = ErrorBody)))]
pub async fn cancel(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: Id,
    body: web::Json<ReasonInput>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(councils::cancel::cancel(&ctx, &user.0, &path, body.into_inner()).await?))
}

/// The initiator invites one more consultant: named, or for a specialty (art. 20, 22, 23).
#[utoipa::path(post, path = "/api/councils/{id}/members", tag = "councils", params(("id" = String, Path)),
    request_body = AddMemberInput,
    responses((status = 200, body = CouncilView), (status = 403, body = ErrorBody),
              (status = 409, description = "council_closed, conclusion_frozen", body = ErrorBody),
              (status = 422, description = "duplicate_consultant, no_consultant_available, unknown_practitioner, consultants_or_specialties", body = ErrorBody)))]
pub async fn add_member(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: Id,
    body: web::Json<AddMemberInput>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(members::add(&ctx, &user.0, &path, body.into_inner()).await?))
}

/// Art. 19, 26: a consultant's opinion in a deferred council.
#[utoipa::path(post, path = "/api/councils/{id}/opinion", tag = "councils", params(("id" = String, Path)),
    request_body = OpinionInput,
    responses((status = 200, body = CouncilView), (status = 409, description = "not_deferred_council", body = ErrorBody),
              (status = 422, description = "opinion_required", body = ErrorBody)))]
pub async fn opinion(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: Id,
    body: web::Json<OpinionInput>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(members::opinion(&ctx, &user.0, &path, body.into_inner()).await?))
}

/// The draft conclusion; editing a frozen one makes a new version and voids its signatures.
#[utoipa::path(put, path = "/api/councils/{id}/conclusion", tag = "councils", params(("id" = String, Path)),
    request_body = ConclusionInput,
    responses((status = 200, body = CouncilView), (status = 403, description = "not_a_council_member", body = ErrorBody),
              (status = 422, description = "unknown_icd10, invalid_icd10, missing_field", body = ErrorBody)))]
pub async fn save_conclusion(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: Id,
    body: web::Json<ConclusionInput>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(conclusion::save(&ctx, &user.0, &path, body.into_inner()).await?))
}

/// The initiator freezes the draft into the document every participant signs.
#[utoipa::path(post, path = "/api/councils/{id}/conclusion/freeze", tag = "councils", params(("id" = String, Path)),
    responses((status = 200, body = CouncilView),
              (status = 409, description = "council_incomplete, conclusion_not_draft, conclusion_missing", body = ErrorBody)))]
pub async fn freeze(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: Id,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(conclusion::freeze(&ctx, &user.0, &path).await?))
}

/// The exact bytes to sign (canonical JSON); `X-Document-Sha256` carries their SHA-256.
#[utoipa::path(get, path = "/api/councils/{id}/conclusion/document", tag = "councils", params(("id" = String, Path)),
    responses((status = 200, content_type = "application/json", description = "the canonical document"),
              (status = 409, description = "conclusion_not_frozen, conclusion_not_final", body = ErrorBody)))]
pub async fn document(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: Id,
) -> AppResult<HttpResponse> {
    let (text, sha256) = conclusion::document(&ctx, &user.0, &path).await?;
    let mut res = HttpResponse::Ok();
    res.content_type("application/json");
    if let Ok(v) = HeaderValue::from_str(&sha256) {
        res.insert_header((HeaderName::from_static("x-document-sha256"), v));
    }
    res.insert_header((header::CACHE_CONTROL, "no-store"));
    Ok(res.body(text))
}

/// A participant's signature over the frozen document (art. 27).
#[utoipa::path(post, path = "/api/councils/{id}/conclusion/sign", tag = "councils", params(("id" = String, Path)),
    request_body = SignInput,
    responses((status = 200, body = CouncilView),
              (status = 409, description = "document_changed, already_answered, conclusion_not_frozen", body = ErrorBody),
              (status = 422, description = "signer_mismatch, signature_invalid, certificate_untrusted, …", body = ErrorBody)))]
pub async fn sign(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: Id,
    body: web::Json<SignInput>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(conclusion::sign(&ctx, &user.0, &path, body.into_inner()).await?))
}

/// A participant refuses to sign, with a reason (dissent): the conclusion cannot be final.
#[utoipa::path(post, path = "/api/councils/{id}/conclusion/refuse", tag = "councils", params(("id" = String, Path)),
    request_body = ReasonInput,
    responses((status = 200, body = CouncilView), (status = 409, description = "already_answered", body = ErrorBody)))]
pub async fn refuse(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: Id,
    body: web::Json<ReasonInput>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(conclusion::refuse(&ctx, &user.0, &path, body.into_inner()).await?))
}

/// Art. 24: the organisation's consultant lists, per specialty, in queue order.
#[utoipa::path(get, path = "/api/organizations/{id}/consultant-lists", tag = "councils", params(("id" = String, Path)),
    responses((status = 200, body = Vec<ConsultantList>), (status = 403, body = ErrorBody)))]
pub async fn consultant_lists(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: Id,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(lists::get(&ctx, &user.0, &path).await?))
}

/// Art. 24: replaces one specialty's list (the order is the queue's, art. 23).
#[utoipa::path(put, path = "/api/organizations/{id}/consultant-lists/{specialty}", tag = "councils",
    params(("id" = String, Path), ("specialty" = String, Path)), request_body = ListInput,
    responses((status = 200, body = ConsultantList), (status = 403, body = ErrorBody),
              (status = 422, description = "practitioner_not_in_organization, practitioner_lacks_specialty, duplicate_practitioner, unknown_specialty", body = ErrorBody)))]
pub async fn save_consultant_list(
    ctx: web::Data<Context>,
    user: CurrentUser,
    path: web::Path<(super::ids::Id, super::ids::Code)>,
    body: web::Json<ListInput>,
) -> AppResult<HttpResponse> {
    let (org, specialty) = path.into_inner();
    Ok(HttpResponse::Ok()
        .json(lists::put(&ctx, &user.0, &org, &specialty, body.into_inner()).await?))
}
