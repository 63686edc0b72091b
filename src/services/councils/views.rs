//! Council views for one council or a list in a constant number of queries: members,
//! conclusions, signatures, people and organisations are each loaded once with `IN` for all
//! the councils shown, then assembled in memory.

use std::collections::HashMap;

use diesel::prelude::*;

use super::{
    CertificateView, ConclusionView, CouncilView, InitiatorRef, MemberView, Part,
    SignatureStatusView, participants, utc,
};
use crate::db::DbConnection;
use crate::db::models::{CouncilConclusionRow, CouncilMemberRow, CouncilRow, CouncilSignatureRow};
use crate::db::schema::{
    council_conclusions, council_members, council_signatures, organizations, users,
};
use crate::domain::account::Role;
use crate::domain::council::MemberStatus;
use crate::error::{AppError, AppResult};
use crate::services::Actor;
use crate::services::refs::{OrganizationRef, PartyRef};

/// What the views of some councils need, loaded together.
struct Preloaded {
    members: HashMap<String, Vec<CouncilMemberRow>>,
    conclusions: HashMap<String, CouncilConclusionRow>,
    signatures: HashMap<String, Vec<CouncilSignatureRow>>,
    names: HashMap<String, String>,
    organizations: HashMap<String, String>,
}

impl Preloaded {
    fn load(conn: &mut DbConnection, rows: &[CouncilRow]) -> AppResult<Preloaded> {
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        let mut members: HashMap<String, Vec<CouncilMemberRow>> = HashMap::new();
        // Assigned together, named consultants come first, then by specialty.
        for m in council_members::table
            .filter(council_members::council_id.eq_any(&ids))
            .order((
                council_members::assigned_at.asc(),
                council_members::source.asc(),
                council_members::specialty.asc(),
                council_members::id.asc(),
            ))
            .select(CouncilMemberRow::as_select())
            .load(conn)?
        {
            members.entry(m.council_id.clone()).or_default().push(m);
        }
        let conclusions: HashMap<String, CouncilConclusionRow> = council_conclusions::table
            .filter(council_conclusions::council_id.eq_any(&ids))
            .select(CouncilConclusionRow::as_select())
            .load(conn)?
            .into_iter()
            .map(|c| (c.council_id.clone(), c))
            .collect();
        let mut signatures: HashMap<String, Vec<CouncilSignatureRow>> = HashMap::new();
        for s in council_signatures::table
            .filter(council_signatures::council_id.eq_any(&ids))
            .order(council_signatures::at.asc())
            .select(CouncilSignatureRow::as_select())
            .load(conn)?
        {
            signatures.entry(s.council_id.clone()).or_default().push(s);
        }
        let mut people: Vec<&str> = Vec::new();
        let mut orgs: Vec<&str> = Vec::new();
        for r in rows {
            people.extend([r.patient_id.as_str(), r.initiator_id.as_str()]);
            orgs.push(r.initiator_org_id.as_str());
        }
        for m in members.values().flatten() {
            people.push(m.user_id.as_str());
            orgs.push(m.organization_id.as_str());
        }
        people.sort_unstable();
        people.dedup();
        orgs.sort_unstable();
        orgs.dedup();
        let names = users::table
            .filter(users::id.eq_any(&people))
            .select((users::id, users::full_name))
            .load::<(String, String)>(conn)?
            .into_iter()
            .collect();
        let organizations = organizations::table
            .filter(organizations::id.eq_any(&orgs))
            .select((organizations::id, organizations::name))
            .load::<(String, String)>(conn)?
            .into_iter()
            .collect();
        Ok(Preloaded {
            members,
            conclusions,
            signatures,
            names,
            organizations,
        })
    }

    fn party(&self, id: &str) -> AppResult<PartyRef> {
        let full_name = self
            .names
            .get(id)
            .cloned()
            .ok_or_else(|| missing("user", id))?;
        Ok(PartyRef {
            id: id.to_owned(),
            full_name,
        })
    }

    fn organization(&self, id: &str) -> AppResult<OrganizationRef> {
        let name = self
            .organizations
            .get(id)
            .cloned()
            .ok_or_else(|| missing("organization", id))?;
        Ok(OrganizationRef {
            id: id.to_owned(),
            name,
        })
    }
}

fn missing(what: &str, id: &str) -> AppError {
    AppError::Internal(anyhow::anyhow!("a council names a missing {what} {id}"))
}

/// One council's view.
pub(crate) fn view(
    conn: &mut DbConnection,
    row: CouncilRow,
    part: Option<Part>,
) -> AppResult<CouncilView> {
    let mut pre = Preloaded::load(conn, std::slice::from_ref(&row))?;
    assemble(row, part, &mut pre)
}

