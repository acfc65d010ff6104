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
