-- One row per event per involved company (after roll-up): what a swimlane chart and its
-- hover need.
SELECT
    p.event_id,
    p.date,
    p.date_end,
    p.date_precision,
    p.party_id AS company_id,
    p.party AS company,
    p.role,
    p.other_party AS counterparty,
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
ORDER BY p.date, p.party, p.event_id
