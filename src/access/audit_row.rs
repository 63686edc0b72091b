//! The audit row of one act on a patient's data (art. 40): granted ones are recorded inside the
//! transaction of the act; refusals in a transaction of their own, so they stay although the
//! request fails.

use chrono::{DateTime, Utc};

use super::Actor;
use crate::audit::{self, Event};
use crate::db::{DbConnection, after_work};
use crate::error::{AppError, AppResult};

/// One audit row about a patient's data.
#[derive(Debug, Clone, Copy)]
pub struct Access<'a> {
    pub actor: &'a Actor,
    pub at: DateTime<Utc>,
    /// The patient whose data this is: their access log reads by it.
    pub subject: &'a str,
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: &'a str,
    /// Why: what the policy granted the act for (see [`super::Basis::purpose`]).
    pub purpose: Option<&'a str>,
}

impl Access<'_> {
    /// Appends the row with `outcome`, inside the caller's transaction.
    pub fn record(&self, conn: &mut DbConnection, outcome: &str) -> AppResult<()> {
        audit::record(
            conn,
            self.at,
            &Event {
                actor_id: Some(&self.actor.user_id),
                subject_id: Some(self.subject),
                action: self.action,
                object_type: self.object_type,
                object_id: self.object_id,
                outcome,
                ip: &self.actor.ip,
                purpose: self.purpose,
            },
        )
    }

    /// Appends the rows of several accesses with one outcome in one append (a list's rows).
    pub fn record_all(
        accesses: &[Access<'_>],
        conn: &mut DbConnection,
        outcome: &str,
    ) -> AppResult<()> {
        let Some(first) = accesses.first() else {
            return Ok(());
        };
        let events: Vec<Event> = accesses
            .iter()
            .map(|a| Event {
                actor_id: Some(&a.actor.user_id),
                subject_id: Some(a.subject),
                action: a.action,
                object_type: a.object_type,
                object_id: a.object_id,
                outcome,
                ip: &a.actor.ip,
                purpose: a.purpose,
            })
            .collect();
        audit::record_many(conn, first.at, &events)
    }

    /// Records a refusal so that it stays although the request fails (in a transaction of
    /// its own, after the unit of work) and returns the error to answer with.
    pub fn refuse(&self, conn: &mut DbConnection, outcome: &str, error: AppError) -> AppError {
        let at = self.at;
        let (actor_id, subject, action) = (
            self.actor.user_id.clone(),
            self.subject.to_owned(),
            self.action.to_owned(),
        );
        let (object_type, object_id, ip) = (
            self.object_type.to_owned(),
            self.object_id.to_owned(),
            self.actor.ip.clone(),
        );
        let (purpose, outcome) = (self.purpose.map(str::to_owned), outcome.to_owned());
        let written = after_work(conn, move |conn| {
            audit::record(
                conn,
                at,
                &Event {
                    actor_id: Some(&actor_id),
                    subject_id: Some(&subject),
                    action: &action,
                    object_type: &object_type,
                    object_id: &object_id,
                    outcome: &outcome,
                    ip: &ip,
                    purpose: purpose.as_deref(),
                },
            )
        });
        match written {
            Ok(()) => error,
            Err(e) => e,
        }
    }

    /// A 403, audited as `denied`.
    pub fn deny(&self, conn: &mut DbConnection) -> AppError {
        self.refuse(conn, "denied", AppError::forbidden())
    }
}
