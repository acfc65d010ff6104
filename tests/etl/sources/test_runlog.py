"""The run log and `landscape status`: torn lines, freshness and its warning, and the
commands as a user runs them (`refresh --sources`, `status`)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pytest_httpserver import HTTPServer

from etl.cli import main
from etl.runlog import Run, SourceRun, append_run, format_age, freshness, log_path, read_runs
from tests.etl.sources.conftest import TEST_AGENT
from tests.support import event

T0 = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)


def a_run(minutes: int, status: str = "ok", **sources: str) -> Run:
    return Run(
        run_id=f"r{minutes}",
        started_at=T0 + dt.timedelta(minutes=minutes),
        ended_at=T0 + dt.timedelta(minutes=minutes, seconds=3),
        status=status,  # type: ignore[arg-type]
        swapped=status in ("ok", "partial"),
        events=10,
        sources=[
            SourceRun(name=name, kind="local", status=state)  # type: ignore[arg-type]
            for name, state in sources.items()
        ],
    )


def test_runs_read_back_oldest_first_and_a_torn_line_is_skipped(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    append_run(warehouse, a_run(0))
    with log_path(warehouse).open("a") as handle:
        handle.write('{"run_id": "torn", "started_at": "2025-')  # a writer killed mid-line
    append_run(warehouse, a_run(5, "unchanged"))
    assert [r.run_id for r in read_runs(warehouse)] == ["r0", "r5"]
    assert [r.run_id for r in read_runs(warehouse, limit=1)] == ["r5"]
    assert log_path(warehouse).read_text().count("\n") == 3  # the torn line kept, alone
    assert read_runs(tmp_path / "none.duckdb") == []


def test_freshness_is_the_end_of_the_last_ok_or_unchanged_run(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    for run in (
        a_run(0, "ok", sample="ok", sec="ok"),
        a_run(60, "unchanged", sample="unchanged", sec="unchanged"),
        a_run(120, "partial", sample="ok", sec="failed"),
        a_run(180, "failed"),
    ):
        append_run(warehouse, run)
    at = T0 + dt.timedelta(hours=5)
    fresh = freshness(warehouse, max_age=dt.timedelta(hours=6), at=at)
    assert fresh.refreshed_at == T0 + dt.timedelta(minutes=60, seconds=3)
    assert fresh.age == at - fresh.refreshed_at
    assert not fresh.stale
    assert fresh.last_run is not None and fresh.last_run.run_id == "r180"
    assert fresh.sources == {
        "sample": T0 + dt.timedelta(minutes=120, seconds=3),
        "sec": T0 + dt.timedelta(minutes=60, seconds=3),
    }
    assert freshness(warehouse, max_age=dt.timedelta(hours=3), at=at).stale
    assert freshness(tmp_path / "none.duckdb").stale


@pytest.mark.parametrize(
    ("seconds", "text"), [(5, "5s"), (62, "1m 2s"), (3 * 3600 + 120, "3h 2m"), (90061, "1d 1h")]
)
def test_ages_read_in_two_units(seconds: int, text: str) -> None:
    assert format_age(dt.timedelta(seconds=seconds)) == text


# --- the commands ---------------------------------------------------------------------


def invoke(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def test_status_prints_freshness_and_the_last_runs(
    data_dir: Callable[..., Path], seeds_dir: Path, warehouse: Path
) -> None:
    data = data_dir([event()])
    for _ in range(2):
        result = invoke(
            "refresh", "-q", "--data-dir", data, "--seeds-dir", seeds_dir, "--warehouse", warehouse
        )
        assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"unchanged: {warehouse.resolve()}: 1 events, nothing changed")

    status = invoke("status", "--warehouse", warehouse)
    assert status.exit_code == 0, status.output
    lines = status.stdout.splitlines()
    assert lines[0] == f"warehouse: {warehouse.resolve()}"
    assert lines[1].startswith("last successful refresh: ") and lines[1].endswith("ago, unchanged)")
    table = lines[lines.index("") + 1 :]
    assert table[0].split() == ["started", "took", "status", "swapped", "events"]
    assert [line.split()[4] for line in table if line.endswith(" 1")] == ["unchanged", "ok"]
    assert "    local unchanged: 1 read, 1 loaded, 0 rejected" in table


def test_status_warns_and_exits_1_when_the_data_is_older_than_max_age(
    data_dir: Callable[..., Path], seeds_dir: Path, warehouse: Path
) -> None:
    invoke(
        "refresh",
        "-q",
        "--data-dir",
        data_dir([event()]),
        "--seeds-dir",
        seeds_dir,
        "--warehouse",
        warehouse,
    )
    time.sleep(1.1)
    stale = invoke("status", "--warehouse", warehouse, "--max-age", "1s")
    assert stale.exit_code == 1
    (warning,) = stale.stderr.splitlines()
    assert warning.startswith("warning: data is older than 1s (last successful refresh ")
    assert warning.endswith("s ago)")


def test_status_without_any_run_says_so(tmp_path: Path) -> None:
    result = invoke("status", "--warehouse", tmp_path / "w.duckdb")
    assert result.exit_code == 1
    assert "last successful refresh: none recorded" in result.stdout
    assert result.stderr.startswith("warning: no successful refresh of ")


def test_status_refuses_a_bad_max_age_in_one_line(tmp_path: Path) -> None:
    result = invoke("status", "--warehouse", tmp_path / "w.duckdb", "--max-age", "soon")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: 'soon' is not a duration; write a number and a unit: 90s, 15m, 6h, 1d, 1h30m"
    ]


def test_refresh_with_a_registry_prints_a_table_per_source_and_exits_1_on_a_failed_source(
    tmp_path: Path,
    data_dir: Callable[..., Path],
    seeds_dir: Path,
    warehouse: Path,
    server: HTTPServer,
) -> None:
    server.expect_request("/feed.json").respond_with_data("down", status=503)
    registry = tmp_path / "sources.toml"
    data_dir([event()], name="curated")
    registry.write_text(
        f'[http]\nuser_agent = "{TEST_AGENT}"\nretries = 0\n\n'
        '[[source]]\nname = "mine"\nkind = "local"\npath = "curated"\n\n'
        f'[[source]]\nname = "feed"\nkind = "remote_json"\nurl = "{server.url_for("/feed.json")}"\n',
        encoding="utf-8",
    )
    result = invoke(
        "refresh", "--sources", registry, "--seeds-dir", seeds_dir, "--warehouse", warehouse
    )
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[3].split() == ["mine/events.csv", "1", "1", "0", "0"]
    assert lines[-3].split() == ["mine", "local", "ok", "1", "1", "0"]
    assert lines[-2].split() == ["feed", "remote_json", "failed", "0", "0", "0"]
    assert lines[-1] == f"  {server.url_for('/feed.json')}: HTTP 503 SERVICE UNAVAILABLE"
    assert result.stderr.splitlines()[-1] == (
        "warning: source(s) failed, their last good copy was used: feed"
    )
    assert [r.status for r in read_runs(warehouse)] == ["partial"]


def test_data_dir_and_sources_together_are_refused(tmp_path: Path) -> None:
    result = invoke("refresh", "--data-dir", tmp_path, "--sources", tmp_path / "s.toml")
    assert result.exit_code == 2
    assert "give --data-dir or --sources, not both" in result.stderr


HOLD_LOCK = """
import sys, time
from pathlib import Path
from etl.refresh import refresh_lock
with refresh_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(60)
"""


def test_a_refresh_while_another_runs_exits_at_once_naming_the_holder(
    tmp_path: Path, data_dir: Callable[..., Path], seeds_dir: Path, warehouse: Path
) -> None:
    warehouse.parent.mkdir(parents=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(warehouse.resolve())],
        cwd=Path(__file__).resolve().parents[3],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        began = time.monotonic()
        result = invoke(
            "refresh",
            "--data-dir",
            data_dir([event()]),
            "--seeds-dir",
            seeds_dir,
            "--warehouse",
            warehouse,
        )
        assert time.monotonic() - began < 2
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(
        f"error: another refresh of {warehouse.resolve()} is running (pid {holder.pid} on "
    )
    assert read_runs(warehouse) == []  # a refresh that never started is no run


def test_the_log_is_json_lines_anyone_can_read(
    data_dir: Callable[..., Path], seeds_dir: Path, warehouse: Path
) -> None:
    invoke(
        "refresh",
        "-q",
        "--data-dir",
        data_dir([event()]),
        "--seeds-dir",
        seeds_dir,
        "--warehouse",
        warehouse,
    )
    (line,) = log_path(warehouse).read_text().splitlines()
    record = json.loads(line)
    assert record["status"] == "ok" and record["sources"][0]["files"] == ["events.csv"]
    assert Run.model_validate(record).run_id == record["run_id"]
