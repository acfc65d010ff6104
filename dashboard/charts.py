"""Chart builders: each turns a query result (a DataFrame) into a Plotly figure.

Pure functions, no Streamlit, so they are tested on their own. Every figure has a title,
axis titles and units; money is shown in USD with a B/M/K suffix; companies keep the colour
of :func:`dashboard.style.company_color` everywhere; text from the data is escaped
(:func:`dashboard.style.plot_text`) because Plotly renders a subset of HTML.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard import frames, layout
from dashboard.style import (
    OTHER_COLOR,
    company_color,
    date_label,
    format_usd,
    plot_text,
    type_color,
    type_label,
    url_host,
    usd_unit,
)

EDGE_COLOR = "rgba(140, 140, 140, 0.45)"  # grey that shows on white and on near-black


def _finish(
    fig: go.Figure,
    title: str,
    x_title: str,
    y_title: str,
    *,
    height: int | None = None,
    legend_title: str | None = None,
) -> go.Figure:
    """Title, axis titles, legend and margins shared by every figure."""
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        # A vertical legend at the right never collides with the title or subplot titles.
        legend={"title": {"text": legend_title or ""}, "tracegroupgap": 2},
        hovermode="closest",
        hoverlabel={"align": "left"},
    )
    if height:
        fig.update_layout(height=height)
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title)
    return fig


def _usd_axis(values: pd.Series | Sequence[float]) -> tuple[float, str, str]:
    """Divisor, tick suffix and unit words for a money axis holding ``values``."""
    divisor, suffix = usd_unit(frames.finite_max(values))
    words = {"B": "USD billions", "M": "USD millions", "K": "USD thousands", "": "USD"}[suffix]
    return divisor, suffix, words


def point_count(fig: go.Figure) -> int:
    """How many data points a figure sends to the browser (all traces, x or values)."""
    total = 0
    for trace in fig.data:
        for attribute in ("x", "values", "z"):
            values = getattr(trace, attribute, None)
            if values is not None:
                total += int(np.size(values))
                break
    return total


def empty_figure(title: str, message: str) -> go.Figure:
    """A titled figure that says there is nothing to draw (builders never raise on empty)."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(title={"text": title, "x": 0}, height=220)
    return fig


# --- Overview ----------------------------------------------------------------------------


def sparkline(series: pd.DataFrame, company: str, period: str) -> go.Figure:
    """A card's trend: one company's money out per period (small bars; no deal, no bar)."""
    title = f"Money out per {period}"
    values = frames.numbers(series["spend_usd"]).fillna(0.0) if not series.empty else None
    if values is None or not (values != 0).any():
        return empty_figure(title, "No money out in this view")
    divisor, suffix, words = _usd_axis(values)
    fig = go.Figure(
        go.Bar(
            x=frames.dates(series["period"]),
            y=values / divisor,
            marker={"color": company_color(company)},
            name=plot_text(company),
            hovertext=[
                f"{date_label(p, period)}: {format_usd(v)}"
                for p, v in zip(series["period"], values, strict=True)
            ],
            hoverinfo="text",
            **period_bars(period),
        )
    )
    _finish(fig, title, "", words, height=190)
    fig.update_layout(showlegend=False, margin={"l": 0, "r": 0, "t": 30, "b": 0})
    fig.update_layout(title={"font": {"size": 13}})
    fig.update_yaxes(tickprefix="$", ticksuffix=suffix, title_font={"size": 10}, nticks=3)
    return fig


PERIOD_DAYS = {"month": 30.44, "quarter": 91.31, "year": 365.25}
DAY_MS = 86_400_000


def period_bars(period: str) -> dict[str, object]:
    """Bar attributes that make a date bar fill its month, quarter or year (with a gap).

    Without an explicit width Plotly sizes a bar from the gaps between the trace's own x
    values, so a trace holding a single period draws a hairline.
    """
    return {
        "xperiod": {"month": "M1", "quarter": "M3", "year": "M12"}[period],
        "xperiodalignment": "middle",
        "width": PERIOD_DAYS[period] * DAY_MS * 0.8,
    }


