-- Load the first valid row of each event id (with its own source); later rows with the
-- same id are duplicates; broken rules go to rejects. Companies named by loaded rows and
-- known to no seed become new entities.

-- Ids given to more than one valid row, and the row that loads (few: a hash aggregate,
-- not a window over every row).
CREATE OR REPLACE TEMP TABLE repeated_ids AS
SELECT event_id, min((file_id, line)) AS first
FROM staged_events
WHERE len(errors) = 0
GROUP BY event_id
HAVING count(*) > 1;

CREATE OR REPLACE TEMP VIEW outcomes AS
SELECT
    s.file_id,
    s.line,
    CASE
        WHEN len(s.errors) > 0 THEN 'rejected'
        WHEN r.event_id IS NOT NULL AND (s.file_id, s.line) <> r.first THEN 'duplicate'
        ELSE 'loaded'
    END AS outcome
FROM staged_events AS s
LEFT JOIN repeated_ids AS r ON r.event_id = s.event_id AND len(s.errors) = 0;
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
    k.source_url,
    k.publisher,
    k.source_language,
    k.company,
    k.counterparty,
    f.file,
    k.line,
    coalesce(c.parent_id, k.company_id),
    coalesce(cp.parent_id, k.counterparty_id),
    t.spend_by_company,
    t.raised_by_company,
    t.received_by_counterparty
FROM staged_events AS k
LEFT JOIN repeated_ids AS r ON r.event_id = k.event_id
JOIN input_names AS f USING (file_id)
JOIN event_types AS t USING (type)
LEFT JOIN companies AS c ON c.company_id = k.company_id
LEFT JOIN companies AS cp ON cp.company_id = k.counterparty_id
WHERE len(k.errors) = 0 AND (r.event_id IS NULL OR (k.file_id, k.line) = r.first);

INSERT INTO duplicates
SELECT f.file, k.line, k.event_id, ff.file, r.first[2]
FROM staged_events AS k
JOIN outcomes AS o USING (file_id, line)
JOIN repeated_ids AS r ON r.event_id = k.event_id
JOIN input_names AS f ON f.file_id = k.file_id
JOIN input_names AS ff ON ff.file_id = r.first[1]
WHERE o.outcome = 'duplicate';

INSERT INTO rejects
SELECT
    f.file,
    s.line,
    r.column_name,
    CASE r.column_name
        WHEN 'date' THEN raw.date
        WHEN 'type' THEN raw.type
        WHEN 'company' THEN raw.company
        WHEN 'counterparty' THEN raw.counterparty
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
JOIN events_read AS raw USING (file_id, line)
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
