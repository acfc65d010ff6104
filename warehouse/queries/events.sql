-- One row per event: what happened, between whom, when (with precision), for how much,
-- and the primary source. Companies by canonical name; with $rollup a subsidiary is
-- matched by its parent's id too. $search matches title, notes, product and company names
-- regardless of case and diacritics (Latin accents, Arabic harakat and hamza forms).
WITH named AS (
    SELECT
        e.*,
        c.name AS company_name,
        cp.name AS counterparty_name
    FROM events AS e
    JOIN companies AS c ON c.company_id = e.company_id
    LEFT JOIN companies AS cp ON cp.company_id = e.counterparty_id
)
SELECT
    n.event_id,
    n.date,
    n.date_end,
    n.date_precision,
    n.type,
    n.company_name AS company,
    n.counterparty_name AS counterparty,
    n.amount,
    n.currency,
    n.amount_usd,
    n.amount_qualifier,
    n.status,
    n.title,
    n.product,
    n.modality,
    n.source_url,
    n.publisher,
    1 + coalesce(extra.sources, 0) AS source_count,
    n.notes
FROM named AS n
LEFT JOIN (SELECT event_id, count(*) AS sources FROM extra_sources GROUP BY event_id)
    AS extra ON extra.event_id = n.event_id
WHERE (CAST($since AS DATE) IS NULL OR n.date >= CAST($since AS DATE))
  AND (CAST($until AS DATE) IS NULL OR n.date <= CAST($until AS DATE))
  AND (len(CAST($types AS VARCHAR[])) = 0 OR list_contains(CAST($types AS VARCHAR[]), n.type))
  AND (len(CAST($modalities AS VARCHAR[])) = 0
       OR list_contains(CAST($modalities AS VARCHAR[]), n.modality))
  AND (len(CAST($companies AS VARCHAR[])) = 0
       OR list_has_any(CAST($companies AS VARCHAR[]), [n.company_id, n.counterparty_id])
       OR ($rollup AND list_has_any(CAST($companies AS VARCHAR[]),
                                    [n.company_group, n.counterparty_group])))
  AND ($search = ''
       OR contains(strip_accents(lower(concat_ws(' ', n.title, n.notes, n.product,
                                                 n.company_name, n.counterparty_name))),
                   strip_accents(lower($search))))
ORDER BY n.date, n.event_id
