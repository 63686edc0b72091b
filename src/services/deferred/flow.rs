//! A consultant at work on a deferred request (art. 13, 17): taking it from the queue (of two
//! consultants taking the same request, one wins), asking for more documents (the deadline
//! clock stops, and restarts with the time that was left when the documents arrive), or
//! declining it with a reason. The requester is told by e-mail, without medical content.

use chrono::{DateTime, SubsecRound, Utc};
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::access::consultation::{ConsultationAct, Part, audit_act, part_for, refuse};
use crate::db::models::{ConsultationRow, DeferredRequestRow};
use crate::db::schema::{consultations, organizations, practitioners};
use crate::db::{DbConnection, write_tx};
use crate::domain::consultation::{Mode, Status};
use crate::error::{AppError, AppResult, ErrorKind};
use crate::notify::templates::{self, Addressee, Recipient, RequestText, RequestUpdate};
use crate::notify::{self, Outgoing};
use crate::services::consultations::request::{load as load_request, save};
use crate::services::consultations::{
    ConsultationView, doctor_user_id, load, record_event, status_of, view,
};
use crate::services::{Actor, Context, patients, required_text};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentsInput {
    /// What is missing, for the requester.
    pub note: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineInput {
    pub reason: String,
}

fn not_deferred() -> AppError {
    AppError::unprocessable("not_deferred", "this is not a deferred consultation")
}

fn closed() -> AppError {
    AppError::conflict("consultation_closed", "the request is no longer open")
}

/// An open deferred request and its details.
fn open_request(
    conn: &mut DbConnection,
    id: &str,
) -> AppResult<(ConsultationRow, DeferredRequestRow)> {
    let row = load(conn, id)?;
    if Mode::parse(&row.mode) != Some(Mode::Deferred) {
        return Err(not_deferred());
    }
    let request = load_request(conn, id)?.ok_or_else(not_deferred)?;
    if status_of(&row)? != Status::Booked {
        return Err(closed());
    }
    Ok((row, request))
}

/// The consultant who holds the request: only they ask for documents or decline.
fn require_assigned(
    conn: &mut DbConnection,
    actor: &Actor,
    row: &ConsultationRow,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let holder = match &row.practitioner_id {
        Some(p) => Some(doctor_user_id(conn, p)?),
        None => None,
    };
    if holder.as_deref() == Some(actor.user_id.as_str()) {
        Ok(())
    } else {
        Err(refuse(
            conn,
            actor,
            row,
            "consultation.answer",
            now,
            AppError::client(
                ErrorKind::Forbidden,
                "not_assigned",
                "take the request first; only its consultant may do this",
            ),
        ))
    }
}

/// Tells the patient side and the requester that something changed on their request.
pub(crate) fn tell_requester(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    row: &ConsultationRow,
    request: &DeferredRequestRow,
    update: RequestUpdate,
    public_url: &str,
) -> AppResult<()> {
    let org_name: String = organizations::table
        .find(&row.organization_id)
        .select(organizations::name)
        .first(conn)?;
    let url = format!("{public_url}/#/consultations/{}", row.id);
    let mut people = vec![patients::user(conn, &row.patient_id)?];
    for other in [&row.booked_by, &request.requester_id] {
        if people.iter().all(|p| &p.id != other) {
            people.push(patients::user(conn, other)?);
        }
    }
    let stamp = now.timestamp_micros();
    let text = RequestText {
        patient_name: &people[0].full_name,
        organization_name: &org_name,
        url: &url,
    };
    for person in &people {
        let to = Addressee {
            recipient: Recipient::of_role(&person.role),
            name: &person.full_name,
        };
        let (subject, body) = templates::request_update(&person.language, &to, update, &text)?;
        notify::enqueue(
            conn,
            now,
            &Outgoing {
                dedupe_key: format!("{}:{update:?}:{}:{stamp}", row.id, person.id),
                consultation_id: Some(&row.id),
                recipient: &person.email,
                subject,
                body,
                ics: None,
                due_at: now,
            },
        )?;
    }
    // Art. 21: the requesting organisation hears of the conclusion too.
    if update == RequestUpdate::ConclusionReady
        && let Some(org) = &request.requester_org_id
    {
        let (name, email): (String, String) = organizations::table
            .find(org)
            .select((organizations::name, organizations::email))
            .first(conn)?;
        let to = Addressee {
            recipient: Recipient::Organization,
            name: &name,
        };
        // An organisation stores no language of its own; Russian is the language of
        // correspondence between organisations in Kazakhstan alongside Kazakh.
        let (subject, body) = templates::request_update("ru", &to, update, &text)?;
        notify::enqueue(
            conn,
            now,
            &Outgoing {
                dedupe_key: format!("{}:{update:?}:org:{org}", row.id),
                consultation_id: Some(&row.id),
                recipient: &email,
                subject,
                body,
                ics: None,
                due_at: now,
            },
        )?;
    }
    Ok(())
}

/// A consultant of the receiving organisation takes an unassigned request. The assignment is a
/// conditional update, so of two consultants taking it at once exactly one wins.
pub async fn take(ctx: &Context, actor: &Actor, id: &str) -> AppResult<ConsultationView> {
    let (actor, id) = (actor.clone(), id.to_owned());
    let now = ctx.clock.now().trunc_subsecs(6);
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let (row, _) = open_request(conn, &id)?;
                if row.practitioner_id.is_some() {
                    return Err(AppError::conflict(
                        "already_taken",
                        "another consultant has taken this request",
                    ));
                }
                // The policy lets a doctor take a request of their organisation and one of
                // their specialties (a specialty-scoped queue); anyone else is refused, audited.
                if part_for(conn, &actor, &row, ConsultationAct::Answer)? != Some(Part::QueueDoctor)
                {
                    let same_org =
                        actor.organization_id.as_deref() == Some(row.organization_id.as_str());
                    let error = if same_org {
                        AppError::client(
                            ErrorKind::Forbidden,
                            "wrong_specialty",
                            "the request is for another specialty",
                        )
                    } else {
                        AppError::forbidden()
                    };
                    return Err(refuse(conn, &actor, &row, "consultation.take", now, error));
                }
                let practitioner: String = practitioners::table
                    .filter(practitioners::user_id.eq(&actor.user_id))
                    .filter(practitioners::organization_id.eq(&row.organization_id))
                    .select(practitioners::id)
                    .first(conn)?;
                let taken = diesel::update(consultations::table.find(&id))
                    .filter(consultations::practitioner_id.is_null())
                    .filter(consultations::status.eq(Status::Booked.as_str()))
                    .set((
                        consultations::practitioner_id.eq(&practitioner),
                        consultations::updated_at.eq(now.naive_utc()),
                    ))
                    .execute(conn)?;
                if taken == 0 {
                    return Err(AppError::conflict(
                        "already_taken",
                        "another consultant has taken this request",
                    ));
                }
                record_event(conn, &id, now, Some(&actor.user_id), "taken", json!({}))?;
                let row = load(conn, &id)?;
                audit_act(conn, &actor, &row, "consultation.take", now)?;
                view(conn, row, now, true)
            })
        })
        .await
}

