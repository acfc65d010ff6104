-- Give each row read into csv_in its physical line in the file (a view read once, by
-- append_raw_*.sql). The parser numbers records, not lines; a record
-- spans more lines when a quoted cell holds line breaks, and a malformed record that was
-- set aside still used a line.
CREATE OR REPLACE TEMP VIEW csv_numbered AS
WITH bad AS (
    SELECT line AS record_line, row_number() OVER (ORDER BY line) - 1 AS bad_before
    FROM (SELECT DISTINCT line FROM csv_bad_rows)
),
kept AS (
    SELECT
        *,
        rowid AS __k,
        list_sum([coalesce(length(v) - length(replace(v, chr(10), '')), 0) FOR v IN [*COLUMNS(*)]])
            AS __breaks
    FROM csv_in
)
SELECT
    COLUMNS(lambda c: c NOT LIKE '\_\_%' ESCAPE '\'),
    __k + 2
        + (SELECT count(*) FROM bad WHERE bad.record_line - bad.bad_before <= kept.__k + 2)
        + sum(__breaks) OVER (ORDER BY __k ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
        - __breaks AS line
FROM kept;
