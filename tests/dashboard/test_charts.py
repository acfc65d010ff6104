"""Chart builders, frame transformations and formats, tested without Streamlit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard import charts, frames, layout, style

D = dt.date


def timeline_rows(rows: list[dict[str, object]]) -> pd.DataFrame:
    """A frame shaped like the ``timeline`` query."""
    base: dict[str, object] = {
        "date_end": None,
        "date_precision": "day",
        "role": "company",
        "counterparty": None,
        "amount_usd": None,
        "amount_qualifier": None,
        "status": "announced",
        "product": None,
        "modality": None,
        "source_url": "https://example.com/a",
    }
    return pd.DataFrame([{**base, **row} for row in rows])


def axis_title(fig: go.Figure, axis: str) -> str:
    return str(fig.layout[axis].title.text or "")


# --- style -----------------------------------------------------------------------------


def test_the_three_default_companies_have_fixed_distinct_colours() -> None:
    colours = {style.company_color(name) for name in ("Meta", "OpenAI", "Google")}
    assert len(colours) == 3
    assert style.company_color("Meta") == style.company_color("meta") == "#1877F2"


def test_other_companies_get_a_stable_palette_colour_by_name() -> None:
    names = [f"Company {i}" for i in range(40)]
    first = [style.company_color(name) for name in names]
    assert first == [style.company_color(name) for name in names]
    assert set(first) <= set(style.PALETTE)
    assert len(set(first)) > 5  # spread over the palette, not one colour for all
    assert style.company_color("Mistral AI") == style.company_color("  mistral   ai ")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (14_300_000_000, "$14.3B"),
        (Decimal("19000000000.00"), "$19B"),
        (750_000_000, "$750M"),
        (2_500_000, "$2.5M"),
        (12_000, "$12K"),
        (0, "$0"),
        (-77_300_000_000, "-$77.3B"),
        (None, "—"),
        (float("nan"), "—"),
    ],
)
def test_format_usd(value: object, text: str) -> None:
    assert style.format_usd(value) == text


def test_format_usd_signed_marks_gains() -> None:
    assert style.format_usd(75_400_000_000, signed=True) == "+$75.4B"
    assert style.format_usd(-4e6, signed=True) == "-$4M"


@pytest.mark.parametrize(
    ("precision", "text"),
    [("day", "2025-04-01"), ("month", "2025-04"), ("quarter", "2025-Q2"), ("year", "2025")],
)
def test_dates_show_only_their_precision(precision: str, text: str) -> None:
    assert style.date_label(D(2025, 4, 1), precision) == text


def test_plot_text_escapes_markup() -> None:
    assert (
        style.plot_text('<a href="javascript:x">hi</a>')
        == '&lt;a href="javascript:x"&gt;hi&lt;/a&gt;'
    )


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://example.com/x", True),
        ("HTTP://example.com", True),
        ("javascript:alert(1)", False),
        ("file:///etc/passwd", False),
        ("https://", False),
        ("//example.com/x", False),
        (None, False),
    ],
)
def test_only_http_links_are_kept(url: object, kept: bool) -> None:
    assert (style.safe_url(url) is not None) is kept


def test_markdown_text_is_escaped() -> None:
    text = style.md_text("**bold** [x](javascript:alert(1)) :red[y] $z$ <b>")
    # every Markdown-active character is backslash-escaped, so none takes effect
    for char in "*[]():$<>":
        assert f"\\{char}" in text
    assert "**" not in text.replace("\\*", "")


def test_arabic_text_is_isolated_right_to_left() -> None:
    assert style.bidi_text("ميتا تعقد شراكة") == "\u2068ميتا تعقد شراكة\u2069"
    assert style.bidi_text("Meta 2025") == "Meta 2025"
    assert style.is_rtl("2025 ميتا")  # digits are neutral: the first strong letter decides


# --- frames ----------------------------------------------------------------------------


def test_lanes_keep_the_chosen_order_and_append_others() -> None:
    assert frames.lanes(["OpenAI", "Meta", "Nvidia"], ["Meta", "Scale AI", "OpenAI"]) == [
        "OpenAI",
        "Meta",
        "Scale AI",
    ]


def cadence_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "company": ["Meta"] * 4 + ["OpenAI"],
            "modality": ["text", "text", "text", "image", "text"],
            "date": [D(2023, 1, 1), D(2023, 1, 11), D(2023, 2, 10), D(2024, 5, 1), D(2022, 1, 1)],
            "date_precision": ["day"] * 5,
            "type": ["model_launch"] * 5,
            "product": ["a", "b", "c", "d", "e"],
            "days_since_previous": [None, 10, 30, None, None],
        }
    )


def test_cadence_summary_gives_the_gaps_per_company_and_modality() -> None:
    summary = frames.cadence_summary(cadence_rows()).set_index(["company", "modality"])
    text = summary.loc[("Meta", "text")]
    assert text["launches"] == 3
    assert text["median_days_between"] == 20
    assert (text["min_days_between"], text["max_days_between"]) == (10, 30)
    assert text["last_launch"] == D(2023, 2, 10) and text["last_product"] == "c"
    assert pd.isna(summary.loc[("OpenAI", "text"), "median_days_between"])  # one launch


def test_launch_counts_per_period() -> None:
    counts = frames.launch_counts(cadence_rows(), "year")
    meta_2023 = counts[(counts["company"] == "Meta") & (counts["period"] == D(2023, 1, 1))]
    assert meta_2023["launches"].tolist() == [3]
    assert counts["launches"].sum() == 5


def test_top_edges_keeps_the_busiest() -> None:
    edges = pd.DataFrame(
        {
            "source": list("abcde"),
            "target": list("vwxyz"),
            "events": [1, 5, 5, 2, 1],
            "total_usd": [Decimal(9), Decimal(1), Decimal(2), None, Decimal(100)],
        }
    )
    assert frames.top_edges(edges, limit=3)["source"].tolist() == ["c", "b", "d"]


def test_linkable_blanks_non_http_links() -> None:
    frame = pd.DataFrame({"url": ["https://a.example/x", "javascript:alert(1)", None]})
    assert frames.linkable(frame, ["url"])["url"].tolist() == ["https://a.example/x", None, None]


def test_flow_rows_keep_only_that_flow() -> None:
    by_type = pd.DataFrame(
        {
            "company": ["Meta", "Meta"],
            "period": [D(2024, 1, 1), D(2025, 1, 1)],
            "type": ["capex", "funding_round"],
            "spend_usd": [Decimal(5), Decimal(0)],
            "raised_usd": [Decimal(0), Decimal(7)],
            "deals": [1, 1],
            "undisclosed_deals": [0, 0],
        }
    )
    spend = frames.flow_rows(by_type, "spend")
    assert spend["type"].tolist() == ["capex"] and "raised_usd" not in spend.columns
    assert frames.flow_rows(by_type, "raised")["type"].tolist() == ["funding_round"]


# --- charts ----------------------------------------------------------------------------


def sample_timeline() -> pd.DataFrame:
    return timeline_rows(
        [
            {
                "event_id": "ev_big",
                "date": D(2025, 6, 12),
                "company_id": "meta",
                "company": "Meta",
                "type": "investment",
                "title": "Meta <b>invests</b>",
                "amount_usd": Decimal("14300000000"),
                "amount_qualifier": "reported",
                "counterparty": "Scale AI",
            },
            {
                "event_id": "ev_small",
                "date": D(2025, 1, 1),
                "date_precision": "quarter",
                "company_id": "meta",
                "company": "Meta",
                "type": "investment",
                "title": "Small stake",
                "amount_usd": Decimal("100000000"),
            },
            {
                "event_id": "ev_launch",
                "date": D(2024, 5, 1),
                "date_precision": "month",
                "company_id": "google",
                "company": "Google",
                "type": "model_launch",
                "title": "Veo",
                "source_url": "javascript:alert(1)",
            },
        ]
    )


def test_timeline_marks_by_type_sized_by_amount_with_event_ids() -> None:
    fig = charts.timeline(sample_timeline(), ["Google", "Meta"])
    traces = {trace.name: trace for trace in fig.data}
    assert set(traces) == {"Investment", "Model launch"}
    invest = traces["Investment"]
    assert invest.marker.color == style.type_color("investment")
    sizes = dict(zip([row[0] for row in invest.customdata], invest.marker.size, strict=True))
    assert sizes["ev_big"] > sizes["ev_small"]
    launch = traces["Model launch"]
    assert list(launch.marker.symbol) == ["circle-open"]  # no amount: hollow
    assert [row[0] for row in launch.customdata] == ["ev_launch"]
    # lanes top to bottom in the chosen order (Plotly draws categories bottom-up)
    assert list(fig.layout.yaxis.categoryarray) == ["Meta", "Google"]
    assert fig.layout.title.text and axis_title(fig, "xaxis") == "Date"


def test_timeline_hover_has_title_date_precision_amount_and_source() -> None:
    fig = charts.timeline(sample_timeline(), ["Meta", "Google"])
    hovers = {
        row[0]: text for t in fig.data for row, text in zip(t.customdata, t.hovertext, strict=False)
    }
    big = hovers["ev_big"]
    assert "Meta &lt;b&gt;invests&lt;/b&gt;" in big  # data text escaped, not markup
    assert "2025-06-12 (day precision)" in big
    assert "$14.3B (reported)" in big
    assert "example.com" in big
    assert "2025-Q1 (quarter precision)" in hovers["ev_small"]
    assert "Source: none" in hovers["ev_launch"]  # a javascript: URL is never shown


def test_timeline_counts_has_a_row_per_company_and_a_legend_entry_per_type() -> None:
    counts = pd.DataFrame(
        {
            "company_id": ["meta", "meta", "google"],
            "company": ["Meta", "Meta", "Google"],
            "period": [D(2024, 1, 1), D(2024, 1, 1), D(2025, 1, 1)],
            "type": ["capex", "talent", "capex"],
            "events": [3, 4, 5],
        }
    )
    fig = charts.timeline_counts(counts, ["Meta", "Google"], "year")
    assert [a.text for a in fig.layout.annotations] == ["Meta", "Google"]
    assert fig.layout.annotations[1].font.color == style.company_color("Google")
    assert sum(bool(t.showlegend) for t in fig.data) == 2  # capex once, talent once
    assert sum(sum(t.y) for t in fig.data) == 12


def test_flow_chart_is_in_billions_with_a_dollar_axis() -> None:
    by_type = pd.DataFrame(
        {
            "company": ["OpenAI", "OpenAI"],
            "period": [D(2025, 1, 1), D(2025, 1, 1)],
            "type": ["compute_deal", "acquisition"],
            "spend_usd": [Decimal("250000000000"), Decimal("6500000000")],
            "deals": [1, 1],
            "undisclosed_deals": [0, 0],
        }
    )
    fig = charts.flow_by_type(by_type, "spend", ["OpenAI"], "year")
    assert sorted(v for t in fig.data for v in t.y) == pytest.approx([6.5, 250.0])
    assert fig.layout.yaxis.ticksuffix == "B" and fig.layout.yaxis.tickprefix == "$"
    assert axis_title(fig, "yaxis") == "USD billions"
    # a single period still draws a full-width bar, not a hairline
    assert all(t.width and t.width > 200 * charts.DAY_MS for t in fig.data)


def test_cumulative_lines_use_company_colours() -> None:
    spend = pd.DataFrame(
        {
            "company": ["Meta", "Google"],
            "period": [D(2025, 1, 1)] * 2,
            "cumulative_spend_usd": [Decimal("2e9"), Decimal("3e9")],
            "cumulative_raised_usd": [Decimal(0), Decimal("1e9")],
        }
    )
    fig = charts.cumulative(spend, ["Meta", "Google"], "year")
    colours = {t.name: t.line.color for t in fig.data}
    assert colours == {
        "Meta · out": style.company_color("Meta"),
        "Google · out": style.company_color("Google"),
        "Google · raised": style.company_color("Google"),
    }


def test_launch_chart_keeps_companies_apart_within_a_modality() -> None:
    fig = charts.launches(cadence_rows(), ["Meta", "OpenAI"])
    meta, openai = fig.data
    text_row = list(fig.layout.yaxis.ticktext).index("text")
    meta_y = {y for y, m in zip(meta.y, ["text"] * 3 + ["image"], strict=True) if m == "text"}
    assert meta_y != set(openai.y)  # not drawn on top of each other
    assert all(abs(y - text_row) < 0.5 for y in openai.y)
    assert meta.marker.color == style.company_color("Meta")


def test_cadence_chart_bars_are_medians_with_quartile_whiskers() -> None:
    fig = charts.cadence(frames.cadence_summary(cadence_rows()), ["Meta", "OpenAI"])
    assert [t.name for t in fig.data] == ["Meta"]  # OpenAI launched once: no gap yet
    assert list(fig.data[0].y) == [20.0]
    assert axis_title(fig, "yaxis") == "Days between launches"


def edges_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": ["Meta", "Microsoft", "Meta"],
            "target": ["Scale AI", "OpenAI", "OpenAI"],
            "events": [2, 6, 1],
            "types": ["investment", "investment, licensing", "partnership"],
            "total_usd": [Decimal("14300000000"), Decimal("261000000000"), None],
            "first_date": [D(2025, 6, 12)] * 3,
            "last_date": [D(2025, 6, 12)] * 3,
        }
    )


def test_network_highlights_chosen_companies_and_weights_edges_by_money() -> None:
    fig = charts.network(edges_frame(), ["Meta"])
    chosen = [t for t in fig.data if t.name == "Meta"]
    assert len(chosen) == 1 and chosen[0].marker.color == style.company_color("Meta")
    others = next(t for t in fig.data if t.name == "Other companies")
    assert others.marker.color == style.OTHER_COLOR
    widths = charts.edge_widths(edges_frame()["total_usd"])
    assert widths[1] > widths[0] > widths[2]  # 261B > 14.3B > undisclosed


def test_network_layout_is_deterministic_and_bounded() -> None:
    first = charts.network_positions(edges_frame())
    second = charts.network_positions(edges_frame())
    pd.testing.assert_frame_equal(first, second)
    assert first[["x", "y"]].abs().to_numpy().max() <= 1.0 + 1e-9
    assert len(first) == 4
    points = first[["x", "y"]].to_numpy()
    gaps = np.linalg.norm(points[:, None] - points[None, :], axis=-1)[np.triu_indices(4, 1)]
    assert gaps.min() > 0.05  # no two companies on top of each other


def test_spring_layout_pulls_connected_nodes_closer() -> None:
    pos = layout.spring(6, [(0, 1, 1.0), (2, 3, 1.0), (3, 4, 1.0)])
    joined = np.linalg.norm(pos[0] - pos[1])
    apart = np.linalg.norm(pos[0] - pos[5])
    assert joined < apart


@pytest.mark.parametrize(
    "build",
    [
        lambda: charts.timeline(timeline_rows([]), []),
        lambda: charts.timeline_counts(pd.DataFrame(), [], "year"),
        lambda: charts.flow_by_type(pd.DataFrame(), "spend", [], "year"),
        lambda: charts.cumulative(pd.DataFrame(), [], "year"),
        lambda: charts.launches(pd.DataFrame(), []),
        lambda: charts.launch_counts(pd.DataFrame(), [], "year"),
        lambda: charts.cadence(frames.cadence_summary(pd.DataFrame()), []),
        lambda: charts.network(pd.DataFrame(), []),
        lambda: charts.sparkline(pd.DataFrame(), "Meta", "year"),
    ],
)
def test_empty_data_gives_a_titled_figure_that_says_so(build: object) -> None:
    fig = build()  # type: ignore[operator]
    assert fig.layout.title.text
    assert not fig.data
    assert fig.layout.annotations[0].text  # says why the chart is empty


def test_aggregated_views_of_a_million_events_stay_under_50k_points() -> None:
    """Per-period counts are what the Timeline draws above DETAIL_LIMIT marks."""
    months = pd.date_range("2014-01-01", "2025-12-01", freq="MS").date
    companies = [f"Company {i}" for i in range(10)]
    types = list(style.TYPE_COLORS)
    counts = pd.DataFrame(
        [
            {"company": c, "company_id": c, "period": m, "type": t, "events": 700}
            for c in companies
            for m in months
            for t in types
        ]
    )
    assert counts["events"].sum() > 1_000_000
    fig = charts.timeline_counts(counts, companies, "month")
    assert charts.point_count(fig) == len(counts) < 50_000
