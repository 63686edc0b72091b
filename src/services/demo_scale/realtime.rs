//! A real-time consultation in the state its slot implies now: held (by video or telephone,
//! with the doctor's draft record) or cancelled when the slot is past, the call running when it
//! is now, booked, waiting for the patient's agreement or cancelled when it is ahead.

use base64::Engine;
use chrono::Duration;
use rand::Rng;
use serde_json::json;

use super::Scale;
use super::batch::Batch;
use super::consultations::{Planned, Shape};
use super::world::{Held, Party};
use crate::db::models::ConsultationRow;
use crate::domain::canonical::sha256_hex;
use crate::domain::consultation::Initiative;
use crate::domain::records::RecordKind;

pub const REASONS: &[&str] = &[
    "Повышенное давление, головные боли",
    "Контроль лечения после выписки из стационара",
    "Боли в груди при нагрузке",
    "Кашель больше двух недель",
    "Консультация по результатам анализов",
    "Головокружение и слабость",
    "Боли в животе после еды",
    "Плановый осмотр",
    "Повторная консультация",
    "Одышка при ходьбе",
    "Высыпания на коже",
    "Температура, слабость третий день",
    "Боль в спине",
    "Нарушение сна",
    "Контроль сахара крови",
];

impl Scale {
    pub(super) fn realtime(&mut self, batch: &mut Batch, plan: &Planned) {
        let Shape::Realtime {
            doctor,
            start,
            running,
            urgent,
        } = plan.shape
        else {
            return;
        };
        let (patient, requested, now) = (plan.patient, plan.requested, self.now);
        let org = self.world.doctors[doctor].org;
        let doctor_party = self.world.doctors[doctor].user.clone();
        self.consent(batch, patient, org, requested);
        let (booker, initiative) = self.booker(patient, org);
        let (funding, price) = self.funding(org);
        let (minutes, urgent_hours) = {
            let o = &self.world.orgs[org];
            (o.minutes, o.urgent_hours)
        };
        let id = self.id();
        let subject = self.world.patients[patient].who.id.clone();
        let end = start + Duration::minutes(minutes);
        let mut row = ConsultationRow {
            ics_uid: format!("{id}@telemed"),
            id: id.to_string(),
            organization_id: self.world.orgs[org].id.to_string(),
            practitioner_id: Some(self.world.doctors[doctor].practitioner.to_string()),
            patient_id: subject.to_string(),
            booked_by: booker.id.to_string(),
            initiative: initiative.as_str().to_owned(),
            status: "booked".into(),
            mode: "realtime".into(),
            urgency: if urgent { "urgent" } else { "planned" }.into(),
            specialty: self.world.doctors[doctor].specialties.first().cloned(),
            slot_start: Some(start.naive_utc()),
            slot_end: Some(end.naive_utc()),
            reason: self.pick(REASONS).to_string(),
            funding: funding.into(),
            price_kzt: price,
            requested_at: requested.naive_utc(),
            clock_started_at: Some(requested.naive_utc()),
            // Art. 8: only an urgent one has a deadline, which its slot lies within.
            deadline_at: urgent.then(|| (requested + Duration::hours(urgent_hours)).naive_utc()),
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
            patient_agreed_at: None,
        };
        let booked = json!({"initiative": row.initiative, "status": "booked", "slot_start": start});
        self.event(batch, &row.id, requested, Some(&booker), "booked", booked);
        self.note_act(requested, &booker, &subject, "consultation.book", &id);
        // Art. 12: what the patient's side books they agree to; staff's own initiative waits.
        match initiative {
            Initiative::Patient | Initiative::Representative => {
                row.patient_agreed_at = Some(requested.naive_utc());
            }
            Initiative::StaffOwn if start > now && !running && self.chance(0.6) => {
                let token: [u8; 32] = self.rng.r#gen();
                let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(token);
                row.status = "awaiting_agreement".into();
                row.confirm_token_hash = Some(sha256_hex(token.as_bytes()));
                batch.consultations.push(row);
                return;
            }
            Initiative::StaffOwn => {
                let until = start.min(now);
                let at = requested
                    + self.seconds(3_600, (until - requested).num_seconds().min(2 * 86_400));
                let at = at.min(until);
                let side = self.patient_side(patient);
                row.patient_agreed_at = Some(at.naive_utc());
                self.event(
                    batch,
                    &row.id,
                    at,
                    Some(&side),
                    "agreed",
                    json!({"ip": &*side.ip}),
                );
                self.note_act(at, &side, &subject, "consultation.agree", &id);
            }
            Initiative::StaffOnPatientRequest => {}
        }
        if running {
            let started = start + Duration::minutes(2);
            row.status = "in_progress".into();
            row.started_at = Some(started.naive_utc());
            row.held_by = Some("video".into());
            row.updated_at = started.naive_utc();
            // Joining the call is the patient's agreement (calls::join).
            row.patient_agreed_at.get_or_insert(started.naive_utc());
            self.event(
                batch,
                &row.id,
                started,
                Some(&doctor_party),
                "call_started",
                json!({}),
            );
            self.note_act(started, &doctor_party, &subject, "call.start", &id);
        } else if end <= now {
            if self.chance(0.14) {
                let at = requested + self.seconds(0, (start - requested).num_seconds());
                let by = self.canceller(patient, org, &doctor_party);
                self.cancel(batch, &mut row, patient, org, &by, at);
            } else {
                self.held(batch, &mut row, doctor, patient, &doctor_party);
            }
        } else if start > now && self.chance(0.08) {
            let at = requested + self.seconds(0, (now - requested).num_seconds());
            let by = self.canceller(patient, org, &doctor_party);
            self.cancel(batch, &mut row, patient, org, &by, at);
        }
        batch.consultations.push(row);
    }

