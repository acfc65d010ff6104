-- Load the first valid row of each event id (staged_events.copy_number = 1) with its
-- primary source; later rows with the same id are duplicates; broken rules go to rejects.
-- Companies named only by loaded rows and known to no seed become new entities.
INSERT INTO events
SELECT
    k.event_id,
    k.ref,
    k.date_start,
    CASE k.date_precision
        WHEN 'day' THEN k.date_start
        WHEN 'month' THEN last_day(k.date_start)
        WHEN 'quarter' THEN last_day(CAST(k.date_start + INTERVAL 2 MONTH AS DATE))
        ELSE make_date(year(k.date_start), 12, 31)
    END,
    k.date_precision,
    k.type,
    k.company_id,
    k.counterparty_id,
    k.amount_value,
    k.currency,
    k.amount_usd,
    CASE WHEN k.currency = 'USD' THEN 1 ELSE k.units_per_usd END,
    k.amount_qualifier,
    k.status,
    k.title,
    k.product,
    k.modality,
    k.notes,
    k.company,
    k.counterparty,
    f.file,
    k.line
FROM staged_events AS k
JOIN input_names AS f USING (file_id)
WHERE k.copy_number = 1;

INSERT INTO event_sources
SELECT
    k.event_id, k.source_url, k.publisher, k.source_language,
    k.amount_value, k.currency, k.amount_usd, true, NULL, f.file, k.line
FROM staged_events AS k
JOIN input_names AS f USING (file_id)
WHERE k.copy_number = 1;

INSERT INTO duplicates
SELECT f.file, k.line, k.event_id, ff.file, first.line
FROM staged_events AS k
JOIN staged_events AS first ON first.event_id = k.event_id AND first.copy_number = 1
JOIN input_names AS f ON f.file_id = k.file_id
JOIN input_names AS ff ON ff.file_id = first.file_id
WHERE k.copy_number > 1;

INSERT INTO rejects
SELECT
    f.file,
    s.line,
    r.column_name,
    CASE r.column_name
        WHEN 'date' THEN raw.date
        WHEN 'type' THEN raw.type
        WHEN 'company' THEN raw.company
        WHEN 'title' THEN raw.title
        WHEN 'source_url' THEN raw.source_url
        WHEN 'amount_qualifier' THEN raw.amount_qualifier
        WHEN 'status' THEN raw.status
        WHEN 'modality' THEN raw.modality
        WHEN 'product' THEN raw.product
        WHEN 'amount' THEN raw.amount
        WHEN 'currency' THEN raw.currency
    END,
    r.code,
    r.message
FROM (SELECT file_id, line, unnest(errors) AS code FROM staged_events) AS s
JOIN reasons AS r USING (code)
JOIN raw_events AS raw USING (file_id, line)
JOIN input_names AS f USING (file_id);

INSERT INTO companies
WITH seen AS (
    SELECT m.company_id, m.name, e.source_file, e.source_line
    FROM name_map AS m
    JOIN events AS e ON m.name IN (e.company_as_written, e.counterparty_as_written)
    WHERE m.is_new
)
SELECT
    company_id,
    arg_min(name, (source_file, source_line)),
    'unknown',
    NULL,
    NULL,
    true,
    arg_min(source_file, (source_file, source_line)),
    arg_min(source_line, (source_file, source_line))
FROM seen
GROUP BY company_id;
