//! The e-mails of a council (art. 20, 25, 27): the patient's side told of the planned council
//! (or asked to agree to it), each consultant told of their assignment, the reminders before a
//! real-time council, the doctors asked to sign the frozen conclusion, the patient's side told
//! that the final conclusion is in the health passport, and everyone told when it is called
//! off. Never the question, an opinion, the conclusion or a reason someone wrote.

use minijinja::context;

use super::{Addressee, letter};
use crate::error::AppResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CouncilNotice {
    /// On the doctor's own initiative: the patient is asked to agree (art. 20).
    AgreementRequested,
    /// The patient hears of the planned council (art. 25).
    Planned,
    /// A consultant is assigned (art. 25).
    Assigned,
    /// Before a real-time council, this many hours ahead.
    Reminder(i64),
    /// The conclusion is frozen: every participant is asked to sign it (art. 27).
    SignRequested,
    /// Every participant signed: the conclusion is in the health passport.
    Final,
    /// The council was called off, or the patient's side refused it.
    Cancelled,
}

impl CouncilNotice {
    pub(super) fn letter(self) -> &'static str {
        match self {
            CouncilNotice::AgreementRequested => "council_agreement",
            CouncilNotice::Planned => "council_planned",
            CouncilNotice::Assigned => "council_assigned",
            CouncilNotice::Reminder(_) => "council_reminder",
            CouncilNotice::SignRequested => "council_sign",
            CouncilNotice::Final => "council_final",
            CouncilNotice::Cancelled => "council_cancelled",
        }
    }
}

/// Which council a letter is about.
#[derive(Debug, Clone)]
pub struct CouncilText<'a> {
    pub patient_name: &'a str,
    pub initiator_name: &'a str,
    pub organization_name: &'a str,
    /// Real time: the council's hour, formatted in the organisation's zone.
    pub when: Option<&'a str>,
    pub urgent: bool,
    pub url: &'a str,
    /// Who called it off (`initiator`, `patient`, `representative`, `doctor`, `organization`),
    /// for [`CouncilNotice::Cancelled`].
    pub cancelled_by: Option<&'a str>,
}

pub fn council(
    lang: &str,
    to: &Addressee<'_>,
    notice: CouncilNotice,
    c: &CouncilText<'_>,
) -> AppResult<(String, String)> {
    let hours = match notice {
        CouncilNotice::Reminder(h) => Some(h),
        _ => None,
    };
    letter(
        lang,
        notice.letter(),
        to,
        context! {
            patient_name => c.patient_name,
            initiator_name => c.initiator_name,
            organization_name => c.organization_name,
            when => c.when,
            urgent => c.urgent,
            url => c.url,
            hours,
            cancelled_by => c.cancelled_by,
        },
    )
}
