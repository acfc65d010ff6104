"""The events query and its filters, on a warehouse built by a real refresh."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from warehouse.companies import UnknownCompanyError, resolve
from warehouse.db import WarehouseMissingError, connect_read_only
from warehouse.filters import Filters
from warehouse.queries import events, fetch_arrow


@pytest.fixture
def con(landscape: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect_read_only(landscape)
    yield connection
    connection.close()


def refs(con: duckdb.DuckDBPyConnection, filters: Filters) -> list[str]:
    """The refs of the events a filter keeps, in the query's order."""
    ids = list(events(con, filters)["event_id"])
    by_id = dict(con.execute("SELECT event_id, ref FROM events").fetchall())
    return [by_id[i] for i in ids]


def test_all_events_come_in_date_order_with_canonical_names(
    con: duckdb.DuckDBPyConnection,
) -> None:
    table = events(con)
    assert refs(con, Filters()) == ["e4", "e3", "e5", "e1", "e2"]
    row = table.set_index("title").loc["ميتا تعقد شراكة مع ميدجورني"]
    assert (row["company"], row["counterparty"]) == ("Meta", "Midjourney")


def test_each_event_spans_the_period_its_date_states(con: duckdb.DuckDBPyConnection) -> None:
    ref_of = dict(con.execute("SELECT event_id, ref FROM events").fetchall())
    spans = {
        ref_of[r["event_id"]]: (r["date"], r["date_end"], r["date_precision"])
        for r in fetch_arrow(con, "events", Filters()).to_pylist()
    }
    assert spans == {
        "e1": (dt.date(2025, 6, 12), dt.date(2025, 6, 12), "day"),
        "e2": (dt.date(2025, 8, 22), dt.date(2025, 8, 22), "day"),
        "e3": (dt.date(2024, 5, 1), dt.date(2024, 5, 31), "month"),
        "e4": (dt.date(2024, 1, 1), dt.date(2024, 12, 31), "year"),
        "e5": (dt.date(2025, 4, 1), dt.date(2025, 6, 30), "quarter"),
    }


def test_amounts_come_in_their_currency_and_in_dollars(con: duckdb.DuckDBPyConnection) -> None:
    rows = fetch_arrow(con, "events", Filters()).to_pylist()
    money = {r["title"]: (r["amount"], r["currency"], r["amount_usd"]) for r in rows}
    # EUR in 2025: 0.8845 units per dollar (seeds/fx_rates.csv)
    euros_in_dollars = (Decimal(600_000_000) / Decimal("0.8845")).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    assert money["@SUM(A1) funding"] == (Decimal("600000000.00"), "EUR", euros_in_dollars)
    assert money["Meta invests in Scale AI"] == (
        Decimal("14300000000.00"),
        "USD",
        Decimal("14300000000.00"),
    )
    assert money["+1 partnership"] == (None, None, None)


def test_an_extra_source_counts_but_the_primary_is_shown(
    con: duckdb.DuckDBPyConnection,
) -> None:
    table = events(con).set_index("title")
    assert table.loc["Meta invests in Scale AI", "source_count"] == 2
    assert table.loc["Meta invests in Scale AI", "source_url"] == "https://example.com/news/1"
    assert table.loc["+1 partnership", "source_count"] == 1


@pytest.mark.parametrize(
    ("companies", "rollup", "expected"),
    [
        (("google",), True, ["e3", "e5"]),  # Google DeepMind rolls up into Google
        (("google",), False, ["e5"]),
        (("google-deepmind",), True, ["e3"]),
        (("meta",), True, ["e1", "e2"]),
        (("midjourney",), True, ["e4", "e2"]),  # as counterparty
        (("meta", "openai"), False, ["e4", "e1", "e2"]),
        (("mistral-ai",), False, ["e5"]),
    ],
)
def test_the_company_filter_matches_either_side_and_rolls_up_on_request(
    con: duckdb.DuckDBPyConnection,
    companies: tuple[str, ...],
    rollup: bool,
    expected: list[str],
) -> None:
    assert refs(con, Filters(companies=companies, rollup=rollup)) == expected


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        # an event is in a window when the first day of its stated period is
        (dt.date(2024, 6, 1), None, ["e5", "e1", "e2"]),  # the year 2024 (e4) starts before
        (None, dt.date(2024, 3, 31), ["e4"]),  # 2024 starts on 2024-01-01
        (dt.date(2025, 4, 1), dt.date(2025, 4, 1), ["e5"]),  # the first day of Q2
        (dt.date(2025, 6, 30), dt.date(2025, 6, 30), []),  # Q2's last day is not its first
        (dt.date(2025, 6, 12), dt.date(2025, 6, 12), ["e1"]),
        (dt.date(2026, 1, 1), None, []),
    ],
)
def test_the_date_window_keeps_events_whose_period_starts_in_it(
    con: duckdb.DuckDBPyConnection,
    since: dt.date | None,
    until: dt.date | None,
    expected: list[str],
) -> None:
    assert refs(con, Filters(since=since, until=until)) == expected


def test_consecutive_windows_never_count_an_event_twice(con: duckdb.DuckDBPyConnection) -> None:
    y2024 = refs(con, Filters(since=dt.date(2024, 1, 1), until=dt.date(2024, 12, 31)))
    y2025 = refs(con, Filters(since=dt.date(2025, 1, 1), until=dt.date(2025, 12, 31)))
    assert (y2024, y2025) == (["e4", "e3"], ["e5", "e1", "e2"])


def test_type_and_modality_filters(con: duckdb.DuckDBPyConnection) -> None:
    assert refs(con, Filters(types=("investment",))) == ["e5", "e1"]
    assert refs(con, Filters(types=("investment", "partnership"))) == ["e4", "e5", "e1"]
    assert refs(con, Filters(modalities=("video",))) == ["e3"]
    assert refs(con, Filters(types=("capex",))) == []


def test_an_unknown_query_is_refused(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ValueError, match="unknown query 'secrets'"):
        fetch_arrow(con, "secrets", Filters())


@pytest.mark.parametrize(
    ("name", "company_id"),
    [
        ("جوجل", "google"),
        ("Alphabet Inc.", "google"),
        ("google-deepmind", "google-deepmind"),  # an id
        ("Google DeepMind", "google-deepmind"),  # a name
        ("Meta Platforms, Inc.", "meta"),
        ("اوبن ايه اي", "openai"),
        ("MIDJOURNEY", "midjourney"),
    ],
)
def test_companies_resolve_by_id_name_or_alias_in_any_script(
    con: duckdb.DuckDBPyConnection, name: str, company_id: str
) -> None:
    assert resolve(con, [name]) == (company_id,)


def test_an_unknown_company_name_is_an_error_naming_it(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(UnknownCompanyError, match="no company named 'Midjourny'"):
        resolve(con, ["Meta", "Midjourny"])


def test_a_missing_warehouse_says_to_run_a_refresh(tmp_path: Path) -> None:
    with pytest.raises(WarehouseMissingError, match="landscape refresh"):
        connect_read_only(tmp_path / "none.duckdb")


def test_the_warehouse_opens_read_only(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(duckdb.Error):
        con.execute("DELETE FROM events")
