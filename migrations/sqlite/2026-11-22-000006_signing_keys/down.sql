DROP TABLE signing_key_challenges;
DROP TABLE signing_keys;
