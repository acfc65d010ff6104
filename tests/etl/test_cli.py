"""The ``landscape`` command: a summary on success; on a user's mistake, exit status 2, one
line on stderr, and the previous warehouse exactly as it was."""

from __future__ import annotations

import csv
import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner, Result

from etl.cli import main
from etl.refresh import DEFAULT_SEEDS
from tests.support import event


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def error_lines(result: Result) -> list[str]:
    return result.stderr.splitlines()


def event_count(warehouse: Path) -> int:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        row = con.execute("SELECT count(*) FROM events").fetchone()
        assert row is not None
        return int(row[0])
    finally:
        con.close()


@pytest.fixture
def built(data_dir: Callable[..., Path], seeds_dir: Path, warehouse: Path) -> tuple[Path, str]:
    """A warehouse of two events, built through the CLI; (path, its sha256)."""
    data = data_dir([event(), event(company="Google", title="Google deal")], name="good")
    result = run(
        "refresh", "--quiet", "--data-dir", data, "--seeds-dir", seeds_dir, "--warehouse", warehouse
    )
    assert result.exit_code == 0, result.output
    return warehouse, digest(warehouse)


def test_refresh_prints_the_account_of_every_file_and_reject(
    data_dir: Callable[..., Path], seeds_dir: Path, warehouse: Path
) -> None:
    data = data_dir(
        [
            event(),  # line 2
            event(title="again"),  # line 3: a duplicate of line 2
            event(date="2025-02-30"),  # line 4
            event(company="Midjourny", counterparty="", title="typo"),  # line 5
        ],
        columns=[
            "date",
            "type",
            "company",
            "counterparty",
            "amount",
            "currency",
            "title",
            "source_url",
            "comment",
        ],
    )
    result = run("refresh", "--data-dir", data, "--seeds-dir", seeds_dir, "--warehouse", warehouse)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"refreshed {warehouse}: 2 events, 2 sources from 4 rows in ")
    assert lines[3].split() == ["events.csv", "4", "2", "1", "1"]
    assert "  ignored columns: comment" in lines
    assert (
        "  events.csv:4 date '2025-02-30': date is not a calendar date between 1950 and 2100"
        in lines
    )
    assert "  'Midjourny' -> midjourny (first at events.csv:5)" in lines
    assert event_count(warehouse) == 2


def test_quiet_prints_the_headline_only(
    data_dir: Callable[..., Path], seeds_dir: Path, warehouse: Path
) -> None:
    result = run(
        "refresh",
        "-q",
        "--data-dir",
        data_dir([event()]),
        "--seeds-dir",
        seeds_dir,
        "--warehouse",
        warehouse,
    )
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 1
    assert result.stderr == ""


LATIN1_LINE3 = (
    "date,type,company,counterparty,amount,currency,title,source_url\n"
    "2025-06-12,partnership,Meta,,,,Deal,https://example.com/a\n"
    "2025-06-13,partnership,Meta,,,,Caf\xe9,https://example.com/b\n"
).encode("latin-1")

BAD_FOLDERS = [
    # files to write, the text the one error line must hold
    pytest.param(
        {"events.csv": b"date,type,company,title,source_url\n"},
        "events.csv:1: missing required column(s) counterparty, amount, currency",
        id="missing-column",
    ),
    pytest.param({"events.csv": LATIN1_LINE3}, "events.csv:3:", id="not-utf8"),
    pytest.param({"events.csv": b""}, "events.csv:1: is empty", id="empty-file"),
    pytest.param(
        {"sources.csv": b"event_ref,source_url\n"}, "holds no event CSV file", id="no-event-csv"
    ),
    pytest.param(
        {
            "events.csv": b"date,type,company,counterparty,amount,currency,title,source_url\n",
            "more.csv": b"date,date\n",
        },
        "more.csv:1:2: header names column 'date' twice",
        id="second-file-bad",
    ),
]


@pytest.mark.parametrize(("files", "says"), BAD_FOLDERS)
def test_a_bad_file_stops_the_refresh_with_one_line_and_the_old_warehouse_kept(
    files: dict[str, bytes],
    says: str,
    tmp_path: Path,
    seeds_dir: Path,
    built: tuple[Path, str],
) -> None:
    warehouse, before = built
    data = tmp_path / "bad"
    data.mkdir()
    for name, content in files.items():
        (data / name).write_bytes(content)
    result = run("refresh", "--data-dir", data, "--seeds-dir", seeds_dir, "--warehouse", warehouse)
    assert result.exit_code == 2
    (line,) = error_lines(result)
    assert line.startswith("error: ")
    assert says in line
    assert str(data) in line
    assert result.stdout == ""
    assert digest(warehouse) == before
    assert event_count(warehouse) == 2


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_an_unreadable_file_stops_the_refresh_with_one_line(
    tmp_path: Path, seeds_dir: Path, built: tuple[Path, str]
) -> None:
    warehouse, before = built
    data = tmp_path / "locked"
    data.mkdir()
    path = data / "events.csv"
    path.write_text("date,type,company,counterparty,amount,currency,title,source_url\n")
    path.chmod(0)
    try:
        result = run(
            "refresh", "--data-dir", data, "--seeds-dir", seeds_dir, "--warehouse", warehouse
        )
    finally:
        path.chmod(0o644)
    assert result.exit_code == 2
    (line,) = error_lines(result)
    assert line.startswith(f"error: {path}: cannot be read")
    assert digest(warehouse) == before


