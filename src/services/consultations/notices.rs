//! What each side is told, and when (art. 14, 15): confirmations with a calendar invitation,
//! reminders before the start, the agreement request, reschedules and cancellations. Everything
//! goes into the outbox in the caller's transaction. No medical details leave by e-mail.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use super::doctor_user_id;
use crate::db::DbConnection;
use crate::db::models::{ConsultationRow, OrganizationRow, UserRow};
use crate::db::schema::organizations;
use crate::domain::consultation::Mode;
use crate::error::AppResult;
use crate::notify::ics::{self, IcsMethod, Invitation};
use crate::notify::templates::{self, Addressee, BookingText, Recipient};
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

    /// Everyone who hears about the consultation, each with the text written for them: the
    /// patient, their representative, the doctor.
    fn recipients(&self) -> Vec<(&UserRow, Recipient)> {
        let mut all = self.patient_side();
        all.extend(self.doctor.iter().map(|d| (d, Recipient::Doctor)));
        all
    }

    fn patient_side(&self) -> Vec<(&UserRow, Recipient)> {
        let mut all = vec![(&self.patient, Recipient::Patient)];
        all.extend(self.booker.iter().map(|b| (b, Recipient::Representative)));
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
            deadline_local: row
                .deadline_at
                .map(|t| self.local(t.and_utc()))
                .unwrap_or_default(),
            mode: row.mode.clone(),
            join_url: self.join_url.clone(),
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

fn addressee(to: &UserRow, recipient: Recipient) -> Addressee<'_> {
    Addressee {
        recipient,
        name: &to.full_name,
    }
}

/// One message to one person.
struct Letter<'a> {
    key: String,
    to: &'a UserRow,
    message: AppResult<(String, String)>,
    ics: Option<String>,
    due_at: DateTime<Utc>,
}

fn send(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    row: &ConsultationRow,
    l: Letter<'_>,
) -> AppResult<()> {
    send_all(conn, now, row, vec![l])
}

/// Queues the letters together (one insert for them all).
fn send_all(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    row: &ConsultationRow,
    letters: Vec<Letter<'_>>,
) -> AppResult<()> {
    let mut outgoing = Vec::with_capacity(letters.len());
    for l in letters {
        let (subject, body) = l.message?;
        outgoing.push(Outgoing {
            dedupe_key: l.key,
            consultation_id: Some(&row.id),
            recipient: &l.to.email,
            subject,
            body,
            ics: l.ics,
            due_at: l.due_at,
        });
    }
    notify::enqueue_many(conn, now, &outgoing)?;
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
    // A deferred request has no hour: its letter says when the answer is due instead.
    let letter = match Mode::parse(&row.mode) {
        Some(Mode::Deferred) => templates::request_received,
        _ => templates::booking_confirmed,
    };
    let mut letters = Vec::new();
    for (to, recipient) in p.recipients() {
        let key = format!("booked:{}:{}:{}", row.id, row.ics_sequence, to.id);
        let ics = p.invitation(row, to, IcsMethod::Request, now);
        letters.push(Letter {
            key,
            to,
            message: letter(&to.language, &addressee(to, recipient), &text),
            ics,
            due_at: now,
        });
    }
    letters.extend(reminders(now, row, p, reminder_hours));
    send_all(conn, now, row, letters)
}

/// The reminders before a real-time consultation's slot, to every party.
fn reminders<'p>(
    now: DateTime<Utc>,
    row: &ConsultationRow,
    p: &'p Parties,
    reminder_hours: &[i64],
) -> Vec<Letter<'p>> {
    let Some(start) = row.slot_start.map(|t| t.and_utc()) else {
        return Vec::new();
    };
    let text = p.text(row);
    let mut letters = Vec::new();
    for &hours in reminder_hours {
        let due = start - Duration::hours(hours);
        if due <= now {
            continue;
        }
        for (to, recipient) in p.recipients() {
            let key = format!(
                "{}{}:{hours}:{}",
                reminder_prefix(&row.id),
                row.ics_sequence,
                to.id
            );
            letters.push(Letter {
                key,
                to,
                message: templates::reminder(&to.language, &addressee(to, recipient), &text, hours),
                ics: None,
                due_at: due,
            });
        }
    }
    letters
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
    for (to, recipient) in p.patient_side() {
        let key = format!("agreement:{}:{}", row.id, to.id);
        send(
            conn,
            now,
            row,
            Letter {
                key,
                to,
                message: templates::agreement_requested(
                    &to.language,
                    &addressee(to, recipient),
                    &text,
                    &url,
                ),
                ics: None,
                due_at: now,
            },
        )?;
    }
    Ok(())
}

/// Art. 15: the same invitation (UID) with a higher SEQUENCE; reminders move with it. The
/// reason given is on the consultation's page, not in the letters: it can be medical.
pub(crate) fn rescheduled(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    row: &ConsultationRow,
    p: &Parties,
    old_start: DateTime<Utc>,
    reminder_hours: &[i64],
) -> AppResult<()> {
    notify::withdraw_pending(conn, &row.id, &reminder_prefix(&row.id))?;
    let text = p.text(row);
    let old = p.local(old_start);
    let mut letters = Vec::new();
    for (to, recipient) in p.recipients() {
        let key = format!("rescheduled:{}:{}:{}", row.id, row.ics_sequence, to.id);
        let ics = p.invitation(row, to, IcsMethod::Request, now);
        letters.push(Letter {
            key,
            to,
            message: templates::rescheduled(&to.language, &addressee(to, recipient), &text, &old),
            ics,
            due_at: now,
        });
    }
    letters.extend(reminders(now, row, p, reminder_hours));
    send_all(conn, now, row, letters)
}

/// Art. 15: both sides learn who cancelled and why (the reason's code; the explanation is on the
/// consultation's page, since it can be medical); the invitation is withdrawn.
pub(crate) fn cancelled(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    row: &ConsultationRow,
    p: &Parties,
    cancelled_by: &str,
    reason_code: &str,
) -> AppResult<()> {
    notify::withdraw_pending(conn, &row.id, &reminder_prefix(&row.id))?;
    let text = p.text(row);
    for (to, recipient) in p.recipients() {
        let key = format!("cancelled:{}:{}", row.id, to.id);
        let ics = p.invitation(row, to, IcsMethod::Cancel, now);
        let to_whom = addressee(to, recipient);
        let message =
            templates::cancelled(&to.language, &to_whom, &text, cancelled_by, reason_code);
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
