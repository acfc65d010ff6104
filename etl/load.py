"""Build a warehouse from seeds and curated files, in bulk, inside one DuckDB connection.

Steps: reference data -> raw rows with their lines -> bulk validation -> name resolution ->
ids and duplicates -> extra sources -> the account of every row. Every rule comes from
:mod:`etl.models` (through :mod:`etl.rules`); the SQL lives in ``etl/sql/``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import duckdb
import pyarrow as pa

from etl import sqlfiles
from etl.errors import InputError
from etl.files import InputFile, record_starts
from etl.models import REASONS
from etl.names import name_key, new_company_id
from etl.rules import bulk_params
from etl.seeds import Seeds

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def load_seeds_into(con: duckdb.DuckDBPyConnection, seeds: Seeds) -> None:
    """Write the reference data as-is (plus the matching key of each alias)."""
    companies, aliases, types, rates = (
        seeds.companies,
        seeds.aliases,
        seeds.event_types,
        seeds.fx_rates,
    )
    sqlfiles.run(
        con,
        "load_seeds",
        {
            "company_id": [c.company_id for c in companies],
            "company_name": [c.name for c in companies],
            "company_kind": [c.kind.value for c in companies],
            "company_parent_id": [c.parent_id for c in companies],
            "company_country": [c.country for c in companies],
            "alias_company_id": [a.company_id for a in aliases],
            "alias": [a.alias for a in aliases],
            "alias_language": [a.language for a in aliases],
            "alias_key": [name_key(a.alias) for a in aliases],
            "type": [t.type.value for t in types],
            "type_label": [t.label for t in types],
            "type_spend_by_company": [t.spend_by_company for t in types],
            "type_received_by_counterparty": [t.received_by_counterparty for t in types],
            "type_raised_by_company": [t.raised_by_company for t in types],
            "type_description": [t.description for t in types],
            "fx_currency": [r.currency for r in rates],
            "fx_valid_from": [r.valid_from.isoformat() for r in rates],
            "fx_units_per_usd": [str(r.units_per_usd) for r in rates],
            "fx_source_url": [r.source_url for r in rates],
            "fx_note": [r.note for r in rates],
        },
    )


def _read_file(con: duckdb.DuckDBPyConnection, file_id: int, source: InputFile) -> None:
    """Record one file in input_names and append its rows to raw_rows, with what it takes
    to name each row's line."""
    known = set(source.known_columns())
    columns = {
        (name if name in known else f"__ignored_{position}"): "VARCHAR"
        for position, name in enumerate(source.header)
    }
    (first_row,) = con.execute("SELECT count(*) FROM raw_rows").fetchall()[0]
    con.execute(
        "INSERT INTO input_names VALUES (?, ?, ?, ?, ?, ?)",
        [
            file_id,
            source.label,
            source.kind.value,
            source.scan.sha256,
            list(source.ignored_columns()),
            first_row,
        ],
    )
    sqlfiles.run(
        con, "read_csv", {"path": str(source.path), "columns": columns, "file_id": file_id}
    )
    (kept,) = con.execute("SELECT count(*) - ? FROM raw_rows", [first_row]).fetchall()[0]
    bad = con.execute(
        "SELECT line, any_value(column_name), any_value(csv_line), any_value(error_message)"
        " FROM csv_bad_rows GROUP BY line ORDER BY line"
    ).fetchall()
    # Each record on one line after the header (give or take a final line break): the
    # parser's record numbers are then the file's line numbers (rows_read's default).
    if not bad and source.scan.line_breaks in (kept, kept + 1):
        return
    starts = record_starts(source.path)
    # The parser numbers a record, blank line or not, as one line: starts[n - 2] is where
    # its record n begins (1 is the header).
    bad_numbers = {int(number) for number, *_ in bad}
    kept_lines = [
        line
        for number, (line, blank) in enumerate(starts, start=2)
        if not blank and number not in bad_numbers
    ]
    if len(kept_lines) != kept:
        raise InputError(
            source.path,
            "its quoting leaves the start of records unclear (an unbalanced quote?); "
            "check the quotes near the rows reported malformed",
        )
    lines = pa.table({"file_id": [file_id] * kept, "k": range(kept), "line": kept_lines})
    con.register("file_lines", lines)
    con.execute("INSERT INTO line_map SELECT * FROM file_lines")
    con.unregister("file_lines")
    if bad:
        con.executemany(
            "INSERT INTO csv_rejects VALUES (?, ?, ?, ?, ?)",
            [
                [
                    file_id,
                    starts[int(number) - 2][0],
                    column,
                    (text or "").lstrip("\r\n"),
                    f"{REASONS['csv_malformed'][1]}: {message}",
                ]
                for number, column, text, message in bad
            ],
        )


def _resolve_names(con: duckdb.DuckDBPyConnection, seeds: Seeds, blank: str) -> None:
    """Map every distinct company name written in the event files to a company id.

    Matching folds case, spacing, punctuation and diacritics in any script
    (:func:`etl.names.name_key`); a name no seed knows gets a new id (``is_new``).
    """
    index = seeds.name_index()
    taken = {c.company_id for c in seeds.companies}
    names = con.execute(
        """
        SELECT DISTINCT cell(written, $blank) AS name
        FROM (SELECT company AS written FROM events_read
              UNION ALL SELECT counterparty FROM events_read)
        WHERE cell(written, $blank) IS NOT NULL
        ORDER BY name
        """,
        {"blank": blank},
    ).fetchall()
    mapping: list[tuple[str, str, bool]] = []
    new: dict[str, str] = {}
    for (name,) in names:
        key = name_key(name)
        company_id = index.get(key) if key else None
        if company_id is not None:
            mapping.append((name, company_id, False))
            continue
        if key not in new:
            new[key] = new_company_id(name, taken)
            taken.add(new[key])
        mapping.append((name, new[key], True))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE name_map (name VARCHAR, company_id VARCHAR, is_new BOOLEAN)"
    )
    if mapping:
        con.executemany("INSERT INTO name_map VALUES (?, ?, ?)", mapping)


def build(
    con: duckdb.DuckDBPyConnection,
    files: list[InputFile],
    seeds: Seeds,
    progress: Progress = _quiet,
) -> None:
    """Fill an empty warehouse (schema applied) from ``files`` and ``seeds``."""
    started = time.perf_counter()

    def step(message: str) -> None:
        progress(f"{message} ({time.perf_counter() - started:.1f}s)")

    load_seeds_into(con, seeds)
    step(
        f"seeds: {len(seeds.companies)} companies, {len(seeds.aliases)} aliases, "
        f"{len(seeds.fx_rates)} FX rates"
    )
    sqlfiles.run(con, "raw_tables")
    con.executemany(
        "INSERT INTO reasons VALUES (?, ?, ?)",
        [(code, column, message) for code, (column, message) in REASONS.items()],
    )
    for file_id, source in enumerate(files):
        _read_file(con, file_id, source)
        step(f"read {source.label}")
    params = bulk_params(seeds.currencies())
    _resolve_names(con, seeds, params["blank"])
    sqlfiles.run(con, "stage_events", params)
    step("validated events, resolved names, gave ids")
    sqlfiles.run(con, "finalize_events")
    step("loaded events, set duplicates and rejects aside")
    sqlfiles.run(con, "stage_sources", params)
    sqlfiles.run(con, "count_outcomes")
    step("loaded sources and counted every row")
