//! `telemed demo --scale N`: the demo at a region's size, on top of the small demo set
//! (`services::demo`, loaded first when absent), so that benchmarks and people see the platform
//! with realistic volumes on either database.
//!
//! **N is the number of consultations added** — real-time, deferred and the councils' own — and
//! everything else follows from it in the proportions of [`Counts`]: patients ≈ N/5, doctors ≈
//! N/250, organisations ≈ N/5000 (the two demo ones included, which get a triple share of
//! doctors and patients, so their staff see big queues), councils ≈ N/250.
//!
//! The rows are what the services themselves would have written (`plan`, `realtime`,
//! `deferred`, `councils` say which columns each state implies): slots from each doctor's
//! schedule, never two live bookings of one slot; an accepted offer before every first booking
//! with an organisation; a cancellation document for every cancellation; the history of every
//! consultation; record drafts of the consultations held; and the audit rows of every act,
//! appended through the keyed chain, each at the time it happened. What needs a doctor's
//! electronic signature is not made, since a signature is never forged: no signed record, no
//! final council, no completed deferred request (older requests were declined, cancelled or are
//! past their deadline). No mail is queued, so a server started on the data sends none.
//!
//! Reproducible: the history is laid out around the time of the run, and the same N, seed and
//! start time give the same rows, ids included. Runs once per database: when scale accounts
//! exist it adds nothing. Every scale account signs in with the demo password:
//! `patient1@scale.demo.telemed.kz`, `doctor1@…`, `admin1@…`, `rep1@…`.

mod acts;
mod audit_log;
mod batch;
mod consultations;
mod council_members;
mod councils;
mod deferred;
mod demo_set;
mod doctors;
mod names;
mod orgs;
mod people;
mod plan;
mod planning;
mod realtime;
mod records;
mod world;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, SubsecRound, Utc};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::demo::{self, DEMO_PASSWORD};
use super::{Context, passwords};
use crate::db::DbConnection;
use crate::db::schema::users;
use crate::error::{AppError, AppResult};

pub use plan::{Counts, MAX_CONSULTATIONS, MIN_CONSULTATIONS};

/// The domain of every scale account's e-mail.
pub const EMAIL_DOMAIN: &str = "scale.demo.telemed.kz";
/// The seed when none is given.
pub const DEFAULT_SEED: u64 = 2026;

#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// N: consultations to add.
    pub consultations: u32,
    pub seed: u64,
}

#[derive(Debug)]
pub enum Outcome {
    /// Rows added per table, and how long it took.
    Loaded {
        rows: BTreeMap<&'static str, u64>,
        seconds: f64,
    },
    /// Scale accounts exist already: nothing was added.
    AlreadyPresent { accounts: i64 },
}

/// Loads the demo set if absent, then N consultations' worth of data (see the module doc).
/// Progress goes to stderr, as the work is long at a region's size.
pub async fn load(ctx: &Context, options: Options) -> AppResult<Outcome> {
    let counts = Counts::for_consultations(options.consultations)?;
    demo::load(ctx).await?;
    let present = scale_accounts(ctx).await?;
    if present > 0 {
        return Ok(Outcome::AlreadyPresent { accounts: present });
    }
    // One hash for every account: Argon2 per patient would take longer than all the rest.
    let hash = passwords::hash(DEMO_PASSWORD.to_owned()).await?;
    let now = ctx.clock.now().trunc_subsecs(0);
    let horizon_days = ctx.settings.booking.horizon_days;
    let started = Instant::now();
    let rows = ctx
        .db
        .run(move |conn| {
            let mut scale = Scale::new(counts, options.seed, now, horizon_days, hash);
            scale.generate(conn)?;
            Ok(scale.rows)
        })
        .await?;
    crate::audit::checkpoint_now(&ctx.db, &ctx.settings.audit)
        .await
        .map_err(AppError::Internal)?;
    // Fresh statistics for the planner, as autovacuum would gather them some minutes later:
    // without them PostgreSQL guesses the new tables small and scans where an index serves.
    ctx.db
        .run(|conn| {
            use diesel::connection::SimpleConnection;
            conn.batch_execute("ANALYZE")?;
            Ok(())
        })
        .await?;
    Ok(Outcome::Loaded {
        rows,
        seconds: started.elapsed().as_secs_f64(),
    })
}

