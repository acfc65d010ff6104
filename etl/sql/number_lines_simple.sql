-- The common case of number_lines.sql: every record on one line, none set aside, so a
-- row's line is its position after the header.
CREATE OR REPLACE TEMP VIEW csv_numbered AS
SELECT COLUMNS(lambda c: c NOT LIKE '\_\_%' ESCAPE '\'), rowid + 2 AS line
FROM csv_in;
