"""Synthetic curated events, for benchmarks and scale tests.

Rows look like the real ones (company names and aliases from the seeds, every event type,
day/month/quarter/year dates, amounts with suffixes and symbols, some in EUR or GBP).
With ``bad_share`` a share of rows is broken in the ways analysts break them: impossible
dates, unknown types, negative or garbled amounts, javascript: links, empty companies,
unknown currencies, and repeated rows.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from pathlib import Path

from etl.files import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, FileKind
from etl.models import NO_AMOUNT_TYPES, PRODUCT_REQUIRED_TYPES, EventType, Modality
from etl.refresh import DEFAULT_SEEDS
from etl.seeds import load_seeds

HEADER = [*REQUIRED_COLUMNS[FileKind.EVENTS], *OPTIONAL_COLUMNS[FileKind.EVENTS]]

Row = dict[str, str]


def _breakers() -> list[Callable[[Row], None]]:
    def bad_date(row: Row) -> None:
        row["date"] = "2025-02-30"

    def garbled_date(row: Row) -> None:
        row["date"] = "last June"

    def unknown_type(row: Row) -> None:
        row["type"] = "merger-ish"

    def negative(row: Row) -> None:
        row["type"], row["amount"], row["currency"] = "investment", "-5B", "USD"

    def garbled_amount(row: Row) -> None:
        row["type"], row["amount"], row["currency"] = "investment", "about 5 billions", "USD"

    def script_url(row: Row) -> None:
        row["source_url"] = "javascript:alert(1)"

    def no_company(row: Row) -> None:
        row["company"] = ""

    def odd_currency(row: Row) -> None:
        row["type"], row["amount"], row["currency"] = "investment", "12M", "XQZ"

    return [
        bad_date,
        garbled_date,
        unknown_type,
        negative,
        garbled_amount,
        script_url,
        no_company,
        odd_currency,
    ]


def generate(
    count: int,
    out_dir: Path,
    *,
    bad_share: float = 0.0,
    seed: int = 7,
    seeds_dir: Path = DEFAULT_SEEDS,
) -> Path:
    """Write ``count`` rows to ``out_dir/events.csv``; return its path."""
    rng = random.Random(seed)
    seeds = load_seeds(seeds_dir)
    # Every name a company goes by, so that rows exercise alias resolution.
    names: dict[str, list[str]] = {c.company_id: [c.name] for c in seeds.companies}
    for alias in seeds.aliases:
        names[alias.company_id].append(alias.alias)
    company_ids = sorted(names)
    currencies = ["USD"] * 18 + [c for c in ("EUR", "GBP") if c in seeds.currencies()]
    types = list(EventType)
    modalities = list(Modality)
    breakers = _breakers()
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "events.csv"
    previous: Row | None = None
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER, lineterminator="\n")
        writer.writeheader()
        for n in range(count):
            if previous is not None and bad_share and rng.random() < bad_share / 10:
                writer.writerow(previous)  # a repeated row: a duplicate, not a new event
                continue
            event_type = rng.choice(types)
            year, month, day = rng.randint(2014, 2025), rng.randint(1, 12), rng.randint(1, 28)
            form = rng.random()
            if form < 0.7:
                date = f"{year}-{month:02d}-{day:02d}"
            elif form < 0.85:
                date = f"{year}-{month:02d}"
            elif form < 0.95:
                date = f"{year}-Q{rng.randint(1, 4)}"
            else:
                date = str(year)
            amount = currency = qualifier = ""
            if event_type not in NO_AMOUNT_TYPES and rng.random() < 0.7:
                value = round(rng.uniform(1, 900), 1)
                amount = rng.choice([f"{value}M", f"{value}B", f"{int(value * 1e6)}", f"${value}B"])
                currency = "USD" if amount.startswith("$") else rng.choice(currencies)
                qualifier = rng.choice(["exact", "exact", "reported", "up_to", "estimated"])
            company, counterparty = (rng.choice(names[c]) for c in rng.sample(company_ids, 2))
            launch = event_type in PRODUCT_REQUIRED_TYPES
            row: Row = {
                "ref": f"synthetic-{n}",
                "date": date,
                "type": event_type.value,
                "company": company,
                "counterparty": "" if launch else counterparty,
                "amount": amount,
                "currency": currency,
                "amount_qualifier": qualifier,
                "status": rng.choice(["announced", "completed", "announced", "rumored"]),
                "product": f"Model {n}" if launch else "",
                "modality": rng.choice(modalities).value if launch else "",
                "title": f"Synthetic {event_type.value.replace('_', ' ')} number {n}",
                "source_url": f"https://example.com/news/{n}",
                "publisher": "Example News",
                "source_language": "en",
                "notes": "",
            }
            if bad_share and rng.random() < bad_share:
                rng.choice(breakers)(row)
            writer.writerow(row)
            previous = row
    return path
