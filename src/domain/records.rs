//! Medical records (Rules art. 36–37): their kinds, the structured content of each, and the
//! materials they rest on. Content is checked here, once, before it is stored as canonical JSON.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::icd10::Catalogue;

text_enum!(
    /// What a record is.
    RecordKind {
        /// Запись о консультации: the doctor's note of a consultation.
        ConsultationNote = "consultation_note",
        /// Заключение: findings, diagnoses (ICD-10) and recommendations.
        Conclusion = "conclusion",
        /// Направление: studies to do and why.
        Referral = "referral",
        /// Рецепт: drugs with dose, frequency and duration.
        Prescription = "prescription",
    }
);
text_enum!(
    /// A record is a draft until its author signs it; a signed record never changes.
    RecordStatus { Draft = "draft", Signed = "signed" }
);
text_enum!(
    /// How a signature arrived: NCALayer's detached CMS or a raw WebCrypto P-256 signature.
    SignatureForm { Cms = "cms", RawP256 = "raw_p256" }
);
text_enum!(
    /// What a material linked to a record is.
    MaterialKind { File = "file", Recording = "recording", ChatTranscript = "chat_transcript" }
);

/// Why content was refused: a stable code and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentError {
    pub code: &'static str,
    pub message: String,
}

impl ContentError {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        ContentError {
            code,
            message: message.into(),
        }
    }
}

