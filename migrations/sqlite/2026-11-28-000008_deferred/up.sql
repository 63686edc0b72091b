-- Deferred consultations (art. 13, 17, 21; Order No. 5 of 2025): what is asked (a consultation,
-- the interpretation of a study, a second opinion), who asked from which organisation, the
-- consultant's requests for more documents (the deadline clock stops and restarts), a refusal
-- with its reason, and how the request was completed.
CREATE TABLE deferred_requests (
    consultation_id TEXT PRIMARY KEY NOT NULL REFERENCES consultations(id),
    -- 'consultation', 'interpretation' or 'second_opinion'.
    kind TEXT NOT NULL,
    -- Interpretation: the licensed profile of the study (a specialty code, e.g. 'radiology').
    study_profile TEXT,
    requester_id TEXT NOT NULL REFERENCES users(id),
    -- The treating doctor's organisation, when a doctor asked.
    requester_org_id TEXT REFERENCES organizations(id),
    -- The consultant asked for more documents: the clock stands, with this much left.
    paused_at TIMESTAMP,
    remaining_seconds BIGINT,
    documents_note TEXT,
    decline_reason TEXT,
    -- The signed conclusion that completed the request, and why it counts as complete (art. 21).
    conclusion_id TEXT REFERENCES medical_records(id),
    completion_reason TEXT,
    completed_at TIMESTAMP
);
