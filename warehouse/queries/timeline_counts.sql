-- Events per company, period and type. An event is placed in the period holding the first
-- day of its stated date (a year-precision event falls in January / Q1).
WITH counts AS (
    SELECT
        party_id,
        CAST(date_trunc($period, date) AS DATE) AS period,
        type,
        count(*) AS events  -- one row per event per company
    FROM scoped_parties(
        CAST($companies AS VARCHAR[]), CAST($since AS DATE), CAST($until AS DATE),
        CAST($types AS VARCHAR[]), CAST($modalities AS VARCHAR[]), $rollup, $include_uncertain)
    GROUP BY ALL
)
SELECT k.party_id AS company_id, c.name AS company, k.period, k.type, k.events
FROM counts AS k
JOIN companies AS c ON c.company_id = k.party_id
ORDER BY company, k.period, k.type
