//! Councils (консилиум): at least three doctors (Rules art. 2.6); consultants named in the
//! request, or assigned by specialty — by schedule (art. 22) or in a simple queue (art. 23);
//! and a conclusion final only when every participant signed the same document (art. 27).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

text_enum!(
    CouncilStatus {
        /// Requested on the doctor's own initiative; waits for the patient's agreement (art. 20).
        AwaitingAgreement = "awaiting_agreement",
        /// Consultants are invited and meet (in a call) or study the record (deferred).
        Assembling = "assembling",
        /// Every participant signed: the conclusion is in the health passport.
        Final = "final",
        Cancelled = "cancelled",
    }
);
text_enum!(
    /// How a consultant came into the council.
    MemberSource {
        /// Named in the request (art. 20).
        Named = "named",
        /// Assigned by a named organisation from its schedule (art. 22).
        Schedule = "schedule",
        /// Assigned in the organisation's simple queue (art. 23).
        RoundRobin = "round_robin",
    }
);
text_enum!(
    MemberStatus { Invited = "invited", Accepted = "accepted", Declined = "declined" }
);
text_enum!(
    ConclusionStatus {
        /// Being written; nobody signs a draft.
        Draft = "draft",
        /// A canonical document everyone signs.
        Frozen = "frozen",
        /// Everyone signed the same bytes (art. 27).
        Final = "final",
        /// Someone refused to sign, with a reason: not final.
        Dissent = "dissent",
    }
);
text_enum!(
    CouncilMode { Realtime = "realtime", Deferred = "deferred" }
);
text_enum!(
    /// Whose initiative the council is (art. 20).
    CouncilInitiative { Patient = "patient", Own = "own" }
);

/// Art. 2.6: a council examines a case with the participation of at least three doctors.
pub const MIN_DOCTORS: usize = 3;

/// Whether the doctors of a request make a council: the initiator (a doctor) and the distinct
/// consultants.
pub fn enough_doctors(consultants: usize) -> bool {
    consultants + 1 >= MIN_DOCTORS
}

/// Art. 23: the consultant whose turn it is. `turn` counts the queue's turns from 0; those in
/// `skip` (the initiator, doctors already in the council, one who declined) are passed over,
/// taking the next on the list. `None` when everyone on the list is skipped.
pub fn queue_pick<'a>(list: &'a [String], turn: u64, skip: &HashSet<String>) -> Option<&'a String> {
    if list.is_empty() {
        return None;
    }
    let n = list.len() as u64;
    (0..n)
        .map(|i| &list[((turn + i) % n) as usize])
        .find(|p| !skip.contains(*p))
}

/// What the signatures of one document version say about the conclusion (art. 27).
#[derive(Debug, PartialEq, Eq)]
pub enum Finality {
    /// Every participant signed these bytes.
    Final,
    /// These participants have not signed yet.
    Awaiting(Vec<String>),
    /// Someone refused to sign: the conclusion cannot become final.
    Dissent,
}

/// `signed` and `refused` are user ids with a valid signature over the current bytes, and with
/// a recorded refusal.
pub fn finality(
    participants: &[String],
    signed: &HashSet<String>,
    refused: &HashSet<String>,
) -> Finality {
    if participants.iter().any(|p| refused.contains(p)) {
        return Finality::Dissent;
    }
    let awaiting: Vec<String> = participants
        .iter()
        .filter(|p| !signed.contains(*p))
        .cloned()
        .collect();
    if awaiting.is_empty() {
        Finality::Final
    } else {
        Finality::Awaiting(awaiting)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> HashSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn list(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn art_2_6_a_council_needs_three_doctors() {
        assert!(!enough_doctors(0));
        assert!(
            !enough_doctors(1),
            "the initiator and one consultant are two"
        );
        assert!(enough_doctors(2));
        assert!(enough_doctors(5));
    }

    #[test]
    fn art_23_the_simple_queue_takes_turns_and_passes_over_the_skipped() {
        let l = list(&["a", "b", "c"]);
        let none = HashSet::new();
        let picks: Vec<&str> = (0..6)
            .map(|t| queue_pick(&l, t, &none).unwrap().as_str())
            .collect();
        assert_eq!(picks, ["a", "b", "c", "a", "b", "c"]);
        assert_eq!(queue_pick(&l, 0, &set(&["a"])).unwrap(), "b");
        assert_eq!(queue_pick(&l, 2, &set(&["c"])).unwrap(), "a");
        assert!(queue_pick(&l, 1, &set(&["a", "b", "c"])).is_none());
        assert!(queue_pick(&[], 0, &none).is_none());
    }

    #[test]
    fn art_27_final_only_when_everyone_signed_and_nobody_refused() {
        let people = list(&["x", "y", "z"]);
        assert_eq!(
            finality(&people, &set(&["x", "y"]), &HashSet::new()),
            Finality::Awaiting(list(&["z"]))
        );
        assert_eq!(
            finality(&people, &set(&["x", "y", "z"]), &HashSet::new()),
            Finality::Final
        );
        assert_eq!(
            finality(&people, &set(&["x", "y"]), &set(&["z"])),
            Finality::Dissent
        );
        // Signatures of people outside the council count for nothing.
        assert_eq!(
            finality(&people, &set(&["x", "y", "intruder"]), &HashSet::new()),
            Finality::Awaiting(list(&["z"]))
        );
    }
}
