"""Models: launches by modality, the cadence between launches, and who launched first."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data, frames, state, ui

st.title("Models")
chosen = state.filters()
options = data.options()

if ui.need_companies(chosen):
    names = state.company_names(chosen, options)
    cadence = data.query("launch_cadence", chosen)
    if cadence.empty:
        ui.empty("No launches match these filters. Widen the date range or clear some filters.")
    else:
        lanes = frames.lanes(names, cadence["company"])
        if len(cadence) > frames.DETAIL_LIMIT:
            ui.empty(
                f"{len(cadence):,} launches: too many to draw one by one, so this shows "
                f"launches per {chosen.period}."
            )
            counts = frames.launch_counts(cadence, chosen.period)
            fig = charts.launch_counts(counts, lanes, chosen.period)
            ui.chart(fig, counts, "launch_counts", key="launch_counts_chart")
        else:
            shown = cadence[["company", "modality", "date", "date_precision", "type", "product"]]
            ui.chart(charts.launches(shown, lanes), shown, "launches", key="launches_chart")
        summary = frames.cadence_summary(cadence)
        ui.chart(charts.cadence(summary, lanes), summary, "launch_cadence", key="cadence_chart")

    st.subheader("The race: who launched first in each modality")
    st.caption("First model launch per company and modality, and how many days after the leader.")
    race = data.query("launch_race", chosen)
    if race.empty:
        ui.empty("No model launches in this view.")
    else:
        ui.table(
            race[
                [
                    "modality",
                    "position",
                    "company",
                    "first_launch",
                    "first_product",
                    "leader",
                    "days_after_leader",
                ]
            ],
            "launch_race",
            key="launch_race",
        )
