//! Record drafts of the consultations held: notes, conclusions with ICD-10 diagnoses, and now
//! and then a prescription, each checked by the same content rules as a doctor's draft. Drafts,
//! because a signed record carries its author's electronic signature and none is forged.

use std::sync::Arc;

use chrono::{DateTime, SubsecRound, Utc};
use serde_json::{Value, json};

use super::Scale;
use super::audit_log::Note;
use super::world::Party;
use crate::db::DbConnection;
use crate::db::models::MedicalRecordRow;
use crate::domain::account::Language;
use crate::domain::canonical::to_canonical;
use crate::domain::records::{RecordKind, RecordStatus, validate_content};
use crate::error::{AppError, AppResult};
use crate::services::icd10::Titles;

/// (kind, canonical body) of every template, checked.
#[derive(Default)]
pub struct Bodies {
    pub notes: Vec<String>,
    pub conclusions: Vec<String>,
    pub prescriptions: Vec<String>,
}

const NOTES: &[&str] = &[
    "Жалобы на головную боль по утрам. АД 145/90 мм рт. ст. Рекомендован дневник давления.",
    "Повторная консультация. Самочувствие улучшилось, терапию продолжать.",
    "Кашель в течение недели, температура до 37,5. Дыхание везикулярное, хрипов нет.",
    "Обсуждены результаты анализов: показатели в пределах нормы.",
    "Боли в пояснице после нагрузки. Неврологического дефицита нет.",
    "Контроль гликемии: натощак 6,8 ммоль/л. Коррекция диеты.",
];

fn conclusions() -> Vec<Value> {
    let one = |findings: &str, code: &str, text: &str, advice: &str| {
        json!({"findings": findings, "diagnoses": [{"icd10": code, "text": text}],
               "recommendations": advice})
    };
    vec![
        one(
            "АД 150/95 мм рт. ст., ЧСС 78 в минуту.",
            "I10",
            "Артериальная гипертензия",
            "Контроль АД дважды в день, ограничение соли.",
        ),
        one(
            "Кашель, субфебрилитет 5 дней, хрипов нет.",
            "J06.9",
            "ОРВИ",
            "Обильное питьё, контроль температуры.",
        ),
        one(
            "Гликированный гемоглобин 7,8 %.",
            "E11.9",
            "Сахарный диабет 2 типа",
            "Коррекция питания, контроль гликемии.",
        ),
        one(
            "Боли в эпигастрии после еды.",
            "K29.7",
            "Гастрит",
            "Дробное питание, ФГДС в плановом порядке.",
        ),
        one(
            "Головная боль напряжения, очаговой симптоматики нет.",
            "G44.2",
            "Головная боль напряжённого типа",
            "Режим сна, лечебная физкультура.",
        ),
        one(
            "Боль в поясничном отделе при наклонах.",
            "M54.5",
            "Боль внизу спины",
            "ЛФК, НПВС коротким курсом.",
        ),
        one(
            "Приступы удушья реже раза в неделю.",
            "J45.9",
            "Бронхиальная астма",
            "Коррекция базисной терапии.",
        ),
    ]
}

fn prescriptions() -> Vec<Value> {
    let item = |drug: &str, dose: &str, frequency: &str, duration: &str| {
        json!({"items": [{"drug": drug, "dose": dose, "frequency": frequency,
                          "duration": duration}]})
    };
    vec![
        item("Амлодипин 5 мг", "1 таблетка", "1 раз в день", "30 дней"),
        item("Метформин 500 мг", "1 таблетка", "2 раза в день", "90 дней"),
        item("Омепразол 20 мг", "1 капсула", "утром натощак", "14 дней"),
    ]
}

impl Scale {
    /// Checks every template against the content rules (and the ICD-10 titles in Russian).
    pub(super) fn load_record_bodies(&mut self, conn: &mut DbConnection) -> AppResult<()> {
        let titles = Titles::load(conn, Language::Ru)?;
        let catalogue = titles.catalogue();
        let check = |kind: RecordKind, content: Value| -> AppResult<String> {
            validate_content(kind, &content, &catalogue)
                .map(|v| to_canonical(&v))
                .map_err(|e| {
                    AppError::Internal(anyhow::anyhow!("demo record template: {}", e.message))
                })
        };
        let notes = NOTES
            .iter()
            .map(|t| check(RecordKind::ConsultationNote, json!({"text": t})))
            .collect::<AppResult<_>>()?;
        let conclusions = conclusions()
            .into_iter()
            .map(|c| check(RecordKind::Conclusion, c))
            .collect::<AppResult<_>>()?;
        let prescriptions = prescriptions()
            .into_iter()
            .map(|p| check(RecordKind::Prescription, p))
            .collect::<AppResult<_>>()?;
        self.bodies = Bodies {
            notes,
            conclusions,
            prescriptions,
        };
        Ok(())
    }

    /// A draft by `author` on a consultation of theirs, with its audit row.
    pub(super) fn draft(
        &mut self,
        kind: RecordKind,
        author: &Party,
        patient: &Arc<str>,
        org: &Arc<str>,
        consultation: &Arc<str>,
        at: DateTime<Utc>,
    ) -> MedicalRecordRow {
        let bodies = match kind {
            RecordKind::Conclusion => &self.bodies.conclusions,
            RecordKind::Prescription => &self.bodies.prescriptions,
            _ => &self.bodies.notes,
        };
        let body = bodies[rand::Rng::gen_range(&mut self.rng, 0..bodies.len())].clone();
        let id = self.id();
        let at = at.min(self.now).trunc_subsecs(6);
        self.note(Note {
            at,
            actor: author.id.clone(),
            subject: Some(patient.clone()),
            action: "record.create",
            object_type: "medical_record",
            object_id: id.clone(),
            ip: author.ip.clone(),
            purpose: Some(consultation.clone()),
        });
        MedicalRecordRow {
            id: id.to_string(),
            chain_id: id.to_string(),
            patient_id: patient.to_string(),
            organization_id: org.to_string(),
            author_id: author.id.to_string(),
            consultation_id: Some(consultation.to_string()),
            kind: kind.as_str().to_owned(),
            version: 1,
            replaces_id: None,
            status: RecordStatus::Draft.as_str().to_owned(),
            body,
            canonical: None,
            sha256: None,
            signature: None,
            signature_form: None,
            signature_algorithm: None,
            signer_certificate: None,
            signer_name: None,
            signer_subject: None,
            signer_iin: None,
            cert_serial: None,
            cert_issuer: None,
            cert_not_before: None,
            cert_not_after: None,
            signed_at: None,
            created_at: at.naive_utc(),
            updated_at: at.naive_utc(),
        }
    }
}
