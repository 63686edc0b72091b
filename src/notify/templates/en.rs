//! English texts of the e-mails.

use super::{Alert, BookingText, RequestText, RequestUpdate, lines};

pub(super) const FOOTER: &str = "This message was sent automatically; there is no need to reply.";

fn mode(code: &str) -> &str {
    match code {
        "realtime" => "real time (video call)",
        "deferred" => "deferred (the doctor answers in your account)",
        other => other,
    }
}

fn details(b: &BookingText) -> String {
    lines(&[
        ("Medical organisation", &b.organization_name),
        ("Doctor", &b.practitioner_name),
        ("Date and time", &b.start_local),
        ("Consultation format", mode(&b.mode)),
        ("Reason for the visit", &b.reason),
    ])
}

pub(super) fn hours(n: i64) -> String {
    if n == 1 {
        "1 hour".to_owned()
    } else {
        format!("{n} hours")
    }
}

pub(super) fn booking_confirmed(b: &BookingText) -> (String, String) {
    let subject = format!("Your consultation is booked: {}", b.start_local);
    let body = format!(
        "Dear {patient},\n\n\
         Your remote consultation is confirmed.\n\n\
         {details}\n\
         Link to join the consultation:\n{url}\n\n\
         If you cannot attend, please cancel the booking in your account so that the time \
         can go to another patient.\n\n{FOOTER}\n",
        patient = b.patient_name,
        details = details(b),
        url = b.join_url,
    );
    (subject, body)
}

pub(super) fn agreement_requested(b: &BookingText, confirm_url: &str) -> (String, String) {
    let subject = format!("Please confirm your consultation: {}", b.start_local);
    let body = format!(
        "Dear {patient},\n\n\
         {org} offers you a remote consultation.\n\n\
         {details}\n\
         A consultation arranged by the medical organisation takes place only with your \
         agreement. To agree, open this link:\n{confirm_url}\n\n\
         If you do not agree, there is nothing to do: without your confirmation the \
         consultation will not take place.\n\n{FOOTER}\n",
        patient = b.patient_name,
        org = b.organization_name,
        details = details(b),
    );
    (subject, body)
}

pub(super) fn reminder(b: &BookingText, hours_before: i64) -> (String, String) {
    let subject = format!("Reminder: consultation on {}", b.start_local);
    let body = format!(
        "Dear {patient},\n\n\
         This is a reminder that your remote consultation starts in {hours} from now.\n\n\
         {details}\n\
         Link to join the consultation:\n{url}\n\n{FOOTER}\n",
        patient = b.patient_name,
        hours = hours(hours_before),
        details = details(b),
        url = b.join_url,
    );
    (subject, body)
}

pub(super) fn rescheduled(
    b: &BookingText,
    old_start_local: &str,
    reason_text: &str,
) -> (String, String) {
    let subject = format!("Your consultation has moved to {}", b.start_local);
    let body = format!(
        "Dear {patient},\n\n\
         Your remote consultation has been rescheduled.\n\n\
         {was}\
         {details}{why}\n\
         Link to join the consultation:\n{url}\n\n{FOOTER}\n",
        patient = b.patient_name,
        was = lines(&[("Previous time", old_start_local)]),
        details = details(b),
        why = lines(&[("Reason for the change", reason_text)]),
        url = b.join_url,
    );
    (subject, body)
}

fn who(cancelled_by: &str) -> &str {
    match cancelled_by {
        "patient" => "the patient",
        "representative" => "the patient's legal representative",
        "practitioner" | "doctor" => "the doctor",
        "organization" | "org_admin" | "staff" | "support" => "the medical organisation",
        "system" => "the platform (automatically)",
        other => other,
    }
}

/// The reason codes of `domain::consultation::REASON_CODES`.
pub(super) fn reason(code: &str) -> &str {
    match code {
        "patient_request" => "at the patient's request",
        "doctor_unavailable" => "the doctor is unavailable",
        "patient_unwell" => "the patient is unwell",
        "technical_problem" => "a technical problem",
        "duplicate" => "a duplicate booking",
        "other" => "another reason",
        other => other,
    }
}

pub(super) fn cancelled(
    b: &BookingText,
    cancelled_by: &str,
    reason_code: &str,
    reason_text: &str,
) -> (String, String) {
    let subject = format!("Consultation on {} cancelled", b.start_local);
    let body = format!(
        "Dear {patient},\n\n\
         Your remote consultation has been cancelled.\n\n\
         {details}{why}\n\
         If you still need a consultation, you are welcome to book again.\n\n{FOOTER}\n",
        patient = b.patient_name,
        details = details(b),
        why = lines(&[
            ("Cancelled by", who(cancelled_by)),
            ("Reason", reason(reason_code)),
            ("Comment", reason_text),
        ]),
    );
    (subject, body)
}

pub(super) fn deadline_breached(a: &Alert<'_>) -> (String, String) {
    let subject = format!("Consultation deadline missed ({})", a.urgency);
    let body = format!(
        "Hello,\n\n\
         A consultation at {org} was not provided within its deadline.\n\n\
         {facts}\n\
         Please assign a doctor or contact the patient:\n{url}\n\n{FOOTER}\n",
        org = a.organization_name,
        facts = lines(&[
            ("Consultation", a.consultation_id),
            ("Urgency", a.urgency),
            ("Deadline passed", a.deadline_local),
        ]),
        url = a.queue_url,
    );
    (subject, body)
}

pub(super) fn consent_code(org: &str, code: &str, minutes_valid: i64) -> (String, String) {
    let subject = format!("Your code to accept the public offer of {org}");
    let body = format!(
        "Hello,\n\n\
         Your one-time code to accept the public offer of {org}: {code}\n\n\
         The code is valid for {minutes_valid} minutes. By entering it you confirm that you \
         accept the terms of the offer. Do not share this code with anyone.\n\n\
         If you did not ask for a code, please ignore this message.\n\n{FOOTER}\n"
    );
    (subject, body)
}

pub(super) fn request_update(update: RequestUpdate, r: &RequestText<'_>) -> (String, String) {
    let (subject, what) = match update {
        RequestUpdate::DocumentsRequested => (
            "More documents are needed",
            "the consultant asks for more documents. The response deadline is on hold and \
             resumes once you mark the documents complete.",
        ),
        RequestUpdate::Declined => (
            "Your consultation request was declined",
            "the consultant declined the request; the reason is on the request's page.",
        ),
        RequestUpdate::ConclusionReady => (
            "Your medical conclusion is ready",
            "the conclusion carries the doctor's electronic digital signature and is in your \
             account and your electronic health passport.",
        ),
    };
    let body = format!(
        "Dear {who},\n\n\
         About your deferred consultation request at {org}: {what}\n\n\
         Open the request:\n{url}\n\n{FOOTER}\n",
        who = r.addressee,
        org = r.organization_name,
        url = r.url,
    );
    (format!("{subject} — {}", r.organization_name), body)
}
