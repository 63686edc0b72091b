DROP TABLE outbox;
DROP TABLE consultation_events;
DROP TABLE consultations;
DROP TABLE consent_codes;
DROP TABLE e_documents;
