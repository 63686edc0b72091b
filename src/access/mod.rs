//! The one access policy for patient data (Rules art. 35, 38, 40; medical secrecy). Every
//! service asks it "may this actor do this act on this patient's data, and why?" and writes the
//! answer's purpose into its audit row; no service decides on its own.
//!
//! The model is the one EHRs use:
//! - the patient and their legal representative reach their own data;
//! - a doctor reaches a patient's records only within a **care relationship** ([`care`]): the
//!   doctor of a consultation the patient agreed to, a member of a council the patient agreed to
//!   (or that their treating doctor called at their request), the treating doctor who sent a
//!   deferred request, from when it is established until it ends plus a configured tail. Staff
//!   alone can never create one on the patient's behalf: a booking by staff counts once the
//!   patient confirms it or turns up to its call;
//! - or by **breaking the glass** ([`glass`]): a stated reason, a grant that runs out, a loud
//!   line in the patient's access log and a mail to the organisation's administrators;
//! - staff by role and need ([`consultation`]): support and administrators see scheduling,
//!   never records or files; a queue shows a doctor only the requests of their specialties;
//! - guests of a call reach the call and its chat, nothing else.
//!
//! Refusals are audited here, with the patient as subject, so the patient sees every attempt
//! in their access log (art. 40), whichever service was asked.

mod actor;
mod audit_row;
pub mod care;
pub mod consultation;
pub mod glass;
pub mod organization;
pub mod patient;
mod people;
pub mod record;

pub use actor::Actor;
pub use audit_row::Access;
pub use care::{Basis, care_basis};
pub use consultation::{ConsultationAct, Part};
pub use patient::PatientAct;
pub use people::{Relation, refuse_for, represents, resolve, resolve_audited, user};

use chrono::Duration;

/// The configured spans of the policy.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// How long a care relationship lasts after its consultation or council ended.
    pub care_tail: Duration,
    /// How long a break-the-glass grant lasts.
    pub break_glass: Duration,
}

impl Rules {
    pub fn from_settings(settings: &crate::config::AccessSettings) -> Rules {
        Rules {
            care_tail: Duration::days(i64::from(settings.care_tail_days)),
            break_glass: Duration::minutes(i64::from(settings.break_glass_minutes)),
        }
    }
}
