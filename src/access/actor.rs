//! The authenticated user on whose behalf a use-case runs.

use crate::domain::account::Role;
use crate::error::{AppError, AppResult};

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
