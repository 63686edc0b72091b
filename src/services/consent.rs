//! Informed consent to remote care (art. 33.1): the patient or their representative accepts the
//! organisation's current public offer by a click or by a one-time code sent by e-mail, or records
//! a refusal; consent can be revoked. Each act is an electronic document.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::documents::{self, DocumentView, NewDocument, document_time};
use super::patients::{self, Relation};
use super::{Actor, Context};
use crate::access::Access;
use crate::access::patient::{self as policy, PatientAct, Target};
use crate::db::models::{ConsentCodeRow, EDocumentRow, OfferVersionRow, OrganizationRow, UserRow};
use crate::db::schema::{consent_codes, e_documents, offer_versions, organizations};
use crate::db::{DbConnection, new_id, write_tx};
use crate::domain::canonical::sha256_hex;
use crate::error::{AppError, AppResult};
use crate::notify::templates::{Addressee, Recipient};
use crate::notify::{self, Outgoing, templates};

const ACCEPT: &str = "consent_accept";
const REFUSE: &str = "consent_refuse";
const REVOKE: &str = "consent_revoke";
const MAX_CODE_ATTEMPTS: i32 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentAction {
    Accept,
    Refuse,
    Revoke,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentMethod {
    /// A click on "I accept" under the offer text.
    Click,
    /// The one-time code from `POST /api/organizations/{id}/consent/code`.
    EmailCode,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentInput {
    pub action: ConsentAction,
    /// For a representative or staff: the patient this is for.
    #[serde(default)]
    pub patient_id: Option<String>,
    #[serde(default)]
    pub method: Option<ConsentMethod>,
    #[serde(default)]
    pub code: Option<String>,
    /// The offer version the person read; refused if it is no longer the current one.
    #[serde(default)]
    pub offer_version: Option<i32>,
}

#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    #[serde(default)]
    pub patient_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentStatus {
    /// `accepted`, `refused`, `revoked` or `none`.
    pub state: String,
    /// Accepted, and for the offer version now in force: booking is possible.
    pub valid: bool,
    pub current_offer_version: Option<i32>,
    pub last_document: Option<DocumentView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CodeSent {
    pub sent_to: String,
    pub expires_at: DateTime<Utc>,
}

fn organization(conn: &mut DbConnection, id: &str) -> AppResult<OrganizationRow> {
    organizations::table
        .find(id)
        .select(OrganizationRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("organization"))
}

fn current_offer(conn: &mut DbConnection, org: &str) -> AppResult<Option<OfferVersionRow>> {
    Ok(offer_versions::table
        .filter(offer_versions::organization_id.eq(org))
        .order(offer_versions::version.desc())
        .select(OfferVersionRow::as_select())
        .first(conn)
        .optional()?)
}

fn last_act(conn: &mut DbConnection, org: &str, patient: &str) -> AppResult<Option<EDocumentRow>> {
    Ok(e_documents::table
        .filter(e_documents::organization_id.eq(org))
        .filter(e_documents::patient_id.eq(patient))
        .filter(e_documents::kind.eq_any([ACCEPT, REFUSE, REVOKE]))
        .order(e_documents::seq.desc())
        .select(EDocumentRow::as_select())
        .first(conn)
        .optional()?)
}

fn accepted_version(doc: &EDocumentRow) -> Option<i64> {
    serde_json::from_str::<serde_json::Value>(&doc.canonical)
        .ok()?
        .pointer("/offer/version")?
        .as_i64()
}

/// Art. 33.1: the patient's latest act for this organisation accepts the offer in force.
pub fn is_valid(conn: &mut DbConnection, org: &str, patient: &str) -> AppResult<bool> {
    let Some(offer) = current_offer(conn, org)? else {
        return Ok(false);
    };
    Ok(last_act(conn, org, patient)?
        .filter(|d| d.kind == ACCEPT)
        .and_then(|d| accepted_version(&d))
        == Some(i64::from(offer.version)))
}

fn status_of(conn: &mut DbConnection, org: &str, patient: &str) -> AppResult<ConsentStatus> {
    let offer = current_offer(conn, org)?;
    let last = last_act(conn, org, patient)?;
    let state = match last.as_ref().map(|d| d.kind.as_str()) {
        Some(ACCEPT) => "accepted",
        Some(REFUSE) => "refused",
        Some(REVOKE) => "revoked",
        _ => "none",
    };
    Ok(ConsentStatus {
        state: state.to_owned(),
        valid: is_valid(conn, org, patient)?,
        current_offer_version: offer.map(|o| o.version),
        last_document: last.map(DocumentView::from),
    })
}

pub async fn status(
    ctx: &Context,
    actor: &Actor,
    org: String,
    patient_id: Option<String>,
) -> AppResult<ConsentStatus> {
    crate::services::input::optional_id(patient_id.as_deref(), "patient_id")?;
    let actor = actor.clone();
    let (now, rules) = (ctx.clock.now(), ctx.access_rules());
    ctx.db
        .run(move |conn| {
            organization(conn, &org)?;
            let (patient, _) = crate::access::resolve_audited(
                conn,
                &actor,
                patient_id.as_deref(),
                now,
                "consent.read",
            )?;
            // The consent document names the patient, their IIN and address: the patient's
            // side reads it, and the staff of this organisation who book for them; the read is
            // in the patient's access log either way.
            let grant = policy::check(
                conn,
                &actor,
                &patient.id,
                PatientAct::ReadConsent { organization: &org },
                now,
                rules,
                None,
                Target {
                    action: "consent.read",
                    object_type: "organization",
                    object_id: &org,
                },
            )?;
            write_tx(conn, |conn| {
                Access {
                    actor: &actor,
                    at: now,
                    subject: &patient.id,
                    action: "consent.read",
                    object_type: "organization",
                    object_id: &org,
                    purpose: grant.purpose().as_deref(),
                }
                .record(conn, "ok")
            })?;
            status_of(conn, &org, &patient.id)
        })
        .await
}

fn code_hash(code_id: &str, code: &str) -> String {
    sha256_hex(format!("{code_id}:{code}").as_bytes())
}

/// Sends a one-time code to the person acting (patient or representative), by e-mail.
pub async fn request_code(
    ctx: &Context,
    actor: &Actor,
    org: String,
    input: CodeRequest,
) -> AppResult<CodeSent> {
    crate::services::input::optional_id(input.patient_id.as_deref(), "patient_id")?;
    let actor = actor.clone();
    let now = ctx.clock.now();
    let minutes = ctx.settings.booking.consent_code_minutes;
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let organization = organization(conn, &org)?;
                let (patient, relation) = crate::access::resolve_audited(
                    conn,
                    &actor,
                    input.patient_id.as_deref(),
                    now,
                    "consent.code",
                )?;
                if relation == Relation::Staff {
                    return Err(crate::access::refuse_for(
                        conn,
                        &actor,
                        &patient.id,
                        now,
                        "consent.code",
                        AppError::forbidden(),
                    ));
                }
                let offer = current_offer(conn, &org)?.ok_or_else(no_offer)?;
                let me = patients::user(conn, &actor.user_id)?;
                let code = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000));
                let id = new_id();
                let expires = now + Duration::minutes(minutes);
                diesel::insert_into(consent_codes::table)
                    .values(&ConsentCodeRow {
                        code_hash: code_hash(&id, &code),
                        id: id.clone(),
                        organization_id: org.clone(),
                        patient_id: patient.id.clone(),
                        actor_id: me.id.clone(),
                        offer_version: offer.version,
                        attempts: 0,
                        expires_at: expires.naive_utc(),
                        used_at: None,
                    })
                    .execute(conn)?;
                // The representative accepts for the patient; their letter says for whom.
                let to = Addressee {
                    recipient: if relation == Relation::Representative {
                        Recipient::Representative
                    } else {
                        Recipient::Patient
                    },
                    name: &me.full_name,
                };
                let (subject, body) = templates::consent_code(
                    &me.language,
                    &to,
                    &patient.full_name,
                    &organization.name,
                    &code,
                    minutes,
                )?;
                notify::enqueue(
                    conn,
                    now,
                    &Outgoing {
                        dedupe_key: format!("consent-code:{id}"),
                        consultation_id: None,
                        recipient: &me.email,
                        subject,
                        body,
                        ics: None,
                        due_at: now,
                    },
                )?;
                Ok(CodeSent {
                    sent_to: me.email,
                    expires_at: expires,
                })
            })
        })
        .await
}

