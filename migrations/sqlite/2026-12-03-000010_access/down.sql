DROP TABLE break_glass_grants;
ALTER TABLE consultations DROP COLUMN patient_agreed_at;
