INSERT INTO raw_sources BY NAME SELECT *, $file_id AS file_id FROM csv_numbered;