    /// Who calls a consultation off: mostly the patient's side, sometimes the doctor or staff.
    fn canceller(&mut self, patient: usize, org: usize, doctor: &Party) -> Party {
        let staff = self.world.orgs[org].staff.clone();
        match self.rng.gen_range(0..100) {
            0..=64 => self.patient_side(patient),
            65..=84 => doctor.clone(),
            _ if !staff.is_empty() => self.pick(&staff).clone(),
            _ => doctor.clone(),
        }
    }

    /// The consultation took place by video (or telephone, art. 33.2) and the doctor drafted
    /// its record.
    fn held(
        &mut self,
        batch: &mut Batch,
        row: &mut ConsultationRow,
        doctor: usize,
        patient: usize,
        by: &Party,
    ) {
        let now = self.now;
        let start = row.slot_start.map(|t| t.and_utc()).unwrap_or(now);
        let minutes = row
            .slot_end
            .map(|e| (e.and_utc() - start).num_minutes())
            .unwrap_or(30);
        let subject = self.world.patients[patient].who.id.clone();
        let id: std::sync::Arc<str> = row.id.as_str().into();
        let latest = now - Duration::minutes(1);
        let (started, ended) = if self.chance(0.08) {
            let ended = (start + self.seconds(5 * 60, 30 * 60)).min(latest);
            let talk = self.rng.gen_range(5..=25);
            let started = ended - Duration::minutes(talk);
            let details = json!({"minutes": talk, "note": ""});
            self.event(batch, &row.id, ended, Some(by), "held_by_phone", details);
            self.note_act(ended, by, &subject, "call.phone", &id);
            row.held_by = Some("phone".into());
            (started, ended)
        } else {
            let started = start + self.seconds(0, 6 * 60);
            let ended = (started + self.seconds(10 * 60, (minutes + 5) * 60)).min(latest);
            let started = started.min(ended - Duration::minutes(5));
            self.event(batch, &row.id, started, Some(by), "call_started", json!({}));
            self.note_act(started, by, &subject, "call.start", &id);
            let details = json!({"duration_seconds": (ended - started).num_seconds()});
            self.event(batch, &row.id, ended, Some(by), "call_ended", details);
            self.note_act(ended, by, &subject, "call.end", &id);
            row.held_by = Some("video".into());
            row.patient_agreed_at.get_or_insert(started.naive_utc());
            (started, ended)
        };
        row.status = "completed".into();
        row.started_at = Some(started.naive_utc());
        row.ended_at = Some(ended.naive_utc());
        row.completed_at = Some(ended.naive_utc());
        row.updated_at = ended.naive_utc();
        let org_id: std::sync::Arc<str> = row.organization_id.as_str().into();
        let kind = if self.chance(0.45) {
            RecordKind::Conclusion
        } else {
            RecordKind::ConsultationNote
        };
        let at = ended + self.seconds(120, 40 * 60);
        let record = self.draft(kind, by, &subject, &org_id, &id, at);
        batch.records.push(record);
        if self.chance(0.1) {
            let at = at + self.seconds(60, 600);
            let record = self.draft(RecordKind::Prescription, by, &subject, &org_id, &id, at);
            batch.records.push(record);
        }
        self.world.held.push(Held {
            doctor,
            patient,
            at: ended,
        });
    }
}
