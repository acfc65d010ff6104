-- Per modality: when each company first launched a model, in order, and how many days
-- after the first company it followed.
WITH firsts AS (
    SELECT
        modality,
        party_id,
        min(date) AS first_launch,
        arg_min(product, (date, event_id)) AS first_product
    FROM scoped_parties(
        CAST($companies AS VARCHAR[]), CAST($since AS DATE), CAST($until AS DATE),
        CAST($types AS VARCHAR[]), CAST($modalities AS VARCHAR[]), $rollup, $include_uncertain)
    WHERE type = 'model_launch' AND role = 'company' AND modality IS NOT NULL
    GROUP BY ALL
)
SELECT
    f.modality,
    rank() OVER (PARTITION BY f.modality ORDER BY f.first_launch) AS position,
    f.party_id AS company_id,
    c.name AS company,
    f.first_launch,
    f.first_product,
    first_value(c.name) OVER (PARTITION BY f.modality ORDER BY f.first_launch, c.name) AS leader,
    date_diff('day', min(f.first_launch) OVER (PARTITION BY f.modality), f.first_launch)
        AS days_after_leader
FROM firsts AS f
JOIN companies AS c ON c.company_id = f.party_id
ORDER BY f.modality, position, company
