-- Model and product launches per company and modality.
WITH per_modality AS (
    SELECT
        party_id,
        modality,
        count(*) FILTER (WHERE type = 'model_launch') AS model_launches,
        count(*) FILTER (WHERE type = 'product_launch') AS product_launches,
        min(date) AS first_launch,
        max(date) AS last_launch
    FROM scoped_parties(
        CAST($companies AS VARCHAR[]), CAST($since AS DATE), CAST($until AS DATE),
        CAST($types AS VARCHAR[]), CAST($modalities AS VARCHAR[]), $rollup, $include_uncertain)
    WHERE type IN ('model_launch', 'product_launch') AND role = 'company'
    GROUP BY ALL
)
SELECT p.party_id AS company_id, c.name AS company, p.* EXCLUDE (party_id)
FROM per_modality AS p
JOIN companies AS c ON c.company_id = p.party_id
ORDER BY company, p.modality
