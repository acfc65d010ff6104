-- One row per company over a window (default: the year up to the latest event) against
-- the same window a year earlier. Changes are differences (window minus year before).
-- count(*) counts events: a company appears once per event in scoped_parties.
WITH bounds AS (
    SELECT coalesce(CAST($until AS DATE), (SELECT max(date) FROM events)) AS window_end
),
windows AS (
    SELECT
        coalesce(CAST($since AS DATE),
                 CAST(window_end - INTERVAL 1 YEAR + INTERVAL 1 DAY AS DATE)) AS window_start,
        window_end
    FROM bounds
),
scoped AS (
    SELECT p.*, w.window_start, w.window_end
    FROM windows AS w,
        scoped_parties(
            CAST($companies AS VARCHAR[]),
            CAST((SELECT window_start - INTERVAL 1 YEAR FROM windows) AS DATE),
            (SELECT window_end FROM windows),
            CAST($types AS VARCHAR[]), CAST($modalities AS VARCHAR[]), $rollup,
            $include_uncertain) AS p
),
tagged AS (
    SELECT
        *,
        date >= window_start AND date <= window_end AS in_window,
        date >= CAST(window_start - INTERVAL 1 YEAR AS DATE)
            AND date <= CAST(window_end - INTERVAL 1 YEAR AS DATE) AS in_previous
    FROM scoped
),
totals AS (
    SELECT
        party_id,
        any_value(window_start) AS window_start,
        any_value(window_end) AS window_end,
        count(*) FILTER (WHERE in_window) AS events,
        count(*) FILTER (WHERE in_window AND type = 'partnership')
            AS partnerships,
        coalesce(sum(spend_usd) FILTER (WHERE in_window), 0) AS money_out_usd,
        coalesce(sum(raised_usd) FILTER (WHERE in_window), 0) AS money_raised_usd,
        count(*) FILTER (
            WHERE in_window AND role = 'company' AND type IN ('model_launch', 'product_launch')
        ) AS launches,
        max(date) FILTER (WHERE in_window) AS last_event,
        count(*) FILTER (WHERE in_previous) AS events_prev,
        count(*) FILTER (WHERE in_previous AND type = 'partnership')
            AS partnerships_prev,
        coalesce(sum(spend_usd) FILTER (WHERE in_previous), 0) AS money_out_prev_usd,
        coalesce(sum(raised_usd) FILTER (WHERE in_previous), 0) AS money_raised_prev_usd,
        count(*) FILTER (
            WHERE in_previous AND role = 'company' AND type IN ('model_launch', 'product_launch')
        ) AS launches_prev
    FROM tagged
    GROUP BY party_id
)
SELECT
    t.party_id AS company_id,
    c.name AS company,
    t.* EXCLUDE (party_id),
    events - events_prev AS events_change,
    partnerships - partnerships_prev AS partnerships_change,
    money_out_usd - money_out_prev_usd AS money_out_change_usd,
    money_raised_usd - money_raised_prev_usd AS money_raised_change_usd,
    launches - launches_prev AS launches_change
FROM totals AS t
JOIN companies AS c ON c.company_id = t.party_id
ORDER BY t.events DESC, company
