//! The mail to an organisation's administrators when one of its doctors broke the glass: who,
//! whose chart (by name only), when, until when, and the reason the doctor stated, for review.
//! Never anything from the chart itself.

use super::{Language, en, kk, language, ru};

#[derive(Debug, Clone)]
pub struct BreakGlassText<'a> {
    pub addressee: &'a str,
    pub doctor_name: &'a str,
    pub patient_name: &'a str,
    /// Formatted in the organisation's zone.
    pub at: &'a str,
    pub until: &'a str,
    pub reason: &'a str,
    pub organization_name: &'a str,
}

pub fn break_glass(lang: &str, t: &BreakGlassText<'_>) -> (String, String) {
    let (subject, body, footer) = match language(lang) {
        Language::Ru => (
            "Экстренный доступ к медицинским данным",
            format!(
                "Здравствуйте, {}!\n\nВрач {} открыл(а) медицинские данные пациента {} без \
                 договорённости о лечении (экстренный доступ) {} до {}.\n\nУказанная причина: \
                 {}\n\nПроверьте обоснованность доступа: он отражён в журнале доступа пациента.",
                t.addressee, t.doctor_name, t.patient_name, t.at, t.until, t.reason
            ),
            ru::FOOTER,
        ),
        Language::Kk => (
            "Медициналық деректерге шұғыл қолжетімділік",
            format!(
                "Сәлеметсіз бе, {}!\n\nДәрігер {} пациент {} медициналық деректерін емдеу \
                 байланысынсыз (шұғыл қолжетімділік) {} бастап {} дейін ашты.\n\nКөрсетілген \
                 себеп: {}\n\nҚолжетімділіктің негізділігін тексеріңіз: ол пациенттің қолжетімділік \
                 журналында көрсетілген.",
                t.addressee, t.doctor_name, t.patient_name, t.at, t.until, t.reason
            ),
            kk::FOOTER,
        ),
        Language::En => (
            "Emergency access to medical data",
            format!(
                "Dear {},\n\nDr {} opened the medical data of the patient {} without a care \
                 relationship (break-the-glass) at {}, until {}.\n\nReason stated: {}\n\nPlease \
                 review whether the access was justified: it is shown in the patient's access log.",
                t.addressee, t.doctor_name, t.patient_name, t.at, t.until, t.reason
            ),
            en::FOOTER,
        ),
    };
    (
        format!("{subject} — {}", t.organization_name),
        format!("{body}\n\n{footer}\n"),
    )
}
