"""Analytic tables on a small hand-made warehouse, every expected figure worked out by hand.

The fixture (below) holds 16 events. The figures in the tests follow from the money
direction rules of docs/data-model.md:
spend = money out of the company (licensing, investment, acquisition, capex, compute_deal);
raised = funding rounds it raised plus investments and acquisitions it received;
cancelled and rumored events carry no money; EUR converts at 0.8 EUR per USD.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl.refresh import refresh
from warehouse.db import connect_read_only
from warehouse.filters import FilterError, Filters
from warehouse.queries import fetch

REPO = Path(__file__).resolve().parents[2]

COMPANIES = """company_id,name,kind,parent_id,country
meta,Meta,big_tech,,US
google,Google,big_tech,,US
google-deepmind,Google DeepMind,ai_lab,google,GB
openai,OpenAI,ai_lab,,US
microsoft,Microsoft,big_tech,,US
scale-ai,Scale AI,startup,,US
midjourney,Midjourney,ai_lab,,US
mistral-ai,Mistral AI,ai_lab,,FR
"""
ALIASES = """company_id,alias,language
meta,Facebook,en
google,جوجل,ar
"""
FX = """currency,valid_from,units_per_usd,source_url,note
EUR,2023-01-01,0.9,https://example.org/fx,test rate
EUR,2024-01-01,0.8,https://example.org/fx,test rate
"""
EVENTS = """ref,date,type,company,counterparty,amount,currency,amount_qualifier,status,product,modality,title,source_url
inv,2024-03-15,investment,Meta,Scale AI,1B,USD,exact,completed,,,Meta invests in Scale,https://example.org/1
acq,2024-Q3,acquisition,Google DeepMind,Mistral AI,100M,EUR,exact,completed,,,DeepMind buys Mistral,https://example.org/2
lic24,2024,licensing,Facebook,Midjourney,50M,USD,up_to,announced,,image,Meta licenses Midjourney,https://example.org/3
fund,2025-06,funding_round,OpenAI,Microsoft,10B,USD,reported,completed,,,OpenAI raises,https://example.org/4
msinv,2025-02-10,investment,Microsoft,OpenAI,,,,announced,,,Microsoft invests more,https://example.org/5
lic25,2025-08-22,licensing,Meta,Midjourney,,,,announced,,image,Meta licenses again,https://example.org/6
capex,2025-05-20,capex,Google,,20B,USD,estimated,announced,,,Google capex guide,https://example.org/7
cdeal,2024-12-01,compute_deal,OpenAI,Microsoft,5B,USD,exact,cancelled,,,Cancelled compute deal,https://example.org/8
sora,2024-02-15,model_launch,OpenAI,,,,,announced,Sora,video,Sora preview,https://example.org/9
veo,2024-05-14,model_launch,Google DeepMind,,,,,announced,Veo,video,Veo,https://example.org/10
moviegen,2024-10-04,model_launch,Meta,,,,,announced,Movie Gen,video,Movie Gen,https://example.org/11
sora2,2025-09-30,model_launch,OpenAI,,,,,announced,Sora 2,video,Sora 2,https://example.org/12
gpt4o,2024-05-13,model_launch,OpenAI,,,,,announced,GPT-4o,multimodal,GPT-4o,https://example.org/13
part,2025-01-21,partnership,OpenAI,Microsoft,,,,announced,,,OpenAI and Microsoft,https://example.org/14
wang,2025-06-12,talent,Meta,Scale AI,,,,announced,,,Scale founder joins Meta,https://example.org/15
formula,2025-03-01,product_launch,Meta,,,,,announced,=HYPERLINK(1),text,=1+1 test title,https://example.org/16
"""

B = Decimal(10) ** 9
M = Decimal(10) ** 6


@pytest.fixture(scope="module")
def warehouse_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real warehouse built by a refresh of the events above."""
    root = tmp_path_factory.mktemp("analytics")
    seeds, data = root / "seeds", root / "data"
    seeds.mkdir()
    data.mkdir()
    (seeds / "companies.csv").write_text(COMPANIES, encoding="utf-8")
    (seeds / "aliases.csv").write_text(ALIASES, encoding="utf-8")
    (seeds / "fx_rates.csv").write_text(FX, encoding="utf-8")
    shutil.copy(REPO / "seeds" / "event_types.csv", seeds / "event_types.csv")
    (data / "events.csv").write_text(EVENTS, encoding="utf-8")
    report = refresh(data, root / "w.duckdb", seeds_dir=seeds, strict=True)
    assert report.events == 16
    return root / "w.duckdb"


