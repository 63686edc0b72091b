//! The texts of the e-mails, in Russian, Kazakh and English, chosen by the recipient's language
//! (`ru`, `kk`, `en`; anything else gets Russian). Each function returns `(subject, body)`.
//!
//! Mail travels and is stored outside the platform, so it carries only what is listed here:
//! names, times, the stated reason for the visit and links; never a diagnosis or a conclusion.

mod account;
mod break_glass;
mod council;
mod en;
mod kk;
mod ru;

use crate::domain::account::Language;

pub use account::registration_attempt;
pub use break_glass::{BreakGlassText, break_glass};
pub use council::{CouncilNotice, CouncilText, council};

/// What the booking e-mails say about one consultation.
#[derive(Debug, Clone, Default)]
pub struct BookingText {
    pub patient_name: String,
    pub practitioner_name: String,
    pub organization_name: String,
    /// Already formatted in the organisation's zone, e.g. "24.11.2026 10:00 (Asia/Almaty)".
    pub start_local: String,
    /// `realtime` or `deferred`.
    pub mode: String,
    /// The page of the consultation, given as is.
    pub join_url: String,
    /// The reason for the visit as the patient gave it; left out when empty.
    pub reason: String,
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

/// The booking is confirmed; includes the join link.
pub fn booking_confirmed(lang: &str, b: &BookingText) -> (String, String) {
    match language(lang) {
        Language::Ru => ru::booking_confirmed(b),
        Language::Kk => kk::booking_confirmed(b),
        Language::En => en::booking_confirmed(b),
    }
}

/// Staff booked on their own initiative; the patient must agree by the link (art. 12).
pub fn agreement_requested(lang: &str, b: &BookingText, confirm_url: &str) -> (String, String) {
    match language(lang) {
        Language::Ru => ru::agreement_requested(b, confirm_url),
        Language::Kk => kk::agreement_requested(b, confirm_url),
        Language::En => en::agreement_requested(b, confirm_url),
    }
}

pub fn reminder(lang: &str, b: &BookingText, hours_before: i64) -> (String, String) {
    match language(lang) {
        Language::Ru => ru::reminder(b, hours_before),
        Language::Kk => kk::reminder(b, hours_before),
        Language::En => en::reminder(b, hours_before),
    }
}

pub fn rescheduled(
    lang: &str,
    b: &BookingText,
    old_start_local: &str,
    reason_text: &str,
) -> (String, String) {
    match language(lang) {
        Language::Ru => ru::rescheduled(b, old_start_local, reason_text),
        Language::Kk => kk::rescheduled(b, old_start_local, reason_text),
        Language::En => en::rescheduled(b, old_start_local, reason_text),
    }
}

/// The cancellation with who cancelled and why (art. 15). Known `cancelled_by` and
/// `reason_code` values are translated; others are shown as given.
pub fn cancelled(
    lang: &str,
    b: &BookingText,
    cancelled_by: &str,
    reason_code: &str,
    reason_text: &str,
) -> (String, String) {
    match language(lang) {
        Language::Ru => ru::cancelled(b, cancelled_by, reason_code, reason_text),
        Language::Kk => kk::cancelled(b, cancelled_by, reason_code, reason_text),
        Language::En => en::cancelled(b, cancelled_by, reason_code, reason_text),
    }
}

/// To the organisation's administrator: a consultation was not provided in time (art. 8).
pub fn deadline_breached(
    lang: &str,
    consultation_id: &str,
    organization_name: &str,
    urgency: &str,
    deadline_local: &str,
    queue_url: &str,
) -> (String, String) {
    let a = Alert {
        consultation_id,
        organization_name,
        urgency,
        deadline_local,
        queue_url,
    };
    match language(lang) {
        Language::Ru => ru::deadline_breached(&a),
        Language::Kk => kk::deadline_breached(&a),
        Language::En => en::deadline_breached(&a),
    }
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

/// Who is written to about which request.
#[derive(Debug, Clone)]
pub struct RequestText<'a> {
    /// The person or organisation addressed.
    pub addressee: &'a str,
    pub organization_name: &'a str,
    pub url: &'a str,
}

pub fn request_update(lang: &str, update: RequestUpdate, r: &RequestText<'_>) -> (String, String) {
    match language(lang) {
        Language::Ru => ru::request_update(update, r),
        Language::Kk => kk::request_update(update, r),
        Language::En => en::request_update(update, r),
    }
}

/// A one-time code for accepting the organisation's public offer.
pub fn consent_code(
    lang: &str,
    organization_name: &str,
    code: &str,
    minutes_valid: i64,
) -> (String, String) {
    match language(lang) {
        Language::Ru => ru::consent_code(organization_name, code, minutes_valid),
        Language::Kk => kk::consent_code(organization_name, code, minutes_valid),
        Language::En => en::consent_code(organization_name, code, minutes_valid),
    }
}

/// The arguments of [`deadline_breached`], passed on to each language.
struct Alert<'a> {
    consultation_id: &'a str,
    organization_name: &'a str,
    urgency: &'a str,
    deadline_local: &'a str,
    queue_url: &'a str,
}

