"""Read SQL files and bind their named parameters (``$name``).

Each statement is given exactly the parameters it names, so one filter set can serve every
query file, and user values only ever reach DuckDB as bound parameters.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

import duckdb

_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
_STATEMENT_END = re.compile(r";[ \t]*$", re.MULTILINE)


def _code(statement: str) -> str:
    """The statement without its ``--`` comments."""
    return "\n".join(line.split("--", 1)[0] for line in statement.splitlines())


@cache
def statements(package: str, folder: str, name: str) -> tuple[str, ...]:
    """The statements of ``<package>/<folder>/<name>.sql``, in order."""
    text = resources.files(package).joinpath(folder, f"{name}.sql").read_text(encoding="utf-8")
    parts = (part.strip() for part in _STATEMENT_END.split(text))
    return tuple(p for p in parts if _code(p).strip())


def bind(statement: str, params: dict[str, Any], where: str) -> dict[str, Any] | None:
    """The subset of ``params`` that ``statement`` names; KeyError naming any missing."""
    wanted = set(_PARAM.findall(_code(statement)))
    missing = wanted - params.keys()
    if missing:
        raise KeyError(f"{where} needs parameters {sorted(missing)}")
    return {k: params[k] for k in wanted} if wanted else None


def execute(
    con: duckdb.DuckDBPyConnection,
    package: str,
    folder: str,
    name: str,
    params: dict[str, Any] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Run every statement of a SQL file; the connection holds the last one's result."""
    params = params or {}
    result = con
    for statement in statements(package, folder, name):
        result = con.execute(statement, bind(statement, params, f"{folder}/{name}.sql"))
    return result


def relation(
    con: duckdb.DuckDBPyConnection,
    package: str,
    folder: str,
    name: str,
    params: dict[str, Any],
) -> duckdb.DuckDBPyRelation:
    """The result of a one-statement query file as a relation (Arrow or pandas without copies)."""
    (statement,) = statements(package, folder, name)
    result = con.sql(statement, params=bind(statement, params, f"{folder}/{name}.sql"))
    if result is None:
        raise ValueError(f"{folder}/{name}.sql returns no rows")
    return result
