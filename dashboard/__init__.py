"""The Streamlit dashboard: ``streamlit run dashboard/app.py`` (or ``landscape dashboard``).

Modules: ``app`` (navigation and sidebar), ``state`` (filters kept in the URL), ``data``
(cached warehouse access), ``frames`` and ``charts`` (pure DataFrame and Plotly builders),
``style`` (colours and number formats), ``ui`` (downloads, tables, messages) and ``pages/``.
"""
