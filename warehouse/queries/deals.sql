-- Every deal whose amount counts as money (the rules of scoped_parties), once per event,
-- largest first: the "biggest deals" table.
WITH counted AS (
    SELECT DISTINCT event_id
    FROM scoped_parties(
        CAST($companies AS VARCHAR[]), CAST($since AS DATE), CAST($until AS DATE),
        CAST($types AS VARCHAR[]), CAST($modalities AS VARCHAR[]), $rollup, $include_uncertain)
    WHERE is_deal AND NOT is_undisclosed
)
SELECT
    e.event_id,
    e.date,
    e.date_precision,
    e.type,
    c.name AS company,
    o.name AS counterparty,
    e.amount,
    e.currency,
    e.amount_usd,
    e.amount_qualifier,
    e.status,
    e.title,
    e.source_url
FROM counted
JOIN events AS e USING (event_id)
JOIN companies AS c ON c.company_id = e.company_id
LEFT JOIN companies AS o ON o.company_id = e.counterparty_id
ORDER BY e.amount_usd DESC, e.date DESC, e.event_id