# --- Timeline -----------------------------------------------------------------------------


def _hover_event(row: pd.Series) -> str:
    """The hover of one event mark: title, date with its precision, amount, source."""
    amount = format_usd(row["amount_usd"])
    qualifier = row.get("amount_qualifier")
    if amount != "—" and isinstance(qualifier, str) and qualifier not in ("", "exact"):
        amount += f" ({qualifier.replace('_', ' ')})"
    parts = [
        f"<b>{plot_text(row['title'])}</b>",
        f"{date_label(row['date'], row['date_precision'])} ({row['date_precision']} precision)",
        f"{type_label(str(row['type']))} · {plot_text(row['company'])}"
        + (f" ↔ {plot_text(row['counterparty'])}" if isinstance(row["counterparty"], str) else ""),
        f"Amount: {amount}",
        f"Source: {plot_text(url_host(row['source_url']) or 'none')}",
    ]
    return "<br>".join(parts)


def timeline(events: pd.DataFrame, lane_order: Sequence[str]) -> go.Figure:
    """Swimlanes, one per company: events as marks coloured by type, sized by amount.

    ``events`` is the ``timeline`` query (one row per event and involved company). Marks of
    events without a counted amount are hollow; ``customdata`` holds the event id, which a
    selection returns.
    """
    title = "Events by company"
    if events.empty:
        return empty_figure(title, "No events match these filters")
    amounts = frames.numbers(events["amount_usd"])
    largest = frames.finite_max(amounts)
    sizes = np.where(
        amounts.notna() & (largest > 0),
        9 + 26 * np.sqrt(amounts.fillna(0.0) / (largest or 1.0)),
        9,
    )
    frame = events.assign(_size=sizes, _x=frames.dates(events["date"]))
    fig = go.Figure()
    for event_type in sorted(frame["type"].unique(), key=type_label):
        rows = frame[frame["type"] == event_type]
        has_amount = frames.numbers(rows["amount_usd"]).notna()
        fig.add_trace(
            go.Scatter(
                x=rows["_x"],
                y=rows["company"].map(plot_text),
                mode="markers",
                name=type_label(event_type),
                marker={
                    "color": type_color(event_type),
                    "size": rows["_size"],
                    "symbol": np.where(has_amount, "circle", "circle-open"),
                    "line": {"width": 1.5, "color": type_color(event_type)},
                    "opacity": 0.85,
                },
                customdata=rows[["event_id"]].to_numpy(),
                hovertext=[_hover_event(row) for _, row in rows.iterrows()],
                hoverinfo="text",
            )
        )
    order = [plot_text(name) for name in lane_order]
    _finish(
        fig,
        title,
        "Date",
        "Company",
        height=max(440, 140 + 70 * len(order)),  # room for the ten-type legend
        legend_title="Event type",
    )
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(order)))
    for name in lane_order:
        # A thin line in the company's colour marks its lane.
        fig.add_hline(
            y=plot_text(name), line={"color": company_color(name), "width": 1}, opacity=0.35
        )
    fig.update_layout(clickmode="event+select", dragmode="pan")
    return fig


