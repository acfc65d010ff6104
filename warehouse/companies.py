"""Find companies in a warehouse by any name or alias they go by."""

from __future__ import annotations

import duckdb

from etl.names import name_key


class UnknownCompanyError(ValueError):
    """No company in the warehouse goes by that name."""


def resolve(con: duckdb.DuckDBPyConnection, names: list[str]) -> tuple[str, ...]:
    """Company ids for names, ids or aliases in any script (``جوجل`` -> ``google``)."""
    index: dict[str, str] = {}
    for company_id, name in con.execute("SELECT company_id, name FROM companies").fetchall():
        index[name_key(company_id)] = company_id
        index[name_key(name)] = company_id
    for company_id, key in con.execute(
        "SELECT company_id, alias_key FROM company_aliases"
    ).fetchall():
        index.setdefault(key, company_id)
    found = []
    for name in names:
        company_id = index.get(name_key(name))
        if company_id is None:
            raise UnknownCompanyError(f"no company named '{name}' in the warehouse")
        found.append(company_id)
    return tuple(found)
