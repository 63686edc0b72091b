-- Real-time consultations (art. 16, 33.2, 36): when the call started and ended and how it was
-- held (video, or telephone as art. 33.2 allows), the people invited besides the patient and
-- the doctor, the materials a call leaves (shared files, recordings, the chat transcript) and
-- the chat itself.
ALTER TABLE consultations ADD COLUMN started_at TIMESTAMP;
ALTER TABLE consultations ADD COLUMN ended_at TIMESTAMP;
-- 'video' or 'phone'; NULL until the consultation took place.
ALTER TABLE consultations ADD COLUMN held_by TEXT;

-- A second doctor, an interpreter or a relative invited by the consultation's doctor.
CREATE TABLE consultation_guests (
    id TEXT PRIMARY KEY NOT NULL,
    consultation_id TEXT NOT NULL REFERENCES consultations(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    -- 'guest_doctor', 'interpreter' or 'relative'.
    kind TEXT NOT NULL,
    invited_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (consultation_id, user_id)
);
CREATE INDEX consultation_guests_user ON consultation_guests (user_id);

-- Materials of the consultation's record (art. 36): each a blob addressed by its SHA-256.
CREATE TABLE consultation_materials (
    id TEXT PRIMARY KEY NOT NULL,
    consultation_id TEXT NOT NULL REFERENCES consultations(id),
    -- 'file', 'recording' or 'chat_transcript'.
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    -- Who uploaded the file, or whose media a recording holds.
    author_id TEXT REFERENCES users(id),
    -- JSON: for recordings the track kind, codec, frames or packets, start and end.
    details TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX consultation_materials_consultation ON consultation_materials (consultation_id, created_at);

-- The chat of a call, kept with the consultation.
CREATE TABLE call_messages (
    id TEXT PRIMARY KEY NOT NULL,
    consultation_id TEXT NOT NULL REFERENCES consultations(id),
    -- The line's place in the chat: 1, 2, 3… per consultation (times can tie).
    seq INTEGER NOT NULL,
    sender_id TEXT NOT NULL REFERENCES users(id),
    body TEXT NOT NULL,
    material_id TEXT REFERENCES consultation_materials(id),
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX call_messages_consultation ON call_messages (consultation_id, seq);
