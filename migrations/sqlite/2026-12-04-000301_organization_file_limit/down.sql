ALTER TABLE organizations DROP COLUMN max_file_bytes;
