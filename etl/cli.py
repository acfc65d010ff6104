"""The ``landscape`` command: a thin layer over :mod:`etl` and :mod:`warehouse`.

User mistakes end in one line on stderr and exit status 2; anything else is a bug and shows
its traceback.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from contextlib import ExitStack
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar, cast

import click
from click.core import ParameterSource

from etl.errors import InputError, RefreshBusyError, StrictModeError
from etl.refresh import DEFAULT_DATA, DEFAULT_SEEDS, RefreshReport
from etl.schedule import ScheduleError
from etl.sources.registry import DEFAULT_REGISTRY, Registry, load_registry, single_local
from warehouse.companies import UnknownCompanyError, resolve
from warehouse.db import WarehouseMissingError, connect_read_only, warehouse_path
from warehouse.export import ExportFormat, write
from warehouse.filters import PERIODS, FilterError, Filters
from warehouse.queries import QUERIES, fetch_arrow

if TYPE_CHECKING:
    from etl.sources.run import SourcesRefresh

F = TypeVar("F", bound=Callable[..., Any])
USER_ERRORS = (
    InputError,
    StrictModeError,
    RefreshBusyError,
    WarehouseMissingError,
    UnknownCompanyError,
    FilterError,
    ScheduleError,
)


def user_errors(func: F) -> F:
    """Turn a user's mistake into one line on stderr and exit status 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except USER_ERRORS as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)

    return cast(F, wrapper)


warehouse_option = click.option(
    "--warehouse",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Warehouse file (default: $LANDSCAPE_WAREHOUSE, else data/landscape.duckdb).",
)


data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_DATA,
    show_default="sample_data/",
    help="One folder of curated CSV files (sources*.csv hold extra sources), instead of the "
    "source registry.",
)
sources_option = click.option(
    "--sources",
    "sources_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_REGISTRY,
    show_default="sources.toml",
    help="Source registry (docs/sources.md), read at each refresh.",
)
seeds_dir_option = click.option(
    "--seeds-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_SEEDS,
    show_default="seeds/",
    help="Folder of reference data (companies, aliases, event types, FX rates).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ai-landscape")
def main() -> None:
    """AI Landscape: who partners with, invests in, buys and launches what in AI.

    Curated events (CSV) are validated into a DuckDB warehouse, queried, exported and shown
    in a dashboard.
    """


@main.command("refresh")
@data_dir_option
@sources_option
@seeds_dir_option
@warehouse_option
@click.option("--strict", is_flag=True, help="Fail, and keep the old warehouse, on any reject.")
@click.option("--force", is_flag=True, help="Rebuild even when no input or seed changed.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary line.")
@user_errors
def refresh_command(
    data_dir: Path,
    sources_file: Path,
    seeds_dir: Path,
    warehouse: Path | None,
    strict: bool,
    force: bool,
    quiet: bool,
) -> None:
    """Rebuild the warehouse from seeds and curated files, all or nothing.

    Exit status 1 when a source failed (its last good copy was used) or none could be
    read; 2 on a mistake in a file, as one line.
    """
    from etl.sources.run import SourcesFailedError, refresh_sources

    def progress(message: str) -> None:
        if not quiet:
            click.echo(f"  {message}", err=True)

    try:
        result = refresh_sources(
            registry_loader(data_dir, sources_file)(),
            warehouse,
            seeds_dir=seeds_dir,
            strict=strict,
            force=force,
            progress=progress,
        )
    except SourcesFailedError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(render_refresh(result, brief=quiet))
    if result.failed_sources:
        names = ", ".join(s.name for s in result.failed_sources)
        click.echo(f"warning: source(s) failed, their last good copy was used: {names}", err=True)
        sys.exit(1)


def registry_loader(data_dir: Path, sources_file: Path) -> Callable[[], Registry]:
    """What to read, from the options as given: ``--data-dir`` alone is one local folder;
    otherwise the registry file (re-read at each call, so a scheduler sees edits); without
    a registry file at its default place, the default folder (sample_data/)."""
    context = click.get_current_context()
    defaults = (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP)
    given_dir = context.get_parameter_source("data_dir") not in defaults
    given_file = context.get_parameter_source("sources_file") not in defaults
    if given_dir and given_file:
        raise click.UsageError("give --data-dir or --sources, not both")
    if given_dir or (not given_file and not sources_file.is_file()):
        return lambda: single_local(data_dir)
    load_registry(sources_file)  # a mistake in the file shows now, not at the first run
    return lambda: load_registry(sources_file)


