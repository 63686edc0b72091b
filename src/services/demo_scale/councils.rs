//! Councils (art. 18–27), each called by a doctor on a patient they treated: consultants named
//! or assigned from the organisation's simple queue (art. 23, the queue's turns advanced as the
//! service does), the council's own consultation, members who accepted (second doctors of its
//! call), opinions and a draft conclusion. Awaiting the patient's agreement, assembling, or
//! cancelled — a final council needs every participant's signature, which is not forged.

use std::sync::Arc;

use chrono::{DateTime, Duration, LocalResult, TimeZone, Utc};
use rand::Rng;
use serde_json::json;

use super::Scale;
use super::audit_log::Note;
use super::batch::Batch;
use super::plan::COUNCIL_DAYS;
use super::world::Party;
use crate::db::DbConnection;
use crate::db::models::{ConsultationRow, CouncilConclusionRow, CouncilRow};
use crate::error::{AppError, AppResult};

const QUESTIONS: &[&str] = &[
    "Тактика лечения резистентной артериальной гипертензии",
    "Показания к оперативному лечению",
    "Дифференциальный диагноз очагового образования лёгкого",
    "Подбор терапии при сочетанной патологии",
    "Ведение беременности при сахарном диабете",
];
impl Scale {
    pub(super) fn create_councils(&mut self, conn: &mut DbConnection) -> AppResult<()> {
        let since = self.now - Duration::days(90);
        let mut held: Vec<usize> = (0..self.world.held.len())
            .filter(|&h| self.world.held[h].at >= since)
            .collect();
        if held.is_empty() {
            held = (0..self.world.held.len()).collect();
        }
        if held.is_empty() {
            return Err(AppError::Internal(anyhow::anyhow!(
                "no consultation was held"
            )));
        }
        let mut batch = Batch::default();
        for _ in 0..self.counts.councils {
            let h = *self.pick(&held);
            let (doctor, patient) = (self.world.held[h].doctor, self.world.held[h].patient);
            self.council(&mut batch, doctor, patient);
        }
        for (table, n) in batch.write(conn)? {
            self.count(table, n);
        }
        self.write_queues(conn)?;
        self.say(&format!("councils {}", batch.councils.len()));
        Ok(())
    }

