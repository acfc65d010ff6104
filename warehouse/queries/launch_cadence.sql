-- Every launch with the days since the same company's previous launch in that modality.
SELECT
    party_id AS company_id,
    party AS company,
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
ORDER BY company, modality, date
