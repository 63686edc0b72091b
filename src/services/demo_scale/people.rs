//! Accounts: each new organisation's administrator and support desk, doctors (`doctors`),
//! patients (a tenth of them children) and the legal representatives who act for the children.
//! Every account has the demo password and a confirmed address.

use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use rand::Rng;

use super::Scale;
use super::batch::insert_all;
use super::names::{self, Register};
use super::world::{Party, Patient, ip};
use crate::db::models::RepresentationRow;
use crate::db::schema::{representations, users};
use crate::db::{DbConnection, write_tx};
use crate::error::{AppError, AppResult};

#[derive(Insertable)]
#[diesel(table_name = users, treat_none_as_default_value = false)]
pub(super) struct NewUser {
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

/// Organisation indexes, each repeated by its weight: taking them in turn shares people out in
/// proportion, and every organisation gets its share.
pub(super) fn shares(weights: &[u32]) -> Vec<usize> {
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

    pub(super) fn account(
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
    pub(super) fn born_party(
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

    pub(super) fn joined(&mut self) -> DateTime<Utc> {
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
