//! Art. 21: a deferred consultation is complete when the requester has the conclusion (or
//! access to it) and was notified, or a referral for further studies was formed, or a
//! prescription issued. Signing such a record for the request completes it in the same
//! transaction, records why and when, and queues the e-mails (a link, never the content).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::{Value, json};

use super::flow::tell_requester;
use crate::db::DbConnection;
use crate::db::models::MedicalRecordRow;
use crate::db::schema::consultations;
use crate::domain::consultation::{Completion, Mode, Status};
use crate::domain::records::RecordKind;
use crate::error::AppResult;
use crate::notify::templates::RequestUpdate;
use crate::services::consultations::request::{load as load_request, save};
use crate::services::consultations::{doctor_user_id, load, record_event, status_of};

/// Which of art. 21's conditions a signed record meets.
pub fn reasons(kind: RecordKind, content: &Value) -> Vec<Completion> {
    let mut out = Vec::new();
    match kind {
        RecordKind::Conclusion => {
            out.push(Completion::ConclusionNotified);
            if content.get("referral").is_some_and(|r| !r.is_null()) {
                out.push(Completion::ReferralFormed);
            }
            if content.get("prescription").is_some_and(|p| !p.is_null()) {
                out.push(Completion::PrescriptionIssued);
            }
        }
        RecordKind::Referral => out.push(Completion::ReferralFormed),
        RecordKind::Prescription => out.push(Completion::PrescriptionIssued),
        RecordKind::ConsultationNote => {}
    }
    out
}

/// Completes the deferred request a just-signed record belongs to, if the record's author is
/// its consultant and the record meets one of art. 21's conditions.
pub(crate) fn on_signed_record(
    conn: &mut DbConnection,
    record: &MedicalRecordRow,
    content: &Value,
    now: DateTime<Utc>,
    public_url: &str,
) -> AppResult<()> {
    let Some(consultation) = &record.consultation_id else {
        return Ok(());
    };
    let row = load(conn, consultation)?;
    if Mode::parse(&row.mode) != Some(Mode::Deferred) || status_of(&row)? != Status::Booked {
        return Ok(());
    }
    let consultant = match &row.practitioner_id {
        Some(p) => doctor_user_id(conn, p)?,
        None => return Ok(()),
    };
    let Some(kind) = RecordKind::parse(&record.kind) else {
        return Ok(());
    };
    let met = reasons(kind, content);
    if consultant != record.author_id || met.is_empty() {
        return Ok(());
    }
    let Some(mut request) = load_request(conn, consultation)? else {
        return Ok(());
    };
    let codes: Vec<&str> = met.iter().map(|c| c.as_str()).collect();
    request.completion_reason = Some(codes.join(","));
    request.completed_at = Some(now.naive_utc());
    request.paused_at = None;
    if kind == RecordKind::Conclusion {
        request.conclusion_id = Some(record.id.clone());
    }
    save(conn, &request)?;
    diesel::update(consultations::table.find(consultation))
        .set((
            consultations::status.eq(Status::Completed.as_str()),
            consultations::completed_at.eq(now.naive_utc()),
            consultations::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    record_event(
        conn,
        consultation,
        now,
        Some(&record.author_id),
        "completed",
        json!({"reasons": codes, "record_id": record.id}),
    )?;
    tell_requester(
        conn,
        now,
        &row,
        &request,
        RequestUpdate::ConclusionReady,
        public_url,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn art_21_each_signed_record_meets_its_conditions() {
        let plain = json!({"findings": "x", "diagnoses": []});
        assert_eq!(
            reasons(RecordKind::Conclusion, &plain),
            vec![Completion::ConclusionNotified]
        );
        let full = json!({"findings": "x", "referral": {"studies": ["КТ"], "reason": "r"},
                          "prescription": {"items": []}});
        assert_eq!(
            reasons(RecordKind::Conclusion, &full),
            vec![
                Completion::ConclusionNotified,
                Completion::ReferralFormed,
                Completion::PrescriptionIssued
            ]
        );
        assert_eq!(
            reasons(RecordKind::Referral, &json!({})),
            vec![Completion::ReferralFormed]
        );
        assert_eq!(
            reasons(RecordKind::Prescription, &json!({})),
            vec![Completion::PrescriptionIssued]
        );
        assert!(reasons(RecordKind::ConsultationNote, &json!({})).is_empty());
    }
}
