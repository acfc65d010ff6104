"""A real, small setup for every test: seed files, curated CSV files and a DuckDB warehouse.

Nothing is mocked. ``seeds_dir`` writes companies and aliases by hand and copies the two
real project seeds (event types, FX rates); ``data_dir`` writes a curated events file from a
list of rows; ``build`` runs a real refresh into a warehouse file under ``tmp_path``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import duckdb
import pytest

from etl.refresh import RefreshReport, refresh
from tests.support import (
    ALIASES,
    COMPANIES,
    EVENT_COLUMNS,
    LANDSCAPE_EVENTS,
    PROJECT_SEEDS,
    Row,
    write_csv,
)


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
def build(seeds_dir: Path, warehouse: Path) -> Callable[..., RefreshReport]:
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


@pytest.fixture(scope="module")
def landscape(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse built by a real refresh from LANDSCAPE_EVENTS plus one extra source."""
    root = tmp_path_factory.mktemp("landscape")
    write_csv(root / "data" / "events.csv", EVENT_COLUMNS, list(LANDSCAPE_EVENTS.values()))
    write_csv(
        root / "data" / "sources.csv",
        ["event_ref", "source_url", "reported_amount", "reported_currency"],
        [
            {
                "event_ref": "e1",
                "source_url": "https://example.com/ar",
                "reported_amount": "14.8B",
                "reported_currency": "USD",
            }
        ],
    )
    target = root / "landscape.duckdb"
    report = refresh(root / "data", target, seeds_dir=seeds_dir)
    assert report.rejected == 0 and report.events == len(LANDSCAPE_EVENTS)
    return target