def _stacked_rows(
    frame: pd.DataFrame,
    value: pd.Series,
    lane_order: Sequence[str],
    *,
    hover_value: Sequence[str],
    period: str,
) -> go.Figure:
    """One subplot row per company, bars per period stacked by type (shared x axis)."""
    companies = [name for name in lane_order if name in set(frame["company"])]
    fig = make_subplots(
        rows=len(companies),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.1 / max(1, len(companies) - 1) if len(companies) > 1 else 0.0,
        subplot_titles=[plot_text(name) for name in companies],
    )
    frame = frame.assign(_value=value.to_numpy(), _hover=list(hover_value))
    frame = frame.assign(_x=frames.dates(frame["period"]))
    shown: set[str] = set()
    for row_number, company in enumerate(companies, start=1):
        rows = frame[frame["company"] == company]
        for event_type in sorted(rows["type"].unique(), key=type_label):
            part = rows[rows["type"] == event_type]
            fig.add_trace(
                go.Bar(
                    x=part["_x"],
                    y=part["_value"],
                    name=type_label(event_type),
                    legendgroup=event_type,
                    showlegend=event_type not in shown,
                    marker={"color": type_color(event_type)},
                    hovertext=part["_hover"],
                    hoverinfo="text",
                    **period_bars(period),
                ),
                row=row_number,
                col=1,
            )
            shown.add(event_type)
    # Subplot titles are annotations, in the order of the rows: colour each as its company.
    for annotation, company in zip(fig.layout.annotations, companies, strict=False):
        annotation.font = {"color": company_color(company), "size": 14}
        annotation.x = 0
        annotation.xanchor = "left"
    fig.update_layout(barmode="stack", height=max(300, 90 + 170 * len(companies)))
    return fig


def timeline_counts(counts: pd.DataFrame, lane_order: Sequence[str], period: str) -> go.Figure:
    """Swimlanes as per-period counts (for views with too many events to draw one by one)."""
    title = f"Events per {period} by company and type"
    if counts.empty:
        return empty_figure(title, "No events match these filters")
    hover = [
        f"{plot_text(r.company)} · {type_label(str(r.type))}<br>"
        f"{date_label(r.period, period)}: {int(r.events):,} events"
        for r in counts.itertuples()
    ]
    fig = _stacked_rows(
        counts, counts["events"].astype("float64"), lane_order, hover_value=hover, period=period
    )
    _finish(fig, title, "", "", legend_title="Event type", height=fig.layout.height)
    fig.update_yaxes(title_text="Events")
    fig.update_xaxes(title_text=f"{period.capitalize()}", row=len(fig.layout.annotations), col=1)
    return fig


# --- Spend --------------------------------------------------------------------------------

FLOW_COLUMNS = {"spend": "spend_usd", "raised": "raised_usd"}
FLOW_WORDS = {"spend": "Money out", "raised": "Money raised"}


def flow_by_type(
    by_type: pd.DataFrame, flow: str, lane_order: Sequence[str], period: str
) -> go.Figure:
    """Money out (``flow='spend'``) or raised per period, stacked by type, a row per company."""
    words = FLOW_WORDS[flow]
    title = f"{words} per {period} by deal type"
    values = frames.numbers(by_type[FLOW_COLUMNS[flow]]) if not by_type.empty else None
    if values is None or not (values.fillna(0) != 0).any():
        return empty_figure(title, f"No {words.lower()} with a disclosed amount in this view")
    keep = (values.fillna(0) != 0).to_numpy()
    frame = by_type[keep]
    values = values[keep]
    divisor, suffix, unit_words = _usd_axis(values)
    hover = [
        f"{plot_text(r.company)} · {type_label(str(r.type))}<br>"
        f"{date_label(r.period, period)}: {format_usd(v)} ({int(r.deals)} deals)"
        for r, v in zip(frame.itertuples(), values, strict=True)
    ]
    fig = _stacked_rows(frame, values / divisor, lane_order, hover_value=hover, period=period)
    _finish(fig, title, "", "", legend_title="Deal type", height=fig.layout.height)
    fig.update_yaxes(tickprefix="$", ticksuffix=suffix, title_text=unit_words)
    fig.update_xaxes(title_text=period.capitalize(), row=len(fig.layout.annotations), col=1)
    return fig


