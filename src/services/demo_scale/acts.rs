//! What the services write beside a consultation, shared by its kinds: who booked it and who
//! pays, the offer's acceptance before a patient's first booking with an organisation (art.
//! 33.1), electronic documents, the history, and cancellation (art. 15).

use std::sync::Arc;

use chrono::{DateTime, SubsecRound, Utc};
use rand::Rng;
use serde_json::{Value, json};

use super::Scale;
use super::audit_log::Note;
use super::batch::Batch;
use super::world::Party;
use crate::db::models::{ConsultationEventRow, ConsultationRow, EDocumentRow};
use crate::domain::canonical::{sha256_hex, to_canonical};
use crate::domain::consultation::Initiative;
use crate::services::documents::document_time;

impl Scale {
    /// Who books for the patient: the patient (a child's representative), or staff on the
    /// patient's request or their own initiative (art. 12).
    pub(super) fn booker(&mut self, patient: usize, org: usize) -> (Party, Initiative) {
        let staff = self.world.orgs[org].staff.clone();
        let roll = self.rng.gen_range(0..100);
        if roll >= 75 && !staff.is_empty() {
            let who = self.pick(&staff).clone();
            let initiative = if roll >= 93 {
                Initiative::StaffOwn
            } else {
                Initiative::StaffOnPatientRequest
            };
            return (who, initiative);
        }
        match self.world.patients[patient].representative {
            Some(r) => (
                self.world.representatives[r].clone(),
                Initiative::Representative,
            ),
            None => (
                self.world.patients[patient].who.clone(),
                Initiative::Patient,
            ),
        }
    }

    /// The patient's side: the patient, or the representative who acts for a child.
    pub(super) fn patient_side(&self, patient: usize) -> Party {
        match self.world.patients[patient].representative {
            Some(r) => self.world.representatives[r].clone(),
            None => self.world.patients[patient].who.clone(),
        }
    }

    /// Who pays (art. 41–43), among what the organisation offers; a paid consultation costs the
    /// first line of its price list.
    pub(super) fn funding(&mut self, org: usize) -> (&'static str, Option<i64>) {
        let (gobmp, paid, price) = {
            let o = &self.world.orgs[org];
            (o.gobmp, o.paid, o.price)
        };
        let roll = self.rng.gen_range(0..100);
        match (gobmp, paid) {
            (_, true) if roll < 45 && price.is_some() => ("paid", price),
            (_, true) if roll < 60 => ("vmi", None),
            (true, _) if roll < 65 => ("gobmp", None),
            _ => ("osms", None),
        }
    }

    /// Art. 33.1: before a patient's first booking with an organisation, their side accepted
    /// its current offer (a document, and an audit row as `consent::act` writes).
    pub(super) fn consent(
        &mut self,
        batch: &mut Batch,
        patient: usize,
        org: usize,
        before: DateTime<Utc>,
    ) {
        if self.world.documents.contains_key(&(org, patient)) {
            return;
        }
        let at = before - self.seconds(120, 1_800);
        let actor = self.patient_side(patient);
        let p = &self.world.patients[patient].who;
        let o = &self.world.orgs[org];
        let content = json!({
            "type": "informed_consent",
            "act": "accept",
            "rule": "Rules ҚР ДСМ-12 art. 33.1",
            "patient": person(p),
            "actor": person(&actor),
            "on_behalf": actor.id != p.id,
            "organization": {"id": &*o.id, "name": o.name},
            "offer": {"version": o.offer_version, "sha256": o.offer_sha256},
            "method": if self.rng.gen_bool(0.8) { "click" } else { "email_code" },
            "at": document_time(at),
            "ip": &*actor.ip,
        });
        self.document(
            batch,
            "consent_accept",
            org,
            patient,
            &actor,
            None,
            content,
            at,
        );
        let org_id = self.world.orgs[org].id.clone();
        self.note(Note {
            at,
            actor: actor.id.clone(),
            subject: None,
            action: "consent.accept",
            object_type: "organization",
            object_id: org_id,
            ip: actor.ip.clone(),
            purpose: None,
        });
    }

