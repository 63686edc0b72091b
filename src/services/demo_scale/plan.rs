//! How much of everything a scale of N consultations makes.

use crate::error::{AppError, AppResult};

/// Real-time consultations span this many days back (and up to 60 ahead).
pub const HISTORY_DAYS: i64 = 365;
/// Deferred requests and councils are recent: they are open only for days, and the older ones
/// would have been completed with a signed conclusion, which the generator does not forge.
pub const DEFERRED_DAYS: i64 = 14;
pub const COUNCIL_DAYS: i64 = 120;
/// The smallest N that still shows every state; the largest a run is meant for.
pub const MIN_CONSULTATIONS: u32 = 100;
pub const MAX_CONSULTATIONS: u32 = 5_000_000;
/// Weight of each demo organisation against 1 for a generated one, in doctors and patients.
pub const DEMO_ORG_WEIGHT: u32 = 3;

/// What N makes. All consultations, real-time, deferred and the councils' own, add up to N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub consultations: u32,
    pub realtime: u32,
    /// N/20: recent requests (the last 14 days).
    pub deferred: u32,
    /// N/250, at least 3: each has a consultation of its own.
    pub councils: u32,
    /// Real-time consultations whose call is running now: N/2000, at least 1.
    pub in_progress: u32,
    /// N/5, at least 20.
    pub patients: u32,
    /// A tenth of the patients are children, booked for by a legal representative.
    pub children: u32,
    /// Two children for every third representative, one for the others.
    pub representatives: u32,
    /// New doctors: N/250, at least 4, beside the eight of the demo.
    pub doctors: u32,
    /// New organisations beside the two of the demo: N/5000 in all, at least the two.
    pub organizations: u32,
}

impl Counts {
    pub fn for_consultations(n: u32) -> AppResult<Counts> {
        if !(MIN_CONSULTATIONS..=MAX_CONSULTATIONS).contains(&n) {
            return Err(AppError::unprocessable(
                "invalid_scale",
                format!(
                    "the scale is the number of consultations, {MIN_CONSULTATIONS} to \
                     {MAX_CONSULTATIONS}"
                ),
            ));
        }
        let councils = (n / 250).max(3);
        let deferred = n / 20;
        let patients = (n / 5).max(20);
        let children = patients / 10;
        Ok(Counts {
            consultations: n,
            realtime: n - councils - deferred,
            deferred,
            councils,
            in_progress: (n / 2000).max(1),
            patients,
            children,
            representatives: (children * 2).div_ceil(3),
            doctors: (n / 250).max(4),
            organizations: (n / 5000).max(2) - 2,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn n_is_the_number_of_consultations_and_the_rest_follows() {
        let c = Counts::for_consultations(100_000).unwrap();
        assert_eq!(c.realtime + c.deferred + c.councils, 100_000);
        assert_eq!(
            (c.patients, c.doctors, c.organizations + 2, c.councils),
            (20_000, 400, 20, 400)
        );
        assert_eq!((c.children, c.representatives), (2_000, 1_334));
        let small = Counts::for_consultations(300).unwrap();
        assert_eq!(small.realtime + small.deferred + small.councils, 300);
        assert_eq!(
            (small.organizations, small.councils, small.doctors),
            (0, 3, 4)
        );
    }

    #[test]
    fn a_scale_outside_the_range_is_refused() {
        for n in [0, 99, MAX_CONSULTATIONS + 1] {
            assert_eq!(
                Counts::for_consultations(n).unwrap_err().code(),
                "invalid_scale"
            );
        }
    }
}
