//! Doctors of the new share: a profile (the organisation's licensed profiles covered in turn),
//! a weekly shift with the public holidays off, and a place at the end of their organisation's
//! council list of each of their specialties (art. 24).

use std::sync::Arc;

use chrono::Datelike;
use diesel::prelude::*;

use super::Scale;
use super::batch::insert_all;
use super::people::{NewUser, shares};
use super::world::Doctor;
use crate::db::models::{
    PractitionerRow, PractitionerSpecialtyRow, ScheduleExceptionRow, ScheduleIntervalRow,
};
use crate::db::schema::{
    consultant_lists, practitioner_specialties, practitioners, schedule_exceptions,
    schedule_intervals,
};
use crate::db::{DbConnection, write_tx};
use crate::domain::schedule::{WeeklyInterval, format_hhmm, parse_hhmm};
use crate::error::{AppError, AppResult};

/// A new doctor's profile and specialties.
pub(super) type Profile = (PractitionerRow, Vec<PractitionerSpecialtyRow>);

#[derive(Insertable)]
#[diesel(table_name = consultant_lists)]
struct ListRow {
    organization_id: String,
    specialty: String,
    practitioner_id: String,
    position: i32,
}

/// A weekly shift: the weekdays (1 = Monday) and the hours worked on each, local time.
type Shift = (&'static [i32], &'static [(&'static str, &'static str)]);

const SHIFTS: &[Shift] = &[
    (&[1, 2, 3, 4, 5], &[("09:00", "13:00")]),
    (&[1, 2, 3, 4, 5], &[("14:00", "18:00")]),
    (&[1, 2, 3, 4, 5], &[("09:00", "13:00"), ("14:00", "17:00")]),
    (&[1, 3, 5], &[("08:00", "14:00")]),
    (&[2, 4, 6], &[("09:00", "15:00")]),
];

fn position_of(specialty: &str) -> &'static str {
    match specialty {
        "therapy" => "Врач-терапевт",
        "general_practice" => "Врач общей практики",
        "pediatrics" => "Врач-педиатр",
        "cardiology" => "Врач-кардиолог",
        "neurology" => "Врач-невролог",
        "endocrinology" => "Врач-эндокринолог",
        "pulmonology" => "Врач-пульмонолог",
        "gastroenterology" => "Врач-гастроэнтеролог",
        "obstetrics_gynecology" => "Врач акушер-гинеколог",
        "oncology" => "Врач-онколог",
        "dermatology" => "Врач-дерматовенеролог",
        "ophthalmology" => "Врач-офтальмолог",
        "otorhinolaryngology" => "Врач-оториноларинголог",
        "radiology" => "Врач-рентгенолог",
        "functional_diagnostics" => "Врач функциональной диагностики",
        "rehabilitation" => "Врач-реабилитолог",
        _ => "Врач-специалист",
    }
}

