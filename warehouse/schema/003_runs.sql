-- Version 3: the refresh history, copied into each new warehouse as it is built (the
-- history itself lives in <warehouse>.runs.jsonl beside it: see etl/runlog.py).

CREATE TABLE runs (
    run_id       VARCHAR NOT NULL,
    started_at   TIMESTAMPTZ NOT NULL,
    ended_at     TIMESTAMPTZ NOT NULL,
    status       VARCHAR NOT NULL,   -- ok, failed, partial, unchanged
    trigger      VARCHAR NOT NULL,   -- manual, schedule
    swapped      BOOLEAN NOT NULL,   -- built a new warehouse (the newest such row built this one)
    events       BIGINT,
    seeds_sha256 VARCHAR,
    error        VARCHAR
);

CREATE TABLE run_sources (
    run_id         VARCHAR NOT NULL,
    source         VARCHAR NOT NULL,
    kind           VARCHAR NOT NULL,
    status         VARCHAR NOT NULL, -- ok, failed, unchanged
    files          VARCHAR[] NOT NULL,
    rows_read      BIGINT NOT NULL,
    loaded         BIGINT NOT NULL,
    duplicates     BIGINT NOT NULL,
    rejected       BIGINT NOT NULL,
    used_last_good BOOLEAN NOT NULL,
    error          VARCHAR
);
