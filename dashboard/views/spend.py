"""Spend: money out and raised per period by type, running totals, the biggest deals."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data, frames, state, ui

FLOWS = {"spend": "Money out", "raised": "Money raised"}

st.title("Spend")
chosen = state.filters()
options = data.options()

if ui.need_companies(chosen):
    names = state.company_names(chosen, options)
    spend = data.query("spend", chosen)
    if spend.empty:
        ui.empty("No deals match these filters. Widen the date range or clear some filters.")
    else:
        undisclosed = int(spend["undisclosed_deals"].sum())
        st.caption(
            f"{int(spend['deals'].sum()):,} deals, of which {undisclosed:,} without a counted "
            "amount (undisclosed, cancelled, rumored, or uncertain when those are excluded): "
            "they are not in the sums. A year-precision deal falls in its first period."
        )
        flow = st.radio(
            "Show",
            options=list(FLOWS),
            format_func=FLOWS.__getitem__,
            key="flow",
            bind="query-params",
            horizontal=True,
        )
        by_type = frames.flow_rows(data.query("spend_by_type", chosen), flow)
        lanes = frames.lanes(names, spend["company"])
        ui.chart(
            charts.flow_by_type(by_type, flow, lanes, chosen.period),
            by_type,
            f"{flow}_by_type",
            key="spend_by_type_chart",
        )
        ui.chart(
            charts.cumulative(spend, lanes, chosen.period),
            spend,
            "spend_cumulative",
            key="spend_cumulative_chart",
        )
    st.subheader("Biggest deals")
    deals = data.biggest_deals(chosen)
    if deals.empty:
        ui.empty("No deal with a disclosed amount in this view.")
    else:
        ui.table(
            deals[
                [
                    "date",
                    "date_precision",
                    "type",
                    "company",
                    "counterparty",
                    "amount_usd",
                    "amount_qualifier",
                    "status",
                    "title",
                    "source_url",
                    "event_id",
                ]
            ],
            "biggest_deals",
            key="biggest_deals",
            links=["source_url"],
            column_config={"amount_usd": ui.money_column("amount (USD)")},
        )
