-- Texts an organisation writes (its address, procedures, its doctors' job titles) in Kazakh and
-- English. The Russian text stays in its own column and is required; a reader whose language
-- has no translation here reads it. One row per owner, field and language.
CREATE TABLE text_translations (
    -- organization or practitioner
    owner_type TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    field TEXT NOT NULL,
    -- kk or en
    lang TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (owner_type, owner_id, field, lang)
);
