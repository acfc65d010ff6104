"""AI Landscape dashboard: ``streamlit run dashboard/app.py`` (``landscape dashboard``).

The entry point draws the navigation and the shared sidebar filters, then runs the chosen
page from ``pages/``. The warehouse is ``$LANDSCAPE_WAREHOUSE`` (else data/landscape.duckdb).
"""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run` puts dashboard/ on sys.path, not the project: add the project so that
# `dashboard`, `warehouse` and `etl` import the same way everywhere.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import data, state  # noqa: E402
from warehouse.db import WarehouseMissingError  # noqa: E402
from warehouse.filters import FilterError  # noqa: E402

HERE = Path(__file__).resolve().parent
PAGES = [
    st.Page(
        HERE / "views/overview.py",
        title="Overview",
        icon=":material/dashboard:",
        url_path="overview",
        default=True,
    ),
    st.Page(
        HERE / "views/timeline.py",
        title="Timeline",
        icon=":material/timeline:",
        url_path="timeline",
    ),
    st.Page(HERE / "views/spend.py", title="Spend", icon=":material/payments:", url_path="spend"),
    st.Page(
        HERE / "views/models.py",
        title="Models",
        icon=":material/model_training:",
        url_path="models",
    ),
    st.Page(HERE / "views/network.py", title="Network", icon=":material/hub:", url_path="network"),
    st.Page(
        HERE / "views/explorer.py", title="Explorer", icon=":material/search:", url_path="explorer"
    ),
    st.Page(
        HERE / "views/data_status.py", title="Data", icon=":material/database:", url_path="data"
    ),
]


def main() -> None:
    """Navigation, shared filters, then the page."""
    st.set_page_config(page_title="AI Landscape", page_icon=":material/hub:", layout="wide")
    page = st.navigation(PAGES)
    try:
        options = data.options()
    except WarehouseMissingError as exc:
        st.error(
            "No warehouse to show yet: build it with `landscape refresh` (or `make run`).",
            icon=":material/error:",
        )
        st.text(str(exc))
        st.stop()
    state.sidebar(options)
    try:
        state.filters()
    except FilterError as exc:
        st.error(
            "These filters describe no view; change them in the sidebar.", icon=":material/error:"
        )
        st.text(str(exc))
        st.stop()
    page.run()


main()
