"""Pure DataFrame transformations between a query result and what a page shows.

No Streamlit here: each function takes and returns plain pandas objects, so tests can run
them on small hand-made frames. Where a page shows a derived frame (a summary, the top
edges), the same frame goes to its chart, its table and its CSV download.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from dashboard.style import safe_url

# Above this many marks a point chart shows per-period counts instead (see the Timeline and
# Models pages): a few thousand SVG markers stay fluid in a browser; far more do not.
DETAIL_LIMIT = 5_000
# The Network page draws at most this many edges (the busiest ones).
EDGE_LIMIT = 150


def numbers(series: pd.Series) -> pd.Series:
    """A numeric column (Decimal, int, float, NA) as float64; missing stays NaN."""
    return pd.to_numeric(series.astype("object"), errors="coerce").astype("float64")


def dates(series: pd.Series) -> pd.Series:
    """A date column (``datetime.date`` objects or strings) as datetime64."""
    return pd.to_datetime(series.astype("object"), errors="coerce")


def lanes(selected: Sequence[str], present: Iterable[str]) -> list[str]:
    """Swimlane order: the selected companies in their order, then any other present ones."""
    seen = list(dict.fromkeys(selected))
    extra = sorted(set(present) - set(seen))
    return [name for name in seen if name in set(present)] + extra


def period_start(values: pd.Series, period: str) -> pd.Series:
    """The first day of the month, quarter or year holding each date."""
    stamps = dates(values)
    freq = {"month": "M", "quarter": "Q", "year": "Y"}[period]
    return stamps.dt.to_period(freq).dt.start_time


def launch_counts(cadence: pd.DataFrame, period: str) -> pd.DataFrame:
    """Launches per company, modality and period (the Models timeline above DETAIL_LIMIT)."""
    columns = ["company", "modality", "period", "launches"]
    if cadence.empty:
        return pd.DataFrame(columns=columns)
    frame = cadence.assign(
        period=period_start(cadence["date"], period).dt.date,
        modality=cadence["modality"].astype("object").fillna("unspecified"),
    )
    counts = (
        frame.groupby(["company", "modality", "period"], sort=True)
        .size()
        .rename("launches")
        .reset_index()
    )
    return counts[columns]


def cadence_summary(cadence: pd.DataFrame) -> pd.DataFrame:
    """Per company and modality: launches, and days between launches (median, quartiles,
    min, max); the gap statistics are NaN for a single launch."""
    columns = [
        "company",
        "modality",
        "launches",
        "median_days_between",
        "p25_days_between",
        "p75_days_between",
        "min_days_between",
        "max_days_between",
        "last_launch",
        "last_product",
    ]
    if cadence.empty:
        return pd.DataFrame(columns=columns)
    frame = cadence.assign(
        modality=cadence["modality"].astype("object").fillna("unspecified"),
        days=numbers(cadence["days_since_previous"]),
        when=dates(cadence["date"]),
    ).sort_values(["company", "modality", "when"], kind="stable")
    grouped = frame.groupby(["company", "modality"], sort=True)
    summary = grouped.agg(
        launches=("when", "size"),
        median_days_between=("days", "median"),
        p25_days_between=("days", lambda days: days.quantile(0.25)),
        p75_days_between=("days", lambda days: days.quantile(0.75)),
        min_days_between=("days", "min"),
        max_days_between=("days", "max"),
        last_launch=("when", "max"),
        last_product=("product", "last"),
    ).reset_index()
    summary["last_launch"] = summary["last_launch"].dt.date
    return summary[columns]


def top_edges(edges: pd.DataFrame, limit: int = EDGE_LIMIT) -> pd.DataFrame:
    """The ``limit`` busiest edges (most events, then most money), in that order."""
    if len(edges) <= limit:
        return edges.reset_index(drop=True)
    ranked = edges.assign(_usd=numbers(edges["total_usd"]).fillna(0.0))
    ranked = ranked.sort_values(["events", "_usd"], ascending=False, kind="stable")
    return ranked.drop(columns="_usd").head(limit).reset_index(drop=True)


def linkable(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``frame`` with every non-http(s) value of the URL ``columns`` blanked.

    Only http(s) links may be clickable; a ``javascript:`` or ``file:`` value is dropped
    rather than shown in a link column.
    """
    out = frame.copy()
    for column in columns:
        if column in out.columns:
            out[column] = pd.Series(
                [safe_url(value) for value in out[column].astype("object")],
                index=out.index,
                dtype="object",
            )
    return out


def spend_series(spend: pd.DataFrame, company: str) -> pd.DataFrame:
    """One company's money out and raised per period, in period order (a card's sparkline)."""
    rows = spend[spend["company"] == company]
    return rows[["company", "period", "spend_usd", "raised_usd"]].sort_values("period")


def finite_max(values: Iterable[float]) -> float:
    """The largest finite value, or 0.0."""
    array = np.asarray(list(values), dtype="float64")
    array = array[np.isfinite(array)]
    return float(np.abs(array).max()) if array.size else 0.0


FLOW_COLUMNS = {"spend": "spend_usd", "raised": "raised_usd"}


def flow_rows(by_type: pd.DataFrame, flow: str) -> pd.DataFrame:
    """Rows of ``spend_by_type`` with money in one flow (``spend`` or ``raised``).

    The columns of that flow only: what the Spend page's stacked bars draw.
    """
    column = FLOW_COLUMNS[flow]
    keep = numbers(by_type[column]).fillna(0.0) != 0
    shown = by_type.loc[keep, ["company", "period", "type", column, "deals", "undisclosed_deals"]]
    return shown.reset_index(drop=True)


def offsets(count: int, spread: float = 0.6) -> list[float]:
    """Vertical offsets that spread ``count`` companies inside one categorical row, the
    first company on top."""
    if count <= 1:
        return [0.0] * count
    step = spread / (count - 1)
    return [spread / 2 - step * i for i in range(count)]
