-- The largest file an organisation accepts in a consultation's documents and calls. NULL means
-- the platform's own limit (calls.max_file_bytes); a stored value above that limit is never
-- used beyond it, since the platform's limit can be lowered after the organisation set its own.
ALTER TABLE organizations ADD COLUMN max_file_bytes BIGINT;