@pytest.fixture
def con(warehouse_file: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect_read_only(warehouse_file)
    yield connection
    connection.close()


def money(frame: pd.DataFrame, company: str, period: str, column: str) -> Decimal:
    """One money cell of a per-period table, as an exact Decimal."""
    row = frame[(frame.company_id == company) & (frame.period == pd.Timestamp(period))]
    assert len(row) == 1, f"expected one row for {company} {period}, got {len(row)}"
    return Decimal(str(row.iloc[0][column]))


def row_of(frame: pd.DataFrame, **where: object) -> pd.Series:
    """The single row of ``frame`` matching every column=value given."""
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    assert mask.sum() == 1, f"expected one row for {where}, got {mask.sum()}"
    return frame[mask].iloc[0]


@pytest.mark.parametrize(
    ("company", "year", "spend", "raised", "deals", "undisclosed"),
    [
        # investment 1B + licensing up to 50M ("up to" counts by default)
        ("meta", "2024-01-01", 1 * B + 50 * M, 0, 2, 0),
        # 2025 licensing has no amount; the talent move is not a deal
        ("meta", "2025-01-01", 0, 0, 1, 1),
        # DeepMind's 100M EUR acquisition rolls up to Google: 100M / 0.8 = 125M USD
        ("google", "2024-01-01", 125 * M, 0, 1, 0),
        ("google", "2025-01-01", 20 * B, 0, 1, 0),
        # raised 10B in its round; the Microsoft investment it received is undisclosed
        ("openai", "2025-01-01", 0, 10 * B, 2, 1),
        # as lead investor of a round Microsoft neither spends nor raises; its own
        # investment is undisclosed
        ("microsoft", "2025-01-01", 0, 0, 1, 1),
        ("scale-ai", "2024-01-01", 0, 1 * B, 1, 0),
        ("mistral-ai", "2024-01-01", 0, 125 * M, 1, 0),
    ],
)
def test_yearly_spend_and_raised(
    con: duckdb.DuckDBPyConnection,
    company: str,
    year: str,
    spend: Decimal,
    raised: Decimal,
    deals: int,
    undisclosed: int,
) -> None:
    frame = fetch(con, "spend", Filters(period="year"))
    assert money(frame, company, year, "spend_usd") == spend
    assert money(frame, company, year, "raised_usd") == raised
    row = row_of(frame, company_id=company, period=pd.Timestamp(year))
    assert (row.deals, row.undisclosed_deals) == (deals, undisclosed)


def test_cancelled_deals_carry_no_money(con: duckdb.DuckDBPyConnection) -> None:
    frame = fetch(con, "spend", Filters(period="year"))
    # OpenAI's only 2024 money event is the cancelled compute deal: no 2024 row at all.
    assert frame[(frame.company_id == "openai") & (frame.period.dt.year == 2024)].empty


def test_cumulative_spend_runs_over_periods(con: duckdb.DuckDBPyConnection) -> None:
    frame = fetch(con, "spend", Filters(period="year", companies=("google",)))
    assert money(frame, "google", "2025-01-01", "cumulative_spend_usd") == 125 * M + 20 * B


def test_quarters_place_coarser_dates_at_their_first_day(con: duckdb.DuckDBPyConnection) -> None:
    frame = fetch(con, "spend", Filters(period="quarter", companies=("meta",)))
    # Q1 2024 holds the March investment and the year-precision licensing (placed in Q1).
    q1 = row_of(frame, period=pd.Timestamp("2024-01-01"))
    assert Decimal(str(q1.spend_usd)) == 1 * B + 50 * M
    assert (q1.deals, q1.imprecise_deals) == (2, 1)
    assert set(frame.period.dt.strftime("%Y-%m")) == {"2024-01", "2025-07"}


def test_month_precision_is_not_imprecise_for_quarters(con: duckdb.DuckDBPyConnection) -> None:
    frame = fetch(con, "spend", Filters(period="quarter", companies=("openai",)))
    q2 = row_of(frame, period=pd.Timestamp("2025-04-01"))
    assert Decimal(str(q2.raised_usd)) == 10 * B
    assert q2.imprecise_deals == 0


@pytest.mark.parametrize(
    ("company", "year", "spend", "undisclosed"),
    [
        ("meta", "2024-01-01", 1 * B, 1),  # the up-to 50M licensing turns undisclosed
        ("google", "2025-01-01", 0, 1),  # the estimated capex too
    ],
)
def test_excluding_uncertain_amounts(
    con: duckdb.DuckDBPyConnection, company: str, year: str, spend: Decimal, undisclosed: int
) -> None:
    frame = fetch(con, "spend", Filters(period="year", include_uncertain=False))
    assert money(frame, company, year, "spend_usd") == spend
    assert row_of(frame, company_id=company, period=pd.Timestamp(year)).undisclosed_deals == (
        undisclosed
    )


def test_rollup_off_keeps_subsidiaries_apart(con: duckdb.DuckDBPyConnection) -> None:
    frame = fetch(con, "spend", Filters(period="year", rollup=False))
    assert money(frame, "google-deepmind", "2024-01-01", "spend_usd") == 125 * M
    assert frame[(frame.company_id == "google") & (frame.period.dt.year == 2024)].empty


def test_spend_by_type_and_counterparty(con: duckdb.DuckDBPyConnection) -> None:
    by_type = fetch(con, "spend_by_type", Filters(period="year", companies=("meta",)))
    licensing = row_of(by_type, period=pd.Timestamp("2024-01-01"), type="licensing")
    assert Decimal(str(licensing.spend_usd)) == 50 * M
    by_cp = fetch(con, "spend_by_counterparty", Filters(companies=("meta",)))
    midjourney = row_of(by_cp, counterparty="Midjourney")
    assert (Decimal(str(midjourney.spend_usd)), midjourney.deals) == (50 * M, 2)


def test_timeline_has_a_row_per_event_per_company(con: duckdb.DuckDBPyConnection) -> None:
    frame = fetch(con, "timeline", Filters())
    investment = frame[frame.title == "Meta invests in Scale"]
    assert sorted(investment.company_id) == ["meta", "scale-ai"]
    # DeepMind buying Mistral appears for Google (rolled up) and Mistral, with the
    # counterparty named as written, not rolled up.
    acquisition = frame[frame.title == "DeepMind buys Mistral"]
    assert sorted(acquisition.company_id) == ["google", "mistral-ai"]
    assert row_of(acquisition, company_id="mistral-ai").counterparty == "Google DeepMind"


def test_filters_combine(con: duckdb.DuckDBPyConnection) -> None:
    filters = Filters(companies=("meta",), types=("licensing",), since=dt.date(2025, 1, 1))
    frame = fetch(con, "timeline", filters)
    assert list(frame.title) == ["Meta licenses again"]


def test_timeline_counts(con: duckdb.DuckDBPyConnection) -> None:
    frame = fetch(con, "timeline_counts", Filters(period="year", companies=("openai",)))
    launches_2024 = row_of(frame, period=pd.Timestamp("2024-01-01"), type="model_launch")
    assert launches_2024.events == 2  # Sora, GPT-4o


def test_launch_race_for_video(con: duckdb.DuckDBPyConnection) -> None:
    race = fetch(con, "launch_race", Filters(modalities=("video",)))
    assert list(race.company) == ["OpenAI", "Google", "Meta"]
    assert list(race.first_product) == ["Sora", "Veo", "Movie Gen"]
    sora = dt.date(2024, 2, 15)
    expected = [0, (dt.date(2024, 5, 14) - sora).days, (dt.date(2024, 10, 4) - sora).days]
    assert list(race.days_after_leader) == expected == [0, 89, 232]
    assert set(race.leader) == {"OpenAI"}


def test_launch_cadence(con: duckdb.DuckDBPyConnection) -> None:
    frame = fetch(con, "launch_cadence", Filters(companies=("openai",), modalities=("video",)))
    assert list(frame["product"]) == ["Sora", "Sora 2"]
    assert pd.isna(frame.days_since_previous.iloc[0])
    assert frame.days_since_previous.iloc[1] == (dt.date(2025, 9, 30) - dt.date(2024, 2, 15)).days


def test_network_edges_and_nodes(con: duckdb.DuckDBPyConnection) -> None:
    edges = fetch(con, "network_edges", Filters())
    openai_microsoft = row_of(edges, source_id="microsoft", target_id="openai")
    # round, investment, cancelled compute deal, partnership; only the round's 10B counts
    assert openai_microsoft.events == 4
    assert Decimal(str(openai_microsoft.total_usd)) == 10 * B
    meta_scale = row_of(edges, source_id="meta", target_id="scale-ai")
    assert (meta_scale.events, Decimal(str(meta_scale.total_usd))) == (2, 1 * B)
    nodes = fetch(con, "network_nodes", Filters())
    openai = row_of(nodes, company_id="openai")
    assert (openai.degree, openai.events) == (1, 7)
    assert Decimal(str(openai.money_in_usd)) == 10 * B
    assert Decimal(str(openai.money_out_usd)) == 0


def test_network_company_filter_keeps_edges_touching_it(con: duckdb.DuckDBPyConnection) -> None:
    edges = fetch(con, "network_edges", Filters(companies=("scale-ai",)))
    assert list(zip(edges.source_id, edges.target_id, strict=True)) == [("meta", "scale-ai")]


def test_head_to_head_against_the_year_before(con: duckdb.DuckDBPyConnection) -> None:
    filters = Filters(
        companies=("meta", "openai"), since=dt.date(2025, 1, 1), until=dt.date(2025, 12, 31)
    )
    frame = fetch(con, "head_to_head", filters)
    meta = row_of(frame, company_id="meta")
    # 2025: licensing, talent, the product launch; 2024: investment, licensing, Movie Gen
    assert (meta.events, meta.events_prev, meta.events_change) == (3, 3, 0)
    assert Decimal(str(meta.money_out_prev_usd)) == 1 * B + 50 * M
    assert Decimal(str(meta.money_out_change_usd)) == -(1 * B + 50 * M)
    assert (meta.launches, meta.launches_prev) == (1, 1)
    openai = row_of(frame, company_id="openai")
    assert (openai.events, openai.partnerships, openai.launches) == (4, 1, 1)
    assert Decimal(str(openai.money_raised_usd)) == 10 * B
    assert openai.launches_prev == 2
    assert openai.last_event == pd.Timestamp("2025-09-30")


def test_bad_filters_are_refused() -> None:
    with pytest.raises(FilterError, match="period"):
        Filters(period="week")
    with pytest.raises(FilterError, match="after"):
        Filters(since=dt.date(2025, 1, 2), until=dt.date(2025, 1, 1))


def test_an_event_whose_counterparty_is_its_company_is_rejected(tmp_path: Path) -> None:
    """Facebook and Meta are one company: such a row would count the company twice."""
    seeds, data = tmp_path / "seeds", tmp_path / "data"
    seeds.mkdir()
    data.mkdir()
    (seeds / "companies.csv").write_text(COMPANIES, encoding="utf-8")
    (seeds / "aliases.csv").write_text(ALIASES, encoding="utf-8")
    (seeds / "fx_rates.csv").write_text(FX, encoding="utf-8")
    shutil.copy(REPO / "seeds" / "event_types.csv", seeds / "event_types.csv")
    header = EVENTS.splitlines()[0]
    (data / "events.csv").write_text(
        header + "\nx,2025-01-01,partnership,Meta,Facebook,,,,,,,Self deal,https://example.org/x\n",
        encoding="utf-8",
    )
    report = refresh(data, tmp_path / "w.duckdb", seeds_dir=seeds)
    assert report.events == 0
    [reject] = report.rejects
    assert (reject.line, reject.column, reject.value) == (2, "counterparty", "Facebook")
