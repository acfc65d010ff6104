-- Reference data from seeds/, as-is: each parameter is one column, as a list (zipped by
-- unnest), so a few hundred rows go in as one statement each.
INSERT INTO companies
SELECT
    unnest($company_id), unnest($company_name), unnest($company_kind),
    unnest($company_parent_id), unnest($company_country), false, NULL, NULL;

INSERT INTO company_aliases
SELECT unnest($alias_company_id), unnest($alias), unnest($alias_language), unnest($alias_key);

INSERT INTO event_types
SELECT
    unnest($type), unnest($type_label), unnest($type_spend_by_company),
    unnest($type_received_by_counterparty), unnest($type_raised_by_company),
    unnest($type_description);

INSERT INTO fx_rates
SELECT
    unnest($fx_currency), CAST(unnest($fx_valid_from) AS DATE),
    CAST(unnest($fx_units_per_usd) AS DECIMAL(18, 6)), unnest($fx_source_url),
    unnest($fx_note)
ORDER BY 1, 2;
