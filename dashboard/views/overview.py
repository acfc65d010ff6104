"""Overview: a card per chosen company with its year against the year before."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data, frames, state, ui
from dashboard.style import date_label, format_usd, md_text


def money_delta(change: object) -> dict[str, object]:
    """``st.metric`` delta arguments for a change in USD (no arrow when nothing changed)."""
    text = format_usd(change, signed=True)
    return {
        "delta": text,
        "delta_arrow": "off" if text in ("$0", "—") else "auto",
        "delta_color": "off",  # more money out is neither good nor bad
    }


def count_delta(change: object) -> dict[str, object]:
    """``st.metric`` delta arguments for a change in a count."""
    return {"delta": int(change), "delta_color": "off"}


st.title("Overview")
chosen = state.filters()
options = data.options()

if ui.need_companies(chosen):
    cards = data.query("head_to_head", chosen)
    spend = data.query("spend", chosen)
    names = state.company_names(chosen, options)
    if not cards.empty:
        start, end = cards["window_start"].iloc[0], cards["window_end"].iloc[0]
        st.caption(
            f"Window {start} to {end}; the small figures are the change against the same "
            "window a year earlier. Set a date range in the sidebar to choose the window."
        )
    by_name = {row["company"]: row for _, row in cards.iterrows()}
    columns = st.columns(min(3, len(names)))
    for index, name in enumerate(names):
        with columns[index % len(columns)], st.container(border=True):
            st.subheader(md_text(name))
            row = by_name.get(name)
            if row is None:
                ui.empty("No events in this window.")
            else:
                left, right = st.columns(2)
                left.metric(
                    "Money out",
                    format_usd(row["money_out_usd"]),
                    **money_delta(row["money_out_change_usd"]),
                    help="Spent on investments, acquisitions, licensing, capex and compute.",
                )
                right.metric(
                    "Money raised",
                    format_usd(row["money_raised_usd"]),
                    **money_delta(row["money_raised_change_usd"]),
                    help="Funding rounds, and investments or acquisitions received.",
                )
                left.metric(
                    "Partnerships",
                    int(row["partnerships"]),
                    **count_delta(row["partnerships_change"]),
                )
                right.metric(
                    "Launches",
                    int(row["launches"]),
                    **count_delta(row["launches_change"]),
                    help="Model and product launches by the company.",
                )
                last = row["last_event"]
                st.caption(
                    f"{int(row['events'])} events in the window; latest on "
                    f"{date_label(last, 'day') if pd.notna(last) else '—'}"
                )
            series = frames.spend_series(spend, name)
            st.plotly_chart(
                charts.sparkline(series, name, chosen.period),
                key=f"sparkline_{index}",
                config={"displayModeBar": False},
            )

    st.divider()
    shown_cards = cards.set_index("company").reindex(names).dropna(how="all").reset_index()
    st.subheader("The numbers behind the cards")
    ui.table(
        shown_cards,
        "overview_cards",
        key="overview_cards",
        column_config={
            column: ui.money_column(column)
            for column in shown_cards.columns
            if column.endswith("_usd")
        },
    )
    st.subheader(f"The trends behind the cards (money per {chosen.period})")
    trends = spend[spend["company"].isin(names)][
        ["company", "period", "spend_usd", "raised_usd", "deals"]
    ]
    ui.table(trends, "overview_trends", key="overview_trends")
