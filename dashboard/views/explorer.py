"""Explorer: search every event with all the filters; each row links to its source."""

from __future__ import annotations

import streamlit as st

from dashboard import data, state, ui

LIMIT = 2_000  # rows sent to the browser; the download holds the same rows
COLUMNS = [
    "date",
    "date_precision",
    "type",
    "company",
    "counterparty",
    "amount_usd",
    "amount_qualifier",
    "status",
    "title",
    "product",
    "modality",
    "source_url",
    "publisher",
    "source_count",
    "notes",
    "event_id",
]

st.title("Explorer")
search = st.text_input(
    "Search",
    key=state.SEARCH,
    bind="query-params",
    placeholder="Words in titles, notes, products or company names (any case or accents)",
)
chosen = state.with_search(state.filters(), search or "")
result = data.query_page("events", chosen, order="date DESC, event_id DESC", limit=LIMIT)
if result.total == 0:
    ui.empty("No events match. Try fewer words, or clear some filters in the sidebar.")
else:
    scope = "the chosen companies" if chosen.companies else "all companies"
    shown = "" if result.total <= LIMIT else f"; showing the newest {LIMIT:,}"
    st.caption(f"{result.total:,} events of {scope} match{shown}.")
    ui.table(
        result.rows[COLUMNS],
        "events",
        key="explorer_table",
        links=["source_url"],
        column_config={
            "amount_usd": ui.money_column("amount (USD)"),
            "title": st.column_config.TextColumn("title", width="large"),
            "notes": st.column_config.TextColumn("notes", width="large"),
        },
        height=600,
    )