def cumulative(spend: pd.DataFrame, lane_order: Sequence[str], period: str) -> go.Figure:
    """Running totals per company: money out (solid) and money raised (dotted)."""
    title = "Cumulative money out and raised"
    if spend.empty:
        return empty_figure(title, "No deals in this view")
    out = frames.numbers(spend["cumulative_spend_usd"]).fillna(0.0)
    raised = frames.numbers(spend["cumulative_raised_usd"]).fillna(0.0)
    divisor, suffix, words = _usd_axis(pd.concat([out, raised]))
    frame = spend.assign(_out=out.to_numpy(), _raised=raised.to_numpy())
    frame = frame.assign(_x=frames.dates(frame["period"]))
    fig = go.Figure()
    for company in [name for name in lane_order if name in set(frame["company"])]:
        rows = frame[frame["company"] == company].sort_values("_x")
        color = company_color(company)
        for column, dash, label in (("_out", "solid", "out"), ("_raised", "dot", "raised")):
            if not (rows[column] != 0).any():
                continue
            fig.add_trace(
                go.Scatter(
                    x=rows["_x"],
                    y=rows[column] / divisor,
                    mode="lines+markers",
                    line={"color": color, "dash": dash, "width": 2.5, "shape": "hv"},
                    marker={"size": 5},
                    name=f"{plot_text(company)} · {label}",
                    hovertext=[
                        f"{plot_text(company)} · money {label} up to "
                        f"{date_label(p, period)}: {format_usd(v)}"
                        for p, v in zip(rows["period"], rows[column], strict=True)
                    ],
                    hoverinfo="text",
                )
            )
    if not fig.data:
        return empty_figure(title, "No deals with a disclosed amount in this view")
    _finish(fig, title, period.capitalize(), words, height=420, legend_title="")
    fig.update_yaxes(tickprefix="$", ticksuffix=suffix)
    return fig


# --- Models -------------------------------------------------------------------------------


def _modality_rows(fig: go.Figure, modalities: pd.Series) -> dict[str, int]:
    """Give each modality a numbered row (named on the y axis); companies sit side by side
    inside it (see :func:`dashboard.frames.offsets`) instead of hiding each other."""
    names = sorted(set(modalities.astype("object").fillna("unspecified")))
    fig.update_yaxes(
        tickvals=list(range(len(names))),
        ticktext=[plot_text(name) for name in names],
        range=[-0.6, len(names) - 0.4],
        showgrid=False,
        zeroline=False,
    )
    return {name: index for index, name in enumerate(names)}


LAUNCH_SYMBOLS = {"model_launch": "circle", "product_launch": "diamond"}


def launches(cadence: pd.DataFrame, lane_order: Sequence[str]) -> go.Figure:
    """Every launch on a timeline, a row per modality, coloured by company."""
    title = "Launches by modality (circle: model, diamond: product)"
    if cadence.empty:
        return empty_figure(title, "No launches match these filters")
    frame = cadence.assign(
        _x=frames.dates(cadence["date"]),
        _modality=cadence["modality"].astype("object").fillna("unspecified"),
    )
    fig = go.Figure()
    companies = [name for name in lane_order if name in set(frame["company"])]
    rows_of = _modality_rows(fig, frame["_modality"])
    for company, offset in zip(companies, frames.offsets(len(companies)), strict=True):
        rows = frame[frame["company"] == company]
        fig.add_trace(
            go.Scatter(
                x=rows["_x"],
                y=rows["_modality"].map(rows_of) + offset,
                mode="markers",
                name=plot_text(company),
                marker={
                    "color": company_color(company),
                    "size": 11,
                    "symbol": [LAUNCH_SYMBOLS.get(t, "circle") for t in rows["type"]],
                    "opacity": 0.85,
                    "line": {"width": 1, "color": "rgba(0,0,0,0.3)"},
                },
                hovertext=[
                    f"<b>{plot_text(r.product)}</b><br>{plot_text(company)} · "
                    f"{type_label(str(r.type))}<br>{date_label(r.date, r.date_precision)}"
                    for r in rows.itertuples()
                ],
                hoverinfo="text",
            )
        )
    _finish(fig, title, "Date", "Modality", height=380, legend_title="Company")
    return fig


