-- Reference data from seeds/, as-is (registered as seed_* views by etl.load).
INSERT INTO companies
SELECT company_id, name, kind, parent_id, country, false, NULL, NULL FROM seed_companies;

INSERT INTO company_aliases SELECT company_id, alias, language, alias_key FROM seed_aliases;

INSERT INTO event_types
SELECT type, label, spend_by_company, received_by_counterparty, raised_by_company, description
FROM seed_event_types;

INSERT INTO fx_rates
SELECT currency, CAST(valid_from AS DATE), CAST(units_per_usd AS DECIMAL(18, 6)), source_url, note
FROM seed_fx
ORDER BY currency, valid_from;
