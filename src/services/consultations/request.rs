//! A deferred request's own row beside its consultation (Rules art. 13, 17; Order No. 5 of
//! 2025): what it asks for, who sent it, the licence it needs, its paused clock. Kept with the
//! consultation it belongs to, so the consultation's view and its acts need nothing from the
//! deferred workflow above them (`services::deferred`), which builds on this.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbConnection;
use crate::db::models::DeferredRequestRow;
use crate::db::schema::deferred_requests;
use crate::domain::consultation::RequestKind;
use crate::error::{AppError, AppResult};
use crate::services::Actor;
use crate::services::refs::OrganizationRef;
use crate::services::refs::PartyRef;

/// A deferred request as the consultation view shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeferredView {
    /// `consultation`, `interpretation` or `second_opinion`.
    pub kind: String,
    /// Interpretation: the licensed profile of the study.
    pub study_profile: Option<String>,
    pub requester: PartyRef,
    /// The treating doctor's organisation, when a doctor asked.
    pub requester_organization: Option<OrganizationRef>,
    /// The consultant asked for more documents and the clock stands until they come.
    pub paused: bool,
    pub paused_at: Option<DateTime<Utc>>,
    pub documents_note: Option<String>,
    pub decline_reason: Option<String>,
    /// The signed conclusion record.
    pub conclusion_id: Option<String>,
    /// Art. 21: `conclusion_notified`, `referral_formed`, `prescription_issued`.
    pub completion_reasons: Vec<String>,
    pub completed_at: Option<DateTime<Utc>>,
}

pub(crate) fn load(
    conn: &mut DbConnection,
    consultation: &str,
) -> AppResult<Option<DeferredRequestRow>> {
    Ok(deferred_requests::table
        .find(consultation)
        .select(DeferredRequestRow::as_select())
        .first(conn)
        .optional()?)
}

pub(crate) fn save(conn: &mut DbConnection, row: &DeferredRequestRow) -> AppResult<()> {
    diesel::update(deferred_requests::table.find(&row.consultation_id))
        .set(row)
        .execute(conn)?;
    Ok(())
}

/// The view of a request whose requester and organisation the caller has looked up (a list
/// looks them up for all its rows at once).
pub(crate) fn assemble(
    row: DeferredRequestRow,
    requester: PartyRef,
    requester_organization: Option<OrganizationRef>,
) -> DeferredView {
    let utc = |t: Option<chrono::NaiveDateTime>| t.map(|t| t.and_utc());
    DeferredView {
        kind: row.kind,
        study_profile: row.study_profile,
        requester,
        requester_organization,
        paused: row.paused_at.is_some(),
        paused_at: utc(row.paused_at),
        documents_note: row.documents_note,
        decline_reason: row.decline_reason,
        conclusion_id: row.conclusion_id,
        completion_reasons: row
            .completion_reason
            .map(|r| r.split(',').map(str::to_owned).collect())
            .unwrap_or_default(),
        completed_at: utc(row.completed_at),
    }
}

/// Order No. 5 of 2025: reading and describing the results of a study sent to another
/// organisation is allowed only when that organisation's licence covers the study's profile.
/// `licensed_profiles` is the organisation's list as stored (a JSON array of profile codes).
pub fn check_licence(
    licensed_profiles: &str,
    kind: RequestKind,
    study_profile: Option<&str>,
) -> AppResult<()> {
    if kind != RequestKind::Interpretation {
        return Ok(());
    }
    let profile = study_profile
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .ok_or_else(|| {
            AppError::unprocessable(
                "study_profile_required",
                "an interpretation request names the study's profile (study_profile)",
            )
        })?;
    let licensed: Vec<String> = serde_json::from_str(licensed_profiles).unwrap_or_default();
    if licensed.iter().any(|p| p == profile) {
        Ok(())
    } else {
        Err(AppError::unprocessable(
            "licence_profile_missing",
            format!(
                "the organisation's licence does not cover the profile {profile:?}; it cannot interpret this study (Order No. 5 of 2025)"
            ),
        ))
    }
}

/// Files the request's details beside its consultation row, in the booking's transaction.
pub(crate) fn create(
    conn: &mut DbConnection,
    consultation: &str,
    kind: RequestKind,
    study_profile: Option<String>,
    requester: &Actor,
    staff: bool,
) -> AppResult<()> {
    let row = DeferredRequestRow {
        consultation_id: consultation.to_owned(),
        kind: kind.as_str().to_owned(),
        study_profile: study_profile.map(|p| p.trim().to_owned()),
        requester_id: requester.user_id.clone(),
        requester_org_id: if staff {
            requester.organization_id.clone()
        } else {
            None
        },
        paused_at: None,
        remaining_seconds: None,
        documents_note: None,
        decline_reason: None,
        conclusion_id: None,
        completion_reason: None,
        completed_at: None,
    };
    diesel::insert_into(deferred_requests::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
}

/// The requester marked the documents complete after a request for more: the clock runs again
/// with the time it had left. Returns the new deadline, or `None` when the clock was not
/// stopped.
pub(crate) fn resume(
    conn: &mut DbConnection,
    row: &crate::db::models::ConsultationRow,
    now: DateTime<Utc>,
) -> AppResult<Option<DateTime<Utc>>> {
    let Some(mut request) = load(conn, &row.id)? else {
        return Ok(None);
    };
    if request.paused_at.is_none() {
        return Ok(None);
    }
    let deadline = now + chrono::Duration::seconds(request.remaining_seconds.unwrap_or(0));
    request.paused_at = None;
    request.remaining_seconds = None;
    save(conn, &request)?;
    Ok(Some(deadline))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_5_interpretation_needs_the_licensed_profile() {
        let o = r#"["cardiology","radiology"]"#;
        assert!(check_licence(o, RequestKind::Interpretation, Some("radiology")).is_ok());
        let err = check_licence(
            o,
            RequestKind::Interpretation,
            Some("functional_diagnostics"),
        )
        .unwrap_err();
        assert_eq!(err.code(), "licence_profile_missing");
        let err = check_licence(o, RequestKind::Interpretation, None).unwrap_err();
        assert_eq!(err.code(), "study_profile_required");
        // A consultation or a second opinion is not the interpretation of a study.
        assert!(check_licence(o, RequestKind::SecondOpinion, Some("oncology")).is_ok());
        assert!(check_licence(o, RequestKind::Consultation, None).is_ok());
    }
}
