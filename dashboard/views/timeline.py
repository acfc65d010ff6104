"""Timeline: a swimlane per company, events as marks; click one for its details and sources."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data, frames, state, ui
from dashboard.style import date_label, format_usd, md_text, type_label

EVENT_KEY = "timeline_event"
PICKED_KEY = "_timeline_picked"  # the last event picked on the chart, to notice a new click

st.title("Timeline")
chosen = state.filters()
options = data.options()


def details(events: pd.DataFrame, event_id: str) -> None:
    """One event's facts and every source of it."""
    rows = events[events["event_id"] == event_id]
    if rows.empty:
        return
    row = rows.iloc[0]
    st.subheader(md_text(row["title"]))
    amount = format_usd(row["amount_usd"])
    qualifier = row["amount_qualifier"]
    if amount != "—" and isinstance(qualifier, str) and qualifier != "exact":
        amount += f" ({qualifier.replace('_', ' ')})"
    facts = pd.DataFrame(
        {
            "field": ["Date", "Type", "Companies", "Amount", "Status", "Product", "Modality"],
            "value": [
                f"{date_label(row['date'], row['date_precision'])} "
                f"({row['date_precision']} precision)",
                type_label(str(row["type"])),
                " ↔ ".join(
                    str(name) for name in (row["company"], row["counterparty"]) if pd.notna(name)
                ),
                amount,
                str(row["status"]),
                str(row["product"]) if pd.notna(row["product"]) else "—",
                str(row["modality"]) if pd.notna(row["modality"]) else "—",
            ],
        }
    )
    ui.table(facts, f"event_{event_id}", key="timeline_facts")
    st.markdown("**Sources**")
    ui.table(
        data.event_sources(event_id),
        f"sources_{event_id}",
        key="timeline_sources",
        links=["url"],
        column_config={"reported_amount_usd": ui.money_column("reported_amount_usd")},
    )


if ui.need_companies(chosen):
    counts = data.query("timeline_counts", chosen)
    names = state.company_names(chosen, options)
    if counts.empty:
        ui.empty("No events match these filters. Widen the date range or clear some filters.")
    elif int(counts["events"].sum()) > frames.DETAIL_LIMIT:
        total = int(counts["events"].sum())
        ui.empty(
            f"{total:,} events: too many to draw one by one, so the lanes show events per "
            f"{chosen.period}. Narrow the companies, dates or types to at most "
            f"{frames.DETAIL_LIMIT:,} to see single events, or search them in Explorer."
        )
        lanes = frames.lanes(names, counts["company"])
        fig = charts.timeline_counts(counts, lanes, chosen.period)
        ui.chart(fig, counts, "timeline_counts", key="timeline_counts_chart")
    else:
        events = data.query("timeline", chosen)
        lanes = frames.lanes(names, events["company"])
        st.caption(
            "Marks are coloured by event type and sized by amount (hollow: no disclosed "
            "amount). Hover for details; click a mark to see all its sources below."
        )
        selection = ui.chart(
            charts.timeline(events, lanes),
            events,
            "timeline",
            key="timeline_chart",
            on_select="rerun",
        )
        # Newest first: the events people look for are mostly recent.
        ordered = events.drop_duplicates("event_id").iloc[::-1]
        labels = {
            r.event_id: f"{date_label(r.date, r.date_precision)} · {r.title}"
            for r in ordered.itertuples()
        }
        picked = ui.selected_event(selection)
        if picked and picked != st.session_state.get(PICKED_KEY) and picked in labels:
            st.session_state[EVENT_KEY] = picked  # a click on the chart picks the event
        st.session_state[PICKED_KEY] = picked
        if st.session_state.get(EVENT_KEY) not in labels:
            st.session_state.pop(EVENT_KEY, None)  # the event left the view with the filters
        event_id = st.selectbox(
            "Event details",
            options=list(labels),
            index=None,
            format_func=lambda event: labels[event],
            key=EVENT_KEY,
            placeholder="Click a mark on the chart, or choose an event here",
        )
        if event_id:
            details(events, event_id)
