-- Read one curated CSV file: every column as text. Rows the parser cannot split into the
-- header's columns go to csv_bad_rows instead of stopping the read.
DROP TABLE IF EXISTS csv_bad_rows;
DROP TABLE IF EXISTS csv_bad_scans;
CREATE OR REPLACE TEMP TABLE csv_in AS
SELECT *
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
