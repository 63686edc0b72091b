//! Liveness, readiness and the OpenAPI document.

use actix_web::{HttpResponse, web};
use diesel::connection::SimpleConnection;
use diesel_migrations::MigrationHarness;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use crate::db::{DbConnection, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};
use crate::error::{AppError, AppResult};
use crate::services::Context;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    pub status: &'static str,
    pub database: &'static str,
}

/// The process is alive.
#[utoipa::path(get, path = "/health", tag = "operations", responses((status = 200, body = Health)))]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The database answers and its schema is up to date.
#[utoipa::path(get, path = "/ready", tag = "operations",
    responses((status = 200, body = Readiness), (status = 503, body = super::error::ErrorBody)))]
pub async fn ready(ctx: web::Data<Context>) -> AppResult<HttpResponse> {
    let backend = ctx.db.backend().name();
    ctx.db
        .run(|conn| {
            conn.batch_execute("SELECT 1")
                .map_err(|e| AppError::Unavailable(e.into()))?;
            let pending = match conn {
                DbConnection::Postgresql(c) => c.has_pending_migration(POSTGRES_MIGRATIONS),
                DbConnection::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS),
            }
            .map_err(|e| AppError::Unavailable(anyhow::anyhow!("{e}")))?;
            if pending {
                return Err(AppError::Unavailable(anyhow::anyhow!(
                    "migrations pending: run `telemed migrate`"
                )));
            }
            Ok(())
        })
        .await?;
    Ok(HttpResponse::Ok().json(Readiness {
        status: "ready",
        database: backend,
    }))
}

#[utoipa::path(get, path = "/api/openapi.json", tag = "operations",
    responses((status = 200, description = "this document")))]
pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok().json(super::ApiDoc::openapi())
}
