"""A refresh from the source registry: gather every source, rebuild only when something
changed, swap the new warehouse in, and record the run.

Under the refresh lock, in order:

1. each source gives its files (a folder is read; a remote source is fetched into the
   cache, or falls back to its last good copy and is marked failed);
2. when every input (by sha256) and the seeds are those the live warehouse was built from,
   nothing is rebuilt and the run is ``unchanged`` (see :mod:`etl.sources.incremental`);
3. otherwise a new warehouse is built and swapped in (:func:`etl.refresh.swap_in`), with
   the run history copied into it;
4. the run, however it ended, is appended to the run log (:mod:`etl.runlog`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl.errors import StrictModeError
from etl.files import FileKind, InputFile
from etl.load import Progress
from etl.refresh import (
    DEFAULT_SEEDS,
    RefreshReport,
    refresh_lock,
    remove_half_built,
    swap_in,
    tool_version,
)
from etl.runlog import (
    COPIED_RUNS,
    Run,
    RunStatus,
    SourceRun,
    SourceStatus,
    append_run,
    copy_into,
    now,
    read_runs,
)
from etl.seeds import load_seeds
from etl.sources.cache import cache_root
from etl.sources.collect import Collected, collect
from etl.sources.http import HttpClient
from etl.sources.incremental import FileState, LiveState, read_live, seeds_digest, unchanged
from etl.sources.registry import LocalSource, Registry


class SourcesFailedError(Exception):
    """No source gave anything to refresh from; the warehouse was left as it was."""


@dataclass
class SourcesRefresh:
    """What a refresh from sources did: the run as logged, and the build report if any."""

    run: Run
    report: RefreshReport | None  # None: nothing was rebuilt
    warehouse: Path
    several: bool  # labels are <source>/<file>

    @property
    def failed_sources(self) -> list[SourceRun]:
        """The sources that could not be fetched (their last good copy was used, if any)."""
        return [s for s in self.run.sources if s.status == "failed"]


@dataclass
class _Attempt:
    """What is known of a run so far, so that a failure is logged with it."""

    run_id: str
    started_at: dt.datetime
    trigger: str
    seeds_sha256: str | None = None
    sources: list[SourceRun] = field(default_factory=list)
    run: Run | None = None


def _quiet(_: str) -> None:
    return None


def refresh_sources(
    registry: Registry,
    warehouse: Path | None = None,
    *,
    seeds_dir: Path = DEFAULT_SEEDS,
    strict: bool = False,
    force: bool = False,
    trigger: str = "manual",
    data_label: str | None = None,
    progress: Progress = _quiet,
) -> SourcesRefresh:
    """Refresh ``warehouse`` from the sources of ``registry`` and log the run.

    ``force`` rebuilds even when nothing changed. Raises what :func:`etl.refresh.refresh`
    raises (:class:`etl.errors.InputError` for an unusable local file or seed,
    :class:`StrictModeError`, :class:`etl.errors.RefreshBusyError`) and
    :class:`SourcesFailedError` when every source failed; the previous warehouse then
    stays, and the run is logged as ``failed`` (except a busy one, which never started).
    """
    from warehouse.db import warehouse_path

    target = warehouse_path(warehouse).resolve()
    started = time.perf_counter()
    attempt = _Attempt(run_id=uuid.uuid4().hex[:12], started_at=now(), trigger=trigger)
    with refresh_lock(target):
        try:
            result = _refresh_locked(
                registry,
                target,
                attempt,
                seeds_dir=seeds_dir,
                strict=strict,
                force=force,
                data_label=data_label,
                progress=progress,
                started=started,
            )
        except BaseException as exc:
            append_run(
                target,
                Run(
                    run_id=attempt.run_id,
                    started_at=attempt.started_at,
                    ended_at=now(),
                    status="failed",
                    trigger=trigger,
                    seeds_sha256=attempt.seeds_sha256,
                    error=_one_line(exc),
                    sources=attempt.sources,
                ),
            )
            raise
        append_run(target, result.run)
        return result


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    text = str(exc) or type(exc).__name__
    known = exc.__class__.__module__.startswith("etl.")
    return " ".join((text if known else f"{type(exc).__name__}: {text}").split())


def _refresh_locked(
    registry: Registry,
    target: Path,
    attempt: _Attempt,
    *,
    seeds_dir: Path,
    strict: bool,
    force: bool,
    data_label: str | None,
    progress: Progress,
    started: float,
) -> SourcesRefresh:
    remove_half_built(target)
    # Seeds first, as a plain refresh does: a broken seed file is the first thing said, and
    # checking them costs milliseconds.
    seeds = load_seeds(seeds_dir)
    attempt.seeds_sha256 = seeds_digest(seeds_dir)
    collected = _collect_all(registry, target, progress)
    several = registry.several

    def label(source: str, file: InputFile) -> str:
        return f"{source}/{file.path.name}" if several else file.path.name

    attempt.sources = [
        _source_run(c, [label(c.source.name, f) for f in c.files]) for c in collected
    ]
    if all(c.failed for c in collected):
        raise SourcesFailedError(
            "every source failed ("
            + "; ".join(e for c in collected for e in c.errors)
            + f"); the warehouse at {target} was left as it was"
        )
    # Events files before extra-sources files (these point at events of any file), each in
    # source order and then by name, as one folder's files always were.
    ordered = sorted(
        ((c.source.name, f) for c in collected for f in c.files),
        key=lambda pair: pair[1].kind is FileKind.SOURCES,
    )
    if not any(f.kind is FileKind.EVENTS for _, f in ordered):
        raise SourcesFailedError(
            f"no source gave an events file; the warehouse at {target} was left as it was"
        )
    inputs = {label(s, f): (f.kind.value, f.scan.sha256) for s, f in ordered}
    live = read_live(target)
    if not force and unchanged(live, target, inputs, attempt.seeds_sha256, tool_version()):
        assert live is not None
        progress("inputs and seeds are those of the live warehouse: nothing to rebuild")
        return _unchanged_run(attempt, collected, live, target, strict, several, label)

    files = [dataclasses.replace(f, label=label(s, f)) for s, f in ordered]

    def after_build(con: duckdb.DuckDBPyConnection) -> None:
        counts = _counts(con)
        attempt.sources = [
            _source_run(
                c,
                [label(c.source.name, f) for f in c.files],
                counts,
                live=live,
                several=several,
            )
            for c in collected
        ]
        (events,) = con.execute("SELECT count(*) FROM events").fetchall()[0]
        run = _run(attempt, "partial" if _any_failed(collected) else "ok", swapped=True)
        attempt.run = run.model_copy(update={"events": int(events)})
        # The history this warehouse was built in, its own run last (see runlog.copy_into).
        copy_into(con, [*read_runs(target, limit=COPIED_RUNS - 1), attempt.run])

    report = swap_in(
        target,
        files,
        seeds,
        data_label=data_label or _default_label(registry),
        seeds_dir=seeds_dir,
        strict=strict,
        progress=progress,
        started=started,
        after_build=after_build,
    )
    assert attempt.run is not None
    return SourcesRefresh(attempt.run, report, target, several)


def _default_label(registry: Registry) -> str:
    first = registry.sources[0]
    if not registry.several and isinstance(first, LocalSource):
        return str(first.path)  # what `refresh --data-dir` always recorded
    return "sources: " + ", ".join(s.name for s in registry.sources)


def _collect_all(registry: Registry, target: Path, progress: Progress) -> list[Collected]:
    client: HttpClient | None = None

    def get_client() -> HttpClient:
        nonlocal client
        if client is None:
            client = HttpClient(registry.http)
        return client

    collected = []
    total = len(registry.sources)
    try:
        for number, source in enumerate(registry.sources, start=1):
            began = time.perf_counter()
            if not isinstance(source, LocalSource):  # a fetch may take a while: say so first
                progress(f"source {number}/{total} {source.name} ({source.kind}): fetching")
            result = collect(
                source, client=get_client, cache_root=cache_root(target), progress=progress
            )
            state = "FAILED" if result.failed else "ok"
            progress(
                f"source {number}/{total} {source.name} ({source.kind}): {state}, "
                f"{result.summary} ({time.perf_counter() - began:.1f}s)"
            )
            collected.append(result)
    finally:
        if client is not None:
            client.close()
    return collected


def _any_failed(collected: list[Collected]) -> bool:
    return any(c.failed for c in collected)


def _counts(con: duckdb.DuckDBPyConnection) -> dict[str, FileState]:
    return {
        str(r[0]): FileState(str(r[1]), str(r[2]), int(r[3]), int(r[4]), int(r[5]), int(r[6]))
        for r in con.execute(
            "SELECT file, kind, sha256, rows_read, loaded, duplicates, rejected FROM input_files"
        ).fetchall()
    }


def _source_run(
    collected: Collected,
    labels: list[str],
    counts: dict[str, FileState] | None = None,
    *,
    live: LiveState | None = None,
    several: bool = False,
) -> SourceRun:
    """The log entry of one source: its files' counts and whether they changed."""
    counts = counts or {}
    mine = [counts[label] for label in labels if label in counts]
    status: SourceStatus
    if collected.failed:
        status = "failed"
    elif live is not None and _same_as_live(collected, labels, live, several):
        status = "unchanged"
    else:
        status = "ok"
    return SourceRun(
        name=collected.source.name,
        kind=collected.source.kind,
        status=status,
        files=labels,
        rows_read=sum(c.rows_read for c in mine),
        loaded=sum(c.loaded for c in mine),
        duplicates=sum(c.duplicates for c in mine),
        rejected=sum(c.rejected for c in mine),
        used_last_good=collected.used_last_good,
        error="; ".join(collected.errors) or None,
    )


