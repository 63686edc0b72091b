//! What each side is told, and when (art. 14, 15): confirmations with a calendar invitation,
//! reminders before the start, the agreement request, reschedules and cancellations. Everything
//! goes into the outbox in the caller's transaction. No medical details leave by e-mail.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use super::doctor_user_id;
use crate::db::DbConnection;
use crate::db::models::{ConsultationRow, OrganizationRow, UserRow};
use crate::db::schema::organizations;
use crate::error::AppResult;
use crate::notify::ics::{self, IcsMethod, Invitation};
use crate::notify::templates::{self, BookingText};
use crate::notify::{self, Outgoing};
use crate::services::patients;

/// The people and places a consultation's messages speak of.
pub(crate) struct Parties {
    pub organization: OrganizationRow,
    pub patient: UserRow,
    /// The representative or staff member who booked, when not the patient.
    pub booker: Option<UserRow>,
    pub doctor: Option<UserRow>,
    pub join_url: String,
}

impl Parties {
    pub fn load(
        conn: &mut DbConnection,
        row: &ConsultationRow,
        public_url: &str,
    ) -> AppResult<Parties> {
        let organization = organizations::table
            .find(&row.organization_id)
            .select(OrganizationRow::as_select())
            .first(conn)?;
        let patient = patients::user(conn, &row.patient_id)?;
        let booker = if row.booked_by != row.patient_id {
            let b = patients::user(conn, &row.booked_by)?;
            // Staff who booked are told through the queue, not by mail; a representative is told.
            (b.role == "representative").then_some(b)
        } else {
            None
        };
        let doctor = match &row.practitioner_id {
            Some(p) => {
                let user_id = doctor_user_id(conn, p)?;
                Some(patients::user(conn, &user_id)?)
            }
            None => None,
        };
        Ok(Parties {
            organization,
            patient,
            booker,
            doctor,
            join_url: format!("{public_url}/#/consultations/{}", row.id),
        })
    }

    /// Everyone who hears about the consultation: the patient, their representative, the doctor.
    fn recipients(&self) -> Vec<&UserRow> {
        let mut all = vec![&self.patient];
        all.extend(self.booker.iter());
        all.extend(self.doctor.iter());
        all
    }

    fn patient_side(&self) -> Vec<&UserRow> {
        let mut all = vec![&self.patient];
        all.extend(self.booker.iter());
        all
    }

    pub fn local(&self, t: DateTime<Utc>) -> String {
        templates::local_time(&self.organization.time_zone, t)
    }

    fn text(&self, row: &ConsultationRow) -> BookingText {
        BookingText {
            patient_name: self.patient.full_name.clone(),
            practitioner_name: self
                .doctor
                .as_ref()
                .map(|d| d.full_name.clone())
                .unwrap_or_default(),
            organization_name: self.organization.name.clone(),
            start_local: row
                .slot_start
                .map(|t| self.local(t.and_utc()))
                .unwrap_or_default(),
            mode: row.mode.clone(),
            join_url: self.join_url.clone(),
            // The patient's complaint is medical information: it stays in the platform.
            reason: String::new(),
        }
    }

    fn invitation(
        &self,
        row: &ConsultationRow,
        to: &UserRow,
        method: IcsMethod,
        now: DateTime<Utc>,
    ) -> Option<String> {
        let (start, end) = (row.slot_start?.and_utc(), row.slot_end?.and_utc());
        let (organizer_email, organizer_name) = match &self.doctor {
            Some(d) => (d.email.as_str(), d.full_name.as_str()),
            None => (
                self.organization.email.as_str(),
                self.organization.name.as_str(),
            ),
        };
        let summary = format!("Телемед / Telemed: {}", self.organization.name);
        Some(ics::render(&Invitation {
            uid: &row.ics_uid,
            sequence: row.ics_sequence,
            method,
            start,
            end,
            summary: &summary,
            description: &self.join_url,
            location_url: &self.join_url,
            organizer_email,
            organizer_name,
            attendee_email: &to.email,
            attendee_name: &to.full_name,
            stamp: now,
        }))
    }
}

/// One message to one person.
struct Letter<'a> {
    key: String,
    to: &'a UserRow,
    message: (String, String),
    ics: Option<String>,
    due_at: DateTime<Utc>,
}

