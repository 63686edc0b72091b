//! Art. 27: the council's one conclusion. Its doctors edit a draft; the initiator freezes it
//! into a canonical document; every participant signs those same bytes (a CMS from NCALayer or
//! the enrolled key), or refuses with a reason (dissent, which blocks finality). A change after
//! signing makes a new version: the signatures given are voided and everyone is asked again.
//! When all have signed, the conclusion is final and in the patient's health passport.

use std::collections::HashSet;

use chrono::{DateTime, SecondsFormat, Utc};
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::members::{ReasonInput, act};
use super::notices::Notices;
use super::{
    CouncilView, Part, access, conclusion_row, load_for, members, not_member, participants,
    require_assembling,
};
use crate::db::models::{CouncilConclusionRow, CouncilRow, CouncilSignatureRow};
use crate::db::schema::{
    council_conclusions, council_signatures, councils, organizations, practitioners,
};
use crate::db::{DbConnection, new_id, write_tx};
use crate::domain::canonical::{sha256_hex, to_canonical};
use crate::domain::council::{ConclusionStatus, CouncilStatus, Finality, MemberStatus, finality};
use crate::domain::records::{RecordKind, validate_content};
use crate::error::{AppError, AppResult};
use crate::services::icd10::Titles;
use crate::services::records::sign::{Received, SignInput};
use crate::services::{Actor, Context, patients};
use crate::signing::{Expected, SignatureError};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConclusionInput {
    /// `findings` (required), `diagnoses` ([{icd10, text}], ICD-10 WHO 2019) and
    /// `recommendations`, as a record's conclusion.
    #[schema(value_type = Object)]
    pub content: Value,
}

fn missing() -> AppError {
    AppError::conflict("conclusion_missing", "the council has no conclusion yet")
}

/// The initiator and the consultants who accepted write the conclusion.
fn require_doctor(conn: &mut DbConnection, row: &CouncilRow, user: &str) -> AppResult<()> {
    if participants(row, &members(conn, &row.id)?)
        .iter()
        .any(|p| p == user)
    {
        Ok(())
    } else {
        Err(not_member())
    }
}

/// Voids every answer given to `version`: a new text asks everyone again.
fn void_answers(conn: &mut DbConnection, council: &str, version: i32) -> AppResult<()> {
    diesel::update(
        council_signatures::table
            .filter(council_signatures::council_id.eq(council))
            .filter(council_signatures::version.eq(version))
            .filter(council_signatures::status.ne("voided")),
    )
    .set(council_signatures::status.eq("voided"))
    .execute(conn)?;
    Ok(())
}

