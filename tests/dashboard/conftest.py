"""Fixtures for the dashboard tests: real warehouses built by a real refresh, and AppTest.

The sample warehouse is built once per session from ``sample_data/`` and the project seeds.
``app`` gives an AppTest of ``dashboard/app.py`` reading a warehouse through
``$LANDSCAPE_WAREHOUSE``, with Streamlit's caches emptied so no test sees another's data.
``download_bytes`` reads what a download button would hand the browser.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from dashboard import data
from etl.refresh import DEFAULT_DATA, refresh

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
PAGES = ("overview", "timeline", "spend", "models", "network", "explorer", "data_status")


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse refreshed from the project's sample data and seeds (read-only for tests)."""
    target = tmp_path_factory.mktemp("sample") / "landscape.duckdb"
    refresh(DEFAULT_DATA, target)
    return target


class _RecordingStorage(MemoryMediaFileStorage):
    """AppTest makes a fresh in-memory media store per run; keep the latest one reachable."""

    latest: MemoryMediaFileStorage | None = None

    def __init__(self, media_endpoint: str) -> None:
        super().__init__(media_endpoint)
        _RecordingStorage.latest = self


def _reset_streamlit() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()  # closes the shared connection (on_release)


@pytest.fixture
def use_warehouse(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path], None]]:
    """Point the dashboard at a warehouse file; caches are emptied before and after."""

    def point(path: Path) -> None:
        monkeypatch.setenv("LANDSCAPE_WAREHOUSE", str(path))

    _reset_streamlit()
    yield point
    _reset_streamlit()
    data.close()


@pytest.fixture
def app(
    sample_warehouse: Path,
    use_warehouse: Callable[[Path], None],
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[..., AppTest]:
    """Factory: an AppTest of the dashboard on the sample warehouse (or ``warehouse``)."""
    monkeypatch.setattr("streamlit.testing.v1.app_test.MemoryMediaFileStorage", _RecordingStorage)

    def make(warehouse: Path | None = None, **query: str | list[str]) -> AppTest:
        use_warehouse(warehouse or sample_warehouse)
        at = AppTest.from_file(str(APP), default_timeout=30)
        at.query_params.update(query)
        return at

    return make


def open_page(at: AppTest, page: str) -> AppTest:
    """Run the app (first run lands on Overview), then switch to ``page`` and run it."""
    if not at._tree.children:  # never run: switch_page needs the registered pages
        at.run()
    if page != "overview":
        at.switch_page(f"views/{page}.py").run()
    else:
        at.switch_page("views/overview.py").run()
    return at


def download_bytes(at: AppTest, key: str) -> bytes:
    """The bytes the download button ``key`` serves, from the last run's media store."""
    buttons = [b for b in at.get("download_button") if getattr(b, "key", None) == key]
    if not buttons:
        keys = [getattr(b, "key", None) for b in at.get("download_button")]
        raise AssertionError(f"no download button {key!r}; there are {keys}")
    url = buttons[0].proto.url
    storage = _RecordingStorage.latest
    assert storage is not None, "no AppTest run recorded a media store"
    return bytes(storage.get_file(os.path.basename(url)).content)