/// The views of the councils a list shows the actor, with the actor's part in each (the list's
/// query already keeps only councils the actor takes part in).
pub(crate) fn list_views(
    conn: &mut DbConnection,
    actor: &Actor,
    rows: Vec<CouncilRow>,
) -> AppResult<Vec<CouncilView>> {
    let mut pre = Preloaded::load(conn, &rows)?;
    rows.into_iter()
        .map(|row| {
            let part = part_in(actor, &row, &pre);
            assemble(row, part, &mut pre)
        })
        .collect()
}

/// [`super::part_of`] for a council of a list, from the members already loaded.
fn part_in(actor: &Actor, row: &CouncilRow, pre: &Preloaded) -> Option<Part> {
    if row.initiator_id == actor.user_id {
        return Some(Part::Initiator);
    }
    if row.patient_id == actor.user_id {
        return Some(Part::Patient);
    }
    match actor.role {
        Role::Representative => Some(Part::Representative),
        Role::Doctor => pre
            .members
            .get(&row.id)
            .into_iter()
            .flatten()
            .any(|m| m.user_id == actor.user_id && m.status != MemberStatus::Declined.as_str())
            .then_some(Part::Consultant),
        _ => None,
    }
}

fn assemble(row: CouncilRow, part: Option<Part>, pre: &mut Preloaded) -> AppResult<CouncilView> {
    let member_rows = pre.members.remove(&row.id).unwrap_or_default();
    let mut members_out = Vec::with_capacity(member_rows.len());
    for m in &member_rows {
        members_out.push(MemberView {
            id: m.id.clone(),
            user: pre.party(&m.user_id)?,
            practitioner_id: m.practitioner_id.clone(),
            organization: pre.organization(&m.organization_id)?,
            specialty: m.specialty.clone(),
            source: m.source.clone(),
            status: m.status.clone(),
            decline_reason: m.decline_reason.clone(),
            opinion: m.opinion.clone(),
            opinion_at: utc(m.opinion_at),
            assigned_at: m.assigned_at.and_utc(),
        });
    }
    let conclusion = match pre.conclusions.remove(&row.id) {
        Some(c) => {
            let signatures = pre.signatures.remove(&row.id).unwrap_or_default();
            Some(conclusion_view(&row, &member_rows, c, &signatures, pre)?)
        }
        None => None,
    };
    let initiator = pre.party(&row.initiator_id)?;
    Ok(CouncilView {
        status: row.status.clone(),
        question: row.question.clone(),
        urgency: row.urgency.clone(),
        mode: row.mode.clone(),
        initiative: row.initiative.clone(),
        patient: pre.party(&row.patient_id)?,
        initiator: InitiatorRef {
            id: initiator.id,
            full_name: initiator.full_name,
            organization: pre.organization(&row.initiator_org_id)?,
        },
        my_role: part.map(|p| p.as_str().to_owned()),
        patient_agreed_at: utc(row.patient_agreed_at),
        cancel_reason: row.cancel_reason.clone(),
        scheduled_at: utc(row.scheduled_at),
        deadline_at: utc(row.deadline_at),
        consultation_id: row.consultation_id.clone(),
        created_at: row.created_at.and_utc(),
        members: members_out,
        conclusion,
        id: row.id,
    })
}

fn conclusion_view(
    row: &CouncilRow,
    members: &[CouncilMemberRow],
    c: CouncilConclusionRow,
    signatures: &[CouncilSignatureRow],
    pre: &Preloaded,
) -> AppResult<ConclusionView> {
    let voided = signatures.iter().filter(|s| s.status == "voided").count() as i64;
    let mut statuses = Vec::new();
    if c.sha256.is_some() {
        for user in participants(row, members) {
            let answer = signatures
                .iter()
                .find(|s| s.version == c.version && s.user_id == user && s.status != "voided");
            statuses.push(SignatureStatusView {
                user: pre.party(&user)?,
                status: answer.map_or("awaited", |s| s.status.as_str()).to_owned(),
                signed_at: answer
                    .filter(|s| s.status == "signed")
                    .map(|s| s.at.and_utc()),
                refusal_reason: answer.and_then(|s| s.refusal_reason.clone()),
                certificate: answer.and_then(|s| {
                    Some(CertificateView {
                        subject: s.signer_subject.clone()?,
                        serial: s.cert_serial.clone()?,
                        issuer: s.cert_issuer.clone()?,
                        not_after: utc(s.cert_not_after),
                    })
                }),
            });
        }
    }
    Ok(ConclusionView {
        version: c.version,
        status: c.status,
        content: serde_json::from_str(&c.body)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("council conclusion body: {e}")))?,
        sha256: c.sha256,
        frozen_at: utc(c.frozen_at),
        final_at: utc(c.final_at),
        voided_signatures: voided,
        signatures: statuses,
    })
}
