//! What the generator knows, by index: the organisations, doctors and people so far (the demo
//! set read back from the database, then the generated ones), and the bookings made, so that
//! no slot is taken twice.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::domain::schedule::WeeklyInterval;

/// Someone who acts: whose id the rows carry, what documents say of them, and the address their
/// acts come from in the audit log.
#[derive(Debug, Clone)]
pub struct Party {
    pub id: Arc<str>,
    pub full_name: String,
    pub iin: String,
    pub role: &'static str,
    pub ip: Arc<str>,
}

pub struct Org {
    pub id: Arc<str>,
    pub name: String,
    pub zone: Tz,
    pub minutes: i64,
    pub urgent_hours: i64,
    pub planned_hours: i64,
    pub gobmp: bool,
    pub paid: bool,
    /// The first line of the price list: what a paid booking costs.
    pub price: Option<i64>,
    pub profiles: Vec<String>,
    pub offer_version: i32,
    pub offer_sha256: String,
    /// Administrators and support, who book on patients' behalf.
    pub staff: Vec<Party>,
    /// Its share of doctors and patients.
    pub weight: u32,
}

pub struct Doctor {
    pub practitioner: Arc<str>,
    pub user: Party,
    pub org: usize,
    pub specialties: Vec<String>,
    pub weekly: Vec<WeeklyInterval>,
    pub days_off: Vec<NaiveDate>,
}

pub struct Patient {
    pub who: Party,
    /// The organisation of their region, where most of their consultations are.
    pub org: usize,
    /// The legal representative who acts for a child.
    pub representative: Option<usize>,
}

/// A consultation that was held: a council's initiator treats its patient.
pub struct Held {
    pub doctor: usize,
    pub patient: usize,
    pub at: DateTime<Utc>,
}

/// A council list (art. 24): the practitioners already on it, then those the run adds.
#[derive(Default)]
pub struct List {
    pub existing: usize,
    pub members: Vec<Arc<str>>,
}

#[derive(Default)]
pub struct World {
    pub orgs: Vec<Org>,
    pub doctors: Vec<Doctor>,
    pub patients: Vec<Patient>,
    pub representatives: Vec<Party>,
    pub iins: HashSet<String>,
    /// (doctor, slot start) of every booking that holds its slot.
    pub booked: HashSet<(usize, i64)>,
    pub lists: BTreeMap<(usize, String), List>,
    /// Turns taken per queue, and whether its row exists already.
    pub queues: BTreeMap<(usize, String), (i64, bool)>,
    /// The last document number per (organisation, patient).
    pub documents: HashMap<(usize, usize), i32>,
    pub held: Vec<Held>,
    /// Public holidays of Kazakhstan in the generated span: nobody works, nobody is booked.
    pub holidays: Vec<(NaiveDate, &'static str)>,
}

pub fn ip(rng: &mut rand::rngs::StdRng) -> Arc<str> {
    use rand::Rng;
    Arc::from(format!(
        "10.{}.{}.{}",
        rng.gen_range(0..=255),
        rng.gen_range(0..=255),
        rng.gen_range(1..=254)
    ))
}

impl World {
    /// The doctors of an organisation with a specialty (any specialty when `None`).
    pub fn doctors_of(&self, org: usize, specialty: Option<&str>) -> Vec<usize> {
        (0..self.doctors.len())
            .filter(|&d| self.doctors[d].org == org)
            .filter(|&d| {
                specialty.is_none_or(|s| self.doctors[d].specialties.iter().any(|x| x == s))
            })
            .collect()
    }
}
