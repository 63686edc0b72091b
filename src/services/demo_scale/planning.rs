//! Who consults whom and when: each doctor's real-time bookings on distinct free slots of their
//! schedule (a share per doctor, a little uneven, as doctors are), a few calls running now, and
//! the deferred requests of the last weeks; patients mostly at the organisation of their region.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use rand::seq::index;

use super::Scale;
use super::consultations::{Planned, Shape};
use super::plan::DEFERRED_DAYS;
use crate::domain::consultation::RequestKind;
use crate::domain::slots::{Expansion, Slot, expand};

impl Scale {
    pub(super) fn patients_by_org(&self) -> Vec<Vec<usize>> {
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
    pub(super) fn plan_realtime(&mut self, by_org: &[Vec<usize>]) -> Vec<Planned> {
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
    pub(super) fn plan_deferred(&mut self, by_org: &[Vec<usize>]) -> Vec<Planned> {
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
}
