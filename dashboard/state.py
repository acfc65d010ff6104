"""The shared filters: sidebar widgets whose values live in the URL.

Each widget is bound to a query parameter (``bind="query-params"``, keyed by its widget
key), so a copied link opens the same view. The widgets are drawn by ``app.py`` before the
page runs, which makes them part of the main script: Streamlit keeps their parameters when
the user moves between pages. A parameter equal to its default is left out of the URL.

    ?companies=Meta&companies=Nvidia&dates=2023-01-01&dates=2025-12-31&types=Investment
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

import streamlit as st

from dashboard.data import Options
from warehouse.filters import PERIODS, Filters

DEFAULT_COMPANIES: tuple[str, ...] = ("meta", "openai", "google")
# The date bounds the data contract accepts (docs/data-model.md: years 1950-2100).
MIN_DATE = dt.date(1950, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)

COMPANIES = "companies"
DATES = "dates"
TYPES = "types"
MODALITIES = "modality"
PERIOD = "period"
ROLLUP = "rollup"
UNCERTAIN = "uncertain"
SEARCH = "q"  # the Explorer's search box (bound on that page only)


def default_companies(options: Options) -> list[str]:
    """Meta, OpenAI and Google, as far as the warehouse knows them."""
    return [company for company in DEFAULT_COMPANIES if company in options.companies]


def sidebar(options: Options) -> None:
    """Draw the shared filters in the sidebar (call once per run, before the page)."""
    bar = st.sidebar
    bar.header("Filters")
    bar.multiselect(
        "Companies",
        options=list(options.companies),
        default=default_companies(options),
        format_func=lambda company_id: options.companies.get(company_id, company_id),
        key=COMPANIES,
        bind="query-params",
        placeholder="Choose companies",
        help="Any company in the warehouse; the order sets the order of cards and lanes.",
    )
    bar.date_input(
        "Date range",
        value=(),
        min_value=MIN_DATE,
        max_value=MAX_DATE,
        key=DATES,
        bind="query-params",
        help="Empty: all dates. An event counts when the first day of its stated period "
        "(day, month, quarter or year) is in the range: a '2024' event counts from 2024-01-01.",
    )
    bar.multiselect(
        "Event types",
        options=list(options.types),
        default=[],
        format_func=lambda event_type: options.types.get(event_type, event_type),
        key=TYPES,
        bind="query-params",
        placeholder="All types",
    )
    bar.multiselect(
        "Modality",
        options=list(options.modalities),
        default=[],
        key=MODALITIES,
        bind="query-params",
        placeholder="All modalities",
        help="What a model makes; events without a modality drop out once one is chosen.",
    )
    bar.radio(
        "Period",
        options=list(PERIODS),
        index=PERIODS.index("year"),
        format_func=str.capitalize,
        key=PERIOD,
        bind="query-params",
        horizontal=True,
    )
    bar.toggle(
        "Roll subsidiaries up",
        value=True,
        key=ROLLUP,
        bind="query-params",
        help="Count an event of Google DeepMind as Google's, of WhatsApp as Meta's, ...",
    )
    bar.toggle(
        "Include uncertain amounts",
        value=True,
        key=UNCERTAIN,
        bind="query-params",
        help='Count "up to" and estimated amounts as money (off: they count as undisclosed).',
    )


def _dates(value: object) -> tuple[dt.date | None, dt.date | None]:
    """(since, until) from the date range widget; a half-picked range has no end yet."""
    if isinstance(value, dt.date):
        return value, None
    picked: Sequence[dt.date | None] = tuple(value) if isinstance(value, list | tuple) else ()
    since = picked[0] if len(picked) > 0 else None
    until = picked[1] if len(picked) > 1 else None
    return since, until


def filters() -> Filters:
    """The Filters the sidebar describes (raises FilterError for an impossible range)."""
    state = st.session_state
    since, until = _dates(state.get(DATES, ()))
    return Filters(
        companies=tuple(state.get(COMPANIES, ())),
        since=since,
        until=until,
        types=tuple(state.get(TYPES, ())),
        modalities=tuple(state.get(MODALITIES, ())),
        rollup=bool(state.get(ROLLUP, True)),
        include_uncertain=bool(state.get(UNCERTAIN, True)),
        period=str(state.get(PERIOD) or "year"),
    )


def with_search(base: Filters, text: str) -> Filters:
    """``base`` plus the Explorer's full-text search."""
    return replace(base, search=text.strip())


def company_names(chosen: Filters, options: Options) -> list[str]:
    """Display names of the chosen companies, in the order they were chosen."""
    return [options.companies.get(company, company) for company in chosen.companies]