    fn council(&mut self, batch: &mut Batch, initiator: usize, patient: usize) {
        let now = self.now;
        let org = self.world.doctors[initiator].org;
        let doctor = self.world.doctors[initiator].user.clone();
        let roll = self.rng.gen_range(0..100);
        let (status, own) = match roll {
            0..=19 => ("awaiting_agreement", true),
            20..=74 => ("assembling", self.chance(0.4)),
            _ => ("cancelled", self.chance(0.4)),
        };
        let created = if status == "cancelled" {
            now - self.seconds(86_400, COUNCIL_DAYS * 86_400)
        } else {
            now - self.seconds(3_600, 2 * 86_400)
        };
        let realtime = self.chance(0.5);
        let planned_hours = self.world.orgs[org].planned_hours;
        let scheduled = realtime.then(|| self.council_time(initiator, created));
        let deadline = (!realtime).then(|| created + Duration::hours(planned_hours));
        let agreed = (own && status != "awaiting_agreement")
            .then(|| created + self.seconds(600, 20 * 3_600).min(now - created));
        let id = self.id();
        let consultation = self.id();
        let subject = self.world.patients[patient].who.id.clone();
        let question = self.pick(QUESTIONS).to_string();
        let council = CouncilRow {
            id: id.to_string(),
            patient_id: subject.to_string(),
            initiator_id: doctor.id.to_string(),
            initiator_org_id: self.world.orgs[org].id.to_string(),
            question: question.clone(),
            urgency: "planned".into(),
            mode: if realtime { "realtime" } else { "deferred" }.into(),
            initiative: if own { "own" } else { "patient" }.into(),
            status: status.into(),
            scheduled_at: scheduled.map(|t| t.naive_utc()),
            deadline_at: deadline.map(|t| t.naive_utc()),
            patient_agreed_at: agreed.map(|t| t.naive_utc()),
            cancel_reason: None,
            consultation_id: Some(consultation.to_string()),
            created_at: created.naive_utc(),
            updated_at: agreed.unwrap_or(created).naive_utc(),
        };
        let minutes = self.world.orgs[org].minutes;
        let mut row = ConsultationRow {
            ics_uid: format!("{consultation}@telemed"),
            id: consultation.to_string(),
            organization_id: council.initiator_org_id.clone(),
            practitioner_id: Some(self.world.doctors[initiator].practitioner.to_string()),
            patient_id: subject.to_string(),
            booked_by: doctor.id.to_string(),
            initiative: if own {
                "staff_own"
            } else {
                "staff_on_patient_request"
            }
            .into(),
            status: if status == "awaiting_agreement" {
                "awaiting_agreement"
            } else {
                "booked"
            }
            .into(),
            mode: council.mode.clone(),
            urgency: "planned".into(),
            specialty: None,
            slot_start: scheduled.map(|t| t.naive_utc()),
            slot_end: scheduled.map(|t| (t + Duration::minutes(minutes)).naive_utc()),
            reason: question,
            funding: "gobmp".into(),
            price_kzt: None,
            requested_at: created.naive_utc(),
            clock_started_at: (!realtime).then(|| created.naive_utc()),
            deadline_at: council.deadline_at,
            breached_at: None,
            confirm_token_hash: None,
            ics_sequence: 0,
            cancelled_at: None,
            completed_at: None,
            created_at: created.naive_utc(),
            updated_at: created.naive_utc(),
            started_at: None,
            ended_at: None,
            held_by: None,
            patient_agreed_at: match (status, agreed) {
                ("awaiting_agreement", _) => None,
                (_, Some(at)) => Some(at.naive_utc()),
                _ => Some(created.naive_utc()),
            },
        };
        self.note(council_note(
            created,
            &doctor,
            &subject,
            "council.create",
            &id,
            &consultation,
        ));
        let members = self.members(initiator);
        let mut council = council;
        for m in &members {
            let member = self.member(batch, &council, m, status, realtime, created);
            batch.members.push(member);
        }
        if status == "assembling" && self.chance(0.4) {
            let at = created + self.seconds(3_600, (now - created).num_seconds());
            let which = self.rng.gen_range(0..self.bodies.conclusions.len());
            let body = self.bodies.conclusions[which].clone();
            batch.conclusions.push(CouncilConclusionRow {
                council_id: council.id.clone(),
                version: 1,
                status: "draft".into(),
                body,
                canonical: None,
                sha256: None,
                frozen_at: None,
                final_at: None,
                updated_at: at.naive_utc(),
            });
            self.note(council_note(
                at,
                &doctor,
                &subject,
                "council.conclusion_save",
                &id,
                &consultation,
            ));
        }
        if status == "cancelled" {
            let at = created + self.seconds(3_600, (now - created).num_seconds() / 2);
            let reason = "Пациент госпитализирован, вопрос решён очно";
            council.cancel_reason = Some(reason.into());
            council.updated_at = at.naive_utc();
            row.status = "cancelled".into();
            row.cancelled_at = Some(at.naive_utc());
            row.updated_at = at.naive_utc();
            let details = json!({"by": "initiator", "council": &*id});
            self.event(batch, &row.id, at, Some(&doctor), "cancelled", details);
            self.note(council_note(
                at,
                &doctor,
                &subject,
                "council.cancel",
                &id,
                &consultation,
            ));
        } else if let Some(at) = scheduled {
            self.world.booked.insert((initiator, at.timestamp()));
        }
        batch.consultations.push(row);
        batch.councils.push(council);
    }

    /// A real-time council's hour: a working hour of the organisation at a quarter past or to,
    /// off every slot grid, within the month after it was called.
    fn council_time(&mut self, doctor: usize, created: DateTime<Utc>) -> DateTime<Utc> {
        let zone = self.world.orgs[self.world.doctors[doctor].org].zone;
        loop {
            let day = (created + Duration::days(self.rng.gen_range(1..=30))).with_timezone(&zone);
            let local = day
                .date_naive()
                .and_hms_opt(self.rng.gen_range(9..17), *self.pick(&[15, 45]), 0)
                .unwrap_or_default();
            if let LocalResult::Single(t) = zone.from_local_datetime(&local) {
                let t = t.with_timezone(&Utc);
                if !self.world.booked.contains(&(doctor, t.timestamp())) {
                    return t;
                }
            }
        }
    }
}

pub(super) fn council_note(
    at: DateTime<Utc>,
    actor: &Party,
    patient: &Arc<str>,
    action: &'static str,
    council: &Arc<str>,
    consultation: &Arc<str>,
) -> Note {
    Note {
        at,
        actor: actor.id.clone(),
        subject: Some(patient.clone()),
        action,
        object_type: "council",
        object_id: council.clone(),
        ip: actor.ip.clone(),
        purpose: Some(consultation.clone()),
    }
}
