//! The demo set read back from the database: its two organisations with their offers and
//! staff, its doctors with their schedules, the slots they already hold, the council lists and
//! queues, every IIN in use, and the public holidays of the generated span.

use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use diesel::prelude::*;

use super::world::{Doctor, Org, Party, World, ip};
use crate::db::DbConnection;
use crate::db::models::{OfferVersionRow, OrganizationRow};
use crate::db::schema::{
    consultant_lists, consultant_queues, consultations, offer_versions, organizations,
    practitioner_specialties, practitioners, schedule_exceptions, schedule_intervals, users,
};
use crate::domain::organization::PriceItem;
use crate::domain::schedule::{WeeklyInterval, parse_hhmm};
use crate::error::{AppError, AppResult};

/// The demo set's addresses (not those of the scale set, `…@scale.demo.telemed.kz`).
const DEMO_EMAILS: &str = "%@demo.telemed.kz";

const HOLIDAYS: &[(u32, u32, &str)] = &[
    (1, 1, "Новый год"),
    (1, 2, "Новый год"),
    (1, 7, "Рождество Христово"),
    (3, 8, "Международный женский день"),
    (3, 21, "Наурыз мейрамы"),
    (3, 22, "Наурыз мейрамы"),
    (3, 23, "Наурыз мейрамы"),
    (5, 1, "Праздник единства народа Казахстана"),
    (5, 7, "День защитника Отечества"),
    (5, 9, "День Победы"),
    (7, 6, "День столицы"),
    (8, 30, "День Конституции"),
    (10, 25, "День Республики"),
    (12, 16, "День Независимости"),
];

fn internal(message: String) -> AppError {
    AppError::Internal(anyhow::anyhow!(message))
}

