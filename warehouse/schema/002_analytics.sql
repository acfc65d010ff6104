-- Version 2: the building block of the analytic queries (warehouse/queries/*.sql), a table
-- macro, so every query filters, rolls up and counts money the same way.
--
-- scoped_parties: the events in scope, one row per event per involved company:
--   role         'company' (the actor) or 'counterparty';
--   party_id     the company on this side, its parent when rollup (Google DeepMind ->
--                Google; one level up); other_id the other side, rolled up alike;
--   other_raw_id the other side as written (for display);
--   is_spend     this side puts money out (the company of licensing, investment,
--                acquisition, capex, compute_deal: event_types.spend_by_company);
--   is_raise     this side takes money in (the company of a funding_round, the counterparty
--                of an investment or acquisition);
--   is_deal      a money event (spend or raise) that is not cancelled or rumored;
--   spend_usd / raised_usd  the amount when it counts: the deal is announced or completed,
--                and, unless include_uncertain, not "up to" or estimated;
--   is_undisclosed  a deal whose amount does not count (none given, or uncertain).
-- When both sides roll up to one company (Google buying DeepMind) the event is seen once,
-- from the company's side. Filters: empty lists and NULL dates mean no restriction; a
-- company filter keeps rows whose party is listed; an event is in the window when the first
-- day of its stated period is (the placement periods use too, so that consecutive windows
-- never count one event twice: a "2024" event is in a window holding 2024-01-01). The rows come from `events` alone (its *_group and money
-- direction columns are copied there at load), which keeps these queries join-free.
CREATE MACRO scoped_parties(companies, since, until, types, modalities, rollup,
                            include_uncertain) AS TABLE
WITH in_scope AS (
    SELECT *
    FROM events
    WHERE (since IS NULL OR date >= since)
      AND (until IS NULL OR date <= until)
      AND (len(types) = 0 OR list_contains(types, type))
      AND (len(modalities) = 0 OR list_contains(modalities, modality))
),
sides AS (
    SELECT
        *,
        'company' AS role,
        CASE WHEN rollup THEN company_group ELSE company_id END AS party_id,
        CASE WHEN rollup THEN counterparty_group ELSE counterparty_id END AS other_id,
        counterparty_id AS other_raw_id,
        spend_by_company AS is_spend,
        raised_by_company AS is_raise
    FROM in_scope
    WHERE len(companies) = 0
       OR list_contains(companies, CASE WHEN rollup THEN company_group ELSE company_id END)
    UNION ALL
    SELECT
        *,
        'counterparty',
        CASE WHEN rollup THEN counterparty_group ELSE counterparty_id END,
        CASE WHEN rollup THEN company_group ELSE company_id END,
        company_id,
        false,
        received_by_counterparty
    FROM in_scope
    WHERE counterparty_id IS NOT NULL
      AND NOT (rollup AND counterparty_group = company_group)
      AND (len(companies) = 0
           OR list_contains(companies,
                            CASE WHEN rollup THEN counterparty_group ELSE counterparty_id END))
)
SELECT
    *,
    (is_spend OR is_raise) AND status NOT IN ('cancelled', 'rumored') AS is_deal,
    status IN ('announced', 'completed')
        AND (include_uncertain OR coalesce(amount_qualifier, '') NOT IN ('up_to', 'estimated'))
        AS amount_counts,
    CASE WHEN is_spend AND amount_counts THEN amount_usd END AS spend_usd,
    CASE WHEN is_raise AND amount_counts THEN amount_usd END AS raised_usd,
    is_deal AND spend_usd IS NULL AND raised_usd IS NULL AS is_undisclosed
FROM sides;
