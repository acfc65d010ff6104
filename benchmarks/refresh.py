"""Refresh benchmark: ``landscape refresh`` against DuckDB's own CSV read of the same file.

The floor is the least any refresh could cost: a fresh process that runs
``CREATE TABLE t AS SELECT * FROM read_csv(path)`` and ``CHECKPOINT`` into a new DuckDB file.
The target (at 1M events) is a refresh p50 at most 3x the floor p50 and a peak RSS under
2 GB. Refresh and floor runs alternate, each in a fresh subprocess, so drift in the machine
(page cache, CPU frequency, neighbours) hits both alike.

Percentiles are nearest-rank: the p-th percentile of n runs is the ceil(p/100 * n)-th
smallest. With 3 to 5 runs the p95 is therefore the slowest run, and the p50 of an even
count is the lower middle run.

    .venv/bin/python -m benchmarks.refresh --sizes 10000,100000,1000000 --markdown out.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import duckdb

import etl.generate
from etl.generate import generate
from etl.refresh import DEFAULT_SEEDS

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WORK_DIR = Path(tempfile.gettempdir()) / "ai-landscape-bench"
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
LARGE_SIZE = 1_000_000  # from here on: fewer default repeats, and the targets apply
TARGET_RATIO = 3.0
TARGET_RSS_MB = 2048.0
MARKER = "dataset.json"

FLOOR_SCRIPT = """\
import sys
import duckdb
con = duckdb.connect(sys.argv[2])
con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [sys.argv[1]])
con.execute("CHECKPOINT")
con.close()
"""


class BenchmarkError(RuntimeError):
    """A benchmarked subprocess failed; the numbers would mean nothing."""


@dataclass(frozen=True)
class Run:
    """One measured subprocess: wall time and the process's own peak RSS."""

    seconds: float
    rss_mb: float


@dataclass(frozen=True)
class SizeResult:
    """All runs of one input size."""

    rows: int
    refresh: list[Run]
    floor: list[Run]
    events: int | None  # events in the warehouse after the last refresh, from its summary

    @property
    def ratio(self) -> float:
        """Refresh p50 over floor p50."""
        return percentile(seconds(self.refresh), 50) / percentile(seconds(self.floor), 50)

    @property
    def refresh_rss_mb(self) -> float:
        """The largest peak RSS of the refresh runs."""
        return max(r.rss_mb for r in self.refresh)

    @property
    def floor_rss_mb(self) -> float:
        """The largest peak RSS of the floor runs."""
        return max(r.rss_mb for r in self.floor)

    def verdict(self) -> str:
        """PASS or FAIL (with the reasons) where the targets apply, a dash elsewhere."""
        if self.rows < LARGE_SIZE:
            return "—"
        misses = []
        if self.ratio > TARGET_RATIO:
            misses.append(f"ratio > {TARGET_RATIO:g}")
        if self.refresh_rss_mb >= TARGET_RSS_MB:
            misses.append(f"RSS ≥ {TARGET_RSS_MB:.0f} MB")
        return f"FAIL ({', '.join(misses)})" if misses else "PASS"


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile: the ceil(p/100 * n)-th smallest of ``values``."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def seconds(runs: Sequence[Run]) -> list[float]:
    """The wall times of ``runs``."""
    return [r.seconds for r in runs]


def progress(message: str) -> None:
    """One line of progress on stderr."""
    print(message, file=sys.stderr, flush=True)


def human(size: int) -> str:
    """10000 -> 10k, 1000000 -> 1M."""
    for factor, suffix in ((1_000_000, "M"), (1_000, "k")):
        if size >= factor and size % factor == 0:
            return f"{size // factor}{suffix}"
    return str(size)


# --- input data ---------------------------------------------------------------------------


