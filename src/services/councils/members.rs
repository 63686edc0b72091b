//! The people of a council at work: the patient agrees to a council a doctor called on their
//! own initiative (art. 20); a consultant accepts, or declines with a reason and the
//! organisation assigns the next one where it assigned the first (art. 22, 23); in a deferred
//! council each consultant writes an opinion (art. 19, 26).

use std::collections::HashSet;

use chrono::{DateTime, SubsecRound, Utc};
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::ToSchema;

use super::assign::{self, Pick, When};
use super::create::{
    assembled, check_organizations, check_specialty, for_specialty, member_row, named,
};
use super::notices::{Notices, reminder_prefix};
use super::{CouncilView, Part, access, load_for, members, not_member, require_assembling, view};
use crate::db::models::{ConsultationGuestRow, CouncilMemberRow, CouncilRow};
use crate::db::schema::{consultation_guests, consultations, council_members, councils};
use crate::db::{DbConnection, new_id, write_tx};
use crate::domain::consultation::Status;
use crate::domain::council::{
    ConclusionStatus, CouncilMode, CouncilStatus, MemberSource, MemberStatus,
};
use crate::error::{AppError, AppResult};
use crate::notify;
use crate::services::{Actor, Context, optional_text};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonInput {
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpinionInput {
    pub text: String,
}

/// Runs one act on a council inside a write transaction, with its audit row, and answers with
/// the council as the actor sees it afterwards.
pub(super) async fn act<F>(
    ctx: &Context,
    actor: &Actor,
    id: &str,
    action: &'static str,
    f: F,
) -> AppResult<CouncilView>
where
    F: FnOnce(&mut DbConnection, &CouncilRow, Part, DateTime<Utc>) -> AppResult<()>
        + Send
        + 'static,
{
    let (actor, id) = (actor.clone(), id.to_owned());
    let now = ctx.clock.now().trunc_subsecs(6);
    ctx.db
        .run(move |conn| {
            let (row, part) = load_for(conn, &actor, &id, now, action)?;
            let done = write_tx(conn, |conn| {
                f(conn, &row, part, now)?;
                access(&actor, now, &row, action).record(conn, "ok")?;
                let row = super::load(conn, &id)?;
                view(conn, row, Some(part))
            });
            // An act the actor's part does not allow is a refusal the patient sees (art. 40).
            match done {
                Err(e) if e.is_forbidden() => {
                    Err(access(&actor, now, &row, action).refuse(conn, "denied", e))
                }
                other => other,
            }
        })
        .await
}

fn my_member(conn: &mut DbConnection, council: &str, user: &str) -> AppResult<CouncilMemberRow> {
    members(conn, council)?
        .into_iter()
        .find(|m| m.user_id == user && m.status != MemberStatus::Declined.as_str())
        .ok_or_else(not_member)
}

fn not_invited() -> AppError {
    AppError::conflict("not_invited", "there is no open invitation to answer")
}

/// A required reason (declining, refusing to sign), trimmed and bounded.
pub(super) fn reason(text: &str) -> AppResult<String> {
    let text = optional_text(text, "reason", 2000)?;
    if text.is_empty() {
        return Err(AppError::unprocessable(
            "reason_required",
            "give the reason",
        ));
    }
    Ok(text)
}

/// Art. 20: the patient (or their representative) agrees to a council a doctor called on their
/// own initiative; it goes ahead and everyone is told (art. 25).
pub async fn agree(ctx: &Context, actor: &Actor, id: &str) -> AppResult<CouncilView> {
    let public_url = ctx.public_url.clone();
    let hours = ctx.settings.booking.reminder_hours.clone();
    act(
        ctx,
        actor,
        id,
        "council.agree",
        move |conn, row, part, now| {
            if !matches!(part, Part::Patient | Part::Representative) {
                return Err(AppError::forbidden());
            }
            if CouncilStatus::parse(&row.status) != Some(CouncilStatus::AwaitingAgreement) {
                return Err(AppError::conflict(
                    "agreement_not_needed",
                    "the council does not wait for an agreement",
                ));
            }
            let at = now.naive_utc();
            diesel::update(councils::table.find(&row.id))
                .set((
                    councils::status.eq(CouncilStatus::Assembling.as_str()),
                    councils::patient_agreed_at.eq(at),
                    councils::updated_at.eq(at),
                ))
                .execute(conn)?;
            if let Some(c) = &row.consultation_id {
                diesel::update(consultations::table.find(c))
                    .filter(consultations::status.eq(Status::AwaitingAgreement.as_str()))
                    .set((
                        consultations::status.eq(Status::Booked.as_str()),
                        consultations::updated_at.eq(at),
                    ))
                    .execute(conn)?;
            }
            let consultants: Vec<String> = members(conn, &row.id)?
                .into_iter()
                .filter(|m| m.status != MemberStatus::Declined.as_str())
                .map(|m| m.user_id)
                .collect();
            let notices = Notices::load(conn, row, &public_url)?;
            assembled(conn, now, &notices, &consultants, &hours)
        },
    )
    .await
}

/// A consultant accepts the invitation; in the council's consultation they are a second doctor.
pub async fn accept(ctx: &Context, actor: &Actor, id: &str) -> AppResult<CouncilView> {
    let user = actor.user_id.clone();
    act(
        ctx,
        actor,
        id,
        "council.accept",
        move |conn, row, _, now| {
            require_assembling(row)?;
            let member = my_member(conn, &row.id, &user)?;
            if member.status != MemberStatus::Invited.as_str() {
                return Err(not_invited());
            }
            diesel::update(council_members::table.find(&member.id))
                .set(council_members::status.eq(MemberStatus::Accepted.as_str()))
                .execute(conn)?;
            if let Some(c) = &row.consultation_id {
                diesel::insert_into(consultation_guests::table)
                    .values(&ConsultationGuestRow {
                        id: new_id(),
                        consultation_id: c.clone(),
                        user_id: user.clone(),
                        kind: "guest_doctor".into(),
                        invited_by: row.initiator_id.clone(),
                        created_at: now.naive_utc(),
                    })
                    .execute(conn)?;
            }
            Ok(())
        },
    )
    .await
}

/// The initiator and everyone ever invited (those who declined are not asked again).
fn everyone(conn: &mut DbConnection, row: &CouncilRow) -> AppResult<HashSet<String>> {
    let mut all: HashSet<String> = members(conn, &row.id)?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    all.insert(row.initiator_id.clone());
    Ok(all)
}

/// When the council needs its consultants: at its hour, or before its deadline.
fn when_of(row: &CouncilRow, now: DateTime<Utc>) -> When {
    match (row.scheduled_at, row.deadline_at) {
        (Some(at), _) => When::At(at.and_utc()),
        (None, Some(until)) => When::Within(now, until.and_utc()),
        (None, None) => When::Within(now, now + chrono::Duration::days(1)),
    }
}

/// Whoever the organisation sends instead of a consultant who declined: by its schedule or its
/// queue, as the first was chosen. A consultant named in the request has no stand-in.
fn replacement(
    conn: &mut DbConnection,
    row: &CouncilRow,
    declined: &CouncilMemberRow,
    now: DateTime<Utc>,
) -> AppResult<Option<Pick>> {
    let Some(specialty) = &declined.specialty else {
        return Ok(None);
    };
    let skip = everyone(conn, row)?;
    match MemberSource::parse(&declined.source) {
        Some(MemberSource::Schedule) => assign::by_schedule(
            conn,
            &declined.organization_id,
            specialty,
            when_of(row, now),
            &skip,
        ),
        Some(MemberSource::RoundRobin) => {
            for org in assign::queue_organizations(conn, specialty, &row.initiator_org_id)? {
                if let Some(pick) = assign::by_queue(conn, &org, specialty, &skip)? {
                    return Ok(Some(pick));
                }
            }
            Ok(None)
        }
        _ => Ok(None),
    }
}

/// A consultant declines with a reason; the organisation assigns the next consultant where it
/// assigned this one, and tells them (art. 25).
pub async fn decline(
    ctx: &Context,
    actor: &Actor,
    id: &str,
    input: ReasonInput,
) -> AppResult<CouncilView> {
    let reason = reason(&input.reason)?;
    let user = actor.user_id.clone();
    let public_url = ctx.public_url.clone();
    let hours = ctx.settings.booking.reminder_hours.clone();
    act(
        ctx,
        actor,
        id,
        "council.decline",
        move |conn, row, _, now| {
            if matches!(
                CouncilStatus::parse(&row.status),
                Some(CouncilStatus::Final | CouncilStatus::Cancelled)
            ) {
                return Err(super::closed());
            }
            let member = my_member(conn, &row.id, &user)?;
            if member.status != MemberStatus::Invited.as_str() {
                return Err(not_invited());
            }
            diesel::update(council_members::table.find(&member.id))
                .set((
                    council_members::status.eq(MemberStatus::Declined.as_str()),
                    council_members::decline_reason.eq(&reason),
                ))
                .execute(conn)?;
            if let Some(c) = &row.consultation_id {
                notify::withdraw_pending(conn, c, &reminder_prefix(&row.id, &user))?;
            }
            if let Some(pick) = replacement(conn, row, &member, now)? {
                diesel::insert_into(council_members::table)
                    .values(&member_row(&row.id, &pick, now))
                    .execute(conn)?;
                if CouncilStatus::parse(&row.status) == Some(CouncilStatus::Assembling) {
                    let notices = Notices::load(conn, row, &public_url)?;
                    notices.assigned(conn, now, &pick.user_id)?;
                    notices.reminders(conn, now, std::slice::from_ref(&pick.user_id), &hours)?;
                }
            }
            Ok(())
        },
    )
    .await
}

/// Art. 19, 26: in a deferred council a consultant who accepted writes their opinion; they may
/// rewrite it until the conclusion is final.
pub async fn opinion(
    ctx: &Context,
    actor: &Actor,
    id: &str,
    input: OpinionInput,
) -> AppResult<CouncilView> {
    let text = optional_text(&input.text, "text", 8000)?;
    if text.is_empty() {
        return Err(AppError::unprocessable(
            "opinion_required",
            "write the opinion",
        ));
    }
    let user = actor.user_id.clone();
    act(
        ctx,
        actor,
        id,
        "council.opinion",
        move |conn, row, _, now| {
            require_assembling(row)?;
            if CouncilMode::parse(&row.mode) != Some(CouncilMode::Deferred) {
                return Err(AppError::conflict(
                    "not_deferred_council",
                    "opinions are written in a deferred council; a real-time council talks",
                ));
            }
            let member = my_member(conn, &row.id, &user)?;
            if member.status != MemberStatus::Accepted.as_str() {
                return Err(not_member());
            }
            diesel::update(council_members::table.find(&member.id))
                .set((
                    council_members::opinion.eq(&text),
                    council_members::opinion_at.eq(now.naive_utc()),
                ))
                .execute(conn)?;
            Ok(())
        },
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMemberInput {
    /// A practitioner to invite by name; or
    pub consultant: Option<String>,
    /// a specialty the organisations assign a consultant for (art. 22, 23),
    pub specialty: Option<String>,
    /// from these organisations by their schedules; none: a simple queue.
    #[serde(default)]
    pub organizations: Vec<String>,
}

/// The initiator invites one more consultant — named, or assigned for a specialty as at the
/// request — for instance after a named consultant declined. Not while a frozen conclusion
/// awaits signatures: the signers would change under it.
pub async fn add(
    ctx: &Context,
    actor: &Actor,
    id: &str,
    input: AddMemberInput,
) -> AppResult<CouncilView> {
    let public_url = ctx.public_url.clone();
    let hours = ctx.settings.booking.reminder_hours.clone();
    act(
        ctx,
        actor,
        id,
        "council.add_member",
        move |conn, row, part, now| {
            if part != Part::Initiator {
                return Err(AppError::forbidden());
            }
            let status = CouncilStatus::parse(&row.status);
            if !matches!(
                status,
                Some(CouncilStatus::AwaitingAgreement | CouncilStatus::Assembling)
            ) {
                return Err(super::closed());
            }
            if let Some(c) = super::conclusion_row(conn, &row.id)?
                && c.status != ConclusionStatus::Draft.as_str()
            {
                return Err(AppError::conflict(
                    "conclusion_frozen",
                    "the conclusion awaits signatures; edit it into a new draft first",
                ));
            }
            let mut taken = everyone(conn, row)?;
            let picks = match (&input.consultant, &input.specialty) {
                (Some(practitioner), None) => named(
                    conn,
                    std::slice::from_ref(practitioner),
                    &row.initiator_id,
                    &mut taken,
                )?,
                (None, Some(specialty)) => {
                    check_specialty(conn, specialty)?;
                    check_organizations(conn, &input.organizations)?;
                    for_specialty(
                        conn,
                        specialty,
                        &input.organizations,
                        &row.initiator_org_id,
                        when_of(row, now),
                        &mut taken,
                    )?
                }
                _ => {
                    return Err(AppError::unprocessable(
                        "consultants_or_specialties",
                        "name one consultant, or one specialty",
                    ));
                }
            };
            let notices = Notices::load(conn, row, &public_url)?;
            for pick in &picks {
                diesel::insert_into(council_members::table)
                    .values(&member_row(&row.id, pick, now))
                    .execute(conn)?;
                if status == Some(CouncilStatus::Assembling) {
                    notices.assigned(conn, now, &pick.user_id)?;
                    notices.reminders(conn, now, std::slice::from_ref(&pick.user_id), &hours)?;
                }
            }
            Ok(())
        },
    )
    .await
}
