DROP TABLE record_materials;
DROP TABLE medical_records;
