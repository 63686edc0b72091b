//! The consultations: planned first (who, with whom, when — each doctor's real-time bookings on
//! distinct slots of their schedule), then made in the order they were requested, in batches of
//! one transaction each, with what the services write beside them: the offer's acceptance
//! before a patient's first booking with an organisation, the history, cancellation documents.

use std::sync::Arc;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use rand::Rng;
use rand::seq::index;
use serde_json::{Value, json};

use super::Scale;
use super::audit_log::Note;
use super::batch::Batch;
use super::plan::DEFERRED_DAYS;
use super::world::Party;
use crate::db::DbConnection;
use crate::db::models::{ConsultationEventRow, ConsultationRow, EDocumentRow};
use crate::domain::canonical::{sha256_hex, to_canonical};
use crate::domain::consultation::{Initiative, RequestKind};
use crate::domain::slots::{Expansion, Slot, expand};
use crate::error::AppResult;
use crate::services::documents::document_time;

/// Consultations per transaction.
const BATCH: usize = 2_000;

pub enum Shape {
    Realtime {
        doctor: usize,
        start: DateTime<Utc>,
        /// The call is running now.
        running: bool,
        urgent: bool,
    },
    Deferred {
        org: usize,
        kind: RequestKind,
        specialty: Option<String>,
    },
}

pub struct Planned {
    pub requested: DateTime<Utc>,
    pub patient: usize,
    pub shape: Shape,
}

impl Scale {
    pub(super) fn create_consultations(&mut self, conn: &mut DbConnection) -> AppResult<()> {
        let by_org = self.patients_by_org();
        let mut plans = self.plan_realtime(&by_org);
        plans.extend(self.plan_deferred(&by_org));
        plans.sort_by_key(|p| p.requested);
        let total = plans.len();
        let mut done = 0;
        for chunk in plans.chunks(BATCH) {
            let mut batch = Batch::default();
            for plan in chunk {
                match &plan.shape {
                    Shape::Realtime { .. } => self.realtime(&mut batch, plan),
                    Shape::Deferred { .. } => self.deferred(&mut batch, plan),
                }
            }
            for (table, n) in batch.write(conn)? {
                self.count(table, n);
            }
            done += chunk.len();
            if !self.due(done, total) {
                continue;
            }
            self.say(&format!(
                "consultations {done}/{total} ({}%), events {}, documents {}, records {}",
                done * 100 / total.max(1),
                self.rows.get("consultation_events").copied().unwrap_or(0),
                self.rows.get("e_documents").copied().unwrap_or(0),
                self.rows.get("medical_records").copied().unwrap_or(0),
            ));
        }
        Ok(())
    }

    fn patients_by_org(&self) -> Vec<Vec<usize>> {
        let mut by_org = vec![Vec::new(); self.world.orgs.len()];
        for (i, p) in self.world.patients.iter().enumerate() {
            by_org[p.org].push(i);
        }
        by_org
    }

    /// Most people consult the organisation of their region; some go elsewhere.
    fn patient_for(&mut self, org: usize, by_org: &[Vec<usize>]) -> usize {
        if !by_org[org].is_empty() && self.chance(0.9) {
            *self.pick(&by_org[org])
        } else {
            self.rng.gen_range(0..self.world.patients.len())
        }
    }

    fn slots_of(&self, doctor: usize) -> Vec<Slot> {
        let d = &self.world.doctors[doctor];
        let org = &self.world.orgs[d.org];
        let mut days_off = d.days_off.clone();
        days_off.extend(self.world.holidays.iter().map(|(day, _)| *day));
        expand(&Expansion {
            zone: org.zone,
            weekly: &d.weekly,
            days_off: &days_off,
            minutes: org.minutes,
            from: self.history_start(),
            to: self.now + Duration::days(self.future_days),
        })
        .into_iter()
        .filter(|s| !self.world.booked.contains(&(doctor, s.start.timestamp())))
        .collect()
    }

