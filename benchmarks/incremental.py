"""Incremental refresh benchmark: an unchanged refresh against a full one, on the sample data.

An unchanged refresh hashes the inputs and seeds, compares them with what the live
warehouse records, and leaves the file alone; a full refresh (``--force``) rebuilds and
swaps. Both are timed in-process (``refresh_sources``: the refresh itself) and as the
command a user or cron runs (``python -m etl refresh --quiet``, a fresh process: Python and
library start-up included). Each unchanged run is also checked to have left the warehouse
file as it was (same inode, modification time and size).

Target: an unchanged refresh of the sample data under one second: the refresh itself at p95,
and the whole command at p50 (its floor, Python start-up and ``import etl.cli``, is shown:
it is most of the command's time). Percentiles are nearest-rank (the ceil(p/100 * n)-th
smallest run).

    .venv/bin/python -m benchmarks.incremental [--repeat 20] [--cli-repeat 5] [--sources FILE]
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from etl.refresh import DEFAULT_SEEDS
from etl.sources.registry import DEFAULT_REGISTRY, load_registry
from etl.sources.run import refresh_sources

REPO_ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 1.0


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(math.ceil(p / 100 * len(ordered)) - 1, 0)]


def identity(path: Path) -> tuple[int, int, int]:
    stat = path.stat()
    return stat.st_ino, stat.st_mtime_ns, stat.st_size


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return times


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print a markdown report; exit 1 if the target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="in-process runs of each kind")
    parser.add_argument("--cli-repeat", type=int, default=10, help="command runs of each kind")
    parser.add_argument("--sources", type=Path, default=DEFAULT_REGISTRY)
    args = parser.parse_args(argv)

    registry = load_registry(args.sources)
    work = Path(tempfile.mkdtemp(prefix="ai-landscape-incremental-"))
    warehouse = work / "landscape.duckdb"
    print(f"warehouse in {work}", file=sys.stderr)

    def full() -> None:
        result = refresh_sources(registry, warehouse, seeds_dir=DEFAULT_SEEDS, force=True)
        assert result.run.status == "ok", result.run

    def unchanged() -> None:
        before = identity(warehouse)
        result = refresh_sources(registry, warehouse, seeds_dir=DEFAULT_SEEDS)
        assert result.run.status == "unchanged", result.run
        assert identity(warehouse) == before, "an unchanged refresh touched the warehouse"

    full()  # the warehouse to compare against, and warm caches for both kinds alike
    rows = [
        ("full (in-process)", timed(full, args.repeat)),
        ("unchanged (in-process)", timed(unchanged, args.repeat)),
    ]

    command = [sys.executable, "-m", "etl", "refresh", "--quiet", "--sources", str(args.sources)]
    command += ["--warehouse", str(warehouse)]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}

    def cli(*extra: str) -> Callable[[], None]:
        def run() -> None:
            before = identity(warehouse)
            done = subprocess.run([*command, *extra], cwd=REPO_ROOT, env=env, capture_output=True)
            assert done.returncode == 0, done.stderr
            if not extra:
                assert done.stdout.startswith(b"unchanged: "), done.stdout
                assert identity(warehouse) == before, "an unchanged refresh touched the file"

        return run

    def startup() -> None:
        subprocess.run([sys.executable, "-c", "import etl.cli"], cwd=REPO_ROOT, check=True)

    if args.cli_repeat:
        rows.append(("full (command)", timed(cli("--force"), args.cli_repeat)))
        rows.append(("unchanged (command)", timed(cli(), args.cli_repeat)))
        rows.append(("floor: start-up, `import etl.cli`", timed(startup, args.cli_repeat)))

    events = refresh_sources(registry, warehouse, seeds_dir=DEFAULT_SEEDS).run.events
    print(f"# Incremental refresh ({', '.join(s.name for s in registry.sources)}: {events} events)")
    print()
    print("| refresh | runs | p50 s | p95 s | min s | max s |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, times in rows:
        print(
            f"| {name} | {len(times)} | {percentile(times, 50):.3f} | {percentile(times, 95):.3f}"
            f" | {min(times):.3f} | {max(times):.3f} |"
        )
    measured = dict(rows)
    refresh_p95 = percentile(measured["unchanged (in-process)"], 95)
    command_p50 = percentile(measured.get("unchanged (command)", [0.0]), 50)
    verdict = "PASS" if refresh_p95 < TARGET_S and command_p50 < TARGET_S else "FAIL"
    print()
    print(
        "Every unchanged refresh left the warehouse file as it was (inode, mtime, size)."
        f" Target: under {TARGET_S:.0f} s, for the refresh (p95 {refresh_p95:.3f} s) and for"
        f" the whole command (p50 {command_p50:.3f} s, mostly the start-up floor): {verdict}."
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
