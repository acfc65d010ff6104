"""The history of refreshes: one JSON line per run, next to the warehouse, read by anyone.

The log lives outside the warehouse (``<warehouse>.runs.jsonl``) because the live warehouse
is never opened read-write: DuckDB allows one read-write process *or* many read-only ones
on a file, and the dashboard holds read-only connections. Runs are appended under the
refresh lock, so lines never interleave; a reader that meets a torn last line (a writer
killed mid-append) skips it. Each new warehouse also gets a copy of the log in its tables
``runs`` and ``run_sources`` (:func:`copy_into`), so SQL can see the history it was built in.

The dashboard's Data page reads :func:`read_runs` and :func:`freshness`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb
from pydantic import BaseModel, ConfigDict, ValidationError

RunStatus = Literal["ok", "failed", "partial", "unchanged"]
SourceStatus = Literal["ok", "failed", "unchanged"]
# A run counts as a successful refresh when every source answered: the data is as fresh as
# the sources were at its end.
SUCCESSFUL: frozenset[str] = frozenset({"ok", "unchanged"})
LOG_SUFFIX = ".runs.jsonl"


class SourceRun(BaseModel):
    """What one source gave in one run."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    name: str
    kind: str
    status: SourceStatus
    files: list[str] = []  # the labels of its files in the warehouse
    rows_read: int = 0
    loaded: int = 0
    duplicates: int = 0
    rejected: int = 0
    used_last_good: bool = False  # fetching failed and its last good copy was used
    error: str | None = None


