//! The e-mails, in Russian, Kazakh and English, chosen by the recipient's stored language
//! (`ru`, `kk`, `en`; anything else gets Russian), each written for its kind of recipient: the
//! patient, their legal representative, the doctor, a council's consultant, an organisation's
//! administrator, an organisation, an account's owner. The texts are files,
//! `src/notify/mail/<lang>/<letter>.<recipient>.txt` (see the README there), rendered by
//! minijinja (`templates/engine.rs`); here are only the values each letter gets. Each function
//! returns `(subject, body)`.
//!
//! Mail travels and is stored outside the platform, so it carries names, times, codes from a
//! closed list and links; never free text a person typed (a reason, a complaint, a question),
//! which can hold medical details: a letter says that a reason was given and links to the page
//! where the signed-in reader sees it.

mod account;
mod account_links;
mod council;
mod engine;
#[cfg(test)]
mod tests;

use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::Serialize;

use crate::domain::account::Language;
use crate::error::AppResult;

pub use account::registration_attempt;
pub use account_links::{AccountLink, account_link};
pub use council::{CouncilNotice, CouncilText, council};

/// Who a letter is written for; each has their own text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Recipient {
    Patient,
    /// A patient's legal representative, told about the patient they represent.
    Representative,
    /// The doctor of a consultation, a council's initiator, or the doctor who sent a request.
    Doctor,
    /// A doctor invited to a council.
    Consultant,
    /// An organisation's administrator.
    Administrator,
    /// An organisation, at its own address.
    Organization,
    /// The owner of an account, about the account itself.
    Owner,
}

impl Recipient {
    pub fn as_str(self) -> &'static str {
        match self {
            Recipient::Patient => "patient",
            Recipient::Representative => "representative",
            Recipient::Doctor => "doctor",
            Recipient::Consultant => "consultant",
            Recipient::Administrator => "administrator",
            Recipient::Organization => "organization",
            Recipient::Owner => "owner",
        }
    }

    /// The side a user's account role puts them on in letters about a patient's care: a patient,
    /// a representative, or (any member of staff) the doctor's side.
    pub fn of_role(role: &str) -> Recipient {
        match role {
            "patient" => Recipient::Patient,
            "representative" => Recipient::Representative,
            _ => Recipient::Doctor,
        }
    }
}

/// The person a letter greets, and in which text.
#[derive(Debug, Clone, Copy)]
pub struct Addressee<'a> {
    pub recipient: Recipient,
    pub name: &'a str,
}

/// What the booking e-mails say about one consultation. The reason for the visit is not here:
/// it is the patient's complaint, medical information that stays in the platform.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BookingText {
    pub patient_name: String,
    pub practitioner_name: String,
    pub organization_name: String,
    /// Already formatted in the organisation's zone, e.g. "24.11.2026 10:00 (Asia/Almaty)";
    /// empty for a deferred request.
    pub start_local: String,
    /// A deferred request's deadline, formatted the same way; empty while its clock has not
    /// started.
    pub deadline_local: String,
    /// `realtime` or `deferred`.
    pub mode: String,
    /// The page of the consultation, given as is.
    #[serde(rename = "url")]
    pub join_url: String,
}

/// A time as the mail shows it: in the organisation's zone (an IANA name, validated when the
/// organisation was saved; UTC if it no longer parses), followed by the zone's name.
pub fn local_time(time_zone: &str, t: chrono::DateTime<chrono::Utc>) -> String {
    let zone: chrono_tz::Tz = time_zone.parse().unwrap_or(chrono_tz::UTC);
    format!(
        "{} ({})",
        t.with_timezone(&zone).format("%d.%m.%Y %H:%M"),
        zone.name()
    )
}

fn language(lang: &str) -> Language {
    let primary = lang.trim().split(['-', '_']).next().unwrap_or_default();
    primary.to_ascii_lowercase().parse().unwrap_or(Language::Ru)
}

/// Renders `letter` for `to` in `lang` with `values`, plus the addressee's `name`.
fn letter(
    lang: &str,
    letter: &str,
    to: &Addressee<'_>,
    values: Value,
) -> AppResult<(String, String)> {
    engine::render(
        language(lang).as_str(),
        letter,
        to.recipient.as_str(),
        context! { name => to.name, ..values },
    )
}

fn booking(
    lang: &str,
    name: &str,
    to: &Addressee<'_>,
    b: &BookingText,
    more: Value,
) -> AppResult<(String, String)> {
    letter(
        lang,
        name,
        to,
        context! { b => Value::from(Serde(b)), ..more },
    )
}

/// A real-time booking is confirmed; includes the join link.
pub fn booking_confirmed(
    lang: &str,
    to: &Addressee<'_>,
    b: &BookingText,
) -> AppResult<(String, String)> {
    booking(lang, "booking_confirmed", to, b, context! {})
}

