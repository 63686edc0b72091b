-- A planned real-time consultation has its slot, not a response deadline: the 72-hour deadline
-- it was given at booking made the watcher report a breach for appointments booked more than
-- three days ahead (such a breach was false, so it goes too). Urgent ones keep theirs (art. 8:
-- the slot must lie within it).
UPDATE consultations SET deadline_at = NULL, breached_at = NULL
WHERE mode = 'realtime' AND urgency = 'planned';

-- Reminders of consultations that were held, started, cancelled or declined are no longer
-- wanted; they were left pending and would still have been sent.
UPDATE outbox SET status = 'withdrawn', lease_until = NULL
WHERE status = 'pending'
  AND dedupe_key LIKE 'reminder:%'
  AND consultation_id IN (SELECT id FROM consultations WHERE status <> 'booked');
