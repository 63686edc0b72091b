//! Rows as diesel reads and writes them. Services turn them into API views.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = organizations)]
pub struct OrganizationRow {
    pub id: String,
    pub name: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub licence_number: String,
    pub licensed_profiles: String,
    pub service_kinds: String,
    pub gobmp: bool,
    pub osms: bool,
    pub time_zone: String,
    pub consultation_minutes: i32,
    pub urgent_deadline_hours: i32,
    pub planned_deadline_hours: i32,
    pub paid: bool,
    pub price_list: String,
    pub payment_procedure: String,
    pub consent_procedure: String,
    pub anonymous_consultation: String,
    pub identification_procedure: String,
    pub conclusion_procedure: String,
    pub document_requirements: String,
    pub offer_acceptance: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = offer_versions)]
pub struct OfferVersionRow {
    pub id: String,
    pub organization_id: String,
    pub version: i32,
    pub body: String,
    pub sha256: String,
    pub published_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users, treat_none_as_default_value = false)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub password_hash: String,
    pub full_name: String,
    pub iin: String,
    pub role: String,
    pub organization_id: Option<String>,
    pub language: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = representations)]
pub struct RepresentationRow {
    pub id: String,
    pub representative_id: String,
    pub patient_id: String,
    pub basis: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub token_hash: String,
    pub user_id: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = practitioners)]
pub struct PractitionerRow {
    pub id: String,
    pub user_id: String,
    pub organization_id: String,
    pub position: String,
    pub qualification_category: String,
    pub academic_degree: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = practitioner_specialties)]
pub struct PractitionerSpecialtyRow {
    pub practitioner_id: String,
    pub specialty_code: String,
    pub experience_years: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = schedule_intervals)]
pub struct ScheduleIntervalRow {
    pub id: String,
    pub practitioner_id: String,
    pub weekday: i32,
    pub starts_at: String,
    pub ends_at: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = schedule_exceptions)]
pub struct ScheduleExceptionRow {
    pub id: String,
    pub practitioner_id: String,
    pub day: NaiveDate,
    pub reason: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = specialties)]
pub struct SpecialtyRow {
    pub code: String,
    pub name_ru: String,
    pub name_kk: String,
    pub name_en: String,
}

/// `None` inserts NULL rather than DEFAULT (the columns have no default either way), which lets
/// SQLite take a batch of rows in one statement instead of one per row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events, treat_none_as_default_value = false)]
pub struct AuditEventRow {
    pub seq: i64,
    pub at: NaiveDateTime,
    pub actor_id: Option<String>,
    pub subject_id: Option<String>,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub outcome: String,
    pub ip: String,
    pub prev_hash: String,
    pub hash: String,
    pub purpose: Option<String>,
    /// How `hash` was made: `sha256` (rows before the keyed chain) or `hmac1`.
    pub algo: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = e_documents)]
pub struct EDocumentRow {
    pub id: String,
    pub kind: String,
    pub organization_id: String,
    pub patient_id: String,
    pub actor_id: String,
    pub consultation_id: Option<String>,
    pub seq: i32,
    pub canonical: String,
    pub sha256: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = consent_codes)]
pub struct ConsentCodeRow {
    pub id: String,
    pub organization_id: String,
    pub patient_id: String,
    pub actor_id: String,
    pub offer_version: i32,
    pub code_hash: String,
    pub attempts: i32,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = consultations, treat_none_as_null = true)]
pub struct ConsultationRow {
    pub id: String,
    pub organization_id: String,
    pub practitioner_id: Option<String>,
    pub patient_id: String,
    pub booked_by: String,
    pub initiative: String,
    pub status: String,
    pub mode: String,
    pub urgency: String,
    pub specialty: Option<String>,
    pub slot_start: Option<NaiveDateTime>,
    pub slot_end: Option<NaiveDateTime>,
    pub reason: String,
    pub funding: String,
    pub price_kzt: Option<i64>,
    pub requested_at: NaiveDateTime,
    pub clock_started_at: Option<NaiveDateTime>,
    pub deadline_at: Option<NaiveDateTime>,
    pub breached_at: Option<NaiveDateTime>,
    pub confirm_token_hash: Option<String>,
    pub ics_uid: String,
    pub ics_sequence: i32,
    pub cancelled_at: Option<NaiveDateTime>,
    pub completed_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub started_at: Option<NaiveDateTime>,
    pub ended_at: Option<NaiveDateTime>,
    /// `video` or `phone` (art. 33.2), once the consultation took place.
    pub held_by: Option<String>,
    /// When the patient or their representative agreed to this consultation: only from then is
    /// its doctor in a care relationship with the patient (src/access).
    pub patient_agreed_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = consultation_events)]
pub struct ConsultationEventRow {
    pub id: String,
    pub consultation_id: String,
    pub at: NaiveDateTime,
    pub actor_id: Option<String>,
    pub kind: String,
    pub details: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = outbox, treat_none_as_default_value = false)]
