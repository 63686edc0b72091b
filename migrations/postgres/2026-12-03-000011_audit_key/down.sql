DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events;
DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events;
DROP FUNCTION IF EXISTS audit_events_refuse_change();
DROP TABLE audit_head;
ALTER TABLE audit_events DROP COLUMN algo;
