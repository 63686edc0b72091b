-- The keyed audit chain (src/audit): rows written from now on are HMAC-SHA256 with a key kept
-- outside the database; the rows already here stay plain SHA-256 and verifiable.
ALTER TABLE audit_events ADD COLUMN algo TEXT NOT NULL DEFAULT 'sha256';

-- The one row that numbers the log: last_seq only grows, in the transaction of each append, so a
-- deleted tail leaves a gap instead of its numbers being reused. legacy_until is the last row
-- written before the keyed chain; key_id and mac are set when a process first seals the log
-- with its key.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    last_seq BIGINT NOT NULL,
    last_hash TEXT NOT NULL,
    legacy_until BIGINT NOT NULL,
    key_id TEXT,
    mac TEXT
);
INSERT INTO audit_head (id, last_seq, last_hash, legacy_until)
SELECT 1,
       COALESCE(MAX(seq), 0),
       COALESCE((SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1),
                '0000000000000000000000000000000000000000000000000000000000000000'),
       COALESCE(MAX(seq), 0)
FROM audit_events;

-- Append-only: whoever can open the file can drop these, which the HMAC and the checkpoints
-- outside the database then reveal.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
