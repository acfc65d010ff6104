"""Reference data from ``seeds/``: companies and aliases, event types, FX rates.

Seeds are small and hand-kept, so each row is validated by its pydantic model and any error
stops the refresh with the file, line and column to fix.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from etl.errors import InputError
from etl.files import scan
from etl.models import Alias, Company, EventType, EventTypeInfo, FxRate
from etl.names import name_key

SEED_FILES = {
    "companies": "companies.csv",
    "aliases": "aliases.csv",
    "event_types": "event_types.csv",
    "fx_rates": "fx_rates.csv",
}

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Seeds:
    """All reference data, checked for consistency."""

    companies: list[Company]
    aliases: list[Alias]
    event_types: list[EventTypeInfo]
    fx_rates: list[FxRate]
    directory: Path

    def currencies(self) -> set[str]:
        """ISO codes that have at least one FX rate."""
        return {rate.currency for rate in self.fx_rates}

    def name_index(self) -> dict[str, str]:
        """Folded name or alias -> company_id."""
        index = {name_key(c.name): c.company_id for c in self.companies}
        index.update({name_key(a.alias): a.company_id for a in self.aliases})
        return index


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    scan(path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        for record in reader:
            yield reader.line_num, {k: v for k, v in record.items() if k is not None}


def _read(path: Path, model: type[M]) -> list[tuple[int, M]]:
    if not path.is_file():
        raise InputError(path, "seed file is missing")
    result = []
    for line, record in _rows(path):
        cleaned = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in record.items()}
        try:
            result.append((line, model.model_validate(cleaned)))
        except ValidationError as exc:
            error = exc.errors()[0]
            column = str(error["loc"][0]) if error["loc"] else None
            raise InputError(path, error["msg"], line=line, column=column) from None
    return result


def load_seeds(directory: Path) -> Seeds:
    """Read and cross-check every seed file of ``directory``."""
    files = {key: directory / name for key, name in SEED_FILES.items()}
    companies = _read(files["companies"], Company)
    aliases = _read(files["aliases"], Alias)
    event_types = _read(files["event_types"], EventTypeInfo)
    fx_rates = _read(files["fx_rates"], FxRate)

    ids: set[str] = set()
    for line, company in companies:
        if company.company_id in ids:
            raise InputError(
                files["companies"], "company_id appears twice", line=line, column="company_id"
            )
        ids.add(company.company_id)
    for line, company in companies:
        if company.parent_id is not None and company.parent_id not in ids:
            raise InputError(
                files["companies"],
                f"parent_id '{company.parent_id}' is no company",
                line=line,
                column="parent_id",
            )

    owners: dict[str, tuple[str, str]] = {
        name_key(c.name): (c.company_id, f"{files['companies'].name}:{line}")
        for line, c in companies
    }
    for line, alias in aliases:
        if alias.company_id not in ids:
            raise InputError(
                files["aliases"],
                f"company_id '{alias.company_id}' is no company",
                line=line,
                column="company_id",
            )
        key = name_key(alias.alias)
        owner = owners.get(key)
        if owner is not None and owner[0] != alias.company_id:
            raise InputError(
                files["aliases"],
                f"alias '{alias.alias}' also names '{owner[0]}' ({owner[1]})",
                line=line,
                column="alias",
            )
        owners[key] = (alias.company_id, f"{files['aliases'].name}:{line}")

    defined = {info.type for _, info in event_types}
    missing = [t.value for t in EventType if t not in defined]
    if missing or len(event_types) != len(defined):
        raise InputError(
            files["event_types"],
            "must list every event type exactly once; missing: "
            + (", ".join(missing) or "none (a type is listed twice)"),
        )

    seen_rates: set[tuple[str, object]] = set()
    for line, rate in fx_rates:
        if (rate.currency, rate.valid_from) in seen_rates:
            raise InputError(
                files["fx_rates"],
                "two rates for one currency and date",
                line=line,
                column="valid_from",
            )
        seen_rates.add((rate.currency, rate.valid_from))

    return Seeds(
        companies=[c for _, c in companies],
        aliases=[a for _, a in aliases],
        event_types=[t for _, t in event_types],
        fx_rates=[r for _, r in fx_rates],
        directory=directory,
    )
