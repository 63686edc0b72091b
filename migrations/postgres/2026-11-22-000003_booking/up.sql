-- Booking (art. 6, 9, 12), consent and cancellation documents (art. 15, 33.1), deadlines
-- (art. 8, 13) and the transactional outbox for notifications (art. 14).

-- Electronic documents: consent acts and cancellations, each stored exactly as hashed.
CREATE TABLE e_documents (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    patient_id TEXT NOT NULL REFERENCES users(id),
    actor_id TEXT NOT NULL REFERENCES users(id),
    consultation_id TEXT,
    -- Orders one patient's acts at one organisation even within the same instant.
    seq INTEGER NOT NULL,
    canonical TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (organization_id, patient_id, seq)
);

-- One-time codes for accepting the offer by e-mail; only the hash is kept.
CREATE TABLE consent_codes (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    patient_id TEXT NOT NULL REFERENCES users(id),
    actor_id TEXT NOT NULL REFERENCES users(id),
    offer_version INTEGER NOT NULL,
    code_hash TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);

CREATE TABLE consultations (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    practitioner_id TEXT REFERENCES practitioners(id),
    patient_id TEXT NOT NULL REFERENCES users(id),
    booked_by TEXT NOT NULL REFERENCES users(id),
    initiative TEXT NOT NULL,
    status TEXT NOT NULL,
    mode TEXT NOT NULL,
    urgency TEXT NOT NULL,
    specialty TEXT,
    slot_start TIMESTAMP,
    slot_end TIMESTAMP,
    reason TEXT NOT NULL,
    funding TEXT NOT NULL,
    price_kzt BIGINT,
    requested_at TIMESTAMP NOT NULL,
    clock_started_at TIMESTAMP,
    deadline_at TIMESTAMP,
    breached_at TIMESTAMP,
    confirm_token_hash TEXT,
    ics_uid TEXT NOT NULL,
    ics_sequence INTEGER NOT NULL,
    cancelled_at TIMESTAMP,
    completed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- The database, not the process, makes a slot bookable once: it holds across API nodes.
CREATE UNIQUE INDEX consultations_one_booking_per_slot
    ON consultations (practitioner_id, slot_start)
    WHERE status <> 'cancelled' AND slot_start IS NOT NULL;
CREATE INDEX consultations_patient ON consultations (patient_id, created_at);
CREATE INDEX consultations_queue ON consultations (organization_id, status, deadline_at);

-- The history of a consultation: booking, agreement, reschedules, cancellation, breaches.
CREATE TABLE consultation_events (
    id TEXT PRIMARY KEY NOT NULL,
    consultation_id TEXT NOT NULL REFERENCES consultations(id),
    at TIMESTAMP NOT NULL,
    actor_id TEXT,
    kind TEXT NOT NULL,
    details TEXT NOT NULL
);
CREATE INDEX consultation_events_consultation ON consultation_events (consultation_id, at);

-- Transactional outbox: written with the change that causes it; a worker delivers it.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    consultation_id TEXT,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    ics TEXT,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    due_at TIMESTAMP NOT NULL,
    lease_until TIMESTAMP,
    last_error TEXT,
    provider_id TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX outbox_due ON outbox (status, due_at);
CREATE INDEX outbox_consultation ON outbox (consultation_id, status);
