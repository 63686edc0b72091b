DROP TABLE icd10_titles;
DROP TABLE icd10_imports;
