//! A deferred request (art. 13, 17) in the state its age implies: waiting for its documents,
//! in the queue, taken by a consultant (with a draft conclusion), paused for more documents,
//! declined, cancelled, or open past its deadline and marked breached as the watcher does.
//! Never completed: that takes a signed conclusion (art. 21), and signatures are not forged.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use serde_json::json;

use super::Scale;
use super::batch::Batch;
use super::consultations::{Planned, Shape};
use super::world::Party;
use crate::db::models::{ConsultationRow, DeferredRequestRow};
use crate::domain::consultation::{Initiative, RequestKind};
use crate::domain::records::RecordKind;

const NOTES: &[&str] = &[
    "Приложите, пожалуйста, ЭКГ за последний месяц",
    "Нужны снимки в формате DICOM, а не фотографии экрана",
    "Приложите выписку из стационара",
];
const DECLINES: &[&str] = &[
    "Вопрос вне компетенции консультанта, направьте профильному специалисту",
    "Данных недостаточно, нужна очная консультация",
    "Снимки непригодны для интерпретации",
];

fn reason(kind: RequestKind, specialty: Option<&str>) -> &'static str {
    match (kind, specialty) {
        (RequestKind::Interpretation, Some("functional_diagnostics")) => {
            "Интерпретация суточного мониторирования ЭКГ"
        }
        (RequestKind::Interpretation, _) => "Описание КТ органов грудной клетки",
        (RequestKind::SecondOpinion, _) => "Второе мнение о диагнозе и тактике лечения",
        (RequestKind::Consultation, _) => "Консультация по результатам обследования",
    }
}

impl Scale {
    pub(super) fn deferred(&mut self, batch: &mut Batch, plan: &Planned) {
        let Shape::Deferred {
            org,
            kind,
            ref specialty,
        } = plan.shape
        else {
            return;
        };
        let (patient, requested, now) = (plan.patient, plan.requested, self.now);
        self.consent(batch, patient, org, requested);
        let staff = self.world.orgs[org].staff.clone();
        // Art. 17: the patient's side asks, or staff of the organisation on their request.
        let by_staff = !staff.is_empty() && self.chance(0.25);
        let (requester, initiative) = if by_staff {
            (self.pick(&staff).clone(), Initiative::StaffOnPatientRequest)
        } else {
            match self.world.patients[patient].representative {
                Some(_) => (self.patient_side(patient), Initiative::Representative),
                None => (self.patient_side(patient), Initiative::Patient),
            }
        };
        let (funding, price) = self.funding(org);
        let urgent = self.chance(0.15);
        let hours = if urgent {
            self.world.orgs[org].urgent_hours
        } else {
            self.world.orgs[org].planned_hours
        };
        // Art. 13: the clock runs once the documents are complete.
        let clock = if self.chance(0.85) {
            Some(requested)
        } else {
            let at = requested + self.seconds(2 * 3_600, 3 * 86_400);
            (at < now).then_some(at)
        };
        let deadline = clock.map(|c| c + Duration::hours(hours));
        let id = self.id();
        let subject = self.world.patients[patient].who.id.clone();
        let mut row = ConsultationRow {
            ics_uid: format!("{id}@telemed"),
            id: id.to_string(),
            organization_id: self.world.orgs[org].id.to_string(),
            practitioner_id: None,
            patient_id: subject.to_string(),
            booked_by: requester.id.to_string(),
            initiative: initiative.as_str().to_owned(),
            status: "booked".into(),
            mode: "deferred".into(),
            urgency: if urgent { "urgent" } else { "planned" }.into(),
            specialty: specialty.clone(),
            slot_start: None,
            slot_end: None,
            reason: reason(kind, specialty.as_deref()).into(),
            funding: funding.into(),
            price_kzt: price,
            requested_at: requested.naive_utc(),
            clock_started_at: clock.map(|c| c.naive_utc()),
            deadline_at: deadline.map(|d| d.naive_utc()),
            breached_at: None,
            confirm_token_hash: None,
            ics_sequence: 0,
            cancelled_at: None,
            completed_at: None,
            created_at: requested.naive_utc(),
            updated_at: requested.naive_utc(),
            started_at: None,
            ended_at: None,
            held_by: None,
            patient_agreed_at: (!by_staff).then(|| requested.naive_utc()),
        };
        let mut request = DeferredRequestRow {
            consultation_id: id.to_string(),
            kind: kind.as_str().to_owned(),
            study_profile: (kind == RequestKind::Interpretation)
                .then(|| specialty.clone())
                .flatten(),
            requester_id: requester.id.to_string(),
            requester_org_id: by_staff.then(|| self.world.orgs[org].id.to_string()),
            paused_at: None,
            remaining_seconds: None,
            documents_note: None,
            decline_reason: None,
            conclusion_id: None,
            completion_reason: None,
            completed_at: None,
        };
        let booked = json!({"initiative": row.initiative, "status": "booked", "slot_start": null});
        self.event(
            batch,
            &row.id,
            requested,
            Some(&requester),
            "booked",
            booked,
        );
        self.note_act(requested, &requester, &subject, "consultation.book", &id);
        if let Some(c) = clock.filter(|c| *c > requested) {
            self.event(
                batch,
                &row.id,
                c,
                Some(&requester),
                "documents_complete",
                json!({}),
            );
            self.note_act(
                c,
                &requester,
                &subject,
                "consultation.documents_complete",
                &id,
            );
        }
        let roll = self.rng.gen_range(0..100);
        match (clock, deadline) {
            (Some(clock), Some(deadline)) if deadline > now => match roll {
                0..=44 => {}
                45..=79 => {
                    let taken = self.take(batch, &mut row, org, clock, deadline);
                    if let Some((consultant, at)) = taken.filter(|_| self.chance(0.5)) {
                        let at = at + self.seconds(600, 4 * 3_600);
                        let org_id: Arc<str> = row.organization_id.as_str().into();
                        let draft = self.draft(
                            RecordKind::Conclusion,
                            &consultant,
                            &subject,
                            &org_id,
                            &id,
                            at,
                        );
                        batch.records.push(draft);
                    }
                }
                80..=89 => self.pause(batch, &mut row, &mut request, org, clock, deadline),
                90..=94 => self.decline(batch, &mut row, &mut request, org, clock, deadline),
                _ => self.withdraw(batch, &mut row, patient, org, requested, now),
            },
            (Some(clock), Some(deadline)) => match roll {
                0..=44 => self.decline(batch, &mut row, &mut request, org, clock, deadline),
                45..=89 => self.withdraw(batch, &mut row, patient, org, requested, deadline),
                _ => {
                    if self.chance(0.5) {
                        self.take(batch, &mut row, org, clock, deadline);
                    }
                    // The watcher marks a passed deadline within its period (30 s).
                    let at = (deadline + self.seconds(1, 30)).min(now);
                    row.breached_at = Some(at.naive_utc());
                    let details = json!({"deadline_at": deadline});
                    self.event(batch, &row.id, at, None, "deadline_breached", details);
                }
            },
            _ if roll < 10 => self.withdraw(batch, &mut row, patient, org, requested, now),
            _ => {}
        }
        batch.consultations.push(row);
        batch.requests.push(request);
    }