fn no_offer() -> AppError {
    AppError::conflict(
        "offer_not_published",
        "the organisation has not published its public offer yet",
    )
}

/// Checks the newest unused code of this person for this patient and organisation, and uses it
/// up. Runs in a transaction of its own, so a wrong guess is counted even though the act fails.
fn redeem_code(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    org: &str,
    patient: &str,
    actor: &str,
    code: &str,
) -> AppResult<bool> {
    let Some(row) = consent_codes::table
        .filter(consent_codes::organization_id.eq(org))
        .filter(consent_codes::patient_id.eq(patient))
        .filter(consent_codes::actor_id.eq(actor))
        .filter(consent_codes::used_at.is_null())
        .order(consent_codes::expires_at.desc())
        .select(ConsentCodeRow::as_select())
        .first::<ConsentCodeRow>(conn)
        .optional()?
    else {
        return Ok(false);
    };
    if row.expires_at < now.naive_utc() || row.attempts >= MAX_CODE_ATTEMPTS {
        return Ok(false);
    }
    if code_hash(&row.id, code.trim()) != row.code_hash {
        diesel::update(consent_codes::table.find(&row.id))
            .set(consent_codes::attempts.eq(row.attempts + 1))
            .execute(conn)?;
        return Ok(false);
    }
    diesel::update(consent_codes::table.find(&row.id))
        .set(consent_codes::used_at.eq(Some(now.naive_utc())))
        .execute(conn)?;
    Ok(true)
}

