"""Readers are never disturbed: a separate reader process, connecting read-only again and
again as the dashboard does, sees only complete warehouses across 20 refreshes, and keeps
seeing the previous one while a refresh is killed with SIGKILL.

(tests/etl/test_refresh.py has the plain kill test: old warehouse whole, next refresh fine;
here the point is what a reader sees meanwhile.)
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from etl.generate import generate
from etl.refresh import BUILDING_SUFFIX
from etl.sources.registry import single_local
from etl.sources.run import refresh_sources
from tests.support import REPO, event

# Open read-only, read everything in one statement, close; one JSON line per look.
# Consistency: every events row of input_files counted as loaded is in `events`, and all
# events are of one version (their titles say which).
READER = r"""
import json, sys, duckdb
from pathlib import Path
path, stop = sys.argv[1], Path(sys.argv[2])
while not stop.exists():
    try:
        con = duckdb.connect(path, read_only=True)
        try:
            events, loaded, versions, version = con.execute(
                "SELECT (SELECT count(*) FROM events),"
                " (SELECT sum(loaded) FROM input_files WHERE kind = 'events'),"
                " (SELECT count(DISTINCT split_part(title, ' ', 1)) FROM events),"
                " (SELECT min(split_part(title, ' ', 1)) FROM events)"
            ).fetchone()
        finally:
            con.close()
        print(json.dumps({"events": events, "loaded": loaded, "versions": versions,
                          "version": version}), flush=True)
    except Exception as exc:
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
"""


def version_rows(version: int) -> list[dict[str, str]]:
    """Version ``v`` has 5 + v events, all titled ``v<NN> ...``."""
    return [event(ref=f"r{i}", title=f"v{version:02d} event {i}") for i in range(5 + version)]


class Reader:
    """The reader process and what it saw."""

    def __init__(self, warehouse: Path, folder: Path) -> None:
        self.stop = folder / "stop"
        self.out = folder / "seen.jsonl"
        self.process = subprocess.Popen(
            [sys.executable, "-c", READER, str(warehouse), str(self.stop)],
            cwd=REPO,
            stdout=self.out.open("w"),
        )

    def seen(self) -> list[dict[str, Any]]:
        lines = self.out.read_text().splitlines()
        return [json.loads(line) for line in lines if line.endswith("}")]

    def wait_for(self, version: str, seconds: float = 20) -> None:
        deadline = time.monotonic() + seconds
        while not any(s.get("version") == version for s in self.seen()[-50:]):
            assert self.process.poll() is None, "the reader died"
            assert time.monotonic() < deadline, f"the reader never saw {version}"
            time.sleep(0.02)

    def finish(self) -> list[dict[str, Any]]:
        self.stop.touch()
        self.process.wait(timeout=20)
        return self.seen()


@pytest.fixture
def reader(tmp_path: Path, warehouse: Path) -> Iterator[Callable[[], Reader]]:
    started: list[Reader] = []

    def start() -> Reader:
        started.append(Reader(warehouse, tmp_path))
        return started[-1]

    yield start
    for r in started:
        r.process.kill()
        r.process.wait()


def complete(look: dict[str, Any]) -> bool:
    """One version, all its events, each counted in input_files."""
    return (
        "error" not in look
        and look["versions"] == 1
        and look["events"] == look["loaded"] == 5 + int(look["version"][1:])
    )


def test_a_reader_sees_only_complete_warehouses_across_20_refreshes(
    data_dir: Callable[..., Path],
    seeds_dir: Path,
    warehouse: Path,
    reader: Callable[[], Reader],
) -> None:
    refresh_sources(
        single_local(data_dir(version_rows(0), name="v0")), warehouse, seeds_dir=seeds_dir
    )
    watcher = reader()
    watcher.wait_for("v00")
    for version in range(1, 21):
        folder = data_dir(version_rows(version), name=f"v{version}")
        result = refresh_sources(single_local(folder), warehouse, seeds_dir=seeds_dir)
        assert result.report is not None and result.report.swapped
        time.sleep(0.05)  # let the reader look at most versions
    watcher.wait_for("v20")  # reconnecting picks up the new file
    seen = watcher.finish()

    bad = [look for look in seen if not complete(look)]
    assert bad == []
    versions = [look["version"] for look in seen]
    assert versions == sorted(versions)  # never back to an older file
    assert len(set(versions)) >= 5
    assert len(seen) > 40


@pytest.mark.slow
def test_a_reader_keeps_the_old_warehouse_while_a_refresh_is_killed(
    tmp_path: Path,
    data_dir: Callable[..., Path],
    seeds_dir: Path,
    warehouse: Path,
    reader: Callable[[], Reader],
) -> None:
    refresh_sources(
        single_local(data_dir(version_rows(1), name="v1")), warehouse, seeds_dir=seeds_dir
    )
    big = generate(200_000, tmp_path / "big", seeds_dir=seeds_dir).parent
    watcher = reader()
    watcher.wait_for("v01")

    refresh = subprocess.Popen(
        [
            sys.executable, "-m", "etl", "refresh", "--quiet", "--data-dir", str(big),
            "--seeds-dir", str(seeds_dir), "--warehouse", str(warehouse),
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not list(warehouse.parent.glob(f"{warehouse.name}{BUILDING_SUFFIX}*")):
            assert refresh.poll() is None, "the refresh ended before it started building"
            assert time.monotonic() < deadline
            time.sleep(0.005)
        time.sleep(0.2)
        assert refresh.poll() is None, "the refresh finished before it could be killed"
        os.kill(refresh.pid, signal.SIGKILL)
    finally:
        refresh.kill()
        refresh.wait()
    assert refresh.returncode == -signal.SIGKILL
    looks_before = len(watcher.seen())
    time.sleep(0.3)  # the reader goes on looking at what is there after the kill

    result = refresh_sources(
        single_local(data_dir(version_rows(2), name="v2")), warehouse, seeds_dir=seeds_dir
    )
    assert result.run.status == "ok" and result.report is not None and result.report.swapped
    assert not list(warehouse.parent.glob(f"{warehouse.name}{BUILDING_SUFFIX}*"))
    watcher.wait_for("v02")
    seen = watcher.finish()

    assert [look for look in seen if not complete(look)] == []
    assert {look["version"] for look in seen[:looks_before]} == {"v01"}
    assert len(seen) > looks_before  # it kept reading after the kill
    assert seen[-1]["version"] == "v02"
