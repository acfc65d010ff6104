-- Version 2: the building blocks of the analytic queries (warehouse/queries/*.sql), as
-- table macros so every query filters and rolls up the same way.

-- Each event seen from each side: the company (role 'company') and, when there is one, the
-- counterparty (role 'counterparty'). With rollup, a subsidiary stands for its parent
-- (Google DeepMind -> Google); roll-up goes one level up. When both sides roll up to one
-- company (Google buying DeepMind), the event is seen once, from the company's side.
CREATE MACRO event_parties(rollup) AS TABLE
WITH sides AS (
    SELECT event_id, 'company' AS role, company_id AS party_raw, counterparty_id AS other_raw
    FROM events
    UNION ALL
    SELECT event_id, 'counterparty', counterparty_id, company_id
    FROM events
    WHERE counterparty_id IS NOT NULL
)
SELECT
    s.event_id,
    s.role,
    CASE WHEN rollup THEN coalesce(p.parent_id, p.company_id) ELSE p.company_id END AS party_id,
    CASE WHEN rollup THEN coalesce(o.parent_id, o.company_id) ELSE o.company_id END AS other_id,
    o.name AS other_name
FROM sides AS s
JOIN companies AS p ON p.company_id = s.party_raw
LEFT JOIN companies AS o ON o.company_id = s.other_raw
WHERE s.role = 'company' OR party_id IS DISTINCT FROM other_id;

-- The events in scope, one row per event per involved party, with the money that flows
-- for that party:
--   spend_usd   money the party puts out (it is the company of licensing, investment,
--               acquisition, capex or compute_deal);
--   raised_usd  money the party takes in (it is the company of a funding_round, or the
--               counterparty of an investment or acquisition).
-- Cancelled and rumored events carry no money. With include_uncertain = false an "up to"
-- or estimated amount counts as undisclosed.
-- Filters: empty lists and NULL dates mean no restriction; a party filter keeps rows whose
-- party is listed; an event is in the window when its stated period overlaps it.
CREATE MACRO scoped_parties(companies, since, until, types, modalities, rollup,
                            include_uncertain) AS TABLE
WITH money AS (
    SELECT
        e.*,
        ep.role,
        ep.party_id,
        ep.other_id,
        ep.other_name AS other_party,
        t.spend_by_company AND ep.role = 'company' AS is_spend,
        (t.raised_by_company AND ep.role = 'company')
            OR (t.received_by_counterparty AND ep.role = 'counterparty') AS is_raise,
        -- other_party is the counterparty as named (not rolled up), for display
        e.status IN ('announced', 'completed')
            AND (include_uncertain OR coalesce(e.amount_qualifier, '') NOT IN ('up_to', 'estimated'))
            AS amount_counts
    FROM events AS e
    JOIN event_parties(rollup) AS ep USING (event_id)
    JOIN event_types AS t USING (type)
    WHERE (since IS NULL OR e.date_end >= since)
      AND (until IS NULL OR e.date <= until)
      AND (len(types) = 0 OR list_contains(types, e.type))
      AND (len(modalities) = 0 OR list_contains(modalities, e.modality))
      AND (len(companies) = 0 OR list_contains(companies, ep.party_id))
)
SELECT
    m.*,
    pc.name AS party,
    m.status NOT IN ('cancelled', 'rumored') AND (m.is_spend OR m.is_raise) AS is_deal,
    CASE WHEN m.is_spend AND m.amount_counts THEN m.amount_usd END AS spend_usd,
    CASE WHEN m.is_raise AND m.amount_counts THEN m.amount_usd END AS raised_usd
FROM money AS m
JOIN companies AS pc ON pc.company_id = m.party_id;
