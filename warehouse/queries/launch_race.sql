-- Per modality: when each company first launched a model, in order, and how many days
-- after the first company it followed.
WITH firsts AS (
    SELECT
        modality,
        party_id AS company_id,
        party AS company,
        min(date) AS first_launch,
        arg_min(product, (date, event_id)) AS first_product
    FROM scoped_parties(
    CAST($companies AS VARCHAR[]), CAST($since AS DATE), CAST($until AS DATE),
    CAST($types AS VARCHAR[]), CAST($modalities AS VARCHAR[]), $rollup, $include_uncertain)
    WHERE type = 'model_launch' AND role = 'company' AND modality IS NOT NULL
    GROUP BY ALL
)
SELECT
    modality,
    rank() OVER (PARTITION BY modality ORDER BY first_launch) AS position,
    company_id,
    company,
    first_launch,
    first_product,
    first_value(company) OVER (PARTITION BY modality ORDER BY first_launch, company) AS leader,
    date_diff('day', min(first_launch) OVER (PARTITION BY modality), first_launch)
        AS days_after_leader
FROM firsts
ORDER BY modality, position, company
