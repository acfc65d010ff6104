-- Version 1 of the warehouse schema: reference data, events and their sources, and the
-- account of every input row (loaded, duplicate or rejected).

CREATE TABLE companies (
    company_id      VARCHAR NOT NULL,   -- slug, e.g. 'meta', 'google-deepmind'
    name            VARCHAR NOT NULL,   -- canonical display name
    kind            VARCHAR NOT NULL,   -- big_tech, ai_lab, ... or 'unknown' for new entities
    parent_id       VARCHAR,            -- roll-up target (Google DeepMind -> google)
    country         VARCHAR,
    is_new          BOOLEAN NOT NULL,   -- created by a refresh for a name no seed knows
    first_seen_file VARCHAR,            -- new entities: where the name first appeared
    first_seen_line BIGINT
);

CREATE TABLE company_aliases (
    company_id VARCHAR NOT NULL,
    alias      VARCHAR NOT NULL,
    language   VARCHAR,
    alias_key  VARCHAR NOT NULL         -- the name folded for matching (see etl/names.py)
);

CREATE TABLE event_types (
    type                     VARCHAR NOT NULL,
    label                    VARCHAR NOT NULL,
    spend_by_company         BOOLEAN NOT NULL,
    received_by_counterparty BOOLEAN NOT NULL,
    raised_by_company        BOOLEAN NOT NULL,
    description              VARCHAR NOT NULL
);

CREATE TABLE fx_rates (
    currency      VARCHAR NOT NULL,
    valid_from    DATE NOT NULL,
    units_per_usd DECIMAL(18, 6) NOT NULL,
    source_url    VARCHAR NOT NULL,
    note          VARCHAR
);

CREATE TABLE events (
    event_id         VARCHAR NOT NULL,  -- 'ev_' + 16 hex digits, stable across refreshes
    ref              VARCHAR,           -- the curator's own key, when given
    date             DATE NOT NULL,     -- first day of the stated period
    date_end         DATE NOT NULL,     -- last day of the stated period
    date_precision   VARCHAR NOT NULL,  -- day, month, quarter, year
    type             VARCHAR NOT NULL,
    company_id       VARCHAR NOT NULL,  -- the actor
    counterparty_id  VARCHAR,
    amount           DECIMAL(18, 2),    -- in the original currency
    currency         VARCHAR,
    amount_usd       DECIMAL(18, 2),
    units_per_usd    DECIMAL(18, 6),    -- the FX rate used (1 for USD)
    amount_qualifier VARCHAR,           -- exact, up_to, estimated, reported
    status           VARCHAR NOT NULL,
    title            VARCHAR NOT NULL,
    product          VARCHAR,
    modality         VARCHAR,
    notes            VARCHAR,
    source_url       VARCHAR NOT NULL,  -- the primary source, from the event row itself
    publisher        VARCHAR,
    source_language  VARCHAR,
    company_as_written      VARCHAR NOT NULL,
    counterparty_as_written VARCHAR,
    source_file      VARCHAR NOT NULL,  -- the curated file and line the event came from
    source_line      BIGINT NOT NULL,
    -- Copied at load from companies.parent_id and event_types, so that analytic queries
    -- read one table without joins (see warehouse/schema/002_analytics.sql).
    company_group            VARCHAR NOT NULL,  -- parent_id of company, or company_id
    counterparty_group       VARCHAR,
    spend_by_company         BOOLEAN NOT NULL,
    raised_by_company        BOOLEAN NOT NULL,
    received_by_counterparty BOOLEAN NOT NULL
);

-- Further sources of an event (from sources*.csv), each with the figure it gives.
CREATE TABLE extra_sources (
    event_id            VARCHAR NOT NULL,
    url                 VARCHAR NOT NULL,
    publisher           VARCHAR,
    language            VARCHAR,
    reported_amount     DECIMAL(18, 2),
    reported_currency   VARCHAR,
    reported_amount_usd DECIMAL(18, 2),
    notes               VARCHAR,
    source_file         VARCHAR NOT NULL,
    source_line         BIGINT NOT NULL
);

-- Every source of every event: the event's own (is_primary) and the extra ones.
CREATE VIEW event_sources AS
SELECT
    event_id, source_url AS url, publisher, source_language AS language,
    amount AS reported_amount, currency AS reported_currency,
    amount_usd AS reported_amount_usd, true AS is_primary, NULL AS notes,
    source_file, source_line
FROM events
UNION ALL
SELECT
    event_id, url, publisher, language, reported_amount, reported_currency,
    reported_amount_usd, false, notes, source_file, source_line
FROM extra_sources;

-- One row per broken rule of a rejected input row; a row may break several.
CREATE TABLE rejects (
    file        VARCHAR NOT NULL,
    line        BIGINT NOT NULL,
    column_name VARCHAR,
    value       VARCHAR,
    reason_code VARCHAR NOT NULL,
    reason      VARCHAR NOT NULL
);

CREATE TABLE duplicates (
    file       VARCHAR NOT NULL,
    line       BIGINT NOT NULL,
    event_id   VARCHAR NOT NULL,
    first_file VARCHAR NOT NULL,  -- the row that was loaded
    first_line BIGINT NOT NULL
);

-- rows_read = loaded + duplicates + rejected, for every file.
CREATE TABLE input_files (
    file            VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL,
    sha256          VARCHAR NOT NULL,
    rows_read       BIGINT NOT NULL,
    loaded          BIGINT NOT NULL,
    duplicates      BIGINT NOT NULL,
    rejected        BIGINT NOT NULL,
    ignored_columns VARCHAR[] NOT NULL
);

CREATE TABLE refresh_info (
    refreshed_at   TIMESTAMPTZ NOT NULL,
    data_dir       VARCHAR NOT NULL,
    seeds_dir      VARCHAR NOT NULL,
    tool_version   VARCHAR NOT NULL,
    duration_s     DOUBLE NOT NULL
);

-- Events whose sources give different figures (e.g. $14.3B vs $14.8B for one deal).
CREATE VIEW amount_conflicts AS
SELECT
    e.event_id,
    e.title,
    e.amount_usd,
    s.url AS other_source_url,
    s.reported_amount,
    s.reported_currency,
    s.reported_amount_usd
FROM events AS e
JOIN extra_sources AS s ON s.event_id = e.event_id
WHERE s.reported_amount_usd IS NOT NULL
  AND e.amount_usd IS NOT NULL
  AND s.reported_amount_usd <> e.amount_usd;
