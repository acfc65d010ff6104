"""Streamlit building blocks the pages share: charts and tables with their CSV download,
messages, and plain-text rendering of data.

Downloads use :func:`warehouse.export.write`, the CLI's own export code (spreadsheet
formulas neutralized), on exactly the frame the chart or table shows.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa
import streamlit as st

from dashboard import frames
from dashboard.style import bidi_text
from warehouse.export import ExportFormat, write
from warehouse.filters import Filters

LINK_DISPLAY = r"https?://(?:www\.)?([^/?#]+)"  # show a link as its host
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


def csv_bytes(frame: pd.DataFrame | pa.Table) -> bytes:
    """``frame`` as CSV through the CLI's export writer (formula-neutralized)."""
    table = (
        frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
    )
    out = io.BytesIO()
    write(table, out, ExportFormat.CSV)
    return out.getvalue()


def download(frame: pd.DataFrame | pa.Table, name: str, *, key: str, label: str = "") -> None:
    """A CSV download button for ``frame`` (the data of the chart or table above it)."""
    rows = frame.num_rows if isinstance(frame, pa.Table) else len(frame)
    st.download_button(
        label or f"Download CSV ({rows:,} rows)",
        data=csv_bytes(frame),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=key,
        on_click="ignore",  # no rerun: the page stays as it is
        icon=":material/download:",
    )


def chart(
    fig: go.Figure,
    frame: pd.DataFrame,
    name: str,
    *,
    key: str,
    on_select: str = "ignore",
) -> Any:
    """Show ``fig`` and, under it, the CSV download of ``frame`` (the data drawn)."""
    if on_select == "rerun":
        state = st.plotly_chart(
            fig,
            key=key,
            on_select="rerun",
            selection_mode="points",
            config=PLOTLY_CONFIG,
        )
    else:
        state = st.plotly_chart(fig, key=key, config=PLOTLY_CONFIG)
    download(frame, name, key=f"{key}_csv")
    return state


def table(
    frame: pd.DataFrame,
    name: str,
    *,
    key: str,
    links: Sequence[str] = (),
    column_config: Mapping[str, Any] | None = None,
    height: int | None = None,
) -> pd.DataFrame:
    """Show ``frame`` as a table with clickable http(s) ``links`` columns, and its download.

    Returns the frame as shown (non-http(s) links blanked), which is also what downloads.
    """
    shown = frames.linkable(frame, links)
    config: dict[str, Any] = {
        column: st.column_config.LinkColumn(column, display_text=LINK_DISPLAY)
        for column in links
        if column in shown.columns
    }
    config.update(column_config or {})
    st.dataframe(
        shown,
        hide_index=True,
        column_config=config,
        key=key,
        height=height if height is not None else "auto",
    )
    download(shown, name, key=f"{key}_csv")
    return shown


def money_column(label: str) -> Any:
    """A USD column shown compactly (14.3B)."""
    return st.column_config.NumberColumn(label, format="compact")


def empty(message: str) -> None:
    """The message shown instead of a chart or table that would be empty."""
    st.info(message, icon=":material/info:")


def need_companies(chosen: Filters) -> bool:
    """Whether companies are chosen; if not, say how to choose them (company pages)."""
    if chosen.companies:
        return True
    empty(
        "Choose one or more companies under **Companies** in the sidebar to fill this page "
        "(Meta, OpenAI and Google are the default)."
    )
    return False


def text(value: object) -> None:
    """Data text shown as plain text (never Markdown or HTML), Arabic right-to-left."""
    st.text(bidi_text(str(value)))


def selected_event(state: Any) -> str | None:
    """The event id of the first point selected on a chart whose customdata holds ids."""
    try:
        points = state.selection.points
    except (AttributeError, KeyError):
        return None
    for point in points:
        custom = point.get("customdata")
        if isinstance(custom, list | tuple) and custom:
            return str(custom[0])
        if isinstance(custom, str):
            return custom
    return None
