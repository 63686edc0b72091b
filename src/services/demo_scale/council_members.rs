//! A council's consultants (art. 20, 22, 23): named from the organisation, taken from its simple
//! queue of their specialty — the queue's turns advanced as `councils::assign` does — or
//! assigned by another organisation; those who accepted are second doctors of the council's
//! consultation, and in a deferred council some wrote their opinion.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rand::Rng;

use super::Scale;
use super::batch::Batch;
use super::councils::council_note;
use crate::db::models::{ConsultationGuestRow, CouncilMemberRow, CouncilRow};
use crate::db::schema::consultant_queues;
use crate::db::{DbConnection, write_tx};
use crate::domain::council::queue_pick;
use crate::error::{AppError, AppResult};

const OPINIONS: &[&str] = &[
    "Согласен с диагнозом, рекомендую дообследование перед сменой терапии.",
    "Показаний к операции не вижу, продолжить консервативное лечение.",
    "Рекомендую КТ с контрастированием и повторное обсуждение.",
];

/// A consultant and how they came into the council.
pub(super) struct Member {
    doctor: usize,
    specialty: Option<String>,
    source: &'static str,
}

impl Scale {
    /// Two or three consultants of other specialties: from the organisation's queue of their
    /// specialty (art. 23) or named (art. 20); from other organisations when it has too few.
    pub(super) fn members(&mut self, initiator: usize) -> Vec<Member> {
        let org = self.world.doctors[initiator].org;
        let own = self.world.doctors[initiator].specialties.first().cloned();
        let wanted = if self.chance(0.7) { 2 } else { 3 };
        let mut taken = HashSet::from([initiator]);
        let mut out = Vec::new();
        let mut local: Vec<usize> = self
            .world
            .doctors_of(org, None)
            .into_iter()
            .filter(|&d| {
                d != initiator && self.world.doctors[d].specialties.first() != own.as_ref()
            })
            .collect();
        rand::seq::SliceRandom::shuffle(&mut local[..], &mut self.rng);
        for d in local {
            if out.len() == wanted {
                break;
            }
            let specialty = self.world.doctors[d].specialties[0].clone();
            let queued = self
                .chance(0.6)
                .then(|| self.queue_turn(org, &specialty, &taken))
                .flatten();
            let member = match queued {
                Some(picked) => Member {
                    doctor: picked,
                    specialty: Some(specialty),
                    source: "round_robin",
                },
                None if taken.contains(&d) => continue,
                None => Member {
                    doctor: d,
                    specialty: None,
                    source: "named",
                },
            };
            taken.insert(member.doctor);
            out.push(member);
        }
        // Art. 22: another organisation assigns from its schedule.
        let mut tries = 0;
        while out.len() < wanted && tries < 50 {
            tries += 1;
            let d = self.rng.gen_range(0..self.world.doctors.len());
            if taken.insert(d) {
                let specialty = self.world.doctors[d].specialties.first().cloned();
                out.push(Member {
                    doctor: d,
                    specialty,
                    source: "schedule",
                });
            }
        }
        out
    }

    /// Art. 23: whose turn it is on the list of (org, specialty), passing over those already
    /// in the council; advances the queue as `assign::by_queue` does.
    fn queue_turn(&mut self, org: usize, specialty: &str, taken: &HashSet<usize>) -> Option<usize> {
        let list = self
            .world
            .lists
            .get(&(org, specialty.to_owned()))?
            .members
            .clone();
        let index_of = |p: &str| {
            self.world
                .doctors
                .iter()
                .position(|d| &*d.practitioner == p)
        };
        let skip: HashSet<String> = list
            .iter()
            .filter(|p| index_of(p).is_none_or(|d| taken.contains(&d)))
            .map(|p| p.to_string())
            .collect();
        let ids: Vec<String> = list.iter().map(|p| p.to_string()).collect();
        let queue = self
            .world
            .queues
            .entry((org, specialty.to_owned()))
            .or_insert((0, false));
        let turn = queue.0;
        let picked = queue_pick(&ids, turn.max(0) as u64, &skip)?;
        let index = ids.iter().position(|p| p == picked)? as i64;
        let n = ids.len() as i64;
        queue.0 = turn + (index - turn.rem_euclid(n)).rem_euclid(n) + 1;
        index_of(picked)
    }

    pub(super) fn member(
        &mut self,
        batch: &mut Batch,
        council: &CouncilRow,
        m: &Member,
        status: &str,
        realtime: bool,
        created: DateTime<Utc>,
    ) -> CouncilMemberRow {
        let doctor = &self.world.doctors[m.doctor];
        let (user, practitioner, org) =
            (doctor.user.clone(), doctor.practitioner.clone(), doctor.org);
        let mut row = CouncilMemberRow {
            id: self.id().to_string(),
            council_id: council.id.clone(),
            user_id: user.id.to_string(),
            practitioner_id: practitioner.to_string(),
            organization_id: self.world.orgs[org].id.to_string(),
            specialty: m.specialty.clone(),
            source: m.source.into(),
            status: "invited".into(),
            decline_reason: None,
            opinion: None,
            opinion_at: None,
            assigned_at: created.naive_utc(),
        };
        if status != "assembling" || self.chance(0.35) {
            return row;
        }
        let at = created + self.seconds(600, (self.now - created).num_seconds() / 2);
        row.status = "accepted".into();
        let (subject, id): (Arc<str>, Arc<str>) = (
            council.patient_id.as_str().into(),
            council.id.as_str().into(),
        );
        let consultation: Arc<str> = council.consultation_id.clone().unwrap_or_default().into();
        self.note(council_note(
            at,
            &user,
            &subject,
            "council.accept",
            &id,
            &consultation,
        ));
        batch.guests.push(ConsultationGuestRow {
            id: self.id().to_string(),
            consultation_id: consultation.to_string(),
            user_id: user.id.to_string(),
            kind: "guest_doctor".into(),
            invited_by: council.initiator_id.clone(),
            created_at: at.naive_utc(),
        });
        if !realtime && self.chance(0.5) {
            let written = at + self.seconds(600, (self.now - at).num_seconds());
            row.opinion = Some(self.pick(OPINIONS).to_string());
            row.opinion_at = Some(written.naive_utc());
            self.note(council_note(
                written,
                &user,
                &subject,
                "council.opinion",
                &id,
                &consultation,
            ));
        }
        row
    }

    /// The queues' turns as the assignments above left them.
    pub(super) fn write_queues(&mut self, conn: &mut DbConnection) -> AppResult<()> {
        let queues: Vec<((String, String), i64, bool)> = self
            .world
            .queues
            .iter()
            .map(|((org, s), (turns, existed))| {
                (
                    (self.world.orgs[*org].id.to_string(), s.clone()),
                    *turns,
                    *existed,
                )
            })
            .collect();
        write_tx(conn, |conn| {
            for ((org, specialty), turns, existed) in &queues {
                let key = (
                    consultant_queues::organization_id.eq(org),
                    consultant_queues::specialty.eq(specialty),
                );
                if *existed {
                    diesel::update(consultant_queues::table)
                        .filter(key.0)
                        .filter(key.1)
                        .set(consultant_queues::turns.eq(turns))
                        .execute(conn)?;
                } else {
                    diesel::insert_into(consultant_queues::table)
                        .values((key.0, key.1, consultant_queues::turns.eq(turns)))
                        .execute(conn)?;
                }
            }
            Ok::<_, AppError>(())
        })?;
        let added = queues.iter().filter(|q| !q.2).count();
        self.count("consultant_queues", added);
        Ok(())
    }
}
