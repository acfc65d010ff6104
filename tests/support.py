"""Helpers shared by the tests: the fixture companies, CSV writing and event rows."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROJECT_SEEDS = REPO / "seeds"

COMPANIES = [
    # company_id, name, kind, parent_id, country
    ("meta", "Meta", "big_tech", "", "US"),
    ("google", "Google", "big_tech", "", "US"),
    ("google-deepmind", "Google DeepMind", "ai_lab", "google", "GB"),
    ("openai", "OpenAI", "ai_lab", "", "US"),
    ("midjourney", "Midjourney", "ai_lab", "", "US"),
    ("scale-ai", "Scale AI", "startup", "", "US"),
    ("mistral-ai", "Mistral AI", "ai_lab", "", "FR"),
]
ALIASES = [
    # company_id, alias, language
    ("meta", "Facebook", "en"),
    ("meta", "Meta Platforms", "en"),
    ("meta", "ميتا", "ar"),
    ("google", "Alphabet", "en"),
    ("google", "جوجل", "ar"),
    ("openai", "أوبن إيه آي", "ar"),
    ("midjourney", "ميدجورني", "ar"),
]

# The columns of a curated events file, in the order the project's sample data uses.
EVENT_COLUMNS = [
    "ref",
    "date",
    "type",
    "company",
    "counterparty",
    "amount",
    "currency",
    "amount_qualifier",
    "status",
    "product",
    "modality",
    "title",
    "source_url",
    "publisher",
    "source_language",
    "notes",
]

Row = dict[str, str]


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Row | Sequence[str]]) -> Path:
    """Write a UTF-8 CSV file with ``\\n`` line ends; dict rows may leave columns out."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            if isinstance(row, dict):
                unknown = set(row) - set(header)
                assert not unknown, f"row names columns not in the header: {unknown}"
                writer.writerow([row.get(column, "") for column in header])
            else:
                writer.writerow(row)
    return path


def event(**fields: str) -> Row:
    """A valid event row (a Meta investment in Scale AI, no amount), with ``fields`` changed."""
    row = {
        "date": "2025-06-12",
        "type": "investment",
        "company": "Meta",
        "counterparty": "Scale AI",
        "title": "Meta invests in Scale AI",
        "source_url": "https://example.com/news/1",
    }
    row.update(fields)
    return row


# A small warehouse for the query and export tests (read-only: tests must not change it).
# ref -> the row; titles starting with = + @ are what a spreadsheet would run as formulas.
LANDSCAPE_EVENTS = {
    "e1": event(
        ref="e1",
        date="2025-06-12",
        type="investment",
        company="Meta",
        counterparty="Scale AI",
        amount="$14.3B",
        title="Meta invests in Scale AI",
    ),
    "e2": event(
        ref="e2",
        date="2025-08-22",
        type="licensing",
        company="ميتا",
        counterparty="ميدجورني",
        title="ميتا تعقد شراكة مع ميدجورني",
    ),
    "e3": event(
        ref="e3",
        date="2024-05",
        type="model_launch",
        company="Google DeepMind",
        counterparty="",
        product="Veo",
        modality="video",
        title='=HYPERLINK("http://evil.example","Veo")',
    ),
    "e4": event(
        ref="e4",
        date="2024",
        type="partnership",
        company="OpenAI",
        counterparty="Midjourney",
        title="+1 partnership",
    ),
    "e5": event(
        ref="e5",
        date="2025-Q2",
        type="investment",
        company="Alphabet",
        counterparty="Mistral AI",
        amount="€600M",
        title="@SUM(A1) funding",
    ),
}
