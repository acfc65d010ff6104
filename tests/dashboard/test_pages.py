"""Every page through Streamlit's AppTest, on warehouses built by a real refresh.

Each page renders without an exception; changing a filter changes what it shows; a
download holds exactly the table shown; the URL's parameters open the same view; empty
views explain themselves; a refreshed warehouse file is picked up without a restart.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from etl import runlog
from tests.dashboard.conftest import PAGES, download_bytes, open_page
from tests.support import event

MakeApp = Callable[..., AppTest]
TITLES = {
    "overview": "Overview",
    "timeline": "Timeline",
    "spend": "Spend",
    "models": "Models",
    "network": "Network",
    "explorer": "Explorer",
    "data_status": "Data",
}


def csv_frame(raw: bytes) -> pd.DataFrame:
    """A downloaded CSV, every cell as text ('' for empty)."""
    return pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False)


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """A shown table with every cell as the CSV writer spells it."""

    def spell(value: Any) -> str:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return ""
        if isinstance(value, bool):
            return str(value).lower()
        return str(value)

    return frame.astype(object).map(spell).reset_index(drop=True)


def assert_download_matches(at: AppTest, table_index: int, key: str) -> pd.DataFrame:
    """The download ``key`` holds the columns and cells of dataframe ``table_index``."""
    shown = at.dataframe[table_index].value
    downloaded = csv_frame(download_bytes(at, key))
    assert list(downloaded.columns) == list(shown.columns)
    pd.testing.assert_frame_equal(downloaded, as_text(shown), check_dtype=False)
    return downloaded


def chart_spec(at: AppTest, index: int = 0) -> dict[str, Any]:
    """The Plotly figure a chart element sends to the browser."""
    spec: dict[str, Any] = json.loads(at.get("plotly_chart")[index].proto.spec)
    return spec


def texts(elements: Any) -> list[str]:
    return [str(element.value) for element in elements]


def no_exception(at: AppTest) -> AppTest:
    assert not at.exception, [e.message for e in at.exception]
    return at


# --- every page --------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_with_charts_or_tables(app: MakeApp, page: str) -> None:
    at = no_exception(open_page(app(), page))
    assert texts(at.title) == [TITLES[page]]
    assert at.multiselect(key="companies").value == ["meta", "openai", "google"]  # sidebar
    assert len(at.get("plotly_chart")) + len(at.dataframe) > 0
    # every chart and table comes with its CSV download
    assert len(at.get("download_button")) >= len(at.dataframe)


@pytest.mark.parametrize("page", ["overview", "timeline", "spend", "models"])
def test_no_company_chosen_asks_for_one(app: MakeApp, page: str) -> None:
    at = app()
    at.run()
    at.multiselect(key="companies").set_value([]).run()
    at = no_exception(open_page(at, page))
    assert any("Choose one or more companies" in text for text in texts(at.info))
    assert not at.get("plotly_chart")


@pytest.mark.parametrize("page", PAGES)
def test_a_window_without_events_explains_itself(app: MakeApp, page: str) -> None:
    at = no_exception(open_page(app(dates=["1990-01-01", "1990-12-31"]), page))
    if page == "data_status":
        return  # the Data page ignores the filters
    assert at.info, "an empty view should say why, not show empty charts"


def test_missing_warehouse_is_a_message_not_a_traceback(app: MakeApp, tmp_path: Path) -> None:
    at = no_exception(app(tmp_path / "nothing.duckdb").run())
    assert any("landscape refresh" in text for text in texts(at.error))


# --- filters change what is shown ----------------------------------------------------------


def test_explorer_company_filter(app: MakeApp) -> None:
    at = open_page(app(), "explorer")
    everyone = at.dataframe[0].value
    at.multiselect(key="companies").set_value(["midjourney"]).run()
    no_exception(at)
    rows = at.dataframe[0].value
    assert 0 < len(rows) < len(everyone)
    assert all("Midjourney" in (r.company, r.counterparty) for r in rows.itertuples())


def test_explorer_search_and_download_match_the_table(app: MakeApp) -> None:
    at = open_page(app(), "explorer")
    at.text_input(key="q").set_value("scale ai").run()
    rows = no_exception(at).dataframe[0].value
    assert len(rows) > 0
    assert all(
        "scale ai"
        in " ".join(str(v) for v in (r.title, r.notes, r.company, r.counterparty)).lower()
        for r in rows.itertuples()
    )
    downloaded = assert_download_matches(at, 0, "explorer_table_csv")
    assert len(downloaded) == len(rows)


def test_explorer_links_are_http_only(app: MakeApp) -> None:
    at = open_page(app(), "explorer")
    links = at.dataframe[0].value["source_url"].dropna()
    assert len(links) > 0 and all(url.startswith(("http://", "https://")) for url in links)


def test_timeline_type_filter_and_download(app: MakeApp) -> None:
    at = open_page(app(), "timeline")
    before = {trace["name"] for trace in chart_spec(at)["data"]}
    at.multiselect(key="types").set_value(["model_launch"]).run()
    no_exception(at)
    assert len(before) > 1
    assert {trace["name"] for trace in chart_spec(at)["data"]} == {"Model launch"}
    rows = csv_frame(download_bytes(at, "timeline_chart_csv"))
    assert len(rows) > 0 and set(rows["type"]) == {"model_launch"}
    points = sum(len(trace["x"]) for trace in chart_spec(at)["data"])
    assert points == len(rows)  # the download is exactly the marks drawn


def test_timeline_switches_to_counts_above_the_detail_limit(
    app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(app(), "timeline")
    marks = csv_frame(download_bytes(at, "timeline_chart_csv"))
    monkeypatch.setattr("dashboard.frames.DETAIL_LIMIT", len(marks) - 1)
    at.run()
    assert any("too many to draw one by one" in text for text in texts(no_exception(at).info))
    assert {trace["type"] for trace in chart_spec(at)["data"]} == {"bar"}
    counts = csv_frame(download_bytes(at, "timeline_counts_chart_csv"))
    assert counts["events"].astype(int).sum() == len(marks)  # the same events, counted


def test_models_switch_to_counts_above_the_detail_limit(
    app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(app(), "models")
    launches = csv_frame(download_bytes(at, "launches_chart_csv"))
    monkeypatch.setattr("dashboard.frames.DETAIL_LIMIT", 10)
    at.run()
    counts = csv_frame(download_bytes(no_exception(at), "launch_counts_chart_csv"))
    assert counts["launches"].astype(int).sum() == len(launches)


def test_timeline_event_details_list_every_source(app: MakeApp, sample_warehouse: Path) -> None:
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        event_id, sources = con.execute(
            "SELECT e.event_id, count(*) FROM events e JOIN event_sources s USING (event_id)"
            " WHERE e.company_id = 'meta' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1"
        ).fetchone()
        title = con.execute("SELECT title FROM events WHERE event_id = ?", [event_id]).fetchone()
    assert sources > 1
    at = open_page(app(), "timeline")
    at.selectbox(key="timeline_event").set_value(event_id).run()
    no_exception(at)
    assert texts(at.subheader)[-1].replace("\\", "") == title[0]
    shown = at.dataframe[-1].value
    assert len(shown) == sources
    assert shown["is_primary"].tolist()[0]  # the primary source first
    assert all(str(url).startswith(("http://", "https://")) for url in shown["url"])
    assert_download_matches(at, len(at.dataframe) - 1, "timeline_sources_csv")


def test_spend_flow_switch_and_uncertain_amounts(app: MakeApp) -> None:
    at = open_page(app(), "spend")
    out = csv_frame(download_bytes(at, "spend_by_type_chart_csv"))
    assert "spend_usd" in out.columns
    at.radio(key="flow").set_value("raised").run()
    raised = csv_frame(download_bytes(no_exception(at), "spend_by_type_chart_csv"))
    assert "raised_usd" in raised.columns and "spend_usd" not in raised.columns

    def total() -> float:
        rows = csv_frame(download_bytes(at, "spend_cumulative_chart_csv"))
        return rows["spend_usd"].astype(float).sum()

    counted = total()
    at.toggle(key="uncertain").set_value(False).run()
    no_exception(at)
    assert 0 < total() < counted  # "up to" and estimated deals no longer count


def test_spend_biggest_deals_are_sorted_and_downloadable(app: MakeApp) -> None:
    at = no_exception(open_page(app(), "spend"))
    deals = at.dataframe[0].value
    amounts = deals["amount_usd"].astype(float).tolist()
    assert amounts == sorted(amounts, reverse=True) and len(amounts) > 3
    assert_download_matches(at, 0, "biggest_deals_csv")


def test_overview_cards_follow_the_companies(app: MakeApp) -> None:
    at = no_exception(open_page(app(), "overview"))
    assert texts(at.subheader)[:3] == ["Meta", "OpenAI", "Google"]
    at.multiselect(key="companies").set_value(["google", "midjourney"]).run()
    no_exception(at)
    assert texts(at.subheader)[:2] == ["Google", "Midjourney"]
    cards = assert_download_matches(at, 0, "overview_cards_csv")
    assert set(cards["company"]) <= {"Google", "Midjourney"}


def test_period_changes_the_trend_periods(app: MakeApp) -> None:
    at = open_page(app(), "overview")
    yearly = csv_frame(download_bytes(at, "overview_trends_csv"))
    assert all(day.endswith("-01-01") for day in yearly["period"])
    at.radio(key="period").set_value("month").run()
    monthly = csv_frame(download_bytes(no_exception(at), "overview_trends_csv"))
    assert len(monthly) > len(yearly)
    assert not all(day.endswith("-01-01") for day in monthly["period"])


def test_models_modality_filter(app: MakeApp) -> None:
    at = open_page(app(), "models")
    at.multiselect(key="modality").set_value(["image"]).run()
    race = no_exception(at).dataframe[0].value
    assert len(race) > 0 and set(race["modality"]) == {"image"}
    assert_download_matches(at, 0, "launch_race_csv")


def test_network_rollup_shows_subsidiaries(app: MakeApp) -> None:
    at = open_page(app(), "network")

    def pairs() -> set[frozenset[str]]:
        rows = csv_frame(download_bytes(at, "network_chart_csv"))
        return {frozenset((r.source, r.target)) for r in rows.itertuples()}

    rolled = pairs()
    at.toggle(key="rollup").set_value(False).run()
    no_exception(at)
    # Google buying DeepMind is inside Google when rolled up, an edge when not
    assert frozenset(("Google", "Google DeepMind")) in pairs() - rolled


def test_data_page_counts_match_the_warehouse(app: MakeApp, sample_warehouse: Path) -> None:
    at = no_exception(open_page(app(), "data_status"))
    tables = at.dataframe[0].value.set_index("name")["rows"]
    files = at.dataframe[1].value
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        events = con.execute("SELECT count(*) FROM events").fetchone()[0]
        read = dict(con.execute("SELECT file, rows_read FROM input_files").fetchall())
    assert tables["events"] == events
    assert dict(zip(files["file"], files["rows_read"], strict=True)) == read
    assert_download_matches(at, 1, "data_files_csv")


# --- the URL holds the view ------------------------------------------------------------------


def test_url_parameters_open_the_same_view(app: MakeApp) -> None:
    at = app(companies=["Midjourney"], types=["Model launch"])
    at = no_exception(open_page(at, "explorer"))
    assert at.multiselect(key="companies").value == ["midjourney"]
    rows = at.dataframe[0].value
    assert len(rows) > 0
    assert set(rows["company"]) == {"Midjourney"} and set(rows["type"]) == {"model_launch"}


def test_unknown_url_values_are_ignored(app: MakeApp) -> None:
    at = no_exception(app(companies=["No Such Co", "Nvidia"], period="fortnight").run())
    assert at.multiselect(key="companies").value == ["nvidia"]
    assert at.radio(key="period").value == "year"


# --- data that is not what we expect ------------------------------------------------------


def test_data_text_is_never_markup(
    app: MakeApp, build: Callable[..., Any], data_dir: Any, warehouse: Path
) -> None:
    title = "<img src=x onerror=alert(1)> **bold** [link](https://evil.example) :red[x]"
    build(data_dir([event(ref="x", title=title, notes="<script>alert(1)</script>")]))
    at = open_page(app(warehouse), "timeline")
    event_id = at.selectbox(key="timeline_event").options[0]
    at.selectbox(key="timeline_event").set_value(event_id).run()
    no_exception(at)
    heading = texts(at.subheader)[-1]
    assert heading.replace("\\", "") == title  # the text as written ...
    for char in "<*[]():":
        assert f"\\{char}" in heading  # ... with every Markdown character escaped
    assert not at.get("html")
    at = open_page(at, "explorer")
    assert at.dataframe[0].value["title"].tolist() == [title]  # a table cell shows it as is


def test_arabic_titles_read_right_to_left(
    app: MakeApp, build: Callable[..., Any], data_dir: Any, warehouse: Path
) -> None:
    arabic = "ميتا تعقد شراكة مع ميدجورني"
    build(data_dir([event(ref="ar", company="ميتا", counterparty="ميدجورني", title=arabic)]))
    at = open_page(app(warehouse), "timeline")
    at.selectbox(key="timeline_event").set_value(at.selectbox(key="timeline_event").options[0])
    at.run()
    heading = texts(no_exception(at).subheader)[-1]
    assert heading == f"\u2068{arabic}\u2069"  # isolated in its own right-to-left run


def test_a_refreshed_warehouse_is_picked_up_without_restart(
    app: MakeApp, build: Callable[..., Any], data_dir: Any, warehouse: Path
) -> None:
    build(data_dir([event(ref="one")], name="first"))
    at = no_exception(open_page(app(warehouse), "data_status"))
    assert at.dataframe[0].value.set_index("name")["rows"]["events"] == 1
    # a refresh writes a new file and renames it over the old one
    build(data_dir([event(ref="one"), event(ref="two", title="Second")], name="second"))
    at.run()
    assert no_exception(at).dataframe[0].value.set_index("name")["rows"]["events"] == 2


def _log_run(warehouse: Path, ended: dt.datetime) -> runlog.Run:
    run = runlog.Run(
        run_id=f"run-{ended:%Y%m%d%H%M%S}",
        started_at=ended - dt.timedelta(seconds=2),
        ended_at=ended,
        status="ok",
        swapped=True,
        events=179,
        sources=[runlog.SourceRun(name="sample", kind="local", status="ok", rows_read=179)],
    )
    runlog.append_run(warehouse, run)
    return run


def test_data_page_lists_runs_and_warns_when_the_data_is_old(
    app: MakeApp, sample_warehouse: Path, tmp_path: Path
) -> None:
    warehouse = tmp_path / "landscape.duckdb"
    warehouse.write_bytes(sample_warehouse.read_bytes())
    _log_run(warehouse, dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=dt.UTC))
    at = no_exception(open_page(app(warehouse), "data_status"))
    assert any("older than 24h" in text for text in texts(at.warning))
    runs = at.dataframe[0].value
    assert list(runs["status"]) == ["ok"]
    assert list(runs["sources"]) == ["sample: ok"]

    _log_run(warehouse, dt.datetime.now(dt.UTC))
    at = no_exception(open_page(app(warehouse), "data_status"))
    assert not at.warning
    assert len(at.dataframe[0].value) == 2  # newest first, both runs listed


def test_the_age_limit_comes_from_the_environment(
    app: MakeApp, sample_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = tmp_path / "landscape.duckdb"
    warehouse.write_bytes(sample_warehouse.read_bytes())
    _log_run(warehouse, dt.datetime.now(dt.UTC) - dt.timedelta(hours=3))
    at = no_exception(open_page(app(warehouse), "data_status"))
    assert not at.warning  # 3 hours old: fine under the default 24h
    monkeypatch.setenv("LANDSCAPE_MAX_AGE", "2h")
    at = no_exception(open_page(app(warehouse), "data_status"))
    assert any("older than 2h" in text for text in texts(at.warning))
