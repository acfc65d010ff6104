"""Data: when the warehouse was refreshed, what it holds, and what the refresh set aside."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, ui
from etl import runlog

st.title("Data")
st.caption("The warehouse as the last refresh left it; the sidebar filters do not apply here.")

refresh = data.status("refresh")
if refresh.empty:
    ui.empty("This warehouse has no refresh record.")
else:
    info = refresh.iloc[0]
    left, middle, right = st.columns(3)
    left.metric("Last refresh (UTC)", pd.Timestamp(info["refreshed_at"]).strftime("%Y-%m-%d %H:%M"))
    middle.metric("Refresh took", f"{float(info['duration_s']):.1f} s")
    right.metric("Tool version", str(info["tool_version"]))
    ui.text(f"Data folder: {info['data_dir']}")
    ui.text(f"Seeds folder: {info['seeds_dir']}")

st.subheader("Refresh runs")
fresh = data.freshness()
limit_text, _ = data.max_age()
if fresh.age is None:
    st.warning("No successful refresh is recorded in the run log beside this warehouse.")
elif fresh.stale:
    st.warning(
        f"The data is older than {limit_text}: the last successful refresh ended "
        f"{runlog.format_age(fresh.age)} ago. Run `landscape refresh`, or check the schedule "
        f"(the limit is ${data.MAX_AGE_ENV})."
    )
else:
    st.caption(
        f"Last successful refresh {runlog.format_age(fresh.age)} ago "
        f"(warning after {limit_text}, set by ${data.MAX_AGE_ENV})."
    )
history = data.runs()
if history.empty:
    ui.empty("No run is recorded yet.")
else:
    ui.table(history, "refresh_runs", key="data_runs")

st.subheader("Rows per table")
ui.table(data.status("tables"), "table_rows", key="data_tables")

st.subheader("Input files")
st.caption("Every row read was loaded, set aside as a duplicate, or rejected.")
ui.table(data.status("files"), "input_files", key="data_files")

st.subheader("Rejected rows")
rejects = data.status("rejects")
if rejects.empty:
    ui.empty("The last refresh rejected no row.")
else:
    st.caption("One row per broken rule (the first 1,000).")
    ui.table(rejects, "rejects", key="data_rejects")

st.subheader("New entities")
new = data.status("new_entities")
if new.empty:
    ui.empty("Every company name matched the seeds: no new entities.")
else:
    st.caption("Names no seed knows; add them to seeds/companies.csv or fix the typo.")
    ui.table(new, "new_entities", key="data_new")

st.subheader("Sources that disagree on an amount")
conflicts = data.status("conflicts")
if conflicts.empty:
    ui.empty("No source gives a different amount.")
else:
    ui.table(
        conflicts,
        "amount_conflicts",
        key="data_conflicts",
        links=["other_source_url"],
        column_config={
            "amount_usd": ui.money_column("amount (USD)"),
            "reported_amount_usd": ui.money_column("reported (USD)"),
        },
    )
