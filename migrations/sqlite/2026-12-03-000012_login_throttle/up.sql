-- Sign-in attempts counted per key (a hash of the e-mail or of the client address) and fixed
-- window, incremented with one conditional upsert before the password is checked, so that
-- parallel attempts, on one node or several, each see a distinct count.
CREATE TABLE login_throttle (
    throttle_key TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    PRIMARY KEY (throttle_key, window_start)
);
CREATE INDEX login_throttle_window ON login_throttle (window_start);

-- Counted after the fact, it let parallel attempts through: replaced by login_throttle.
DROP TABLE login_failures;
