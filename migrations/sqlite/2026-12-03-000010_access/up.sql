-- One access policy (src/access): a doctor's care relationship with a patient through a
-- consultation counts only once the patient (or their representative) agreed to it, never on
-- the doctor's or the staff's word alone.
ALTER TABLE consultations ADD COLUMN patient_agreed_at TIMESTAMP;
-- What the patient booked themself, and what they confirmed, they agreed to.
UPDATE consultations SET patient_agreed_at = requested_at
 WHERE initiative IN ('patient', 'representative')
    OR (initiative = 'staff_own' AND status <> 'awaiting_agreement' AND status <> 'cancelled');

-- Break-the-glass: a doctor opens a chart without a care relationship by stating a reason; the
-- grant runs out, is loud in the patient's access log and is mailed to the administrators.
CREATE TABLE break_glass_grants (
    id TEXT PRIMARY KEY NOT NULL,
    doctor_id TEXT NOT NULL REFERENCES users(id),
    patient_id TEXT NOT NULL REFERENCES users(id),
    organization_id TEXT REFERENCES organizations(id),
    reason TEXT NOT NULL,
    ip TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX break_glass_grants_doctor ON break_glass_grants (doctor_id, patient_id, expires_at);
CREATE INDEX break_glass_grants_patient ON break_glass_grants (patient_id, created_at);