fn send(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    row: &ConsultationRow,
    l: Letter<'_>,
) -> AppResult<()> {
    let (subject, body) = l.message;
    notify::enqueue(
        conn,
        now,
        &Outgoing {
            dedupe_key: l.key,
            consultation_id: Some(&row.id),
            recipient: &l.to.email,
            subject,
            body,
            ics: l.ics,
            due_at: l.due_at,
        },
    )?;
    Ok(())
}

/// The booking is firm: confirmation with the invitation to everyone, and the reminders.
pub(crate) fn booked(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    row: &ConsultationRow,
    p: &Parties,
    reminder_hours: &[i64],
) -> AppResult<()> {
    let text = p.text(row);
    for to in p.recipients() {
        let key = format!("booked:{}:{}:{}", row.id, row.ics_sequence, to.id);
        let ics = p.invitation(row, to, IcsMethod::Request, now);
        send(
            conn,
            now,
            row,
            Letter {
                key,
                to,
                message: templates::booking_confirmed(&to.language, &text),
                ics,
                due_at: now,
            },
        )?;
    }
    schedule_reminders(conn, now, row, p, reminder_hours)
}

fn schedule_reminders(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    row: &ConsultationRow,
    p: &Parties,
    reminder_hours: &[i64],
) -> AppResult<()> {
    let Some(start) = row.slot_start.map(|t| t.and_utc()) else {
        return Ok(());
    };
    let text = p.text(row);
    for &hours in reminder_hours {
        let due = start - Duration::hours(hours);
        if due <= now {
            continue;
        }
        for to in p.recipients() {
            let key = format!(
                "{}{}:{hours}:{}",
                reminder_prefix(&row.id),
                row.ics_sequence,
                to.id
            );
            send(
                conn,
                now,
                row,
                Letter {
                    key,
                    to,
                    message: templates::reminder(&to.language, &text, hours),
                    ics: None,
                    due_at: due,
                },
            )?;
        }
    }
    Ok(())
}

pub(crate) fn reminder_prefix(consultation: &str) -> String {
    format!("reminder:{consultation}:")
}

/// Art. 12: staff booked on their own initiative; the patient agrees by the link.
pub(crate) fn agreement_requested(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    row: &ConsultationRow,
    p: &Parties,
    token: &str,
) -> AppResult<()> {
    let text = p.text(row);
    let url = format!("{}/confirm?token={token}", p.join_url);
    for to in p.patient_side() {
        let key = format!("agreement:{}:{}", row.id, to.id);
        send(
            conn,
            now,
            row,
            Letter {
                key,
                to,
                message: templates::agreement_requested(&to.language, &text, &url),
                ics: None,
                due_at: now,
            },
        )?;
    }
    Ok(())
}

/// Art. 15: the same invitation (UID) with a higher SEQUENCE; reminders move with it.
pub(crate) fn rescheduled(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    row: &ConsultationRow,
    p: &Parties,
    old_start: DateTime<Utc>,
    reason_text: &str,
    reminder_hours: &[i64],
) -> AppResult<()> {
    notify::withdraw_pending(conn, &row.id, &reminder_prefix(&row.id))?;
    let text = p.text(row);
    let old = p.local(old_start);
    for to in p.recipients() {
        let key = format!("rescheduled:{}:{}:{}", row.id, row.ics_sequence, to.id);
        let ics = p.invitation(row, to, IcsMethod::Request, now);
        send(
            conn,
            now,
            row,
            Letter {
                key,
                to,
                message: templates::rescheduled(&to.language, &text, &old, reason_text),
                ics,
                due_at: now,
            },
        )?;
    }
    schedule_reminders(conn, now, row, p, reminder_hours)
}

/// Art. 15: both sides learn who cancelled and why; the invitation is withdrawn.
pub(crate) fn cancelled(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    row: &ConsultationRow,
    p: &Parties,
    cancelled_by: &str,
    reason_code: &str,
    reason_text: &str,
) -> AppResult<()> {
    notify::withdraw_pending(conn, &row.id, &reminder_prefix(&row.id))?;
    let text = p.text(row);
    for to in p.recipients() {
        let key = format!("cancelled:{}:{}", row.id, to.id);
        let ics = p.invitation(row, to, IcsMethod::Cancel, now);
        let message =
            templates::cancelled(&to.language, &text, cancelled_by, reason_code, reason_text);
        send(
            conn,
            now,
            row,
            Letter {
                key,
                to,
                message,
                ics,
                due_at: now,
            },
        )?;
    }
    Ok(())
}
