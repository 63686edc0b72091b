-- Every list walks an index in its own order from its cursor (issue 14): a doctor's
-- consultations newest first, an organisation's, the queue by due time, and the council a
-- consultation works in (a patient's list has consultations_patient already).
CREATE INDEX consultations_practitioner_page ON consultations (practitioner_id, created_at, id);
CREATE INDEX consultations_organization_page ON consultations (organization_id, created_at, id);
CREATE INDEX consultations_open_queue ON consultations (organization_id, status, slot_start, deadline_at);
CREATE INDEX councils_consultation ON councils (consultation_id);
