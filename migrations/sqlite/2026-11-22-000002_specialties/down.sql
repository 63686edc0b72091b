DELETE FROM specialties;
