-- One edge per pair of companies that share events: how many, which types, the money of
-- their deals, first and last date. A company filter keeps edges touching a listed company.
WITH pairs AS (
    SELECT
        least(party_id, other_id) AS source_id,
        greatest(party_id, other_id) AS target_id,
        type,
        date,
        coalesce(spend_usd, raised_usd) AS amount_usd
    FROM scoped_parties(
        CAST([] AS VARCHAR[]), CAST($since AS DATE), CAST($until AS DATE),
        CAST($types AS VARCHAR[]), CAST($modalities AS VARCHAR[]), $rollup, $include_uncertain)
    WHERE role = 'company' AND other_id IS NOT NULL AND other_id <> party_id
),
edges AS (
    SELECT
        source_id,
        target_id,
        count(*) AS events,
        string_agg(DISTINCT type, ', ' ORDER BY type) AS types,
        coalesce(sum(amount_usd), 0) AS total_usd,
        min(date) AS first_date,
        max(date) AS last_date
    FROM pairs
    WHERE len(CAST($companies AS VARCHAR[])) = 0
       OR list_contains(CAST($companies AS VARCHAR[]), source_id)
       OR list_contains(CAST($companies AS VARCHAR[]), target_id)
    GROUP BY ALL
)
SELECT
    e.source_id,
    s.name AS source,
    e.target_id,
    t.name AS target,
    e.* EXCLUDE (source_id, target_id)
FROM edges AS e
JOIN companies AS s ON s.company_id = e.source_id
JOIN companies AS t ON t.company_id = e.target_id
ORDER BY e.events DESC, e.total_usd DESC, source, target
