DROP TABLE call_messages;
DROP TABLE consultation_materials;
DROP TABLE consultation_guests;
ALTER TABLE consultations DROP COLUMN held_by;
ALTER TABLE consultations DROP COLUMN ended_at;
ALTER TABLE consultations DROP COLUMN started_at;
