-- Foundation: directory (art. 34), accounts, sessions, audit.
-- Ids are UUID text generated in Rust; times are UTC timestamps; JSON is text.

CREATE TABLE specialties (
    code TEXT PRIMARY KEY NOT NULL,
    name_ru TEXT NOT NULL,
    name_kk TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE organizations (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    licence_number TEXT NOT NULL,
    licensed_profiles TEXT NOT NULL,
    service_kinds TEXT NOT NULL,
    gobmp BOOLEAN NOT NULL,
    osms BOOLEAN NOT NULL,
    time_zone TEXT NOT NULL,
    consultation_minutes INTEGER NOT NULL,
    urgent_deadline_hours INTEGER NOT NULL CHECK (urgent_deadline_hours BETWEEN 3 AND 24),
    planned_deadline_hours INTEGER NOT NULL,
    paid BOOLEAN NOT NULL,
    price_list TEXT NOT NULL,
    payment_procedure TEXT NOT NULL,
    consent_procedure TEXT NOT NULL,
    anonymous_consultation TEXT NOT NULL,
    identification_procedure TEXT NOT NULL,
    conclusion_procedure TEXT NOT NULL,
    document_requirements TEXT NOT NULL,
    offer_acceptance TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE offer_versions (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    published_at TIMESTAMP NOT NULL,
    UNIQUE (organization_id, version)
);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    full_name TEXT NOT NULL,
    iin TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    organization_id TEXT REFERENCES organizations(id),
    language TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX users_organization ON users (organization_id);

CREATE TABLE representations (
    id TEXT PRIMARY KEY NOT NULL,
    representative_id TEXT NOT NULL REFERENCES users(id),
    patient_id TEXT NOT NULL REFERENCES users(id),
    basis TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (representative_id, patient_id)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_failures (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL,
    ip TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email, at);
CREATE INDEX login_failures_ip ON login_failures (ip, at);

CREATE TABLE practitioners (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL UNIQUE REFERENCES users(id),
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    position TEXT NOT NULL,
    qualification_category TEXT NOT NULL,
    academic_degree TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX practitioners_organization ON practitioners (organization_id);

CREATE TABLE practitioner_specialties (
    practitioner_id TEXT NOT NULL REFERENCES practitioners(id) ON DELETE CASCADE,
    specialty_code TEXT NOT NULL REFERENCES specialties(code),
    experience_years INTEGER NOT NULL,
    PRIMARY KEY (practitioner_id, specialty_code)
);
CREATE INDEX practitioner_specialties_code ON practitioner_specialties (specialty_code);

CREATE TABLE schedule_intervals (
    id TEXT PRIMARY KEY NOT NULL,
    practitioner_id TEXT NOT NULL REFERENCES practitioners(id) ON DELETE CASCADE,
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL
);
CREATE INDEX schedule_intervals_practitioner ON schedule_intervals (practitioner_id);

CREATE TABLE schedule_exceptions (
    id TEXT PRIMARY KEY NOT NULL,
    practitioner_id TEXT NOT NULL REFERENCES practitioners(id) ON DELETE CASCADE,
    day DATE NOT NULL,
    reason TEXT NOT NULL,
    UNIQUE (practitioner_id, day)
);

-- Append-only and hash-chained: each row carries the hash of the previous one.
CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_id TEXT,
    subject_id TEXT,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    ip TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_events_subject ON audit_events (subject_id, at);
