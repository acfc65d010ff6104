-- Append one curated CSV file to raw_rows: every column as text, in file order, columns the
-- loader does not know (named __ignored_N by etl.load) left out. Rows the parser cannot
-- split into the header's columns go to csv_bad_rows instead of stopping the read.
DROP TABLE IF EXISTS csv_bad_rows;
DROP TABLE IF EXISTS csv_bad_scans;
INSERT INTO raw_rows BY NAME
SELECT COLUMNS(lambda c: c NOT LIKE '\_\_%' ESCAPE '\'), $file_id AS file_id
FROM read_csv(
    $path,
    columns = $columns,
    header = true,
    auto_detect = false,
    delim = ',',
    quote = '"',
    escape = '"',
    strict_mode = true,
    store_rejects = true,
    rejects_table = 'csv_bad_rows',
    rejects_scan = 'csv_bad_scans'
);