fn person(u: &UserRow) -> serde_json::Value {
    json!({"id": u.id, "full_name": u.full_name, "iin": u.iin, "role": u.role})
}

pub async fn act(
    ctx: &Context,
    actor: &Actor,
    org: String,
    input: ConsentInput,
) -> AppResult<ConsentStatus> {
    crate::services::input::optional_id(input.patient_id.as_deref(), "patient_id")?;
    let actor = actor.clone();
    let now = ctx.clock.now();
    let method = input.method.unwrap_or(ConsentMethod::Click);
    if input.action == ConsentAction::Accept && method == ConsentMethod::EmailCode {
        let code = input
            .code
            .clone()
            .ok_or_else(|| AppError::unprocessable("invalid_code", "the code is required"))?;
        let (actor, org, patient_id) = (actor.clone(), org.clone(), input.patient_id.clone());
        let redeemed = ctx
            .db
            .run(move |conn| {
                write_tx(conn, |conn| {
                    let (patient, _) = crate::access::resolve_audited(
                        conn,
                        &actor,
                        patient_id.as_deref(),
                        now,
                        "consent.act",
                    )?;
                    redeem_code(conn, now, &org, &patient.id, &actor.user_id, &code)
                })
            })
            .await?;
        if !redeemed {
            return Err(AppError::unprocessable(
                "invalid_code",
                "the code is wrong or has expired",
            ));
        }
    }
    ctx.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let organization = organization(conn, &org)?;
                let (patient, relation) = crate::access::resolve_audited(
                    conn,
                    &actor,
                    input.patient_id.as_deref(),
                    now,
                    "consent.act",
                )?;
                // Consent is the patient's own will, given by them or their legal representative.
                if relation == Relation::Staff {
                    return Err(crate::access::refuse_for(
                        conn,
                        &actor,
                        &patient.id,
                        now,
                        "consent.act",
                        AppError::forbidden(),
                    ));
                }
                let offer = current_offer(conn, &org)?.ok_or_else(no_offer)?;
                if input.offer_version.is_some_and(|v| v != offer.version) {
                    return Err(AppError::conflict(
                        "offer_changed",
                        "the offer has a newer version; read it again",
                    ));
                }
                let (kind, act) = match input.action {
                    ConsentAction::Accept => (ACCEPT, "accept"),
                    ConsentAction::Refuse => (REFUSE, "refuse"),
                    ConsentAction::Revoke => (REVOKE, "revoke"),
                };
                if input.action == ConsentAction::Revoke
                    && last_act(conn, &org, &patient.id)?.map(|d| d.kind) != Some(ACCEPT.into())
                {
                    return Err(AppError::conflict(
                        "no_consent_to_revoke",
                        "there is no accepted consent to revoke",
                    ));
                }
                let me = patients::user(conn, &actor.user_id)?;
                let method_text = match method {
                    ConsentMethod::Click => "click",
                    ConsentMethod::EmailCode => "email_code",
                };
                documents::record(
                    conn,
                    now,
                    NewDocument {
                        kind,
                        organization_id: &org,
                        patient_id: &patient.id,
                        actor_id: &me.id,
                        consultation_id: None,
                        content: json!({
                            "type": "informed_consent",
                            "act": act,
                            "rule": "Rules ҚР ДСМ-12 art. 33.1",
                            "patient": person(&patient),
                            "actor": person(&me),
                            "on_behalf": relation == Relation::Representative,
                            "organization": {"id": organization.id, "name": organization.name},
                            "offer": {"version": offer.version, "sha256": offer.sha256},
                            "method": method_text,
                            "at": document_time(now),
                            "ip": actor.ip,
                        }),
                    },
                )?;
                actor.audit_change(conn, now, &format!("consent.{act}"), "organization", &org)?;
                status_of(conn, &org, &patient.id)
            })
        })
        .await
}