/// Saves the draft; a frozen text becomes a new draft version and the answers given to the
/// old one are voided.
pub async fn save(
    ctx: &Context,
    actor: &Actor,
    id: &str,
    input: ConclusionInput,
) -> AppResult<CouncilView> {
    // The codes are titled in the language of the doctor saving this text, as a record's are
    // (`icd10::Titles::of_author`).
    let user = actor.user_id.clone();
    let author = user.clone();
    let titles = ctx
        .db
        .run(move |conn| Titles::of_author(conn, &author))
        .await?;
    let content = validate_content(RecordKind::Conclusion, &input.content, &titles.catalogue())
        .map_err(|e| AppError::unprocessable(e.code, e.message))?;
    let body = to_canonical(&content);
    act(
        ctx,
        actor,
        id,
        "council.conclusion_save",
        move |conn, row, _, now| {
            require_assembling(row)?;
            require_doctor(conn, row, &user)?;
            let at = now.naive_utc();
            match conclusion_row(conn, &row.id)? {
                None => {
                    diesel::insert_into(council_conclusions::table)
                        .values(&CouncilConclusionRow {
                            council_id: row.id.clone(),
                            version: 1,
                            status: ConclusionStatus::Draft.as_str().to_owned(),
                            body,
                            canonical: None,
                            sha256: None,
                            frozen_at: None,
                            final_at: None,
                            updated_at: at,
                        })
                        .execute(conn)?;
                }
                Some(mut c) => {
                    if ConclusionStatus::parse(&c.status) != Some(ConclusionStatus::Draft) {
                        void_answers(conn, &row.id, c.version)?;
                        c.version += 1;
                    }
                    c.status = ConclusionStatus::Draft.as_str().to_owned();
                    c.body = body;
                    c.canonical = None;
                    c.sha256 = None;
                    c.frozen_at = None;
                    c.updated_at = at;
                    diesel::update(council_conclusions::table.find(&row.id))
                        .set(&c)
                        .execute(conn)?;
                }
            }
            Ok(())
        },
    )
    .await
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The document every participant signs: the council, the patient, who takes part (with
/// their IINs, as their certificates name them), the question and the conclusion's content.
fn canonical(
    conn: &mut DbConnection,
    row: &CouncilRow,
    c: &CouncilConclusionRow,
    frozen_at: DateTime<Utc>,
) -> AppResult<String> {
    let person = |conn: &mut DbConnection, id: &str| -> AppResult<Value> {
        let u = patients::user(conn, id)?;
        Ok(json!({"id": u.id, "full_name": u.full_name, "iin": u.iin}))
    };
    let org_name: String = organizations::table
        .find(&row.initiator_org_id)
        .select(organizations::name)
        .first(conn)?;
    let mut doctors = Vec::new();
    for m in members(conn, &row.id)?
        .into_iter()
        .filter(|m| m.status == MemberStatus::Accepted.as_str())
    {
        let mut d = person(conn, &m.user_id)?;
        let org: String = organizations::table
            .find(&m.organization_id)
            .select(organizations::name)
            .first(conn)?;
        let position: String = practitioners::table
            .find(&m.practitioner_id)
            .select(practitioners::position)
            .first(conn)?;
        d["organization"] = json!(org);
        d["position"] = json!(position);
        d["specialty"] = json!(m.specialty);
        doctors.push(d);
    }
    let content: Value = serde_json::from_str(&c.body)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("council conclusion body: {e}")))?;
    let mut initiator = person(conn, &row.initiator_id)?;
    initiator["organization"] = json!(org_name);
    Ok(to_canonical(&json!({
        "document": "telemed.council_conclusion",
        "council_id": row.id,
        "version": c.version,
        "mode": row.mode,
        "urgency": row.urgency,
        "patient": person(conn, &row.patient_id)?,
        "question": row.question,
        "initiator": initiator,
        "consultants": doctors,
        "content": content,
        "frozen_at": time(frozen_at),
    })))
}

/// The initiator freezes the draft into the document everyone signs, once every consultant has
/// answered and at least three doctors take part (art. 2.6).
pub async fn freeze(ctx: &Context, actor: &Actor, id: &str) -> AppResult<CouncilView> {
    let public_url = ctx.public_url.clone();
    act(
        ctx,
        actor,
        id,
        "council.conclusion_freeze",
        move |conn, row, part, now| {
            require_assembling(row)?;
            if part != Part::Initiator {
                return Err(AppError::forbidden());
            }
            let mut c = conclusion_row(conn, &row.id)?.ok_or_else(missing)?;
            if ConclusionStatus::parse(&c.status) != Some(ConclusionStatus::Draft) {
                return Err(AppError::conflict(
                    "conclusion_not_draft",
                    "only a draft is frozen; edit the text to make a new version",
                ));
            }
            let all = members(conn, &row.id)?;
            let signers = participants(row, &all);
            if all
                .iter()
                .any(|m| m.status == MemberStatus::Invited.as_str())
                || signers.len() < crate::domain::council::MIN_DOCTORS
            {
                return Err(AppError::conflict(
                    "council_incomplete",
                    "every consultant must answer, and at least three doctors take part",
                ));
            }
            let text = canonical(conn, row, &c, now)?;
            c.status = ConclusionStatus::Frozen.as_str().to_owned();
            c.sha256 = Some(sha256_hex(text.as_bytes()));
            c.canonical = Some(text);
            c.frozen_at = Some(now.naive_utc());
            c.updated_at = now.naive_utc();
            diesel::update(council_conclusions::table.find(&row.id))
                .set(&c)
                .execute(conn)?;
            Notices::load(conn, row, &public_url)?.sign_requested(conn, now, &signers, c.version)
        },
    )
    .await
}

