DROP TABLE account_tokens;
ALTER TABLE sessions DROP COLUMN user_agent;
ALTER TABLE sessions DROP COLUMN ip;
ALTER TABLE users DROP COLUMN deactivated_at;
ALTER TABLE users DROP COLUMN email_verified_at;