def launch_counts(counts: pd.DataFrame, lane_order: Sequence[str], period: str) -> go.Figure:
    """Launches per period and modality as sized marks (when there are too many to draw)."""
    title = f"Launches per {period} by modality (size: number of launches)"
    if counts.empty:
        return empty_figure(title, "No launches match these filters")
    largest = float(counts["launches"].max())
    fig = go.Figure()
    companies = [name for name in lane_order if name in set(counts["company"])]
    rows_of = _modality_rows(fig, counts["modality"])
    for company, offset in zip(companies, frames.offsets(len(companies)), strict=True):
        rows = counts[counts["company"] == company]
        fig.add_trace(
            go.Scatter(
                x=frames.dates(rows["period"]),
                y=rows["modality"].map(rows_of) + offset,
                mode="markers",
                name=plot_text(company),
                marker={
                    "color": company_color(company),
                    "size": 5 + 14 * np.sqrt(rows["launches"] / largest),
                    "opacity": 0.7,
                },
                hovertext=[
                    f"{plot_text(company)} · {plot_text(r.modality)}<br>"
                    f"{date_label(r.period, period)}: {int(r.launches):,} launches"
                    for r in rows.itertuples()
                ],
                hoverinfo="text",
            )
        )
    _finish(fig, title, period.capitalize(), "Modality", height=380, legend_title="Company")
    return fig


def cadence(summary: pd.DataFrame, lane_order: Sequence[str]) -> go.Figure:
    """Median days between a company's launches, per modality (bars grouped by company)."""
    title = "Cadence: median days between launches (whiskers: the middle half of the gaps)"
    known = summary.dropna(subset=["median_days_between"]) if not summary.empty else summary
    if known.empty:
        return empty_figure(title, "Fewer than two launches per modality: no cadence yet")
    fig = go.Figure()
    for company in [name for name in lane_order if name in set(known["company"])]:
        rows = known[known["company"] == company]
        median = rows["median_days_between"].astype("float64")
        fig.add_trace(
            go.Bar(
                x=rows["modality"],
                y=median,
                name=plot_text(company),
                marker={"color": company_color(company)},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": rows["p75_days_between"].astype("float64") - median,
                    "arrayminus": median - rows["p25_days_between"].astype("float64"),
                    "thickness": 1,
                },
                hovertext=[
                    f"{plot_text(company)} · {plot_text(r.modality)}<br>"
                    f"{int(r.launches)} launches; median {r.median_days_between:,.0f} days "
                    f"(min {r.min_days_between:,.0f}, max {r.max_days_between:,.0f})"
                    for r in rows.itertuples()
                ],
                hoverinfo="text",
            )
        )
    _finish(fig, title, "Modality", "Days between launches", height=380, legend_title="Company")
    fig.update_layout(barmode="group")
    fig.update_xaxes(categoryorder="category ascending")
    return fig


# --- Network ------------------------------------------------------------------------------

WIDTH_BUCKETS = (1.0, 2.5, 4.5, 7.0)


def log_share(totals: pd.Series, decades: float = 3.0) -> np.ndarray:
    """Each amount's place between (largest / 10**decades) and the largest, on a log scale,
    in [0, 1]; no money is 0. Deal sizes span many decades: a linear scale would show only
    the largest, a log scale from $1 would show them all alike."""
    usd = frames.numbers(totals).fillna(0.0).clip(lower=0.0).to_numpy()
    if usd.size == 0 or usd.max() <= 0:
        return np.zeros(usd.size)
    with np.errstate(divide="ignore"):
        share = (np.log10(usd) - np.log10(usd.max()) + decades) / decades
    return np.where(usd > 0, np.clip(share, 0.0, 1.0), 0.0)


def edge_widths(totals: pd.Series) -> np.ndarray:
    """Line width per edge from its money (log scale, 4 steps; no money: thinnest)."""
    share = log_share(totals)
    steps = np.minimum((share * len(WIDTH_BUCKETS)).astype(int), len(WIDTH_BUCKETS) - 1)
    return np.asarray(WIDTH_BUCKETS)[steps]


