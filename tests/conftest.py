"""A real, small setup for every test: seed files, curated CSV files and a DuckDB warehouse.

Nothing is mocked. ``seeds_dir`` writes companies and aliases by hand and copies the two
real project seeds (event types, FX rates); ``data_dir`` writes a curated events file from a
list of rows; ``build`` runs a real refresh into a warehouse file under ``tmp_path``.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import duckdb
import pytest

from etl.refresh import RefreshReport, refresh

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


@pytest.fixture(scope="session")
def seeds_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeds folder: seven companies and their aliases in Latin and Arabic script, plus the
    project's own event types and FX rates (read-only: tests must not change it)."""
    directory = tmp_path_factory.mktemp("seeds")
    write_csv(
        directory / "companies.csv",
        ["company_id", "name", "kind", "parent_id", "country"],
        COMPANIES,
    )
    write_csv(directory / "aliases.csv", ["company_id", "alias", "language"], ALIASES)
    for name in ("event_types.csv", "fx_rates.csv"):
        shutil.copyfile(PROJECT_SEEDS / name, directory / name)
    return directory


@pytest.fixture
def data_dir(tmp_path: Path) -> Callable[..., Path]:
    """Factory: ``data_dir(rows)`` writes ``events.csv`` into a fresh folder and returns it.

    ``columns`` sets the header (default: every events column); ``name`` the folder name, so
    one test can make several; ``sources`` also writes a ``sources.csv``.
    """

    def make(
        rows: Sequence[Row | Sequence[str]],
        *,
        columns: Sequence[str] = EVENT_COLUMNS,
        name: str = "data",
        sources: Sequence[Row] | None = None,
    ) -> Path:
        directory = tmp_path / name
        directory.mkdir(parents=True, exist_ok=True)
        write_csv(directory / "events.csv", columns, rows)
        if sources is not None:
            write_csv(
                directory / "sources.csv",
                [
                    "event_ref",
                    "source_url",
                    "publisher",
                    "source_language",
                    "reported_amount",
                    "reported_currency",
                    "notes",
                ],
                sources,
            )
        return directory

    return make


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """Where this test's warehouse file goes (not created yet)."""
    return tmp_path / "wh" / "landscape.duckdb"


@pytest.fixture
def build(
    seeds_dir: Path, warehouse: Path
) -> Callable[..., RefreshReport]:
    """Run a real refresh of a data folder into ``warehouse`` with the fixture seeds."""

    def run(data: Path, **kwargs: object) -> RefreshReport:
        return refresh(data, warehouse, seeds_dir=seeds_dir, **kwargs)  # type: ignore[arg-type]

    return run


@pytest.fixture
def read_only(warehouse: Path) -> Iterator[Callable[[], duckdb.DuckDBPyConnection]]:
    """Open ``warehouse`` read-only (as the dashboard does); connections close after the test."""
    opened: list[duckdb.DuckDBPyConnection] = []

    def connect() -> duckdb.DuckDBPyConnection:
        con = duckdb.connect(str(warehouse), read_only=True)
        opened.append(con)
        return con

    yield connect
    for con in opened:
        con.close()


# A small warehouse for the query and export tests (read-only: tests must not change it).
# ref -> the row; titles starting with = + @ are what a spreadsheet would run as formulas.
LANDSCAPE_EVENTS = {
    "e1": event(ref="e1", date="2025-06-12", type="investment", company="Meta",
                counterparty="Scale AI", amount="$14.3B", title="Meta invests in Scale AI"),
    "e2": event(ref="e2", date="2025-08-22", type="licensing", company="ميتا",
                counterparty="ميدجورني", title="ميتا تعقد شراكة مع ميدجورني"),
    "e3": event(ref="e3", date="2024-05", type="model_launch", company="Google DeepMind",
                counterparty="", product="Veo", modality="video",
                title='=HYPERLINK("http://evil.example","Veo")'),
    "e4": event(ref="e4", date="2024", type="partnership", company="OpenAI",
                counterparty="Midjourney", title="+1 partnership"),
    "e5": event(ref="e5", date="2025-Q2", type="investment", company="Alphabet",
                counterparty="Mistral AI", amount="€600M", title="@SUM(A1) funding"),
}


@pytest.fixture(scope="module")
def landscape(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse built by a real refresh from LANDSCAPE_EVENTS plus one extra source."""
    root = tmp_path_factory.mktemp("landscape")
    write_csv(root / "data" / "events.csv", EVENT_COLUMNS, list(LANDSCAPE_EVENTS.values()))
    write_csv(
        root / "data" / "sources.csv",
        ["event_ref", "source_url", "reported_amount", "reported_currency"],
        [{"event_ref": "e1", "source_url": "https://example.com/ar", "reported_amount": "14.8B",
          "reported_currency": "USD"}],
    )
    target = root / "landscape.duckdb"
    report = refresh(root / "data", target, seeds_dir=seeds_dir)
    assert report.rejected == 0 and report.events == len(LANDSCAPE_EVENTS)
    return target
