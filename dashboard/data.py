"""Warehouse access for the dashboard: one shared read-only connection, cached results.

The connection lives in ``st.cache_resource`` and every result in ``st.cache_data``, both
keyed on the warehouse file's identity (path, mtime_ns, size, inode). A refresh replaces the
file (an atomic rename), which changes the key: the next call closes the old connection
before opening the new file, because DuckDB's instance cache hands back the OLD database
to a new ``connect()`` for as long as any connection to that path is open. Old cached results
are simply never asked for again (and age out of the bounded caches).

Every query runs on its own cursor, so sessions on different threads never share one.
Results are cached as Arrow tables (cheap to pickle) and turned into DataFrames per call.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import pandas as pd
import pyarrow as pa
import streamlit as st
from duckdb import CoalesceOperator, ColumnExpression, ConstantExpression

from warehouse.db import WarehouseMissingError, connect_read_only, warehouse_path
from warehouse.filters import Filters
from warehouse.queries import fetch_arrow
from warehouse.sql import relation

CACHE_ENTRIES = 512  # results of all queries, all filter sets; old warehouses age out


class WarehouseKey(NamedTuple):
    """The identity of one version of the warehouse file."""

    path: str
    mtime_ns: int
    size: int
    inode: int


def warehouse_key() -> WarehouseKey:
    """The current warehouse file's identity; :class:`WarehouseMissingError` if none."""
    path = warehouse_path().resolve()
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise WarehouseMissingError(
            f"{path}: no warehouse yet; run `landscape refresh` (or `make run`) first"
        ) from None
    return WarehouseKey(str(path), stat.st_mtime_ns, stat.st_size, stat.st_ino)