impl Scale {
    /// New doctors, shared out by weight; returns their rows.
    pub(super) fn doctors(&mut self, accounts: &mut Vec<NewUser>) -> Vec<Profile> {
        let shares = shares(&self.world.orgs.iter().map(|o| o.weight).collect::<Vec<_>>());
        let mut out = Vec::new();
        let mut per_org = vec![0usize; self.world.orgs.len()];
        for i in 0..self.counts.doctors as usize {
            let org = shares[i % shares.len()];
            let profiles = self.world.orgs[org].profiles.clone();
            // The first doctors of an organisation cover its licensed profiles in turn.
            let primary = profiles[per_org[org] % profiles.len()].clone();
            per_org[org] += 1;
            let mut specialties = vec![primary.clone()];
            if self.chance(0.25) {
                let second = match primary.as_str() {
                    "therapy" => "general_practice".to_owned(),
                    "general_practice" => "therapy".to_owned(),
                    _ => self.pick(&profiles).clone(),
                };
                if second != primary {
                    specialties.push(second);
                }
            }
            let (who, born) = self.born_party("doctor", (1962, 1998), None);
            let years = (self.now.year() - born - 24).clamp(0, 45);
            let at = self.joined();
            let org_id = self.world.orgs[org].id.clone();
            accounts.push(self.account(
                &who,
                format!("doctor{}@{}", i + 1, super::EMAIL_DOMAIN),
                Some(&org_id),
                at,
            ));
            let practitioner = self.id();
            let row = PractitionerRow {
                id: practitioner.to_string(),
                user_id: who.id.to_string(),
                organization_id: org_id.to_string(),
                position: position_of(&primary).to_owned(),
                qualification_category: self.pick(&["высшая", "первая", "вторая", ""]).to_string(),
                academic_degree: if self.chance(0.1) {
                    "кандидат медицинских наук".into()
                } else {
                    String::new()
                },
                created_at: at.naive_utc(),
                updated_at: at.naive_utc(),
            };
            let codes = specialties
                .iter()
                .enumerate()
                .map(|(k, code)| PractitionerSpecialtyRow {
                    practitioner_id: practitioner.to_string(),
                    specialty_code: code.clone(),
                    experience_years: (years - 3 * k as i32).max(0),
                })
                .collect();
            let (days, hours) = *self.pick(SHIFTS);
            let weekly = days
                .iter()
                .flat_map(|d| hours.iter().map(move |(a, b)| (*d, *a, *b)))
                .filter_map(|(weekday, a, b)| {
                    Some(WeeklyInterval {
                        weekday,
                        starts: parse_hhmm(a).ok()?,
                        ends: parse_hhmm(b).ok()?,
                    })
                })
                .collect();
            self.world.doctors.push(Doctor {
                practitioner,
                user: who,
                org,
                specialties,
                weekly,
                days_off: self.world.holidays.iter().map(|(d, _)| *d).collect(),
            });
            out.push((row, codes));
        }
        out
    }

    pub(super) fn write_doctors(
        &mut self,
        conn: &mut DbConnection,
        doctors: Vec<Profile>,
    ) -> AppResult<()> {
        let first_new = self.world.doctors.len() - doctors.len();
        let mut intervals = Vec::new();
        let mut exceptions = Vec::new();
        let mut lists = Vec::new();
        for d in first_new..self.world.doctors.len() {
            let doctor = &self.world.doctors[d];
            let pid = doctor.practitioner.to_string();
            let weekly = doctor.weekly.clone();
            let specialties = doctor.specialties.clone();
            let org = doctor.org;
            for w in weekly {
                intervals.push(ScheduleIntervalRow {
                    id: self.id().to_string(),
                    practitioner_id: pid.clone(),
                    weekday: w.weekday,
                    starts_at: format_hhmm(w.starts),
                    ends_at: format_hhmm(w.ends),
                });
            }
            for (day, why) in self.world.holidays.clone() {
                exceptions.push(ScheduleExceptionRow {
                    id: self.id().to_string(),
                    practitioner_id: pid.clone(),
                    day,
                    reason: why.to_owned(),
                });
            }
            // Art. 24: on the council list of each of their specialties, after those there.
            for code in specialties {
                let list = self.world.lists.entry((org, code.clone())).or_default();
                list.members.push(Arc::from(pid.as_str()));
                lists.push(ListRow {
                    organization_id: self.world.orgs[org].id.to_string(),
                    specialty: code,
                    practitioner_id: pid.clone(),
                    position: list.members.len() as i32,
                });
            }
        }
        let (profiles, codes): (Vec<_>, Vec<_>) = doctors.into_iter().unzip();
        let codes: Vec<PractitionerSpecialtyRow> = codes.into_iter().flatten().collect();
        let written = write_tx(conn, |conn| {
            Ok::<_, AppError>([
                (
                    "practitioners",
                    insert_all!(conn, practitioners::table, profiles, 8),
                ),
                (
                    "practitioner_specialties",
                    insert_all!(conn, practitioner_specialties::table, codes, 3),
                ),
                (
                    "schedule_intervals",
                    insert_all!(conn, schedule_intervals::table, intervals, 5),
                ),
                (
                    "schedule_exceptions",
                    insert_all!(conn, schedule_exceptions::table, exceptions, 4),
                ),
                (
                    "consultant_lists",
                    insert_all!(conn, consultant_lists::table, lists, 4),
                ),
            ])
        })?;
        for (table, n) in written {
            self.count(table, n);
        }
        self.say(&format!(
            "practitioners {}",
            self.world.doctors.len() - first_new
        ));
        Ok(())
    }
}
