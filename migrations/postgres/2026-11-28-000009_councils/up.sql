-- Councils (консилиум, art. 2.6, 18–27): at least three doctors examine a case; their common
-- conclusion is certified by every participant's electronic digital signature.

-- Art. 24: the head of an organisation decides who takes part in councils, per profile; the
-- list's order is the order of the simple queue (art. 23).
CREATE TABLE consultant_lists (
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    specialty TEXT NOT NULL REFERENCES specialties(code),
    practitioner_id TEXT NOT NULL REFERENCES practitioners(id),
    position INTEGER NOT NULL,
    PRIMARY KEY (organization_id, specialty, practitioner_id)
);

-- Art. 23: the simple queue's pointer per organisation and profile. Advanced by one atomic
-- UPDATE … RETURNING, so concurrent requests on any number of nodes take turns.
CREATE TABLE consultant_queues (
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    specialty TEXT NOT NULL REFERENCES specialties(code),
    turns BIGINT NOT NULL,
    PRIMARY KEY (organization_id, specialty)
);

CREATE TABLE councils (
    id TEXT PRIMARY KEY NOT NULL,
    patient_id TEXT NOT NULL REFERENCES users(id),
    initiator_id TEXT NOT NULL REFERENCES users(id),
    initiator_org_id TEXT NOT NULL REFERENCES organizations(id),
    question TEXT NOT NULL,
    -- 'urgent' or 'planned'.
    urgency TEXT NOT NULL,
    -- 'realtime' or 'deferred'.
    mode TEXT NOT NULL,
    -- 'patient' (on the patient's initiative) or 'own' (the doctor's, with the patient's agreement).
    initiative TEXT NOT NULL,
    -- 'awaiting_agreement', 'assembling', 'concluding', 'final', 'cancelled'.
    status TEXT NOT NULL,
    scheduled_at TIMESTAMP,
    deadline_at TIMESTAMP,
    patient_agreed_at TIMESTAMP,
    -- Why the initiator called it off, or the patient refused it.
    cancel_reason TEXT,
    -- Real time: the consultation whose call the council meets in.
    consultation_id TEXT REFERENCES consultations(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX councils_patient ON councils (patient_id);
CREATE INDEX councils_initiator ON councils (initiator_id);

CREATE TABLE council_members (
    id TEXT PRIMARY KEY NOT NULL,
    council_id TEXT NOT NULL REFERENCES councils(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    practitioner_id TEXT NOT NULL REFERENCES practitioners(id),
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    specialty TEXT,
    -- 'named' (art. 20), 'schedule' (art. 22) or 'round_robin' (art. 23).
    source TEXT NOT NULL,
    -- 'invited', 'accepted' or 'declined'.
    status TEXT NOT NULL,
    decline_reason TEXT,
    opinion TEXT,
    opinion_at TIMESTAMP,
    assigned_at TIMESTAMP NOT NULL
);
CREATE INDEX council_members_council ON council_members (council_id);
CREATE INDEX council_members_user ON council_members (user_id);

-- Art. 27: one conclusion per council; every version is a document all participants sign.
CREATE TABLE council_conclusions (
    council_id TEXT PRIMARY KEY NOT NULL REFERENCES councils(id),
    version INTEGER NOT NULL,
    -- 'draft', 'frozen', 'final' or 'dissent'.
    status TEXT NOT NULL,
    -- JSON: findings, diagnoses, recommendations.
    body TEXT NOT NULL,
    -- The frozen document's exact bytes and their SHA-256.
    canonical TEXT,
    sha256 TEXT,
    frozen_at TIMESTAMP,
    final_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE council_signatures (
    id TEXT PRIMARY KEY NOT NULL,
    council_id TEXT NOT NULL REFERENCES councils(id),
    version INTEGER NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    -- 'signed', 'refused' (dissent, with a reason) or 'voided' (the document changed after).
    status TEXT NOT NULL,
    refusal_reason TEXT,
    sha256 TEXT,
    signature TEXT,
    signature_form TEXT,
    signer_certificate TEXT,
    signer_name TEXT,
    signer_subject TEXT,
    signer_iin TEXT,
    cert_serial TEXT,
    cert_issuer TEXT,
    cert_not_after TIMESTAMP,
    at TIMESTAMP NOT NULL
);
CREATE INDEX council_signatures_council ON council_signatures (council_id, version);