def render_refresh(result: SourcesRefresh, *, brief: bool = False) -> str:
    """The refresh summary; with several sources, a table per source too."""
    from etl.sources.run import render_sources, summary

    report = result.report
    text = summary(result) if report is None else render_report(report, brief=brief)
    if result.several and not brief:
        text += "\n\n" + render_sources(result)
    return text


def render_report(report: RefreshReport, *, brief: bool = False, max_rejects: int = 20) -> str:
    """The refresh summary: per-file counts, rejects, new entities."""
    total_read = sum(f.rows_read for f in report.files)
    headline = (
        f"refreshed {report.warehouse}: {report.events} events, {report.sources} sources "
        f"from {total_read} rows in {report.duration_s:.2f}s"
    )
    if brief:
        return headline
    lines = [headline, "", f"{'file':<28}{'read':>9}{'loaded':>9}{'duplicate':>11}{'rejected':>10}"]
    for f in report.files:
        lines.append(f"{f.file:<28}{f.rows_read:>9}{f.loaded:>9}{f.duplicates:>11}{f.rejected:>10}")
        if f.ignored_columns:
            lines.append(f"  ignored columns: {', '.join(f.ignored_columns)}")
    if report.rejects:
        lines += ["", f"rejected ({len(report.rejects)} rule(s) broken):"]
        for r in report.rejects[:max_rejects]:
            value = "" if r.value is None else f" {r.value!r}"
            lines.append(f"  {r.file}:{r.line} {r.column or ''}{value}: {r.reason}")
        if len(report.rejects) > max_rejects:
            lines.append(f"  ... and {len(report.rejects) - max_rejects} more (table `rejects`)")
    if report.new_entities:
        lines += ["", "new entities (names no seed knows; add them or fix a typo):"]
        for n in report.new_entities:
            lines.append(f"  {n.name!r} -> {n.company_id} (first at {n.first_file}:{n.first_line})")
    if report.amount_conflicts:
        lines += [
            "",
            f"{report.amount_conflicts} source(s) give a different amount "
            "(view `amount_conflicts`)",
        ]
    return "\n".join(lines)


@main.command("schedule")
@click.option("--every", help="Refresh at this interval: 90s, 15m, 6h, 1d, 1h30m.")
@click.option("--cron", help='Refresh on this crontab schedule, local time: "0 */6 * * *".')
@click.option(
    "--run-now/--no-run-now",
    default=True,
    show_default=True,
    help="Refresh once at start, then on the schedule.",
)
@data_dir_option
@sources_option
@seeds_dir_option
@warehouse_option
@click.option("--strict", is_flag=True, help="Keep the old warehouse on any reject.")
@click.option("--quiet", "-q", is_flag=True, help="One line per refresh, no progress.")
@user_errors
def schedule_command(
    every: str | None,
    cron: str | None,
    run_now: bool,
    data_dir: Path,
    sources_file: Path,
    seeds_dir: Path,
    warehouse: Path | None,
    strict: bool,
    quiet: bool,
) -> None:
    """Refresh on a schedule, in the foreground, until stopped.

    Ctrl-C or SIGTERM stops it once a refresh in progress is done (docs/scheduling.md).
    """
    import traceback

    from etl.schedule import make_trigger, parse_duration, run_forever
    from etl.sources.run import SourcesFailedError, refresh_sources, summary

    trigger = make_trigger(every=parse_duration(every) if every else None, cron=cron)
    load = registry_loader(data_dir, sources_file)
    target = warehouse_path(warehouse).resolve()

    def progress(message: str) -> None:
        if not quiet:
            click.echo(f"  {message}", err=True)

    def tick() -> None:
        stamp = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        try:
            result = refresh_sources(
                load(),
                target,
                seeds_dir=seeds_dir,
                strict=strict,
                trigger="schedule",
                progress=progress,
            )
            click.echo(f"{stamp} {summary(result)}")
        except RefreshBusyError as exc:
            click.echo(f"{stamp} skipped: {exc}", err=True)
        except (*USER_ERRORS, SourcesFailedError) as exc:
            click.echo(f"{stamp} failed: {exc}", err=True)
        except Exception:  # a bug: show it, and keep the schedule going
            click.echo(f"{stamp} failed with an unexpected error:", err=True)
            traceback.print_exc()

    when = f"every {every}" if every else f"on cron {cron!r}"
    click.echo(f"refreshing {target} {when}; Ctrl-C or SIGTERM stops", err=True)
    run_forever(tick, trigger, run_now=run_now, echo=lambda m: click.echo(m, err=True))


