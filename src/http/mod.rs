//! actix-web: routes, extractors and error mapping. Handlers parse, call one service, map.

pub mod account_self;
pub mod accounts;
pub mod auth;
pub mod booking;
pub mod break_glass;
pub mod calls;
pub mod councils;
pub mod csrf;
pub mod deferred;
pub mod directory;
pub mod error;
pub mod ids;
pub mod language;
pub mod ops;
pub mod paging;
pub mod platform;
pub mod records;
pub mod signal;
pub mod signing_keys;
pub mod staff;
pub mod web;

use actix_web::web as aw;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "telemed API", description = "Remote medical services (Rules ҚР ДСМ-12, 2021)"),
    paths(
        ops::health, ops::ready, ops::openapi,
        accounts::register, accounts::login, accounts::logout, accounts::me, accounts::access_log,
        accounts::create_staff, accounts::list_staff,
        account_self::verify_email, account_self::resend_verification, account_self::request_reset,
        account_self::reset_password, account_self::change_password, account_self::change_email,
        account_self::update_me, account_self::list_sessions, account_self::revoke_session,
        account_self::invite_staff, account_self::resend_invite, account_self::show_invite,
        account_self::accept_invite,
        directory::list_specialties, directory::list_organizations, directory::get_organization,
        directory::create_organization, directory::update_organization, directory::publish_offer,
        directory::list_practitioners, directory::get_practitioner,
        directory::update_practitioner, directory::set_schedule,
        directory::offer_acceptances, directory::practitioner_week, directory::my_week,
        staff::deactivate, staff::reactivate, platform::organizations, platform::health,
        booking::list_slots, booking::consent_status, booking::consent_act, booking::consent_code,
        booking::create, booking::list, booking::get, booking::cancel, booking::reschedule,
        booking::confirm, booking::agree, booking::documents_complete, booking::staff_queue,
        records::create, records::get, records::update, records::document, records::sign,
        records::amend, records::add_material, records::health_passport, records::break_glass,
        break_glass::review,
        signing_keys::challenge, signing_keys::enrol,
        signal::signal, calls::ice_servers, calls::upload_file, calls::list_materials,
        calls::download_material, calls::messages, calls::end, calls::phone,
        calls::list_guests, calls::invite_guest,
        deferred::take, deferred::request_documents, deferred::decline, deferred::icd10_search,
        councils::create, councils::list, councils::get, councils::agree, councils::accept,
        councils::decline, councils::cancel, councils::add_member, councils::opinion, councils::save_conclusion, councils::freeze,
        councils::document, councils::sign, councils::refuse, councils::consultant_lists,
        councils::save_consultant_list,
    ),
    tags((name = "accounts"), (name = "directory"), (name = "booking"), (name = "records"), (name = "calls"), (name = "deferred"), (name = "councils"),
         (name = "operations"))
)]
pub struct ApiDoc;