/// The frozen document's bytes and SHA-256: for the council's doctors to sign, and for the
/// patient's side once it is final.
pub async fn document(ctx: &Context, actor: &Actor, id: &str) -> AppResult<(String, String)> {
    let (actor, id) = (actor.clone(), id.to_owned());
    let now = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            let (row, part) = load_for(conn, &actor, &id, now, "council.document")?;
            let c = conclusion_row(conn, &id)?.ok_or_else(missing)?;
            let (Some(text), Some(sha)) = (c.canonical, c.sha256) else {
                return Err(AppError::conflict(
                    "conclusion_not_frozen",
                    "the conclusion is a draft; it has no document yet",
                ));
            };
            let patient_side = matches!(part, Part::Patient | Part::Representative);
            if patient_side && c.status != ConclusionStatus::Final.as_str() {
                return Err(AppError::conflict(
                    "conclusion_not_final",
                    "the patient reads the conclusion once every doctor has signed it",
                ));
            }
            write_tx(conn, |conn| {
                access(&actor, now, &row, "council.document").record(conn, "ok")
            })?;
            Ok((text, sha))
        })
        .await
}

/// The frozen version open for answers, and that the actor has not answered it.
fn answerable(
    conn: &mut DbConnection,
    row: &CouncilRow,
    user: &str,
) -> AppResult<CouncilConclusionRow> {
    require_assembling(row)?;
    require_doctor(conn, row, user)?;
    let c = conclusion_row(conn, &row.id)?.ok_or_else(missing)?;
    if !matches!(
        ConclusionStatus::parse(&c.status),
        Some(ConclusionStatus::Frozen | ConclusionStatus::Dissent)
    ) {
        return Err(AppError::conflict(
            "conclusion_not_frozen",
            "only a frozen conclusion is signed",
        ));
    }
    let answered: i64 = council_signatures::table
        .filter(council_signatures::council_id.eq(&row.id))
        .filter(council_signatures::version.eq(c.version))
        .filter(council_signatures::user_id.eq(user))
        .filter(council_signatures::status.ne("voided"))
        .count()
        .get_result(conn)?;
    if answered > 0 {
        return Err(AppError::conflict(
            "already_answered",
            "you have signed or refused this version already",
        ));
    }
    Ok(c)
}

fn answer_row(
    row: &CouncilRow,
    c: &CouncilConclusionRow,
    user: &str,
    status: &str,
    at: DateTime<Utc>,
) -> CouncilSignatureRow {
    CouncilSignatureRow {
        id: new_id(),
        council_id: row.id.clone(),
        version: c.version,
        user_id: user.to_owned(),
        status: status.to_owned(),
        refusal_reason: None,
        sha256: c.sha256.clone(),
        signature: None,
        signature_form: None,
        signer_certificate: None,
        signer_name: None,
        signer_subject: None,
        signer_iin: None,
        cert_serial: None,
        cert_issuer: None,
        cert_not_after: None,
        at: at.naive_utc(),
    }
}

/// Where the answers to the version leave the conclusion: final when all signed (the council
/// is over and the patient told), dissent when someone refused.
fn settle(
    conn: &mut DbConnection,
    row: &CouncilRow,
    mut c: CouncilConclusionRow,
    now: DateTime<Utc>,
    public_url: &str,
) -> AppResult<()> {
    let answers: Vec<(String, String)> = council_signatures::table
        .filter(council_signatures::council_id.eq(&row.id))
        .filter(council_signatures::version.eq(c.version))
        .select((council_signatures::user_id, council_signatures::status))
        .load(conn)?;
    let of = |status: &str| -> HashSet<String> {
        answers
            .iter()
            .filter(|(_, s)| s == status)
            .map(|(u, _)| u.clone())
            .collect()
    };
    let signers = participants(row, &members(conn, &row.id)?);
    let at = now.naive_utc();
    match finality(&signers, &of("signed"), &of("refused")) {
        Finality::Final => {
            c.status = ConclusionStatus::Final.as_str().to_owned();
            c.final_at = Some(at);
            diesel::update(councils::table.find(&row.id))
                .set((
                    councils::status.eq(CouncilStatus::Final.as_str()),
                    councils::updated_at.eq(at),
                ))
                .execute(conn)?;
            Notices::load(conn, row, public_url)?.final_conclusion(conn, now)?;
        }
        Finality::Dissent => c.status = ConclusionStatus::Dissent.as_str().to_owned(),
        Finality::Awaiting(_) => {}
    }
    c.updated_at = at;
    diesel::update(council_conclusions::table.find(&row.id))
        .set(&c)
        .execute(conn)?;
    Ok(())
}