def inputs_fingerprint() -> str:
    """A hash of what the generated rows depend on: the seeds and the generator's code."""
    digest = hashlib.sha256()
    files = [*sorted(DEFAULT_SEEDS.glob("*.csv")), Path(etl.generate.__file__)]
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def dataset(work_dir: Path, size: int, *, seed: int, bad_share: float) -> Path:
    """A folder holding only ``events.csv`` with ``size`` generated rows; reused if present.

    A marker file, written after the CSV, records what was generated; a folder without a
    matching marker (an older generator, other seeds, an interrupted run) is generated again.
    """
    folder = work_dir / f"events-{size}-seed{seed}-bad{bad_share:g}"
    marker = folder / MARKER
    wanted = {"size": size, "seed": seed, "bad_share": bad_share, "inputs": inputs_fingerprint()}
    csv_path = folder / "events.csv"
    if csv_path.is_file() and marker.is_file() and json.loads(marker.read_text()) == wanted:
        progress(f"[{human(size)}] reusing {csv_path}")
        return folder
    progress(f"[{human(size)}] generating {size} events into {csv_path} ...")
    marker.unlink(missing_ok=True)
    started = time.perf_counter()
    generate(size, folder, bad_share=bad_share, seed=seed)
    marker.write_text(json.dumps(wanted))
    progress(f"[{human(size)}] generated in {time.perf_counter() - started:.1f}s")
    return folder


# --- measured subprocesses ----------------------------------------------------------------


def remove_database(path: Path) -> None:
    """Delete a DuckDB file and its write-ahead log, so every run starts from nothing."""
    path.unlink(missing_ok=True)
    Path(f"{path}.wal").unlink(missing_ok=True)


def rss_mb(ru_maxrss: int) -> float:
    """``ru_maxrss`` in MB: kilobytes on Linux, bytes on macOS."""
    return ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)


def run_measured(command: list[str], label: str) -> tuple[Run, str]:
    """Run ``command`` in a fresh process; return its time, peak RSS and output.

    The peak RSS comes from ``os.wait4`` on that one child, not from the cumulative
    ``RUSAGE_CHILDREN`` of every child so far. Raises :class:`BenchmarkError` if it fails.
    """
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as output:
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=REPO_ROOT, stdout=output, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        text = read_all(output)
    if proc.returncode != 0:
        raise BenchmarkError(f"{label} exited with {proc.returncode}:\n{text.strip()}")
    return Run(elapsed, rss_mb(usage.ru_maxrss)), text


def read_all(handle: IO[str]) -> str:
    """Everything written to ``handle`` so far."""
    handle.seek(0)
    return handle.read()


def refresh_command(data_dir: Path, warehouse: Path) -> list[str]:
    """``landscape refresh`` as a fresh Python process."""
    return [
        sys.executable,
        "-m",
        "etl",
        "refresh",
        "--quiet",
        "--data-dir",
        str(data_dir),
        "--warehouse",
        str(warehouse),
    ]


def floor_command(csv_path: Path, database: Path) -> list[str]:
    """DuckDB's own read of ``csv_path`` into a new file, as a fresh Python process."""
    return [sys.executable, "-c", FLOOR_SCRIPT, str(csv_path), str(database)]


def events_loaded(summary: str) -> int | None:
    """The event count of a ``refresh --quiet`` summary line, if there is one."""
    match = re.search(r": (\d+) events,", summary)
    return int(match.group(1)) if match else None


def bench_size(data_dir: Path, run_dir: Path, size: int, repeat: int) -> SizeResult:
    """Alternate ``repeat`` refresh runs with ``repeat`` floor runs over one input."""
    warehouse, floor_db = run_dir / "refresh.duckdb", run_dir / "floor.duckdb"
    csv_path = data_dir / "events.csv"
    refresh_runs: list[Run] = []
    floor_runs: list[Run] = []
    events = None
    for n in range(1, repeat + 1):
        tag = f"[{human(size)}] run {n}/{repeat}"
        remove_database(warehouse)
        run, out = run_measured(refresh_command(data_dir, warehouse), f"{tag} refresh")
        refresh_runs.append(run)
        events = events_loaded(out)
        progress(f"{tag} refresh {run.seconds:7.2f}s {run.rss_mb:7.0f} MB")
        remove_database(floor_db)
        run, _ = run_measured(floor_command(csv_path, floor_db), f"{tag} floor")
        floor_runs.append(run)
        progress(f"{tag} floor   {run.seconds:7.2f}s {run.rss_mb:7.0f} MB")
    remove_database(warehouse)
    remove_database(floor_db)
    return SizeResult(size, refresh_runs, floor_runs, events)


# --- report -------------------------------------------------------------------------------


