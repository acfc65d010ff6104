-- Resolve company names, give each valid row its stable id, and load the first row of
-- each id; later rows with the same id are duplicates. Needs name_map(name, company_id)
-- and input_names(file_id, file).
CREATE OR REPLACE TEMP TABLE keyed_events AS
WITH resolved AS (
    SELECT
        s.*,
        c.company_id,
        cp.company_id AS counterparty_id,
        'ev_' || left(md5(CASE
            WHEN s.ref IS NOT NULL THEN 'ref|' || lower(s.ref)
            ELSE concat_ws('|', s.type, CAST(s.date_start AS VARCHAR), s.date_precision,
                c.company_id, coalesce(cp.company_id, ''), lower(coalesce(s.product, '')),
                coalesce(CAST(s.amount_value AS VARCHAR), ''), coalesce(s.currency, ''))
        END), 16) AS event_id
    FROM staged_events AS s
    JOIN name_map AS c ON c.name = s.company
    LEFT JOIN name_map AS cp ON cp.name = s.counterparty
    WHERE len(s.errors) = 0
)
SELECT
    *,
    row_number() OVER (PARTITION BY event_id ORDER BY file_id, line) AS copy_number
FROM resolved;

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
FROM keyed_events AS k
JOIN input_names AS f USING (file_id)
WHERE k.copy_number = 1
ORDER BY k.date_start, k.event_id;

INSERT INTO event_sources
SELECT
    k.event_id, k.source_url, k.publisher, k.source_language,
    k.amount_value, k.currency, k.amount_usd, true, NULL, f.file, k.line
FROM keyed_events AS k
JOIN input_names AS f USING (file_id)
WHERE k.copy_number = 1;

INSERT INTO duplicates
SELECT f.file, k.line, k.event_id, ff.file, first.line
FROM keyed_events AS k
JOIN keyed_events AS first ON first.event_id = k.event_id AND first.copy_number = 1
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
