"""Run refreshes on a schedule, in the foreground, until stopped.

APScheduler 3 (``BlockingScheduler``) does the timekeeping: an ``IntervalTrigger`` for
``--every 6h``, a ``CronTrigger`` for ``--cron "0 */6 * * *"``. Jobs never overlap (one
worker, ``max_instances=1``) and missed runs collapse into one (``coalesce``), e.g. after a
laptop sleeps. The refresh lock still guards against any other process refreshing the same
warehouse: a tick that finds it held is skipped, with the holder named.

Ctrl-C or SIGTERM stops the scheduler; a refresh in progress is allowed to finish (a second
Ctrl-C abandons it at once, which is safe: an unfinished build never replaces the warehouse).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from apscheduler.triggers.base import BaseTrigger  # type: ignore[import-untyped]

_DURATION = re.compile(r"(\d+)\s*([smhdw])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


class ScheduleError(Exception):
    """A schedule that cannot be used (bad duration or crontab expression)."""


def parse_duration(text: str) -> dt.timedelta:
    """``90s``, ``15m``, ``6h``, ``1d``, ``1w`` or a sum such as ``1h30m``."""
    compact = text.strip().lower()
    parts = _DURATION.findall(compact)
    if not parts or _DURATION.sub("", compact).strip():
        raise ScheduleError(
            f"{text!r} is not a duration; write a number and a unit: 90s, 15m, 6h, 1d, 1h30m"
        )
    total = dt.timedelta()
    for amount, unit in parts:
        total += dt.timedelta(**{_UNITS[unit]: int(amount)})
    if total <= dt.timedelta():
        raise ScheduleError(f"{text!r} is no time at all; the interval must be positive")
    return total


def _cron_weekdays(field: str) -> str:
    """A crontab day-of-week field (0 or 7 = Sunday; names, ranges, steps) as day names.

    APScheduler 3 numbers weekdays from Monday = 0, so ``1-5`` would silently mean Tuesday
    to Saturday there, and ``*/2`` would start on Monday: expanded to names, the field means
    what crontab means.
    """
    days: list[int] = []
    for item in field.lower().split(","):
        match = re.fullmatch(r"(\*|\w+)(?:-(\w+))?(?:/(\d+))?", item)
        if match is None:
            raise ScheduleError(f"day-of-week {item!r} is not a crontab weekday")
        first, last, step = match.groups()
        if first == "*":
            if last is not None:
                raise ScheduleError(f"day-of-week {item!r} is not a crontab weekday")
            low, high = 0, 6
        else:
            low = _weekday_number(first)
            high = _weekday_number(last) if last else (6 if step else low)
        if high < low:
            raise ScheduleError(f"day-of-week range {item!r} runs backwards")
        if step is not None and int(step) == 0:
            raise ScheduleError(f"day-of-week step in {item!r} must be at least 1")
        days += range(low, high + 1, int(step or 1))
    return ",".join(_CRON_DAYS[day] for day in dict.fromkeys(day % 7 for day in days))


def _weekday_number(token: str) -> int:
    if token.isdigit():
        number = int(token)
        if number > 7:
            raise ScheduleError(f"day-of-week {number} is not 0-7")
        return number
    if token not in _CRON_DAYS:
        raise ScheduleError(f"day-of-week {token!r} is not a weekday name")
    return _CRON_DAYS.index(token)


def make_trigger(
    *, every: dt.timedelta | None = None, cron: str | None = None, timezone: dt.tzinfo | None = None
) -> BaseTrigger:
    """The trigger of ``--every`` or ``--cron`` (exactly one), in ``timezone`` (default
    local time, as cron uses)."""
    # APScheduler is imported where it is used: every `landscape` command imports this module.
    from apscheduler.triggers.cron import CronTrigger  # type: ignore[import-untyped]
    from apscheduler.triggers.interval import IntervalTrigger  # type: ignore[import-untyped]

    if (every is None) == (cron is None):
        raise ScheduleError("give exactly one of --every and --cron")
    if every is not None:
        return IntervalTrigger(seconds=every.total_seconds(), timezone=timezone)
    assert cron is not None
    fields = cron.split()
    if len(fields) != 5:
        raise ScheduleError(
            f"{cron!r} is not a crontab expression: it needs 5 fields "
            "(minute hour day-of-month month day-of-week), it has "
            f"{len(fields)}"
        )
    fields[4] = _cron_weekdays(fields[4])
    try:
        return CronTrigger.from_crontab(" ".join(fields), timezone=timezone)
    except ValueError as exc:
        raise ScheduleError(f"{cron!r} is not a crontab expression: {exc}") from None


def next_fire_times(trigger: BaseTrigger, count: int, start: dt.datetime) -> list[dt.datetime]:
    """The next ``count`` times ``trigger`` fires after ``start`` (to show and to test)."""
    times: list[dt.datetime] = []
    previous: dt.datetime | None = None
    moment = start
    for _ in range(count):
        fire = trigger.get_next_fire_time(previous, moment)
        if fire is None:
            break
        times.append(fire)
        previous, moment = fire, fire + dt.timedelta(microseconds=1)
    return times


def run_forever(
    job: Callable[[], None],
    trigger: BaseTrigger,
    *,
    run_now: bool = True,
    echo: Callable[[str], None] = print,
) -> None:
    """Run ``job`` at every firing of ``trigger`` (and once at start with ``run_now``)
    until Ctrl-C or SIGTERM. Call from the main thread (signal handlers live there)."""
    from apscheduler.events import EVENT_JOB_MAX_INSTANCES  # type: ignore[import-untyped]
    from apscheduler.executors.pool import ThreadPoolExecutor  # type: ignore[import-untyped]
    from apscheduler.schedulers.blocking import BlockingScheduler  # type: ignore[import-untyped]

    executor = ThreadPoolExecutor(max_workers=1)
    scheduler = BlockingScheduler(
        executors={"default": executor},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    first: dict[str, dt.datetime] = {}
    if run_now:
        first["next_run_time"] = dt.datetime.now(dt.UTC)
    scheduler.add_job(job, trigger, id="refresh", name="refresh", **first)

    def overlap(event: Any) -> None:
        echo("skipped a run: the previous refresh is still running")

    scheduler.add_listener(overlap, EVENT_JOB_MAX_INSTANCES)
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        if stopping.is_set():
            echo("stopped; the refresh in progress was abandoned (the warehouse is unchanged)")
            os._exit(128 + signum)
        stopping.set()
        echo(
            f"stopping on {signal.Signals(signum).name}: "
            "a refresh in progress finishes first (Ctrl-C again to abandon it)"
        )
        scheduler.shutdown(wait=False)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        scheduler.start()
        executor.shutdown(wait=True)  # let a running refresh finish
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    echo("stopped")
