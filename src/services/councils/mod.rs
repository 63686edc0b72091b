//! Councils (консилиум, Rules art. 2.6, 18–27): a medical worker asks for a council on a
//! patient's case; consultants are named or assigned by specialty (by an organisation's
//! schedule, art. 22, or its simple queue, art. 23); they meet in a video call or study the
//! record and write opinions; one conclusion is frozen into a document that every participant
//! signs, and only then it is final and in the patient's health passport (art. 27).

pub mod assign;
pub mod cancel;
pub mod conclusion;
pub mod create;
pub mod lists;
pub mod members;
pub mod notices;
pub mod passport;
mod views;

pub(crate) use views::view;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::refs::OrganizationRef;
use super::refs::PartyRef;
use super::{Actor, Context, patients};
use crate::access::Access;
use crate::db::models::{CouncilConclusionRow, CouncilMemberRow, CouncilRow};
use crate::db::schema::{council_conclusions, council_members, councils, representations, users};
use crate::db::{DbConnection, write_tx};
use crate::domain::account::Role;
use crate::domain::council::{CouncilStatus, MemberStatus};
use crate::error::{AppError, AppResult, ErrorKind};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InitiatorRef {
    pub id: String,
    pub full_name: String,
    pub organization: OrganizationRef,
}

/// A consultant of the council and how they came into it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberView {
    pub id: String,
    pub user: PartyRef,
    pub practitioner_id: String,
    pub organization: OrganizationRef,
    /// The specialty they were assigned for; none when named in the request.
    pub specialty: Option<String>,
    /// `named`, `schedule` or `round_robin`.
    pub source: String,
    /// `invited`, `accepted` or `declined`.
    pub status: String,
    pub decline_reason: Option<String>,
    /// Deferred councils: the consultant's written opinion (art. 19, 26).
    pub opinion: Option<String>,
    pub opinion_at: Option<DateTime<Utc>>,
    pub assigned_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CertificateView {
    pub subject: String,
    /// Upper-case hex.
    pub serial: String,
    pub issuer: String,
    pub not_after: Option<DateTime<Utc>>,
}

/// One participant's answer to the current version of the conclusion.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SignatureStatusView {
    pub user: PartyRef,
    /// `awaited`, `signed` or `refused`.
    pub status: String,
    pub signed_at: Option<DateTime<Utc>>,
    pub refusal_reason: Option<String>,
    pub certificate: Option<CertificateView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConclusionView {
    pub version: i32,
    /// `draft`, `frozen`, `final` or `dissent`.
    pub status: String,
    /// Findings, diagnoses (ICD-10) and recommendations.
    #[schema(value_type = Object)]
    pub content: serde_json::Value,
    /// The SHA-256 of the frozen document everyone signs; none while a draft.
    pub sha256: Option<String>,
    pub frozen_at: Option<DateTime<Utc>>,
    pub final_at: Option<DateTime<Utc>>,
    /// Signatures that an edit after signing voided (art. 27).
    pub voided_signatures: i64,
    /// While frozen: every participant, signed, refused or awaited.
    pub signatures: Vec<SignatureStatusView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CouncilView {
    pub id: String,
    /// `awaiting_agreement`, `assembling`, `final` or `cancelled`.
    pub status: String,
    pub question: String,
    pub urgency: String,
    pub mode: String,
    /// `patient` or `own` (art. 20).
    pub initiative: String,
    pub patient: PartyRef,
    pub initiator: InitiatorRef,
    /// The viewer's part: `initiator`, `consultant`, `patient` or `representative`.
    pub my_role: Option<String>,
    pub patient_agreed_at: Option<DateTime<Utc>>,
    /// Why the council was called off (or the patient refused it).
    pub cancel_reason: Option<String>,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub deadline_at: Option<DateTime<Utc>>,
    /// The consultation the council works in: its documents and, in real time, its call.
    pub consultation_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub members: Vec<MemberView>,
    pub conclusion: Option<ConclusionView>,
}

/// The viewer's part in a council.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    Initiator,
    /// A consultant invited or taking part (not one who declined).
    Consultant,
    Patient,
    Representative,
}

impl Part {
    fn as_str(self) -> &'static str {
        match self {
            Part::Initiator => "initiator",
            Part::Consultant => "consultant",
            Part::Patient => "patient",
            Part::Representative => "representative",
        }
    }
}

pub(crate) fn utc(t: Option<NaiveDateTime>) -> Option<DateTime<Utc>> {
    t.map(|t| t.and_utc())
}

pub(crate) fn load(conn: &mut DbConnection, id: &str) -> AppResult<CouncilRow> {
    councils::table
        .find(id)
        .select(CouncilRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("council"))
}

pub(crate) fn members(conn: &mut DbConnection, council: &str) -> AppResult<Vec<CouncilMemberRow>> {
    Ok(council_members::table
        .filter(council_members::council_id.eq(council))
        // Assigned together, named consultants come first, then by specialty.
        .order((
            council_members::assigned_at.asc(),
            council_members::source.asc(),
            council_members::specialty.asc(),
            council_members::id.asc(),
        ))
        .select(CouncilMemberRow::as_select())
        .load(conn)?)
}

pub(crate) fn conclusion_row(
    conn: &mut DbConnection,
    council: &str,
) -> AppResult<Option<CouncilConclusionRow>> {
    Ok(council_conclusions::table
        .find(council)
        .select(CouncilConclusionRow::as_select())
        .first(conn)
        .optional()?)
}