impl World {
    /// The demo set as the database holds it.
    pub fn load(
        conn: &mut DbConnection,
        rng: &mut rand::rngs::StdRng,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> AppResult<World> {
        let mut world = World {
            iins: users::table
                .select(users::iin)
                .load::<String>(conn)?
                .into_iter()
                .collect(),
            ..World::default()
        };
        for year in from.year()..=to.year() {
            for (month, day, why) in HOLIDAYS {
                if let Some(d) = NaiveDate::from_ymd_opt(year, *month, *day)
                    && d >= from.date_naive()
                    && d <= to.date_naive()
                {
                    world.holidays.push((d, why));
                }
            }
        }
        let rows: Vec<OrganizationRow> = organizations::table
            .filter(organizations::email.like(DEMO_EMAILS))
            .order(organizations::licence_number.asc())
            .select(OrganizationRow::as_select())
            .load(conn)?;
        if rows.len() != 2 {
            return Err(internal(format!(
                "the two demo organisations are expected, {} found",
                rows.len()
            )));
        }
        for row in rows {
            let staff = load_staff(conn, rng, &row.id)?;
            world
                .orgs
                .push(org_of(conn, row, staff, super::plan::DEMO_ORG_WEIGHT)?);
        }
        world.load_doctors(conn, rng)?;
        world.load_lists(conn)?;
        Ok(world)
    }

    fn load_doctors(
        &mut self,
        conn: &mut DbConnection,
        rng: &mut rand::rngs::StdRng,
    ) -> AppResult<()> {
        let org_ids: Vec<String> = self.orgs.iter().map(|o| o.id.to_string()).collect();
        let rows: Vec<(String, String, String, String, String)> = practitioners::table
            .inner_join(users::table)
            .filter(practitioners::organization_id.eq_any(&org_ids))
            .filter(users::email.like(DEMO_EMAILS))
            .filter(users::deactivated_at.is_null())
            .order(users::email.asc())
            .select((
                practitioners::id,
                users::id,
                practitioners::organization_id,
                users::full_name,
                users::iin,
            ))
            .load(conn)?;
        for (practitioner, user, org, full_name, iin) in rows {
            let org = self.org_index(&org)?;
            let specialties = practitioner_specialties::table
                .filter(practitioner_specialties::practitioner_id.eq(&practitioner))
                .order(practitioner_specialties::experience_years.desc())
                .select(practitioner_specialties::specialty_code)
                .load(conn)?;
            let weekly = schedule_intervals::table
                .filter(schedule_intervals::practitioner_id.eq(&practitioner))
                .select((
                    schedule_intervals::weekday,
                    schedule_intervals::starts_at,
                    schedule_intervals::ends_at,
                ))
                .load::<(i32, String, String)>(conn)?
                .into_iter()
                .filter_map(|(weekday, a, b)| {
                    Some(WeeklyInterval {
                        weekday,
                        starts: parse_hhmm(&a).ok()?,
                        ends: parse_hhmm(&b).ok()?,
                    })
                })
                .collect();
            let days_off = schedule_exceptions::table
                .filter(schedule_exceptions::practitioner_id.eq(&practitioner))
                .select(schedule_exceptions::day)
                .load(conn)?;
            self.doctors.push(Doctor {
                practitioner: Arc::from(practitioner),
                user: Party {
                    id: Arc::from(user),
                    full_name,
                    iin,
                    role: "doctor",
                    ip: ip(rng),
                },
                org,
                specialties,
                weekly,
                days_off,
            });
        }
        let ids: Vec<&str> = self.doctors.iter().map(|d| &*d.practitioner).collect();
        let held: Vec<(Option<String>, Option<chrono::NaiveDateTime>)> = consultations::table
            .filter(consultations::practitioner_id.eq_any(ids))
            .filter(consultations::status.ne("cancelled"))
            .filter(consultations::slot_start.is_not_null())
            .select((consultations::practitioner_id, consultations::slot_start))
            .load(conn)?;
        for (practitioner, start) in held {
            let doctor = self
                .doctors
                .iter()
                .position(|d| Some(&*d.practitioner) == practitioner.as_deref());
            if let (Some(doctor), Some(start)) = (doctor, start) {
                self.booked.insert((doctor, start.and_utc().timestamp()));
            }
        }
        Ok(())
    }

    fn load_lists(&mut self, conn: &mut DbConnection) -> AppResult<()> {
        let org_ids: Vec<String> = self.orgs.iter().map(|o| o.id.to_string()).collect();
        let rows: Vec<(String, String, String)> = consultant_lists::table
            .filter(consultant_lists::organization_id.eq_any(&org_ids))
            .order((
                consultant_lists::organization_id,
                consultant_lists::specialty,
                consultant_lists::position,
            ))
            .select((
                consultant_lists::organization_id,
                consultant_lists::specialty,
                consultant_lists::practitioner_id,
            ))
            .load(conn)?;
        for (org, specialty, practitioner) in rows {
            let list = self
                .lists
                .entry((self.org_index(&org)?, specialty))
                .or_default();
            list.members.push(Arc::from(practitioner));
            list.existing += 1;
        }
        let queues: Vec<(String, String, i64)> = consultant_queues::table
            .filter(consultant_queues::organization_id.eq_any(&org_ids))
            .select((
                consultant_queues::organization_id,
                consultant_queues::specialty,
                consultant_queues::turns,
            ))
            .load(conn)?;
        for (org, specialty, turns) in queues {
            self.queues
                .insert((self.org_index(&org)?, specialty), (turns, true));
        }
        Ok(())
    }

    fn org_index(&self, id: &str) -> AppResult<usize> {
        self.orgs
            .iter()
            .position(|o| &*o.id == id)
            .ok_or_else(|| internal(format!("organisation {id} is not a demo one")))
    }
}

fn load_staff(
    conn: &mut DbConnection,
    rng: &mut rand::rngs::StdRng,
    org: &str,
) -> AppResult<Vec<Party>> {
    let rows: Vec<(String, String, String, String)> = users::table
        .filter(users::organization_id.eq(org))
        .filter(users::role.eq_any(["org_admin", "support"]))
        .filter(users::email.like(DEMO_EMAILS))
        .order(users::email.asc())
        .select((users::id, users::full_name, users::iin, users::role))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, full_name, iin, role)| Party {
            id: Arc::from(id),
            full_name,
            iin,
            role: if role == "support" {
                "support"
            } else {
                "org_admin"
            },
            ip: ip(rng),
        })
        .collect())
}

/// An organisation as the generator needs it, from its row and current offer.
fn org_of(
    conn: &mut DbConnection,
    row: OrganizationRow,
    staff: Vec<Party>,
    weight: u32,
) -> AppResult<Org> {
    let offer: OfferVersionRow = offer_versions::table
        .filter(offer_versions::organization_id.eq(&row.id))
        .order(offer_versions::version.desc())
        .select(OfferVersionRow::as_select())
        .first(conn)?;
    let prices: Vec<PriceItem> = serde_json::from_str(&row.price_list).unwrap_or_default();
    Ok(Org {
        zone: row
            .time_zone
            .parse()
            .map_err(|_| internal(format!("unknown zone {}", row.time_zone)))?,
        id: Arc::from(row.id),
        name: row.name,
        minutes: i64::from(row.consultation_minutes),
        urgent_hours: i64::from(row.urgent_deadline_hours),
        planned_hours: i64::from(row.planned_deadline_hours),
        gobmp: row.gobmp,
        paid: row.paid,
        price: prices.first().map(|p| p.price_kzt),
        profiles: serde_json::from_str(&row.licensed_profiles).unwrap_or_default(),
        offer_version: offer.version,
        offer_sha256: offer.sha256,
        staff,
        weight,
    })
}