def test_a_bad_seed_file_names_its_line_and_column(
    tmp_path: Path, seeds_dir: Path, data_dir: Callable[..., Path], built: tuple[Path, str]
) -> None:
    warehouse, before = built
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for seed in seeds_dir.iterdir():
        (seeds / seed.name).write_bytes(seed.read_bytes())
    with (seeds / "companies.csv").open("a", encoding="utf-8") as handle:
        handle.write("acme,Acme,rocket_maker,,US\n")  # line 9: an unknown kind
    result = run(
        "refresh", "--data-dir", data_dir([event()]), "--seeds-dir", seeds, "--warehouse", warehouse
    )
    assert result.exit_code == 2
    (line,) = error_lines(result)
    assert line.startswith(f"error: {seeds / 'companies.csv'}:9 column kind: ")
    assert digest(warehouse) == before


def test_strict_fails_on_a_reject_and_keeps_the_old_warehouse(
    data_dir: Callable[..., Path], seeds_dir: Path, built: tuple[Path, str]
) -> None:
    warehouse, before = built
    data = data_dir([event(title="x"), event(type="merger-ish")], name="one-bad")
    result = run(
        "refresh",
        "--strict",
        "--quiet",
        "--data-dir",
        data,
        "--seeds-dir",
        seeds_dir,
        "--warehouse",
        warehouse,
    )
    assert result.exit_code == 2
    (line,) = error_lines(result)
    assert line == (
        f"error: --strict: 1 row(s) rejected; the warehouse at {warehouse.resolve()} "
        "was left as it was"
    )
    assert digest(warehouse) == before

    result = run(
        "refresh", "--quiet", "--data-dir", data, "--seeds-dir", seeds_dir, "--warehouse", warehouse
    )
    assert result.exit_code == 0
    assert event_count(warehouse) == 1


def test_the_installed_command_exits_2_on_a_bad_file(
    tmp_path: Path, seeds_dir: Path, built: tuple[Path, str]
) -> None:
    """The same through a real process, as a shell script or CI job sees it."""
    warehouse, before = built
    data = tmp_path / "bad"
    data.mkdir()
    (data / "events.csv").write_bytes(LATIN1_LINE3)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "etl",
            "refresh",
            "--data-dir",
            str(data),
            "--seeds-dir",
            str(seeds_dir),
            "--warehouse",
            str(warehouse),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    column = LATIN1_LINE3.splitlines()[2].index(b"\xe9") + 1
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"error: {data / 'events.csv'}:3:{column}: is not UTF-8 (byte 0xe9); "
        "save it as UTF-8 (in Excel: 'CSV UTF-8')"
    ]
    assert digest(warehouse) == before


@pytest.mark.skipif(
    not (DEFAULT_SEEDS / "companies.csv").is_file(),
    reason="`landscape generate` reads the project's own seeds, not there yet",
)
def test_generate_writes_the_rows_asked_for(tmp_path: Path) -> None:
    result = run("generate", "--events", 50, "--out", tmp_path / "gen", "--seed", 3)
    assert result.exit_code == 0
    with (tmp_path / "gen" / "events.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 50
    assert {"date", "type", "company", "amount", "currency", "title", "source_url"} <= set(rows[0])


def test_generated_rows_are_valid_and_bad_ones_are_rejected(
    tmp_path: Path, seeds_dir: Path
) -> None:
    from etl.generate import generate
    from etl.refresh import refresh

    clean = generate(300, tmp_path / "clean", seeds_dir=seeds_dir).parent
    report = refresh(clean, tmp_path / "clean.duckdb", seeds_dir=seeds_dir)
    assert (report.rejected, report.files[0].rows_read) == (0, 300)

    dirty = generate(300, tmp_path / "dirty", bad_share=0.5, seeds_dir=seeds_dir).parent
    report = refresh(dirty, tmp_path / "dirty.duckdb", seeds_dir=seeds_dir)
    counts = report.files[0]
    assert counts.rejected > 0 and counts.duplicates > 0
    assert counts.rows_read == 300 == counts.loaded + counts.duplicates + counts.rejected


def test_generate_reports_a_bad_seeds_folder_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import etl.generate
    from etl.seeds import load_seeds

    empty = tmp_path / "no-seeds"
    empty.mkdir()
    # `generate` has no --seeds-dir: point its seed reading at an empty folder.
    monkeypatch.setattr(etl.generate, "load_seeds", lambda _: load_seeds(empty))
    result = run("generate", "--events", 5, "--out", tmp_path / "gen")
    assert result.exit_code == 2
    assert error_lines(result) == [f"error: {empty / 'companies.csv'}: seed file is missing"]
