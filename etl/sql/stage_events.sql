-- Validate every raw event row in bulk. The rules and their order are those of
-- etl.models.EventRow; every value below comes from etl.rules.bulk_params(), and the parity
-- tests hold both to the same verdict. `errors` lists the codes of the rules a row breaks
-- (etl.models.REASONS), the first being the one EventRow reports. Valid rows also get their
-- companies (name_map, from etl.load) and their stable id.
CREATE OR REPLACE TEMP TABLE staged_events AS
WITH cleaned AS (
    SELECT
        file_id,
        line,
        cell(ref, $blank) AS ref,
        cell(date, $blank) AS date_text,
        cell(type, $blank) AS type_text,
        cell(company, $blank) AS company,
        cell(counterparty, $blank) AS counterparty,
        cell(amount, $blank) AS amount_text,
        upper(cell(currency, $blank)) AS currency_text,
        cell(amount_qualifier, $blank) AS qualifier_raw,
        cell(status, $blank) AS status_raw,
        cell(modality, $blank) AS modality_raw,
        cell(product, $blank) AS product,
        cell(title, $blank) AS title,
        cell(source_url, $blank) AS source_url,
        cell(publisher, $blank) AS publisher,
        cell(source_language, $blank) AS source_language,
        cell(notes, $blank) AS notes
    FROM events_read
),
parsed AS (
    SELECT
        * EXCLUDE (type_text, qualifier_raw, status_raw, modality_raw),
        -- Liberal spelling ('Funding round' -> funding_round); exact values skip the regex.
        CASE WHEN list_contains($event_types, type_text) THEN type_text
            ELSE regexp_replace(lower(type_text), '[ -]+', '_', 'g') END AS type,
        CASE WHEN list_contains($qualifiers, qualifier_raw) THEN qualifier_raw
            ELSE regexp_replace(lower(qualifier_raw), '[ -]+', '_', 'g') END AS qualifier_text,
        CASE WHEN list_contains($statuses, status_raw) THEN status_raw
            ELSE regexp_replace(lower(status_raw), '[ -]+', '_', 'g') END AS status_text,
        CASE WHEN list_contains($modalities, modality_raw) THEN modality_raw
            ELSE regexp_replace(lower(modality_raw), '[ -]+', '_', 'g') END AS modality,
        CASE
            WHEN regexp_matches(date_text, $day_pattern) THEN 'day'
            WHEN regexp_matches(date_text, $month_pattern) THEN 'month'
            WHEN regexp_matches(date_text, $quarter_pattern) THEN 'quarter'
            WHEN regexp_matches(date_text, $year_pattern) THEN 'year'
        END AS date_precision,
        regexp_extract(
            amount_text, $amount_pattern, ['sign', 'symbol', 'digits', 'fraction', 'scale']
        ) AS amount_parts
    FROM cleaned
),
valued AS (
    SELECT
        *,
        CASE date_precision
            WHEN 'day' THEN try_cast(date_text AS DATE)
            WHEN 'month' THEN try_cast(date_text || '-01' AS DATE)
            WHEN 'quarter' THEN try_cast(
                left(date_text, 4) || '-'
                || lpad(CAST(3 * CAST(right(date_text, 1) AS INTEGER) - 2 AS VARCHAR), 2, '0')
                || '-01' AS DATE)
            WHEN 'year' THEN try_cast(date_text || '-01-01' AS DATE)
        END AS date_start,
        amount_parts.digits <> '' AS amount_parses,
        amount_value(amount_parts, $scale_words, $scale_factors) AS amount_value,
        $symbol_currencies[list_position($symbols, amount_parts.symbol)] AS symbol_currency
    FROM parsed
),
checked AS (
    SELECT
        *,
        CASE WHEN amount_parses THEN coalesce(currency_text, symbol_currency) END AS currency,
        list_filter([
            CASE WHEN date_text IS NULL THEN 'date_missing' END,
            CASE WHEN type IS NULL THEN 'type_missing' END,
            CASE WHEN company IS NULL THEN 'company_missing' END,
            CASE WHEN title IS NULL THEN 'title_missing' END,
            CASE WHEN source_url IS NULL THEN 'source_url_missing' END,
            CASE
                WHEN date_text IS NOT NULL AND date_precision IS NULL THEN 'date_unparseable'
                WHEN date_precision IS NOT NULL AND (date_start IS NULL
                    OR year(date_start) NOT BETWEEN $min_year AND $max_year)
                    THEN 'date_impossible'
            END,
            CASE WHEN type IS NOT NULL AND NOT list_contains($event_types, type) THEN 'type_unknown' END,
            CASE WHEN source_url IS NOT NULL AND NOT regexp_matches(source_url, $url_pattern)
                THEN 'source_url_not_http' END,
            CASE WHEN qualifier_text IS NOT NULL AND NOT list_contains($qualifiers, qualifier_text)
                THEN 'qualifier_unknown' END,
            CASE WHEN status_text IS NOT NULL AND NOT list_contains($statuses, status_text)
                THEN 'status_unknown' END,
            CASE WHEN modality IS NOT NULL AND NOT list_contains($modalities, modality)
                THEN 'modality_unknown' END,
            CASE WHEN list_contains($modality_required_types, type) AND modality IS NULL
                THEN 'modality_missing' END,
            CASE WHEN list_contains($product_required_types, type) AND product IS NULL
                THEN 'product_missing' END,
            amount_error(amount_text, amount_parts, amount_value, $max_amount),
            CASE WHEN amount_parses AND list_contains($no_amount_types, type)
                THEN 'amount_not_allowed' END,
            currency_error(amount_parses, currency_text, symbol_currency, $currencies)
        ], lambda e: e IS NOT NULL) AS errors
    FROM valued
),
-- Each rate with the day before the next one of its currency: the period it is valid in.
-- (A range join on a few rows per currency; an ASOF join would sort every row.)
rates AS (
    SELECT
        currency,
        valid_from,
        coalesce(lead(valid_from) OVER (PARTITION BY currency ORDER BY valid_from),
                 DATE '9999-12-31') AS valid_until,
        units_per_usd
    FROM fx_rates
),
converted AS (
    SELECT
        c.* EXCLUDE (amount_parts, amount_parses, qualifier_text, status_text, errors),
        CASE WHEN c.amount_parses THEN coalesce(c.qualifier_text, $default_qualifier) END
            AS amount_qualifier,
        coalesce(c.status_text, $default_status) AS status,
        fx.units_per_usd,
        -- TRY_CAST: a rejected row's huge amount must not stop the refresh.
        CASE
            WHEN c.currency = 'USD' THEN TRY_CAST(c.amount_value AS DECIMAL(18, 2))
            ELSE TRY_CAST(c.amount_value / fx.units_per_usd AS DECIMAL(18, 2))
        END AS amount_usd,
        CASE
            WHEN len(c.errors) > 0 OR NOT coalesce(c.amount_parses, false) THEN c.errors
            WHEN c.currency <> 'USD' AND fx.units_per_usd IS NULL THEN ['fx_missing']
            WHEN amount_usd IS NULL THEN ['amount_too_large']  -- past 10^16 once in USD
            ELSE c.errors
        END AS errors
    FROM checked AS c
    LEFT JOIN rates AS fx
        ON fx.currency = c.currency
       AND c.date_start >= fx.valid_from AND c.date_start < fx.valid_until
),
keyed AS (
    SELECT
        v.*,
        c.company_id,
        cp.company_id AS counterparty_id,
        'ev_' || left(md5(CASE
            WHEN v.ref IS NOT NULL THEN 'ref|' || lower(v.ref)
            ELSE concat_ws('|', v.type, CAST(v.date_start AS VARCHAR), v.date_precision,
                c.company_id, coalesce(cp.company_id, ''), lower(coalesce(v.product, '')),
                coalesce(CAST(v.amount_value AS VARCHAR), ''), coalesce(v.currency, ''))
        END), 16) AS event_id
    FROM converted AS v
    LEFT JOIN name_map AS c ON c.name = v.company
    LEFT JOIN name_map AS cp ON cp.name = v.counterparty
)
SELECT
    * REPLACE (
        CASE WHEN len(errors) = 0 AND company_id = counterparty_id
            THEN ['counterparty_is_company'] ELSE errors END AS errors
    )
FROM keyed;