/// `Label: value` lines, leaving out empty values.
fn lines(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}: {}\n", v.trim()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn booking() -> BookingText {
        BookingText {
            patient_name: "Серикова Айгуль Маратовна".into(),
            practitioner_name: "Ахметов Ержан Болатович".into(),
            organization_name: "Городская поликлиника №7".into(),
            start_local: "24.11.2026 10:00 (Asia/Almaty)".into(),
            mode: "realtime".into(),
            join_url: "https://telemed.example/consultations/42".into(),
            reason: "Повторная консультация".into(),
        }
    }

    fn all_texts(lang: &str) -> Vec<(String, String)> {
        let b = booking();
        vec![
            booking_confirmed(lang, &b),
            agreement_requested(lang, &b, "https://telemed.example/confirm/t"),
            reminder(lang, &b, 24),
            rescheduled(lang, &b, "23.11.2026 09:00 (Asia/Almaty)", "болезнь врача"),
            cancelled(lang, &b, "doctor", "doctor_unavailable", "отпуск"),
            deadline_breached(
                lang,
                "c-1",
                "Городская поликлиника №7",
                "urgent",
                "22.11.2026 18:00 (Asia/Almaty)",
                "https://telemed.example/queue",
            ),
            consent_code(lang, "Городская поликлиника №7", "493817", 15),
        ]
    }

    #[test]
    fn the_language_is_chosen_by_its_primary_tag_and_defaults_to_russian() {
        assert_eq!(language("kk"), Language::Kk);
        assert_eq!(language("kk-KZ"), Language::Kk);
        assert_eq!(language("EN_us"), Language::En);
        assert_eq!(language("de"), Language::Ru);
        assert_eq!(language(""), Language::Ru);
        assert_eq!(
            booking_confirmed("fr", &booking()),
            booking_confirmed("ru", &booking())
        );
    }

    #[test]
    fn every_text_exists_in_every_language_and_differs_between_them() {
        let (ru, kk, en) = (all_texts("ru"), all_texts("kk"), all_texts("en"));
        for i in 0..ru.len() {
            for t in [&ru[i], &kk[i], &en[i]] {
                assert!(!t.0.trim().is_empty() && !t.1.trim().is_empty(), "{i}");
                assert!(!t.0.contains('\n'), "a subject is one line: {:?}", t.0);
                assert!(!t.1.contains('{'), "an unfilled placeholder: {}", t.1);
            }
            assert_ne!(ru[i], kk[i]);
            assert_ne!(ru[i], en[i]);
        }
        assert!(kk[0].1.contains("Сәлеметсіз бе"));
        assert!(ru[0].1.contains("Здравствуйте"));
    }

    #[test]
    fn booking_mails_carry_the_links_as_given() {
        for lang in ["ru", "kk", "en"] {
            let t = all_texts(lang);
            assert!(t[0].1.contains("https://telemed.example/consultations/42"));
            assert!(t[1].1.contains("https://telemed.example/confirm/t"));
            assert!(t[2].1.contains("https://telemed.example/consultations/42"));
            assert!(t[3].1.contains("23.11.2026 09:00 (Asia/Almaty)"));
            assert!(t[5].1.contains("https://telemed.example/queue"));
            assert!(t[6].1.contains("493817"));
        }
    }

    #[test]
    fn art_15_a_cancellation_says_who_cancelled_and_why() {
        let (_, ru) = cancelled("ru", &booking(), "patient", "patient_request", "уезжаю");
        assert!(ru.contains("Кто отменил: пациент"), "{ru}");
        assert!(ru.contains("по просьбе пациента"), "{ru}");
        assert!(ru.contains("уезжаю"));
        let (_, kk) = cancelled("kk", &booking(), "practitioner", "other_code", "");
        assert!(kk.contains("дәрігер"), "{kk}");
        assert!(
            kk.contains("other_code"),
            "unknown codes are shown as given: {kk}"
        );
        let (_, en) = cancelled("en", &booking(), "organization", "", "the clinic is closed");
        assert!(en.contains("the clinic is closed"), "{en}");
    }

    #[test]
    fn every_reason_code_is_translated() {
        for code in crate::domain::consultation::REASON_CODES {
            for text in [ru::reason(code), kk::reason(code), en::reason(code)] {
                assert_ne!(text, code, "{code} has no text");
            }
        }
    }

    #[test]
    fn russian_hours_agree_with_the_number() {
        let b = booking();
        assert!(reminder("ru", &b, 1).1.contains("через 1 час "));
        assert!(reminder("ru", &b, 2).1.contains("через 2 часа "));
        assert!(reminder("ru", &b, 24).1.contains("через 24 часа "));
        assert!(reminder("ru", &b, 11).1.contains("через 11 часов "));
        assert!(reminder("en", &b, 1).1.contains("in 1 hour "));
        assert!(reminder("en", &b, 3).1.contains("in 3 hours "));
    }

    #[test]
    fn an_empty_reason_leaves_out_its_line() {
        let mut b = booking();
        b.reason = " ".into();
        let (_, body) = booking_confirmed("ru", &b);
        assert!(!body.contains("Повод обращения"), "{body}");
    }
}
