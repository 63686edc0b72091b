-- The keyed audit chain (src/audit): rows written from now on are HMAC-SHA256 with a key kept
-- outside the database; the rows already here stay plain SHA-256 and verifiable.
ALTER TABLE audit_events ADD COLUMN algo TEXT NOT NULL DEFAULT 'sha256';

-- The one row that numbers the log: last_seq only grows, in the transaction of each append, so a
-- deleted tail leaves a gap instead of its numbers being reused. legacy_until is the last row
-- written before the keyed chain; key_id and mac are set when a process first seals the log
-- with its key.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
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

-- Append-only: UPDATE, DELETE and TRUNCATE are refused. The table's owner can drop the triggers;
-- the HMAC and the checkpoints outside the database reveal what is done then.
CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();
