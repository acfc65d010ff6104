-- Spend and money raised per company and counterparty over the whole window.
SELECT
    party_id AS company_id,
    party AS company,
    other_party AS counterparty,
    coalesce(sum(spend_usd), 0) AS spend_usd,
    coalesce(sum(raised_usd), 0) AS raised_usd,
    count(*) AS deals,
    count(*) FILTER (WHERE spend_usd IS NULL AND raised_usd IS NULL) AS undisclosed_deals
FROM scoped_parties(
    CAST($companies AS VARCHAR[]), CAST($since AS DATE), CAST($until AS DATE),
    CAST($types AS VARCHAR[]), CAST($modalities AS VARCHAR[]), $rollup, $include_uncertain)
WHERE is_deal
GROUP BY ALL
ORDER BY coalesce(sum(spend_usd), 0) + coalesce(sum(raised_usd), 0) DESC, company, counterparty
