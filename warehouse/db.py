"""Open warehouses and keep their schema.

The schema is the ordered SQL files of ``warehouse/schema/``; a warehouse records the
versions applied in ``schema_version``. Readers open the file read-only, so any number of
them can run beside each other.
"""

from __future__ import annotations

import os
import re
from importlib import resources
from pathlib import Path

import duckdb

DEFAULT_WAREHOUSE = Path(__file__).resolve().parent.parent / "data" / "landscape.duckdb"
_VERSIONED = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


class WarehouseMissingError(Exception):
    """No warehouse at the path: a refresh has not run yet."""

    @classmethod
    def at(cls, path: Path) -> WarehouseMissingError:
        """The error for ``path``, saying how to build one."""
        return cls(f"{path}: no warehouse yet; run `landscape refresh` (or `make run`) first")


def warehouse_path(path: Path | str | None = None) -> Path:
    """The warehouse to use: ``path``, else ``$LANDSCAPE_WAREHOUSE``, else ``data/`` here."""
    if path is not None:
        return Path(path)
    env = os.environ.get("LANDSCAPE_WAREHOUSE")
    return Path(env) if env else DEFAULT_WAREHOUSE


def migrations() -> list[tuple[int, str]]:
    """(version, SQL) of every schema file, in order."""
    folder = resources.files("warehouse").joinpath("schema")
    found = []
    for entry in folder.iterdir():
        match = _VERSIONED.match(entry.name)
        if match:
            found.append((int(match[1]), entry.read_text(encoding="utf-8")))
    return sorted(found)


def apply_schema(con: duckdb.DuckDBPyConnection) -> int:
    """Bring an empty or older warehouse up to the latest schema; return its version."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL,"
        " applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)"
    )
    row = con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
    current = int(row[0]) if row else 0
    for version, sql in migrations():
        if version > current:
            con.execute(sql)
            con.execute("INSERT INTO schema_version (version) VALUES (?)", [version])
            current = version
    return current


def connect_read_only(path: Path | str | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the warehouse; clear error when none was built yet."""
    target = warehouse_path(path)
    if not target.is_file():
        raise WarehouseMissingError.at(target)
    return duckdb.connect(str(target), read_only=True)
