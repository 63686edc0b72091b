//! Accounts: each new organisation's administrator and support desk, doctors with profiles,
//! weekly schedules and places on their organisation's council lists, patients (a tenth of them
//! children) and the legal representatives who act for the children. Every account has the
//! demo password and a confirmed address.

use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use rand::Rng;

use super::Scale;
use super::batch::insert_all;
use super::names::{self, Register};
use super::world::{Doctor, Party, Patient, ip};
use crate::db::models::{
    PractitionerRow, PractitionerSpecialtyRow, RepresentationRow, ScheduleExceptionRow,
    ScheduleIntervalRow,
};
use crate::db::schema::{
    consultant_lists, practitioner_specialties, practitioners, representations,
    schedule_exceptions, schedule_intervals, users,
};
use crate::db::{DbConnection, write_tx};
use crate::domain::schedule::{WeeklyInterval, format_hhmm, parse_hhmm};
use crate::error::{AppError, AppResult};

#[derive(Insertable)]
#[diesel(table_name = users, treat_none_as_default_value = false)]
struct NewUser {
    id: String,
    email: String,
    password_hash: String,
    full_name: String,
    iin: String,
    role: String,
    organization_id: Option<String>,
    language: String,
    created_at: NaiveDateTime,
    email_verified_at: Option<NaiveDateTime>,
}

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

/// Organisation indexes, each repeated by its weight: taking them in turn shares people out in
/// proportion, and every organisation gets its share.
fn shares(weights: &[u32]) -> Vec<usize> {
    weights
        .iter()
        .enumerate()
        .flat_map(|(i, w)| std::iter::repeat_n(i, *w as usize))
        .collect()
}

impl Scale {
    pub(super) fn create_people(&mut self, conn: &mut DbConnection) -> AppResult<()> {
        let mut accounts = Vec::new();
        self.staff(&mut accounts);
        let doctors = self.doctors(&mut accounts);
        let representations = self.patients(&mut accounts);
        let n = write_tx(conn, |conn| {
            Ok::<_, AppError>(insert_all!(conn, users::table, accounts, 10))
        })?;
        self.count("users", n);
        self.say(&format!("users {n}"));
        let n = write_tx(conn, |conn| {
            Ok::<_, AppError>(insert_all!(
                conn,
                representations::table,
                representations,
                5
            ))
        })?;
        self.count("representations", n);
        self.write_doctors(conn, doctors)
    }

    fn account(
        &mut self,
        who: &Party,
        email: String,
        org: Option<&Arc<str>>,
        at: DateTime<Utc>,
    ) -> NewUser {
        let at = at.naive_utc();
        NewUser {
            id: who.id.to_string(),
            email,
            password_hash: self.password_hash.clone(),
            full_name: who.full_name.clone(),
            iin: who.iin.clone(),
            role: who.role.to_owned(),
            organization_id: org.map(|o| o.to_string()),
            language: names::language(&mut self.rng).to_owned(),
            created_at: at,
            email_verified_at: Some(at + Duration::minutes(5)),
        }
    }

    fn party(&mut self, role: &'static str, years: (i32, i32), family: Option<&str>) -> Party {
        self.born_party(role, years, family).0
    }

    /// A new person and the year they were born.
    fn born_party(
        &mut self,
        role: &'static str,
        years: (i32, i32),
        family: Option<&str>,
    ) -> (Party, i32) {
        let person = Register {
            taken: &mut self.world.iins,
        }
        .person(&mut self.rng, years, family, None);
        let party = Party {
            id: self.id(),
            full_name: person.full_name,
            iin: person.iin,
            role,
            ip: ip(&mut self.rng),
        };
        (party, person.born.year())
    }

    fn joined(&mut self) -> DateTime<Utc> {
        let days = self.rng.gen_range(60..400);
        self.history_start() - Duration::days(days)
    }

    /// An administrator and a support desk for each new organisation.
    fn staff(&mut self, accounts: &mut Vec<NewUser>) {
        for org in 2..self.world.orgs.len() {
            let n = org - 1;
            for (role, email) in [
                ("org_admin", format!("admin{n}")),
                ("support", format!("support{n}")),
            ] {
                let who = self.party(role, (1970, 2000), None);
                let at = self.joined();
                let org_id = self.world.orgs[org].id.clone();
                accounts.push(self.account(
                    &who,
                    format!("{email}@{}", super::EMAIL_DOMAIN),
                    Some(&org_id),
                    at,
                ));
                self.world.orgs[org].staff.push(who);
            }
        }
    }

    /// New doctors, shared out by weight; returns their rows.
    fn doctors(
        &mut self,
        accounts: &mut Vec<NewUser>,
    ) -> Vec<(PractitionerRow, Vec<PractitionerSpecialtyRow>)> {
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

    fn write_doctors(
        &mut self,
        conn: &mut DbConnection,
        doctors: Vec<(PractitionerRow, Vec<PractitionerSpecialtyRow>)>,
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

    /// Patients shared out by weight, a tenth of them children of a representative; returns
    /// the representations.
    fn patients(&mut self, accounts: &mut Vec<NewUser>) -> Vec<RepresentationRow> {
        let shares = shares(&self.world.orgs.iter().map(|o| o.weight).collect::<Vec<_>>());
        let mut families = Vec::new();
        for r in 0..self.counts.representatives as usize {
            let family = names::surname(&mut self.rng);
            let who = self.party("representative", (1972, 1998), Some(family));
            let at = self.joined();
            accounts.push(self.account(
                &who,
                format!("rep{}@{}", r + 1, super::EMAIL_DOMAIN),
                None,
                at,
            ));
            self.world.representatives.push(who);
            families.push((family, at));
        }
        let mut representations = Vec::new();
        let mut child = 0usize;
        for i in 0..self.counts.patients as usize {
            let org = shares[i % shares.len()];
            let rep = (i % 10 == 9 && !families.is_empty()).then(|| {
                child += 1;
                (child - 1) % families.len()
            });
            let who = match rep {
                Some(r) => self.party("patient", (2008, 2023), Some(families[r].0)),
                None => self.party("patient", (1940, 2006), None),
            };
            let at = match rep {
                Some(r) => families[r].1,
                None => self.joined(),
            };
            accounts.push(self.account(
                &who,
                format!("patient{}@{}", i + 1, super::EMAIL_DOMAIN),
                None,
                at,
            ));
            if let Some(r) = rep {
                representations.push(RepresentationRow {
                    id: self.id().to_string(),
                    representative_id: self.world.representatives[r].id.to_string(),
                    patient_id: who.id.to_string(),
                    basis: format!(
                        "Свидетельство о рождении № {:07}",
                        self.rng.gen_range(0..10_000_000)
                    ),
                    created_at: at.naive_utc(),
                });
            }
            self.world.patients.push(Patient {
                who,
                org,
                representative: rep,
            });
        }
        representations
    }
}
