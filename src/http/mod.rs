//! actix-web: routes, extractors and error mapping. Handlers parse, call one service, map.

pub mod accounts;
pub mod auth;
pub mod directory;
pub mod error;
pub mod ops;
pub mod web;

use actix_web::web as aw;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "telemed API", description = "Remote medical services (Rules ҚР ДСМ-12, 2021)"),
    paths(
        ops::health, ops::ready, ops::openapi,
        accounts::register, accounts::login, accounts::logout, accounts::me,
        accounts::create_staff, accounts::list_staff,
        directory::list_specialties, directory::list_organizations, directory::get_organization,
        directory::create_organization, directory::update_organization, directory::publish_offer,
        directory::list_practitioners, directory::get_practitioner,
        directory::update_practitioner, directory::set_schedule,
    ),
    tags((name = "accounts"), (name = "directory"), (name = "operations"))
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
                .route("/me", aw::get().to(accounts::me))
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
