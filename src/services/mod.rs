//! Use-cases. Each takes the [`Context`] (database, clock, settings) and the acting user,
//! enforces the rules and the permissions, and returns views ready to serialise.

pub mod access_log;
pub mod accounts;
pub mod calls;
pub mod consent;
pub mod consultations;
pub mod councils;
pub mod deferred;
pub mod demo;
pub mod documents;
pub mod organizations;
pub mod passwords;
pub mod patients;
pub mod practitioners;
pub mod records;
pub mod signing_keys;
pub mod slots;

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::domain::account::Role;
use crate::error::{AppError, AppResult};

#[derive(Clone)]
pub struct Context {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
    /// The address people open (no trailing slash), for links in mail.
    pub public_url: String,
    /// Checks electronic signatures on medical records against the configured trust.
    pub verifier: Arc<dyn crate::signing::Verifier>,
    /// Files: shared documents, call recordings, transcripts.
    pub blobs: crate::storage::BlobStore,
}

/// The authenticated user on whose behalf a use-case runs.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: String,
    pub role: Role,
    pub organization_id: Option<String>,
    /// Where the request came from, for the audit log.
    pub ip: String,
}

impl Actor {
    /// Administrators of an organisation manage it; the platform operator manages all.
    pub fn manages_organization(&self, organization_id: &str) -> bool {
        match self.role {
            Role::PlatformAdmin => true,
            Role::OrgAdmin => self.organization_id.as_deref() == Some(organization_id),
            _ => false,
        }
    }

    /// Records a change this actor made, inside the transaction that makes it.
    pub fn audit_change(
        &self,
        conn: &mut crate::db::DbConnection,
        at: chrono::DateTime<chrono::Utc>,
        action: &str,
        object_type: &str,
        object_id: &str,
    ) -> AppResult<()> {
        crate::audit::record(
            conn,
            at,
            &crate::audit::Event {
                actor_id: Some(&self.user_id),
                subject_id: None,
                action,
                object_type,
                object_id,
                outcome: "ok",
                ip: &self.ip,
                purpose: (object_type == "consultation").then_some(object_id),
            },
        )
    }

    pub fn require_manager_of(&self, organization_id: &str) -> AppResult<()> {
        if self.manages_organization(organization_id) {
            Ok(())
        } else {
            Err(AppError::forbidden())
        }
    }
}

/// Trims a required free-text field and bounds its length.
pub(crate) fn required_text(
    value: &str,
    field: &'static str,
    max_chars: usize,
) -> AppResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(AppError::unprocessable(
            "missing_field",
            format!("{field} is required"),
        ));
    }
    optional_text(v, field, max_chars)
}

pub(crate) fn optional_text(
    value: &str,
    field: &'static str,
    max_chars: usize,
) -> AppResult<String> {
    let v = value.trim();
    if v.chars().count() > max_chars {
        return Err(AppError::unprocessable(
            "field_too_long",
            format!("{field} is longer than {max_chars} characters"),
        ));
    }
    Ok(v.to_owned())
}
