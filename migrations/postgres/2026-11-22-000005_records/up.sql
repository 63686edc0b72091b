-- Medical records (Rules art. 36-37): a draft until its author signs it with an electronic
-- digital signature; then frozen. A correction is a new version pointing at the one it replaces.
CREATE TABLE medical_records (
    id TEXT PRIMARY KEY NOT NULL,
    -- The first version's id: every version of one record shares it.
    chain_id TEXT NOT NULL,
    patient_id TEXT NOT NULL REFERENCES users(id),
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    author_id TEXT NOT NULL REFERENCES users(id),
    consultation_id TEXT REFERENCES consultations(id),
    -- consultation_note | conclusion | referral | prescription
    kind TEXT NOT NULL,
    version INTEGER NOT NULL,
    replaces_id TEXT REFERENCES medical_records(id),
    -- draft | signed
    status TEXT NOT NULL,
    -- The structured content, canonical JSON.
    body TEXT NOT NULL,
    -- The document exactly as signed, and its SHA-256 (hex); set at signing, never rewritten.
    canonical TEXT,
    sha256 TEXT,
    -- The signature as received, base64; cms | raw_p256.
    signature TEXT,
    signature_form TEXT,
    signature_algorithm TEXT,
    -- The signer's certificate (DER, base64) and what the health passport shows of it.
    signer_certificate TEXT,
    signer_name TEXT,
    signer_subject TEXT,
    signer_iin TEXT,
    cert_serial TEXT,
    cert_issuer TEXT,
    cert_not_before TIMESTAMP,
    cert_not_after TIMESTAMP,
    signed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    -- One version per place in a chain, and one correction per version: chains never fork.
    UNIQUE (chain_id, version)
);
CREATE UNIQUE INDEX medical_records_replaces ON medical_records (replaces_id);
CREATE INDEX medical_records_patient ON medical_records (patient_id, status);

-- Files, recordings and chat transcripts a record rests on, linked by their hash.
CREATE TABLE record_materials (
    id TEXT PRIMARY KEY NOT NULL,
    record_id TEXT NOT NULL REFERENCES medical_records(id),
    -- file | recording | chat_transcript
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (record_id, sha256)
);
