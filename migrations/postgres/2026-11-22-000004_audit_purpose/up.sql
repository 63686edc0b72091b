-- Why patient data was accessed: the consultation that links the reader to the patient (art. 35, 40).
ALTER TABLE audit_events ADD COLUMN purpose TEXT;
