-- number_lines_simple.sql for files where records and lines differ (quoted line breaks,
-- blank lines, malformed records): line_map (__k = row position, line), from etl.load, holds
-- the physical line of each row read.
CREATE OR REPLACE TEMP VIEW csv_numbered AS
SELECT COLUMNS(lambda c: c NOT LIKE '\_\_%' ESCAPE '\')  -- the row's cells and its line
FROM (SELECT *, rowid AS __k FROM csv_in) AS r
JOIN line_map AS m USING (__k);