/// Art. 13: the consultant needs more documents. The clock stops with what was left of it; the
/// requester's "documents complete" restarts it.
pub async fn request_documents(
    ctx: &Context,
    actor: &Actor,
    id: &str,
    input: DocumentsInput,
) -> AppResult<ConsultationView> {
    let note = required_text(&input.note, "note", 2000)?;
    let (actor, id, public_url) = (actor.clone(), id.to_owned(), ctx.public_url.clone());
    let now = ctx.clock.now().trunc_subsecs(6);
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let (mut row, mut request) = open_request(conn, &id)?;
                require_assigned(conn, &actor, &row, now)?;
                let Some(deadline) = row.deadline_at.filter(|_| request.paused_at.is_none()) else {
                    return Err(AppError::conflict(
                        "clock_not_running",
                        "the documents are not complete yet: there is nothing to stop",
                    ));
                };
                let remaining = (deadline.and_utc() - now).num_seconds();
                request.paused_at = Some(now.naive_utc());
                request.remaining_seconds = Some(remaining);
                request.documents_note = Some(note.clone());
                save(conn, &request)?;
                row.deadline_at = None;
                row.updated_at = now.naive_utc();
                diesel::update(consultations::table.find(&id))
                    .set((
                        consultations::deadline_at.eq(None::<chrono::NaiveDateTime>),
                        consultations::updated_at.eq(now.naive_utc()),
                    ))
                    .execute(conn)?;
                record_event(
                    conn,
                    &id,
                    now,
                    Some(&actor.user_id),
                    "documents_requested",
                    json!({"note": note, "remaining_seconds": remaining}),
                )?;
                audit_act(conn, &actor, &row, "consultation.request_documents", now)?;
                tell_requester(
                    conn,
                    now,
                    &row,
                    &request,
                    RequestUpdate::DocumentsRequested,
                    &public_url,
                )?;
                view(conn, row, now, true)
            })
        })
        .await
}

/// The consultant turns the request down, with a reason the requester reads on its page.
pub async fn decline(
    ctx: &Context,
    actor: &Actor,
    id: &str,
    input: DeclineInput,
) -> AppResult<ConsultationView> {
    let reason = required_text(&input.reason, "reason", 2000)?;
    let (actor, id, public_url) = (actor.clone(), id.to_owned(), ctx.public_url.clone());
    let now = ctx.clock.now().trunc_subsecs(6);
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let (mut row, mut request) = open_request(conn, &id)?;
                require_assigned(conn, &actor, &row, now)?;
                request.decline_reason = Some(reason.clone());
                request.paused_at = None;
                save(conn, &request)?;
                row.status = Status::Declined.as_str().to_owned();
                row.updated_at = now.naive_utc();
                diesel::update(consultations::table.find(&id))
                    .set((
                        consultations::status.eq(&row.status),
                        consultations::updated_at.eq(now.naive_utc()),
                    ))
                    .execute(conn)?;
                record_event(
                    conn,
                    &id,
                    now,
                    Some(&actor.user_id),
                    "declined",
                    json!({"reason": reason}),
                )?;
                audit_act(conn, &actor, &row, "consultation.decline", now)?;
                tell_requester(
                    conn,
                    now,
                    &row,
                    &request,
                    RequestUpdate::Declined,
                    &public_url,
                )?;
                view(conn, row, now, true)
            })
        })
        .await
}
