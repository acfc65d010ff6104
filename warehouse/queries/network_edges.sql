-- One edge per pair of companies that share events: how many, which types, the money of
-- their deals, first and last date. A company filter keeps edges touching a listed company.
WITH pairs AS (
    SELECT
        least(party_id, other_id) AS source_id,
        greatest(party_id, other_id) AS target_id,
        event_id,
        type,
        date,
        coalesce(spend_usd, raised_usd) AS amount_usd
    FROM scoped_parties(
    CAST([] AS VARCHAR[]), CAST($since AS DATE), CAST($until AS DATE),
    CAST($types AS VARCHAR[]), CAST($modalities AS VARCHAR[]), $rollup, $include_uncertain)
    WHERE role = 'company' AND other_id IS NOT NULL AND other_id <> party_id
)
SELECT
    p.source_id,
    s.name AS source,
    p.target_id,
    t.name AS target,
    count(*) AS events,
    string_agg(DISTINCT p.type, ', ' ORDER BY p.type) AS types,
    coalesce(sum(p.amount_usd), 0) AS total_usd,
    min(p.date) AS first_date,
    max(p.date) AS last_date
FROM pairs AS p
JOIN companies AS s ON s.company_id = p.source_id
JOIN companies AS t ON t.company_id = p.target_id
WHERE len(CAST($companies AS VARCHAR[])) = 0
   OR list_has_any(CAST($companies AS VARCHAR[]), [p.source_id, p.target_id])
GROUP BY ALL
ORDER BY events DESC, total_usd DESC, source, target
