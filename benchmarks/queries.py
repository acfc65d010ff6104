"""Query benchmark: every analytic table, and the full events export, at 1M events.

Targets (issue "Analytics"): p95 under 100 ms per table on this 2-core machine, and a full
CSV export of `events` within 1 s of DuckDB's own ``COPY (query) TO`` of the same rows
(the floor, measured in the same run; the ratio is reported too).

Each table runs with two filter sets: the dashboard's default (Meta, OpenAI and Google,
every date, roll-up on) and no filter at all. One warm-up run, then ``--repeat`` timed runs;
percentiles are nearest-rank (see benchmarks.refresh.percentile). Peak RSS is this
process's own (it does nothing else).

    .venv/bin/python -m benchmarks.queries [--size 1000000] [--repeat 20] [--markdown FILE]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks.refresh import (
    DEFAULT_WORK_DIR,
    dataset,
    human,
    machine_facts,
    percentile,
    progress,
    refresh_command,
    remove_database,
    rss_mb,
)
from warehouse.companies import resolve
from warehouse.db import connect_read_only
from warehouse.export import ExportFormat, write
from warehouse.filters import Filters
from warehouse.queries import QUERIES, fetch_arrow
from warehouse.sql import bind, statements

TARGET_P95_MS = 100.0
TARGET_EXPORT_EXTRA_S = 1.0
DEFAULT_COMPANIES = ("Meta", "OpenAI", "Google")


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    """Seconds of ``repeat`` runs of ``action`` after one warm-up run."""
    action()
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        runs.append(time.perf_counter() - started)
    return runs


def build_warehouse(data_dir: Path, warehouse: Path) -> None:
    """Refresh ``warehouse`` from ``data_dir`` unless it is newer than the data."""
    csv_path = data_dir / "events.csv"
    if warehouse.is_file() and warehouse.stat().st_mtime > csv_path.stat().st_mtime:
        progress(f"reusing {warehouse}")
        return
    remove_database(warehouse)
    progress(f"building {warehouse} ...")
    subprocess.run(refresh_command(data_dir, warehouse), check=True)


def bench_tables(warehouse: Path, repeat: int) -> list[tuple[str, str, int, list[float]]]:
    """(table, filter label, rows, seconds) for every table and filter set."""
    con = connect_read_only(warehouse)
    try:
        filter_sets = {
            "3 companies": Filters(companies=resolve(con, list(DEFAULT_COMPANIES))),
            "no filter": Filters(),
        }
        results = []
        for name in QUERIES:
            for label, filters in filter_sets.items():
                rows = fetch_arrow(con, name, filters).num_rows
                runs = timed(lambda n=name, f=filters: fetch_arrow(con, n, f), repeat)
                progress(f"{name:22} {label:12} p50 {percentile(runs, 50) * 1000:6.0f} ms")
                results.append((name, label, rows, runs))
        return results
    finally:
        con.close()


def bench_export(warehouse: Path, out_dir: Path, repeat: int) -> tuple[list[float], list[float]]:
    """Seconds of the full events CSV export (as the CLI does it) and of DuckDB's COPY."""
    con = connect_read_only(warehouse)
    (statement,) = statements("warehouse", "queries", "events")
    params = bind(statement, Filters().params(), "events.sql")
    ours_path, floor_path = out_dir / "export-ours.csv", out_dir / "export-copy.csv"

    def ours() -> None:
        with ours_path.open("wb") as handle:
            write(fetch_arrow(con, "events", Filters()), handle, ExportFormat.CSV)

    def floor() -> None:
        # COPY's target is part of the statement text; the path is ours, not a user's.
        con.execute(f"COPY ({statement}) TO '{floor_path}' (HEADER)", params)

    try:
        ours_runs, floor_runs = [], []
        for _ in range(repeat):  # alternate, so drift in the machine hits both alike
            ours_runs += timed(ours, 1)
            floor_runs += timed(floor, 1)
        return ours_runs, floor_runs
    finally:
        con.close()
        ours_path.unlink(missing_ok=True)
        floor_path.unlink(missing_ok=True)


def render(
    size: int,
    tables: Sequence[tuple[str, str, int, list[float]]],
    export: tuple[list[float], list[float]],
    peak_mb: float,
) -> str:
    """The markdown report."""
    lines = [f"## Query benchmark ({human(size)} generated events)", ""]
    lines += [f"- {key}: {value}" for key, value in machine_facts().items()]
    lines += [
        f"- peak RSS of the benchmark process: {peak_mb:.0f} MB",
        f"- target: p95 < {TARGET_P95_MS:.0f} ms per table",
        "",
        "| table | filter | rows | p50 ms | p95 ms | target |",
        "|---|---|---:|---:|---:|---|",
    ]
    for name, label, rows, runs in tables:
        p95 = percentile(runs, 95) * 1000
        verdict = "PASS" if p95 < TARGET_P95_MS else "FAIL"
        lines.append(
            f"| {name} | {label} | {rows:,} | {percentile(runs, 50) * 1000:.0f} | {p95:.0f} "
            f"| {verdict} |"
        )
    ours, floor = export
    extra = percentile(ours, 50) - percentile(floor, 50)
    ratio = percentile(ours, 50) / percentile(floor, 50)
    lines += [
        "",
        "| full CSV export of events | p50 s | p95 s |",
        "|---|---:|---:|",
        f"| `landscape export events` path (query + Arrow CSV writer) | "
        f"{percentile(ours, 50):.2f} | {percentile(ours, 95):.2f} |",
        f"| DuckDB `COPY (same query) TO` (floor) | {percentile(floor, 50):.2f} | "
        f"{percentile(floor, 95):.2f} |",
        "",
        f"Export over the floor: {extra:+.2f} s (ratio {ratio:.2f}); "
        f"target within {TARGET_EXPORT_EXTRA_S:.0f} s: "
        f"{'PASS' if extra < TARGET_EXPORT_EXTRA_S else 'FAIL'}.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print (and optionally write) the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--work-dir", type=Path, default=DEFAULT_WORK_DIR)
    parser.add_argument("--markdown", type=Path, help="also write the report to this file")
    args = parser.parse_args(argv)
    args.work_dir.mkdir(parents=True, exist_ok=True)
    data_dir = dataset(args.work_dir, args.size, seed=7, bad_share=0.02)
    warehouse = args.work_dir / f"queries-{args.size}.duckdb"
    build_warehouse(data_dir, warehouse)
    tables = bench_tables(warehouse, args.repeat)
    export = bench_export(warehouse, args.work_dir, max(3, args.repeat // 4))
    peak = rss_mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    report = render(args.size, tables, export, peak)
    print(report)
    if args.markdown:
        args.markdown.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
