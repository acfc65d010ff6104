-- Every launch with the days since the same company's previous launch in that modality.
WITH launches AS (
    SELECT
        party_id,
        modality,
        date,
        date_precision,
        type,
        product,
        lag(date) OVER w AS previous_date,
        lag(product) OVER w AS previous_product,
        date_diff('day', lag(date) OVER w, date) AS days_since_previous
    FROM scoped_parties(
        CAST($companies AS VARCHAR[]), CAST($since AS DATE), CAST($until AS DATE),
        CAST($types AS VARCHAR[]), CAST($modalities AS VARCHAR[]), $rollup, $include_uncertain)
    WHERE type IN ('model_launch', 'product_launch') AND role = 'company'
    WINDOW w AS (PARTITION BY party_id, modality ORDER BY date, event_id)
)
SELECT l.party_id AS company_id, c.name AS company, l.* EXCLUDE (party_id)
FROM launches AS l
JOIN companies AS c ON c.company_id = l.party_id
ORDER BY company, l.modality, l.date