    /// An electronic document of an act, numbered per organisation and patient.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn document(
        &mut self,
        batch: &mut Batch,
        kind: &str,
        org: usize,
        patient: usize,
        actor: &Party,
        consultation: Option<&Arc<str>>,
        content: Value,
        at: DateTime<Utc>,
    ) -> (String, String) {
        let seq = self.world.documents.entry((org, patient)).or_insert(0);
        *seq += 1;
        let seq = *seq;
        let canonical = to_canonical(&content);
        let row = EDocumentRow {
            id: self.id().to_string(),
            kind: kind.to_owned(),
            organization_id: self.world.orgs[org].id.to_string(),
            patient_id: self.world.patients[patient].who.id.to_string(),
            actor_id: actor.id.to_string(),
            consultation_id: consultation.map(|c| c.to_string()),
            seq,
            sha256: sha256_hex(canonical.as_bytes()),
            canonical,
            created_at: at.naive_utc().trunc_subsecs(6),
        };
        let out = (row.id.clone(), row.sha256.clone());
        batch.documents.push(row);
        out
    }

    /// A line of the consultation's history.
    pub(super) fn event(
        &mut self,
        batch: &mut Batch,
        consultation: &str,
        at: DateTime<Utc>,
        actor: Option<&Party>,
        kind: &str,
        details: Value,
    ) {
        batch.events.push(ConsultationEventRow {
            id: self.id().to_string(),
            consultation_id: consultation.to_owned(),
            at: at.naive_utc(),
            actor_id: actor.map(|a| a.id.to_string()),
            kind: kind.to_owned(),
            details: details.to_string(),
        });
    }

    /// Art. 15: cancelled by `by` at `at` with a reason, as `change::cancel` does: the row, its
    /// cancellation document, the history and the audit row.
    pub(super) fn cancel(
        &mut self,
        batch: &mut Batch,
        row: &mut ConsultationRow,
        patient: usize,
        org: usize,
        by: &Party,
        at: DateTime<Utc>,
    ) {
        let side = match by.role {
            "patient" => "patient",
            "representative" => "representative",
            "doctor" => "doctor",
            _ => "organization",
        };
        let (code, text) = match side {
            "patient" | "representative" => *self.pick(&[
                ("patient_request", "Не смогу присутствовать в это время"),
                ("patient_unwell", "Госпитализирован, консультация не нужна"),
                ("other", "Вопрос решён на очном приёме"),
            ]),
            "doctor" => ("doctor_unavailable", "Врач на больничном"),
            _ => *self.pick(&[
                ("technical_problem", "Технические работы на линии связи"),
                ("duplicate", "Повторная запись на то же время"),
                ("doctor_unavailable", "Врач в командировке"),
            ]),
        };
        row.status = "cancelled".into();
        row.cancelled_at = Some(at.naive_utc());
        row.updated_at = at.naive_utc();
        row.ics_sequence += 1;
        let id: Arc<str> = Arc::from(row.id.as_str());
        let content = json!({
            "type": "cancellation",
            "rule": "Rules ҚР ДСМ-12 art. 15",
            "consultation": row.id,
            "slot_start": row.slot_start.map(|t| document_time(t.and_utc())),
            "cancelled_by": {"id": &*by.id, "side": side},
            "reason_code": code,
            "reason_text": text,
            "at": document_time(at),
            "ip": &*by.ip,
        });
        let (doc, sha) = self.document(
            batch,
            "cancellation",
            org,
            patient,
            by,
            Some(&id),
            content,
            at,
        );
        let details = json!({"by": side, "reason_code": code, "reason_text": text, "document": doc, "sha256": sha});
        self.event(batch, &row.id, at, Some(by), "cancelled", details);
        let subject = self.world.patients[patient].who.id.clone();
        self.note_act(at, by, &subject, "consultation.cancel", &id);
    }
}

fn person(p: &Party) -> Value {
    json!({"id": &*p.id, "full_name": p.full_name, "iin": p.iin, "role": p.role})
}