    /// Real-time bookings: a share per doctor (a little uneven, as doctors are), each on a
    /// distinct free slot of the doctor's schedule; a few calls running now.
    fn plan_realtime(&mut self, by_org: &[Vec<usize>]) -> Vec<Planned> {
        let doctors = self.world.doctors.len();
        let mut plans = Vec::new();
        let running = self.counts.in_progress as usize;
        let now = self.now;
        let start = now - Duration::seconds(now.timestamp() % 600) - Duration::minutes(10);
        for k in 0..running {
            let doctor = k * doctors / running.max(1) % doctors;
            if self.world.booked.insert((doctor, start.timestamp())) {
                let org = self.world.doctors[doctor].org;
                plans.push(Planned {
                    requested: start - self.seconds(86_400, 10 * 86_400),
                    patient: self.patient_for(org, by_org),
                    shape: Shape::Realtime {
                        doctor,
                        start,
                        running: true,
                        urgent: false,
                    },
                });
            }
        }
        let wanted = self.counts.realtime as usize - plans.len();
        let capacity: Vec<usize> = (0..doctors).map(|d| self.slots_of(d).len()).collect();
        let weights: Vec<f64> = (0..doctors).map(|_| self.rng.gen_range(0.6..1.4)).collect();
        let sum: f64 = weights.iter().sum();
        let mut share: Vec<usize> = (0..doctors)
            .map(|d| ((wanted as f64 * weights[d] / sum) as usize).min(capacity[d]))
            .collect();
        // What rounding and full calendars left over goes to whoever still has room.
        let mut left = wanted - share.iter().sum::<usize>();
        while left > 0 && (0..doctors).any(|d| share[d] < capacity[d]) {
            for d in 0..doctors {
                if left > 0 && share[d] < capacity[d] {
                    share[d] += 1;
                    left -= 1;
                }
            }
        }
        if left > 0 {
            self.say(&format!(
                "{left} real-time consultations did not fit the schedules"
            ));
        }
        for (doctor, amount) in share.into_iter().enumerate() {
            let slots = self.slots_of(doctor);
            let org = self.world.doctors[doctor].org;
            for i in index::sample(&mut self.rng, slots.len(), amount) {
                let start = slots[i].start;
                self.world.booked.insert((doctor, start.timestamp()));
                let urgent = slots[i].end <= now && self.chance(0.06);
                let requested = self.requested_before(start, urgent);
                let patient = self.patient_for(org, by_org);
                plans.push(Planned {
                    requested,
                    patient,
                    shape: Shape::Realtime {
                        doctor,
                        start,
                        running: false,
                        urgent,
                    },
                });
            }
        }
        plans
    }

    /// When a slot was booked: an urgent one hours before, others days or weeks before; never
    /// after now.
    fn requested_before(&mut self, start: DateTime<Utc>, urgent: bool) -> DateTime<Utc> {
        let lead = if urgent {
            self.seconds(30 * 60, 150 * 60)
        } else {
            match self.rng.gen_range(0..10) {
                0..=2 => self.seconds(3_600, 2 * 86_400),
                3..=7 => self.seconds(2 * 86_400, 14 * 86_400),
                _ => self.seconds(14 * 86_400, 45 * 86_400),
            }
        };
        let requested = start - lead;
        if requested < self.now - Duration::minutes(5) {
            requested
        } else {
            self.now - self.seconds(300, 2 * 86_400)
        }
    }

    /// Deferred requests of the last weeks, to organisations by weight, for a specialty one of
    /// their doctors has (so someone can take it).
    fn plan_deferred(&mut self, by_org: &[Vec<usize>]) -> Vec<Planned> {
        let weights: Vec<usize> = self
            .world
            .orgs
            .iter()
            .enumerate()
            .flat_map(|(i, o)| std::iter::repeat_n(i, o.weight as usize))
            .collect();
        let mut plans = Vec::new();
        for _ in 0..self.counts.deferred {
            let org = *self.pick(&weights);
            let mut offered: Vec<String> = self
                .world
                .doctors_of(org, None)
                .iter()
                .flat_map(|&d| self.world.doctors[d].specialties.clone())
                .collect();
            offered.sort();
            offered.dedup();
            let studies: Vec<String> = ["radiology", "functional_diagnostics"]
                .iter()
                .map(|s| s.to_string())
                .filter(|s| offered.contains(s) && self.world.orgs[org].profiles.contains(s))
                .collect();
            let roll = self.rng.gen_range(0..100);
            let (kind, specialty) = if roll < 25 && !studies.is_empty() {
                (
                    RequestKind::Interpretation,
                    Some(self.pick(&studies).clone()),
                )
            } else if roll < 40 {
                (
                    RequestKind::SecondOpinion,
                    Some(self.pick(&offered).clone()),
                )
            } else if roll < 45 {
                (RequestKind::Consultation, None)
            } else {
                (RequestKind::Consultation, Some(self.pick(&offered).clone()))
            };
            let requested = self.now - self.seconds(600, DEFERRED_DAYS * 86_400);
            let patient = self.patient_for(org, by_org);
            plans.push(Planned {
                requested,
                patient,
                shape: Shape::Deferred {
                    org,
                    kind,
                    specialty,
                },
            });
        }
        plans
    }

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
