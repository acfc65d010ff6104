"""Network: which companies deal with which, weighted by the money involved."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data, frames, state, ui

st.title("Network")
chosen = state.filters()
options = data.options()
names = state.company_names(chosen, options)

edges = data.query("network_edges", chosen)
if edges.empty:
    ui.empty(
        "No deals between companies match these filters. Widen the date range, clear the "
        "event types, or choose other companies."
    )
else:
    shown = frames.top_edges(edges)
    scope = "the chosen companies" if chosen.companies else "all companies"
    st.caption(
        f"Partnerships, investments and other deals of {scope}: {len(edges):,} pairs of "
        "companies"
        + (f", the {len(shown):,} busiest drawn" if len(shown) < len(edges) else "")
        + ". Chosen companies are large and in their colour."
    )
    ui.chart(charts.network(shown, names), shown, "network_edges", key="network_chart")
    with st.expander("The pairs as a table"):
        ui.table(
            shown,
            "network_edges_table",
            key="network_table",
            column_config={"total_usd": ui.money_column("total (USD)")},
        )
