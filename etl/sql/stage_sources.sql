-- Validate and load the extra sources (rules of etl.models.SourceRow, in its order). A
-- source repeating one the event already has (same event, same URL) is a duplicate.
CREATE OR REPLACE TEMP TABLE staged_sources AS
WITH cleaned AS (
    SELECT
        file_id,
        line,
        cell(event_ref, $blank) AS event_ref,
        cell(source_url, $blank) AS source_url,
        cell(publisher, $blank) AS publisher,
        cell(source_language, $blank) AS source_language,
        cell(reported_amount, $blank) AS amount_text,
        upper(cell(reported_currency, $blank)) AS currency_text,
        cell(notes, $blank) AS notes
    FROM sources_read
),
parsed AS (
    SELECT
        *,
        regexp_extract(
            amount_text, $amount_pattern, ['sign', 'symbol', 'digits', 'fraction', 'scale']
        ) AS amount_parts
    FROM cleaned
),
valued AS (
    SELECT
        *,
        amount_parts.digits <> '' AS amount_parses,
        amount_value(amount_parts, $scale_words, $scale_factors) AS amount_value,
        $symbol_currencies[list_position($symbols, amount_parts.symbol)] AS symbol_currency,
        CASE WHEN amount_parts.digits <> ''
            THEN coalesce(currency_text, symbol_currency) END AS currency
    FROM parsed
),
events_by_ref AS (
    SELECT lower(ref) AS ref_key, event_id, date FROM events WHERE ref IS NOT NULL
)
SELECT
    v.*,
    e.event_id,
    TRY_CAST(v.amount_value / CASE WHEN v.currency = 'USD' THEN 1 ELSE fx.units_per_usd END
        AS DECIMAL(18, 2)) AS amount_usd,
    list_filter([
        CASE WHEN v.event_ref IS NULL THEN 'event_ref_missing' END,
        CASE WHEN v.source_url IS NULL THEN 'source_url_missing' END,
        CASE WHEN v.source_url IS NOT NULL AND NOT regexp_matches(v.source_url, $url_pattern)
            THEN 'source_url_not_http' END,
        amount_error(v.amount_text, v.amount_parts, v.amount_value, $max_amount),
        currency_error(v.amount_parses, v.currency_text, v.symbol_currency, $currencies),
        CASE WHEN v.event_ref IS NOT NULL AND e.event_id IS NULL THEN 'event_ref_unknown' END
    ], lambda x: x IS NOT NULL) AS errors,
    row_number() OVER (PARTITION BY e.event_id, v.source_url ORDER BY v.file_id, v.line)
        AS copy_number
FROM valued AS v
LEFT JOIN events_by_ref AS e ON e.ref_key = lower(v.event_ref)
ASOF LEFT JOIN fx_rates AS fx ON fx.currency = v.currency AND e.date >= fx.valid_from;

CREATE OR REPLACE TEMP TABLE source_outcomes AS
SELECT
    s.file_id,
    s.line,
    s.event_id,
    s.errors,
    CASE
        WHEN len(s.errors) > 0 THEN 'rejected'
        WHEN s.copy_number > 1 OR p.event_id IS NOT NULL THEN 'duplicate'
        ELSE 'loaded'
    END AS outcome
FROM staged_sources AS s
LEFT JOIN events AS p ON p.event_id = s.event_id AND p.source_url = s.source_url;

INSERT INTO extra_sources
SELECT
    s.event_id, s.source_url, s.publisher, s.source_language, s.amount_value, s.currency,
    s.amount_usd, s.notes, f.file, s.line
FROM staged_sources AS s
JOIN source_outcomes AS o USING (file_id, line)
JOIN input_names AS f USING (file_id)
WHERE o.outcome = 'loaded';

INSERT INTO rejects
SELECT
    f.file,
    s.line,
    CASE r.column_name
        WHEN 'amount' THEN 'reported_amount'
        WHEN 'currency' THEN 'reported_currency'
        ELSE r.column_name
    END,
    CASE r.column_name
        WHEN 'event_ref' THEN raw.event_ref
        WHEN 'source_url' THEN raw.source_url
        WHEN 'amount' THEN raw.reported_amount
        WHEN 'currency' THEN raw.reported_currency
    END,
    r.code,
    r.message
FROM (SELECT file_id, line, unnest(errors) AS code FROM staged_sources) AS s
JOIN reasons AS r USING (code)
JOIN sources_read AS raw USING (file_id, line)
JOIN input_names AS f USING (file_id);
