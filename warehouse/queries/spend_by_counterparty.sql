-- Spend and money raised per company and counterparty (as written) over the whole window.
WITH per_counterparty AS (
    SELECT
        party_id,
        other_raw_id,
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
SELECT
    p.party_id AS company_id,
    c.name AS company,
    o.name AS counterparty,
    p.* EXCLUDE (party_id, other_raw_id)
FROM per_counterparty AS p
JOIN companies AS c ON c.company_id = p.party_id
LEFT JOIN companies AS o ON o.company_id = p.other_raw_id
ORDER BY p.spend_usd + p.raised_usd DESC, company, counterparty