class Run(BaseModel):
    """One refresh: when, how it ended, and what each source gave."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    run_id: str
    started_at: dt.datetime
    ended_at: dt.datetime
    status: RunStatus
    trigger: str = "manual"  # manual | schedule
    swapped: bool = False  # a new warehouse replaced the old one
    events: int | None = None  # events in the warehouse after the run
    seeds_sha256: str | None = None
    error: str | None = None
    sources: list[SourceRun] = []

    @property
    def duration_s(self) -> float:
        """Wall time of the run in seconds."""
        return (self.ended_at - self.started_at).total_seconds()

    @property
    def successful(self) -> bool:
        """True for ``ok`` and ``unchanged``: every source answered."""
        return self.status in SUCCESSFUL


@dataclass(frozen=True)
class Freshness:
    """How old the data is, from the run log.

    ``refreshed_at`` is the end of the last successful run (``ok`` or ``unchanged``);
    ``stale`` is true when there is none, or it is older than the ``max_age`` asked for.
    ``sources`` maps each source ever seen to the end of its last run that fetched it
    without error (``None``: never).
    """

    refreshed_at: dt.datetime | None
    age: dt.timedelta | None
    stale: bool
    max_age: dt.timedelta | None
    last_run: Run | None
    last_success: Run | None
    sources: dict[str, dt.datetime | None]


def log_path(warehouse: Path) -> Path:
    """The run log of ``warehouse``: ``<warehouse>.runs.jsonl`` beside it."""
    return warehouse.with_name(warehouse.name + LOG_SUFFIX)


def now() -> dt.datetime:
    """The current time in UTC (what every run records)."""
    return dt.datetime.now(dt.UTC)


def append_run(warehouse: Path, run: Run) -> None:
    """Append ``run`` to the log; call it under the refresh lock (one writer at a time)."""
    path = log_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = run.model_dump_json() + "\n"
    with path.open("ab") as handle:
        # A writer killed mid-line leaves a torn line without its newline: start on a fresh
        # line so this run is not glued to it.
        if handle.tell() > 0 and not _ends_with_newline(path):
            line = "\n" + line
        handle.write(line.encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"


def read_runs(warehouse: Path, limit: int | None = None) -> list[Run]:
    """The runs of ``warehouse``, oldest first (the last ``limit`` when given).

    Never opens the warehouse. A missing log is an empty history; a line that does not
    parse (a torn last line) is skipped.
    """
    try:
        lines = log_path(warehouse).read_bytes().splitlines()
    except FileNotFoundError:
        return []
    runs: list[Run] = []
    for line in reversed(lines):  # newest first, so `limit` parses only what it returns
        if limit is not None and len(runs) >= limit:
            break
        if not line.strip():
            continue
        try:
            runs.append(Run.model_validate_json(line))
        except ValidationError:
            continue
    runs.reverse()
    return runs


def last_swap(warehouse: Path) -> Run | None:
    """The newest run that swapped a new warehouse in (reads the log from its end)."""
    try:
        lines = log_path(warehouse).read_bytes().splitlines()
    except FileNotFoundError:
        return None
    for line in reversed(lines):
        if b'"swapped":true' not in line:
            continue
        try:
            run = Run.model_validate_json(line)
        except ValidationError:
            continue
        if run.swapped:
            return run
    return None


def freshness(
    warehouse: Path,
    *,
    max_age: dt.timedelta | None = None,
    at: dt.datetime | None = None,
) -> Freshness:
    """How fresh the data of ``warehouse`` is, by its run log (never opens the warehouse)."""
    runs = read_runs(warehouse)
    moment = at or now()
    last_success = next((r for r in reversed(runs) if r.successful), None)
    refreshed_at = last_success.ended_at if last_success else None
    age = moment - refreshed_at if refreshed_at else None
    stale = age is None or (max_age is not None and age > max_age)
    sources: dict[str, dt.datetime | None] = {}
    for run in runs:
        for source in run.sources:
            if source.status != "failed":
                sources[source.name] = run.ended_at
            else:
                sources.setdefault(source.name, None)
    return Freshness(
        refreshed_at=refreshed_at,
        age=age,
        stale=stale,
        max_age=max_age,
        last_run=runs[-1] if runs else None,
        last_success=last_success,
        sources=sources,
    )


COPIED_RUNS = 1000  # the newest runs a warehouse keeps in its runs table; the log keeps all


def copy_into(con: duckdb.DuckDBPyConnection, runs: Sequence[Run]) -> None:
    """Fill ``runs`` and ``run_sources`` (warehouse/schema/003_runs.sql) of a warehouse
    being built with the newest :data:`COPIED_RUNS` of ``runs``."""
    kept = list(runs)[-COPIED_RUNS:]
    if not kept:
        return
    # One statement per table, each column a list parameter zipped by unnest.
    con.execute(
        "INSERT INTO runs SELECT unnest($run_id), unnest($started_at), unnest($ended_at),"
        " unnest($status), unnest($trigger), unnest($swapped), unnest($events),"
        " unnest($seeds_sha256), unnest($error)",
        {
            "run_id": [r.run_id for r in kept],
            "started_at": [r.started_at for r in kept],
            "ended_at": [r.ended_at for r in kept],
            "status": [r.status for r in kept],
            "trigger": [r.trigger for r in kept],
            "swapped": [r.swapped for r in kept],
            "events": [r.events for r in kept],
            "seeds_sha256": [r.seeds_sha256 for r in kept],
            "error": [r.error for r in kept],
        },
    )
    sources = [(r.run_id, s) for r in kept for s in r.sources]
    if not sources:
        return
    con.execute(
        "INSERT INTO run_sources SELECT unnest($run_id), unnest($source), unnest($kind),"
        " unnest($status), unnest($files), unnest($rows_read), unnest($loaded),"
        " unnest($duplicates), unnest($rejected), unnest($used_last_good), unnest($error)",
        {
            "run_id": [run_id for run_id, _ in sources],
            "source": [s.name for _, s in sources],
            "kind": [s.kind for _, s in sources],
            "status": [s.status for _, s in sources],
            "files": [s.files for _, s in sources],
            "rows_read": [s.rows_read for _, s in sources],
            "loaded": [s.loaded for _, s in sources],
            "duplicates": [s.duplicates for _, s in sources],
            "rejected": [s.rejected for _, s in sources],
            "used_last_good": [s.used_last_good for _, s in sources],
            "error": [s.error for _, s in sources],
        },
    )


def format_age(age: dt.timedelta) -> str:
    """``3d 4h``, ``2h 13m``, ``5m 2s``: the two largest units."""
    seconds = max(int(age.total_seconds()), 0)
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "m"), (seconds, "s")]
    while len(parts) > 1 and parts[0][0] == 0:
        parts.pop(0)
    return " ".join(f"{value}{unit}" for value, unit in parts[:2])


def _when(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def render_status(warehouse: Path, fresh: Freshness, runs: Sequence[Run]) -> str:
    """What `landscape status` prints: freshness, each source's last success, the runs."""
    lines = [f"warehouse: {warehouse}"]
    if fresh.refreshed_at is None or fresh.age is None:
        lines.append("last successful refresh: none recorded")
    else:
        assert fresh.last_success is not None
        lines.append(
            f"last successful refresh: {_when(fresh.refreshed_at)} "
            f"({format_age(fresh.age)} ago, {fresh.last_success.status})"
        )
    if fresh.last_run is not None and fresh.last_run is not fresh.last_success:
        run = fresh.last_run
        failed = ", ".join(s.name for s in run.sources if s.status == "failed")
        why = run.error or (f"failed: {failed}" if failed else "")
        lines.append(f"last run: {_when(run.ended_at)} {run.status}" + (f" ({why})" if why else ""))
    if fresh.sources:
        lines.append("sources (last fetched without error):")
        for name, moment in fresh.sources.items():
            lines.append(f"  {name:<20}{_when(moment) if moment else 'never'}")
    if runs:
        lines += ["", f"{'started':<24}{'took':>8}  {'status':<10}{'swapped':<9}{'events':>8}"]
        for run in reversed(runs):
            events = "" if run.events is None else str(run.events)
            lines.append(
                f"{_when(run.started_at):<24}{run.duration_s:>7.1f}s  {run.status:<10}"
                f"{'yes' if run.swapped else 'no':<9}{events:>8}"
            )
            for source in run.sources:
                counts = (
                    f"{source.rows_read} read, {source.loaded} loaded, {source.rejected} rejected"
                )
                lines.append(f"    {source.name} {source.status}: {counts}")
                if source.error:
                    lines.append(f"      {source.error}")
            if run.error:
                lines.append(f"    error: {run.error}")
    return "\n".join(lines)
