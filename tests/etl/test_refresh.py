"""A refresh, end to end: every row accounted for, ids that last, names in any script,
money in dollars, all-or-nothing swaps, and one refresh at a time."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from etl.errors import RefreshBusyError, StrictModeError
from etl.generate import generate
from etl.refresh import BUILDING_SUFFIX, FileCounts, NewEntity, RefreshReport, refresh
from tests.support import event, write_csv

Build = Callable[..., RefreshReport]
Connect = Callable[[], duckdb.DuckDBPyConnection]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def building_files(warehouse: Path) -> list[Path]:
    return sorted(warehouse.parent.glob(f"{warehouse.name}{BUILDING_SUFFIX}*"))


# --- every row accounted for ---------------------------------------------------------

# Physical lines on the right. The quoted notes cell of line 3 runs to line 5, so every
# line number after it is two more than the row's position in the file.
EVENTS_CSV = """\
ref,date,type,company,counterparty,amount,currency,product,modality,title,source_url,notes
scale,2025-06-12,investment,Meta,Scale AI,14.3B,USD,,,Meta invests in Scale AI,https://example.com/a,
,2025-08-22,licensing,ميتا,ميدجورني,,,,,Meta licenses Midjourney,https://example.com/b,"first
second
third"
,2025-02-30,investment,Meta,Scale AI,1B,USD,,,bad date,https://example.com/c,
,2025-06-01,merger-ish,Meta,Scale AI,,,,,bad type,https://example.com/d,
,2025-06-02,partnership,Meta,OpenAI,,,,,bad url,javascript:alert(1),
,2025-06-03,investment,Meta,Scale AI,-5B,USD,,,negative,https://example.com/e,
too,many,columns,in,this,row,a,b,c,d,e,f,g
scale,2025-06-13,investment,Meta,Scale AI,14.8B,USD,,,Meta invests (update),https://example.com/f,
,2025-06-04,investment,Meta,Scale AI,5M,CHF,,,Swiss francs,https://example.com/g,
,2025-Q2,funding_round,Mistral AI,,€600M,,,,Mistral raises,https://example.com/h,
,2025-05,model_launch,Midjourney,,,,,,V1 video model,https://example.com/i,
,2025-Q2,funding_round,Mistral AI,,€600M,,,,Mistral raises (repeat),https://example.com/j,
"""
SOURCES_CSV = """\
event_ref,source_url,publisher,source_language,reported_amount,reported_currency,notes
scale,https://example.com/ar,Arabic site,ar,14.8B,USD,
scale,https://example.com/a,same as the primary,en,,,
nope,https://example.com/x,,,,,
,https://example.com/y,,,,,
"""


@pytest.fixture
def accounting(tmp_path: Path, build: Build) -> RefreshReport:
    data = tmp_path / "data"
    data.mkdir()
    (data / "events.csv").write_text(EVENTS_CSV, encoding="utf-8")
    (data / "sources.csv").write_text(SOURCES_CSV, encoding="utf-8")
    return build(data)


def test_every_row_of_every_file_is_loaded_a_duplicate_or_rejected(
    accounting: RefreshReport,
) -> None:
    # events: lines 2, 3-5 and 13 load; 11 (same ref as 2) and 15 (same content as 13)
    # are duplicates; 6, 7, 8, 9, 10 (malformed), 12 and 14 are rejected.
    # sources: line 2 loads, 3 repeats the primary source, 4 and 5 are rejected.
    assert accounting.files == [
        FileCounts("events.csv", "events", 12, 3, 2, 7, []),
        FileCounts("sources.csv", "sources", 4, 1, 1, 2, []),
    ]
    for counts in accounting.files:
        assert counts.rows_read == counts.loaded + counts.duplicates + counts.rejected
    assert (accounting.events, accounting.sources) == (3, 3 + 1)
    assert accounting.amount_conflicts == 1  # 14.3B loaded, a source says 14.8B
    assert accounting.swapped


def test_each_broken_rule_is_recorded_at_its_physical_line(
    accounting: RefreshReport, read_only: Connect
) -> None:
    rows = (
        read_only()
        .execute(
            "SELECT file, line, column_name, value, reason_code FROM rejects"
            " WHERE reason_code <> 'csv_malformed'"
        )
        .fetchall()
    )
    assert sorted(rows, key=lambda r: (r[0], r[1], r[4])) == [
        ("events.csv", 6, "date", "2025-02-30", "date_impossible"),
        ("events.csv", 7, "type", "merger-ish", "type_unknown"),
        ("events.csv", 8, "source_url", "javascript:alert(1)", "source_url_not_http"),
        ("events.csv", 9, "amount", "-5B", "amount_negative"),
        ("events.csv", 12, "currency", "CHF", "currency_unknown"),
        ("events.csv", 14, "modality", None, "modality_missing"),
        ("events.csv", 14, "product", None, "product_missing"),
        ("sources.csv", 4, "event_ref", "nope", "event_ref_unknown"),
        ("sources.csv", 5, "event_ref", None, "event_ref_missing"),
    ]


def test_a_row_the_csv_parser_cannot_split_is_rejected_at_its_line(
    accounting: RefreshReport, read_only: Connect
) -> None:
    rows = (
        read_only()
        .execute(
            "SELECT file, line, value, reason FROM rejects WHERE reason_code = 'csv_malformed'"
        )
        .fetchall()
    )
    assert len(rows) == 1
    file, line, value, reason = rows[0]
    assert (file, line) == ("events.csv", 10)
    assert "too,many,columns" in value
    assert reason.startswith("the row does not split into the header's columns")


def test_duplicates_point_at_the_row_that_was_loaded(
    accounting: RefreshReport, read_only: Connect
) -> None:
    rows = (
        read_only()
        .execute("SELECT file, line, first_file, first_line FROM duplicates ORDER BY line")
        .fetchall()
    )
    assert rows == [("events.csv", 11, "events.csv", 2), ("events.csv", 15, "events.csv", 13)]


def test_loaded_events_keep_their_first_line_and_multi_line_cells(
    accounting: RefreshReport, read_only: Connect
) -> None:
    rows = (
        read_only()
        .execute(
            "SELECT source_line, company_id, counterparty_id, title, notes FROM events"
            " ORDER BY source_line"
        )
        .fetchall()
    )
    assert rows == [
        (2, "meta", "scale-ai", "Meta invests in Scale AI", None),
        (3, "meta", "midjourney", "Meta licenses Midjourney", "first\nsecond\nthird"),
        (13, "mistral-ai", None, "Mistral raises", None),
    ]


def test_the_report_lists_rejects_in_file_and_line_order(accounting: RefreshReport) -> None:
    where = [(r.file, r.line) for r in accounting.rejects]
    assert where == sorted(where)
    assert {r.line for r in accounting.rejects if r.file == "events.csv"} == {
        6,
        7,
        8,
        9,
        10,
        12,
        14,
    }


HEADER = "date,type,company,counterparty,amount,currency,title,source_url\n"


def test_line_numbers_count_blank_lines(tmp_path: Path, build: Build) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "events.csv").write_text(
        HEADER
        + "2025-01-02,partnership,Meta,,,,ok,https://e.com/1\n"  # 2
        + "\n"  # 3
        + "1801,partnership,Meta,,,,bad,https://e.com/2\n",  # 4
        encoding="utf-8",
    )
    report = build(data)
    assert [(r.line, r.column) for r in report.rejects] == [(4, "date")]


def test_line_numbers_count_line_breaks_inside_a_malformed_row(
    tmp_path: Path, build: Build
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "events.csv").write_text(
        HEADER
        + '2025-01-02,partnership,Meta,,,,ok,https://e.com/1,"extra\ncell"\n'  # 2-3
        + "1801,partnership,Meta,,,,bad,https://e.com/2\n",  # 4
        encoding="utf-8",
    )
    report = build(data)
    assert [(r.line, r.reason.split(":")[0]) for r in report.rejects] == [
        (2, "the row does not split into the header's columns"),
        (4, "date is not a calendar date between 1950 and 2100"),
    ]


def test_line_numbers_survive_a_bom_and_a_missing_final_line_break(
    tmp_path: Path, build: Build
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    text = (
        "\ufeff"
        + HEADER
        + '2025-01-02,partnership,Meta,,,,"two\nlines",https://e.com/1\n'  # 2-3
        + "a,b\n"  # 4
        + "1801,partnership,Meta,,,,bad,https://e.com/2"  # 5
    )
    (data / "events.csv").write_bytes(text.encode("utf-8"))
    report = build(data)
    assert [(r.line, r.value) for r in report.rejects] == [(4, "a,b"), (5, "1801")]
    assert report.files[0].loaded == 1


def test_line_numbers_of_a_crlf_file(tmp_path: Path, build: Build) -> None:
    """Excel on Windows writes CRLF line ends; a quoted cell may hold one too."""
    data = tmp_path / "data"
    data.mkdir()
    text = (
        HEADER.replace("\n", "\r\n")
        + '2025-01-02,partnership,Meta,,,,"two\r\nlines",https://e.com/1\r\n'  # 2-3
        + "1801,partnership,Meta,,,,bad,https://e.com/2\r\n"  # 4
    )
    (data / "events.csv").write_bytes(text.encode("utf-8"))
    report = build(data)
    assert [(r.line, r.value) for r in report.rejects] == [(4, "1801")]


def test_a_malformed_row_of_a_crlf_file_is_reported_at_its_own_line(
    tmp_path: Path, build: Build
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    text = (
        HEADER.replace("\n", "\r\n")
        + "2025-01-02,partnership,Meta,,,,ok,https://e.com/1\r\n"  # 2
        + "a,b\r\n"  # 3
        + "1801,partnership,Meta,,,,bad,https://e.com/2\r\n"  # 4
    )
    (data / "events.csv").write_bytes(text.encode("utf-8"))
    report = build(data)
    assert [(r.line, r.value) for r in report.rejects] == [(3, "a,b"), (4, "1801")]


# --- --strict -------------------------------------------------------------------------


def test_strict_refuses_any_reject_and_keeps_the_old_warehouse(
    data_dir: Callable[..., Path], build: Build, warehouse: Path, read_only: Connect
) -> None:
    build(data_dir([event()], name="good"))
    before = digest(warehouse)
    mixed = data_dir(
        [event(title="a"), event(date="2025-02-30"), event(company="Google", title="c")],
        name="mixed",
    )
    with pytest.raises(StrictModeError, match="1 row"):
        build(mixed, strict=True)
    assert digest(warehouse) == before
    assert building_files(warehouse) == []

    report = build(mixed)
    assert (report.events, report.rejected) == (2, 1)
    assert read_only().execute("SELECT count(*) FROM events").fetchone() == (2,)


def test_strict_accepts_a_clean_input(data_dir: Callable[..., Path], build: Build) -> None:
    report = build(data_dir([event(), event(company="Google")]), strict=True)
    assert report.swapped and report.events == 2


# --- stable ids -----------------------------------------------------------------------


def event_ids(read_only: Connect) -> dict[str, str]:
    """title -> event_id."""
    con = read_only()
    try:
        return dict(con.execute("SELECT title, event_id FROM events").fetchall())
    finally:
        con.close()


def test_ids_are_stable_across_refreshes_and_edits(
    data_dir: Callable[..., Path], build: Build, read_only: Connect
) -> None:
    rows = [
        event(title="no ref", amount="5M", currency="USD"),
        event(ref="meta-scale", company="Facebook", date="2025-06", title="with ref"),
    ]
    build(data_dir(rows, name="one"))
    first = event_ids(read_only)
    build(data_dir(rows, name="two"))
    assert event_ids(read_only) == first
    assert all(len(i) == len("ev_") + 16 and i.startswith("ev_") for i in first.values())

    edited = [
        {**rows[0], "title": "no ref, better title", "notes": "checked"},
        {
            **rows[1],
            "title": "with ref, new figure",
            "date": "2025-06-12",
            "amount": "$14.3B",
            "status": "completed",
        },
    ]
    build(data_dir(edited, name="three"))
    assert event_ids(read_only) == {
        "no ref, better title": first["no ref"],
        "with ref, new figure": first["with ref"],
    }


@pytest.mark.parametrize(
    "change",
    [{"amount": "6M"}, {"date": "2025-06-13"}, {"company": "Google"}, {"currency": "EUR"}],
    ids=["amount", "date", "company", "currency"],
)
def test_without_a_ref_a_changed_key_field_is_a_new_event(
    change: dict[str, str],
    data_dir: Callable[..., Path],
    build: Build,
    read_only: Connect,
) -> None:
    row = event(amount="5M", currency="USD")
    build(data_dir([row], name="before"))
    (before,) = event_ids(read_only).values()
    build(data_dir([{**row, **change}], name="after"))
    (after,) = event_ids(read_only).values()
    assert after != before


def test_refs_match_whatever_their_case(data_dir: Callable[..., Path], build: Build) -> None:
    report = build(data_dir([event(ref="Meta-Scale"), event(ref="meta-scale", title="again")]))
    assert (report.events, report.files[0].duplicates) == (1, 1)


# --- names in any script --------------------------------------------------------------

ALIAS_ROWS = [
    # (ref, company as written, company_id it must resolve to); line = position + 2
    ("r1", "Facebook", "meta"),
    ("r2", "ميتا", "meta"),
    ("r3", "META", "meta"),
    ("r4", "Meta Platforms, Inc.", "meta"),
    ("r5", "جوجل", "google"),
    ("r6", "Alphabet", "google"),
    ("r7", "أوبن إيه آي", "openai"),
    ("r8", "Open AI", "openai"),
    ("r9", "اوبن ايه اي", "openai"),  # written without hamzas
    ("r10", "ميدجورنى", "midjourney"),  # final alef maksura for yeh
    ("r11", "Midjourny", "midjourny"),  # a typo: a new company
    ("r12", "midjourny", "midjourny"),  # the same typo again
    ("r13", "DeepMind Technologies Ltd", "deepmind-technologies-ltd"),  # new: slug of the name
]


@pytest.fixture
def names_report(data_dir: Callable[..., Path], build: Build) -> RefreshReport:
    rows = [
        event(ref=ref, company=name, counterparty="", type="partnership", title=f"event {ref}")
        for ref, name, _ in ALIAS_ROWS
    ]
    rows.append(event(ref="r14", company="Ghost Corp", date="2025-02-30"))  # rejected
    rows.append(event(ref="r15", company="Google", counterparty="شركة ناشئة", title="r15"))
    return build(data_dir(rows))


def test_aliases_resolve_across_scripts_and_spellings(
    names_report: RefreshReport, read_only: Connect
) -> None:
    resolved = dict(read_only().execute("SELECT ref, company_id FROM events").fetchall())
    assert {ref: resolved.get(ref) for ref, _, _ in ALIAS_ROWS} == {
        ref: company_id for ref, _, company_id in ALIAS_ROWS
    }


def test_an_unknown_name_becomes_a_new_company_found_at_its_first_line(
    names_report: RefreshReport, read_only: Connect
) -> None:
    companies = (
        read_only()
        .execute(
            "SELECT company_id, name, kind, is_new, first_seen_file, first_seen_line"
            " FROM companies WHERE company_id = 'midjourny'"
        )
        .fetchall()
    )
    assert companies == [("midjourny", "Midjourny", "unknown", True, "events.csv", 12)]
    assert NewEntity("midjourny", "Midjourny", "events.csv", 12) in names_report.new_entities


def test_a_name_in_arabic_script_gets_a_new_id_of_its_own(
    names_report: RefreshReport, read_only: Connect
) -> None:
    (row,) = (
        read_only()
        .execute(
            "SELECT c.company_id, c.name, c.kind, c.is_new, c.first_seen_line FROM events e"
            " JOIN companies c ON c.company_id = e.counterparty_id WHERE e.ref = 'r15'"
        )
        .fetchall()
    )
    company_id, name, kind, is_new, line = row
    assert company_id.startswith("co-") and len(company_id) == len("co-") + 8
    assert (name, kind, is_new, line) == ("شركة ناشئة", "unknown", True, 2 + 14)


def test_names_only_on_rejected_rows_create_no_company(
    names_report: RefreshReport, read_only: Connect
) -> None:
    con = read_only()
    assert con.execute("SELECT count(*) FROM companies WHERE name = 'Ghost Corp'").fetchone() == (
        0,
    )
    seeded = con.execute("SELECT count(*) FROM companies WHERE NOT is_new").fetchone()
    assert seeded == (7,)
    new = {n.company_id for n in names_report.new_entities}
    assert "midjourny" in new and "deepmind-technologies-ltd" in new
    assert len(new) == 3


# --- money in dollars -----------------------------------------------------------------

# Rates read by hand from seeds/fx_rates.csv (units per USD, valid from 1 January).
RATES = {
    ("EUR", "2024-01-01"): "0.9242",
    ("EUR", "2025-01-01"): "0.8845",
    ("GBP", "2022-01-01"): "0.811",  # the last GBP rate in the file
    ("JPY", "2020-01-01"): "106.725",
}


def dollars(amount: str, rate: str) -> Decimal:
    return (Decimal(amount) / Decimal(rate)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


FX_CASES = [
    # ref, date, amount, currency, expected amount_usd, rate used
    ("eur-2025", "2025-06-12", "€1,000,000", "", dollars("1000000", "0.8845"), "0.8845"),
    ("eur-new-year", "2025-01-01", "1M", "EUR", dollars("1000000", "0.8845"), "0.8845"),
    ("eur-new-years-eve", "2024-12-31", "1M", "eur", dollars("1000000", "0.9242"), "0.9242"),
    ("eur-quarter", "2024-Q4", "1M", "EUR", dollars("1000000", "0.9242"), "0.9242"),
    ("gbp-latest", "2025", "£1M", "", dollars("1000000", "0.811"), "0.811"),
    ("jpy", "2020-03", "1B", "JPY", dollars("1000000000", "106.725"), "106.725"),
    ("usd", "2025-06-12", "$5M", "", Decimal("5000000.00"), "1"),
]


def test_the_fixture_rates_are_those_of_the_project_seeds(seeds_dir: Path) -> None:
    text = (seeds_dir / "fx_rates.csv").read_text(encoding="utf-8")
    for (currency, valid_from), rate in RATES.items():
        assert f"\n{currency},{valid_from},{rate}," in text
    assert "\nGBP,2023-01-01," not in text


def test_amounts_convert_with_the_rate_valid_on_the_event_date(
    data_dir: Callable[..., Path], build: Build, read_only: Connect
) -> None:
    rows = [
        event(ref=ref, date=date, amount=amount, currency=currency, title=ref)
        for ref, date, amount, currency, _, _ in FX_CASES
    ]
    build(data_dir(rows))
    got = {
        ref: (usd, rate)
        for ref, usd, rate in read_only()
        .execute("SELECT ref, amount_usd, units_per_usd FROM events")
        .fetchall()
    }
    assert got == {ref: (usd, Decimal(rate)) for ref, _, _, _, usd, rate in FX_CASES}


def test_a_currency_without_rates_or_a_date_before_the_first_rate_is_rejected(
    data_dir: Callable[..., Path], build: Build, read_only: Connect
) -> None:
    report = build(
        data_dir(
            [
                event(amount="5M", currency="CHF"),
                event(amount="5M", currency="EUR", date="2012-12-31"),
                event(amount="5M", currency="EUR", date="2013-01-01", title="first EUR day"),
            ]
        )
    )
    rejects = (
        read_only()
        .execute("SELECT line, column_name, value, reason_code FROM rejects ORDER BY line")
        .fetchall()
    )
    assert rejects == [
        (2, "currency", "CHF", "currency_unknown"),
        (3, "currency", "EUR", "fx_missing"),
    ]
    assert report.events == 1


# --- all or nothing -------------------------------------------------------------------


@pytest.mark.slow
def test_a_refresh_killed_midway_leaves_the_old_warehouse_whole(
    tmp_path: Path,
    seeds_dir: Path,
    data_dir: Callable[..., Path],
    build: Build,
    warehouse: Path,
    read_only: Connect,
) -> None:
    small = data_dir([event(), event(company="Google"), event(company="OpenAI")], name="small")
    build(small)
    before = digest(warehouse)
    big = generate(200_000, tmp_path / "big", bad_share=0.05, seeds_dir=seeds_dir).parent

    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "etl",
            "refresh",
            "--quiet",
            "--data-dir",
            str(big),
            "--seeds-dir",
            str(seeds_dir),
            "--warehouse",
            str(warehouse),
        ],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not building_files(warehouse):
            assert process.poll() is None, "the refresh ended before it started building"
            assert time.monotonic() < deadline, "no building file appeared"
            time.sleep(0.005)
        time.sleep(0.2)  # into the build
        assert process.poll() is None, "the refresh finished before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == -signal.SIGKILL
    assert building_files(warehouse), "the kill came too late to test anything"

    assert digest(warehouse) == before
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM events").fetchone() == (3,)
    finally:
        con.close()

    report = build(small)
    assert report.swapped and report.events == 3
    assert building_files(warehouse) == []


HOLD_LOCK = """
import sys, time
from pathlib import Path
from etl.refresh import refresh_lock
with refresh_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(120)
"""


def test_a_second_refresh_is_refused_while_one_holds_the_lock(
    tmp_path: Path,
    seeds_dir: Path,
    data_dir: Callable[..., Path],
    build: Build,
    warehouse: Path,
) -> None:
    data = data_dir([event()])
    build(data)
    before = digest(warehouse)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(warehouse.resolve())],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(RefreshBusyError, match=rf"pid {holder.pid}\b"):
            refresh(data, warehouse, seeds_dir=seeds_dir)
        assert digest(warehouse) == before
    finally:
        holder.kill()
        holder.wait()
    # The OS released the dead holder's lock: no stale lock to clean up by hand.
    assert build(data).swapped


def test_files_are_read_in_name_order_events_before_sources(tmp_path: Path, build: Build) -> None:
    data = tmp_path / "data"
    columns = [
        "ref",
        "date",
        "type",
        "company",
        "counterparty",
        "amount",
        "currency",
        "title",
        "source_url",
    ]
    write_csv(data / "b_events.csv", columns, [event(ref="x", title="in b")])
    write_csv(data / "a_events.csv", columns, [event(ref="x", title="in a")])
    write_csv(
        data / "Sources-extra.csv",
        ["event_ref", "source_url"],
        [{"event_ref": "x", "source_url": "https://example.com/more"}],
    )
    report = build(data)
    assert [(f.file, f.kind, f.loaded, f.duplicates) for f in report.files] == [
        ("a_events.csv", "events", 1, 0),
        ("b_events.csv", "events", 0, 1),
        ("Sources-extra.csv", "sources", 1, 0),
    ]