/// A participant signs the frozen document with their own key: the signature must be over
/// exactly those bytes and by the certificate of the signer's IIN, valid now.
pub async fn sign(
    ctx: &Context,
    actor: &Actor,
    id: &str,
    input: SignInput,
) -> AppResult<CouncilView> {
    let received = Received::decode(&input)?;
    let (actor, id) = (actor.clone(), id.to_owned());
    let now = ctx.clock.now();
    let verifier = ctx.verifier.clone();
    let public_url = ctx.public_url.clone();
    ctx.db
        .run(move |conn| {
            let (row, part) = load_for(conn, &actor, &id, now, "council.sign")?;
            let outcome = write_tx(conn, |conn| {
                let row = super::load(conn, &id)?;
                let c = answerable(conn, &row, &actor.user_id)?;
                let (Some(text), Some(sha)) = (&c.canonical, &c.sha256) else {
                    return Err(missing());
                };
                if received.claimed.as_deref() != Some(sha.as_str()) {
                    return Err(AppError::conflict(
                        "document_changed",
                        "the conclusion changed since it was fetched; fetch it and sign again",
                    ));
                }
                let iin = patients::user(conn, &actor.user_id)?.iin;
                let expected = Expected {
                    document: text.as_bytes(),
                    signer_iin: &iin,
                    at: now,
                };
                let signer = match verifier.verify(&received.input(), &expected) {
                    Ok(signer) => signer,
                    Err(e) => return Ok(Err(e)),
                };
                use base64::Engine;
                let mut answer = answer_row(&row, &c, &actor.user_id, "signed", now);
                answer.signature = Some(received.signature_base64());
                answer.signature_form = Some(received.form().to_owned());
                answer.signer_certificate =
                    Some(base64::engine::general_purpose::STANDARD.encode(&signer.certificate_der));
                answer.signer_name = Some(signer.common_name);
                answer.signer_subject = Some(signer.subject);
                answer.signer_iin = Some(signer.iin);
                answer.cert_serial = Some(signer.serial_hex);
                answer.cert_issuer = Some(signer.issuer);
                answer.cert_not_after = Some(signer.not_after.naive_utc());
                diesel::insert_into(council_signatures::table)
                    .values(&answer)
                    .execute(conn)?;
                access(&actor, now, &row, "council.sign").record(conn, "ok")?;
                settle(conn, &row, c, now, &public_url)?;
                let row = super::load(conn, &id)?;
                Ok(Ok(super::view(conn, row, Some(part))?))
            });
            let outcome = match outcome {
                // Not one of the council's doctors: a refusal the patient sees (art. 40).
                Err(e) if e.is_forbidden() => {
                    return Err(access(&actor, now, &row, "council.sign").refuse(conn, "denied", e));
                }
                other => other?,
            };
            outcome.map_err(|e: SignatureError| {
                // A refused signature stays in the log with the rule that refused it.
                access(&actor, now, &row, "council.sign").refuse(
                    conn,
                    e.code(),
                    AppError::unprocessable(e.code(), e.to_string()),
                )
            })
        })
        .await
}

/// A participant refuses to sign, with a reason: the dissent is recorded and the conclusion
/// cannot become final (its text may be changed into a new version).
pub async fn refuse(
    ctx: &Context,
    actor: &Actor,
    id: &str,
    input: ReasonInput,
) -> AppResult<CouncilView> {
    let reason = super::members::reason(&input.reason)?;
    let user = actor.user_id.clone();
    let public_url = ctx.public_url.clone();
    act(
        ctx,
        actor,
        id,
        "council.refuse",
        move |conn, row, _, now| {
            let c = answerable(conn, row, &user)?;
            let mut answer = answer_row(row, &c, &user, "refused", now);
            answer.refusal_reason = Some(reason);
            diesel::insert_into(council_signatures::table)
                .values(&answer)
                .execute(conn)?;
            settle(conn, row, c, now, &public_url)
        },
    )
    .await
}