const MAX_TEXT: usize = 20_000;
const MAX_SHORT: usize = 500;
const MAX_ITEMS: usize = 100;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Note {
    text: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Diagnosis {
    icd10: String,
    /// The doctor's wording of the diagnosis.
    text: String,
    /// The code's title in the classifier, in the language of the record's author: always
    /// written by the server (a value sent with the content is replaced), so a signed record
    /// names its codes as the classifier does, in the language it is written in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    title: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Conclusion {
    findings: String,
    diagnoses: Vec<Diagnosis>,
    #[serde(default)]
    recommendations: String,
    /// Further studies the consultant refers the patient to (art. 21: a referral completes a
    /// deferred request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    referral: Option<Referral>,
    /// Drugs prescribed with the conclusion (art. 21).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    prescription: Option<Prescription>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Referral {
    studies: Vec<String>,
    reason: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PrescriptionItem {
    drug: String,
    dose: String,
    frequency: String,
    duration: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Prescription {
    items: Vec<PrescriptionItem>,
}

/// Checks `content` against its kind and returns it normalised (trimmed, unknown fields refused),
/// ready to be stored as canonical JSON. A conclusion's diagnoses get their titles from
/// `titles`, the classifier in the author's language.
pub fn validate_content(
    kind: RecordKind,
    content: &Value,
    titles: &Catalogue,
) -> Result<Value, ContentError> {
    fn parse<T: serde::de::DeserializeOwned>(content: &Value) -> Result<T, ContentError> {
        T::deserialize(content).map_err(|e| ContentError::new("invalid_content", e.to_string()))
    }
    fn to_value<T: Serialize>(v: &T) -> Result<Value, ContentError> {
        serde_json::to_value(v).map_err(|e| ContentError::new("invalid_content", e.to_string()))
    }
    match kind {
        RecordKind::ConsultationNote => {
            let mut note: Note = parse(content)?;
            note.text = text(&note.text, "text", MAX_TEXT, true)?;
            to_value(&note)
        }
        RecordKind::Conclusion => {
            let mut c: Conclusion = parse(content)?;
            c.findings = text(&c.findings, "findings", MAX_TEXT, true)?;
            c.recommendations = text(&c.recommendations, "recommendations", MAX_TEXT, false)?;
            if c.diagnoses.is_empty() {
                return Err(ContentError::new(
                    "missing_field",
                    "a conclusion names at least one diagnosis",
                ));
            }
            bounded(c.diagnoses.len(), "diagnoses")?;
            c.referral = c.referral.map(referral).transpose()?;
            c.prescription = c.prescription.map(prescription).transpose()?;
            for d in &mut c.diagnoses {
                d.icd10 = parse_icd10(&d.icd10)?;
                let Some(known) = titles.title(&d.icd10) else {
                    return Err(ContentError::new(
                        "unknown_icd10",
                        format!("{} is not in ICD-10 (WHO 2019)", d.icd10),
                    ));
                };
                d.title = Some(known.title);
                d.text = text(&d.text, "diagnoses.text", MAX_SHORT, true)?;
            }
            to_value(&c)
        }
        RecordKind::Referral => {
            let r: Referral = parse(content)?;
            to_value(&referral(r)?)
        }
        RecordKind::Prescription => {
            let p: Prescription = parse(content)?;
            to_value(&prescription(p)?)
        }
    }
}

fn referral(mut r: Referral) -> Result<Referral, ContentError> {
    r.reason = text(&r.reason, "reason", MAX_TEXT, true)?;
    if r.studies.is_empty() {
        return Err(ContentError::new(
            "missing_field",
            "a referral names at least one study",
        ));
    }
    bounded(r.studies.len(), "studies")?;
    for s in &mut r.studies {
        *s = text(s, "studies", MAX_SHORT, true)?;
    }
    Ok(r)
}

fn prescription(mut p: Prescription) -> Result<Prescription, ContentError> {
    if p.items.is_empty() {
        return Err(ContentError::new(
            "missing_field",
            "a prescription names at least one drug",
        ));
    }
    bounded(p.items.len(), "items")?;
    for i in &mut p.items {
        i.drug = text(&i.drug, "items.drug", MAX_SHORT, true)?;
        i.dose = text(&i.dose, "items.dose", MAX_SHORT, true)?;
        i.frequency = text(&i.frequency, "items.frequency", MAX_SHORT, true)?;
        i.duration = text(&i.duration, "items.duration", MAX_SHORT, true)?;
    }
    Ok(p)
}

fn text(value: &str, field: &str, max: usize, required: bool) -> Result<String, ContentError> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err(ContentError::new(
            "missing_field",
            format!("{field} is required"),
        ));
    }
    if v.chars().count() > max {
        return Err(ContentError::new(
            "field_too_long",
            format!("{field} is longer than {max} characters"),
        ));
    }
    // What the doctor signs must read as it is stored: no controls, no hidden characters.
    // The long fields (notes, findings, reasons) span lines; the short ones are one line.
    let lines = if max > MAX_SHORT {
        super::text::Lines::Many
    } else {
        super::text::Lines::One
    };
    super::text::check(v, lines).map_err(|bad| {
        ContentError::new(
            "invalid_characters",
            format!("{field} contains a character that is not allowed: {bad}"),
        )
    })?;
    Ok(v.to_owned())
}

fn bounded(n: usize, field: &str) -> Result<(), ContentError> {
    if n > MAX_ITEMS {
        return Err(ContentError::new(
            "too_many_items",
            format!("{field} has more than {MAX_ITEMS} entries"),
        ));
    }
    Ok(())
}

/// An ICD-10 code by its format: a letter, two digits, optionally a dot and one or two digits
/// (I10, J45.0, E11.65). Whether the code exists in the classification is checked against the
/// shipped list (`super::icd10`) by the content check of a conclusion.
pub fn parse_icd10(code: &str) -> Result<String, ContentError> {
    let code = code.trim().to_ascii_uppercase();
    let b = code.as_bytes();
    let head_ok =
        b.len() >= 3 && b[0].is_ascii_uppercase() && b[1].is_ascii_digit() && b[2].is_ascii_digit();
    let tail_ok = match &b.get(3..) {
        Some([]) | None => true,
        Some([b'.', rest @ ..]) => {
            (1..=2).contains(&rest.len()) && rest.iter().all(u8::is_ascii_digit)
        }
        Some(_) => false,
    };
    if head_ok && tail_ok {
        Ok(code)
    } else {
        Err(ContentError::new(
            "invalid_icd10",
            format!("{code:?} is not an ICD-10 code (e.g. I10, J45.0, E11.65)"),
        ))
    }
}

/// A lower-case hex SHA-256, as materials are linked by.
pub fn parse_sha256(hex: &str) -> Option<String> {
    let h = hex.trim().to_ascii_lowercase();
    (h.len() == 64 && h.bytes().all(|c| c.is_ascii_hexdigit())).then_some(h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::account::Language;
    use serde_json::json;

    fn ru() -> Catalogue<'static> {
        Catalogue::new(Language::Ru, None, None)
    }

    #[test]
    fn icd10_codes_are_checked_by_format() {
        for ok in ["I10", "J45.0", "E11.65", "i10", " Z00.1 "] {
            assert!(parse_icd10(ok).is_ok(), "{ok}");
        }
        for bad in ["", "I1", "10", "I10.", "I10.123", "II0", "I10-1", "Ы10"] {
            assert_eq!(parse_icd10(bad).unwrap_err().code, "invalid_icd10", "{bad}");
        }
        assert_eq!(parse_icd10("e11.65").unwrap(), "E11.65");
    }

    #[test]
    fn a_conclusion_is_normalised_and_unknown_fields_are_refused() {
        let c = json!({"findings": " АД 150/95 ", "diagnoses": [{"icd10": "i10", "text": "АГ"}]});
        let v = validate_content(RecordKind::Conclusion, &c, &ru()).unwrap();
        assert_eq!(v["findings"], "АД 150/95");
        assert_eq!(v["diagnoses"][0]["icd10"], "I10");
        assert_eq!(v["recommendations"], "");
        // The classifier's title in the author's language, whatever the client sent.
        assert_eq!(
            v["diagnoses"][0]["title"],
            "Эссенциальная [первичная] гипертензия"
        );
        let sent = json!({"findings": "x", "diagnoses": [{"icd10": "I20.8", "text": "ИБС",
            "title": "Other forms of angina pectoris"}]});
        let v = validate_content(RecordKind::Conclusion, &sent, &ru()).unwrap();
        assert_eq!(v["diagnoses"][0]["title"], "Другие формы стенокардии");
        let extra = json!({"findings": "x", "diagnoses": [{"icd10": "I10", "text": "x"}], "y": 1});
        assert_eq!(
            validate_content(RecordKind::Conclusion, &extra, &ru())
                .unwrap_err()
                .code,
            "invalid_content"
        );
    }

    #[test]
    fn each_kind_requires_its_fields() {
        let empty = json!({"items": []});
        assert_eq!(
            validate_content(RecordKind::Prescription, &empty, &ru())
                .unwrap_err()
                .code,
            "missing_field"
        );
        let r = json!({"studies": ["ЭКГ"], "reason": "боли"});
        assert!(validate_content(RecordKind::Referral, &r, &ru()).is_ok());
        assert!(
            validate_content(RecordKind::ConsultationNote, &json!({"text": " "}), &ru()).is_err()
        );
    }

    #[test]
    fn hidden_and_control_characters_are_refused_in_what_is_signed() {
        let note = |text: &str| {
            validate_content(
                RecordKind::ConsultationNote,
                &json!({ "text": text }),
                &ru(),
            )
        };
        assert!(note("Жалобы: кашель\nАД 120/80\tЧСС 72").is_ok());
        for bad in ["a\0b", "доза 1\u{202e}01 мг", "x\u{200b}y"] {
            assert_eq!(note(bad).unwrap_err().code, "invalid_characters", "{bad:?}");
        }
        let drug =
            json!({"items": [{"drug": "a\nb", "dose": "1", "frequency": "1", "duration": "1"}]});
        assert_eq!(
            validate_content(RecordKind::Prescription, &drug, &ru())
                .unwrap_err()
                .code,
            "invalid_characters"
        );
    }
}
