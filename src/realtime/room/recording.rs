//! Whether a call may be recorded (art. 36: only with the consent of every participant): the
//! consent round, who agreed, and which published tracks are being written.

use std::collections::BTreeSet;

use chrono::{DateTime, SecondsFormat, Utc};

use crate::realtime::protocol::RecordingState;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    Idle,
    /// Someone asked; waiting for every admitted participant to agree.
    Asking {
        requested_by: String,
    },
    Active {
        started_at: DateTime<Utc>,
    },
}

/// What a consent decision led to.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Unchanged,
    /// Everyone present agreed: recording starts now.
    Started,
    /// Someone declined: nothing is (or stays) recorded.
    Declined,
}

#[derive(Debug)]
pub struct Consent {
    pub phase: Phase,
    /// User ids of the participants who agreed in this round.
    pub agreed: BTreeSet<String>,
}

impl Default for Consent {
    fn default() -> Self {
        Consent {
            phase: Phase::Idle,
            agreed: BTreeSet::new(),
        }
    }
}

impl Consent {
    pub fn state(&self) -> RecordingState {
        let (state, requested_by, started_at) = match &self.phase {
            Phase::Idle => ("idle", None, None),
            Phase::Asking { requested_by } => ("asking", Some(requested_by.clone()), None),
            Phase::Active { started_at } => (
                "active",
                None,
                Some(started_at.to_rfc3339_opts(SecondsFormat::Secs, true)),
            ),
        };
        RecordingState {
            state,
            requested_by,
            agreed: self.agreed.iter().cloned().collect(),
            started_at,
        }
    }

    pub fn is_active(&self) -> bool {
        matches!(self.phase, Phase::Active { .. })
    }

    /// Whether this user's media may be written now.
    pub fn records(&self, user: &str) -> bool {
        self.is_active() && self.agreed.contains(user)
    }

    /// Someone asks to record; asking counts as their own consent. False if a round or a
    /// recording is already on.
    pub fn request(&mut self, user: &str) -> bool {
        if self.phase != Phase::Idle {
            return false;
        }
        self.phase = Phase::Asking {
            requested_by: user.to_owned(),
        };
        self.agreed = BTreeSet::from([user.to_owned()]);
        true
    }

    /// A participant answers. `present` is every admitted participant's user id.
    pub fn answer(
        &mut self,
        user: &str,
        agree: bool,
        present: &BTreeSet<String>,
        now: DateTime<Utc>,
    ) -> Outcome {
        if self.phase == Phase::Idle {
            return Outcome::Unchanged;
        }
        if !agree {
            self.stop();
            return Outcome::Declined;
        }
        self.agreed.insert(user.to_owned());
        self.settle(present, now)
    }

    /// The people present changed: a round may now be complete (the last holdout left).
    pub fn settle(&mut self, present: &BTreeSet<String>, now: DateTime<Utc>) -> Outcome {
        if matches!(self.phase, Phase::Asking { .. }) && present.is_subset(&self.agreed) {
            self.phase = Phase::Active { started_at: now };
            return Outcome::Started;
        }
        Outcome::Unchanged
    }

    pub fn stop(&mut self) {
        self.phase = Phase::Idle;
        self.agreed.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn art_36_recording_starts_only_when_everyone_present_agreed() {
        let now = Utc::now();
        let present = users(&["doctor", "patient", "interpreter"]);
        let mut c = Consent::default();
        assert!(c.request("doctor"));
        assert!(!c.records("doctor"), "asking is not recording");
        assert_eq!(c.answer("patient", true, &present, now), Outcome::Unchanged);
        assert!(!c.is_active());
        assert_eq!(
            c.answer("interpreter", true, &present, now),
            Outcome::Started
        );
        assert!(c.records("patient"));
    }

    #[test]
    fn art_36_one_refusal_stops_everything() {
        let now = Utc::now();
        let present = users(&["doctor", "patient"]);
        let mut c = Consent::default();
        c.request("doctor");
        assert_eq!(c.answer("patient", false, &present, now), Outcome::Declined);
        assert_eq!(c.phase, Phase::Idle);
        assert!(c.agreed.is_empty());
        // A newcomer during a recording who declines ends it too.
        c.request("doctor");
        c.answer("patient", true, &present, now);
        assert!(c.is_active());
        let with_relative = users(&["doctor", "patient", "relative"]);
        assert!(!c.records("relative"), "not recorded before agreeing");
        assert_eq!(
            c.answer("relative", false, &with_relative, now),
            Outcome::Declined
        );
        assert!(!c.is_active());
    }

    #[test]
    fn a_round_completes_when_the_holdout_leaves() {
        let now = Utc::now();
        let mut c = Consent::default();
        c.request("doctor");
        c.answer(
            "patient",
            true,
            &users(&["doctor", "patient", "relative"]),
            now,
        );
        assert!(!c.is_active());
        assert_eq!(
            c.settle(&users(&["doctor", "patient"]), now),
            Outcome::Started
        );
    }
}
