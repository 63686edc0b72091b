//! Art. 25: the patient is told of the planned council (at once, saying whether it is urgent),
//! each consultant of their assignment, and everyone is reminded before a real-time council.
//! Art. 27: the participants are asked to sign the frozen conclusion, and the patient hears when
//! it is final. Queued in the outbox inside the transaction that makes the change.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use super::contact;
use crate::db::DbConnection;
use crate::db::models::CouncilRow;
use crate::db::schema::{organizations, representations};
use crate::domain::consultation::Urgency;
use crate::error::AppResult;
use crate::notify::templates::{self, Addressee, CouncilNotice, CouncilText, Recipient};
use crate::notify::{self, Outgoing};

/// What every notice of one council says.
pub(crate) struct Notices<'a> {
    row: &'a CouncilRow,
    organization_name: String,
    patient_name: String,
    initiator_name: String,
    when: Option<String>,
    url: String,
    /// The patient's legal representatives, who hear what the patient hears.
    representatives: Vec<String>,
    /// Who called the council off, for the letters that say so.
    cancelled_by: Option<&'static str>,
}

impl<'a> Notices<'a> {
    pub fn load(conn: &mut DbConnection, row: &'a CouncilRow, public_url: &str) -> AppResult<Self> {
        let (organization_name, zone): (String, String) = organizations::table
            .find(&row.initiator_org_id)
            .select((organizations::name, organizations::time_zone))
            .first(conn)?;
        let when = row
            .scheduled_at
            .map(|t| templates::local_time(&zone, t.and_utc()));
        Ok(Notices {
            row,
            organization_name,
            patient_name: contact(conn, &row.patient_id)?.1,
            initiator_name: contact(conn, &row.initiator_id)?.1,
            when,
            url: format!("{public_url}/#/councils/{}", row.id),
            representatives: representations::table
                .filter(representations::patient_id.eq(&row.patient_id))
                .select(representations::representative_id)
                .load::<String>(conn)?,
            cancelled_by: None,
        })
    }

    /// Which text `user` reads: the patient's, a representative's, the initiator's or a
    /// consultant's.
    fn recipient(&self, user: &str) -> Recipient {
        if user == self.row.patient_id {
            Recipient::Patient
        } else if user == self.row.initiator_id {
            Recipient::Doctor
        } else if self.representatives.iter().any(|r| r == user) {
            Recipient::Representative
        } else {
            Recipient::Consultant
        }
    }

    fn send(
        &self,
        conn: &mut DbConnection,
        now: DateTime<Utc>,
        user: &str,
        notice: CouncilNotice,
        key: String,
        due_at: DateTime<Utc>,
    ) -> AppResult<()> {
        let (email, name, language) = contact(conn, user)?;
        let (subject, body) = templates::council(
            &language,
            &Addressee {
                recipient: self.recipient(user),
                name: &name,
            },
            notice,
            &CouncilText {
                patient_name: &self.patient_name,
                initiator_name: &self.initiator_name,
                organization_name: &self.organization_name,
                when: self.when.as_deref(),
                urgent: Urgency::parse(&self.row.urgency) == Some(Urgency::Urgent),
                url: &self.url,
                cancelled_by: self.cancelled_by,
            },
        )?;
        notify::enqueue(
            conn,
            now,
            &Outgoing {
                dedupe_key: key,
                consultation_id: self.row.consultation_id.as_deref(),
                recipient: &email,
                subject,
                body,
                ics: None,
                due_at,
            },
        )?;
        Ok(())
    }

    /// The patient and their legal representatives.
    fn patient_side(&self) -> Vec<String> {
        let mut people = vec![self.row.patient_id.clone()];
        people.extend(self.representatives.iter().cloned());
        people
    }

    /// To the patient's side: the agreement request or the planned council (art. 20, 25).
    pub fn to_patient(
        &self,
        conn: &mut DbConnection,
        now: DateTime<Utc>,
        notice: CouncilNotice,
    ) -> AppResult<()> {
        for user in self.patient_side() {
            let key = format!("council:{}:{notice:?}:{user}", self.row.id);
            self.send(conn, now, &user, notice, key, now)?;
        }
        Ok(())
    }

    /// A consultant is told of their assignment (art. 25).
    pub fn assigned(
        &self,
        conn: &mut DbConnection,
        now: DateTime<Utc>,
        user: &str,
    ) -> AppResult<()> {
        let key = format!("council:{}:assigned:{user}", self.row.id);
        self.send(conn, now, user, CouncilNotice::Assigned, key, now)
    }

    /// Reminders before a real-time council to each of `users`, at the configured hours ahead;
    /// those already past are not sent.
    pub fn reminders(
        &self,
        conn: &mut DbConnection,
        now: DateTime<Utc>,
        users: &[String],
        hours: &[i64],
    ) -> AppResult<()> {
        let Some(at) = self.row.scheduled_at.map(|t| t.and_utc()) else {
            return Ok(());
        };
        for &h in hours {
            let due = at - Duration::hours(h);
            if due <= now {
                continue;
            }
            for user in users {
                let key = reminder_key(&self.row.id, user, h);
                self.send(conn, now, user, CouncilNotice::Reminder(h), key, due)?;
            }
        }
        Ok(())
    }

    /// The reminders of the patient's side and of `doctors`.
    pub fn everyone_reminded(
        &self,
        conn: &mut DbConnection,
        now: DateTime<Utc>,
        doctors: &[String],
        hours: &[i64],
    ) -> AppResult<()> {
        let mut users = self.patient_side();
        users.extend(doctors.iter().cloned());
        self.reminders(conn, now, &users, hours)
    }

    /// Art. 27: each participant is asked to sign this version.
    pub fn sign_requested(
        &self,
        conn: &mut DbConnection,
        now: DateTime<Utc>,
        users: &[String],
        version: i32,
    ) -> AppResult<()> {
        for user in users {
            let key = format!("council:{}:sign:{version}:{user}", self.row.id);
            self.send(conn, now, user, CouncilNotice::SignRequested, key, now)?;
        }
        Ok(())
    }

    /// The conclusion is final: the patient's side reads it in the health passport.
    pub fn final_conclusion(&self, conn: &mut DbConnection, now: DateTime<Utc>) -> AppResult<()> {
        self.to_patient(conn, now, CouncilNotice::Final)
    }

    /// The council is called off (by `by`: `initiator`, `patient` or `representative`): the
    /// patient's side, the initiator and every consultant still in it hear of it; the reason is
    /// on the council's page.
    pub fn cancelled(
        mut self,
        conn: &mut DbConnection,
        now: DateTime<Utc>,
        by: &'static str,
        consultants: &[String],
    ) -> AppResult<()> {
        self.cancelled_by = Some(by);
        let mut users = self.patient_side();
        users.push(self.row.initiator_id.clone());
        users.extend(consultants.iter().cloned());
        users.dedup();
        for user in users {
            let key = format!("council:{}:cancelled:{user}", self.row.id);
            self.send(conn, now, &user, CouncilNotice::Cancelled, key, now)?;
        }
        Ok(())
    }
}

/// The reminders of one person, withdrawn when they decline.
pub(crate) fn reminder_prefix(council: &str, user: &str) -> String {
    format!("council:{council}:reminder:{user}:")
}

fn reminder_key(council: &str, user: &str, hours: i64) -> String {
    format!("{}{hours}", reminder_prefix(council, user))
}
