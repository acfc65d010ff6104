-- Events per company, period and type. An event is placed in the period holding the first
-- day of its stated date (a year-precision event falls in January / Q1).
SELECT
    party_id AS company_id,
    party AS company,
    CAST(date_trunc($period, date) AS DATE) AS period,
    type,
    count(DISTINCT event_id) AS events
FROM scoped_parties(
    CAST($companies AS VARCHAR[]), CAST($since AS DATE), CAST($until AS DATE),
    CAST($types AS VARCHAR[]), CAST($modalities AS VARCHAR[]), $rollup, $include_uncertain)
GROUP BY ALL
ORDER BY company, period, type
