//! The audit rows of the generated history: every act is noted at its time while the rows are
//! made, and at the end all are appended through the keyed chain in the order they happened,
//! so that `telemed audit verify` finds the log intact and each patient's access log reads as
//! the services would have written it.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::Scale;
use super::world::Party;
use crate::audit::{Event, append_dated};
use crate::db::{DbConnection, write_tx};
use crate::error::AppResult;

/// Rows per transaction of the chain.
const PER_TRANSACTION: usize = 5_000;

pub struct Note {
    pub at: DateTime<Utc>,
    pub actor: Arc<str>,
    pub subject: Option<Arc<str>>,
    pub action: &'static str,
    pub object_type: &'static str,
    pub object_id: Arc<str>,
    pub ip: Arc<str>,
    pub purpose: Option<Arc<str>>,
}

impl Scale {
    /// An act on a patient's consultation (booking, cancelling, a call, taking a request), with
    /// the consultation as its purpose, as `access::consultation::audit_act` records it.
    pub(super) fn note_act(
        &mut self,
        at: DateTime<Utc>,
        actor: &Party,
        patient: &Arc<str>,
        action: &'static str,
        consultation: &Arc<str>,
    ) {
        self.audit.push(Note {
            at,
            actor: actor.id.clone(),
            subject: Some(patient.clone()),
            action,
            object_type: "consultation",
            object_id: consultation.clone(),
            ip: actor.ip.clone(),
            purpose: Some(consultation.clone()),
        });
    }

    pub(super) fn note(&mut self, note: Note) {
        self.audit.push(note);
    }

    pub(super) fn write_audit(&mut self, conn: &mut DbConnection) -> AppResult<()> {
        let mut notes = std::mem::take(&mut self.audit);
        // Stable: acts noted at the same instant keep the order they were noted in.
        notes.sort_by_key(|n| n.at);
        let total = notes.len();
        let mut done = 0;
        for chunk in notes.chunks(PER_TRANSACTION) {
            let events: Vec<(DateTime<Utc>, Event<'_>)> = chunk
                .iter()
                .map(|n| {
                    let event = Event {
                        actor_id: Some(&n.actor),
                        subject_id: n.subject.as_deref(),
                        action: n.action,
                        object_type: n.object_type,
                        object_id: &n.object_id,
                        outcome: "ok",
                        ip: &n.ip,
                        purpose: n.purpose.as_deref(),
                    };
                    (n.at, event)
                })
                .collect();
            write_tx(conn, |conn| append_dated(conn, &events))?;
            done += chunk.len();
            if !self.due(done, total) {
                continue;
            }
            self.say(&format!(
                "audit_events {done}/{total} ({}%)",
                done * 100 / total.max(1)
            ));
        }
        self.count("audit_events", total);
        Ok(())
    }
}