/// Every route of the service. The OpenAPI document above lists the same set; a test checks it.
pub fn routes(cfg: &mut aw::ServiceConfig) {
    cfg.route("/health", aw::get().to(ops::health))
        .route("/ready", aw::get().to(ops::ready))
        .service(
            aw::scope("/api")
                .route("/openapi.json", aw::get().to(ops::openapi))
                .route("/auth/register", aw::post().to(accounts::register))
                .route("/auth/login", aw::post().to(accounts::login))
                .route("/auth/logout", aw::post().to(accounts::logout))
                .service(
                    aw::resource("/me")
                        .route(aw::get().to(accounts::me))
                        .route(aw::patch().to(account_self::update_me)),
                )
                .route(
                    "/auth/verify-email",
                    aw::post().to(account_self::verify_email),
                )
                .route(
                    "/auth/password-reset",
                    aw::post().to(account_self::request_reset),
                )
                .route(
                    "/auth/password-reset/confirm",
                    aw::post().to(account_self::reset_password),
                )
                .route(
                    "/me/verify-email",
                    aw::post().to(account_self::resend_verification),
                )
                .route("/me/password", aw::post().to(account_self::change_password))
                .route("/me/email", aw::post().to(account_self::change_email))
                .route("/me/sessions", aw::get().to(account_self::list_sessions))
                .route(
                    "/me/sessions/{id}",
                    aw::delete().to(account_self::revoke_session),
                )
                .route(
                    "/organizations/{id}/invites",
                    aw::post().to(account_self::invite_staff),
                )
                .route(
                    "/organizations/{id}/staff/{user_id}/invite",
                    aw::post().to(account_self::resend_invite),
                )
                .route("/invites/{token}", aw::get().to(account_self::show_invite))
                .route(
                    "/invites/{token}/accept",
                    aw::post().to(account_self::accept_invite),
                )
                .route("/me/access-log", aw::get().to(accounts::access_log))
                .route(
                    "/me/signing-key/challenge",
                    aw::post().to(signing_keys::challenge),
                )
                .route("/me/signing-key", aw::post().to(signing_keys::enrol))
                .route("/specialties", aw::get().to(directory::list_specialties))
                .service(
                    aw::resource("/organizations")
                        .route(aw::get().to(directory::list_organizations))
                        .route(aw::post().to(directory::create_organization)),
                )
                .service(
                    aw::resource("/organizations/{id}")
                        .route(aw::get().to(directory::get_organization))
                        .route(aw::put().to(directory::update_organization)),
                )
                .route(
                    "/organizations/{id}/offers",
                    aw::post().to(directory::publish_offer),
                )
                .service(
                    aw::resource("/organizations/{id}/staff")
                        .route(aw::get().to(accounts::list_staff))
                        .route(aw::post().to(accounts::create_staff)),
                )
                .route(
                    "/practitioners",
                    aw::get().to(directory::list_practitioners),
                )
                .service(
                    aw::resource("/practitioners/{id}")
                        .route(aw::get().to(directory::get_practitioner))
                        .route(aw::put().to(directory::update_practitioner)),
                )
                .route(
                    "/practitioners/{id}/schedule",
                    aw::put().to(directory::set_schedule),
                )
                .route(
                    "/practitioners/{id}/week",
                    aw::get().to(directory::practitioner_week),
                )
                .route("/me/week", aw::get().to(directory::my_week))
                .route(
                    "/organizations/{id}/offer-acceptances",
                    aw::get().to(directory::offer_acceptances),
                )
                .route(
                    "/organizations/{id}/break-glass",
                    aw::get().to(break_glass::review),
                )
                .route(
                    "/organizations/{id}/staff/{user_id}/deactivate",
                    aw::post().to(staff::deactivate),
                )
                .route(
                    "/organizations/{id}/staff/{user_id}/reactivate",
                    aw::post().to(staff::reactivate),
                )
                .route(
                    "/platform/organizations",
                    aw::get().to(platform::organizations),
                )
                .route("/platform/health", aw::get().to(platform::health))
                .route("/slots", aw::get().to(booking::list_slots))
                .service(
                    aw::resource("/organizations/{id}/consent")
                        .route(aw::get().to(booking::consent_status))
                        .route(aw::post().to(booking::consent_act)),
                )
                .route(
                    "/organizations/{id}/consent/code",
                    aw::post().to(booking::consent_code),
                )
                .service(
                    aw::resource("/consultations")
                        .route(aw::get().to(booking::list))
                        .route(aw::post().to(booking::create)),
                )
                .route("/consultations/{id}", aw::get().to(booking::get))
                .route("/consultations/{id}/cancel", aw::post().to(booking::cancel))
                .route(
                    "/consultations/{id}/reschedule",
                    aw::post().to(booking::reschedule),
                )
                .route(
                    "/consultations/{id}/confirm",
                    aw::post().to(booking::confirm),
                )
                .route("/consultations/{id}/agree", aw::post().to(booking::agree))
                .route(
                    "/consultations/{id}/documents-complete",
                    aw::post().to(booking::documents_complete),
                )
                .route("/consultations/{id}/signal", aw::get().to(signal::signal))
                .route("/ice-servers", aw::get().to(calls::ice_servers))
                .route(
                    "/consultations/{id}/files",
                    aw::post().to(calls::upload_file),
                )
                .route(
                    "/consultations/{id}/materials",
                    aw::get().to(calls::list_materials),
                )
                .route(
                    "/consultations/{id}/materials/{material_id}",
                    aw::get().to(calls::download_material),
                )
                .route(
                    "/consultations/{id}/messages",
                    aw::get().to(calls::messages),
                )
                .route("/consultations/{id}/end", aw::post().to(calls::end))
                .route("/consultations/{id}/phone", aw::post().to(calls::phone))
                .service(
                    aw::resource("/consultations/{id}/guests")
                        .route(aw::get().to(calls::list_guests))
                        .route(aw::post().to(calls::invite_guest)),
                )
                .route("/consultations/{id}/take", aw::post().to(deferred::take))
                .route(
                    "/consultations/{id}/request-documents",
                    aw::post().to(deferred::request_documents),
                )
                .route(
                    "/consultations/{id}/decline",
                    aw::post().to(deferred::decline),
                )
                .route("/icd10", aw::get().to(deferred::icd10_search))
                .route("/queue", aw::get().to(booking::staff_queue))
                .service(
                    aw::resource("/councils")
                        .route(aw::get().to(councils::list))
                        .route(aw::post().to(councils::create)),
                )
                .route("/councils/{id}", aw::get().to(councils::get))
                .route("/councils/{id}/agree", aw::post().to(councils::agree))
                .route("/councils/{id}/accept", aw::post().to(councils::accept))
                .route("/councils/{id}/decline", aw::post().to(councils::decline))
                .route("/councils/{id}/cancel", aw::post().to(councils::cancel))
                .route(
                    "/councils/{id}/members",
                    aw::post().to(councils::add_member),
                )
                .route("/councils/{id}/opinion", aw::post().to(councils::opinion))
                .route(
                    "/councils/{id}/conclusion",
                    aw::put().to(councils::save_conclusion),
                )
                .route(
                    "/councils/{id}/conclusion/freeze",
                    aw::post().to(councils::freeze),
                )
                .route(
                    "/councils/{id}/conclusion/document",
                    aw::get().to(councils::document),
                )
                .route(
                    "/councils/{id}/conclusion/sign",
                    aw::post().to(councils::sign),
                )
                .route(
                    "/councils/{id}/conclusion/refuse",
                    aw::post().to(councils::refuse),
                )
                .route(
                    "/organizations/{id}/consultant-lists",
                    aw::get().to(councils::consultant_lists),
                )
                .route(
                    "/organizations/{id}/consultant-lists/{specialty}",
                    aw::put().to(councils::save_consultant_list),
                )
                .route(
                    "/patients/{patient_id}/records",
                    aw::post().to(records::create),
                )
                .service(
                    aw::resource("/records/{id}")
                        .route(aw::get().to(records::get))
                        .route(aw::put().to(records::update)),
                )
                .route("/records/{id}/document", aw::get().to(records::document))
                .route("/records/{id}/sign", aw::post().to(records::sign))
                .route("/records/{id}/amend", aw::post().to(records::amend))
                .route(
                    "/records/{id}/materials",
                    aw::post().to(records::add_material),
                )
                .route(
                    "/me/health-passport",
                    aw::get().to(records::health_passport),
                )
                .route("/break-glass", aw::post().to(records::break_glass))
                .default_service(aw::to(|| async {
                    error::json_error(
                        actix_web::http::StatusCode::NOT_FOUND,
                        "not_found",
                        "no such API endpoint",
                    )
                })),
        )
        .default_service(aw::to(web::asset));
}
