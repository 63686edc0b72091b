//! What the race produced, as figures: counts, throughput, latency percentiles, and the checks
//! that decide the exit status.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use tokio::time::Instant;

use super::clients::{Attempt, Outcome, Slot};

pub struct Summary {
    pub attempts: usize,
    pub booked: Vec<Slot>,
    pub slot_taken: usize,
    /// Unexpected answers by (status, body), with how often each came.
    pub unexpected: BTreeMap<(String, String), usize>,
    pub wall: Duration,
    /// From the start until the last 201: after it, only losers hear `slot_taken`.
    pub last_booking: Duration,
    /// Sorted, over all attempts.
    latencies: Vec<Duration>,
}

impl Summary {
    pub fn of(attempts: &[Attempt], started: Instant, wall: Duration) -> Summary {
        let mut latencies: Vec<Duration> = attempts.iter().map(|a| a.latency).collect();
        latencies.sort();
        let mut summary = Summary {
            attempts: attempts.len(),
            booked: Vec::new(),
            slot_taken: 0,
            unexpected: BTreeMap::new(),
            wall,
            last_booking: Duration::ZERO,
            latencies,
        };
        for a in attempts {
            match &a.outcome {
                Outcome::Booked(slot) => {
                    summary.booked.push(slot.clone());
                    let at = a.finished.saturating_duration_since(started);
                    summary.last_booking = summary.last_booking.max(at);
                }
                Outcome::SlotTaken => summary.slot_taken += 1,
                Outcome::Unexpected(status, body) => {
                    let status = status.map_or_else(|| "no response".into(), |s| s.to_string());
                    *summary
                        .unexpected
                        .entry((status, body.clone()))
                        .or_default() += 1;
                }
            }
        }
        summary
    }

    pub fn errors(&self) -> usize {
        self.unexpected.values().sum()
    }

    /// Nearest-rank percentile of the latencies, in milliseconds.
    pub fn ms(&self, q: f64) -> f64 {
        let Some(last) = self.latencies.len().checked_sub(1) else {
            return 0.0;
        };
        let rank = (q * self.latencies.len() as f64).ceil() as usize;
        self.latencies[rank.saturating_sub(1).min(last)].as_secs_f64() * 1000.0
    }

    /// Slots that two 201 answers both claim.
    pub fn claimed_twice(&self) -> usize {
        let mut seen = HashSet::new();
        self.booked
            .iter()
            .filter(|s| !seen.insert((s.practitioner_id.as_str(), s.start)))
            .count()
    }

    pub fn print(&self, expected: usize) {
        let secs = self.wall.as_secs_f64().max(f64::EPSILON);
        println!("  attempts              {}", self.attempts);
        println!(
            "  successes             {} (expected {expected})",
            self.booked.len()
        );
        println!("  409 slot_taken        {}", self.slot_taken);
        println!("  other errors          {}", self.errors());
        for ((status, body), n) in &self.unexpected {
            println!("    {n} x {status}: {body}");
        }
        println!("  wall time             {:.3} s", self.wall.as_secs_f64());
        println!(
            "  last 201 after        {:.3} s (then only losers hearing slot_taken)",
            self.last_booking.as_secs_f64()
        );
        println!(
            "  bookings/s            {:.1}",
            self.booked.len() as f64 / secs
        );
        println!("  attempts/s            {:.1}", self.attempts as f64 / secs);
        println!(
            "  latency ms            p50 {:.1}  p90 {:.1}  p99 {:.1}  max {:.1}",
            self.ms(0.50),
            self.ms(0.90),
            self.ms(0.99),
            self.ms(1.0)
        );
    }
}