pub struct OutboxRow {
    pub id: String,
    pub dedupe_key: String,
    pub consultation_id: Option<String>,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub ics: Option<String>,
    pub status: String,
    pub attempts: i32,
    pub due_at: NaiveDateTime,
    pub lease_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub provider_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = medical_records, treat_none_as_null = true)]
pub struct MedicalRecordRow {
    pub id: String,
    pub chain_id: String,
    pub patient_id: String,
    pub organization_id: String,
    pub author_id: String,
    pub consultation_id: Option<String>,
    pub kind: String,
    pub version: i32,
    pub replaces_id: Option<String>,
    pub status: String,
    pub body: String,
    pub canonical: Option<String>,
    pub sha256: Option<String>,
    pub signature: Option<String>,
    pub signature_form: Option<String>,
    pub signature_algorithm: Option<String>,
    pub signer_certificate: Option<String>,
    pub signer_name: Option<String>,
    pub signer_subject: Option<String>,
    pub signer_iin: Option<String>,
    pub cert_serial: Option<String>,
    pub cert_issuer: Option<String>,
    pub cert_not_before: Option<NaiveDateTime>,
    pub cert_not_after: Option<NaiveDateTime>,
    pub signed_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = record_materials)]
pub struct RecordMaterialRow {
    pub id: String,
    pub record_id: String,
    pub kind: String,
    pub name: String,
    pub sha256: String,
    pub size: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = consultation_guests)]
pub struct ConsultationGuestRow {
    pub id: String,
    pub consultation_id: String,
    pub user_id: String,
    pub kind: String,
    pub invited_by: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = consultation_materials)]
pub struct ConsultationMaterialRow {
    pub id: String,
    pub consultation_id: String,
    pub kind: String,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub sha256: String,
    pub author_id: Option<String>,
    pub details: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = call_messages)]
pub struct CallMessageRow {
    pub id: String,
    pub consultation_id: String,
    pub seq: i32,
    pub sender_id: String,
    pub body: String,
    pub material_id: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = deferred_requests, treat_none_as_null = true)]
pub struct DeferredRequestRow {
    pub consultation_id: String,
    pub kind: String,
    pub study_profile: Option<String>,
    pub requester_id: String,
    pub requester_org_id: Option<String>,
    pub paused_at: Option<NaiveDateTime>,
    pub remaining_seconds: Option<i64>,
    pub documents_note: Option<String>,
    pub decline_reason: Option<String>,
    pub conclusion_id: Option<String>,
    pub completion_reason: Option<String>,
    pub completed_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = councils, treat_none_as_null = true)]
pub struct CouncilRow {
    pub id: String,
    pub patient_id: String,
    pub initiator_id: String,
    pub initiator_org_id: String,
    pub question: String,
    pub urgency: String,
    pub mode: String,
    pub initiative: String,
    pub status: String,
    pub scheduled_at: Option<NaiveDateTime>,
    pub deadline_at: Option<NaiveDateTime>,
    pub patient_agreed_at: Option<NaiveDateTime>,
    pub cancel_reason: Option<String>,
    pub consultation_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = council_members, treat_none_as_null = true)]
pub struct CouncilMemberRow {
    pub id: String,
    pub council_id: String,
    pub user_id: String,
    pub practitioner_id: String,
    pub organization_id: String,
    pub specialty: Option<String>,
    pub source: String,
    pub status: String,
    pub decline_reason: Option<String>,
    pub opinion: Option<String>,
    pub opinion_at: Option<NaiveDateTime>,
    pub assigned_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = council_conclusions, treat_none_as_null = true)]
pub struct CouncilConclusionRow {
    pub council_id: String,
    pub version: i32,
    pub status: String,
    pub body: String,
    pub canonical: Option<String>,
    pub sha256: Option<String>,
    pub frozen_at: Option<NaiveDateTime>,
    pub final_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = council_signatures)]
pub struct CouncilSignatureRow {
    pub id: String,
    pub council_id: String,
    pub version: i32,
    pub user_id: String,
    pub status: String,
    pub refusal_reason: Option<String>,
    pub sha256: Option<String>,
    pub signature: Option<String>,
    pub signature_form: Option<String>,
    pub signer_certificate: Option<String>,
    pub signer_name: Option<String>,
    pub signer_subject: Option<String>,
    pub signer_iin: Option<String>,
    pub cert_serial: Option<String>,
    pub cert_issuer: Option<String>,
    pub cert_not_after: Option<NaiveDateTime>,
    pub at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = break_glass_grants)]
pub struct BreakGlassGrantRow {
    pub id: String,
    pub doctor_id: String,
    pub patient_id: String,
    pub organization_id: Option<String>,
    pub reason: String,
    pub ip: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}
