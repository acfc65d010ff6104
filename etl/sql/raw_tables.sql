-- Every curated row as written (all text), with where it came from.
CREATE OR REPLACE TEMP TABLE raw_events (
    file_id BIGINT, line BIGINT,
    ref VARCHAR, date VARCHAR, type VARCHAR, company VARCHAR, counterparty VARCHAR,
    amount VARCHAR, currency VARCHAR, amount_qualifier VARCHAR, status VARCHAR,
    product VARCHAR, modality VARCHAR, title VARCHAR, source_url VARCHAR,
    publisher VARCHAR, source_language VARCHAR, notes VARCHAR
);

CREATE OR REPLACE TEMP TABLE raw_sources (
    file_id BIGINT, line BIGINT,
    event_ref VARCHAR, source_url VARCHAR, publisher VARCHAR, source_language VARCHAR,
    reported_amount VARCHAR, reported_currency VARCHAR, notes VARCHAR
);

-- Rows the CSV parser itself could not split into the header's columns.
CREATE OR REPLACE TEMP TABLE csv_rejects (
    file_id BIGINT, line BIGINT, column_name VARCHAR, value VARCHAR, reason VARCHAR
);

-- A cell as the contract sees it: trimmed of etl.models.BLANK_CHARS, empty meaning missing.
-- (Only a cell whose first or last character is a control character or space can need
-- trimming; testing that first is several times faster than trimming every cell.)
CREATE OR REPLACE TEMP MACRO cell(x, blank) AS nullif(
    CASE WHEN ord(x) <= 32 OR ord(reverse(x)) <= 32 THEN trim(x, blank) ELSE x END,
    '');

-- Money cells, shared by events (amount, currency) and extra sources (reported_amount,
-- reported_currency); the rules of etl.models.parse_amount and resolve_currency.
-- parts: regexp_extract(text, AMOUNT_PATTERN, ['sign', 'symbol', 'digits', 'fraction',
-- 'scale']); its digits group is empty when the text does not match.
CREATE OR REPLACE TEMP MACRO amount_value(parts, scale_words, scale_factors) AS
    CASE WHEN parts.digits <> '' THEN CAST(
        CAST(replace(parts.digits, ',', '') || '.' || coalesce(nullif(parts.fraction, ''), '0')
            AS DECIMAL(38, 6))
        * scale_factors[list_position(scale_words, lower(parts.scale))]
        AS DECIMAL(38, 2))
    END;

CREATE OR REPLACE TEMP MACRO amount_error(text, parts, value, max_amount) AS
    CASE
        WHEN text IS NOT NULL AND NOT parts.digits <> '' THEN 'amount_unparseable'
        WHEN parts.sign = '-' THEN 'amount_negative'
        WHEN value > CAST(max_amount AS DECIMAL(38, 2)) THEN 'amount_too_large'
    END;

-- The currency of a readable amount: the column's, else its sign's ($ € £).
CREATE OR REPLACE TEMP MACRO currency_error(parses, written, by_symbol, currencies) AS
    CASE
        WHEN NOT coalesce(parses, false) THEN NULL
        WHEN written IS NULL AND by_symbol IS NULL THEN 'currency_missing'
        WHEN written <> by_symbol THEN 'currency_conflict'
        WHEN NOT list_contains(currencies, coalesce(written, by_symbol)) THEN 'currency_unknown'
    END;
