-- Per company and period: money out (spend) and in (raised), deals, deals without a
-- counted amount, deals whose stated date is coarser than the period (placed in the
-- period holding their first day), and running totals.
WITH per_period AS (
    SELECT
        party_id,
        CAST(date_trunc($period, date) AS DATE) AS period,
        coalesce(sum(spend_usd), 0) AS spend_usd,
        coalesce(sum(raised_usd), 0) AS raised_usd,
        count(*) AS deals,
        count(*) FILTER (WHERE is_undisclosed) AS undisclosed_deals,
        count(*) FILTER (
            WHERE list_position(['day', 'month', 'quarter', 'year'], date_precision)
                > list_position(['day', 'month', 'quarter', 'year'], $period)
        ) AS imprecise_deals
    FROM scoped_parties(
        CAST($companies AS VARCHAR[]), CAST($since AS DATE), CAST($until AS DATE),
        CAST($types AS VARCHAR[]), CAST($modalities AS VARCHAR[]), $rollup, $include_uncertain)
    WHERE is_deal
    GROUP BY ALL
)
SELECT
    p.party_id AS company_id,
    c.name AS company,
    p.* EXCLUDE (party_id),
    sum(p.spend_usd) OVER (PARTITION BY p.party_id ORDER BY p.period) AS cumulative_spend_usd,
    sum(p.raised_usd) OVER (PARTITION BY p.party_id ORDER BY p.period) AS cumulative_raised_usd
FROM per_period AS p
JOIN companies AS c ON c.company_id = p.party_id
ORDER BY company, p.period