@main.command("status")
@warehouse_option
@click.option(
    "--max-age",
    default="24h",
    show_default=True,
    help="Warn, and exit 1, when the last successful refresh is older than this.",
)
@click.option(
    "--runs",
    "count",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="How many of the last runs to list.",
)
@user_errors
def status_command(warehouse: Path | None, max_age: str, count: int) -> None:
    """How fresh the data is, and the last refreshes (from the run log)."""
    from etl.runlog import format_age, freshness, read_runs, render_status
    from etl.schedule import parse_duration

    target = warehouse_path(warehouse).resolve()
    fresh = freshness(target, max_age=parse_duration(max_age))
    click.echo(render_status(target, fresh, read_runs(target, limit=count)))
    if fresh.age is None:
        click.echo(f"warning: no successful refresh of {target} is recorded", err=True)
        sys.exit(1)
    if fresh.stale:
        click.echo(
            f"warning: data is older than {max_age} "
            f"(last successful refresh {format_age(fresh.age)} ago)",
            err=True,
        )
        sys.exit(1)


@main.command("export")
@click.argument("name", type=click.Choice(QUERIES))
@click.option(
    "--format",
    "fmt",
    type=click.Choice([f.value for f in ExportFormat]),
    default="csv",
    show_default=True,
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout)."
)
@click.option("--excel", is_flag=True, help="CSV with a byte-order mark, for Excel.")
@click.option("--company", "companies", multiple=True, help="Company name or alias; repeatable.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="First day (YYYY-MM-DD).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Last day (YYYY-MM-DD).")
@click.option("--type", "types", multiple=True, help="Event type; repeatable.")
@click.option(
    "--modality", "modalities", multiple=True, help="Modality (text, video...); repeatable."
)
@click.option(
    "--period",
    type=click.Choice(PERIODS),
    default="year",
    show_default=True,
    help="Period of per-period tables.",
)
@click.option("--no-rollup", is_flag=True, help="Do not count subsidiaries as their parent.")
@click.option(
    "--exclude-uncertain", is_flag=True, help="Count 'up to' and estimated amounts as undisclosed."
)
@warehouse_option
@user_errors
def export_command(
    name: str,
    fmt: str,
    out: Path | None,
    excel: bool,
    companies: tuple[str, ...],
    since: dt.datetime | None,
    until: dt.datetime | None,
    types: tuple[str, ...],
    modalities: tuple[str, ...],
    period: str,
    no_rollup: bool,
    exclude_uncertain: bool,
    warehouse: Path | None,
) -> None:
    """Export a table as CSV, Parquet or JSON (docs/analytics.md lists the tables)."""
    con = connect_read_only(warehouse_path(warehouse))
    try:
        filters = Filters(
            companies=resolve(con, list(companies)),
            since=since.date() if since else None,
            until=until.date() if until else None,
            types=types,
            modalities=modalities,
            rollup=not no_rollup,
            include_uncertain=not exclude_uncertain,
            period=period,
        )
        table = fetch_arrow(con, name, filters)
    finally:
        con.close()
    with ExitStack() as stack:
        stream: BinaryIO = (
            stack.enter_context(out.open("wb")) if out is not None else sys.stdout.buffer
        )
        write(table, stream, ExportFormat(fmt), excel=excel)
    if out is not None:
        click.echo(f"wrote {table.num_rows} rows to {out}", err=True)


@main.command("dashboard")
@click.option("--port", type=click.IntRange(1, 65535), default=8501, show_default=True)
@click.option("--host", default="localhost", show_default=True, help="Address to listen on.")
@warehouse_option
@user_errors
def dashboard_command(port: int, host: str, warehouse: Path | None) -> None:
    """Serve the Streamlit dashboard on http://HOST:PORT."""
    import os
    import subprocess

    target = warehouse_path(warehouse)
    connect_read_only(target).close()  # a clear error now rather than in the browser
    app = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
    env = {**os.environ, "LANDSCAPE_WAREHOUSE": str(target.resolve())}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.port",
        str(port),
        "--server.address",
        host,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    sys.exit(subprocess.call(command, env=env))


@main.command("generate")
@click.option("--events", "count", type=click.IntRange(min=1), required=True, help="Rows to write.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write events.csv into.",
)
@click.option(
    "--bad-share",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Share of rows broken on purpose (bad dates, types, amounts, URLs...).",
)
@click.option("--seed", type=int, default=7, show_default=True, help="Random seed.")
@user_errors
def generate_command(count: int, out: Path, bad_share: float, seed: int) -> None:
    """Write synthetic events in the curated format (for benchmarks and tests)."""
    from etl.generate import generate

    path = generate(count, out, bad_share=bad_share, seed=seed)
    click.echo(f"wrote {count} events to {path}", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
