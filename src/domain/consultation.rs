//! A consultation's kinds (art. 6, 9), who asked for it (art. 12), its funding (art. 41–43), its
//! status, and its legal deadline (art. 8, 13).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

text_enum!(
    /// Real time (video) or deferred (asynchronous), art. 9.
    Mode { Realtime = "realtime", Deferred = "deferred" }
);
text_enum!(
    /// Urgent (неотложная) or planned (плановая), art. 6.
    Urgency { Urgent = "urgent", Planned = "planned" }
);
text_enum!(
    /// Who pays (art. 41–43): the guaranteed free volume, compulsory insurance, the patient,
    /// or voluntary insurance.
    Funding { Gobmp = "gobmp", Osms = "osms", Paid = "paid", Vmi = "vmi" }
);
text_enum!(
    /// Whose initiative the booking was (art. 12).
    Initiative {
        Patient = "patient",
        Representative = "representative",
        StaffOnPatientRequest = "staff_on_patient_request",
        StaffOwn = "staff_own",
    }
);
text_enum!(
    Status {
        /// Booked by staff on their own initiative; firm only after the patient agrees (art. 12).
        AwaitingAgreement = "awaiting_agreement",
        Booked = "booked",
        InProgress = "in_progress",
        Completed = "completed",
        Cancelled = "cancelled",
        /// A deferred request the consultant turned down, with a reason.
        Declined = "declined",
    }
);
text_enum!(
    /// What a deferred request asks for (art. 17): a consultation on the documents, the
    /// interpretation of a diagnostic study, or a second opinion.
    RequestKind {
        Consultation = "consultation",
        Interpretation = "interpretation",
        SecondOpinion = "second_opinion",
    }
);
text_enum!(
    /// Why a deferred request counts as complete (art. 21).
    Completion {
        /// The requester has access to the signed conclusion and was notified.
        ConclusionNotified = "conclusion_notified",
        /// A referral for further studies was formed.
        ReferralFormed = "referral_formed",
        /// A prescription was issued.
        PrescriptionIssued = "prescription_issued",
    }
);

impl Status {
    /// Art. 15: a consultation that has taken place cannot be cancelled or moved.
    pub fn can_change(self) -> bool {
        matches!(self, Status::AwaitingAgreement | Status::Booked)
    }

    /// Still holds its slot and its place in the queue.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::AwaitingAgreement | Status::Booked | Status::InProgress
        )
    }
}

/// Art. 8, 13: the deadline runs from the moment the request and its documents have arrived.
pub fn deadline(
    clock_started: DateTime<Utc>,
    urgency: Urgency,
    urgent_hours: i32,
    planned_hours: i32,
) -> DateTime<Utc> {
    let hours = match urgency {
        Urgency::Urgent => urgent_hours,
        Urgency::Planned => planned_hours,
    };
    clock_started + Duration::hours(i64::from(hours))
}

/// Reasons a side gives when cancelling or rescheduling (art. 15); the text explains further.
pub const REASON_CODES: [&str; 6] = [
    "patient_request",
    "doctor_unavailable",
    "patient_unwell",
    "technical_problem",
    "duplicate",
    "other",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn art_8_urgent_requests_run_on_the_urgent_deadline() {
        let start = DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            deadline(start, Urgency::Urgent, 3, 72),
            start + Duration::hours(3)
        );
        assert_eq!(
            deadline(start, Urgency::Planned, 3, 72),
            start + Duration::hours(72)
        );
    }

    #[test]
    fn art_15_only_open_consultations_change() {
        assert!(Status::Booked.can_change());
        assert!(Status::AwaitingAgreement.can_change());
        assert!(!Status::Completed.can_change());
        assert!(!Status::Cancelled.can_change());
        assert!(!Status::InProgress.can_change());
    }

    #[test]
    fn texts_round_trip() {
        for f in [Funding::Gobmp, Funding::Osms, Funding::Paid, Funding::Vmi] {
            assert_eq!(Funding::parse(f.as_str()), Some(f));
        }
        assert_eq!(Initiative::parse("staff_own"), Some(Initiative::StaffOwn));
        assert_eq!(Mode::parse("video"), None);
    }
}

/// Why someone is in the call.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CallRole {
    /// The consultation's own doctor: admits, ends.
    Doctor,
    Patient,
    /// The patient's legal representative.
    Representative,
    /// Another doctor invited to the consultation (a second opinion, a council member).
    GuestDoctor,
    Interpreter,
    Relative,
}

impl CallRole {
    /// Doctors enter at once and may admit others; everyone else waits to be admitted.
    pub fn is_clinician(self) -> bool {
        matches!(self, CallRole::Doctor | CallRole::GuestDoctor)
    }
}

/// From when a real-time consultation's call may be joined: the margin before its slot.
pub fn join_opens_at(
    slot_start: Option<DateTime<Utc>>,
    margin_minutes: i64,
) -> Option<DateTime<Utc>> {
    slot_start.map(|s| s - Duration::minutes(margin_minutes))
}