/// A deferred request is accepted: when the answer is due, or that the clock waits for the
/// documents (art. 13).
pub fn request_received(
    lang: &str,
    to: &Addressee<'_>,
    b: &BookingText,
) -> AppResult<(String, String)> {
    booking(lang, "request_received", to, b, context! {})
}

/// Staff booked on their own initiative; the patient's side agrees by the link (art. 12).
pub fn agreement_requested(
    lang: &str,
    to: &Addressee<'_>,
    b: &BookingText,
    confirm_url: &str,
) -> AppResult<(String, String)> {
    booking(lang, "agreement_requested", to, b, context! { confirm_url })
}

pub fn reminder(
    lang: &str,
    to: &Addressee<'_>,
    b: &BookingText,
    hours: i64,
) -> AppResult<(String, String)> {
    booking(lang, "reminder", to, b, context! { hours })
}

/// The new time and the old; the reason the person gave is on the consultation's page only.
pub fn rescheduled(
    lang: &str,
    to: &Addressee<'_>,
    b: &BookingText,
    old_start_local: &str,
) -> AppResult<(String, String)> {
    booking(lang, "rescheduled", to, b, context! { old_start_local })
}

/// Art. 15: who cancelled and the reason's code, translated (an unknown one is shown as given);
/// the explanation the person wrote is on the consultation's page only.
pub fn cancelled(
    lang: &str,
    to: &Addressee<'_>,
    b: &BookingText,
    cancelled_by: &str,
    reason_code: &str,
) -> AppResult<(String, String)> {
    booking(
        lang,
        "cancelled",
        to,
        b,
        context! { cancelled_by, reason_code },
    )
}

/// To the organisation's administrator: a consultation was not provided in time (art. 8).
pub fn deadline_breached(
    lang: &str,
    consultation_id: &str,
    organization_name: &str,
    urgency: &str,
    deadline_local: &str,
    queue_url: &str,
) -> AppResult<(String, String)> {
    engine::render(
        language(lang).as_str(),
        "deadline_breached",
        Recipient::Administrator.as_str(),
        context! { consultation_id, organization_name, urgency, deadline_local, url => queue_url },
    )
}

/// What changed in a deferred request (art. 17, 21). The e-mail says only that something
/// happened and where to look: never the documents asked for, a diagnosis or a refusal's reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestUpdate {
    /// The consultant needs more documents; the deadline waits for them (art. 13).
    DocumentsRequested,
    /// The consultant declined the request.
    Declined,
    /// The signed conclusion is ready to read (art. 21).
    ConclusionReady,
}

impl RequestUpdate {
    fn letter(self) -> &'static str {
        match self {
            RequestUpdate::DocumentsRequested => "request_documents",
            RequestUpdate::Declined => "request_declined",
            RequestUpdate::ConclusionReady => "conclusion_ready",
        }
    }
}

/// Which request a letter is about.
#[derive(Debug, Clone)]
pub struct RequestText<'a> {
    pub patient_name: &'a str,
    /// The organisation that answers the request.
    pub organization_name: &'a str,
    pub url: &'a str,
}

pub fn request_update(
    lang: &str,
    to: &Addressee<'_>,
    update: RequestUpdate,
    r: &RequestText<'_>,
) -> AppResult<(String, String)> {
    letter(
        lang,
        update.letter(),
        to,
        context! { patient_name => r.patient_name, organization_name => r.organization_name, url => r.url },
    )
}

/// A one-time code for accepting the organisation's public offer, to the patient or to the
/// representative who accepts it for them.
pub fn consent_code(
    lang: &str,
    to: &Addressee<'_>,
    patient_name: &str,
    organization_name: &str,
    code: &str,
    minutes: i64,
) -> AppResult<(String, String)> {
    letter(
        lang,
        "consent_code",
        to,
        context! { patient_name, organization_name, code, minutes },
    )
}

/// The mail to an organisation's administrators when one of its doctors broke the glass: who,
/// whose chart (by name only), when, until when, and where to review the reason the doctor
/// stated (it can describe the patient's condition, so it is not in the letter).
#[derive(Debug, Clone)]
pub struct BreakGlassText<'a> {
    pub doctor_name: &'a str,
    pub patient_name: &'a str,
    /// Formatted in the organisation's zone.
    pub at: &'a str,
    pub until: &'a str,
    pub organization_name: &'a str,
    /// The page where administrators review the grants and their reasons.
    pub url: &'a str,
}

pub fn break_glass(
    lang: &str,
    to: &Addressee<'_>,
    t: &BreakGlassText<'_>,
) -> AppResult<(String, String)> {
    letter(
        lang,
        "break_glass",
        to,
        context! {
            doctor_name => t.doctor_name,
            patient_name => t.patient_name,
            at => t.at,
            until => t.until,
            organization_name => t.organization_name,
            url => t.url,
        },
    )
}
