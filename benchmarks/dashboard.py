"""Dashboard benchmark: how long each page takes to render, at sample size and at 1M events.

Each size runs in a fresh process that drives ``dashboard/app.py`` through Streamlit's
AppTest (the script run on the server, without a browser): first a cold visit of every page
(empty caches, as after a server start or a refresh), then ``--repeat`` rounds over all
pages (cached results, as a user moving around). The target is every page under 2 s after
the first load, and no chart sending more than ~50k points to the browser (counted from the
figures the pages send). Peak RSS is the measuring process's own.

Percentiles are nearest-rank (see benchmarks.refresh.percentile).

    .venv/bin/python -m benchmarks.dashboard [--sizes sample,1000000] [--repeat 5]
        [--markdown FILE]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.queries import build_warehouse
from benchmarks.refresh import (
    DEFAULT_WORK_DIR,
    dataset,
    human,
    machine_facts,
    percentile,
    progress,
    rss_mb,
)

REPO = Path(__file__).resolve().parent.parent
APP = REPO / "dashboard" / "app.py"
PAGES = ("overview", "timeline", "spend", "models", "network", "explorer", "data_status")
TARGET_S = 2.0
POINT_LIMIT = 50_000
TYPED_SIZES = {"f8": 8, "f4": 4, "i4": 4, "u4": 4, "i2": 2, "u2": 2, "i1": 1, "u1": 1, "i8": 8}


def array_length(values: Any) -> int:
    """Elements of a Plotly JSON array: a list, or a typed array ``{dtype, bdata}``."""
    if isinstance(values, list):
        return len(values)
    if isinstance(values, dict) and "bdata" in values:
        if "shape" in values:
            shape = [int(part) for part in str(values["shape"]).split(",")]
            count = 1
            for part in shape:
                count *= part
            return count
        return len(base64.b64decode(values["bdata"])) // TYPED_SIZES.get(values["dtype"], 8)
    return 0


def chart_points(spec: dict[str, Any]) -> int:
    """Data points one Plotly figure sends to the browser."""
    total = 0
    for trace in spec.get("data", []):
        for attribute in ("x", "values", "z"):
            if attribute in trace:
                total += array_length(trace[attribute])
                break
    return total


def child(warehouse: Path, repeat: int) -> dict[str, Any]:
    """Measure every page in this process (run as a subprocess by :func:`main`)."""
    os.environ["LANDSCAPE_WAREHOUSE"] = str(warehouse)
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=120)
    first: dict[str, float] = {}
    warm: dict[str, list[float]] = {page: [] for page in PAGES}
    points: dict[str, int] = {}
    rows: dict[str, int] = {}

    def visit(page: str) -> float:
        if at._tree.children:
            at.switch_page(f"views/{page}.py")
        started = time.perf_counter()
        at.run()
        elapsed = time.perf_counter() - started
        if at.exception:
            raise RuntimeError(f"{page}: {[e.message for e in at.exception]}")
        return elapsed

    for page in PAGES:
        first[page] = visit(page)
        specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
        points[page] = max((chart_points(spec) for spec in specs), default=0)
        rows[page] = max((len(table.value) for table in at.dataframe), default=0)
    for _ in range(repeat):
        for page in PAGES:
            warm[page].append(visit(page))
    peak = rss_mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return {"first": first, "warm": warm, "points": points, "rows": rows, "rss_mb": peak}


def measure(warehouse: Path, repeat: int) -> dict[str, Any]:
    """Run :func:`child` in a fresh interpreter; its JSON result."""
    command = [
        sys.executable, "-m", "benchmarks.dashboard",
        "--child", str(warehouse), "--repeat", str(repeat),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"measuring {warehouse} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def warehouse_for(size: str, work_dir: Path) -> Path:
    """The warehouse of one size: ``sample`` (sample_data/) or a generated event count."""
    work_dir.mkdir(parents=True, exist_ok=True)
    if size == "sample":
        target = work_dir / "dashboard-sample.duckdb"
        target.unlink(missing_ok=True)
        build_warehouse(REPO / "sample_data", target)
        return target
    count = int(size)
    data_dir = dataset(work_dir, count, seed=7, bad_share=0.0)
    target = work_dir / f"dashboard-{count}.duckdb"
    build_warehouse(data_dir, target)
    return target


def render(results: dict[str, dict[str, Any]], repeat: int) -> str:
    """The markdown report."""
    lines = ["## Dashboard benchmark (AppTest render time per page)", ""]
    lines += [f"- {key}: {value}" for key, value in machine_facts().items()]
    lines += [
        f"- {repeat} cached rounds over all pages after one cold visit of each",
        f"- target: every page under {TARGET_S:.0f} s after the first load; no chart over "
        f"{POINT_LIMIT:,} points",
        "",
        "| size | page | first load s | p50 s | p95 s | chart points (max) | table rows (max) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for size, result in results.items():
        label = size if size == "sample" else human(int(size))
        for page in PAGES:
            runs = result["warm"][page]
            lines.append(
                f"| {label} | {page} | {result['first'][page]:.2f} | "
                f"{percentile(runs, 50):.2f} | {percentile(runs, 95):.2f} | "
                f"{result['points'][page]:,} | {result['rows'][page]:,} |"
            )
    lines += ["", "| size | peak RSS MB | verdict |", "|---|---:|---|"]
    for size, result in results.items():
        worst = max(percentile(result["warm"][page], 95) for page in PAGES)
        most = max(result["points"].values())
        ok = worst < TARGET_S and most <= POINT_LIMIT
        verdict = "meets target" if ok else "MISSES target"
        label = size if size == "sample" else human(int(size))
        lines.append(f"| {label} | {result['rss_mb']:.0f} | {verdict} (worst p95 {worst:.2f} s) |")
    return "\n".join(lines) + "\n"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="sample,1000000", help="sample and/or event counts")
    parser.add_argument("--repeat", type=int, default=5, help="cached rounds over all pages")
    parser.add_argument("--work-dir", type=Path, default=DEFAULT_WORK_DIR)
    parser.add_argument("--markdown", type=Path, help="also write the report here")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.repeat)))
        return 0
    results: dict[str, dict[str, Any]] = {}
    for size in [part.strip() for part in args.sizes.split(",") if part.strip()]:
        warehouse = warehouse_for(size, args.work_dir)
        progress(f"[{size}] measuring {warehouse} ...")
        results[size] = measure(warehouse, args.repeat)
    report = render(results, args.repeat)
    print(report)
    if args.markdown:
        args.markdown.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
