"""`landscape schedule`: durations and crontab expressions as a user writes them, and a real
scheduler process that refreshes again and again until SIGTERM or Ctrl-C, skipping a run
while another process holds the refresh lock."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from etl.cli import main
from etl.runlog import read_runs
from etl.schedule import ScheduleError, make_trigger, next_fire_times, parse_duration
from tests.support import REPO, event

UTC = dt.UTC


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90),
        ("1m", 60),
        ("15m", 900),
        ("6h", 21600),
        ("1d", 86400),
        ("1h30m", 5400),
        ("1w", 604800),
    ],
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == dt.timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "6", "h", "6 hours", "-1h", "0s", "1h 30x"])
def test_a_bad_duration_is_refused(text: str) -> None:
    with pytest.raises(ScheduleError):
        parse_duration(text)


def fires(cron: str, start: dt.datetime, count: int = 3) -> list[dt.datetime]:
    return next_fire_times(make_trigger(cron=cron, timezone=UTC), count, start)


FRIDAY = dt.datetime(2025, 1, 3, 7, 0, tzinfo=UTC)  # a Friday, 07:00


def test_every_six_hours_on_the_hour() -> None:
    assert [t.hour for t in fires("0 */6 * * *", FRIDAY)] == [12, 18, 0]


def test_crontab_weekday_numbers_keep_their_crontab_meaning() -> None:
    """APScheduler 3 counts weekdays from Monday = 0; crontab from Sunday = 0 (and 7)."""
    weekdays = [t.strftime("%a") for t in fires("0 6 * * 1-5", FRIDAY, 5)]
    assert weekdays == ["Mon", "Tue", "Wed", "Thu", "Fri"]
    assert [t.strftime("%a") for t in fires("0 6 * * 0", FRIDAY, 2)] == ["Sun", "Sun"]
    assert [t.strftime("%a") for t in fires("0 6 * * 7", FRIDAY, 1)] == ["Sun"]
    assert [t.strftime("%a") for t in fires("0 6 * * */2", FRIDAY, 4)] == [
        "Sat",
        "Sun",
        "Tue",
        "Thu",
    ]
    assert [t.strftime("%a") for t in fires("0 6 * * sat,sun", FRIDAY, 2)] == ["Sat", "Sun"]


def test_an_interval_fires_at_that_interval() -> None:
    trigger = make_trigger(every=parse_duration("1h30m"), timezone=UTC)
    times = next_fire_times(trigger, 3, dt.datetime.now(UTC))
    assert [b - a for a, b in itertools.pairwise(times)] == [dt.timedelta(minutes=90)] * 2


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--cron", "0 */6 * *"], "it needs 5 fields"),
        (["--cron", "61 * * * *"], "is not a crontab expression"),
        (["--cron", "0 6 * * 5-1"], "runs backwards"),
        (["--every", "often"], "'often' is not a duration"),
        (["--every", "1h", "--cron", "0 * * * *"], "give exactly one of --every and --cron"),
        ([], "give exactly one of --every and --cron"),
    ],
)
def test_a_bad_schedule_stops_at_once_with_one_line(args: list[str], says: str) -> None:
    result = CliRunner().invoke(main, ["schedule", *args])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: ") and says in line


# --- a real scheduler process ---------------------------------------------------------


def start_scheduler(*args: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "etl", "schedule", *map(str, args)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[str], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert process.poll() is None, f"the scheduler ended: {process.communicate()}"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_the_scheduler_refreshes_repeatedly_until_stopped(
    stop: signal.Signals,
    data_dir: Callable[..., Path],
    seeds_dir: Path,
    warehouse: Path,
) -> None:
    scheduler = start_scheduler(
        "--every", "1s", "--data-dir", data_dir([event()]), "--seeds-dir", seeds_dir,
        "--warehouse", warehouse, "--quiet",
    )  # fmt: skip
    try:
        wait_for(lambda: len(read_runs(warehouse)) >= 3, scheduler, 30)
        scheduler.send_signal(stop)
        out, err = scheduler.communicate(timeout=20)
    finally:
        scheduler.kill()
    assert scheduler.returncode == 0, err
    runs = read_runs(warehouse)
    assert [r.status for r in runs[:3]] == ["ok", "unchanged", "unchanged"]
    assert {r.trigger for r in runs} == {"schedule"}
    # one line per run on stdout, and the stop announced on stderr
    assert len(out.splitlines()) == len(runs)
    assert out.splitlines()[1].split()[1] == "unchanged:"
    assert err.splitlines()[-1] == "stopped"
    assert f"stopping on {stop.name}" in err


HOLD_LOCK = """
import sys, time
from pathlib import Path
from etl.refresh import refresh_lock
with refresh_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    sys.stdin.readline()
"""


def test_a_run_due_while_another_process_refreshes_is_skipped_naming_the_holder(
    data_dir: Callable[..., Path], seeds_dir: Path, warehouse: Path
) -> None:
    warehouse.parent.mkdir(parents=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(warehouse.resolve())],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdin is not None and holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    scheduler = start_scheduler(
        "--every", "1s", "--data-dir", data_dir([event()]), "--seeds-dir", seeds_dir,
        "--warehouse", warehouse, "--quiet",
    )  # fmt: skip
    try:
        time.sleep(2.5)  # a few runs come due while the lock is held
        assert read_runs(warehouse) == []
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=10)
        wait_for(lambda: len(read_runs(warehouse)) >= 1, scheduler, 30)
        scheduler.send_signal(signal.SIGTERM)
        _, err = scheduler.communicate(timeout=20)
    finally:
        scheduler.kill()
        holder.kill()
    assert scheduler.returncode == 0
    skipped = [line for line in err.splitlines() if " skipped: " in line]
    assert skipped, err
    assert f"is running (pid {holder.pid} on " in skipped[0]
    assert read_runs(warehouse)[0].status == "ok"