/// Art. 35: the patient and their representative, the initiator and the consultants (not one
/// who declined) see the council; nobody else.
pub(crate) fn part_of(
    conn: &mut DbConnection,
    actor: &Actor,
    row: &CouncilRow,
) -> AppResult<Option<Part>> {
    if row.initiator_id == actor.user_id {
        return Ok(Some(Part::Initiator));
    }
    if row.patient_id == actor.user_id {
        return Ok(Some(Part::Patient));
    }
    match actor.role {
        Role::Representative if patients::represents(conn, &actor.user_id, &row.patient_id)? => {
            Ok(Some(Part::Representative))
        }
        Role::Doctor => {
            let n: i64 = council_members::table
                .filter(council_members::council_id.eq(&row.id))
                .filter(council_members::user_id.eq(&actor.user_id))
                .filter(council_members::status.ne(MemberStatus::Declined.as_str()))
                .count()
                .get_result(conn)?;
            Ok((n > 0).then_some(Part::Consultant))
        }
        _ => Ok(None),
    }
}

/// The doctors who take part and sign: the initiator and every consultant who accepted.
pub(crate) fn participants(row: &CouncilRow, members: &[CouncilMemberRow]) -> Vec<String> {
    let mut out = vec![row.initiator_id.clone()];
    for m in members {
        if MemberStatus::parse(&m.status) == Some(MemberStatus::Accepted)
            && !out.contains(&m.user_id)
        {
            out.push(m.user_id.clone());
        }
    }
    out
}

/// The audit row of an act on a council: the patient is its subject (art. 40).
pub(crate) fn access<'a>(
    actor: &'a Actor,
    at: DateTime<Utc>,
    row: &'a CouncilRow,
    action: &'a str,
) -> Access<'a> {
    Access {
        actor,
        at,
        subject: &row.patient_id,
        action,
        object_type: "council",
        object_id: &row.id,
        purpose: row.consultation_id.as_deref(),
    }
}

/// Loads a council the actor takes part in, or refuses (audited) with 403.
pub(crate) fn load_for(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    now: DateTime<Utc>,
    action: &str,
) -> AppResult<(CouncilRow, Part)> {
    let row = load(conn, id)?;
    match part_of(conn, actor, &row)? {
        Some(part) => Ok((row, part)),
        None => Err(access(actor, now, &row, action).deny(conn)),
    }
}

pub(crate) fn closed() -> AppError {
    AppError::conflict("council_closed", "the council is final or cancelled")
}

pub(crate) fn not_member() -> AppError {
    AppError::client(
        ErrorKind::Forbidden,
        "not_a_council_member",
        "only the council's doctors may do this",
    )
}

/// Refuses acts on a council that is over or still waits for the patient's agreement.
pub(crate) fn require_assembling(row: &CouncilRow) -> AppResult<()> {
    match CouncilStatus::parse(&row.status) {
        Some(CouncilStatus::Assembling) => Ok(()),
        Some(CouncilStatus::AwaitingAgreement) => Err(AppError::conflict(
            "awaiting_agreement",
            "the patient has not agreed to the council yet (art. 20)",
        )),
        _ => Err(closed()),
    }
}

/// One council, for those who take part in it; the reading is audited.
pub async fn get(ctx: &Context, actor: &Actor, id: &str) -> AppResult<CouncilView> {
    let (actor, id) = (actor.clone(), id.to_owned());
    let now = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            let (row, part) = load_for(conn, &actor, &id, now, "council.read")?;
            write_tx(conn, |conn| {
                access(&actor, now, &row, "council.read").record(conn, "ok")
            })?;
            view(conn, row, Some(part))
        })
        .await
}

/// The councils the actor started, was invited to (and did not decline), or that examine them
/// or a patient they represent; newest first.
pub async fn list(ctx: &Context, actor: &Actor) -> AppResult<Vec<CouncilView>> {
    let actor = actor.clone();
    let now = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            let mut query = councils::table
                .select(CouncilRow::as_select())
                .order(councils::created_at.desc())
                .into_boxed();
            let me = actor.user_id.clone();
            query = match actor.role {
                Role::Patient => query.filter(councils::patient_id.eq(me)),
                Role::Representative => query.filter(
                    councils::patient_id.eq_any(
                        representations::table
                            .filter(representations::representative_id.eq(me))
                            .select(representations::patient_id),
                    ),
                ),
                Role::Doctor => query.filter(
                    councils::initiator_id
                        .eq(me.clone())
                        .or(councils::id.eq_any(
                            council_members::table
                                .filter(council_members::user_id.eq(me))
                                .filter(council_members::status.ne(MemberStatus::Declined.as_str()))
                                .select(council_members::council_id),
                        )),
                ),
                _ => return Ok(Vec::new()),
            };
            let rows = query.limit(200).load(conn)?;
            let accesses: Vec<_> = rows
                .iter()
                .map(|row| access(&actor, now, row, "council.list"))
                .collect();
            write_tx(conn, |conn| {
                crate::access::Access::record_all(&accesses, conn, "ok")
            })?;
            views::list_views(conn, &actor, rows)
        })
        .await
}

/// The e-mail, name and language of a user, for notices.
pub(crate) fn contact(conn: &mut DbConnection, id: &str) -> AppResult<(String, String, String)> {
    Ok(users::table
        .find(id)
        .select((users::email, users::full_name, users::language))
        .first(conn)?)
}
