"""Run the ETL's SQL steps (``etl/sql/<name>.sql``) with bound parameters."""

from __future__ import annotations

from typing import Any

import duckdb

from warehouse.sql import execute


def run(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> None:
    """Execute every statement of ``etl/sql/<name>.sql`` with the parameters it names."""
    execute(con, "etl", "sql", name, params)
