-- Per company: distinct partners (degree), events, money out and money in. (A company
-- appears once per event: the ETL rejects an event whose counterparty is its company.)
WITH nodes AS (
    SELECT
        party_id,
        count(DISTINCT other_id) AS degree,
        count(*) AS events,
        coalesce(sum(spend_usd), 0) AS money_out_usd,
        coalesce(sum(raised_usd), 0) AS money_in_usd
    FROM scoped_parties(
        CAST($companies AS VARCHAR[]), CAST($since AS DATE), CAST($until AS DATE),
        CAST($types AS VARCHAR[]), CAST($modalities AS VARCHAR[]), $rollup, $include_uncertain)
    GROUP BY ALL
)
SELECT n.party_id AS company_id, c.name AS company, n.* EXCLUDE (party_id)
FROM nodes AS n
JOIN companies AS c ON c.company_id = n.party_id
ORDER BY n.degree DESC, company
