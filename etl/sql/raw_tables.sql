-- Every curated row as written (all text), file after file in file order, so that a row's
-- rowid, less its file's first_row, is its position in the file. Events files fill the
-- event columns, sources files the source columns (shared: source_url, publisher,
-- source_language, notes).
CREATE OR REPLACE TEMP TABLE raw_rows (
    file_id BIGINT,
    ref VARCHAR, date VARCHAR, type VARCHAR, company VARCHAR, counterparty VARCHAR,
    amount VARCHAR, currency VARCHAR, amount_qualifier VARCHAR, status VARCHAR,
    product VARCHAR, modality VARCHAR, title VARCHAR, source_url VARCHAR,
    publisher VARCHAR, source_language VARCHAR, notes VARCHAR,
    event_ref VARCHAR, reported_amount VARCHAR, reported_currency VARCHAR
);

-- The files read: how the warehouse names each (label), its kind and digest, the columns it
-- has that the loader does not know, and the rowid of its first row in raw_rows.
CREATE OR REPLACE TEMP TABLE input_names (
    file_id BIGINT, file VARCHAR, kind VARCHAR, sha256 VARCHAR, ignored_columns VARCHAR[],
    first_row BIGINT
);

-- The reject reasons of etl.models.REASONS: code, the column it names, the message.
CREATE OR REPLACE TEMP TABLE reasons (code VARCHAR, column_name VARCHAR, message VARCHAR);

-- Physical lines of the rows of files where records and lines differ (quoted line breaks,
-- blank lines, malformed records): k is the row's position in its file (from etl.load).
CREATE OR REPLACE TEMP TABLE line_map (file_id BIGINT, k BIGINT, line BIGINT);

-- The rows with their physical line: the header is line 1, so by default a row's line is
-- its position + 2.
CREATE OR REPLACE TEMP VIEW rows_read AS
SELECT
    r.*,
    f.kind,
    coalesce(m.line, r.rowid - f.first_row + 2) AS line
FROM raw_rows AS r
JOIN input_names AS f USING (file_id)
LEFT JOIN line_map AS m ON m.file_id = r.file_id AND m.k = r.rowid - f.first_row;

CREATE OR REPLACE TEMP VIEW events_read AS SELECT * FROM rows_read WHERE kind = 'events';
CREATE OR REPLACE TEMP VIEW sources_read AS SELECT * FROM rows_read WHERE kind = 'sources';

-- Rows the CSV parser itself could not split into the header's columns.
CREATE OR REPLACE TEMP TABLE csv_rejects (
    file_id BIGINT, line BIGINT, column_name VARCHAR, value VARCHAR, reason VARCHAR
);

-- A cell as the contract sees it: trimmed of etl.models.BLANK_CHARS, empty meaning missing.
-- (Only a cell whose first or last character is a control character or space can need
-- trimming; testing that first is several times faster than trimming every cell.)
CREATE OR REPLACE TEMP MACRO cell(x, blank) AS nullif(
    CASE WHEN ord(x) <= 32 OR ord(x[-1]) <= 32 THEN trim(x, blank) ELSE x END,
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
