INSERT INTO raw_events BY NAME SELECT *, $file_id AS file_id FROM csv_numbered;
