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
import datetime as dt
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import pandas as pd
import pyarrow as pa
import streamlit as st

from etl import runlog
from etl.runlog import Freshness
from etl.schedule import parse_duration
from warehouse import queries
from warehouse.db import WarehouseMissingError, connect_read_only, warehouse_path
from warehouse.filters import Filters
from warehouse.queries import fetch_arrow
from warehouse.sql import relation
from warehouse.status import Options, status_table
from warehouse.status import options as warehouse_options

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
        raise WarehouseMissingError.at(path) from None
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


def biggest_deals(filters: Filters, limit: int = 25) -> pd.DataFrame:
    """The largest deals (USD amount that counts as money) among the filtered events."""
    return query_page(
        "deals", filters, order="amount_usd DESC, date DESC, event_id", limit=limit
    ).rows


# --- reference data and the Data page ---------------------------------------------------


@st.cache_data(max_entries=8, show_spinner=False)
def _options(key: WarehouseKey) -> Options:
    result: Options = run(key, warehouse_options)
    return result


def options() -> Options:
    """Companies, event types and modalities present in the warehouse."""
    return _options(warehouse_key())


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _event_sources(key: WarehouseKey, event_id: str) -> pa.Table:
    result: pa.Table = run(key, lambda cur: queries.event_sources(cur, event_id))
    return result


def event_sources(event_id: str) -> pd.DataFrame:
    """Every source of one event, the primary one first."""
    return _event_sources(warehouse_key(), event_id).to_pandas()


@st.cache_data(max_entries=64, show_spinner=False)
def _status(key: WarehouseKey, part: str) -> pa.Table:
    def work(cur: duckdb.DuckDBPyConnection) -> pa.Table:
        return status_table(cur, part)

    result: pa.Table = run(key, work)
    return result


def status(part: str) -> pd.DataFrame:
    """One table of the Data page: refresh, tables, files, rejects, new_entities, conflicts."""
    return _status(warehouse_key(), part).to_pandas()


# --- refresh history (the run log beside the warehouse; the warehouse is not opened) -------

MAX_AGE_ENV = "LANDSCAPE_MAX_AGE"
DEFAULT_MAX_AGE = "24h"


def max_age() -> tuple[str, dt.timedelta]:
    """How old data may get before the Data page warns: ``$LANDSCAPE_MAX_AGE`` or 24h."""
    text = os.environ.get(MAX_AGE_ENV, DEFAULT_MAX_AGE)
    return text, parse_duration(text)


def freshness() -> Freshness:
    """The age of the data by the run log, against :func:`max_age`."""
    return runlog.freshness(warehouse_path().resolve(), max_age=max_age()[1])


def runs(limit: int = 20) -> pd.DataFrame:
    """The last refresh runs, newest first, one row each."""
    rows = [
        {
            "started_at": run.started_at,
            "duration_s": round(run.duration_s, 2),
            "status": run.status,
            "trigger": run.trigger,
            "swapped": run.swapped,
            "events": run.events,
            "sources": ", ".join(f"{s.name}: {s.status}" for s in run.sources),
            "error": run.error,
        }
        for run in reversed(runlog.read_runs(warehouse_path().resolve(), limit=limit))
    ]
    return pd.DataFrame(rows, columns=list(RUN_COLUMNS))


RUN_COLUMNS = (
    "started_at",
    "duration_s",
    "status",
    "trigger",
    "swapped",
    "events",
    "sources",
    "error",
)
