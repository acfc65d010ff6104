-- One row per event per involved company (after roll-up): what a swimlane chart and its
-- hover need. counterparty is the other side as written, not rolled up.
SELECT
    p.event_id,
    p.date,
    p.date_end,
    p.date_precision,
    p.party_id AS company_id,
    c.name AS company,
    p.role,
    o.name AS counterparty,
    p.type,
    p.title,
    p.amount_usd,
    p.amount_qualifier,
    p.status,
    p.product,
    p.modality,
    p.source_url
FROM scoped_parties(
        CAST($companies AS VARCHAR[]), CAST($since AS DATE), CAST($until AS DATE),
        CAST($types AS VARCHAR[]), CAST($modalities AS VARCHAR[]), $rollup, $include_uncertain) AS p
JOIN companies AS c ON c.company_id = p.party_id
LEFT JOIN companies AS o ON o.company_id = p.other_raw_id
ORDER BY p.date, company, p.event_id
