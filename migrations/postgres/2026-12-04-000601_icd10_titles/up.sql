-- ICD-10 titles a clinic imported from its national classifier's file (`telemed icd10 import`),
-- per language; they take precedence over the titles shipped in the binary. An import replaces
-- every title of its language, so the rows of a language all carry the id of the import that
-- wrote them: that id tells a running server whether the titles it holds in memory are current.
CREATE TABLE icd10_imports (
    id TEXT PRIMARY KEY NOT NULL,
    -- ru or kk
    lang TEXT NOT NULL,
    -- The file's name as given, for the operator's record.
    source TEXT NOT NULL,
    accepted INTEGER NOT NULL,
    rejected INTEGER NOT NULL,
    imported_at TIMESTAMP NOT NULL
);

CREATE TABLE icd10_titles (
    lang TEXT NOT NULL,
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    import_id TEXT NOT NULL REFERENCES icd10_imports (id),
    PRIMARY KEY (lang, code)
);
CREATE INDEX icd10_titles_import ON icd10_titles (import_id);
