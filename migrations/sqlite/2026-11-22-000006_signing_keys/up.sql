-- WebCrypto keys enrolled with the platform CA: the certificate it issued for the public key the
-- doctor proved to hold (a signed challenge). The private key never leaves the browser.
CREATE TABLE signing_keys (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    -- DER, base64.
    certificate TEXT NOT NULL,
    -- Hex, upper case, as the health passport shows it.
    serial TEXT NOT NULL UNIQUE,
    not_after TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX signing_keys_user ON signing_keys (user_id);

-- One open enrolment challenge per user, kept only as its SHA-256; single use, short-lived.
CREATE TABLE signing_key_challenges (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users(id),
    challenge_hash TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