async fn scale_accounts(ctx: &Context) -> AppResult<i64> {
    ctx.db
        .run(|conn| {
            Ok(users::table
                .filter(users::email.like(format!("%@{EMAIL_DOMAIN}")))
                .count()
                .get_result(conn)?)
        })
        .await
}

/// The generator's state: what exists so far, in memory, by index.
pub(crate) struct Scale {
    counts: Counts,
    rng: StdRng,
    now: DateTime<Utc>,
    /// Real-time slots are booked up to this far ahead (booking.horizon_days, at most 60).
    future_days: i64,
    password_hash: String,
    world: world::World,
    bodies: records::Bodies,
    audit: Vec<audit_log::Note>,
    /// Rows written per table.
    rows: BTreeMap<&'static str, u64>,
    started: Instant,
    last_said: Instant,
}

impl Scale {
    fn new(
        counts: Counts,
        seed: u64,
        now: DateTime<Utc>,
        horizon_days: i64,
        password_hash: String,
    ) -> Scale {
        Scale {
            counts,
            rng: StdRng::seed_from_u64(seed),
            now,
            future_days: horizon_days.clamp(1, 60),
            password_hash,
            world: world::World::default(),
            bodies: records::Bodies::default(),
            audit: Vec::new(),
            rows: BTreeMap::new(),
            started: Instant::now(),
            last_said: Instant::now(),
        }
    }

    fn generate(&mut self, conn: &mut DbConnection) -> AppResult<()> {
        self.say(&format!(
            "{} consultations: {} real-time, {} deferred, {} councils; {} patients, {} new \
             doctors, {} new organisations",
            self.counts.consultations,
            self.counts.realtime,
            self.counts.deferred,
            self.counts.councils,
            self.counts.patients,
            self.counts.doctors,
            self.counts.organizations
        ));
        let (from, until) = (
            self.history_start(),
            self.now + chrono::Duration::days(self.future_days),
        );
        self.world = world::World::load(conn, &mut self.rng, from, until)?;
        self.load_record_bodies(conn)?;
        self.create_organizations(conn)?;
        self.create_people(conn)?;
        self.create_consultations(conn)?;
        self.create_councils(conn)?;
        self.write_audit(conn)?;
        Ok(())
    }

    /// The first day of the generated history.
    fn history_start(&self) -> DateTime<Utc> {
        self.now - chrono::Duration::days(plan::HISTORY_DAYS)
    }

    /// A UUID from the seeded generator, so that a rerun makes the same ids.
    fn id(&mut self) -> Arc<str> {
        let bytes: [u8; 16] = self.rng.r#gen();
        Arc::from(
            uuid::Builder::from_random_bytes(bytes)
                .into_uuid()
                .to_string(),
        )
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.gen_bool(p.clamp(0.0, 1.0))
    }

    /// Seconds, uniformly in `[lo, hi]` (both ≥ 0; an empty range gives `lo`).
    fn seconds(&mut self, lo: i64, hi: i64) -> chrono::Duration {
        chrono::Duration::seconds(if hi > lo {
            self.rng.gen_range(lo..=hi)
        } else {
            lo
        })
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.rng.gen_range(0..items.len())]
    }

    fn count(&mut self, table: &'static str, n: usize) {
        *self.rows.entry(table).or_default() += n as u64;
    }

    /// Whether a progress line is due: every second or so, and at the end.
    fn due(&mut self, done: usize, total: usize) -> bool {
        let due = done >= total || self.last_said.elapsed().as_millis() >= 1_000;
        if due {
            self.last_said = Instant::now();
        }
        due
    }

    /// A progress line on stderr.
    fn say(&self, what: &str) {
        eprintln!(
            "[demo --scale {:>5.1} s] {what}",
            self.started.elapsed().as_secs_f64()
        );
    }
}
