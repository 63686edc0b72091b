-- Accounts people manage themselves: a verified e-mail address, deactivation by the
-- organisation's administrator, and the single-use links sent by e-mail (verification, password
-- reset, a change of address, an invitation). A link's token is stored only as its SHA-256.
ALTER TABLE users ADD COLUMN email_verified_at TIMESTAMP;
ALTER TABLE users ADD COLUMN deactivated_at TIMESTAMP;

-- Who opened a session, so that its owner can recognise and revoke it.
ALTER TABLE sessions ADD COLUMN ip TEXT;
ALTER TABLE sessions ADD COLUMN user_agent TEXT;

CREATE TABLE account_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    -- verify_email, reset_password, change_email or invite
    purpose TEXT NOT NULL,
    -- The address being confirmed (verify_email, change_email).
    email TEXT,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose);

-- Accounts that existed before verification was introduced were created by administrators or
-- the demo data and have been in use: they count as verified.
UPDATE users SET email_verified_at = created_at;