def machine_facts() -> dict[str, str]:
    """What the numbers depend on: CPUs, memory, Python, DuckDB, the day."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    facts = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": str(cpus),
        "cpu": cpu_model(),
        "memory": memory_total(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
    }
    return {k: v for k, v in facts.items() if v}


def cpu_model() -> str:
    """The CPU model from /proc/cpuinfo, or platform's guess."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def memory_total() -> str:
    """Total RAM from /proc/meminfo, or an empty string."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
    except (OSError, ValueError, IndexError):
        pass
    return ""


def render_markdown(
    results: Sequence[SizeResult], facts: dict[str, str], *, bad_share: float, seed: int
) -> str:
    """The report: machine facts, then one table row per size."""
    lines = ["## Refresh benchmark", ""]
    lines += [f"- {key}: {value}" for key, value in facts.items()]
    lines += [
        f"- input: generated events, bad share {bad_share:g}, seed {seed}",
        "- floor: fresh process, `CREATE TABLE t AS SELECT * FROM read_csv(path)` + `CHECKPOINT`",
        "- percentiles: nearest-rank (with 3–5 runs, p95 = slowest run)",
        f"- target (at ≥ {human(LARGE_SIZE)} rows): p50 ratio ≤ {TARGET_RATIO:g}, "
        f"refresh peak RSS < {TARGET_RSS_MB:.0f} MB",
        "",
        "| rows | events | runs | refresh p50 s | refresh p95 s | floor p50 s | floor p95 s "
        "| ratio p50 | refresh RSS MB | floor RSS MB | target |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    lines += [table_row(r) for r in results]
    return "\n".join(lines) + "\n"


def table_row(result: SizeResult) -> str:
    """One size as a markdown table row."""
    refresh_s, floor_s = seconds(result.refresh), seconds(result.floor)
    cells = [
        f"{result.rows:,}",
        "?" if result.events is None else f"{result.events:,}",
        str(len(result.refresh)),
        f"{percentile(refresh_s, 50):.2f}",
        f"{percentile(refresh_s, 95):.2f}",
        f"{percentile(floor_s, 50):.2f}",
        f"{percentile(floor_s, 95):.2f}",
        f"{result.ratio:.2f}",
        f"{result.refresh_rss_mb:.0f}",
        f"{result.floor_rss_mb:.0f}",
        result.verdict(),
    ]
    return "| " + " | ".join(cells) + " |"


# --- command line -------------------------------------------------------------------------


def parse_sizes(text: str) -> list[int]:
    """``10000,100000`` -> [10000, 100000]."""
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a list of integers: {text!r}") from exc
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes must be positive integers")
    return sizes


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.refresh",
        description="Time `landscape refresh` against DuckDB's own read_csv of the same file.",
    )
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=list(DEFAULT_SIZES),
        help="comma-separated event counts (default: 10000,100000,1000000)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help=f"runs of each side per size (default: 5, or 3 from {human(LARGE_SIZE)} rows)",
    )
    parser.add_argument("--bad-share", type=float, default=0.02, help="share of broken rows")
    parser.add_argument("--seed", type=int, default=7, help="generator seed (default: 7)")
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=DEFAULT_WORK_DIR,
        help=f"generated inputs and scratch warehouses (default: {DEFAULT_WORK_DIR})",
    )
    parser.add_argument("--markdown", type=Path, help="also write the report to this file")
    args = parser.parse_args(argv)
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if not 0 <= args.bad_share <= 1:
        parser.error("--bad-share must be between 0 and 1")
    return args


def default_repeat(size: int) -> int:
    """5 runs per side, 3 for the large sizes that take a while."""
    return 3 if size >= LARGE_SIZE else 5


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; 0 unless a subprocess failed (a missed target is only reported)."""
    args = parse_args(argv)
    work_dir: Path = args.work_dir.resolve()
    run_dir = work_dir / "runs"
    run_dir.mkdir(parents=True, exist_ok=True)
    try:
        folders = {
            size: dataset(work_dir, size, seed=args.seed, bad_share=args.bad_share)
            for size in args.sizes
        }
        results = [
            bench_size(folders[size], run_dir, size, args.repeat or default_repeat(size))
            for size in args.sizes
        ]
    except BenchmarkError as exc:
        progress(f"error: {exc}")
        return 1
    report = render_markdown(results, machine_facts(), bad_share=args.bad_share, seed=args.seed)
    print(report, end="")
    if args.markdown is not None:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(report, encoding="utf-8")
        progress(f"wrote {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
