-- Every source of one event, its own (primary) source first.
SELECT
    url,
    publisher,
    language,
    is_primary,
    reported_amount,
    reported_currency,
    reported_amount_usd,
    notes
FROM event_sources
WHERE event_id = $event_id
ORDER BY is_primary DESC, source_line
