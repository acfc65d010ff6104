-- The account of every file: rows_read = loaded + duplicates + rejected.
INSERT INTO input_files
WITH outcomes AS (
    SELECT file_id, outcome FROM outcomes
    UNION ALL
    SELECT file_id, outcome FROM source_outcomes
    UNION ALL
    SELECT file_id, 'rejected' FROM (SELECT DISTINCT file_id, line FROM csv_rejects)
)
SELECT
    f.file,
    f.kind,
    f.sha256,
    count(o.outcome),
    count(o.outcome) FILTER (WHERE o.outcome = 'loaded'),
    count(o.outcome) FILTER (WHERE o.outcome = 'duplicate'),
    count(o.outcome) FILTER (WHERE o.outcome = 'rejected'),
    f.ignored_columns
FROM input_names AS f
LEFT JOIN outcomes AS o USING (file_id)
GROUP BY f.file_id, f.file, f.kind, f.sha256, f.ignored_columns
ORDER BY f.file_id;

INSERT INTO rejects
SELECT f.file, c.line, c.column_name, c.value, 'csv_malformed', c.reason
FROM csv_rejects AS c
JOIN input_names AS f USING (file_id);
