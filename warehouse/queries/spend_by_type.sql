-- Spend and money raised per company, period and event type.
WITH per_type AS (
    SELECT
        party_id,
        CAST(date_trunc($period, date) AS DATE) AS period,
        type,
        coalesce(sum(spend_usd), 0) AS spend_usd,
        coalesce(sum(raised_usd), 0) AS raised_usd,
        count(*) AS deals,
        count(*) FILTER (WHERE is_undisclosed) AS undisclosed_deals
    FROM scoped_parties(
        CAST($companies AS VARCHAR[]), CAST($since AS DATE), CAST($until AS DATE),
        CAST($types AS VARCHAR[]), CAST($modalities AS VARCHAR[]), $rollup, $include_uncertain)
    WHERE is_deal
    GROUP BY ALL
)
SELECT p.party_id AS company_id, c.name AS company, p.* EXCLUDE (party_id)
FROM per_type AS p
JOIN companies AS c ON c.company_id = p.party_id
ORDER BY company, p.period, p.type
