"""Every query on the warehouse, one SQL file each under ``warehouse/queries/``.

The CLI's exports and the dashboard call these same functions, so a number on a chart and
in an export come from one query.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from warehouse.filters import Filters
from warehouse.sql import relation

if TYPE_CHECKING:  # pandas loads on first use: the CLI starts faster without it
    import pandas as pd

QUERIES: tuple[str, ...] = (
    "events",
    "timeline",
    "timeline_counts",
    "spend",
    "spend_by_type",
    "spend_by_counterparty",
    "launches",
    "launch_cadence",
    "launch_race",
    "network_edges",
    "network_nodes",
    "head_to_head",
    "deals",
)


def fetch_arrow(con: duckdb.DuckDBPyConnection, name: str, filters: Filters) -> pa.Table:
    """Run query ``name`` with ``filters``; the result as an Arrow table."""
    if name not in QUERIES:
        raise ValueError(f"unknown query '{name}'; choose one of {', '.join(QUERIES)}")
    table: pa.Table = relation(con, "warehouse", "queries", name, filters.params()).to_arrow_table()
    return table


def fetch(con: duckdb.DuckDBPyConnection, name: str, filters: Filters) -> pd.DataFrame:
    """Run query ``name`` with ``filters``; the result as a DataFrame (dates as datetime64)."""
    frame: pd.DataFrame = fetch_arrow(con, name, filters).to_pandas(date_as_object=False)
    return frame


def events(con: duckdb.DuckDBPyConnection, filters: Filters | None = None) -> pd.DataFrame:
    """One row per event, with companies by canonical name and the primary source."""
    return fetch(con, "events", filters or Filters())


def event_sources(con: duckdb.DuckDBPyConnection, event_id: str) -> pa.Table:
    """Every source of one event, its own (primary) source first."""
    table: pa.Table = relation(
        con, "warehouse", "queries", "event_sources", {"event_id": event_id}
    ).to_arrow_table()
    return table
