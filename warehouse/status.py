"""What a warehouse holds and how its last refresh went (the dashboard's Data page).

Fixed SQL only: every table named here is a constant of the schema, never user input.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

STATUS_SQL: dict[str, str] = {
    "refresh": "SELECT refreshed_at, data_dir, seeds_dir, tool_version, duration_s"
    " FROM refresh_info",
    "tables": """
        SELECT 'events' AS name, 'table' AS kind, count(*) AS rows FROM events
        UNION ALL SELECT 'extra_sources', 'table', count(*) FROM extra_sources
        UNION ALL SELECT 'event_sources', 'view', count(*) FROM event_sources
        UNION ALL SELECT 'companies', 'table', count(*) FROM companies
        UNION ALL SELECT 'company_aliases', 'table', count(*) FROM company_aliases
        UNION ALL SELECT 'event_types', 'table', count(*) FROM event_types
        UNION ALL SELECT 'fx_rates', 'table', count(*) FROM fx_rates
        UNION ALL SELECT 'rejects', 'table', count(*) FROM rejects
        UNION ALL SELECT 'duplicates', 'table', count(*) FROM duplicates
        UNION ALL SELECT 'input_files', 'table', count(*) FROM input_files
        UNION ALL SELECT 'amount_conflicts', 'view', count(*) FROM amount_conflicts
    """,
    "files": "SELECT file, kind, rows_read, loaded, duplicates, rejected,"
    " array_to_string(ignored_columns, ', ') AS ignored_columns,"
    " sha256 FROM input_files ORDER BY file",
    "rejects": "SELECT file, line, column_name, value, reason_code, reason FROM rejects"
    " ORDER BY file, line, reason_code LIMIT 1000",
    "new_entities": "SELECT company_id, name, first_seen_file, first_seen_line FROM companies"
    " WHERE is_new ORDER BY first_seen_file, first_seen_line, name",
    "conflicts": "SELECT event_id, title, amount_usd, reported_amount, reported_currency,"
    " reported_amount_usd, other_source_url FROM amount_conflicts ORDER BY title",
}
STATUS_PARTS = tuple(STATUS_SQL)


def status_table(con: duckdb.DuckDBPyConnection, part: str) -> pa.Table:
    """One table of the Data page: refresh, tables, files, rejects, new_entities, conflicts."""
    if part not in STATUS_SQL:
        raise ValueError(f"unknown status part '{part}'; choose one of {', '.join(STATUS_PARTS)}")
    table: pa.Table = con.sql(STATUS_SQL[part]).to_arrow_table()
    return table


@dataclass(frozen=True)
class Options:
    """What the filters can offer, read from the warehouse."""

    companies: dict[str, str]  # company_id -> name, by name
    types: dict[str, str]  # type -> label, in seed order
    modalities: tuple[str, ...]


def options(con: duckdb.DuckDBPyConnection) -> Options:
    """Companies, event types and the modalities present in the warehouse."""
    companies = con.execute(
        "SELECT company_id, name FROM companies ORDER BY lower(name), company_id"
    ).fetchall()
    types = con.execute("SELECT type, label FROM event_types").fetchall()
    modalities = con.execute(
        "SELECT DISTINCT modality FROM events WHERE modality IS NOT NULL ORDER BY 1"
    ).fetchall()
    return Options(dict(companies), dict(types), tuple(m for (m,) in modalities))