def _same_as_live(
    collected: Collected,
    labels: list[str],
    live: LiveState,
    several: bool,
) -> bool:
    """The source's files are exactly those the live warehouse has for it."""
    prefix = f"{collected.source.name}/"
    theirs = {
        label: (state.kind, state.sha256)
        for label, state in live.files.items()
        if not several or label.startswith(prefix)
    }
    ours = {
        label: (f.kind.value, f.scan.sha256)
        for label, f in zip(labels, collected.files, strict=True)
    }
    return theirs == ours


def _run(attempt: _Attempt, status: RunStatus, *, swapped: bool) -> Run:
    return Run(
        run_id=attempt.run_id,
        started_at=attempt.started_at,
        ended_at=now(),
        status=status,
        trigger=attempt.trigger,
        swapped=swapped,
        seeds_sha256=attempt.seeds_sha256,
        sources=attempt.sources,
    )


def _unchanged_run(
    attempt: _Attempt,
    collected: list[Collected],
    live: LiveState,
    target: Path,
    strict: bool,
    several: bool,
    label: Callable[[str, InputFile], str],
) -> SourcesRefresh:
    rejected = sum(state.rejected for state in live.files.values())
    if strict and rejected:
        # What a rebuild would have said: the same inputs give the same rejects.
        raise StrictModeError(
            f"--strict: {rejected} row(s) rejected; the warehouse at {target} was left as it was"
        )
    attempt.sources = [
        _source_run(
            c,
            [label(c.source.name, f) for f in c.files],
            live.files,
            live=live,
            several=several,
        )
        for c in collected
    ]
    status: RunStatus = "partial" if _any_failed(collected) else "unchanged"
    run = _run(attempt, status, swapped=False).model_copy(update={"events": live.events})
    return SourcesRefresh(run, None, target, several)


def summary(result: SourcesRefresh) -> str:
    """One line: how the run ended, for the scheduler's log and `refresh --quiet`."""
    run = result.run
    line = f"{run.status}: {result.warehouse}: {run.events} events"
    if result.report is None:
        line += ", nothing changed since the last refresh" if run.status == "unchanged" else ""
        line += " (warehouse left as it was)"
    line += f" in {run.duration_s:.2f}s"
    failed = result.failed_sources
    if failed:
        line += "; failed: " + ", ".join(s.name for s in failed)
    return line


def render_sources(result: SourcesRefresh) -> str:
    """The per-source table of a refresh."""
    lines = [f"{'source':<20}{'kind':<13}{'status':<11}{'read':>9}{'loaded':>9}{'rejected':>10}"]
    for s in result.run.sources:
        lines.append(
            f"{s.name:<20}{s.kind:<13}{s.status:<11}{s.rows_read:>9}{s.loaded:>9}{s.rejected:>10}"
        )
        if s.error:
            kept = " (its last good copy was used)" if s.used_last_good else ""
            lines.append(f"  {s.error}{kept}")
    return "\n".join(lines)