def network_positions(edges: pd.DataFrame) -> pd.DataFrame:
    """Nodes of ``edges`` with their layout position and degree (``company``, ``x``, ``y``)."""
    names = pd.unique(pd.concat([edges["source"], edges["target"]], ignore_index=True))
    index = {name: i for i, name in enumerate(names)}
    weights = 0.3 + 0.7 * log_share(edges["total_usd"])
    pairs = [
        (index[s], index[t], float(w))
        for s, t, w in zip(edges["source"], edges["target"], weights, strict=True)
    ]
    pos = layout.spring(len(names), pairs)
    degree = pd.concat([edges["source"], edges["target"]]).value_counts()
    return pd.DataFrame(
        {
            "company": names,
            "x": pos[:, 0] if len(names) else [],
            "y": pos[:, 1] if len(names) else [],
            "degree": [int(degree.get(name, 0)) for name in names],
        }
    )


def network(edges: pd.DataFrame, selected: Sequence[str]) -> go.Figure:
    """Companies linked by shared deals; edge width by money, selected companies highlighted."""
    title = "Who deals with whom (line width: deal money in USD, log scale)"
    if edges.empty:
        return empty_figure(title, "No deals between companies in this view")
    nodes = network_positions(edges)
    where = {r.company: (r.x, r.y) for r in nodes.itertuples()}
    widths = edge_widths(edges["total_usd"])
    chosen = set(selected)
    fig = go.Figure()
    for width in sorted(set(widths)):
        xs: list[float | None] = []
        ys: list[float | None] = []
        for (source, target), w in zip(edges[["source", "target"]].to_numpy(), widths, strict=True):
            if w == width:
                xs += [where[source][0], where[target][0], None]
                ys += [where[source][1], where[target][1], None]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                line={"width": width, "color": EDGE_COLOR},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    # Invisible markers at edge midpoints carry the edge hovers.
    ends = list(zip(edges["source"], edges["target"], strict=True))
    fig.add_trace(
        go.Scatter(
            x=[(where[s][0] + where[t][0]) / 2 for s, t in ends],
            y=[(where[s][1] + where[t][1]) / 2 for s, t in ends],
            mode="markers",
            marker={"size": 8, "color": EDGE_COLOR, "opacity": 0.0},
            hovertext=[
                f"<b>{plot_text(r.source)} ↔ {plot_text(r.target)}</b><br>{int(r.events)} events: "
                f"{plot_text(r.types)}<br>Money: {format_usd(r.total_usd)}<br>"
                f"{r.first_date} to {r.last_date}"
                for r in edges.itertuples()
            ],
            hoverinfo="text",
            showlegend=False,
            name="deals",
        )
    )
    others = nodes[~nodes["company"].isin(chosen)]
    # Label only the 20 best-connected other companies: more labels would overlap.
    label_cut = others["degree"].nlargest(20).min() if len(others) > 20 else 0
    named = list(zip(others["company"], others["degree"], strict=True))
    fig.add_trace(
        go.Scatter(
            x=others["x"],
            y=others["y"],
            mode="markers+text",
            text=[plot_text(c) if d >= label_cut else "" for c, d in named],
            textposition="top center",
            marker={"size": 8 + 2 * np.sqrt(others["degree"]), "color": OTHER_COLOR},
            hovertext=[f"{plot_text(c)}: {d} partners shown" for c, d in named],
            hoverinfo="text",
            name="Other companies",
        )
    )
    for row in nodes[nodes["company"].isin(chosen)].itertuples():
        fig.add_trace(
            go.Scatter(
                x=[row.x],
                y=[row.y],
                mode="markers+text",
                text=[f"<b>{plot_text(row.company)}</b>"],
                textposition="top center",
                marker={
                    "size": 22,
                    "color": company_color(str(row.company)),
                    "line": {"width": 2, "color": "rgba(255,255,255,0.9)"},
                },
                hovertext=[f"{plot_text(row.company)}: {row.degree} partners shown"],
                hoverinfo="text",
                name=plot_text(row.company),
            )
        )
    _finish(fig, title, "", "", height=640, legend_title="")
    fig.update_xaxes(visible=False, range=[-1.25, 1.25])
    fig.update_yaxes(visible=False, range=[-1.2, 1.25], scaleanchor="x", scaleratio=1)
    return fig
