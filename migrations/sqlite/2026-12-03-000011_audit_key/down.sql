DROP TRIGGER IF EXISTS audit_events_no_delete;
DROP TRIGGER IF EXISTS audit_events_no_update;
DROP TABLE audit_head;
ALTER TABLE audit_events DROP COLUMN algo;