    /// The patient's side withdraws the request before `until`.
    fn withdraw(
        &mut self,
        batch: &mut Batch,
        row: &mut ConsultationRow,
        patient: usize,
        org: usize,
        requested: DateTime<Utc>,
        until: DateTime<Utc>,
    ) {
        let at = requested + self.seconds(60, (until.min(self.now) - requested).num_seconds());
        let by = self.patient_side(patient);
        self.cancel(batch, row, patient, org, &by, at.min(self.now));
    }

    /// A consultant of the request's specialty takes it from the queue, before its deadline.
    fn take(
        &mut self,
        batch: &mut Batch,
        row: &mut ConsultationRow,
        org: usize,
        clock: DateTime<Utc>,
        deadline: DateTime<Utc>,
    ) -> Option<(Party, DateTime<Utc>)> {
        let mut who = self.world.doctors_of(org, row.specialty.as_deref());
        if who.is_empty() {
            who = self.world.doctors_of(org, None);
        }
        let doctor = *who.get(self.rng.gen_range(0..who.len().max(1)))?;
        let span = (deadline.min(self.now) - clock).num_seconds() / 2;
        let at = clock + self.seconds(60, span);
        let consultant = self.world.doctors[doctor].user.clone();
        row.practitioner_id = Some(self.world.doctors[doctor].practitioner.to_string());
        row.updated_at = at.naive_utc();
        self.event(batch, &row.id, at, Some(&consultant), "taken", json!({}));
        let (subject, id) = (
            Arc::from(row.patient_id.as_str()),
            Arc::from(row.id.as_str()),
        );
        self.note_act(at, &consultant, &subject, "consultation.take", &id);
        Some((consultant, at))
    }

    /// Art. 13: the consultant needs more documents; the clock stands with what was left.
    fn pause(
        &mut self,
        batch: &mut Batch,
        row: &mut ConsultationRow,
        request: &mut DeferredRequestRow,
        org: usize,
        clock: DateTime<Utc>,
        deadline: DateTime<Utc>,
    ) {
        let Some((consultant, taken)) = self.take(batch, row, org, clock, deadline) else {
            return;
        };
        let at = taken + self.seconds(60, (self.now - taken).num_seconds());
        let note = self.pick(NOTES).to_string();
        let remaining = (deadline - at).num_seconds();
        request.paused_at = Some(at.naive_utc());
        request.remaining_seconds = Some(remaining);
        request.documents_note = Some(note.clone());
        row.deadline_at = None;
        row.updated_at = at.naive_utc();
        let details = json!({"note": note, "remaining_seconds": remaining});
        self.event(
            batch,
            &row.id,
            at,
            Some(&consultant),
            "documents_requested",
            details,
        );
        let (subject, id) = (
            Arc::from(row.patient_id.as_str()),
            Arc::from(row.id.as_str()),
        );
        self.note_act(
            at,
            &consultant,
            &subject,
            "consultation.request_documents",
            &id,
        );
    }

    /// The consultant turns the request down, with a reason.
    fn decline(
        &mut self,
        batch: &mut Batch,
        row: &mut ConsultationRow,
        request: &mut DeferredRequestRow,
        org: usize,
        clock: DateTime<Utc>,
        deadline: DateTime<Utc>,
    ) {
        let Some((consultant, taken)) = self.take(batch, row, org, clock, deadline) else {
            return;
        };
        let until = (deadline + Duration::days(1)).min(self.now);
        let at = (taken + self.seconds(600, (until - taken).num_seconds())).min(self.now);
        let reason = self.pick(DECLINES).to_string();
        request.decline_reason = Some(reason.clone());
        row.status = "declined".into();
        row.updated_at = at.naive_utc();
        self.event(
            batch,
            &row.id,
            at,
            Some(&consultant),
            "declined",
            json!({"reason": reason}),
        );
        let (subject, id) = (
            Arc::from(row.patient_id.as_str()),
            Arc::from(row.id.as_str()),
        );
        self.note_act(at, &consultant, &subject, "consultation.decline", &id);
    }
}
