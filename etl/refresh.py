"""Refresh: build a new warehouse beside the current one, then swap it in.

All or nothing: the new file is built under a temporary name in the same folder, checked,
flushed to disk and renamed over the old one (an atomic rename on POSIX). A crash, or a
``kill -9``, at any moment leaves the previous warehouse whole; the next refresh removes the
half-built file and starts again. One refresh runs at a time (a file lock).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from etl.errors import RefreshBusyError, StrictModeError
from etl.files import InputFile, discover
from etl.load import Progress, build
from etl.seeds import Seeds, load_seeds
from warehouse.db import apply_schema, warehouse_path

DEFAULT_SEEDS = Path(__file__).resolve().parent.parent / "seeds"
DEFAULT_DATA = Path(__file__).resolve().parent.parent / "sample_data"
BUILDING_SUFFIX = ".building"


@dataclass(frozen=True)
class FileCounts:
    """How every row of one input file ended."""

    file: str
    kind: str
    rows_read: int
    loaded: int
    duplicates: int
    rejected: int
    ignored_columns: list[str]


@dataclass(frozen=True)
class Reject:
    """One broken rule of one rejected row."""

    file: str
    line: int
    column: str | None
    value: str | None
    reason: str


@dataclass(frozen=True)
class NewEntity:
    """A company name no seed knows, created by this refresh."""

    company_id: str
    name: str
    first_file: str
    first_line: int


@dataclass
class RefreshReport:
    """What a refresh did, for the summary and for tests."""

    warehouse: Path
    files: list[FileCounts]
    rejects: list[Reject]
    new_entities: list[NewEntity]
    events: int
    sources: int
    amount_conflicts: int
    duration_s: float
    swapped: bool = field(default=False)

    @property
    def rejected(self) -> int:
        """Rejected rows over all files."""
        return sum(f.rejected for f in self.files)


@cache
def tool_version() -> str:
    """The package version and a digest of the code that shapes a warehouse.

    An incremental refresh rebuilds when this differs from the live warehouse's, so a change
    to a rule, a query macro or the schema reaches the data even when no input changed.
    """
    try:
        release = version("ai-landscape")
    except PackageNotFoundError:
        release = "unknown"
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent.parent
    for path in sorted(
        [
            *root.glob("etl/**/*.py"),
            *root.glob("etl/sql/*.sql"),
            *root.glob("warehouse/schema/*.sql"),
        ]
    ):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return f"{release}+{digest.hexdigest()[:12]}"


@contextmanager
def refresh_lock(warehouse: Path) -> Iterator[None]:
    """Hold the refresh lock of ``warehouse``, or raise :class:`RefreshBusyError` at once.

    The lock is an OS file lock, released by the kernel when its holder dies, so a killed
    refresh leaves no stale lock. The holder writes who it is beside the lock.
    """
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(warehouse) + ".lock", timeout=0)
    holder = Path(str(warehouse) + ".lock.holder")
    try:
        lock.acquire()
    except Timeout:
        try:
            who = json.loads(holder.read_text(encoding="utf-8"))
            named = f"pid {who['pid']} on {who['host']} since {who['started']}"
        except (OSError, ValueError, KeyError):
            named = "another process"
        raise RefreshBusyError(f"another refresh of {warehouse} is running ({named})") from None
    try:
        holder.write_text(
            json.dumps(
                {
                    "pid": os.getpid(),
                    "host": socket.gethostname(),
                    "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                }
            ),
            encoding="utf-8",
        )
        yield
    finally:
        holder.unlink(missing_ok=True)
        lock.release()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _report(con: duckdb.DuckDBPyConnection, warehouse: Path, duration: float) -> RefreshReport:
    files = [
        FileCounts(str(r[0]), str(r[1]), int(r[2]), int(r[3]), int(r[4]), int(r[5]), list(r[6]))
        for r in con.execute(
            "SELECT file, kind, rows_read, loaded, duplicates, rejected, ignored_columns"
            " FROM input_files"
        ).fetchall()
    ]
    rejects = [
        Reject(str(r[0]), int(r[1]), r[2], r[3], str(r[4]))
        for r in con.execute(
            "SELECT file, line, column_name, value, reason FROM rejects ORDER BY file, line"
        ).fetchall()
    ]
    new = [
        NewEntity(str(r[0]), str(r[1]), str(r[2]), int(r[3]))
        for r in con.execute(
            "SELECT company_id, name, first_seen_file, first_seen_line FROM companies"
            " WHERE is_new ORDER BY first_seen_file, first_seen_line"
        ).fetchall()
    ]
    counts = con.execute(
        "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM event_sources),"
        " (SELECT count(*) FROM amount_conflicts)"
    ).fetchone()
    events, sources, conflicts = (int(n) for n in counts) if counts else (0, 0, 0)
    return RefreshReport(warehouse, files, rejects, new, events, sources, conflicts, duration)


def refresh(
    data_dir: Path = DEFAULT_DATA,
    warehouse: Path | None = None,
    *,
    seeds_dir: Path = DEFAULT_SEEDS,
    strict: bool = False,
    progress: Progress = lambda _: None,
) -> RefreshReport:
    """Rebuild ``warehouse`` from ``seeds_dir`` and the curated files of ``data_dir``.

    Raises :class:`etl.errors.InputError` for a file that cannot be used at all,
    :class:`StrictModeError` when ``strict`` and a row was rejected, and
    :class:`RefreshBusyError` when another refresh runs; in each case the previous
    warehouse is left as it was.
    """
    target = warehouse_path(warehouse).resolve()
    started = time.perf_counter()
    with refresh_lock(target):
        remove_half_built(target)
        seeds = load_seeds(seeds_dir)
        files = discover(data_dir)
        progress(f"found {len(files)} file(s) in {data_dir}")
        return swap_in(
            target,
            files,
            seeds,
            data_label=str(data_dir),
            seeds_dir=seeds_dir,
            strict=strict,
            progress=progress,
            started=started,
        )


def remove_half_built(target: Path) -> None:
    """Delete what killed refreshes left of their builds (call under the refresh lock)."""
    for stale in target.parent.glob(f"{target.name}{BUILDING_SUFFIX}*"):
        stale.unlink()


def swap_in(
    target: Path,
    files: list[InputFile],
    seeds: Seeds,
    *,
    data_label: str,
    seeds_dir: Path,
    strict: bool = False,
    progress: Progress = lambda _: None,
    started: float | None = None,
    after_build: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
) -> RefreshReport:
    """Build a warehouse from ``files`` and ``seeds`` beside ``target``, then rename it over.

    Call it holding :func:`refresh_lock` of ``target``. ``after_build`` runs on the new
    warehouse once it is loaded, before it is counted, checked and flushed (the sources
    refresh relabels files and records its runs there). ``started`` is the
    :func:`time.perf_counter` the reported duration counts from (default: now).
    """
    started = time.perf_counter() if started is None else started
    building = target.with_name(f"{target.name}{BUILDING_SUFFIX}-{os.getpid()}")
    try:
        con = duckdb.connect(str(building))
        try:
            apply_schema(con)
            build(con, files, seeds, progress)
            if after_build is not None:
                after_build(con)
            duration = time.perf_counter() - started
            con.execute(
                "INSERT INTO refresh_info VALUES (current_timestamp, ?, ?, ?, ?)",
                [data_label, str(seeds_dir), tool_version(), duration],
            )
            report = _report(con, target, duration)
            if strict and report.rejected:
                raise StrictModeError(
                    f"--strict: {report.rejected} row(s) rejected; "
                    f"the warehouse at {target} was left as it was"
                )
            con.execute("CHECKPOINT")
        finally:
            con.close()
        _fsync(building)
        os.replace(building, target)
        _fsync(target.parent)
        report.swapped = True
        return report
    finally:
        building.unlink(missing_ok=True)
        Path(str(building) + ".wal").unlink(missing_ok=True)