class _Warehouse:
    """The one open connection, swapped when the file changes (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: WarehouseKey | None = None
        self._con: duckdb.DuckDBPyConnection | None = None

    def cursor(self, key: WarehouseKey) -> duckdb.DuckDBPyConnection:
        """A new cursor on the connection to the file ``key`` names."""
        with self._lock:
            if self._key != key:
                self._close_locked()  # first: else connect() returns the old file
                self._con = connect_read_only(Path(key.path))
                self._key = key
            assert self._con is not None
            return self._con.cursor()

    def _close_locked(self) -> None:
        if self._con is not None:
            self._con.close()
        self._con = None
        self._key = None

    def close(self) -> None:
        """Close the connection (cache release, tests)."""
        with self._lock:
            self._close_locked()


@st.cache_resource(show_spinner=False, on_release=lambda holder: holder.close())
def _warehouse() -> _Warehouse:
    return _Warehouse()


def run(key: WarehouseKey, work: Any) -> Any:
    """Call ``work(cursor)`` on a fresh cursor of the warehouse ``key`` names.

    A refresh seen by another session may close the connection under a running query
    (DuckDB then raises ConnectionException): that query is retried once on the new file.
    """
    for attempt in range(2):
        cursor = _warehouse().cursor(key)
        try:
            return work(cursor)
        except duckdb.ConnectionException:
            if attempt:
                raise
        finally:
            with contextlib.suppress(duckdb.Error):
                cursor.close()
    raise AssertionError("unreachable")


def close() -> None:
    """Close the shared connection (the next query reopens it)."""
    _warehouse().close()


# --- query results -------------------------------------------------------------------------


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _query(key: WarehouseKey, name: str, filters: Filters) -> pa.Table:
    return run(key, lambda cur: fetch_arrow(cur, name, filters))


def query_arrow(name: str, filters: Filters) -> pa.Table:
    """A query of ``warehouse/queries`` as an Arrow table (cached per warehouse version)."""
    return _query(warehouse_key(), name, filters)


def query(name: str, filters: Filters) -> pd.DataFrame:
    """A query of ``warehouse/queries`` as a DataFrame (cached per warehouse version)."""
    return query_arrow(name, filters).to_pandas()


@dataclass(frozen=True)
class Page:
    """A slice of a long result: the rows shown and how many there are in all."""

    rows: pd.DataFrame
    total: int


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _query_page(
    key: WarehouseKey, name: str, filters: Filters, order: str, limit: int
) -> tuple[pa.Table, int]:
    def work(cur: duckdb.DuckDBPyConnection) -> tuple[pa.Table, int]:
        rel = relation(cur, "warehouse", "queries", name, filters.params())
        total = int(rel.aggregate("count(*)").fetchall()[0][0])
        return rel.order(order).limit(limit).to_arrow_table(), total

    result: tuple[pa.Table, int] = run(key, work)
    return result


def query_page(name: str, filters: Filters, *, order: str, limit: int) -> Page:
    """The first ``limit`` rows of a query in ``order`` (a fixed SQL ORDER BY), and its total.

    The query's own SQL runs unchanged; ordering and limit wrap it, so a page of 1M events
    never leaves DuckDB whole.
    """
    table, total = _query_page(warehouse_key(), name, filters, order, limit)
    return Page(table.to_pandas(), total)


def _deals_condition(cur: duckdb.DuckDBPyConnection, include_uncertain: bool) -> Any:
    """Events whose amount counts as money, with the rules of scoped_parties() (002_analytics):
    a deal type, an amount, announced or completed, and no "up to"/estimated amounts unless
    ``include_uncertain``. Built as an expression: no value is pasted into SQL text."""
    deal_types = [
        row[0]
        for row in cur.execute(
            "SELECT type FROM event_types"
            " WHERE spend_by_company OR raised_by_company OR received_by_counterparty"
        ).fetchall()
    ]
    condition = (
        ColumnExpression("type").isin(*map(ConstantExpression, deal_types))
        & ColumnExpression("amount_usd").isnotnull()
        & ColumnExpression("status").isin(
            ConstantExpression("announced"), ConstantExpression("completed")
        )
    )
    if not include_uncertain:
        qualifier = CoalesceOperator(ColumnExpression("amount_qualifier"), ConstantExpression(""))
        condition = condition & ~qualifier.isin(
            ConstantExpression("up_to"), ConstantExpression("estimated")
        )
    return condition


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _biggest_deals(key: WarehouseKey, filters: Filters, limit: int) -> pa.Table:
    def work(cur: duckdb.DuckDBPyConnection) -> pa.Table:
        events = relation(cur, "warehouse", "queries", "events", filters.params())
        deals = events.filter(_deals_condition(cur, filters.include_uncertain))
        table: pa.Table = (
            deals.order("amount_usd DESC, date DESC, event_id").limit(limit).to_arrow_table()
        )
        return table

    result: pa.Table = run(key, work)
    return result


def biggest_deals(filters: Filters, limit: int = 25) -> pd.DataFrame:
    """The largest deals (USD amount that counts as money) among the filtered events."""
    return _biggest_deals(warehouse_key(), filters, limit).to_pandas()


# --- reference data and the Data page ---------------------------------------------------


@dataclass(frozen=True)
class Options:
    """What the sidebar filters offer, read from the warehouse."""

    companies: dict[str, str]  # company_id -> name, by name
    types: dict[str, str]  # type -> label, in seed order
    modalities: tuple[str, ...]


@st.cache_data(max_entries=8, show_spinner=False)
def _options(key: WarehouseKey) -> Options:
    def work(cur: duckdb.DuckDBPyConnection) -> Options:
        companies = cur.execute(
            "SELECT company_id, name FROM companies ORDER BY lower(name), company_id"
        ).fetchall()
        types = cur.execute("SELECT type, label FROM event_types").fetchall()
        modalities = cur.execute(
            "SELECT DISTINCT modality FROM events WHERE modality IS NOT NULL ORDER BY 1"
        ).fetchall()
        return Options(dict(companies), dict(types), tuple(m for (m,) in modalities))

    result: Options = run(key, work)
    return result


def options() -> Options:
    """Companies, event types and modalities present in the warehouse."""
    return _options(warehouse_key())


_SOURCES_SQL = """
SELECT url, publisher, language, is_primary, reported_amount, reported_currency,
       reported_amount_usd, notes
FROM event_sources
WHERE event_id = $event_id
ORDER BY is_primary DESC, source_line
"""


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _event_sources(key: WarehouseKey, event_id: str) -> pa.Table:
    def work(cur: duckdb.DuckDBPyConnection) -> pa.Table:
        table: pa.Table = cur.sql(_SOURCES_SQL, params={"event_id": event_id}).to_arrow_table()
        return table

    result: pa.Table = run(key, work)
    return result


def event_sources(event_id: str) -> pd.DataFrame:
    """Every source of one event, the primary one first."""
    return _event_sources(warehouse_key(), event_id).to_pandas()


# Fixed SQL only: table names here are constants, never user input.
_STATUS_SQL = {
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
STATUS_PARTS = tuple(_STATUS_SQL)


@st.cache_data(max_entries=64, show_spinner=False)
def _status(key: WarehouseKey, part: str) -> pa.Table:
    def work(cur: duckdb.DuckDBPyConnection) -> pa.Table:
        table: pa.Table = cur.sql(_STATUS_SQL[part]).to_arrow_table()
        return table

    result: pa.Table = run(key, work)
    return result


def status(part: str) -> pd.DataFrame:
    """One table of the Data page: refresh, tables, files, rejects, new_entities, conflicts."""
    return _status(warehouse_key(), part).to_pandas()
